//! Every operation of `ghpkg.Client` and of `AsyncCore` (the engine of
//! `ghpkg.AsyncClient`), written once. [`client_methods!`] gives both
//! classes the same Python signatures, the same argument conversion and the
//! same core calls; each class's [`Mode`] decides how the caller waits for
//! the core: blocking with the GIL released, or through an asyncio future.
//!
//! Arguments are converted in the order of the signature, so the first bad
//! argument is the one reported, and before the core client is fetched.

use std::future::Future;

use ghpkg::catalog::Params;
use ghpkg::{Owner, PackageType};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{self, package_type, version_id};
use crate::core::Core;

type Any<'a, 'py> = &'a Bound<'py, PyAny>;
type Opt<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

/// How a client hands the result of a core call to Python.
pub(crate) trait Mode {
    /// What an operation returns to Python: the value itself, or an
    /// awaitable that resolves to it.
    type Out<'py, T>
    where
        T: 'py;

    /// Runs `fut` on the shared runtime; its error becomes the matching
    /// `ghpkg` exception.
    fn run<'py, T>(
        py: Python<'py>,
        fut: impl Future<Output = ghpkg::Result<T>> + Send + 'static,
    ) -> PyResult<Self::Out<'py, T>>
    where
        T: for<'a> IntoPyObject<'a> + Send + 'static;
}

/// What an operation of client class `C` returns for a result of type `T`.
pub(crate) type Out<'py, C, T> = <C as Mode>::Out<'py, T>;

/// The package an operation acts on: `package_type`, `name` and the owner
/// keywords (`org=`, `user=`; neither means the authenticated user).
pub(crate) struct Target {
    pub owner: Owner,
    pub ty: PackageType,
    pub name: String,
}

impl Target {
    pub(crate) fn package(
        py: Python<'_>,
        ty: Any<'_, '_>,
        name: Any<'_, '_>,
        org: Opt<'_, '_>,
        user: Opt<'_, '_>,
    ) -> PyResult<Target> {
        let (ty, name) = (package_type(ty)?, convert::text("name", name)?);
        let owner = convert::owner(py, org, user)?;
        Ok(Target { owner, ty, name })
    }

    /// A package and one of its versions; the id comes before the owner
    /// keywords in every signature, so it is converted before them.
    pub(crate) fn version(
        py: Python<'_>,
        ty: Any<'_, '_>,
        name: Any<'_, '_>,
        id: Any<'_, '_>,
        org: Opt<'_, '_>,
        user: Opt<'_, '_>,
    ) -> PyResult<(Target, u64)> {
        let (ty, name) = (package_type(ty)?, convert::text("name", name)?);
        let id = version_id(id)?;
        let owner = convert::owner(py, org, user)?;
        Ok((Target { owner, ty, name }, id))
    }
}

/// What a catalog call needs: the resource, the params and the client.
pub(crate) struct Catalog {
    pub client: ghpkg::Client,
    pub resource: String,
    pub params: Params,
}

impl Catalog {
    pub(crate) fn new(
        core: &Core,
        py: Python<'_>,
        resource: Any<'_, '_>,
        params: Opt<'_, '_>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Catalog> {
        Ok(Catalog {
            resource: convert::text("resource", resource)?,
            params: convert::params(params, kwargs)?,
            client: core.client(py)?,
        })
    }
}

/// The `#[pymethods]` of a client class: a `frozen` pyclass with a
/// `core: Core` field that implements [`Mode`]. `$repr` is the class name
/// `repr()` shows, `$packages` and `$versions` the iterator classes its
/// listings return, and `$extra` more methods for the same block. Expanded
/// where `pyo3::prelude::*` and `pyo3::types::PyDict` are in scope.
macro_rules! client_methods {
    (
        $class:ident, repr = $repr:literal,
        packages = $packages:ident, versions = $versions:ident,
        { $($extra:tt)* }
    ) => {
        #[pymethods]
        impl $class {
            #[new]
            #[pyo3(signature = (
                token=None, *, username=None, base_url=None, user_agent=None, timeout=None,
                connect_timeout=None, max_retries=None, retry_backoff=None,
                max_rate_limit_wait=None, read_ahead=None, per_page=None,
                allow_insecure_http=false, anonymous=false
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
                let options = $crate::core::Options {
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
                Ok($class {
                    core: $crate::core::Core::new(py, &options)?,
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
            ) -> PyResult<$packages> {
                let ty = $crate::convert::package_type(package_type)?;
                let owner = $crate::convert::owner(py, org, user)?;
                let vis = $crate::convert::visibility(visibility)?;
                let client = self.core.client(py)?;
                Ok($packages::new(client.list_packages(&owner, ty, vis)))
            }

            #[pyo3(signature = (package_type, name, *, org=None, user=None))]
            fn get_package<'py>(
                &self,
                py: Python<'py>,
                package_type: &Bound<'_, PyAny>,
                name: &Bound<'_, PyAny>,
                org: Option<&Bound<'_, PyAny>>,
                user: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<$crate::ops::Out<'py, Self, $crate::models::PyPackage>> {
                let t = $crate::ops::Target::package(py, package_type, name, org, user)?;
                let client = self.core.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let package = client.get_package(&t.owner, t.ty, &t.name).await;
                    package.map($crate::models::PyPackage::from)
                })
            }

            #[pyo3(signature = (package_type, name, *, org=None, user=None))]
            fn delete_package<'py>(
                &self,
                py: Python<'py>,
                package_type: &Bound<'_, PyAny>,
                name: &Bound<'_, PyAny>,
                org: Option<&Bound<'_, PyAny>>,
                user: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<$crate::ops::Out<'py, Self, ()>> {
                let t = $crate::ops::Target::package(py, package_type, name, org, user)?;
                let client = self.core.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    client.delete_package(&t.owner, t.ty, &t.name).await
                })
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
            ) -> PyResult<$crate::ops::Out<'py, Self, ()>> {
                let t = $crate::ops::Target::package(py, package_type, name, org, user)?;
                let token = $crate::convert::opt_text("token", token)?;
                let client = self.core.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    client
                        .restore_package(&t.owner, t.ty, &t.name, token.as_deref())
                        .await
                })
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
            ) -> PyResult<$versions> {
                let t = $crate::ops::Target::package(py, package_type, name, org, user)?;
                let state = $crate::convert::version_state(state)?;
                let client = self.core.client(py)?;
                Ok($versions::new(client.list_versions(&t.owner, t.ty, &t.name, state)))
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
            ) -> PyResult<$crate::ops::Out<'py, Self, $crate::models::PyPackageVersion>> {
                let (t, id) =
                    $crate::ops::Target::version(py, package_type, name, version_id, org, user)?;
                let client = self.core.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let version = client.get_version(&t.owner, t.ty, &t.name, id).await;
                    version.map($crate::models::PyPackageVersion::from)
                })
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
            ) -> PyResult<$crate::ops::Out<'py, Self, ()>> {
                let (t, id) =
                    $crate::ops::Target::version(py, package_type, name, version_id, org, user)?;
                let client = self.core.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    client.delete_version(&t.owner, t.ty, &t.name, id).await
                })
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
            ) -> PyResult<$crate::ops::Out<'py, Self, ()>> {
                let (t, id) =
                    $crate::ops::Target::version(py, package_type, name, version_id, org, user)?;
                let client = self.core.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    client.restore_version(&t.owner, t.ty, &t.name, id).await
                })
            }

            #[pyo3(signature = (*, org=None, user=None))]
            fn docker_conflicts(
                &self,
                py: Python<'_>,
                org: Option<&Bound<'_, PyAny>>,
                user: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<$packages> {
                let owner = $crate::convert::owner(py, org, user)?;
                let client = self.core.client(py)?;
                Ok($packages::new(client.docker_conflicts(&owner)))
            }

            fn scopes<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<$crate::ops::Out<'py, Self, $crate::models::PyTokenScopes>> {
                let client = self.core.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let scopes = client.scopes().await;
                    scopes.map($crate::models::PyTokenScopes::from)
                })
            }

            #[pyo3(signature = (resource, params=None, /, **kwargs))]
            fn select<'py>(
                &self,
                py: Python<'py>,
                resource: &Bound<'_, PyAny>,
                params: Option<&Bound<'_, PyAny>>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<$crate::ops::Out<'py, Self, $crate::convert::Rows>> {
                let c = $crate::ops::Catalog::new(&self.core, py, resource, params, kwargs)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let rows = c.client.select(&c.resource, &c.params).await;
                    rows.map($crate::convert::Rows)
                })
            }

            #[pyo3(signature = (resource, params=None, /, **kwargs))]
            fn delete<'py>(
                &self,
                py: Python<'py>,
                resource: &Bound<'_, PyAny>,
                params: Option<&Bound<'_, PyAny>>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<$crate::ops::Out<'py, Self, ()>> {
                let c = $crate::ops::Catalog::new(&self.core, py, resource, params, kwargs)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    c.client.delete(&c.resource, &c.params).await
                })
            }

            #[pyo3(signature = (resource, method, params=None, /, **kwargs))]
            fn exec<'py>(
                &self,
                py: Python<'py>,
                resource: &Bound<'_, PyAny>,
                method: &Bound<'_, PyAny>,
                params: Option<&Bound<'_, PyAny>>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<$crate::ops::Out<'py, Self, $crate::convert::Rows>> {
                let method = $crate::convert::text("method", method)?;
                let c = $crate::ops::Catalog::new(&self.core, py, resource, params, kwargs)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let rows = c.client.exec(&c.resource, &method, &c.params).await;
                    rows.map($crate::convert::Rows)
                })
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
            fn rate_limit(&self) -> Option<$crate::models::PyRateLimit> {
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
                self.core.repr($repr)
            }

            $($extra)*
        }
    };
}

pub(crate) use client_methods;
