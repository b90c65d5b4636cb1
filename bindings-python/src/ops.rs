//! Every operation, as argument conversion plus the core future it runs.
//! The sync client blocks on these futures and the async client awaits
//! them, so both convert arguments the same way.

use std::future::Future;

use ghpkg::catalog::Params;
use ghpkg::{Package, PackageVersion, Paginated};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{self, package_type, version_id, version_state, visibility};
use crate::core::Core;
use crate::models::{PyPackage, PyPackageVersion, PyTokenScopes};

type Any<'a, 'py> = &'a Bound<'py, PyAny>;
type Opt<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

/// The owner keywords every operation takes.
pub(crate) struct Who<'a, 'py> {
    pub org: Opt<'a, 'py>,
    pub user: Opt<'a, 'py>,
}

pub(crate) fn list_packages(
    core: &Core,
    py: Python<'_>,
    ty: Any<'_, '_>,
    who: Who<'_, '_>,
    vis: Opt<'_, '_>,
) -> PyResult<Paginated<Package>> {
    let (ty, owner, vis) = (
        package_type(ty)?,
        convert::owner(py, who.org, who.user)?,
        visibility(vis)?,
    );
    Ok(core.client(py)?.list_packages(&owner, ty, vis))
}

pub(crate) fn get_package(
    core: &Core,
    py: Python<'_>,
    ty: Any<'_, '_>,
    name: Any<'_, '_>,
    who: Who<'_, '_>,
) -> PyResult<impl Future<Output = ghpkg::Result<PyPackage>> + Send + 'static> {
    let (ty, name) = (package_type(ty)?, convert::text("name", name)?);
    let owner = convert::owner(py, who.org, who.user)?;
    let client = core.client(py)?;
    Ok(async move {
        client
            .get_package(&owner, ty, &name)
            .await
            .map(PyPackage::from)
    })
}

pub(crate) fn delete_package(
    core: &Core,
    py: Python<'_>,
    ty: Any<'_, '_>,
    name: Any<'_, '_>,
    who: Who<'_, '_>,
) -> PyResult<impl Future<Output = ghpkg::Result<()>> + Send + 'static> {
    let (ty, name) = (package_type(ty)?, convert::text("name", name)?);
    let owner = convert::owner(py, who.org, who.user)?;
    let client = core.client(py)?;
    Ok(async move { client.delete_package(&owner, ty, &name).await })
}

pub(crate) fn restore_package(
    core: &Core,
    py: Python<'_>,
    ty: Any<'_, '_>,
    name: Any<'_, '_>,
    who: Who<'_, '_>,
    token: Opt<'_, '_>,
) -> PyResult<impl Future<Output = ghpkg::Result<()>> + Send + 'static> {
    let (ty, name) = (package_type(ty)?, convert::text("name", name)?);
    let owner = convert::owner(py, who.org, who.user)?;
    let token = convert::opt_text("token", token)?;
    let client = core.client(py)?;
    Ok(async move {
        client
            .restore_package(&owner, ty, &name, token.as_deref())
            .await
    })
}

pub(crate) fn list_versions(
    core: &Core,
    py: Python<'_>,
    ty: Any<'_, '_>,
    name: Any<'_, '_>,
    who: Who<'_, '_>,
    state: Opt<'_, '_>,
) -> PyResult<Paginated<PackageVersion>> {
    let (ty, name) = (package_type(ty)?, convert::text("name", name)?);
    let owner = convert::owner(py, who.org, who.user)?;
    let state = version_state(state)?;
    Ok(core.client(py)?.list_versions(&owner, ty, &name, state))
}

/// The arguments of the three single-version operations.
struct VersionArgs {
    owner: ghpkg::Owner,
    ty: ghpkg::PackageType,
    name: String,
    id: u64,
    client: ghpkg::Client,
}

fn version_args(
    core: &Core,
    py: Python<'_>,
    ty: Any<'_, '_>,
    name: Any<'_, '_>,
    id: Any<'_, '_>,
    who: Who<'_, '_>,
) -> PyResult<VersionArgs> {
    Ok(VersionArgs {
        ty: package_type(ty)?,
        name: convert::text("name", name)?,
        id: version_id(id)?,
        owner: convert::owner(py, who.org, who.user)?,
        client: core.client(py)?,
    })
}

pub(crate) fn get_version(
    core: &Core,
    py: Python<'_>,
    ty: Any<'_, '_>,
    name: Any<'_, '_>,
    id: Any<'_, '_>,
    who: Who<'_, '_>,
) -> PyResult<impl Future<Output = ghpkg::Result<PyPackageVersion>> + Send + 'static> {
    let a = version_args(core, py, ty, name, id, who)?;
    Ok(async move {
        a.client
            .get_version(&a.owner, a.ty, &a.name, a.id)
            .await
            .map(PyPackageVersion::from)
    })
}

pub(crate) fn delete_version(
    core: &Core,
    py: Python<'_>,
    ty: Any<'_, '_>,
    name: Any<'_, '_>,
    id: Any<'_, '_>,
    who: Who<'_, '_>,
) -> PyResult<impl Future<Output = ghpkg::Result<()>> + Send + 'static> {
    let a = version_args(core, py, ty, name, id, who)?;
    Ok(async move { a.client.delete_version(&a.owner, a.ty, &a.name, a.id).await })
}

pub(crate) fn restore_version(
    core: &Core,
    py: Python<'_>,
    ty: Any<'_, '_>,
    name: Any<'_, '_>,
    id: Any<'_, '_>,
    who: Who<'_, '_>,
) -> PyResult<impl Future<Output = ghpkg::Result<()>> + Send + 'static> {
    let a = version_args(core, py, ty, name, id, who)?;
    Ok(async move {
        a.client
            .restore_version(&a.owner, a.ty, &a.name, a.id)
            .await
    })
}

pub(crate) fn docker_conflicts(
    core: &Core,
    py: Python<'_>,
    who: Who<'_, '_>,
) -> PyResult<Paginated<Package>> {
    let owner = convert::owner(py, who.org, who.user)?;
    Ok(core.client(py)?.docker_conflicts(&owner))
}

pub(crate) fn scopes(
    core: &Core,
    py: Python<'_>,
) -> PyResult<impl Future<Output = ghpkg::Result<PyTokenScopes>> + Send + 'static> {
    let client = core.client(py)?;
    Ok(async move { client.scopes().await.map(PyTokenScopes::from) })
}

/// What a catalog call needs: resource, optional method, params.
pub(crate) struct CatalogArgs {
    client: ghpkg::Client,
    resource: String,
    params: Params,
}

pub(crate) fn catalog_args(
    core: &Core,
    py: Python<'_>,
    resource: Any<'_, '_>,
    params: Opt<'_, '_>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<CatalogArgs> {
    Ok(CatalogArgs {
        resource: convert::text("resource", resource)?,
        params: convert::params(params, kwargs)?,
        client: core.client(py)?,
    })
}

pub(crate) async fn select(a: CatalogArgs) -> ghpkg::Result<convert::Rows> {
    a.client
        .select(&a.resource, &a.params)
        .await
        .map(convert::Rows)
}

pub(crate) async fn delete(a: CatalogArgs) -> ghpkg::Result<()> {
    a.client.delete(&a.resource, &a.params).await
}

pub(crate) async fn exec(a: CatalogArgs, method: String) -> ghpkg::Result<convert::Rows> {
    a.client
        .exec(&a.resource, &method, &a.params)
        .await
        .map(convert::Rows)
}
