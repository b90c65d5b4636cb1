//! `ghpkg.Client`: the blocking client. Every call converts its arguments,
//! then waits on the shared runtime with the GIL released, so other Python
//! threads run meanwhile; Ctrl-C interrupts the wait.

use std::future::Future;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{text, Rows};
use crate::core::{Core, Options};
use crate::errors::to_pyerr;
use crate::listing::{PackageIterator, VersionIterator};
use crate::models::{PyPackage, PyPackageVersion, PyRateLimit, PyTokenScopes};
use crate::ops::{self, Who};
use crate::runtime::block_on;

/// Waits for a core call and raises its error as the matching exception.
fn run<T: Send>(py: Python<'_>, fut: impl Future<Output = ghpkg::Result<T>> + Send) -> PyResult<T> {
    block_on(py, fut)?.map_err(|e| to_pyerr(py, e))
}

/// A blocking GitHub Packages client; safe to share between threads.
#[pyclass(module = "ghpkg", name = "Client", frozen)]
pub(crate) struct Client {
    core: Core,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (
        token=None, *, username=None, base_url=None, user_agent=None, timeout=None,
        connect_timeout=None, max_retries=None, retry_backoff=None, max_rate_limit_wait=None,
        read_ahead=None, per_page=None, allow_insecure_http=false, anonymous=false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        token: Option<&Bound<'_, PyAny>>,
        username: Option<&Bound<'_, PyAny>>,
        base_url: Option<&Bound<'_, PyAny>>,
        user_agent: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        connect_timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        retry_backoff: Option<&Bound<'_, PyAny>>,
        max_rate_limit_wait: Option<&Bound<'_, PyAny>>,
        read_ahead: Option<&Bound<'_, PyAny>>,
        per_page: Option<&Bound<'_, PyAny>>,
        allow_insecure_http: bool,
        anonymous: bool,
    ) -> PyResult<Self> {
        let options = Options {
            token,
            username,
            base_url,
            user_agent,
            timeout,
            connect_timeout,
            max_retries,
            retry_backoff,
            max_rate_limit_wait,
            read_ahead,
            per_page,
            allow_insecure_http,
            anonymous,
        };
        Ok(Client {
            core: Core::new(py, &options)?,
        })
    }

    #[pyo3(signature = (package_type, *, org=None, user=None, visibility=None))]
    fn list_packages(
        &self,
        py: Python<'_>,
        package_type: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
        visibility: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PackageIterator> {
        let who = Who { org, user };
        ops::list_packages(&self.core, py, package_type, who, visibility).map(PackageIterator::new)
    }

    #[pyo3(signature = (package_type, name, *, org=None, user=None))]
    fn get_package(
        &self,
        py: Python<'_>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPackage> {
        let fut = ops::get_package(&self.core, py, package_type, name, Who { org, user })?;
        run(py, fut)
    }

    #[pyo3(signature = (package_type, name, *, org=None, user=None))]
    fn delete_package(
        &self,
        py: Python<'_>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let fut = ops::delete_package(&self.core, py, package_type, name, Who { org, user })?;
        run(py, fut)
    }

    #[pyo3(signature = (package_type, name, *, org=None, user=None, token=None))]
    fn restore_package(
        &self,
        py: Python<'_>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
        token: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let who = Who { org, user };
        let fut = ops::restore_package(&self.core, py, package_type, name, who, token)?;
        run(py, fut)
    }

    #[pyo3(signature = (package_type, name, *, org=None, user=None, state=None))]
    fn list_versions(
        &self,
        py: Python<'_>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
        state: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<VersionIterator> {
        let who = Who { org, user };
        ops::list_versions(&self.core, py, package_type, name, who, state).map(VersionIterator::new)
    }

    #[pyo3(signature = (package_type, name, version_id, *, org=None, user=None))]
    fn get_version(
        &self,
        py: Python<'_>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        version_id: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPackageVersion> {
        let who = Who { org, user };
        let fut = ops::get_version(&self.core, py, package_type, name, version_id, who)?;
        run(py, fut)
    }

    #[pyo3(signature = (package_type, name, version_id, *, org=None, user=None))]
    fn delete_version(
        &self,
        py: Python<'_>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        version_id: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let who = Who { org, user };
        let fut = ops::delete_version(&self.core, py, package_type, name, version_id, who)?;
        run(py, fut)
    }

    #[pyo3(signature = (package_type, name, version_id, *, org=None, user=None))]
    fn restore_version(
        &self,
        py: Python<'_>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        version_id: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let who = Who { org, user };
        let fut = ops::restore_version(&self.core, py, package_type, name, version_id, who)?;
        run(py, fut)
    }

    #[pyo3(signature = (*, org=None, user=None))]
    fn docker_conflicts(
        &self,
        py: Python<'_>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PackageIterator> {
        ops::docker_conflicts(&self.core, py, Who { org, user }).map(PackageIterator::new)
    }

    fn scopes(&self, py: Python<'_>) -> PyResult<PyTokenScopes> {
        let fut = ops::scopes(&self.core, py)?;
        run(py, fut)
    }

    #[pyo3(signature = (resource, params=None, /, **kwargs))]
    fn select(
        &self,
        py: Python<'_>,
        resource: &Bound<'_, PyAny>,
        params: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Rows> {
        let args = ops::catalog_args(&self.core, py, resource, params, kwargs)?;
        run(py, ops::select(args))
    }

    #[pyo3(signature = (resource, params=None, /, **kwargs))]
    fn delete(
        &self,
        py: Python<'_>,
        resource: &Bound<'_, PyAny>,
        params: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let args = ops::catalog_args(&self.core, py, resource, params, kwargs)?;
        run(py, ops::delete(args))
    }

    #[pyo3(signature = (resource, method, params=None, /, **kwargs))]
    fn exec(
        &self,
        py: Python<'_>,
        resource: &Bound<'_, PyAny>,
        method: &Bound<'_, PyAny>,
        params: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Rows> {
        let method = text("method", method)?;
        let args = ops::catalog_args(&self.core, py, resource, params, kwargs)?;
        run(py, ops::exec(args, method))
    }

    #[getter]
    fn base_url(&self) -> Option<String> {
        self.core.base_url()
    }

    #[getter]
    fn token_kind(&self) -> Option<&'static str> {
        self.core.token_kind()
    }

    #[getter]
    fn rate_limit(&self) -> Option<PyRateLimit> {
        self.core.rate_limit()
    }

    #[getter]
    fn closed(&self) -> bool {
        self.core.is_closed()
    }

    fn close(&self) {
        self.core.close();
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
        self.core.close();
        false
    }

    fn __repr__(&self) -> String {
        self.core.repr("Client")
    }
}
