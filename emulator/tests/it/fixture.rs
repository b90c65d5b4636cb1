//! The fixture format, the builders, and the demo dataset's promises.

use ghpkg_emulator::{
    Emulator, Fixture, FixtureError, GeneratedPackages, PackageSpec, TokenKind, TokenSpec,
    VersionSpec, ACTIONS_TOKEN, APP_TOKEN, DEMO_TOKEN, DEMO_TOKENS, FINE_GRAINED_TOKEN,
    HUBOT_TOKEN, NO_SCOPES_TOKEN, OAUTH_TOKEN, READ_ONLY_TOKEN, USER_TO_SERVER_TOKEN,
};

use crate::common::get;

#[test]
fn json_round_trip_and_minimal_documents() {
    let demo = Fixture::demo();
    let again = Fixture::from_json(&demo.to_json()).unwrap();
    assert_eq!(demo, again);

    let f = Fixture::from_json(
        r#"{
          "users": [{"login": "octocat", "id": 1}],
          "orgs": [{"login": "acme", "admins": ["octocat"]}],
          "tokens": [{"token": "ghp_x", "user": "octocat", "kind": "classic", "scopes": ["read:packages"]},
                     {"token": "gho_x", "user": "octocat", "kind": "oauth"},
                     {"token": "github_pat_x", "user": "octocat", "kind": "fine_grained"},
                     {"token": "ghu_x", "user": "octocat", "kind": "user_to_server"},
                     {"token": "ghs_x", "user": "bot", "kind": "actions", "repository": "acme/api", "rate_limit": 10}],
          "packages": [{"owner": "acme", "name": "api/server", "package_type": "container",
                        "versions": [{"name": "sha256:00", "tags": ["latest"], "id": 5000000001}]}]
        }"#,
    )
    .unwrap();
    assert_eq!(f.tokens[1].kind, TokenKind::OAuth);
    assert_eq!(f.tokens[4].kind, TokenKind::Actions);
    assert_eq!(f.packages[0].visibility, "private", "private by default");
    assert_eq!(f.packages[0].versions[0].id, Some(5_000_000_001));
    assert!(Fixture::from_json("{}").unwrap().packages.is_empty());
    assert!(matches!(
        Fixture::from_json("{"),
        Err(FixtureError::Json(_))
    ));
    assert!(matches!(
        Fixture::from_file("/nonexistent.json"),
        Err(FixtureError::Io(_))
    ));
}

#[test]
fn a_field_the_format_does_not_have_is_named() {
    for (text, field) in [
        (
            r#"{"generate": [{"owner": "big", "package_type": "npm", "count": 3}]}"#,
            "generate",
        ),
        (
            r#"{"users": [{"login": "octocat", "email": "x"}]}"#,
            "email",
        ),
        (
            r#"{"packages": [{"owner": "a", "name": "x", "package_type": "npm", "visiblity": "public"}]}"#,
            "visiblity",
        ),
        (
            r#"{"packages": [{"owner": "a", "name": "x", "package_type": "npm", "versions": [{"name": "1", "tag": ["a"]}]}]}"#,
            "tag",
        ),
        (
            r#"{"tokens": [{"token": "ghp_x", "user": "a", "kind": "classic", "scope": []}]}"#,
            "scope",
        ),
        (r#"{"orgs": [{"login": "a", "admin": []}]}"#, "admin"),
        (
            r#"{"generated": [{"owner": "a", "package_type": "npm", "count": 1, "prefix": "x"}]}"#,
            "prefix",
        ),
    ] {
        match Fixture::from_json(text) {
            Err(FixtureError::Json(e)) => {
                assert!(
                    e.to_string().contains(&format!("unknown field `{field}`")),
                    "{e}"
                )
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn invalid_fixtures_do_not_start() {
    let bad = [
        Fixture::empty().package(PackageSpec::new("a", "x", "pypi")),
        Fixture::empty().package(PackageSpec::new("a", "x", "npm").visibility("secret")),
        Fixture::empty().package(PackageSpec::new("a", "", "npm")),
        Fixture::empty()
            .package(PackageSpec::new("a", "x", "npm"))
            .package(PackageSpec::new("a", "x", "npm")),
        Fixture::empty()
            .package(PackageSpec::new("a", "x", "npm").id(7))
            .package(PackageSpec::new("a", "y", "npm").id(7)),
        Fixture::empty().package(PackageSpec::new("a", "x", "npm").repository("no-slash")),
        Fixture::empty().generated(GeneratedPackages::new("a", "pypi", 1)),
        Fixture::empty()
            .package(PackageSpec::new("a", "pkg-00002", "npm"))
            .generated(GeneratedPackages::new("a", "npm", 3)),
        Fixture::empty()
            .generated(GeneratedPackages::new("a", "npm", 600_000))
            .generated(GeneratedPackages::new("b", "npm", 400_001)),
        Fixture::empty().generated(GeneratedPackages::new("a", "npm", u64::MAX)),
    ];
    for f in bad {
        let err = Emulator::start(f).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
    }
}

#[tokio::test]
async fn builders_assign_ids_and_create_missing_accounts() {
    let fixture = Fixture::empty()
        .org("acme", &["alice"])
        .org_members("acme", &["bob"])
        .token(TokenSpec::classic("ghp_bob", "bob", &["read:packages"]))
        .package(
            PackageSpec::new("acme", "lib", "npm")
                .repository("acme/lib")
                .version(
                    VersionSpec::new("1.0.0")
                        .license("MIT")
                        .description("first"),
                )
                .version(VersionSpec::new("1.1.0")),
        );
    let emu = Emulator::start(fixture).await.unwrap();
    let r = get(&emu, "/orgs/acme/packages/npm/lib", Some("ghp_bob")).await;
    assert_eq!(r.status, 200, "bob is a member");
    assert_eq!(r.json()["repository"]["full_name"], "acme/lib");
    assert_eq!(r.json()["owner"]["type"], "Organization");
    emu.with_state(|s| {
        assert!(s.account("alice").is_some() && s.account("bob").is_some());
        assert!(
            s.is_admin("acme", "alice") && !s.is_admin("acme", "bob") && s.is_member("acme", "bob")
        );
        let p = s.package("acme", "npm", "lib").unwrap();
        assert_eq!(p.version_count(), 2);
        let pid = p.id;
        let vid = s.add_version(pid, VersionSpec::new("2.0.0")).unwrap();
        assert_eq!(
            s.package_by_id(pid).unwrap().version(vid).unwrap().name,
            "2.0.0"
        );
    });
    let r = get(
        &emu,
        "/orgs/acme/packages/npm/lib/versions",
        Some("ghp_bob"),
    )
    .await;
    assert_eq!(r.names()[0], "2.0.0", "the newest version is listed first");
    assert_eq!(r.json()[2]["license"], "MIT");
}

#[tokio::test]
async fn the_demo_keeps_its_promises() {
    let demo = Fixture::demo();
    let acme_containers = demo
        .packages
        .iter()
        .filter(|p| p.owner == "acme" && p.package_type == "container")
        .count();
    assert!(acme_containers >= 250);
    for owner in ["acme", "octocat"] {
        for ty in ghpkg_emulator::PACKAGE_TYPES {
            assert!(
                demo.packages
                    .iter()
                    .any(|p| p.owner == owner && p.package_type == ty),
                "{owner} {ty}"
            );
        }
        assert!(demo
            .packages
            .iter()
            .any(|p| p.owner == owner && p.migration_conflict));
    }
    let names: Vec<&str> = demo.packages.iter().map(|p| p.name.as_str()).collect();
    assert!(names.iter().any(|n| n.contains(' ')));
    assert!(names.iter().any(|n| n.contains('%')));
    assert!(names.iter().any(|n| !n.is_ascii()));
    assert!(demo
        .packages
        .iter()
        .flat_map(|p| &p.versions)
        .any(|v| v.id.unwrap_or(0) > u64::from(u32::MAX)));
    assert_eq!(Fixture::demo(), demo, "deterministic");
    let classic = &demo.tokens[0];
    assert_eq!(
        (classic.token.as_str(), classic.kind),
        (DEMO_TOKEN, TokenKind::Classic)
    );
    let actions = demo
        .tokens
        .iter()
        .find(|t| t.token == ACTIONS_TOKEN)
        .unwrap();
    assert_eq!(actions.repository.as_deref(), Some("acme/api"));

    let emu = Emulator::demo().await.unwrap();
    let r = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions/5000000001",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"].as_u64(), Some(5_000_000_001));
    assert_eq!(
        r.json()["metadata"]["container"]["tags"],
        serde_json::json!(["latest", "1.2.0"])
    );
    assert!(r.json()["name"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(r.json()["name"].as_str().unwrap().len(), 71);
    let r = get(
        &emu,
        "/users/octocat/packages/docker/octo-image/versions",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(
        r.json()[0]["metadata"]["docker"]["tag"],
        serde_json::json!(["latest"])
    );
    let r = get(
        &emu,
        "/users/octocat/packages/npm/hello-world/versions/10011",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(
        r.json()["metadata"],
        serde_json::json!({"package_type": "npm"})
    );
    let created = r.json()["created_at"].as_str().unwrap().to_owned();
    assert!(created.ends_with('Z') && created.starts_with("2024-"));
}

#[test]
fn the_default_token_is_the_first_classic_one() {
    assert_eq!(Fixture::demo().default_token(), Some(DEMO_TOKEN));
    let f = Fixture::empty()
        .token(TokenSpec::fine_grained("github_pat_x", "solo"))
        .token(TokenSpec::oauth("gho_x", "solo", &[]))
        .token(TokenSpec::classic("ghp_first", "solo", &[]))
        .token(TokenSpec::classic("ghp_second", "solo", &[]));
    assert_eq!(f.default_token(), Some("ghp_first"));
    let f = Fixture::empty().token(TokenSpec::app("ghs_x", "solo"));
    assert_eq!(f.default_token(), None);
    assert_eq!(Fixture::empty().default_token(), None);
}

#[test]
fn the_demo_token_table_lists_every_demo_token_once() {
    let demo = Fixture::demo();
    let listed: Vec<&str> = DEMO_TOKENS.iter().map(|t| t.token).collect();
    let served: Vec<&str> = demo.tokens.iter().map(|t| t.token.as_str()).collect();
    assert_eq!(listed, served, "the table follows the dataset, in order");
    assert_eq!(DEMO_TOKENS[0].name, "demo");
    let by_name = |name: &str| DEMO_TOKENS.iter().find(|t| t.name == name).unwrap().token;
    for (name, token) in [
        ("demo", DEMO_TOKEN),
        ("read_only", READ_ONLY_TOKEN),
        ("no_scopes", NO_SCOPES_TOKEN),
        ("hubot", HUBOT_TOKEN),
        ("oauth", OAUTH_TOKEN),
        ("fine_grained", FINE_GRAINED_TOKEN),
        ("app", APP_TOKEN),
        ("actions", ACTIONS_TOKEN),
        ("user_to_server", USER_TO_SERVER_TOKEN),
    ] {
        assert_eq!(by_name(name), token, "{name}");
    }
    for t in DEMO_TOKENS {
        assert!(
            !t.name.is_empty() && t.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{}: names are snake_case",
            t.name
        );
        assert!(
            !t.description.is_empty() && !t.description.contains('\n'),
            "{}",
            t.name
        );
        assert_eq!(DEMO_TOKENS.iter().filter(|o| o.name == t.name).count(), 1);
    }
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let emu = Emulator::demo().await.unwrap();
    let url = emu.url();
    assert_eq!(emu.url(), format!("http://{}", emu.addr()));
    emu.shutdown().await;
    let r = reqwest::Client::new()
        .get(format!("{url}/user"))
        .send()
        .await;
    assert!(r.is_err(), "nothing listens any more");

    let emu = Emulator::builder()
        .fixture(Fixture::demo())
        .start_blocking()
        .unwrap();
    let url = emu.url();
    drop(emu);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(reqwest::Client::new()
        .get(format!("{url}/user"))
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn generated_packages_are_served_like_declared_ones() {
    let f = Fixture::from_json(
        r#"{
          "orgs": [{"login": "big", "admins": ["octocat"]}],
          "tokens": [{"token": "ghp_big", "user": "octocat", "kind": "classic", "scopes": ["read:packages"]}],
          "packages": [{"owner": "big", "name": "first", "package_type": "container"}],
          "generated": [{"owner": "big", "package_type": "container", "count": 150, "visibility": "public"},
                        {"owner": "big", "package_type": "npm", "count": 2}]
        }"#,
    )
    .unwrap();
    assert_eq!(Fixture::from_json(&f.to_json()).unwrap(), f);
    let all = f.all_packages().unwrap();
    assert_eq!(all.len(), 153);
    assert_eq!(all[0].name, "first", "declared packages come first");
    assert_eq!(
        (all[1].name.as_str(), all[150].name.as_str()),
        ("pkg-00001", "pkg-00150")
    );
    assert_eq!(all[151].visibility, "private", "private unless given");
    assert_eq!(all[151].versions[0].name, "1.0.0");

    let emu = Emulator::start(f).await.unwrap();
    let page = |n| format!("/orgs/big/packages?package_type=container&per_page=100&page={n}");
    let (one, two) = (
        get(&emu, &page(1), Some("ghp_big")).await,
        get(&emu, &page(2), Some("ghp_big")).await,
    );
    assert_eq!(one.status, 200);
    assert_eq!(one.names().len() + two.names().len(), 151);
    let p = get(
        &emu,
        "/orgs/big/packages/container/pkg-00150",
        Some("ghp_big"),
    )
    .await;
    assert_eq!(p.json()["visibility"], "public");
    assert_eq!(p.json()["version_count"], 1);
    let v = get(
        &emu,
        "/orgs/big/packages/container/pkg-00150/versions",
        Some("ghp_big"),
    )
    .await;
    assert_eq!(v.json()[0]["name"], format!("sha256:{:064x}", 150));
    assert_eq!(v.json()[0]["metadata"]["container"]["tags"][0], "v1");
    let npm = get(
        &emu,
        "/orgs/big/packages/npm/pkg-00002/versions",
        Some("ghp_big"),
    )
    .await;
    assert_eq!(npm.names(), ["1.0.0"]);
}
