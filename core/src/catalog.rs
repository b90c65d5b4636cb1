//! A StackQL-style view of the Packages API: resources with fields and
//! methods, each method reachable by its StackQL name and SQL verb.
//!
//! Four resources: `github.packages.packages` (get, list, delete and restore
//! for an organization, a user or the authenticated user),
//! `github.packages.org_packages` (the organization subset),
//! `github.packages.package_versions` and
//! `github.packages.docker_migration_packages`.
//!
//! [`Client::catalog_select`](crate::Client::catalog_select) and
//! [`Client::catalog_delete`](crate::Client::catalog_delete) pick a method the way StackQL
//! does (see [`choose`]); [`Client::catalog_exec`](crate::Client::catalog_exec) calls any
//! method by name.
//! Parameters are a JSON object: strings, or a number for
//! `package_version_id`. For a `SELECT`, parameters that the chosen method
//! does not take but that name a field filter the rows by equality.
//!
//! ```no_run
//! # async fn demo(client: ghpkg::Client) -> ghpkg::Result<()> {
//! use serde_json::json;
//!
//! let params = json!({"org": "acme", "package_type": "container", "visibility": "public"});
//! // Runs list_packages_for_organization and returns every page.
//! let rows = client.catalog_select("packages", params.as_object().unwrap()).await?;
//! for row in &rows {
//!     println!("{} {}", row["id"], row["name"]);
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::error::{Error, Result};

mod run;
mod tables;

/// Parameters of a catalog call: a JSON object whose values are strings,
/// or a number (or decimal string) for `package_version_id`. `null` counts
/// as absent.
pub type Params = serde_json::Map<String, Value>;

/// One row of a `SELECT`: exactly the resource's fields, `null` when absent.
pub type Row = serde_json::Map<String, Value>;

/// A resource: a table-like view with fields and the methods that reach it.
///
/// Serializes as `{"id", "short_name", "fields", "methods"}`, the catalog
/// metadata every front door hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    /// The full id, e.g. `github.packages.packages`.
    pub id: &'static str,
    /// The field (column) names of its rows, in order.
    pub fields: &'static [&'static str],
    /// Its methods in declared order: by verb, most specific first.
    pub methods: &'static [Method],
}

impl Resource {
    /// The id without the `github.packages.` prefix, e.g. `packages`.
    pub fn short_name(&self) -> &'static str {
        self.id.rsplit('.').next().unwrap_or(self.id)
    }

    /// The method of that exact name, if the resource has it.
    pub fn method(&self, name: &str) -> Option<&'static Method> {
        self.methods.iter().find(|m| m.name == name)
    }

    /// Whether `name` is one of the resource's fields.
    pub fn has_field(&self, name: &str) -> bool {
        self.fields.contains(&name)
    }
}

/// A method of a resource: one GitHub operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Method {
    /// StackQL's name: GitHub's operationId in snake case,
    /// e.g. `get_package_for_organization`.
    pub name: &'static str,
    /// The SQL verb that reaches it.
    pub verb: Verb,
    /// The params that must be given (non-null), alphabetical.
    pub required: &'static [&'static str],
    /// The params that may be given (`visibility`, `state`, `token`).
    pub optional: &'static [&'static str],
    /// What the method does and the permissions it needs.
    pub description: &'static str,
    #[serde(skip)]
    pub(crate) op: Op,
}

impl Method {
    /// Whether `name` is a required or optional param of this method.
    pub fn takes(&self, name: &str) -> bool {
        self.required.contains(&name) || self.optional.contains(&name)
    }

    /// The required params missing (absent or null) from `params`.
    pub fn missing(&self, params: &Params) -> Vec<&'static str> {
        self.required
            .iter()
            .copied()
            .filter(|p| !present(params, p))
            .collect()
    }
}

/// The client call behind a method; the owner comes from its required params.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    GetPackage,
    ListPackages,
    DeletePackage,
    RestorePackage,
    GetVersion,
    ListVersions,
    DeleteVersion,
    RestoreVersion,
    DockerConflicts,
}

/// The SQL verb of a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// Reads rows (`GET`).
    Select,
    /// Deletes (`DELETE`).
    Delete,
    /// Any other action, here the restores (`POST .../restore`).
    Exec,
}

impl Verb {
    /// Every verb.
    pub const ALL: &'static [Verb] = &[Verb::Select, Verb::Delete, Verb::Exec];

    /// `SELECT`, `DELETE` or `EXEC`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verb::Select => "SELECT",
            Verb::Delete => "DELETE",
            Verb::Exec => "EXEC",
        }
    }
}

impl serde::Serialize for Verb {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for Resource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Resource", 4)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("short_name", self.short_name())?;
        st.serialize_field("fields", self.fields)?;
        st.serialize_field("methods", self.methods)?;
        st.end()
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Verb {
    type Err = Error;
    /// Parses `SELECT`, `DELETE` or `EXEC`, in any case.
    fn from_str(s: &str) -> Result<Verb> {
        Verb::ALL
            .iter()
            .copied()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown verb {s:?}; expected one of: SELECT, DELETE, EXEC"
                ))
            })
    }
}

/// Every resource of the catalog.
pub fn resources() -> &'static [Resource] {
    tables::RESOURCES
}

/// The resource with that id (`github.packages.packages`) or short name
/// (`packages`). An unknown name is `InvalidArgument` listing the ids.
pub fn resource(id: &str) -> Result<&'static Resource> {
    let wanted = id.trim();
    resources()
        .iter()
        .find(|r| r.id == wanted || r.short_name() == wanted)
        .ok_or_else(|| {
            let ids: Vec<&str> = resources().iter().map(|r| r.id).collect();
            Error::invalid(format!(
                "unknown resource {id:?}; expected one of: {}",
                ids.join(", ")
            ))
        })
}

/// Whether `name` is given with a non-null value.
fn present(params: &Params, name: &str) -> bool {
    params.get(name).is_some_and(|v| !v.is_null())
}

/// StackQL's selection rule: the first method of `resource`, in declared
/// order, with that `verb` and whose required params are all present
/// (non-null) in `params`.
///
/// When none matches, the `InvalidArgument` error lists every candidate
/// with the params it needs.
pub fn choose(resource: &Resource, verb: Verb, params: &Params) -> Result<&'static Method> {
    let methods: &'static [Method] = resource.methods;
    let mut candidates = methods.iter().filter(|m| m.verb == verb).peekable();
    if candidates.peek().is_none() {
        return Err(Error::invalid(format!(
            "{} has no {verb} method",
            resource.id
        )));
    }
    let mut needs = Vec::new();
    for m in candidates {
        if m.missing(params).is_empty() {
            return Ok(m);
        }
        needs.push(format!("{} needs {}", m.name, m.required.join(", ")));
    }
    let given: Vec<&str> = params
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.as_str())
        .collect();
    let given = if given.is_empty() {
        "none".to_owned()
    } else {
        given.join(", ")
    };
    Err(Error::invalid(format!(
        "no {verb} method of {} matches the given params ({given}); {}",
        resource.id,
        needs.join("; ")
    )))
}

/// Finds a method of `resource` by name; an unknown name is
/// `InvalidArgument` listing the resource's methods.
pub(crate) fn method_named(resource: &Resource, name: &str) -> Result<&'static Method> {
    resource.method(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = resource.methods.iter().map(|m| m.name).collect();
        Error::invalid(format!(
            "{} has no method {name:?}; its methods are: {}",
            resource.id,
            names.join(", ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde_json::json;

    fn params(v: Value) -> Params {
        v.as_object().cloned().unwrap_or_default()
    }

    /// GitHub's 27 operationIds, as in the OpenAPI description.
    const OPERATION_IDS: &[&str] = &[
        "list-docker-migration-conflicting-packages-for-organization",
        "list-packages-for-organization",
        "get-package-for-organization",
        "delete-package-for-org",
        "restore-package-for-org",
        "get-all-package-versions-for-package-owned-by-org",
        "get-package-version-for-organization",
        "delete-package-version-for-org",
        "restore-package-version-for-org",
        "list-docker-migration-conflicting-packages-for-authenticated-user",
        "list-packages-for-authenticated-user",
        "get-package-for-authenticated-user",
        "delete-package-for-authenticated-user",
        "restore-package-for-authenticated-user",
        "get-all-package-versions-for-package-owned-by-authenticated-user",
        "get-package-version-for-authenticated-user",
        "delete-package-version-for-authenticated-user",
        "restore-package-version-for-authenticated-user",
        "list-docker-migration-conflicting-packages-for-user",
        "list-packages-for-user",
        "get-package-for-user",
        "delete-package-for-user",
        "restore-package-for-user",
        "get-all-package-versions-for-package-owned-by-user",
        "get-package-version-for-user",
        "delete-package-version-for-user",
        "restore-package-version-for-user",
    ];

    #[test]
    fn every_operation_has_exactly_one_method_outside_org_packages() {
        for op in OPERATION_IDS {
            let name = op.replace('-', "_");
            let hits: Vec<&str> = resources()
                .iter()
                .filter(|r| r.id != "github.packages.org_packages")
                .filter(|r| r.method(&name).is_some())
                .map(|r| r.id)
                .collect();
            assert_eq!(hits.len(), 1, "{name}: {hits:?}");
        }
        let total: usize = resources()
            .iter()
            .filter(|r| r.id != "github.packages.org_packages")
            .map(|r| r.methods.len())
            .sum();
        assert_eq!(total, OPERATION_IDS.len());
    }

    #[test]
    fn seed_pages_are_covered() {
        let seeds = [
            (
                "get_package_for_authenticated_user",
                Verb::Select,
                "package_name, package_type",
            ),
            (
                "get_package_for_organization",
                Verb::Select,
                "org, package_name, package_type",
            ),
            (
                "get_package_for_user",
                Verb::Select,
                "package_name, package_type, username",
            ),
            (
                "list_packages_for_authenticated_user",
                Verb::Select,
                "package_type",
            ),
            (
                "list_packages_for_organization",
                Verb::Select,
                "org, package_type",
            ),
            (
                "list_packages_for_user",
                Verb::Select,
                "package_type, username",
            ),
            (
                "delete_package_for_authenticated_user",
                Verb::Delete,
                "package_name, package_type",
            ),
            (
                "delete_package_for_org",
                Verb::Delete,
                "org, package_name, package_type",
            ),
            (
                "delete_package_for_user",
                Verb::Delete,
                "package_name, package_type, username",
            ),
            (
                "restore_package_for_authenticated_user",
                Verb::Exec,
                "package_name, package_type",
            ),
            (
                "restore_package_for_org",
                Verb::Exec,
                "org, package_name, package_type",
            ),
            (
                "restore_package_for_user",
                Verb::Exec,
                "package_name, package_type, username",
            ),
        ];
        let packages = resource("github.packages.packages").unwrap();
        assert_eq!(packages.methods.len(), seeds.len());
        for (name, verb, req) in seeds {
            let m = packages.method(name).unwrap();
            assert_eq!(
                (m.verb, m.required.join(", ")),
                (verb, req.to_owned()),
                "{name}"
            );
        }
        let org = resource("org_packages").unwrap();
        let names: Vec<&str> = org.methods.iter().map(|m| m.name).collect();
        assert_eq!(
            names,
            [
                "get_package_for_organization",
                "list_packages_for_organization",
                "delete_package_for_org",
                "restore_package_for_org"
            ]
        );
        let mut fields = packages.fields.to_vec();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "created_at",
                "html_url",
                "id",
                "name",
                "owner",
                "package_type",
                "repository",
                "updated_at",
                "url",
                "version_count",
                "visibility"
            ]
        );
        assert_eq!(org.fields, packages.fields);
    }

    #[test]
    fn tables_are_consistent() {
        for r in resources() {
            for (i, a) in r.methods.iter().enumerate() {
                let mut sorted = a.required.to_vec();
                sorted.sort_unstable();
                assert_eq!(sorted, a.required, "{} required params not sorted", a.name);
                // The owner follows from the params and matches the name.
                let org = a.required.contains(&"org");
                let user = a.required.contains(&"username");
                assert_eq!(
                    org,
                    a.name.ends_with("org") || a.name.ends_with("organization")
                );
                assert_eq!(
                    user,
                    a.name.ends_with("_user") && !a.name.ends_with("authenticated_user")
                );
                assert!(!a.description.is_empty());
                // No method is shadowed by an earlier, less demanding one.
                for b in &r.methods[i + 1..] {
                    assert_ne!(a.name, b.name);
                    if a.verb == b.verb {
                        let covers = a.required.iter().all(|p| b.required.contains(p));
                        assert!(!covers, "{} shadows {} in {}", a.name, b.name, r.id);
                    }
                }
            }
        }
    }

    #[test]
    fn resource_lookup() {
        assert_eq!(resource("packages").unwrap().id, "github.packages.packages");
        assert_eq!(
            resource("github.packages.package_versions")
                .unwrap()
                .short_name(),
            "package_versions"
        );
        let e = resource("github.packages.pkgs").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(
            e.message()
                .contains("github.packages.docker_migration_packages"),
            "{e}"
        );
        assert!(
            method_named(resource("org_packages").unwrap(), "delete_package_for_user").is_err()
        );
    }

    #[test]
    fn choose_most_specific() {
        let r = resource("packages").unwrap();
        let pick = |v: Value, verb| choose(r, verb, &params(v)).map(|m| m.name);
        let sel = Verb::Select;
        let t = "container";
        assert_eq!(
            pick(json!({"package_type": t}), sel).unwrap(),
            "list_packages_for_authenticated_user"
        );
        assert_eq!(
            pick(json!({"package_type": t, "org": "a"}), sel).unwrap(),
            "list_packages_for_organization"
        );
        assert_eq!(
            pick(json!({"package_type": t, "username": "u"}), sel).unwrap(),
            "list_packages_for_user"
        );
        assert_eq!(
            pick(
                json!({"package_type": t, "org": "a", "package_name": "n"}),
                sel
            )
            .unwrap(),
            "get_package_for_organization"
        );
        assert_eq!(
            pick(
                json!({"package_type": t, "org": null, "package_name": "n"}),
                sel
            )
            .unwrap(),
            "get_package_for_authenticated_user"
        );
        assert_eq!(
            pick(
                json!({"package_type": t, "username": "u", "package_name": "n"}),
                Verb::Exec
            )
            .unwrap(),
            "restore_package_for_user"
        );
        let v = resource("package_versions").unwrap();
        let m = choose(
            v,
            sel,
            &params(json!({"package_type": t, "package_name": "n", "package_version_id": 1})),
        );
        assert_eq!(
            m.unwrap().name,
            "get_package_version_for_authenticated_user"
        );
        let d = resource("docker_migration_packages").unwrap();
        assert_eq!(
            choose(d, sel, &Params::new()).unwrap().name,
            "list_docker_migration_conflicting_packages_for_authenticated_user"
        );
    }

    #[test]
    fn choose_failure_lists_needs() {
        let r = resource("packages").unwrap();
        let e = choose(
            r,
            Verb::Delete,
            &params(json!({"org": "a", "package_type": "npm"})),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            e.message(),
            "no DELETE method of github.packages.packages matches the given params (org, \
             package_type); delete_package_for_org needs org, package_name, package_type; \
             delete_package_for_user needs package_name, package_type, username; \
             delete_package_for_authenticated_user needs package_name, package_type"
        );
        let e = choose(r, Verb::Select, &Params::new()).unwrap_err();
        assert!(e.message().contains("given params (none)"), "{e}");
        let d = resource("docker_migration_packages").unwrap();
        let e = choose(d, Verb::Delete, &Params::new()).unwrap_err();
        assert!(e.message().contains("has no DELETE method"), "{e}");
    }

    #[test]
    fn verbs() {
        assert_eq!(Verb::Exec.to_string(), "EXEC");
        assert_eq!("select".parse::<Verb>().unwrap(), Verb::Select);
        assert_eq!(
            "UPSERT".parse::<Verb>().unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
