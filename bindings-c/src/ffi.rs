//! The panic boundary every fallible export goes through: it runs the
//! export, writes the out-param on success, and turns a failure or a panic
//! into a status and, when asked for, a `ghpkg_error`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::ghpkg_error;
use crate::fail::Fail;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ghpkg_error_free, ghpkg_error_message, ghpkg_error_status};
    use crate::status::{GHPKG_NULL_ARGUMENT, GHPKG_PANIC};
    use std::ffi::CStr;
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
}
