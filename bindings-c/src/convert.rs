//! Argument checks and handle helpers every export uses: C strings in and
//! out, borrowed and freed handles, and reads that cannot fail.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::fail::Fail;

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
    use std::ptr;

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
