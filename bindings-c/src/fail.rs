//! `Fail`: why an export failed, before it becomes a `ghpkg_status` and,
//! when asked for, a `ghpkg_error`.

use ghpkg::{Error, ErrorKind};

use crate::status::{
    ghpkg_status, status_of, GHPKG_INVALID_UTF8, GHPKG_NULL_ARGUMENT, GHPKG_PANIC,
};

/// Why an export failed: a core error, or one of the ABI's own statuses.
#[derive(Debug)]
pub(crate) enum Fail {
    /// An error of the core, reported with its kind's status.
    Core(Error),
    /// A failure only the C ABI has (a NULL pointer, invalid UTF-8, a panic,
    /// the runtime), with its own status.
    Abi {
        status: ghpkg_status,
        message: String,
    },
}

impl Fail {
    pub(crate) fn abi(status: ghpkg_status, message: impl Into<String>) -> Fail {
        Fail::Abi {
            status,
            message: message.into(),
        }
    }

    /// A NULL pointer where one is required; `what` names the argument.
    pub(crate) fn null(what: &str) -> Fail {
        Fail::abi(GHPKG_NULL_ARGUMENT, format!("{what} must not be NULL"))
    }

    pub(crate) fn utf8(what: &str, err: std::str::Utf8Error) -> Fail {
        Fail::abi(
            GHPKG_INVALID_UTF8,
            format!(
                "{what} is not valid UTF-8 (bad byte at offset {})",
                err.valid_up_to()
            ),
        )
    }

    /// An `InvalidArgument` error, reported like the core's own.
    pub(crate) fn invalid(message: impl Into<String>) -> Fail {
        Fail::Core(Error::new(ErrorKind::InvalidArgument, message))
    }

    /// A string GitHub sent that a C string cannot carry.
    pub(crate) fn nul_byte(field: &str) -> Fail {
        Fail::Core(Error::new(
            ErrorKind::Decode,
            format!(
                "{field} contains a NUL byte, which a C string cannot carry; \
                 the JSON accessor has the whole object"
            ),
        ))
    }

    pub(crate) fn panic(payload: &(dyn std::any::Any + Send)) -> Fail {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Fail::abi(
            GHPKG_PANIC,
            format!("ghpkg panicked: {what} (a bug in ghpkg; please report it)"),
        )
    }

    pub(crate) fn status(&self) -> ghpkg_status {
        match self {
            Fail::Core(e) => status_of(e.kind()),
            Fail::Abi { status, .. } => *status,
        }
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Core(e)
    }
}
