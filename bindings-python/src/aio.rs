//! `ghpkg._native.AsyncCore`, the engine of `ghpkg.AsyncClient`: the same
//! operations as `ghpkg.Client`, each returning an asyncio future that runs
//! on the shared runtime. Cancelling the future drops the request.
//! `ghpkg.AsyncClient` (Python) wraps these in coroutine methods.

use std::future::Future;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::text;
use crate::core::{Core, Options};
use crate::errors::Reply;
use crate::listing::{AsyncPackageIterator, AsyncVersionIterator};
use crate::models::PyRateLimit;
use crate::ops::{self, Who};
use crate::runtime::awaitable;

/// An asyncio future for a core call; it resolves to the value or raises
/// the matching exception.
fn run<'py, T>(
    py: Python<'py>,
    fut: impl Future<Output = ghpkg::Result<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    awaitable(py, async move { Reply(fut.await) })
}

/// The native half of `ghpkg.AsyncClient`.
#[pyclass(module = "ghpkg._native", name = "AsyncCore", frozen)]
pub(crate) struct AsyncCore {
    core: Core,
}

#[pymethods]
impl AsyncCore {
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
        Ok(AsyncCore {
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
    ) -> PyResult<AsyncPackageIterator> {
        let who = Who { org, user };
        ops::list_packages(&self.core, py, package_type, who, visibility)
            .map(AsyncPackageIterator::new)
    }

    #[pyo3(signature = (package_type, name, *, org=None, user=None))]
    fn get_package<'py>(
        &self,
        py: Python<'py>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fut = ops::get_package(&self.core, py, package_type, name, Who { org, user })?;
        run(py, fut)
    }

    #[pyo3(signature = (package_type, name, *, org=None, user=None))]
    fn delete_package<'py>(
        &self,
        py: Python<'py>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fut = ops::delete_package(&self.core, py, package_type, name, Who { org, user })?;
        run(py, fut)
    }

    #[pyo3(signature = (package_type, name, *, org=None, user=None, token=None))]
    fn restore_package<'py>(
        &self,
        py: Python<'py>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
        token: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
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
    ) -> PyResult<AsyncVersionIterator> {
        let who = Who { org, user };
        ops::list_versions(&self.core, py, package_type, name, who, state)
            .map(AsyncVersionIterator::new)
    }

    #[pyo3(signature = (package_type, name, version_id, *, org=None, user=None))]
    fn get_version<'py>(
        &self,
        py: Python<'py>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        version_id: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let who = Who { org, user };
        let fut = ops::get_version(&self.core, py, package_type, name, version_id, who)?;
        run(py, fut)
    }

    #[pyo3(signature = (package_type, name, version_id, *, org=None, user=None))]
    fn delete_version<'py>(
        &self,
        py: Python<'py>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        version_id: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let who = Who { org, user };
        let fut = ops::delete_version(&self.core, py, package_type, name, version_id, who)?;
        run(py, fut)
    }

    #[pyo3(signature = (package_type, name, version_id, *, org=None, user=None))]
    fn restore_version<'py>(
        &self,
        py: Python<'py>,
        package_type: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        version_id: &Bound<'_, PyAny>,
        org: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
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
    ) -> PyResult<AsyncPackageIterator> {
        ops::docker_conflicts(&self.core, py, Who { org, user }).map(AsyncPackageIterator::new)
    }

    fn scopes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let fut = ops::scopes(&self.core, py)?;
        run(py, fut)
    }

    #[pyo3(signature = (resource, params=None, /, **kwargs))]
    fn select<'py>(
        &self,
        py: Python<'py>,
        resource: &Bound<'_, PyAny>,
        params: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = ops::catalog_args(&self.core, py, resource, params, kwargs)?;
        run(py, ops::select(args))
    }

    #[pyo3(signature = (resource, params=None, /, **kwargs))]
    fn delete<'py>(
        &self,
        py: Python<'py>,
        resource: &Bound<'_, PyAny>,
        params: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = ops::catalog_args(&self.core, py, resource, params, kwargs)?;
        run(py, ops::delete(args))
    }

    #[pyo3(signature = (resource, method, params=None, /, **kwargs))]
    fn exec<'py>(
        &self,
        py: Python<'py>,
        resource: &Bound<'_, PyAny>,
        method: &Bound<'_, PyAny>,
        params: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
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

    fn __repr__(&self) -> String {
        self.core.repr("AsyncClient")
    }
}
