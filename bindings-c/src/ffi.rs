//! The panic boundary and the argument checks every export goes through.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{ghpkg_error, Fail};
use crate::status::{ghpkg_status, GHPKG_OK};

/// Runs `f` inside a panic boundary. On success writes its value to `*out`
/// and returns `GHPKG_OK`; on failure leaves `*out` alone, reports to
/// `err_out` and returns the failure's status. A NULL `out` fails before
/// `f` runs, so nothing is sent.
pub(crate) fn call<T>(
    out: *mut T,
    err_out: *mut *mut ghpkg_error,
    f: impl FnOnce() -> Result<T, Fail>,
) -> ghpkg_status {
    let result = catch_unwind(AssertUnwindSafe(|| {
        if out.is_null() {
            return Err(Fail::null("the output pointer"));
        }
        f()
    }));
    match result {
        Ok(Ok(value)) => {
            // SAFETY: `out` is non-NULL and, by the C contract, writable.
            unsafe { out.write(value) };
            GHPKG_OK
        }
        Ok(Err(fail)) => report(fail, err_out),
        Err(payload) => report(Fail::panic(payload.as_ref()), err_out),
    }
}

/// [`call`] for exports without an output value.
pub(crate) fn call_unit(
    err_out: *mut *mut ghpkg_error,
    f: impl FnOnce() -> Result<(), Fail>,
) -> ghpkg_status {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => GHPKG_OK,
        Ok(Err(fail)) => report(fail, err_out),
        Err(payload) => report(Fail::panic(payload.as_ref()), err_out),
    }
}

/// Returns the failure's status and, when the caller asked for details,
/// writes a new `ghpkg_error` to `*err_out`.
fn report(fail: Fail, err_out: *mut *mut ghpkg_error) -> ghpkg_status {
    let status = fail.status();
    if !err_out.is_null() {
        if let Ok(err) = catch_unwind(AssertUnwindSafe(|| Box::new(ghpkg_error::new(fail)))) {
            // SAFETY: `err_out` is non-NULL and, by the C contract, writable.
            unsafe { err_out.write(Box::into_raw(err)) };
        }
    }
    status
}

/// Runs a function that cannot fail inside a panic boundary, giving
/// `fallback` if it panics.
pub(crate) fn infallible<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Reads from a handle inside a panic boundary, giving `fallback` for a
/// NULL handle (or a panic).
pub(crate) fn read<H, T: Copy>(h: *const H, fallback: T, f: impl FnOnce(&H) -> T) -> T {
    infallible(fallback, || {
        // SAFETY: a non-NULL handle comes from this library (the C contract).
        match unsafe { h.as_ref() } {
            Some(h) => f(h),
            None => fallback,
        }
    })
}

/// Frees a boxed handle; NULL is ignored and a panicking destructor is contained.
pub(crate) fn free_box<T>(p: *mut T) {
    if p.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a non-NULL handle came from `Box::into_raw` in this
        // library and is freed once (the C contract).
        drop(unsafe { Box::from_raw(p) });
    }));
}

/// A reference to a handle; NULL gives `GHPKG_NULL_ARGUMENT` naming `what`.
///
/// # Safety
/// A non-NULL `p` must point to a live `T`.
pub(crate) unsafe fn borrow<'a, T>(p: *const T, what: &str) -> Result<&'a T, Fail> {
    // SAFETY: upheld by the caller.
    unsafe { p.as_ref() }.ok_or_else(|| Fail::null(what))
}

/// A required string argument: NULL gives `GHPKG_NULL_ARGUMENT`, invalid
/// UTF-8 gives `GHPKG_INVALID_UTF8`.
///
/// # Safety
/// A non-NULL `p` must point to a NUL-terminated string.
pub(crate) unsafe fn text<'a>(p: *const c_char, what: &str) -> Result<&'a str, Fail> {
    // SAFETY: upheld by the caller.
    unsafe { opt_text(p, what) }?.ok_or_else(|| Fail::null(what))
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// A non-NULL `p` must point to a NUL-terminated string.
pub(crate) unsafe fn opt_text<'a>(p: *const c_char, what: &str) -> Result<Option<&'a str>, Fail> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: upheld by the caller.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    std::str::from_utf8(bytes)
        .map(Some)
        .map_err(|e| Fail::utf8(what, e))
}

/// A C string of a value GitHub sent; a NUL byte inside is a `Decode` failure.
pub(crate) fn cstring(s: &str, field: &str) -> Result<CString, Fail> {
    CString::new(s).map_err(|_| Fail::nul_byte(field))
}

/// A C string for messages, where a NUL byte is replaced rather than refused.
pub(crate) fn cstring_lossy(s: &str) -> CString {
    CString::new(s.replace('\0', "\u{fffd}")).unwrap_or_default()
}

/// The pointer of an optional C string, or NULL.
pub(crate) fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ghpkg_error_free, ghpkg_error_message, ghpkg_error_status};
    use crate::status::{GHPKG_NULL_ARGUMENT, GHPKG_PANIC};
    use std::ptr;

    #[test]
    fn a_panic_becomes_a_status_and_leaves_the_out_param_alone() {
        let mut out: u32 = 7;
        let mut err: *mut ghpkg_error = ptr::null_mut();
        let status = call(&mut out, &mut err, || -> Result<u32, Fail> {
            panic!("boom");
        });
        assert_eq!(status, GHPKG_PANIC);
        assert_eq!(out, 7);
        assert_eq!(ghpkg_error_status(err), GHPKG_PANIC);
        let msg = unsafe { CStr::from_ptr(ghpkg_error_message(err)) };
        assert!(msg.to_str().unwrap().contains("boom"), "{msg:?}");
        ghpkg_error_free(err);
        // Without an error out-param the status alone tells.
        let status = call_unit(ptr::null_mut(), || panic!("{}", String::from("owned")));
        assert_eq!(status, GHPKG_PANIC);
    }

    #[test]
    fn out_params_are_written_only_on_success() {
        let mut out: u32 = 7;
        let mut err: *mut ghpkg_error = ptr::null_mut();
        assert_eq!(call(&mut out, &mut err, || Err(Fail::invalid("no"))), 1);
        assert_eq!(out, 7);
        ghpkg_error_free(err);
        err = ptr::null_mut();
        assert_eq!(call(&mut out, &mut err, || Ok(9)), GHPKG_OK);
        assert_eq!(out, 9);
        assert!(err.is_null());
        let ran = std::cell::Cell::new(false);
        let status = call(ptr::null_mut::<u32>(), &mut err, || {
            ran.set(true);
            Ok(1)
        });
        assert_eq!(status, GHPKG_NULL_ARGUMENT);
        assert!(!ran.get(), "nothing runs when the out-param is NULL");
        ghpkg_error_free(err);
    }

    #[test]
    fn strings_are_checked() {
        let bad = c"a\xffb";
        assert_eq!(
            unsafe { text(bad.as_ptr(), "name") }
                .err()
                .map(|f| f.status()),
            Some(crate::status::GHPKG_INVALID_UTF8)
        );
        assert!(unsafe { opt_text(ptr::null(), "x") }.unwrap().is_none());
        assert_eq!(cstring_lossy("a\0b").to_str().unwrap(), "a\u{fffd}b");
        assert!(cstring("a\0b", "name").is_err());
    }
}
