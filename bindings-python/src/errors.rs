//! The one table from the core's error kinds to the exception classes of
//! `ghpkg.exceptions`, and the conversion of core errors into them.
//!
//! The match in [`class_name`] has no catch-all arm: a new `ErrorKind` in the
//! core fails this crate's build until it has a Python class.

use ghpkg::ErrorKind;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::IntoPyObjectExt;

/// The class in `ghpkg.exceptions` raised for each kind.
pub(crate) const fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidArgument => "InvalidArgumentError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::PermissionDenied => "PermissionDeniedError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::Rejected => "RejectedError",
        ErrorKind::RateLimited => "RateLimitError",
        ErrorKind::Server => "ServerError",
        ErrorKind::Timeout => "TimeoutError",
        ErrorKind::Transport => "TransportError",
        ErrorKind::Decode => "DecodeError",
        ErrorKind::Closed => "ClientClosedError",
    }
}

/// `[(class name, code, number, retryable), ...]` for every kind, in the
/// core's order; `ghpkg.exceptions` sets each class's `code`, `number` and
/// `retryable` from it, and the test suite checks the classes exist.
#[pyfunction]
pub(crate) fn error_table() -> Vec<(&'static str, &'static str, u32, bool)> {
    ErrorKind::ALL
        .iter()
        .map(|k| (class_name(*k), k.code(), k.number(), k.is_retryable()))
        .collect()
}

/// The Python exception for a core error, with every field the core has.
pub(crate) fn to_pyerr(py: Python<'_>, err: ghpkg::Error) -> PyErr {
    match build(py, &err) {
        Ok(e) => e,
        // Only if ghpkg.exceptions itself is broken: still say what failed.
        Err(e) => e,
    }
}

fn build(py: Python<'_>, err: &ghpkg::Error) -> PyResult<PyErr> {
    let module = py.import("ghpkg.exceptions")?;
    let class = module.getattr(class_name(err.kind()))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("message", err.message())?;
    kwargs.set_item("status", err.status())?;
    kwargs.set_item("documentation_url", err.documentation_url())?;
    kwargs.set_item("request_id", err.request_id())?;
    kwargs.set_item("hint", err.hint())?;
    if err.kind() == ErrorKind::RateLimited {
        kwargs.set_item("reset_at", err.rate_limit().map(|r| r.reset))?;
        kwargs.set_item("retry_after", err.retry_after().map(|d| d.as_secs_f64()))?;
    }
    let exc = class.call((err.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exc))
}

/// An `InvalidArgumentError` raised by the binding itself (a value of the
/// right type that cannot be used).
pub(crate) fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_pyerr(py, ghpkg::Error::new(ErrorKind::InvalidArgument, message))
}

/// A `TypeError` naming what was expected and what was given.
pub(crate) fn wrong_type(what: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let got = got
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned());
    PyTypeError::new_err(format!("{what} must be {expected}, not {got}"))
}

/// The result of a core call, converted to Python when the GIL is held:
/// the value, or the matching `ghpkg` exception. Async calls resolve to it
/// so that exceptions are built under the GIL, not on a runtime thread.
pub(crate) struct Reply<T>(pub ghpkg::Result<T>);

impl<'py, T> IntoPyObject<'py> for Reply<T>
where
    T: IntoPyObject<'py>,
{
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Ok(v) => v.into_bound_py_any(py),
            Err(e) => Err(to_pyerr(py, e)),
        }
    }
}
