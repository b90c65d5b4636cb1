//! `ghpkg._native.AsyncCore`, the engine of `ghpkg.AsyncClient`: the same
//! operations as `ghpkg.Client`, each returning an asyncio future that runs
//! on the shared runtime. Cancelling the future drops the request.
//! `ghpkg.AsyncClient` (Python) wraps these in coroutine methods.

use std::future::Future;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::Reply;
use crate::handle::ClientHandle;
use crate::listing::{AsyncPackageListing, AsyncVersionListing};
use crate::ops::{client_methods, Mode};
use crate::runtime::awaitable;

/// The native half of `ghpkg.AsyncClient`.
#[pyclass(module = "ghpkg._native", name = "AsyncCore", frozen)]
pub(crate) struct AsyncCore {
    pub(crate) handle: ClientHandle,
}

/// An asyncio future for a core call; it resolves to the value or raises
/// the matching exception.
impl Mode for AsyncCore {
    type Out<'py, T>
        = Bound<'py, PyAny>
    where
        T: 'py;

    fn run<'py, T>(
        py: Python<'py>,
        fut: impl Future<Output = ghpkg::Result<T>> + Send + 'static,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        T: for<'a> IntoPyObject<'a> + Send + 'static,
    {
        awaitable(py, async move { Reply(fut.await) })
    }
}

client_methods!(
    AsyncCore,
    repr = "AsyncClient",
    packages = AsyncPackageListing,
    versions = AsyncVersionListing,
    {}
);
