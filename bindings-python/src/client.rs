//! `ghpkg.Client`: the blocking client. Every call converts its arguments,
//! then waits on the shared runtime with the GIL released, so other Python
//! threads run meanwhile; Ctrl-C interrupts the wait.

use std::future::Future;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::to_pyerr;
use crate::handle::ClientHandle;
use crate::listing::{PackageListing, VersionListing};
use crate::ops::{client_methods, Mode};
use crate::runtime::block_on;

/// A blocking GitHub Packages client; safe to share between threads.
#[pyclass(module = "ghpkg", name = "Client", frozen)]
pub(crate) struct Client {
    pub(crate) handle: ClientHandle,
}

/// Waits for a core call and raises its error as the matching exception.
impl Mode for Client {
    type Out<'py, T>
        = T
    where
        T: 'py;

    fn run<'py, T>(
        py: Python<'py>,
        fut: impl Future<Output = ghpkg::Result<T>> + Send + 'static,
    ) -> PyResult<T>
    where
        T: for<'a> IntoPyObject<'a> + Send + 'static,
    {
        block_on(py, fut)?.map_err(|e| to_pyerr(py, e))
    }
}

client_methods!(
    Client,
    repr = "Client",
    packages = PackageListing,
    versions = VersionListing,
    {
        /// Retention: plan a policy, apply a reviewed plan, undo a run
        /// (``ghpkg.retention.Retention``).
        #[getter]
        fn retention<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
            slf.py()
                .import("ghpkg.retention")?
                .getattr("Retention")?
                .call1((slf,))
        }

        fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
            slf
        }

        fn __exit__(
            &self,
            _exc_type: &Bound<'_, PyAny>,
            _exc: &Bound<'_, PyAny>,
            _tb: &Bound<'_, PyAny>,
        ) -> bool {
            self.handle.close();
            false
        }
    }
);
