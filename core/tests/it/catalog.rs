//! The StackQL-style catalog against the emulator over real HTTP: every
//! method reached by name, StackQL's method selection, row filtering, and
//! the errors raised before any request is sent.

use std::collections::BTreeSet;

use ghpkg::catalog::{self, Params, Verb};
use ghpkg::{Client, ErrorKind};
use ghpkg_emulator::{Emulator, DEMO_TOKEN};
use serde_json::{json, Value};

async fn setup() -> (Emulator, Client) {
    let emu = Emulator::demo().await.expect("start emulator");
    let client = Client::builder()
        .base_url(emu.url())
        .token(DEMO_TOKEN)
        .build()
        .expect("client");
    (emu, client)
}

fn params(v: Value) -> Params {
    v.as_object().cloned().expect("params must be an object")
}

/// `METHOD path` of every request the emulator logged, then clears the log.
fn take_calls(emu: &Emulator) -> Vec<String> {
    let calls = emu
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    emu.clear_requests();
    calls
}

/// One method, the params it is called with, and the request it must send.
struct Case {
    resource: &'static str,
    method: &'static str,
    params: Value,
    call: &'static str,
}

fn case(resource: &'static str, method: &'static str, params: Value, call: &'static str) -> Case {
    Case {
        resource,
        method,
        params,
        call,
    }
}

fn all_cases() -> Vec<Case> {
    let p = "github.packages.packages";
    let o = "github.packages.org_packages";
    let v = "package_versions";
    let d = "docker_migration_packages";
    let api = json!({"org": "acme", "package_type": "container", "package_name": "api/server"});
    vec![
        case(
            p,
            "get_package_for_organization",
            api.clone(),
            "GET /orgs/acme/packages/container/api%2Fserver",
        ),
        case(
            p,
            "get_package_for_user",
            json!({"username": "octocat", "package_type": "npm", "package_name": "hello-world"}),
            "GET /users/octocat/packages/npm/hello-world",
        ),
        case(
            p,
            "get_package_for_authenticated_user",
            json!({"package_type": "container", "package_name": "my app"}),
            "GET /user/packages/container/my%20app",
        ),
        case(
            p,
            "list_packages_for_organization",
            json!({"org": "acme", "package_type": "container"}),
            "GET /orgs/acme/packages",
        ),
        case(
            p,
            "list_packages_for_user",
            json!({"username": "octocat", "package_type": "npm"}),
            "GET /users/octocat/packages",
        ),
        case(
            p,
            "list_packages_for_authenticated_user",
            json!({"package_type": "maven"}),
            "GET /user/packages",
        ),
        case(
            p,
            "delete_package_for_org",
            json!({"org": "acme", "package_type": "npm", "package_name": "ui-kit"}),
            "DELETE /orgs/acme/packages/npm/ui-kit",
        ),
        case(
            p,
            "restore_package_for_org",
            json!({"org": "acme", "package_type": "npm", "package_name": "ui-kit"}),
            "POST /orgs/acme/packages/npm/ui-kit/restore",
        ),
        case(
            p,
            "delete_package_for_user",
            json!({"username": "octocat", "package_type": "rubygems", "package_name": "octo-gem"}),
            "DELETE /users/octocat/packages/rubygems/octo-gem",
        ),
        case(
            p,
            "restore_package_for_user",
            json!({"username": "octocat", "package_type": "rubygems", "package_name": "octo-gem"}),
            "POST /users/octocat/packages/rubygems/octo-gem/restore",
        ),
        case(
            p,
            "delete_package_for_authenticated_user",
            json!({"package_type": "maven", "package_name": "com.octocat.hello"}),
            "DELETE /user/packages/maven/com.octocat.hello",
        ),
        case(
            p,
            "restore_package_for_authenticated_user",
            json!({"package_type": "maven", "package_name": "com.octocat.hello"}),
            "POST /user/packages/maven/com.octocat.hello/restore",
        ),
        case(
            o,
            "get_package_for_organization",
            json!({"org": "acme", "package_type": "rubygems", "package_name": "acme-tools"}),
            "GET /orgs/acme/packages/rubygems/acme-tools",
        ),
        case(
            o,
            "list_packages_for_organization",
            json!({"org": "acme", "package_type": "docker"}),
            "GET /orgs/acme/packages",
        ),
        case(
            o,
            "delete_package_for_org",
            json!({"org": "acme", "package_type": "rubygems", "package_name": "acme-tools"}),
            "DELETE /orgs/acme/packages/rubygems/acme-tools",
        ),
        case(
            o,
            "restore_package_for_org",
            json!({"org": "acme", "package_type": "rubygems", "package_name": "acme-tools"}),
            "POST /orgs/acme/packages/rubygems/acme-tools/restore",
        ),
        case(
            v,
            "get_package_version_for_organization",
            json!({"org": "acme", "package_type": "container", "package_name": "api/server",
                    "package_version_id": 5_000_000_001u64}),
            "GET /orgs/acme/packages/container/api%2Fserver/versions/5000000001",
        ),
        case(
            v,
            "get_package_version_for_user",
            json!({"username": "octocat", "package_type": "npm", "package_name": "hello-world",
                    "package_version_id": "10012"}),
            "GET /users/octocat/packages/npm/hello-world/versions/10012",
        ),
        case(
            v,
            "get_package_version_for_authenticated_user",
            json!({"package_type": "container", "package_name": "hello-container",
                    "package_version_id": 10063}),
            "GET /user/packages/container/hello-container/versions/10063",
        ),
        case(
            v,
            "get_all_package_versions_for_package_owned_by_org",
            api.clone(),
            "GET /orgs/acme/packages/container/api%2Fserver/versions",
        ),
        case(
            v,
            "get_all_package_versions_for_package_owned_by_user",
            json!({"username": "octocat", "package_type": "npm", "package_name": "100%-pure"}),
            "GET /users/octocat/packages/npm/100%25-pure/versions",
        ),
        case(
            v,
            "get_all_package_versions_for_package_owned_by_authenticated_user",
            json!({"package_type": "nuget", "package_name": "Octo.Core", "state": "active"}),
            "GET /user/packages/nuget/Octo.Core/versions",
        ),
        case(
            v,
            "delete_package_version_for_org",
            json!({"org": "acme", "package_type": "container", "package_name": "api/server",
                    "package_version_id": 20014}),
            "DELETE /orgs/acme/packages/container/api%2Fserver/versions/20014",
        ),
        case(
            v,
            "restore_package_version_for_org",
            json!({"org": "acme", "package_type": "container", "package_name": "api/server",
                    "package_version_id": 20014}),
            "POST /orgs/acme/packages/container/api%2Fserver/versions/20014/restore",
        ),
        case(
            v,
            "delete_package_version_for_user",
            json!({"username": "octocat", "package_type": "npm", "package_name": "100%-pure",
                    "package_version_id": 10092}),
            "DELETE /users/octocat/packages/npm/100%25-pure/versions/10092",
        ),
        case(
            v,
            "restore_package_version_for_user",
            json!({"username": "octocat", "package_type": "npm", "package_name": "100%-pure",
                    "package_version_id": 10092}),
            "POST /users/octocat/packages/npm/100%25-pure/versions/10092/restore",
        ),
        case(
            v,
            "delete_package_version_for_authenticated_user",
            json!({"package_type": "nuget", "package_name": "Octo.Core", "package_version_id": 10052}),
            "DELETE /user/packages/nuget/Octo.Core/versions/10052",
        ),
        case(
            v,
            "restore_package_version_for_authenticated_user",
            json!({"package_type": "nuget", "package_name": "Octo.Core", "package_version_id": 10052}),
            "POST /user/packages/nuget/Octo.Core/versions/10052/restore",
        ),
        case(
            d,
            "list_docker_migration_conflicting_packages_for_organization",
            json!({"org": "acme"}),
            "GET /orgs/acme/docker/conflicts",
        ),
        case(
            d,
            "list_docker_migration_conflicting_packages_for_user",
            json!({"username": "octocat"}),
            "GET /users/octocat/docker/conflicts",
        ),
        case(
            d,
            "list_docker_migration_conflicting_packages_for_authenticated_user",
            json!({}),
            "GET /user/docker/conflicts",
        ),
    ]
}

#[tokio::test]
async fn every_method_is_reachable_by_exec() {
    let (emu, client) = setup().await;
    let mut reached = BTreeSet::new();
    for c in all_cases() {
        let res = catalog::resource(c.resource).unwrap();
        let method = res.method(c.method).unwrap();
        take_calls(&emu);
        let rows = client
            .catalog_exec(c.resource, c.method, &params(c.params.clone()))
            .await
            .unwrap_or_else(|e| panic!("{} {}: {e}", c.resource, c.method));
        let calls = take_calls(&emu);
        assert!(!calls.is_empty(), "{}: no request", c.method);
        for call in &calls {
            assert_eq!(call, c.call, "{} {}", c.resource, c.method);
        }
        if method.verb == Verb::Select {
            assert!(!rows.is_empty(), "{}: no rows", c.method);
            for row in &rows {
                let keys: Vec<&str> = row.keys().map(String::as_str).collect();
                assert_eq!(keys, res.fields, "{}", c.method);
            }
        } else {
            assert!(rows.is_empty(), "{}", c.method);
        }
        reached.insert((res.id, c.method));
    }
    let all: BTreeSet<_> = catalog::resources()
        .iter()
        .flat_map(|r| r.methods.iter().map(move |m| (r.id, m.name)))
        .collect();
    assert_eq!(reached, all);
}

#[tokio::test]
async fn select_runs_the_most_specific_method() {
    let (emu, client) = setup().await;
    let packages = catalog::resource("packages").unwrap();
    let cases = [
        (
            json!({"org": "acme", "package_type": "container", "package_name": "api/server"}),
            "get_package_for_organization",
            "GET /orgs/acme/packages/container/api%2Fserver",
        ),
        (
            json!({"username": "octocat", "package_type": "npm", "package_name": "hello-world"}),
            "get_package_for_user",
            "GET /users/octocat/packages/npm/hello-world",
        ),
        (
            json!({"package_type": "npm", "package_name": "hello-world"}),
            "get_package_for_authenticated_user",
            "GET /user/packages/npm/hello-world",
        ),
        (
            json!({"org": "acme", "package_type": "container"}),
            "list_packages_for_organization",
            "GET /orgs/acme/packages",
        ),
        (
            json!({"username": "octocat", "package_type": "npm"}),
            "list_packages_for_user",
            "GET /users/octocat/packages",
        ),
        (
            json!({"package_type": "npm", "org": null}),
            "list_packages_for_authenticated_user",
            "GET /user/packages",
        ),
    ];
    for (p, method, call) in cases {
        let p = params(p);
        assert_eq!(
            catalog::choose(packages, Verb::Select, &p).unwrap().name,
            method
        );
        take_calls(&emu);
        let rows = client
            .catalog_select("github.packages.packages", &p)
            .await
            .unwrap();
        let calls = take_calls(&emu);
        assert!(calls.iter().all(|c| c == call), "{method}: {calls:?}");
        if method.starts_with("get_") {
            assert_eq!(calls.len(), 1);
            assert_eq!(rows.len(), 1);
        }
    }

    // A get returns the one package, objects kept as objects.
    let p =
        params(json!({"org": "acme", "package_type": "container", "package_name": "api/server"}));
    let row = client
        .catalog_select("packages", &p)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(row["id"], 2001);
    assert_eq!(row["name"], "api/server");
    assert_eq!(row["package_type"], "container");
    assert_eq!(row["owner"]["login"], "acme");
    assert_eq!(row["repository"]["full_name"], "acme/api");

    // A list returns every page: acme has more than 250 containers.
    take_calls(&emu);
    let rows = client
        .catalog_select(
            "packages",
            &params(json!({"org": "acme", "package_type": "container"})),
        )
        .await
        .unwrap();
    assert!(rows.len() > 250, "{}", rows.len());
    assert!(take_calls(&emu).len() >= 3);
    let ids: BTreeSet<u64> = rows.iter().filter_map(|r| r["id"].as_u64()).collect();
    assert_eq!(ids.len(), rows.len(), "duplicate rows");

    // Versions: the list and the get, with a 64-bit id.
    let versions =
        params(json!({"org": "acme", "package_type": "container", "package_name": "api/server"}));
    let rows = client
        .catalog_select("package_versions", &versions)
        .await
        .unwrap();
    assert!(rows.iter().any(|r| r["id"] == 5_000_000_001u64));
    let mut one = versions.clone();
    one.insert("package_version_id".into(), json!("5000000001"));
    let res = catalog::resource("package_versions").unwrap();
    assert_eq!(
        catalog::choose(res, Verb::Select, &one).unwrap().name,
        "get_package_version_for_organization"
    );
    let rows = client
        .catalog_select("package_versions", &one)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let tags = &rows[0]["metadata"]["container"]["tags"];
    assert!(
        tags.as_array().unwrap().contains(&json!("latest")),
        "{tags}"
    );

    // Docker migration conflicts.
    let rows = client
        .catalog_select("docker_migration_packages", &params(json!({"org": "acme"})))
        .await
        .unwrap();
    assert!(rows.iter().any(|r| r["name"] == "legacy-api"), "{rows:?}");
}

#[tokio::test]
async fn field_params_filter_rows() {
    let (emu, client) = setup().await;
    let org = |extra: Value| {
        let mut p = params(json!({"org": "acme", "package_type": "container"}));
        p.extend(params(extra));
        p
    };
    let rows = client
        .catalog_select("packages", &org(json!({"name": "only-tag"})))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], 2008);

    // A string matches a number field by its decimal text.
    let rows = client
        .catalog_select("packages", &org(json!({"id": "2001"})))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "api/server");

    // visibility is a param of the listing: GitHub filters, and so do the rows.
    take_calls(&emu);
    let rows = client
        .catalog_select("packages", &org(json!({"visibility": "private"})))
        .await
        .unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["visibility"] == "private"));
    let logged = emu.requests();
    assert!(logged.iter().all(|r| r
        .query
        .as_deref()
        .unwrap_or("")
        .contains("visibility=private")));

    // For a get, visibility is a field filter: api/server is private.
    let get = org(json!({"package_name": "api/server", "visibility": "public"}));
    assert!(client
        .catalog_select("packages", &get)
        .await
        .unwrap()
        .is_empty());

    // Versions filtered by a field.
    let p = org(json!({"package_name": "api/server", "description": "linux/amd64"}));
    let rows = client.catalog_select("package_versions", &p).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], 20012);
}

#[tokio::test]
async fn unknown_params_are_errors_not_ignored() {
    let (emu, client) = setup().await;
    take_calls(&emu);
    let p = params(json!({"org": "acme", "package_type": "container", "nmae": "only-tag"}));
    let e = client.catalog_select("packages", &p).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("nmae"), "{e}");
    assert!(
        e.message().contains("list_packages_for_organization"),
        "{e}"
    );

    // A delete never filters: a field name is not accepted either.
    let p = params(
        json!({"org": "acme", "package_type": "npm", "package_name": "ui-kit",
                          "visibility": "private"}),
    );
    let e = client.catalog_delete("packages", &p).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("visibility"), "{e}");
    assert!(take_calls(&emu).is_empty());
}

#[tokio::test]
async fn no_matching_method_lists_what_each_needs() {
    let (emu, client) = setup().await;
    take_calls(&emu);
    let p = params(json!({"org": "acme", "package_type": "container"}));
    let e = client.catalog_delete("packages", &p).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.message(),
        "no DELETE method of github.packages.packages matches the given params (org, \
         package_type); delete_package_for_org needs org, package_name, package_type; \
         delete_package_for_user needs package_name, package_type, username; \
         delete_package_for_authenticated_user needs package_name, package_type"
    );
    let e = client
        .catalog_select("org_packages", &params(json!({"org": "acme"})))
        .await
        .unwrap_err();
    assert!(
        e.message()
            .contains("list_packages_for_organization needs org, package_type"),
        "{e}"
    );
    let e = client
        .catalog_delete("docker_migration_packages", &Params::new())
        .await
        .unwrap_err();
    assert!(e.message().contains("has no DELETE method"), "{e}");
    assert!(take_calls(&emu).is_empty());
}

#[tokio::test]
async fn delete_then_restore() {
    let (emu, client) = setup().await;
    let pkg = params(json!({"org": "acme", "package_type": "npm", "package_name": "ui-kit"}));
    let res = catalog::resource("packages").unwrap();
    assert_eq!(
        catalog::choose(res, Verb::Delete, &pkg).unwrap().name,
        "delete_package_for_org"
    );
    take_calls(&emu);
    client.catalog_delete("packages", &pkg).await.unwrap();
    assert_eq!(take_calls(&emu), ["DELETE /orgs/acme/packages/npm/ui-kit"]);

    let e = client.catalog_select("packages", &pkg).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let listed = client
        .catalog_select(
            "packages",
            &params(json!({"org": "acme", "package_type": "npm"})),
        )
        .await
        .unwrap();
    assert!(listed.iter().all(|r| r["name"] != "ui-kit"));

    take_calls(&emu);
    let rows = client
        .catalog_exec("packages", "restore_package_for_org", &pkg)
        .await
        .unwrap();
    assert!(rows.is_empty());
    assert_eq!(
        take_calls(&emu),
        ["POST /orgs/acme/packages/npm/ui-kit/restore"]
    );
    let rows = client.catalog_select("org_packages", &pkg).await.unwrap();
    assert_eq!(rows[0]["name"], "ui-kit");

    // The user and authenticated-user deletes are chosen the same way.
    let user = params(
        json!({"username": "octocat", "package_type": "nuget", "package_name": "Octo.Core"}),
    );
    assert_eq!(
        catalog::choose(res, Verb::Delete, &user).unwrap().name,
        "delete_package_for_user"
    );
    take_calls(&emu);
    client.catalog_delete("packages", &user).await.unwrap();
    assert_eq!(
        take_calls(&emu),
        ["DELETE /users/octocat/packages/nuget/Octo.Core"]
    );
    let own = params(json!({"package_type": "nuget", "package_name": "Octo.Core"}));
    assert_eq!(
        client
            .catalog_select("packages", &own)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    client
        .catalog_exec("packages", "restore_package_for_authenticated_user", &own)
        .await
        .unwrap();
    assert_eq!(
        client.catalog_select("packages", &own).await.unwrap().len(),
        1
    );

    // A version: deleted, listed with state=deleted, restored.
    let ver = params(
        json!({"org": "acme", "package_type": "container", "package_name": "api/server",
                            "package_version_id": 20013}),
    );
    client
        .catalog_delete("package_versions", &ver)
        .await
        .unwrap();
    let mut deleted = ver.clone();
    deleted.remove("package_version_id");
    deleted.insert("state".into(), json!("deleted"));
    deleted.insert("id".into(), json!(20013));
    let rows = client
        .catalog_select("package_versions", &deleted)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["deleted_at"].is_string(), "{:?}", rows[0]);
    client
        .catalog_exec("package_versions", "restore_package_version_for_org", &ver)
        .await
        .unwrap();
    assert_eq!(
        client
            .catalog_select("package_versions", &ver)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn unknown_resource_and_method() {
    let (emu, client) = setup().await;
    take_calls(&emu);
    let e = client
        .catalog_select("github.packages.pkgs", &Params::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    for id in [
        "github.packages.packages",
        "github.packages.org_packages",
        "github.packages.package_versions",
        "github.packages.docker_migration_packages",
    ] {
        assert!(e.message().contains(id), "{e}");
    }
    let e = client
        .catalog_exec("packages", "remove_package", &Params::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("restore_package_for_org"), "{e}");
    // org_packages has only the organization methods.
    let p = params(
        json!({"username": "octocat", "package_type": "npm", "package_name": "hello-world"}),
    );
    let e = client
        .catalog_exec("org_packages", "get_package_for_user", &p)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    // exec names the missing params.
    let p = params(json!({"org": "acme", "package_type": "npm"}));
    let e = client
        .catalog_exec("packages", "restore_package_for_org", &p)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("missing: package_name"), "{e}");
    assert!(take_calls(&emu).is_empty());
}

#[tokio::test]
async fn invalid_values_send_nothing() {
    let (emu, client) = setup().await;
    take_calls(&emu);
    let bad = [
        (
            "packages",
            json!({"org": "acme", "package_type": "containers"}),
        ),
        (
            "packages",
            json!({"org": "acme", "package_type": "container", "visibility": "secret"}),
        ),
        (
            "packages",
            json!({"org": ["acme"], "package_type": "container"}),
        ),
        ("packages", json!({"package_type": 3})),
        (
            "package_versions",
            json!({"package_type": "npm", "package_name": "x", "state": "gone"}),
        ),
    ];
    for (res, p) in bad {
        let e = client
            .catalog_select(res, &params(p.clone()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{p}: {e}");
    }
    for id in [
        json!(-1),
        json!(0),
        json!(1.5),
        json!(true),
        json!("12a"),
        json!({"id": 1}),
    ] {
        let p =
            json!({"package_type": "npm", "package_name": "hello-world", "package_version_id": id});
        let e = client
            .catalog_select("package_versions", &params(p))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id}: {e}");
    }
    let p = params(json!({"org": "acme", "package_type": "container", "package_name": ".."}));
    let e = client.catalog_delete("packages", &p).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(take_calls(&emu).is_empty(), "a request was sent");
}
