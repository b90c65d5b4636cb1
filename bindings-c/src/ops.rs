//! The nine operations, each for the authenticated user, an org or a user.
//!
//! Every call checks its arguments before sending anything: NULL gives
//! `GHPKG_NULL_ARGUMENT`, invalid UTF-8 `GHPKG_INVALID_UTF8`, an unknown
//! enum value or an unusable name (empty, `.`/`..`, control characters)
//! `GHPKG_INVALID_ARGUMENT`. Names are sent as one percent-encoded path
//! segment, so `/`, `..`, `%`, `?` or `#` inside a name cannot change the
//! endpoint. The single-object calls block until GitHub answers.
//!
//! The C signatures are flat on purpose (no argument structs), hence the
//! allowance below.
#![allow(clippy::too_many_arguments)]

use std::ffi::c_char;

use ghpkg::{Owner, PackageType};

use crate::client::ghpkg_client;
use crate::convert::{borrow, opt_text, text};
use crate::enums::{
    ghpkg_owner_kind, ghpkg_package_type, ghpkg_version_state, ghpkg_visibility, owner_arg,
    package_type_arg, version_state_arg, visibility_arg,
};
use crate::error::ghpkg_error;
use crate::fail::Fail;
use crate::ffi::{call, call_unit};
use crate::listing::{ghpkg_package_listing, ghpkg_version_listing, Listing};
use crate::models::{ghpkg_package, ghpkg_version};
use crate::runtime::block_on;
use crate::status::ghpkg_status;

/// The arguments every package call shares, checked.
pub(crate) struct Target<'a> {
    pub(crate) client: &'a ghpkg::Client,
    pub(crate) owner: Owner,
    pub(crate) package_type: PackageType,
    pub(crate) name: &'a str,
}

/// Checks client, owner, package type and name.
///
/// # Safety
/// Non-NULL pointers must be valid (the C contract).
pub(crate) unsafe fn target<'a>(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
) -> Result<Target<'a>, Fail> {
    // SAFETY: upheld by the caller.
    unsafe {
        Ok(Target {
            client: &borrow(client, "client")?.client,
            owner: owner_arg(owner_kind, opt_text(owner, "owner")?)?,
            package_type: package_type_arg(package_type)?,
            name: text(name, "name")?,
        })
    }
}

/// Starts listing the packages of one type that the owner has and the
/// caller can see, optionally only one visibility (`GHPKG_VISIBILITY_ANY`
/// for all). Sends nothing until the first `ghpkg_package_listing_next`.
/// GitHub serves at most 10,000 packages through one listing.
#[no_mangle]
pub extern "C" fn ghpkg_client_list_packages(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    visibility: ghpkg_visibility,
    out: *mut *mut ghpkg_package_listing,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let owner = owner_arg(owner_kind, unsafe { opt_text(owner, "owner") }?)?;
        let ty = package_type_arg(package_type)?;
        let vis = visibility_arg(visibility)?;
        let stream = c.client.list_packages(&owner, ty, vis);
        Ok(Box::into_raw(Box::new(ghpkg_package_listing(
            Listing::new(stream),
        ))))
    })
}

/// Gets one package by type and name. Blocking.
#[no_mangle]
pub extern "C" fn ghpkg_client_get_package(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    out: *mut *mut ghpkg_package,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let pkg = block_on(t.client.get_package(&t.owner, t.package_type, t.name))??;
        ghpkg_package::boxed(pkg)
    })
}

/// Deletes a whole package; it can be restored for 30 days. Blocking.
///
/// `GHPKG_REJECTED` for a public package with a version over 5,000
/// downloads. Needs `delete:packages`, and org admin rights for org packages.
#[no_mangle]
pub extern "C" fn ghpkg_client_delete_package(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call_unit(err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        Ok(block_on(t.client.delete_package(
            &t.owner,
            t.package_type,
            t.name,
        ))??)
    })
}

/// Restores a package deleted in the last 30 days, unless its name was
/// reused since. `token` is GitHub's optional package-token parameter
/// (NULL for none). Needs `write:packages`. Blocking.
#[no_mangle]
pub extern "C" fn ghpkg_client_restore_package(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    token: *const c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call_unit(err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let token = unsafe { opt_text(token, "token") }?;
        let fut = t
            .client
            .restore_package(&t.owner, t.package_type, t.name, token);
        Ok(block_on(fut)??)
    })
}

/// Starts listing a package's versions: `GHPKG_VERSION_STATE_DEFAULT` or
/// `_ACTIVE` for existing ones, `_DELETED` for those deleted in the last 30
/// days. Sends nothing until the first `ghpkg_version_listing_next`.
#[no_mangle]
pub extern "C" fn ghpkg_client_list_versions(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    state: ghpkg_version_state,
    out: *mut *mut ghpkg_version_listing,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let state = version_state_arg(state)?;
        let stream = t
            .client
            .list_versions(&t.owner, t.package_type, t.name, state);
        Ok(Box::into_raw(Box::new(ghpkg_version_listing(
            Listing::new(stream),
        ))))
    })
}

/// Gets one version of a package by id. Blocking.
#[no_mangle]
pub extern "C" fn ghpkg_client_get_version(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    version_id: u64,
    out: *mut *mut ghpkg_version,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let fut = t
            .client
            .get_version(&t.owner, t.package_type, t.name, version_id);
        ghpkg_version::boxed(block_on(fut)??)
    })
}

/// Deletes one version; restorable for 30 days. Blocking.
///
/// `GHPKG_REJECTED` for the last version (for containers, the last tagged
/// one) and a public version with over 5,000 downloads.
#[no_mangle]
pub extern "C" fn ghpkg_client_delete_version(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    version_id: u64,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call_unit(err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let fut = t
            .client
            .delete_version(&t.owner, t.package_type, t.name, version_id);
        Ok(block_on(fut)??)
    })
}

/// Restores a version deleted in the last 30 days. Blocking.
#[no_mangle]
pub extern "C" fn ghpkg_client_restore_version(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    version_id: u64,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call_unit(err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let fut = t
            .client
            .restore_version(&t.owner, t.package_type, t.name, version_id);
        Ok(block_on(fut)??)
    })
}

/// Starts listing the docker packages whose migration to the Container
/// registry conflicts with an existing package. Lazy, like the other listings.
#[no_mangle]
pub extern "C" fn ghpkg_client_docker_conflicts(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    out: *mut *mut ghpkg_package_listing,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let owner = owner_arg(owner_kind, unsafe { opt_text(owner, "owner") }?)?;
        let stream = c.client.docker_conflicts(&owner);
        Ok(Box::into_raw(Box::new(ghpkg_package_listing(
            Listing::new(stream),
        ))))
    })
}
