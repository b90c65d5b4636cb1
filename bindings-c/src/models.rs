//! Result handles: `ghpkg_package` and `ghpkg_version`, with a typed
//! accessor for every field of GitHub's package and package-version objects
//! and a JSON accessor for the whole object.
//!
//! Handles are immutable once made, so they may be read from many threads.
//! Accessors given NULL return NULL, 0 or false.

use std::ffi::{c_char, CString};
use std::ptr;
use std::sync::OnceLock;

use ghpkg::{MinimalRepository, Package, PackageVersion, SimpleUser};

use crate::convert::{cstring, free_box, opt_ptr, read};
use crate::enums::{ghpkg_package_type, ghpkg_visibility, package_type_to_c, visibility_to_c};
use crate::fail::Fail;

/// The C strings of an owner (a GitHub "simple user").
struct UserStrings {
    login: CString,
    kind: CString,
    html_url: CString,
}

impl UserStrings {
    fn new(u: &SimpleUser) -> Result<Self, Fail> {
        Ok(UserStrings {
            login: cstring(&u.login, "owner.login")?,
            kind: cstring(&u.kind, "owner.type")?,
            html_url: cstring(&u.html_url, "owner.html_url")?,
        })
    }
}

/// The C strings of a linked repository.
struct RepoStrings {
    name: CString,
    full_name: CString,
    html_url: CString,
}

impl RepoStrings {
    fn new(r: &MinimalRepository) -> Result<Self, Fail> {
        Ok(RepoStrings {
            name: cstring(&r.name, "repository.name")?,
            full_name: cstring(&r.full_name, "repository.full_name")?,
            html_url: cstring(&r.html_url, "repository.html_url")?,
        })
    }
}

/// The JSON text of a model, made on first use.
fn json_of(cell: &OnceLock<CString>, text: impl FnOnce() -> String) -> *const c_char {
    cell.get_or_init(|| {
        // serde_json escapes control characters, so there is no NUL inside.
        CString::new(text()).unwrap_or_else(|_| c"null".to_owned())
    })
    .as_ptr()
}

/// A package. Owned by the caller; free with `ghpkg_package_free`.
/// Immutable: it may be read from many threads at once.
pub struct ghpkg_package {
    pkg: Package,
    name: CString,
    url: CString,
    html_url: CString,
    owner: Option<UserStrings>,
    repository: Option<RepoStrings>,
    json: OnceLock<CString>,
}

impl ghpkg_package {
    /// A new handle, or `GHPKG_DECODE` if a string holds a NUL byte.
    pub(crate) fn boxed(pkg: Package) -> Result<*mut ghpkg_package, Fail> {
        let handle = ghpkg_package {
            name: cstring(&pkg.name, "name")?,
            url: cstring(&pkg.url, "url")?,
            html_url: cstring(&pkg.html_url, "html_url")?,
            owner: pkg.owner.as_ref().map(UserStrings::new).transpose()?,
            repository: pkg.repository.as_ref().map(RepoStrings::new).transpose()?,
            json: OnceLock::new(),
            pkg,
        };
        Ok(Box::into_raw(Box::new(handle)))
    }
}

/// The package id (64-bit).
#[no_mangle]
pub extern "C" fn ghpkg_package_id(pkg: *const ghpkg_package) -> u64 {
    read(pkg, 0, |p| p.pkg.id)
}

/// The raw name; container names may contain '/'.
#[no_mangle]
pub extern "C" fn ghpkg_package_name(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| p.name.as_ptr())
}

/// The registry, a `GHPKG_PACKAGE_TYPE_*` value (0 for NULL).
#[no_mangle]
pub extern "C" fn ghpkg_package_package_type(pkg: *const ghpkg_package) -> ghpkg_package_type {
    read(pkg, 0, |p| package_type_to_c(p.pkg.package_type))
}

/// `GHPKG_VISIBILITY_PUBLIC` or `GHPKG_VISIBILITY_PRIVATE` (0 for NULL).
#[no_mangle]
pub extern "C" fn ghpkg_package_visibility(pkg: *const ghpkg_package) -> ghpkg_visibility {
    read(pkg, 0, |p| visibility_to_c(p.pkg.visibility))
}

/// The API URL of the package.
#[no_mangle]
pub extern "C" fn ghpkg_package_url(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| p.url.as_ptr())
}

/// The web page of the package.
#[no_mangle]
pub extern "C" fn ghpkg_package_html_url(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| p.html_url.as_ptr())
}

/// The number of active versions.
#[no_mangle]
pub extern "C" fn ghpkg_package_version_count(pkg: *const ghpkg_package) -> u64 {
    read(pkg, 0, |p| p.pkg.version_count)
}

/// When the package was created, in seconds since the Unix epoch.
#[no_mangle]
pub extern "C" fn ghpkg_package_created_at(pkg: *const ghpkg_package) -> i64 {
    read(pkg, 0, |p| p.pkg.created_at.timestamp())
}

/// When the package last changed, in seconds since the Unix epoch.
#[no_mangle]
pub extern "C" fn ghpkg_package_updated_at(pkg: *const ghpkg_package) -> i64 {
    read(pkg, 0, |p| p.pkg.updated_at.timestamp())
}

/// The owner's login (`octocat`, `acme`), or NULL when GitHub sent no owner.
#[no_mangle]
pub extern "C" fn ghpkg_package_owner_login(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| {
        p.owner.as_ref().map_or(ptr::null(), |o| o.login.as_ptr())
    })
}

/// The owner's account id, or 0 when GitHub sent no owner.
#[no_mangle]
pub extern "C" fn ghpkg_package_owner_id(pkg: *const ghpkg_package) -> u64 {
    read(pkg, 0, |p| p.pkg.owner.as_ref().map_or(0, |o| o.id))
}

/// The owner's account type, `User` or `Organization`, or NULL.
#[no_mangle]
pub extern "C" fn ghpkg_package_owner_type(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| {
        p.owner.as_ref().map_or(ptr::null(), |o| o.kind.as_ptr())
    })
}

/// The owner's profile page, or NULL.
#[no_mangle]
pub extern "C" fn ghpkg_package_owner_html_url(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| {
        p.owner
            .as_ref()
            .map_or(ptr::null(), |o| o.html_url.as_ptr())
    })
}

/// The linked repository's id, or 0 when the package has none.
#[no_mangle]
pub extern "C" fn ghpkg_package_repository_id(pkg: *const ghpkg_package) -> u64 {
    read(pkg, 0, |p| p.pkg.repository.as_ref().map_or(0, |r| r.id))
}

/// The linked repository's short name (`api`), or NULL.
#[no_mangle]
pub extern "C" fn ghpkg_package_repository_name(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| {
        p.repository
            .as_ref()
            .map_or(ptr::null(), |r| r.name.as_ptr())
    })
}

/// The linked repository as `owner/name`, or NULL when the package has none.
#[no_mangle]
pub extern "C" fn ghpkg_package_repository_full_name(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| {
        p.repository
            .as_ref()
            .map_or(ptr::null(), |r| r.full_name.as_ptr())
    })
}

/// The linked repository's page, or NULL.
#[no_mangle]
pub extern "C" fn ghpkg_package_repository_html_url(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| {
        p.repository
            .as_ref()
            .map_or(ptr::null(), |r| r.html_url.as_ptr())
    })
}

/// Whether the linked repository is private (false when there is none).
#[no_mangle]
pub extern "C" fn ghpkg_package_repository_private(pkg: *const ghpkg_package) -> bool {
    read(pkg, false, |p| {
        p.pkg.repository.as_ref().is_some_and(|r| r.private)
    })
}

/// The whole object as JSON, including fields ghpkg does not model.
#[no_mangle]
pub extern "C" fn ghpkg_package_json(pkg: *const ghpkg_package) -> *const c_char {
    read(pkg, ptr::null(), |p| {
        json_of(&p.json, || p.pkg.to_json_text())
    })
}

/// Frees a package. NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_package_free(pkg: *mut ghpkg_package) {
    free_box(pkg);
}

/// A package version. Owned by the caller; free with `ghpkg_version_free`.
/// Immutable: it may be read from many threads at once.
pub struct ghpkg_version {
    version: PackageVersion,
    name: CString,
    url: CString,
    package_html_url: CString,
    html_url: Option<CString>,
    license: Option<CString>,
    description: Option<CString>,
    tags: Vec<CString>,
    json: OnceLock<CString>,
}

impl ghpkg_version {
    /// A new handle, or `GHPKG_DECODE` if a string holds a NUL byte.
    pub(crate) fn boxed(v: PackageVersion) -> Result<*mut ghpkg_version, Fail> {
        let opt =
            |s: &Option<String>, field: &str| s.as_deref().map(|s| cstring(s, field)).transpose();
        let handle = ghpkg_version {
            name: cstring(&v.name, "name")?,
            url: cstring(&v.url, "url")?,
            package_html_url: cstring(&v.package_html_url, "package_html_url")?,
            html_url: opt(&v.html_url, "html_url")?,
            license: opt(&v.license, "license")?,
            description: opt(&v.description, "description")?,
            tags: v
                .tags()
                .iter()
                .map(|t| cstring(t, "tag"))
                .collect::<Result<_, _>>()?,
            json: OnceLock::new(),
            version: v,
        };
        Ok(Box::into_raw(Box::new(handle)))
    }
}

/// The version id (64-bit).
#[no_mangle]
pub extern "C" fn ghpkg_version_id(v: *const ghpkg_version) -> u64 {
    read(v, 0, |v| v.version.id)
}

/// The version name; a `sha256:` digest for containers.
#[no_mangle]
pub extern "C" fn ghpkg_version_name(v: *const ghpkg_version) -> *const c_char {
    read(v, ptr::null(), |v| v.name.as_ptr())
}

/// The API URL of the version.
#[no_mangle]
pub extern "C" fn ghpkg_version_url(v: *const ghpkg_version) -> *const c_char {
    read(v, ptr::null(), |v| v.url.as_ptr())
}

/// The web page of the package the version belongs to.
#[no_mangle]
pub extern "C" fn ghpkg_version_package_html_url(v: *const ghpkg_version) -> *const c_char {
    read(v, ptr::null(), |v| v.package_html_url.as_ptr())
}

/// The web page of the version, or NULL when GitHub sent none.
#[no_mangle]
pub extern "C" fn ghpkg_version_html_url(v: *const ghpkg_version) -> *const c_char {
    read(v, ptr::null(), |v| opt_ptr(&v.html_url))
}

/// The license, or NULL when the registry reports none.
#[no_mangle]
pub extern "C" fn ghpkg_version_license(v: *const ghpkg_version) -> *const c_char {
    read(v, ptr::null(), |v| opt_ptr(&v.license))
}

/// The description, or NULL when the registry reports none.
#[no_mangle]
pub extern "C" fn ghpkg_version_description(v: *const ghpkg_version) -> *const c_char {
    read(v, ptr::null(), |v| opt_ptr(&v.description))
}

/// When the version was created, in seconds since the Unix epoch.
#[no_mangle]
pub extern "C" fn ghpkg_version_created_at(v: *const ghpkg_version) -> i64 {
    read(v, 0, |v| v.version.created_at.timestamp())
}

/// When the version last changed, in seconds since the Unix epoch.
#[no_mangle]
pub extern "C" fn ghpkg_version_updated_at(v: *const ghpkg_version) -> i64 {
    read(v, 0, |v| v.version.updated_at.timestamp())
}

/// When the version was deleted (deleted listings only), in seconds since
/// the Unix epoch; 0 when it is not deleted.
#[no_mangle]
pub extern "C" fn ghpkg_version_deleted_at(v: *const ghpkg_version) -> i64 {
    read(v, 0, |v| v.version.deleted_at.map_or(0, |t| t.timestamp()))
}

/// The registry named in the version's metadata, a `GHPKG_PACKAGE_TYPE_*`
/// value, or 0 when GitHub sent no metadata.
#[no_mangle]
pub extern "C" fn ghpkg_version_package_type(v: *const ghpkg_version) -> ghpkg_package_type {
    read(v, 0, |v| {
        v.version
            .metadata
            .as_ref()
            .map_or(0, |m| package_type_to_c(m.package_type))
    })
}

/// The number of tags (container or docker tags); 0 for an untagged version.
#[no_mangle]
pub extern "C" fn ghpkg_version_tag_count(v: *const ghpkg_version) -> usize {
    read(v, 0, |v| v.tags.len())
}

/// The tag at `index` (0-based), or NULL when `index` is out of range.
#[no_mangle]
pub extern "C" fn ghpkg_version_tag(v: *const ghpkg_version, index: usize) -> *const c_char {
    read(v, ptr::null(), |v| {
        v.tags.get(index).map_or(ptr::null(), |t| t.as_ptr())
    })
}

/// Whether the version has no tags. Deleting an untagged container version
/// can break a tagged multi-arch image that refers to it.
#[no_mangle]
pub extern "C" fn ghpkg_version_is_untagged(v: *const ghpkg_version) -> bool {
    read(v, false, |v| v.version.is_untagged())
}

/// The whole object as JSON, including fields ghpkg does not model.
#[no_mangle]
pub extern "C" fn ghpkg_version_json(v: *const ghpkg_version) -> *const c_char {
    read(v, ptr::null(), |v| {
        json_of(&v.json, || v.version.to_json_text())
    })
}

/// Frees a version. NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_version_free(v: *mut ghpkg_version) {
    free_box(v);
}
