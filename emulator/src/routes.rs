//! Routing on the raw, percent-encoded request path.
//!
//! The path is split on literal `/` only, and each segment is percent-decoded
//! afterwards, so a package named `repo/image` (sent as `repo%2Fimage`) stays
//! one segment, and `%25`, `%3F`, `%23`, `%20`, `..%2F` and UTF-8 decode to the
//! literal characters.

use percent_encoding::percent_decode_str;

/// Whose packages a request is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `/user/...`: the authenticated caller.
    Me,
    /// `/orgs/{org}/...`.
    Org(String),
    /// `/users/{username}/...`.
    User(String),
}

/// The nine packages operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    ListPackages,
    DockerConflicts,
    GetPackage,
    DeletePackage,
    RestorePackage,
    ListVersions,
    GetVersion,
    DeleteVersion,
    RestoreVersion,
    /// `GET /user`: the authenticated user (not a packages operation).
    AuthenticatedUser,
}

impl Op {
    /// Whether the operation is a listing that pages.
    pub(crate) fn is_listing(self) -> bool {
        matches!(
            self,
            Op::ListPackages | Op::DockerConflicts | Op::ListVersions
        )
    }
}

/// A matched request: who, what, and the decoded path parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub scope: Scope,
    pub op: Op,
    /// The `{package_type}` path segment, not yet validated.
    pub package_type: Option<String>,
    /// The decoded `{package_name}`.
    pub name: Option<String>,
    pub version_id: Option<u64>,
}

impl Route {
    /// The endpoint key for secondary rate limits: method plus path template.
    pub(crate) fn endpoint(&self, method: &str) -> String {
        let prefix = match self.scope {
            Scope::Me => "/user",
            Scope::Org(_) => "/orgs/{org}",
            Scope::User(_) => "/users/{username}",
        };
        let rest = match self.op {
            Op::ListPackages => "/packages",
            Op::DockerConflicts => "/docker/conflicts",
            Op::GetPackage | Op::DeletePackage => "/packages/{package_type}/{package_name}",
            Op::RestorePackage => "/packages/{package_type}/{package_name}/restore",
            Op::ListVersions => "/packages/{package_type}/{package_name}/versions",
            Op::GetVersion | Op::DeleteVersion => {
                "/packages/{package_type}/{package_name}/versions/{package_version_id}"
            }
            Op::RestoreVersion => {
                "/packages/{package_type}/{package_name}/versions/{package_version_id}/restore"
            }
            Op::AuthenticatedUser => "",
        };
        format!("{method} {prefix}{rest}")
    }
}

fn decode(seg: &str) -> Option<String> {
    let s = percent_decode_str(seg).decode_utf8().ok()?.into_owned();
    (!s.is_empty()).then_some(s)
}

/// Matches a method and raw path against the 27 operations; `None` is a 404.
pub(crate) fn parse(method: &str, raw_path: &str) -> Option<Route> {
    let rest = raw_path.strip_prefix('/')?;
    let segs: Vec<&str> = rest.split('/').collect();
    let (scope, tail) = match segs.as_slice() {
        ["user", tail @ ..] => (Scope::Me, tail),
        ["orgs", org, tail @ ..] => (Scope::Org(decode(org)?), tail),
        ["users", user, tail @ ..] => (Scope::User(decode(user)?), tail),
        _ => return None,
    };
    let route = |op, ty: Option<&&str>, name: Option<&&str>, id: Option<&&str>| -> Option<Route> {
        Some(Route {
            scope: scope.clone(),
            op,
            package_type: match ty {
                Some(t) => Some(decode(t)?),
                None => None,
            },
            name: match name {
                Some(n) => Some(decode(n)?),
                None => None,
            },
            version_id: match id {
                Some(i) => Some(decode(i)?.parse().ok()?),
                None => None,
            },
        })
    };
    match (method, tail) {
        ("GET", []) if scope == Scope::Me => route(Op::AuthenticatedUser, None, None, None),
        ("GET", ["packages"]) => route(Op::ListPackages, None, None, None),
        ("GET", ["docker", "conflicts"]) => route(Op::DockerConflicts, None, None, None),
        ("GET", ["packages", t, n]) => route(Op::GetPackage, Some(t), Some(n), None),
        ("DELETE", ["packages", t, n]) => route(Op::DeletePackage, Some(t), Some(n), None),
        ("POST", ["packages", t, n, "restore"]) => {
            route(Op::RestorePackage, Some(t), Some(n), None)
        }
        ("GET", ["packages", t, n, "versions"]) => route(Op::ListVersions, Some(t), Some(n), None),
        ("GET", ["packages", t, n, "versions", id]) => {
            route(Op::GetVersion, Some(t), Some(n), Some(id))
        }
        ("DELETE", ["packages", t, n, "versions", id]) => {
            route(Op::DeleteVersion, Some(t), Some(n), Some(id))
        }
        ("POST", ["packages", t, n, "versions", id, "restore"]) => {
            route(Op::RestoreVersion, Some(t), Some(n), Some(id))
        }
        _ => None,
    }
}

/// Parses a raw query string into decoded pairs (`+` is a space, as in forms).
pub(crate) fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    let Some(raw) = raw else { return Vec::new() };
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_decode_str(&s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_slash_stays_in_one_segment() {
        let r = parse("GET", "/orgs/acme/packages/container/repo%2Fimage").unwrap();
        assert_eq!(r.name.as_deref(), Some("repo/image"));
        assert_eq!(r.op, Op::GetPackage);
        assert!(parse("GET", "/orgs/acme/packages/container/repo/image").is_none());
    }

    #[test]
    fn hostile_names_decode_literally() {
        for (enc, raw) in [
            ("..%2Fx", "../x"),
            ("100%25", "100%"),
            ("a%3Fb%23c", "a?b#c"),
            ("my%20app", "my app"),
            ("caf%C3%A9", "café"),
            ("a+b", "a+b"),
        ] {
            let r = parse("DELETE", &format!("/user/packages/npm/{enc}")).unwrap();
            assert_eq!(r.name.as_deref(), Some(raw));
        }
    }

    #[test]
    fn version_ids_are_64_bit() {
        let r = parse(
            "POST",
            "/users/u/packages/npm/x/versions/5000000001/restore",
        )
        .unwrap();
        assert_eq!(r.version_id, Some(5_000_000_001));
        assert!(parse("GET", "/users/u/packages/npm/x/versions/abc").is_none());
    }

    #[test]
    fn the_authenticated_user() {
        assert_eq!(parse("GET", "/user").unwrap().op, Op::AuthenticatedUser);
        assert!(parse("GET", "/users/octocat").is_none());
        assert!(parse("GET", "/orgs/acme").is_none());
        assert!(parse("DELETE", "/user").is_none());
    }

    #[test]
    fn query_decoding() {
        let q = parse_query(Some("a=1&b=x%20y+z&c"));
        assert_eq!(q[1], ("b".into(), "x y z".into()));
        assert_eq!(q[2], ("c".into(), String::new()));
    }
}
