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
use crate::handle::ClientHandle;

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
        handle: &ClientHandle,
        py: Python<'_>,
        resource: Any<'_, '_>,
        params: Opt<'_, '_>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Catalog> {
        Ok(Catalog {
            resource: convert::text("resource", resource)?,
            params: convert::params(params, kwargs)?,
            client: handle.client(py)?,
        })
    }
}

/// The `#[pymethods]` of a client class: a `frozen` pyclass with a
/// `handle: ClientHandle` field that implements [`Mode`]. `$repr` is the class name
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
                allow_insecure_http=false, anonymous=false, use_env=true
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
                use_env: bool,
            ) -> PyResult<Self> {
                let options = $crate::handle::Options {
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
                    use_env,
                };
                Ok($class {
                    handle: $crate::handle::ClientHandle::new(py, &options)?,
                })
            }

            /// Lists the packages of one type that the owner has and the caller
            /// can see, optionally of one visibility. Lazy: nothing is sent until the
            /// first item is asked for. GitHub serves at most 10,000 packages through
            /// one listing (see ``reached_paging_limit``).
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
                let client = self.handle.client(py)?;
                Ok($packages::new(client.list_packages(&owner, ty, vis)))
            }

            /// Gets one package by type and name (names may contain ``/``).
            /// Raises ``NotFoundError`` when it does not exist or the token cannot see it.
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
                let client = self.handle.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let package = client.get_package(&t.owner, t.ty, &t.name).await;
                    package.map($crate::models::PyPackage::from)
                })
            }

            /// Deletes a whole package; it can be restored for 30 days. GitHub refuses
            /// (``RejectedError``) a public package with a version over 5,000 downloads.
            /// Needs ``delete:packages`` and, for an org, admin rights.
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
                let client = self.handle.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    client.delete_package(&t.owner, t.ty, &t.name).await
                })
            }

            /// Restores a package deleted in the last 30 days, unless its name has been
            /// reused since; ``token`` is GitHub's optional restore token. Needs
            /// ``write:packages``.
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
                let client = self.handle.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    client
                        .restore_package(&t.owner, t.ty, &t.name, token.as_deref())
                        .await
                })
            }

            /// Lists a package's versions: active ones, or with ``state="deleted"``
            /// those deleted in the last 30 days. Lazy, like ``list_packages``.
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
                let client = self.handle.client(py)?;
                Ok($versions::new(client.list_versions(&t.owner, t.ty, &t.name, state)))
            }

            /// Gets one version of a package by id.
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
                let client = self.handle.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let version = client.get_version(&t.owner, t.ty, &t.name, id).await;
                    version.map($crate::models::PyPackageVersion::from)
                })
            }

            /// Deletes one version; restorable for 30 days. GitHub refuses
            /// (``RejectedError``) the last version (for containers also the last tagged
            /// version) and a public version with over 5,000 downloads.
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
                let client = self.handle.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    client.delete_version(&t.owner, t.ty, &t.name, id).await
                })
            }

            /// Restores a version deleted in the last 30 days.
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
                let client = self.handle.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    client.restore_version(&t.owner, t.ty, &t.name, id).await
                })
            }

            /// Lists the docker packages whose migration to the Container registry
            /// conflicts with an existing package. Lazy.
            #[pyo3(signature = (*, org=None, user=None))]
            fn docker_conflicts(
                &self,
                py: Python<'_>,
                org: Option<&Bound<'_, PyAny>>,
                user: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<$packages> {
                let owner = $crate::convert::owner(py, org, user)?;
                let client = self.handle.client(py)?;
                Ok($packages::new(client.docker_conflicts(&owner)))
            }

            /// Checks the token with one cheap request and reports its scopes and
            /// whether it can read, delete and restore. Bad credentials raise
            /// ``AuthenticationError``; a token GitHub refuses for packages gives
            /// ``can_read == False`` and a ``problem``.
            fn scopes<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<$crate::ops::Out<'py, Self, $crate::models::PyTokenScopes>> {
                let client = self.handle.client(py)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let scopes = client.scopes().await;
                    scopes.map($crate::models::PyTokenScopes::from)
                })
            }

            /// Runs a StackQL ``SELECT`` on a catalog resource: picks the method the
            /// way StackQL does, calls it, and returns its rows (every page of a
            /// listing). Params a method does not take but that name a field filter the
            /// rows; anything else is ``InvalidArgumentError`` before any request.
            #[pyo3(signature = (resource, params=None, /, **kwargs))]
            fn catalog_select<'py>(
                &self,
                py: Python<'py>,
                resource: &Bound<'_, PyAny>,
                params: Option<&Bound<'_, PyAny>>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<$crate::ops::Out<'py, Self, $crate::convert::Rows>> {
                let c = $crate::ops::Catalog::new(&self.handle, py, resource, params, kwargs)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let rows = c.client.catalog_select(&c.resource, &c.params).await;
                    rows.map($crate::convert::Rows)
                })
            }

            /// Runs a StackQL ``DELETE`` on a catalog resource (the method is picked
            /// the way StackQL does). A delete never filters.
            #[pyo3(signature = (resource, params=None, /, **kwargs))]
            fn catalog_delete<'py>(
                &self,
                py: Python<'py>,
                resource: &Bound<'_, PyAny>,
                params: Option<&Bound<'_, PyAny>>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<$crate::ops::Out<'py, Self, ()>> {
                let c = $crate::ops::Catalog::new(&self.handle, py, resource, params, kwargs)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    c.client.catalog_delete(&c.resource, &c.params).await
                })
            }

            /// Calls any method of a catalog resource by name, e.g.
            /// ``restore_package_for_org``; returns rows for ``SELECT`` methods.
            #[pyo3(signature = (resource, method, params=None, /, **kwargs))]
            fn catalog_exec<'py>(
                &self,
                py: Python<'py>,
                resource: &Bound<'_, PyAny>,
                method: &Bound<'_, PyAny>,
                params: Option<&Bound<'_, PyAny>>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<$crate::ops::Out<'py, Self, $crate::convert::Rows>> {
                let method = $crate::convert::text("method", method)?;
                let c = $crate::ops::Catalog::new(&self.handle, py, resource, params, kwargs)?;
                <Self as $crate::ops::Mode>::run(py, async move {
                    let rows = c.client.catalog_exec(&c.resource, &method, &c.params).await;
                    rows.map($crate::convert::Rows)
                })
            }

            /// The API root requests go to; ``None`` once closed.
            #[getter]
            fn base_url(&self) -> Option<String> {
                self.handle.base_url()
            }

            /// The kind of the configured token from its prefix (``classic``,
            /// ``oauth``, ``fine_grained``, ``app``, ``user_to_server``, ``unknown``,
            /// ``none``); ``None`` once closed.
            #[getter]
            fn token_kind(&self) -> Option<&'static str> {
                self.handle.token_kind()
            }

            /// The ``x-ratelimit-*`` snapshot of the most recent response, if any.
            #[getter]
            fn rate_limit(&self) -> Option<$crate::models::PyRateLimit> {
                self.handle.rate_limit()
            }

            /// Whether ``close()`` was called.
            #[getter]
            fn closed(&self) -> bool {
                self.handle.is_closed()
            }

            /// Drops the client; later calls raise ``ClientClosedError``. Listings
            /// already started keep working.
            fn close(&self) {
                self.handle.close();
            }

            fn __repr__(&self) -> String {
                self.handle.repr($repr)
            }

            $($extra)*
        }
    };
}

pub(crate) use client_methods;
