//! Listing handles: `ghpkg_package_listing` and `ghpkg_version_listing`.
//!
//! A listing fetches pages lazily: `*_listing_next` hands out items of a
//! page that has arrived without blocking, and blocks only when the next
//! item's page has not arrived yet (pages after the first are read ahead
//! concurrently meanwhile).

use std::ptr;
use std::sync::Mutex;

use futures::StreamExt;
use ghpkg::{Package, PackageVersion, PagingLimit};

use crate::convert::{borrow, free_box, read};
use crate::error::ghpkg_error;
use crate::fail::Fail;
use crate::ffi::call;
use crate::models::{ghpkg_package, ghpkg_version};
use crate::runtime::{block_on, enter};
use crate::status::ghpkg_status;

/// A listing in progress.
pub(crate) struct Listing<T> {
    /// The core's listing; `None` once it has ended or failed.
    listing: Mutex<Option<ghpkg::Listing<T>>>,
    /// Readable without the lock, and after the listing is dropped.
    limit: PagingLimit,
}

impl<T: Send + 'static> Listing<T> {
    pub(crate) fn new(listing: ghpkg::Listing<T>) -> Self {
        Listing {
            limit: listing.paging_limit(),
            listing: Mutex::new(Some(listing)),
        }
    }

    /// The next item, `None` at the end. After an error the listing ends.
    fn next_with<H>(&self, convert: impl FnOnce(T) -> Result<H, Fail>) -> Result<Option<H>, Fail> {
        let mut slot = self.listing.lock().unwrap_or_else(|e| e.into_inner());
        let Some(listing) = slot.as_mut() else {
            return Ok(None);
        };
        let item = match listing.pop_ready() {
            Some(ready) => Some(Ok(ready)),
            None => block_on(listing.next())?,
        };
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

    fn reached_paging_limit(&self) -> bool {
        self.limit.reached()
    }
}

impl<T> Drop for Listing<T> {
    fn drop(&mut self) {
        // Requests still in flight are cancelled inside the runtime's context.
        let _rt = enter();
        drop(self.listing.get_mut().map(Option::take));
    }
}

/// A listing of packages. Owned by the caller; free with
/// `ghpkg_package_listing_free`. Use it from one thread at a time.
pub struct ghpkg_package_listing(pub(crate) Listing<Package>);

/// A listing of package versions. Owned by the caller; free with
/// `ghpkg_version_listing_free`. Use it from one thread at a time.
pub struct ghpkg_version_listing(pub(crate) Listing<PackageVersion>);

/// Moves to the next package. Blocks only when its page has not arrived.
///
/// On `GHPKG_OK`, `*out` is the next package (owned by the caller), or NULL
/// when the listing has ended. After an error the listing has ended: later
/// calls give `GHPKG_OK` with NULL.
#[no_mangle]
pub extern "C" fn ghpkg_package_listing_next(
    listing: *mut ghpkg_package_listing,
    out: *mut *mut ghpkg_package,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: a non-NULL listing comes from this library.
        let it = unsafe { borrow(listing.cast_const(), "listing") }?;
        Ok(it
            .0
            .next_with(ghpkg_package::boxed)?
            .unwrap_or(ptr::null_mut()))
    })
}

/// Frees a package listing, cancelling requests in flight. NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_package_listing_free(listing: *mut ghpkg_package_listing) {
    free_box(listing);
}

/// Whether the listing stopped at GitHub's 10,000-item paging limit, so
/// more packages may exist than were listed (filter by visibility to reach
/// the rest). Meaningful once `ghpkg_package_listing_next` has given NULL;
/// false for NULL. Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_package_listing_reached_paging_limit(
    listing: *const ghpkg_package_listing,
) -> bool {
    read(listing, false, |it| it.0.reached_paging_limit())
}

/// Moves to the next version. Blocks only when its page has not arrived.
/// Same contract as `ghpkg_package_listing_next`.
#[no_mangle]
pub extern "C" fn ghpkg_version_listing_next(
    listing: *mut ghpkg_version_listing,
    out: *mut *mut ghpkg_version,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: a non-NULL listing comes from this library.
        let it = unsafe { borrow(listing.cast_const(), "listing") }?;
        Ok(it
            .0
            .next_with(ghpkg_version::boxed)?
            .unwrap_or(ptr::null_mut()))
    })
}

/// Frees a version listing, cancelling requests in flight. NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_version_listing_free(listing: *mut ghpkg_version_listing) {
    free_box(listing);
}

/// Whether the listing stopped at GitHub's 10,000-item paging limit, so
/// more versions may exist than were listed. Meaningful once
/// `ghpkg_version_listing_next` has given NULL; false for NULL. Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_version_listing_reached_paging_limit(
    listing: *const ghpkg_version_listing,
) -> bool {
    read(listing, false, |it| it.0.reached_paging_limit())
}
