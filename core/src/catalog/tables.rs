//! The catalog's data: four resources, their fields and their methods.
//!
//! Within each verb, methods are declared most specific first (more required
//! params first; org before user before the authenticated user on ties), so
//! that the first method whose required params are all given is the one the
//! caller meant.

use super::{Method, Op, Resource, Verb};

const PACKAGE_FIELDS: &[&str] = &[
    "id",
    "name",
    "package_type",
    "owner",
    "url",
    "html_url",
    "repository",
    "visibility",
    "version_count",
    "created_at",
    "updated_at",
];

const VERSION_FIELDS: &[&str] = &[
    "id",
    "name",
    "url",
    "package_html_url",
    "html_url",
    "license",
    "description",
    "created_at",
    "updated_at",
    "deleted_at",
    "metadata",
];

// Required params, alphabetical as StackQL lists them.
const ORG_PKG: &[&str] = &["org", "package_name", "package_type"];
const USER_PKG: &[&str] = &["package_name", "package_type", "username"];
const AUTH_PKG: &[&str] = &["package_name", "package_type"];
const ORG_VER: &[&str] = &["org", "package_name", "package_type", "package_version_id"];
const USER_VER: &[&str] = &[
    "package_name",
    "package_type",
    "package_version_id",
    "username",
];
const AUTH_VER: &[&str] = &["package_name", "package_type", "package_version_id"];
const NONE: &[&str] = &[];

const fn m(
    name: &'static str,
    verb: Verb,
    op: Op,
    required: &'static [&'static str],
    optional: &'static [&'static str],
    description: &'static str,
) -> Method {
    Method {
        name,
        verb,
        required,
        optional,
        description,
        op,
    }
}

use Op::*;
use Verb::{Delete, Exec, Select};

const GET_PKG_ORG: Method = m(
    "get_package_for_organization",
    Select,
    GetPackage,
    ORG_PKG,
    NONE,
    "Gets a specific package in an organization. Needs `read:packages` (plus `repo` for \
     repository-scoped registries).",
);
const GET_PKG_USER: Method = m(
    "get_package_for_user",
    Select,
    GetPackage,
    USER_PKG,
    NONE,
    "Gets a specific package owned by a user. Needs `read:packages` (plus `repo` for \
     repository-scoped registries).",
);
const GET_PKG_AUTH: Method = m(
    "get_package_for_authenticated_user",
    Select,
    GetPackage,
    AUTH_PKG,
    NONE,
    "Gets a specific package owned by the authenticated user. Needs `read:packages` (plus \
     `repo` for repository-scoped registries).",
);
const LIST_PKG_ORG: Method = m(
    "list_packages_for_organization",
    Select,
    ListPackages,
    &["org", "package_type"],
    &["visibility"],
    "Lists the packages of one type in an organization that the caller can read, optionally \
     of one visibility. Needs `read:packages` (plus `repo` for repository-scoped registries).",
);
const LIST_PKG_USER: Method = m(
    "list_packages_for_user",
    Select,
    ListPackages,
    &["package_type", "username"],
    &["visibility"],
    "Lists the packages of one type in a user's namespace that the caller can read, \
     optionally of one visibility. Needs `read:packages` (plus `repo` for repository-scoped \
     registries).",
);
const LIST_PKG_AUTH: Method = m(
    "list_packages_for_authenticated_user",
    Select,
    ListPackages,
    &["package_type"],
    &["visibility"],
    "Lists the packages of one type owned by the authenticated user, optionally of one \
     visibility. Needs `read:packages` (plus `repo` for repository-scoped registries).",
);
const DEL_PKG_ORG: Method = m(
    "delete_package_for_org",
    Delete,
    DeletePackage,
    ORG_PKG,
    NONE,
    "Deletes an entire package in an organization (restorable for 30 days). Refused for a \
     public package with a version over 5,000 downloads. Needs org admin, `read:packages` and \
     `delete:packages` (plus `repo` for repository-scoped registries).",
);
const DEL_PKG_USER: Method = m(
    "delete_package_for_user",
    Delete,
    DeletePackage,
    USER_PKG,
    NONE,
    "Deletes an entire package owned by a user (restorable for 30 days). Refused for a public \
     package with a version over 5,000 downloads. Needs `read:packages` and `delete:packages` \
     (plus `repo` for repository-scoped registries).",
);
const DEL_PKG_AUTH: Method = m(
    "delete_package_for_authenticated_user",
    Delete,
    DeletePackage,
    AUTH_PKG,
    NONE,
    "Deletes a package owned by the authenticated user (restorable for 30 days). Refused for \
     a public package with a version over 5,000 downloads. Needs `read:packages` and \
     `delete:packages` (plus `repo` for repository-scoped registries).",
);
const RESTORE_PKG_ORG: Method = m(
    "restore_package_for_org",
    Exec,
    RestorePackage,
    ORG_PKG,
    &["token"],
    "Restores an entire package in an organization deleted in the last 30 days, unless its \
     namespace has been reused. Needs org admin, `read:packages` and `write:packages` (plus \
     `repo` for repository-scoped registries).",
);
const RESTORE_PKG_USER: Method = m(
    "restore_package_for_user",
    Exec,
    RestorePackage,
    USER_PKG,
    &["token"],
    "Restores an entire package owned by a user deleted in the last 30 days, unless its \
     namespace has been reused. Needs `read:packages` and `write:packages` (plus `repo` for \
     repository-scoped registries).",
);
const RESTORE_PKG_AUTH: Method = m(
    "restore_package_for_authenticated_user",
    Exec,
    RestorePackage,
    AUTH_PKG,
    &["token"],
    "Restores a package owned by the authenticated user deleted in the last 30 days, unless \
     its namespace has been reused. Needs `read:packages` and `write:packages` (plus `repo` \
     for repository-scoped registries).",
);

/// Every resource of the catalog, in a fixed order.
pub(super) static RESOURCES: &[Resource] = &[
    Resource {
        id: "github.packages.packages",
        fields: PACKAGE_FIELDS,
        methods: &[
            GET_PKG_ORG,
            GET_PKG_USER,
            GET_PKG_AUTH,
            LIST_PKG_ORG,
            LIST_PKG_USER,
            LIST_PKG_AUTH,
            DEL_PKG_ORG,
            DEL_PKG_USER,
            DEL_PKG_AUTH,
            RESTORE_PKG_ORG,
            RESTORE_PKG_USER,
            RESTORE_PKG_AUTH,
        ],
    },
    Resource {
        id: "github.packages.org_packages",
        fields: PACKAGE_FIELDS,
        methods: &[GET_PKG_ORG, LIST_PKG_ORG, DEL_PKG_ORG, RESTORE_PKG_ORG],
    },
    Resource {
        id: "github.packages.package_versions",
        fields: VERSION_FIELDS,
        methods: &[
            m(
                "get_package_version_for_organization",
                Select,
                GetVersion,
                ORG_VER,
                NONE,
                "Gets one version of a package in an organization.",
            ),
            m(
                "get_package_version_for_user",
                Select,
                GetVersion,
                USER_VER,
                NONE,
                "Gets one version of a package owned by a user.",
            ),
            m(
                "get_package_version_for_authenticated_user",
                Select,
                GetVersion,
                AUTH_VER,
                NONE,
                "Gets one version of a package owned by the authenticated user.",
            ),
            m(
                "get_all_package_versions_for_package_owned_by_org",
                Select,
                ListVersions,
                ORG_PKG,
                &["state"],
                "Lists the versions of a package in an organization: active ones, or with \
                 `state` = `deleted` those deleted in the last 30 days.",
            ),
            m(
                "get_all_package_versions_for_package_owned_by_user",
                Select,
                ListVersions,
                USER_PKG,
                &["state"],
                "Lists the versions of a package owned by a user: active ones, or with \
                 `state` = `deleted` those deleted in the last 30 days.",
            ),
            m(
                "get_all_package_versions_for_package_owned_by_authenticated_user",
                Select,
                ListVersions,
                AUTH_PKG,
                &["state"],
                "Lists the versions of a package owned by the authenticated user: active ones, \
                 or with `state` = `deleted` those deleted in the last 30 days.",
            ),
            m(
                "delete_package_version_for_org",
                Delete,
                DeleteVersion,
                ORG_VER,
                NONE,
                "Deletes one version of a package in an organization (restorable for 30 days). \
                 Refused for the last (tagged) version. Needs org admin, `read:packages` and \
                 `delete:packages`.",
            ),
            m(
                "delete_package_version_for_user",
                Delete,
                DeleteVersion,
                USER_VER,
                NONE,
                "Deletes one version of a package owned by a user (restorable for 30 days). \
                 Refused for the last (tagged) version. Needs `read:packages` and \
                 `delete:packages`.",
            ),
            m(
                "delete_package_version_for_authenticated_user",
                Delete,
                DeleteVersion,
                AUTH_VER,
                NONE,
                "Deletes one version of a package owned by the authenticated user (restorable \
                 for 30 days). Refused for the last (tagged) version. Needs `read:packages` and \
                 `delete:packages`.",
            ),
            m(
                "restore_package_version_for_org",
                Exec,
                RestoreVersion,
                ORG_VER,
                NONE,
                "Restores a version of a package in an organization deleted in the last 30 \
                 days. Needs org admin, `read:packages` and `write:packages`.",
            ),
            m(
                "restore_package_version_for_user",
                Exec,
                RestoreVersion,
                USER_VER,
                NONE,
                "Restores a version of a package owned by a user deleted in the last 30 days. \
                 Needs `read:packages` and `write:packages`.",
            ),
            m(
                "restore_package_version_for_authenticated_user",
                Exec,
                RestoreVersion,
                AUTH_VER,
                NONE,
                "Restores a version of a package owned by the authenticated user deleted in \
                 the last 30 days. Needs `read:packages` and `write:packages`.",
            ),
        ],
    },
    Resource {
        id: "github.packages.docker_migration_packages",
        fields: PACKAGE_FIELDS,
        methods: &[
            m(
                "list_docker_migration_conflicting_packages_for_organization",
                Select,
                DockerConflicts,
                &["org"],
                NONE,
                "Lists the docker packages of an organization whose migration to the \
                 Container registry conflicts with an existing package.",
            ),
            m(
                "list_docker_migration_conflicting_packages_for_user",
                Select,
                DockerConflicts,
                &["username"],
                NONE,
                "Lists the docker packages of a user whose migration to the Container registry \
                 conflicts with an existing package.",
            ),
            m(
                "list_docker_migration_conflicting_packages_for_authenticated_user",
                Select,
                DockerConflicts,
                NONE,
                NONE,
                "Lists the docker packages of the authenticated user whose migration to the \
                 Container registry conflicts with an existing package.",
            ),
        ],
    },
];
