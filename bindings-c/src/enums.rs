//! The C enums: owners, package types, visibilities and version states.
//!
//! Each is a `uint32_t` with named constants, so an out-of-range number
//! from C is an `GHPKG_INVALID_ARGUMENT` status rather than undefined
//! behaviour. Conversions to C match the core's enums without a catch-all.

use ghpkg::{Owner, PackageType, VersionState, Visibility};

use crate::fail::Fail;

/// Whose packages a call is about; `owner` names the org or user.
pub type ghpkg_owner_kind = u32;
/// The user the credentials belong to (`/user/...`); `owner` must be NULL.
pub const GHPKG_OWNER_AUTHENTICATED_USER: ghpkg_owner_kind = 0;
/// An organization (`/orgs/{owner}/...`).
pub const GHPKG_OWNER_ORG: ghpkg_owner_kind = 1;
/// A user (`/users/{owner}/...`).
pub const GHPKG_OWNER_USER: ghpkg_owner_kind = 2;

/// A GitHub Packages registry.
pub type ghpkg_package_type = u32;
/// npm.
pub const GHPKG_PACKAGE_TYPE_NPM: ghpkg_package_type = 1;
/// Maven and Gradle.
pub const GHPKG_PACKAGE_TYPE_MAVEN: ghpkg_package_type = 2;
/// RubyGems.
pub const GHPKG_PACKAGE_TYPE_RUBYGEMS: ghpkg_package_type = 3;
/// The old Docker registry (docker.pkg.github.com).
pub const GHPKG_PACKAGE_TYPE_DOCKER: ghpkg_package_type = 4;
/// NuGet.
pub const GHPKG_PACKAGE_TYPE_NUGET: ghpkg_package_type = 5;
/// The Container registry (ghcr.io).
pub const GHPKG_PACKAGE_TYPE_CONTAINER: ghpkg_package_type = 6;

/// A package's visibility, or a listing's visibility filter.
pub type ghpkg_visibility = u32;
/// No filter (listings only).
pub const GHPKG_VISIBILITY_ANY: ghpkg_visibility = 0;
/// Visible to everyone.
pub const GHPKG_VISIBILITY_PUBLIC: ghpkg_visibility = 1;
/// Visible to those granted access.
pub const GHPKG_VISIBILITY_PRIVATE: ghpkg_visibility = 2;
/// Visible inside an enterprise (a listing filter).
pub const GHPKG_VISIBILITY_INTERNAL: ghpkg_visibility = 3;

/// Which versions a version listing returns.
pub type ghpkg_version_state = u32;
/// GitHub's default (active versions); no `state` parameter is sent.
pub const GHPKG_VERSION_STATE_DEFAULT: ghpkg_version_state = 0;
/// Versions that exist.
pub const GHPKG_VERSION_STATE_ACTIVE: ghpkg_version_state = 1;
/// Versions deleted in the last 30 days, which can be restored.
pub const GHPKG_VERSION_STATE_DELETED: ghpkg_version_state = 2;

fn unknown(what: &str, n: u32, accepted: &str) -> Fail {
    Fail::invalid(format!("unknown {what} {n}; expected one of: {accepted}"))
}

/// The owner from its kind and login (`None` for a NULL `owner`).
pub(crate) fn owner_arg(kind: ghpkg_owner_kind, login: Option<&str>) -> Result<Owner, Fail> {
    match (kind, login) {
        (GHPKG_OWNER_AUTHENTICATED_USER, None) => Ok(Owner::AuthenticatedUser),
        (GHPKG_OWNER_AUTHENTICATED_USER, Some(_)) => Err(Fail::invalid(
            "the authenticated user takes no owner name; pass NULL",
        )),
        (GHPKG_OWNER_ORG | GHPKG_OWNER_USER, None) => Err(Fail::null("owner")),
        (GHPKG_OWNER_ORG, Some(org)) => Ok(Owner::org(org)),
        (GHPKG_OWNER_USER, Some(user)) => Ok(Owner::user(user)),
        (n, _) => Err(unknown(
            "owner kind",
            n,
            "GHPKG_OWNER_AUTHENTICATED_USER, GHPKG_OWNER_ORG, GHPKG_OWNER_USER",
        )),
    }
}

pub(crate) fn package_type_arg(n: ghpkg_package_type) -> Result<PackageType, Fail> {
    PackageType::ALL
        .iter()
        .copied()
        .find(|t| package_type_to_c(*t) == n)
        .ok_or_else(|| {
            unknown(
                "package type",
                n,
                "GHPKG_PACKAGE_TYPE_NPM (1) to GHPKG_PACKAGE_TYPE_CONTAINER (6)",
            )
        })
}

pub(crate) const fn package_type_to_c(t: PackageType) -> ghpkg_package_type {
    match t {
        PackageType::Npm => GHPKG_PACKAGE_TYPE_NPM,
        PackageType::Maven => GHPKG_PACKAGE_TYPE_MAVEN,
        PackageType::Rubygems => GHPKG_PACKAGE_TYPE_RUBYGEMS,
        PackageType::Docker => GHPKG_PACKAGE_TYPE_DOCKER,
        PackageType::Nuget => GHPKG_PACKAGE_TYPE_NUGET,
        PackageType::Container => GHPKG_PACKAGE_TYPE_CONTAINER,
    }
}

/// A visibility filter: `GHPKG_VISIBILITY_ANY` is `None`.
pub(crate) fn visibility_arg(n: ghpkg_visibility) -> Result<Option<Visibility>, Fail> {
    if n == GHPKG_VISIBILITY_ANY {
        return Ok(None);
    }
    Visibility::ALL
        .iter()
        .copied()
        .find(|v| visibility_to_c(*v) == n)
        .map(Some)
        .ok_or_else(|| {
            unknown(
                "visibility",
                n,
                "GHPKG_VISIBILITY_ANY (0) to GHPKG_VISIBILITY_INTERNAL (3)",
            )
        })
}

pub(crate) const fn visibility_to_c(v: Visibility) -> ghpkg_visibility {
    match v {
        Visibility::Public => GHPKG_VISIBILITY_PUBLIC,
        Visibility::Private => GHPKG_VISIBILITY_PRIVATE,
        Visibility::Internal => GHPKG_VISIBILITY_INTERNAL,
    }
}

/// A version state: `GHPKG_VERSION_STATE_DEFAULT` is `None`.
pub(crate) fn version_state_arg(n: ghpkg_version_state) -> Result<Option<VersionState>, Fail> {
    if n == GHPKG_VERSION_STATE_DEFAULT {
        return Ok(None);
    }
    VersionState::ALL
        .iter()
        .copied()
        .find(|s| version_state_to_c(*s) == n)
        .map(Some)
        .ok_or_else(|| {
            unknown(
                "version state",
                n,
                "GHPKG_VERSION_STATE_DEFAULT (0) to GHPKG_VERSION_STATE_DELETED (2)",
            )
        })
}

const fn version_state_to_c(s: VersionState) -> ghpkg_version_state {
    match s {
        VersionState::Active => GHPKG_VERSION_STATE_ACTIVE,
        VersionState::Deleted => GHPKG_VERSION_STATE_DELETED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_value_round_trips() {
        for t in PackageType::ALL {
            assert_eq!(package_type_arg(package_type_to_c(*t)).unwrap(), *t);
        }
        for v in Visibility::ALL {
            assert_eq!(visibility_arg(visibility_to_c(*v)).unwrap(), Some(*v));
        }
        for s in VersionState::ALL {
            assert_eq!(version_state_arg(version_state_to_c(*s)).unwrap(), Some(*s));
        }
        assert!(package_type_arg(0).is_err());
        assert!(package_type_arg(7).is_err());
        assert!(visibility_arg(4).is_err());
        assert!(version_state_arg(u32::MAX).is_err());
        assert!(owner_arg(3, Some("x")).is_err());
        assert!(owner_arg(GHPKG_OWNER_AUTHENTICATED_USER, Some("x")).is_err());
    }
}
