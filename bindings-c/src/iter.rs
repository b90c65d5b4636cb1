//! Listing handles: `ghpkg_package_iter` and `ghpkg_version_iter`.
//!
//! A listing fetches pages lazily: each `*_iter_next` blocks only when the
//! next item's page has not arrived yet (pages after the first are read
//! ahead concurrently while `next` runs).

use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use futures::StreamExt;
use ghpkg::{Package, PackageVersion, Paginated};

use crate::error::{ghpkg_error, Fail};
use crate::ffi::{borrow, call, free_box, read};
use crate::models::{ghpkg_package, ghpkg_version};
use crate::runtime::{block_on, enter};
use crate::status::ghpkg_status;

/// A listing in progress.
pub(crate) struct Listing<T> {
    /// The core's stream; `None` once it has ended or failed.
    stream: Mutex<Option<Paginated<T>>>,
    /// [`Paginated::reached_paging_limit`] as of the last step, kept after
    /// the stream is dropped.
    reached_paging_limit: AtomicBool,
}

impl<T: Send + 'static> Listing<T> {
    pub(crate) fn new(stream: Paginated<T>) -> Self {
        Listing {
            reached_paging_limit: AtomicBool::new(stream.reached_paging_limit()),
            stream: Mutex::new(Some(stream)),
        }
    }

    /// The next item, `None` at the end. After an error the listing ends.
    fn next_with<H>(&self, convert: impl FnOnce(T) -> Result<H, Fail>) -> Result<Option<H>, Fail> {
        let mut slot = self.stream.lock().unwrap_or_else(|e| e.into_inner());
        let Some(stream) = slot.as_mut() else {
            return Ok(None);
        };
        let item = block_on(stream.next())?;
        self.reached_paging_limit
            .store(stream.reached_paging_limit(), Ordering::Relaxed);
        let result = match item {
            Some(Ok(item)) => convert(item).map(Some),
            Some(Err(e)) => Err(Fail::from(e)),
            None => Ok(None),
        };
        if !matches!(result, Ok(Some(_))) {
            let _rt = enter();
            *slot = None;
        }
        result
    }
}

impl<T> Listing<T> {
    fn reached_paging_limit(&self) -> bool {
        self.reached_paging_limit.load(Ordering::Relaxed)
    }
}

impl<T> Drop for Listing<T> {
    fn drop(&mut self) {
        // Requests still in flight are cancelled inside the runtime's context.
        let _rt = enter();
        drop(self.stream.get_mut().map(Option::take));
    }
}

/// A listing of packages. Owned by the caller; free with
/// `ghpkg_package_iter_free`. Use it from one thread at a time.
pub struct ghpkg_package_iter(pub(crate) Listing<Package>);

/// A listing of package versions. Owned by the caller; free with
/// `ghpkg_version_iter_free`. Use it from one thread at a time.
pub struct ghpkg_version_iter(pub(crate) Listing<PackageVersion>);

/// Moves to the next package. Blocking.
///
/// On `GHPKG_OK`, `*out` is the next package (owned by the caller), or NULL
/// when the listing has ended. After an error the listing has ended: later
/// calls give `GHPKG_OK` with NULL.
#[no_mangle]
pub extern "C" fn ghpkg_package_iter_next(
    iter: *mut ghpkg_package_iter,
    out: *mut *mut ghpkg_package,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: a non-NULL iterator comes from this library.
        let it = unsafe { borrow(iter.cast_const(), "iter") }?;
        Ok(it
            .0
            .next_with(ghpkg_package::boxed)?
            .unwrap_or(ptr::null_mut()))
    })
}

/// Frees a package listing, cancelling requests in flight. NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_package_iter_free(iter: *mut ghpkg_package_iter) {
    free_box(iter);
}

/// Whether the listing stopped at GitHub's 10,000-item paging limit, so
/// more packages may exist than were listed (filter by visibility to reach
/// the rest). Meaningful once `ghpkg_package_iter_next` has given NULL;
/// false for NULL. Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_package_iter_reached_paging_limit(iter: *const ghpkg_package_iter) -> bool {
    read(iter, false, |it| it.0.reached_paging_limit())
}

/// Moves to the next version. Blocking. Same contract as
/// `ghpkg_package_iter_next`.
#[no_mangle]
pub extern "C" fn ghpkg_version_iter_next(
    iter: *mut ghpkg_version_iter,
    out: *mut *mut ghpkg_version,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: a non-NULL iterator comes from this library.
        let it = unsafe { borrow(iter.cast_const(), "iter") }?;
        Ok(it
            .0
            .next_with(ghpkg_version::boxed)?
            .unwrap_or(ptr::null_mut()))
    })
}

/// Frees a version listing, cancelling requests in flight. NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_version_iter_free(iter: *mut ghpkg_version_iter) {
    free_box(iter);
}

/// Whether the listing stopped at GitHub's 10,000-item paging limit, so
/// more versions may exist than were listed. Meaningful once
/// `ghpkg_version_iter_next` has given NULL; false for NULL. Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_version_iter_reached_paging_limit(iter: *const ghpkg_version_iter) -> bool {
    read(iter, false, |it| it.0.reached_paging_limit())
}
