//! Running catalog methods: params are parsed and checked before any request,
//! then the matching client call runs and its objects become rows.

use serde::Serialize;
use serde_json::Value;

use super::{choose, method_named, Method, Op, Params, Resource, Row, Verb};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::models::{PackageType, VersionState, Visibility};
use crate::path::Owner;

/// A method's arguments, parsed from [`Params`].
#[derive(Debug)]
struct Args<'a> {
    owner: Owner,
    package_type: Option<PackageType>,
    package_name: Option<&'a str>,
    version_id: Option<u64>,
    visibility: Option<Visibility>,
    state: Option<VersionState>,
    token: Option<&'a str>,
    /// Field filters for `SELECT` rows: (field, wanted value).
    filters: Vec<(&'a str, &'a Value)>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string param; `null` or absent is `None`, any other type is an error.
fn string_param<'a>(params: &'a Params, name: &str) -> Result<Option<&'a str>> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(Error::invalid(format!(
            "param {name} must be a string, got {}",
            type_name(other)
        ))),
    }
}

/// A param parsed by its enum (`package_type`, `visibility`, `state`).
fn enum_param<T: std::str::FromStr<Err = Error>>(params: &Params, name: &str) -> Result<Option<T>> {
    string_param(params, name)?.map(str::parse).transpose()
}

/// `package_version_id`: a positive integer, as a JSON number or a decimal string.
fn version_id_param(params: &Params) -> Result<Option<u64>> {
    const NAME: &str = "package_version_id";
    let bad = |shown: String| {
        Error::invalid(format!(
            "param {NAME} must be a positive integer (a number or a decimal string), got {shown}"
        ))
    };
    match params.get(NAME) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(id) if id > 0 => Ok(Some(id)),
            _ => Err(bad(n.to_string())),
        },
        Some(Value::String(s)) => {
            let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            match s.parse::<u64>() {
                Ok(id) if digits && id > 0 => Ok(Some(id)),
                _ => Err(bad(format!("{s:?}"))),
            }
        }
        Some(other) => Err(bad(type_name(other).to_owned())),
    }
}

fn parse_args<'a>(resource: &Resource, method: &Method, params: &'a Params) -> Result<Args<'a>> {
    let missing = method.missing(params);
    if !missing.is_empty() {
        return Err(Error::invalid(format!(
            "{} of {} needs {}; missing: {}",
            method.name,
            resource.id,
            method.required.join(", "),
            missing.join(", ")
        )));
    }
    let mut filters = Vec::new();
    let mut unknown = Vec::new();
    for (name, value) in params {
        // `null` is absent: neither a param nor a filter, whatever its name.
        if value.is_null() || method.takes(name) {
            continue;
        }
        if method.verb == Verb::Select && resource.has_field(name) {
            filters.push((name.as_str(), value));
        } else {
            unknown.push(name.as_str());
        }
    }
    if !unknown.is_empty() {
        let takes: Vec<&str> = method
            .required
            .iter()
            .chain(method.optional)
            .copied()
            .collect();
        let takes = if takes.is_empty() {
            "no params".to_owned()
        } else {
            takes.join(", ")
        };
        let filters = if method.verb == Verb::Select {
            format!(
                ", and these fields filter its rows: {}",
                resource.fields.join(", ")
            )
        } else {
            String::new()
        };
        return Err(Error::invalid(format!(
            "unknown param{} {} for {} of {}: it takes {takes}{filters}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            method.name,
            resource.id
        )));
    }
    let owner = if method.required.contains(&"org") {
        Owner::Org(string_param(params, "org")?.unwrap_or_default().to_owned())
    } else if method.required.contains(&"username") {
        Owner::User(
            string_param(params, "username")?
                .unwrap_or_default()
                .to_owned(),
        )
    } else {
        Owner::AuthenticatedUser
    };
    let takes = |name: &str| method.takes(name);
    Ok(Args {
        owner,
        package_type: if takes("package_type") {
            enum_param(params, "package_type")?
        } else {
            None
        },
        package_name: if takes("package_name") {
            string_param(params, "package_name")?
        } else {
            None
        },
        version_id: if takes("package_version_id") {
            version_id_param(params)?
        } else {
            None
        },
        visibility: if takes("visibility") {
            enum_param(params, "visibility")?
        } else {
            None
        },
        state: if takes("state") {
            enum_param(params, "state")?
        } else {
            None
        },
        token: if takes("token") {
            string_param(params, "token")?
        } else {
            None
        },
        filters,
    })
}

/// Unwraps a required argument (present once `parse_args` succeeded).
fn need<T>(value: Option<T>, name: &str) -> Result<T> {
    value.ok_or_else(|| Error::invalid(format!("param {name} is required")))
}

/// Whether a row's field value equals a wanted filter value. Numbers also
/// match strings holding their decimal text, either way round.
fn matches(field: Option<&Value>, want: &Value) -> bool {
    let Some(field) = field else { return false };
    if field == want {
        return true;
    }
    match (field, want) {
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            n.to_string() == *s
        }
        _ => false,
    }
}

/// Turns objects into rows with exactly the resource's fields and keeps
/// those that pass every filter.
fn rows<T: Serialize>(
    items: impl IntoIterator<Item = T>,
    resource: &Resource,
    filters: &[(&str, &Value)],
) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for item in items {
        let value = serde_json::to_value(item).map_err(|e| {
            Error::decode(format!(
                "could not turn a {} row into JSON: {e}",
                resource.id
            ))
        })?;
        let Value::Object(mut obj) = value else {
            return Err(Error::decode(format!(
                "a {} row is not a JSON object",
                resource.id
            )));
        };
        let row: Row = resource
            .fields
            .iter()
            .map(|f| ((*f).to_owned(), obj.remove(*f).unwrap_or(Value::Null)))
            .collect();
        if filters.iter().all(|(f, want)| matches(row.get(*f), want)) {
            out.push(row);
        }
    }
    Ok(out)
}

impl Client {
    /// Runs a `SELECT` on a catalog resource (`packages` or
    /// `github.packages.packages`, ...): picks the method with [`choose`],
    /// calls it, and returns its objects as rows, every page of a listing
    /// included. Params the method does not take but that name a field
    /// filter the rows by equality.
    ///
    /// Errors: `InvalidArgument`, before any request, for an unknown
    /// resource, params no method matches, a param that is neither taken
    /// nor a field, or a value that does not parse; otherwise the errors of
    /// the underlying call.
    pub async fn catalog_select(&self, resource: &str, params: &Params) -> Result<Vec<Row>> {
        let res = super::resource(resource)?;
        let method = choose(res, Verb::Select, params)?;
        self.run_method(res, method, params).await
    }

    /// Runs a `DELETE` on a catalog resource: picks the method with
    /// [`choose`] (e.g. `delete_package_for_org` when `org` is given) and
    /// calls it. Params the method does not take are `InvalidArgument`:
    /// a delete never filters.
    pub async fn catalog_delete(&self, resource: &str, params: &Params) -> Result<()> {
        let res = super::resource(resource)?;
        let method = choose(res, Verb::Delete, params)?;
        self.run_method(res, method, params).await.map(drop)
    }

    /// Calls any method of a catalog resource by name, whatever its verb,
    /// e.g. `restore_package_for_org`. Returns rows for `SELECT` methods
    /// (filtered by field params as in [`Client::catalog_select`]) and an empty
    /// `Vec` otherwise. An unknown method name is `InvalidArgument` listing
    /// the resource's methods; missing required params are
    /// `InvalidArgument` naming them.
    pub async fn catalog_exec(
        &self,
        resource: &str,
        method: &str,
        params: &Params,
    ) -> Result<Vec<Row>> {
        let res = super::resource(resource)?;
        let method = method_named(res, method)?;
        self.run_method(res, method, params).await
    }

    async fn run_method(
        &self,
        res: &Resource,
        method: &Method,
        params: &Params,
    ) -> Result<Vec<Row>> {
        let a = parse_args(res, method, params)?;
        tracing::debug!(resource = res.id, method = method.name, "catalog call");
        let owner = &a.owner;
        let ty = || need(a.package_type, "package_type");
        let name = || need(a.package_name, "package_name");
        let id = || need(a.version_id, "package_version_id");
        let f = &a.filters[..];
        match method.op {
            Op::GetPackage => rows([self.get_package(owner, ty()?, name()?).await?], res, f),
            Op::ListPackages => {
                let all = self
                    .list_packages(owner, ty()?, a.visibility)
                    .collect_all()
                    .await?;
                rows(all, res, f)
            }
            Op::DeletePackage => {
                self.delete_package(owner, ty()?, name()?).await?;
                Ok(Vec::new())
            }
            Op::RestorePackage => {
                self.restore_package(owner, ty()?, name()?, a.token).await?;
                Ok(Vec::new())
            }
            Op::GetVersion => {
                let v = self.get_version(owner, ty()?, name()?, id()?).await?;
                rows([v], res, f)
            }
            Op::ListVersions => {
                let all = self
                    .list_versions(owner, ty()?, name()?, a.state)
                    .collect_all()
                    .await?;
                rows(all, res, f)
            }
            Op::DeleteVersion => {
                self.delete_version(owner, ty()?, name()?, id()?).await?;
                Ok(Vec::new())
            }
            Op::RestoreVersion => {
                self.restore_version(owner, ty()?, name()?, id()?).await?;
                Ok(Vec::new())
            }
            Op::DockerConflicts => rows(self.docker_conflicts(owner).collect_all().await?, res, f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::resource;
    use super::*;
    use crate::ErrorKind;
    use serde_json::json;

    fn params(v: Value) -> Params {
        v.as_object().cloned().unwrap_or_default()
    }

    fn with_args<R>(res: &str, method: &str, v: Value, f: impl FnOnce(Result<Args<'_>>) -> R) -> R {
        let p = params(v);
        let r = resource(res).unwrap();
        let m = method_named(r, method).unwrap();
        f(parse_args(r, m, &p))
    }

    fn arg_error(res: &str, method: &str, v: Value) -> Error {
        with_args(res, method, v, |a| a.unwrap_err())
    }

    #[test]
    fn version_ids() {
        let get = |v: Value| version_id_param(&params(json!({"package_version_id": v})));
        assert_eq!(get(json!(5_000_000_001u64)).unwrap(), Some(5_000_000_001));
        assert_eq!(get(json!("20012")).unwrap(), Some(20012));
        assert_eq!(get(Value::Null).unwrap(), None);
        for bad in [
            json!(-1),
            json!(0),
            json!(1.5),
            json!("+5"),
            json!(" 5"),
            json!("x"),
            json!(""),
            json!(true),
            json!([1]),
            json!({}),
        ] {
            let e = get(bad.clone()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn args_are_checked() {
        let p = json!({"org": "acme", "package_type": "container", "package_name": "a/b",
                       "name": "x", "visibility": "public"});
        with_args("packages", "get_package_for_organization", p, |a| {
            let a = a.unwrap();
            assert_eq!(a.owner, Owner::org("acme"));
            assert_eq!(a.package_type, Some(PackageType::Container));
            assert_eq!(a.package_name, Some("a/b"));
            // visibility is not a param of the get: it filters.
            let filters: Vec<&str> = a.filters.iter().map(|(f, _)| *f).collect();
            assert_eq!(filters, ["name", "visibility"]);
        });

        let list = "list_packages_for_organization";
        let e = arg_error(
            "packages",
            list,
            json!({"org": "acme", "package_type": "containers"}),
        );
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("unknown package type"), "{e}");

        let e = arg_error("packages", list, json!({"org": 7, "package_type": "npm"}));
        assert!(
            e.message()
                .contains("param org must be a string, got a number"),
            "{e}"
        );

        let p = json!({"org": "acme", "package_type": "npm", "nmae": "x", "username": "u"});
        let e = arg_error("packages", list, p);
        let want = "unknown params nmae, username for list_packages_for_organization";
        assert!(e.message().starts_with(want), "{e}");

        let p = json!({"org": "acme", "package_type": "npm", "username": null, "name": null});
        with_args("packages", list, p, |a| {
            assert!(a.unwrap().filters.is_empty())
        });

        let p = json!({"org": "acme", "package_type": "npm", "package_name": "x", "name": "x"});
        let e = arg_error("packages", "delete_package_for_org", p);
        assert!(
            e.message()
                .starts_with("unknown param name for delete_package_for_org"),
            "{e}"
        );

        let p = json!({"org": "acme", "package_type": "npm"});
        let e = arg_error("packages", "restore_package_for_org", p);
        assert!(e.message().ends_with("missing: package_name"), "{e}");

        let p = json!({"package_type": "npm", "package_name": "p", "state": "gone"});
        let m = "get_all_package_versions_for_package_owned_by_authenticated_user";
        let e = arg_error("package_versions", m, p);
        assert!(e.message().contains("unknown version state"), "{e}");
    }

    #[test]
    fn rows_project_and_filter() {
        #[derive(Serialize)]
        struct P {
            id: u64,
            name: &'static str,
            secret_extra: u8,
        }
        let r = resource("packages").unwrap();
        let items = [
            P {
                id: 7,
                name: "a",
                secret_extra: 1,
            },
            P {
                id: 8,
                name: "b",
                secret_extra: 2,
            },
        ];
        let want = json!("8");
        let out = rows(items, r, &[("id", &want)]).unwrap();
        assert_eq!(out.len(), 1);
        let keys: Vec<&str> = out[0].keys().map(String::as_str).collect();
        assert_eq!(keys, r.fields);
        assert_eq!(out[0]["name"], "b");
        assert_eq!(out[0]["owner"], Value::Null);
        assert!(matches(Some(&json!(5)), &json!(5)));
        assert!(!matches(Some(&json!(5)), &json!("05")));
        assert!(!matches(None, &json!(5)));
    }
}
