//! Every kind of JSON the emulator sends validates against GitHub's OpenAPI
//! description, and all 27 operations of the description are served.

use std::path::PathBuf;

use ghpkg_emulator::{Emulator, Fault, FaultRule, DEMO_TOKEN, NO_SCOPES_TOKEN};
use serde_json::{json, Map, Value};

use crate::common::{call, enc, get, Resp};

fn spec() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/spec/packages-openapi.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the OpenAPI description must exist at {}: {e}",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("the OpenAPI description is JSON")
}

/// Turns OpenAPI 3.0 schema dialect into JSON Schema draft 7: `nullable: true`
/// becomes a `null` type, and component references point into `definitions`.
fn convert(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                match k.as_str() {
                    "nullable" | "example" | "examples" => {}
                    "$ref" => {
                        let r = val.as_str().unwrap();
                        let name = r
                            .strip_prefix("#/components/schemas/")
                            .unwrap_or_else(|| panic!("ref {r}"));
                        out.insert(k.clone(), json!(format!("#/definitions/{name}")));
                    }
                    _ => {
                        out.insert(k.clone(), convert(val));
                    }
                }
            }
            if m.get("nullable") == Some(&Value::Bool(true)) {
                match out.get("type").cloned() {
                    Some(Value::String(t)) => {
                        out.insert("type".into(), json!([t, "null"]));
                    }
                    Some(_) => {}
                    None => {
                        let inner = Value::Object(out);
                        return json!({"anyOf": [inner, {"type": "null"}]});
                    }
                }
                if let Some(Value::Array(e)) = out.get_mut("enum") {
                    e.push(Value::Null);
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(convert).collect()),
        other => other.clone(),
    }
}

struct Spec {
    doc: Value,
    definitions: Value,
}

impl Spec {
    fn load() -> Spec {
        let doc = spec();
        let definitions = convert(&doc["components"]["schemas"]);
        Spec { doc, definitions }
    }

    /// The response schema of an operation for a status, following `components/responses` refs.
    fn response_schema(&self, method: &str, template: &str, status: &str) -> Value {
        let op = &self.doc["paths"][template][method.to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "{method} {template} is not in the description"
        );
        let mut resp = op["responses"][status].clone();
        if let Some(r) = resp["$ref"].as_str() {
            let name = r.strip_prefix("#/components/responses/").unwrap();
            resp = self.doc["components"]["responses"][name].clone();
        }
        resp["content"]["application/json"]["schema"].clone()
    }

    fn validate(&self, schema: &Value, instance: &Value, what: &str) {
        let mut root = convert(schema);
        root.as_object_mut()
            .unwrap()
            .insert("definitions".into(), self.definitions.clone());
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .build(&root)
            .expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match the schema: {errors:#?}\n{instance:#}"
        );
    }

    fn validate_error(&self, r: &Resp, what: &str) {
        let schema = json!({"$ref": "#/components/schemas/basic-error"});
        let body = r.json();
        assert!(body["message"].is_string(), "{what}: no message in {body}");
        self.validate(&schema, &body, what);
    }
}

/// The 27 operations: method, path template, and the expected success status.
const OPERATIONS: [(&str, &str, u16); 9] = [
    ("GET", "/packages", 200),
    ("GET", "/docker/conflicts", 200),
    ("GET", "/packages/{package_type}/{package_name}", 200),
    (
        "GET",
        "/packages/{package_type}/{package_name}/versions",
        200,
    ),
    (
        "GET",
        "/packages/{package_type}/{package_name}/versions/{package_version_id}",
        200,
    ),
    (
        "DELETE",
        "/packages/{package_type}/{package_name}/versions/{package_version_id}",
        204,
    ),
    (
        "POST",
        "/packages/{package_type}/{package_name}/versions/{package_version_id}/restore",
        204,
    ),
    ("DELETE", "/packages/{package_type}/{package_name}", 204),
    (
        "POST",
        "/packages/{package_type}/{package_name}/restore",
        204,
    ),
];

#[tokio::test]
async fn all_27_operations_exist_in_the_spec_and_are_served_with_valid_bodies() {
    let spec = Spec::load();
    let spec_ops: usize = spec.doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| {
            p.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "delete"].contains(&k.as_str()))
                .count()
        })
        .sum();
    assert_eq!(spec_ops, 27, "the description holds 27 operations");

    let emu = Emulator::demo().await.unwrap();
    let owners = [
        ("/user", "/user", "octocat", "hello-container", 10063_u64),
        ("/orgs/{org}", "/orgs/acme", "acme", "api%2Fserver", 20012),
        (
            "/users/{username}",
            "/users/octocat",
            "octocat",
            "hello-container",
            10063,
        ),
    ];
    let mut served = 0;
    for (template_prefix, prefix, _owner, name, version) in owners {
        for (method, suffix, ok) in OPERATIONS {
            let template = format!("{template_prefix}{suffix}");
            let schema = spec.response_schema(method, &template, &ok.to_string());
            let path = format!("{prefix}{suffix}")
                .replace("{package_type}", "container")
                .replace("{package_name}", name)
                .replace("{package_version_id}", &version.to_string());
            let path = if suffix == "/packages" {
                format!("{path}?package_type=container")
            } else {
                path
            };
            let r = call(&emu, method, &path, Some(DEMO_TOKEN)).await;
            assert_eq!(r.status, ok, "{method} {path}: {}", r.text);
            if ok == 200 {
                let body = r.json();
                if let Some(items) = body.as_array() {
                    assert!(!items.is_empty(), "{method} {path} listed nothing");
                }
                spec.validate(&schema, &body, &format!("{method} {template}"));
            } else {
                assert!(r.text.is_empty(), "204 has no body");
            }
            served += 1;
        }
    }
    assert_eq!(served, 27);
}

#[tokio::test]
async fn every_package_and_version_of_the_demo_validates() {
    let spec = Spec::load();
    let emu = Emulator::demo().await.unwrap();
    let list_schema = spec.response_schema("GET", "/orgs/{org}/packages", "200");
    let versions_schema = spec.response_schema(
        "GET",
        "/orgs/{org}/packages/{package_type}/{package_name}/versions",
        "200",
    );
    for (prefix, owner) in [("/orgs/acme", "acme"), ("/users/octocat", "octocat")] {
        for ty in ["npm", "maven", "rubygems", "docker", "nuget", "container"] {
            let r = get(
                &emu,
                &format!("{prefix}/packages?package_type={ty}&per_page=100"),
                Some(DEMO_TOKEN),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let body = r.json();
            assert!(
                !body.as_array().unwrap().is_empty(),
                "{owner} has {ty} packages"
            );
            spec.validate(&list_schema, &body, &format!("{owner} {ty} packages"));
            for p in body.as_array().unwrap().iter().take(12) {
                let name = enc(p["name"].as_str().unwrap());
                for state in ["active", "deleted"] {
                    let path = format!("{prefix}/packages/{ty}/{name}/versions?state={state}");
                    let r = get(&emu, &path, Some(DEMO_TOKEN)).await;
                    assert_eq!(r.status, 200, "{path}: {}", r.text);
                    spec.validate(&versions_schema, &r.json(), &path);
                }
            }
        }
    }
    // A deleted version carries deleted_at and still validates.
    let r = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions?state=deleted",
        Some(DEMO_TOKEN),
    )
    .await;
    assert!(r.json()[0]["deleted_at"].is_string());
}

#[tokio::test]
async fn every_error_body_validates() {
    let spec = Spec::load();
    let emu = Emulator::builder()
        .fixture(ghpkg_emulator::Fixture::demo())
        .secondary_points_per_minute(5)
        .start()
        .await
        .unwrap();
    let cases: Vec<(&str, &str, Option<&str>, u16)> = vec![
        ("GET", "/nope", Some(DEMO_TOKEN), 404),
        ("GET", "/user/packages?package_type=npm", None, 401),
        (
            "GET",
            "/user/packages?package_type=npm",
            Some("ghp_unknown"),
            401,
        ),
        (
            "GET",
            "/user/packages?package_type=npm",
            Some(NO_SCOPES_TOKEN),
            403,
        ),
        (
            "GET",
            "/orgs/acme/packages/npm/missing",
            Some(DEMO_TOKEN),
            404,
        ),
        ("GET", "/orgs/acme/packages", Some(DEMO_TOKEN), 422),
        (
            "GET",
            "/orgs/acme/packages?package_type=npm&page=101&per_page=100",
            Some(DEMO_TOKEN),
            400,
        ),
        (
            "DELETE",
            "/orgs/acme/packages/npm/single-version/versions/20091",
            Some(DEMO_TOKEN),
            400,
        ),
        (
            "DELETE",
            "/users/octocat/packages/npm/hello-world",
            Some(DEMO_TOKEN),
            400,
        ),
        (
            "POST",
            "/orgs/acme/packages/npm/ui-kit/restore",
            Some(DEMO_TOKEN),
            404,
        ),
    ];
    for (method, path, token, status) in cases {
        let r = call(&emu, method, path, token).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.text);
        spec.validate_error(&r, &format!("{method} {path}"));
    }
    // Secondary limit: 5 points, DELETE costs 5.
    let path = "/orgs/acme/packages/npm/nothing-here";
    let _ = call(&emu, "DELETE", path, Some(DEMO_TOKEN)).await;
    let r = call(&emu, "DELETE", path, Some(DEMO_TOKEN)).await;
    assert_eq!(r.status, 403);
    spec.validate_error(&r, "secondary rate limit");
    for fault in [
        Fault::Status(500),
        Fault::Status(502),
        Fault::Status(503),
        Fault::primary_rate_limit(),
        Fault::SecondaryRateLimit {
            retry_after_seconds: Some(1),
            status: 429,
        },
    ] {
        emu.inject(FaultRule::new(fault.clone()));
        let r = get(
            &emu,
            "/orgs/acme/packages?package_type=npm",
            Some(DEMO_TOKEN),
        )
        .await;
        assert!(r.status >= 400);
        spec.validate_error(&r, &format!("{fault:?}"));
    }
}

#[tokio::test]
async fn the_schema_check_itself_rejects_broken_bodies() {
    let spec = Spec::load();
    let emu = Emulator::demo().await.unwrap();
    let schema = spec.response_schema(
        "GET",
        "/orgs/{org}/packages/{package_type}/{package_name}",
        "200",
    );
    let good = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver",
        Some(DEMO_TOKEN),
    )
    .await
    .json();
    spec.validate(&schema, &good, "the real package");
    let validator_rejects = |mutate: &dyn Fn(&mut Value)| {
        let mut bad = good.clone();
        mutate(&mut bad);
        let result = std::panic::catch_unwind(|| spec.validate(&schema, &bad, "mutated"));
        assert!(result.is_err(), "accepted {bad}");
    };
    validator_rejects(&|v| {
        v.as_object_mut().unwrap().remove("html_url");
    });
    validator_rejects(&|v| v["id"] = json!("2001"));
    validator_rejects(&|v| v["visibility"] = json!("internal"));
    validator_rejects(&|v| {
        v["owner"].as_object_mut().unwrap().remove("node_id");
    });
    validator_rejects(&|v| v["repository"]["fork"] = json!("no"));
    validator_rejects(&|v| v["created_at"] = json!("yesterday"));
    // A null owner is allowed (nullable-simple-user).
    let mut anonymous = good.clone();
    anonymous["owner"] = Value::Null;
    spec.validate(&schema, &anonymous, "null owner");
}
