//! `ghpkg_error`: the details of a failed call.

use std::ffi::{c_char, CString};
use std::ptr;

use crate::convert::{cstring_lossy, free_box, infallible, opt_ptr, read};
use crate::fail::Fail;
use crate::status::{ghpkg_status, GHPKG_NULL_ARGUMENT};

/// A snapshot of GitHub's `x-ratelimit-*` headers.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ghpkg_rate_limit {
    /// Requests allowed in the window (`x-ratelimit-limit`).
    pub limit: u64,
    /// Requests left in the window (`x-ratelimit-remaining`).
    pub remaining: u64,
    /// Requests spent in the window (`x-ratelimit-used`).
    pub used: u64,
    /// When the window resets, in seconds since the Unix epoch.
    pub reset: i64,
}

impl From<&ghpkg::RateLimit> for ghpkg_rate_limit {
    fn from(r: &ghpkg::RateLimit) -> Self {
        ghpkg_rate_limit {
            limit: r.limit,
            remaining: r.remaining,
            used: r.used,
            reset: r.reset.timestamp(),
        }
    }
}

/// The details of a failed call. Created by the library only when a call
/// fails and the caller passed a non-NULL `ghpkg_error **`; freed with
/// `ghpkg_error_free`. Immutable, so it may be read from any thread.
pub struct ghpkg_error {
    status: ghpkg_status,
    message: CString,
    description: CString,
    http_status: u16,
    documentation_url: Option<CString>,
    request_id: Option<CString>,
    hint: Option<CString>,
    retry_after_ms: Option<u64>,
    rate_limit: Option<ghpkg_rate_limit>,
}

impl ghpkg_error {
    pub(crate) fn new(fail: Fail) -> ghpkg_error {
        let status = fail.status();
        match fail {
            Fail::Core(e) => ghpkg_error {
                status,
                message: cstring_lossy(e.message()),
                description: cstring_lossy(&e.to_string()),
                http_status: e.status().unwrap_or(0),
                documentation_url: e.documentation_url().map(cstring_lossy),
                request_id: e.request_id().map(cstring_lossy),
                hint: e.hint().map(cstring_lossy),
                retry_after_ms: e
                    .retry_after()
                    .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                rate_limit: e.rate_limit().map(ghpkg_rate_limit::from),
            },
            Fail::Abi { message, .. } => {
                let code = crate::status::ghpkg_status_code(status);
                // SAFETY: ghpkg_status_code returns a static NUL-terminated string.
                let code = unsafe { std::ffi::CStr::from_ptr(code) }.to_string_lossy();
                ghpkg_error {
                    status,
                    description: cstring_lossy(&format!("{code}: {message}")),
                    message: cstring_lossy(&message),
                    http_status: 0,
                    documentation_url: None,
                    request_id: None,
                    hint: None,
                    retry_after_ms: None,
                    rate_limit: None,
                }
            }
        }
    }
}

/// The status of the failed call (never `GHPKG_OK`); `GHPKG_NULL_ARGUMENT`
/// when `err` is NULL.
#[no_mangle]
pub extern "C" fn ghpkg_error_status(err: *const ghpkg_error) -> ghpkg_status {
    read(err, GHPKG_NULL_ARGUMENT, |e| e.status)
}

/// GitHub's message, or ghpkg's own description for local failures. Never
/// NULL for a non-NULL `err`; valid until `err` is freed.
#[no_mangle]
pub extern "C" fn ghpkg_error_message(err: *const ghpkg_error) -> *const c_char {
    read(err, ptr::null(), |e| e.message.as_ptr())
}

/// A one-line description with everything known: kind, HTTP status,
/// message, hint, retry delay and request id. Never NULL for a non-NULL
/// `err`; valid until `err` is freed. Contains no credentials.
#[no_mangle]
pub extern "C" fn ghpkg_error_describe(err: *const ghpkg_error) -> *const c_char {
    read(err, ptr::null(), |e| e.description.as_ptr())
}

/// The HTTP status of the failed response, or 0 when none was received.
#[no_mangle]
pub extern "C" fn ghpkg_error_http_status(err: *const ghpkg_error) -> u16 {
    read(err, 0, |e| e.http_status)
}

/// GitHub's `documentation_url`, or NULL. Valid until `err` is freed.
#[no_mangle]
pub extern "C" fn ghpkg_error_documentation_url(err: *const ghpkg_error) -> *const c_char {
    read(err, ptr::null(), |e| opt_ptr(&e.documentation_url))
}

/// The `x-github-request-id` of the failed response (for GitHub support),
/// or NULL. Valid until `err` is freed.
#[no_mangle]
pub extern "C" fn ghpkg_error_request_id(err: *const ghpkg_error) -> *const c_char {
    read(err, ptr::null(), |e| opt_ptr(&e.request_id))
}

/// An explanation ghpkg adds when it recognises the cause (a token kind
/// GitHub refuses, a missing scope, SAML SSO), or NULL. Valid until `err`
/// is freed.
#[no_mangle]
pub extern "C" fn ghpkg_error_hint(err: *const ghpkg_error) -> *const c_char {
    read(err, ptr::null(), |e| opt_ptr(&e.hint))
}

/// How long to wait before retrying, in milliseconds, when GitHub said so
/// (`retry-after`) or a rate-limit reset tells; -1 when unknown.
#[no_mangle]
pub extern "C" fn ghpkg_error_retry_after_ms(err: *const ghpkg_error) -> i64 {
    read(err, -1, |e| {
        e.retry_after_ms
            .map_or(-1, |ms| i64::try_from(ms).unwrap_or(i64::MAX))
    })
}

/// Copies the rate-limit headers of the failed response to `*out` and
/// returns true; returns false (and leaves `*out` alone) when the response
/// had none or an argument is NULL.
#[no_mangle]
pub extern "C" fn ghpkg_error_rate_limit(
    err: *const ghpkg_error,
    out: *mut ghpkg_rate_limit,
) -> bool {
    infallible(false, || {
        // SAFETY: a non-NULL `err` comes from this library and a non-NULL
        // `out` is writable (the C contract).
        match (unsafe { err.as_ref() }.and_then(|e| e.rate_limit), unsafe {
            out.as_mut()
        }) {
            (Some(rl), Some(out)) => {
                *out = rl;
                true
            }
            _ => false,
        }
    })
}

/// Frees an error. NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_error_free(err: *mut ghpkg_error) {
    free_box(err);
}
