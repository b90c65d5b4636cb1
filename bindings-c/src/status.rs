//! `ghpkg_status`: the fixed numbers every fallible export returns.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use ghpkg::ErrorKind;

/// The result of every fallible call: `GHPKG_OK` (0), one of the core's
/// error kinds (1-11, the "number" column of the README's error table), or
/// one of the ABI's own statuses (100 and up). The numbers never change.
pub type ghpkg_status = u32;

/// Success.
pub const GHPKG_OK: ghpkg_status = 0;
/// Bad input (empty or unsafe name, unknown enum value, bad option, bad
/// JSON), caught before any request.
pub const GHPKG_INVALID_ARGUMENT: ghpkg_status = 1;
/// 401: missing or bad credentials.
pub const GHPKG_AUTHENTICATION: ghpkg_status = 2;
/// 403: missing scope, not an org admin, or a token kind GitHub refuses.
pub const GHPKG_PERMISSION_DENIED: ghpkg_status = 3;
/// 404, also for private packages the token cannot see.
pub const GHPKG_NOT_FOUND: ghpkg_status = 4;
/// 400/409/422: GitHub refused by one of its rules (last version, over
/// 5,000 downloads, reused name, paging limit).
pub const GHPKG_REJECTED: ghpkg_status = 5;
/// A primary or secondary rate limit that was not waited out.
pub const GHPKG_RATE_LIMITED: ghpkg_status = 6;
/// 5xx after the retries were spent.
pub const GHPKG_SERVER: ghpkg_status = 7;
/// The connect or request timeout elapsed.
pub const GHPKG_TIMEOUT: ghpkg_status = 8;
/// The connection failed or dropped, a body was cut off, a bad redirect.
pub const GHPKG_TRANSPORT: ghpkg_status = 9;
/// The response could not be understood (malformed JSON or `link` header, a
/// looping `next` link), or holds a string with a NUL byte, which C strings
/// cannot carry.
pub const GHPKG_DECODE: ghpkg_status = 10;
/// A call on a closed client (the Go binding's `Close()`); nothing was sent.
pub const GHPKG_CLOSED: ghpkg_status = 11;
/// A required pointer argument was NULL.
pub const GHPKG_NULL_ARGUMENT: ghpkg_status = 100;
/// A string argument was not valid UTF-8.
pub const GHPKG_INVALID_UTF8: ghpkg_status = 101;
/// ghpkg panicked (a bug); the call had no effect on its out-params.
pub const GHPKG_PANIC: ghpkg_status = 102;
/// A blocking call was made from inside an async runtime, or the shared
/// runtime could not be started.
pub const GHPKG_RUNTIME: ghpkg_status = 103;
/// A `ghpkg_call` was cancelled (`ghpkg_call_cancel`, `ghpkg_call_free`)
/// before it completed.
pub const GHPKG_CANCELLED: ghpkg_status = 104;
/// A `ghpkg_call`'s outcome was asked for before the call completed.
pub const GHPKG_PENDING: ghpkg_status = 105;

/// The status of a core error kind. Exhaustive on purpose: a new kind in the
/// core breaks this build instead of surfacing as an unknown status.
pub(crate) const fn status_of(kind: ErrorKind) -> ghpkg_status {
    match kind {
        ErrorKind::InvalidArgument => GHPKG_INVALID_ARGUMENT,
        ErrorKind::Authentication => GHPKG_AUTHENTICATION,
        ErrorKind::PermissionDenied => GHPKG_PERMISSION_DENIED,
        ErrorKind::NotFound => GHPKG_NOT_FOUND,
        ErrorKind::Rejected => GHPKG_REJECTED,
        ErrorKind::RateLimited => GHPKG_RATE_LIMITED,
        ErrorKind::Server => GHPKG_SERVER,
        ErrorKind::Timeout => GHPKG_TIMEOUT,
        ErrorKind::Transport => GHPKG_TRANSPORT,
        ErrorKind::Decode => GHPKG_DECODE,
        ErrorKind::Closed => GHPKG_CLOSED,
    }
}

/// The ABI's own statuses, with their code and description.
const OWN: [(ghpkg_status, &str, &str); 7] = [
    (GHPKG_OK, "OK", "success"),
    (
        GHPKG_NULL_ARGUMENT,
        "NULL_ARGUMENT",
        "a required pointer argument is NULL",
    ),
    (
        GHPKG_INVALID_UTF8,
        "INVALID_UTF8",
        "a string argument is not valid UTF-8",
    ),
    (GHPKG_PANIC, "PANIC", "ghpkg panicked (a bug)"),
    (
        GHPKG_RUNTIME,
        "RUNTIME",
        "called from inside an async runtime, or the runtime could not start",
    ),
    (
        GHPKG_CANCELLED,
        "CANCELLED",
        "the call was cancelled before it completed",
    ),
    (GHPKG_PENDING, "PENDING", "the call has not completed yet"),
];

struct Entry {
    status: ghpkg_status,
    code: CString,
    description: CString,
}

/// Every status with its code and description, built once from the core's
/// `ErrorKind::ALL` table plus the ABI's own statuses.
fn table() -> &'static [Entry] {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let kinds = ErrorKind::ALL
            .iter()
            .map(|k| (status_of(*k), k.code(), k.describe()));
        OWN.iter()
            .copied()
            .chain(kinds)
            .map(|(status, code, description)| Entry {
                status,
                code: CString::new(code).unwrap_or_default(),
                description: CString::new(description).unwrap_or_default(),
            })
            .collect()
    })
}

fn entry(status: ghpkg_status) -> Option<&'static Entry> {
    table().iter().find(|e| e.status == status)
}

/// The stable code of a status: "OK", the core's code for error kinds
/// ("NOT_FOUND", "AUTHENTICATION", ...), "NULL_ARGUMENT", "INVALID_UTF8",
/// "PANIC", "RUNTIME", or "UNKNOWN" for a number that is not a status.
/// A static string; never NULL.
#[no_mangle]
pub extern "C" fn ghpkg_status_code(status: ghpkg_status) -> *const c_char {
    std::panic::catch_unwind(|| entry(status).map(|e| e.code.as_ptr()))
        .ok()
        .flatten()
        .unwrap_or(c"UNKNOWN".as_ptr())
}

/// Whether trying the same call again later may succeed: true for the
/// core's retryable kinds (`GHPKG_RATE_LIMITED`, `GHPKG_SERVER`,
/// `GHPKG_TIMEOUT`, `GHPKG_TRANSPORT`), false for everything else.
#[no_mangle]
pub extern "C" fn ghpkg_status_is_retryable(status: ghpkg_status) -> bool {
    ErrorKind::ALL
        .iter()
        .any(|k| status_of(*k) == status && k.is_retryable())
}

/// A short English description of a status ("not found", ...), or
/// "unknown status". A static string; never NULL.
#[no_mangle]
pub extern "C" fn ghpkg_status_describe(status: ghpkg_status) -> *const c_char {
    std::panic::catch_unwind(|| entry(status).map(|e| e.description.as_ptr()))
        .ok()
        .flatten()
        .unwrap_or(c"unknown status".as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn code(s: ghpkg_status) -> &'static str {
        unsafe { CStr::from_ptr(ghpkg_status_code(s)) }
            .to_str()
            .unwrap()
    }

    #[test]
    fn every_kind_has_its_core_number_and_code() {
        for kind in ErrorKind::ALL {
            assert_eq!(status_of(kind), kind.number(), "{kind:?}");
            assert_eq!(code(status_of(kind)), kind.code());
        }
        let consts = [
            GHPKG_INVALID_ARGUMENT,
            GHPKG_AUTHENTICATION,
            GHPKG_PERMISSION_DENIED,
            GHPKG_NOT_FOUND,
            GHPKG_REJECTED,
            GHPKG_RATE_LIMITED,
            GHPKG_SERVER,
            GHPKG_TIMEOUT,
            GHPKG_TRANSPORT,
            GHPKG_DECODE,
            GHPKG_CLOSED,
        ];
        let numbers: Vec<u32> = ErrorKind::ALL.iter().map(|k| k.number()).collect();
        assert_eq!(consts.to_vec(), numbers);
    }

    #[test]
    fn own_statuses_do_not_collide_with_kinds() {
        for (status, c, _) in OWN {
            assert!(ErrorKind::ALL.iter().all(|k| k.number() != status));
            assert_eq!(code(status), c);
        }
        assert_eq!(code(999), "UNKNOWN");
        for kind in ErrorKind::ALL {
            assert_eq!(
                ghpkg_status_is_retryable(status_of(kind)),
                kind.is_retryable()
            );
        }
        assert!(!ghpkg_status_is_retryable(GHPKG_OK));
        assert!(!ghpkg_status_is_retryable(GHPKG_PANIC));
        assert_eq!(table().len(), OWN.len() + ErrorKind::ALL.len());
    }
}
