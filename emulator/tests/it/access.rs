//! Routing on raw paths, common headers, authentication schemes, scopes,
//! token kinds and visibility.

use ghpkg_emulator::{
    Emulator, Fixture, PackageSpec, TokenSpec, VersionSpec, ACTIONS_TOKEN, APP_TOKEN, DEMO_TOKEN,
    FINE_GRAINED_TOKEN, HUBOT_TOKEN, NO_SCOPES_TOKEN, OAUTH_TOKEN, READ_ONLY_TOKEN,
    USER_TO_SERVER_TOKEN,
};

use crate::common::{client, delete, enc, get, post, read};

#[tokio::test]
async fn encoded_slash_reaches_the_package_with_a_slash_in_its_name() {
    let emu = Emulator::demo().await.unwrap();
    let r = get(
        &emu,
        "/orgs/acme/packages/container/repo%2Fimage",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 404, "not in the demo yet");
    emu.with_state(|s| {
        s.add_package(
            PackageSpec::new("acme", "repo/image", "container")
                .version(VersionSpec::new("sha256:1").tags(&["x"])),
        )
    })
    .unwrap();
    let r = get(
        &emu,
        "/orgs/acme/packages/container/repo%2Fimage",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["name"], "repo/image");
    assert_eq!(
        r.json()["url"],
        "https://api.github.com/orgs/acme/packages/container/repo%2Fimage"
    );
    // The unencoded form is a different (unknown) route.
    let r = get(
        &emu,
        "/orgs/acme/packages/container/repo/image",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "Not Found");
    // Two slashes, as in the demo.
    let r = get(
        &emu,
        "/orgs/acme/packages/container/org-repo%2Fsub%2Fimage",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.json()["name"], "org-repo/sub/image");
}

#[tokio::test]
async fn hostile_names_decode_to_the_literal_name() {
    let names = [
        "../x",
        "100%",
        "a?b",
        "c#d",
        "with space",
        "ünïcødé/名前",
        "a+b",
        "%2F",
        "x%25y",
    ];
    let mut fixture = Fixture::empty().user("eve").token(TokenSpec::classic(
        "ghp_eve",
        "eve",
        &["read:packages", "delete:packages"],
    ));
    for n in names {
        fixture = fixture.package(
            PackageSpec::new("eve", n, "npm")
                .version(VersionSpec::new("1.0.0"))
                .version(VersionSpec::new("2.0.0")),
        );
    }
    let emu = Emulator::start(fixture).await.unwrap();
    for n in names {
        let enc = enc(n);
        let r = get(
            &emu,
            &format!("/users/eve/packages/npm/{enc}"),
            Some("ghp_eve"),
        )
        .await;
        assert_eq!(r.status, 200, "{n:?} as {enc}: {}", r.text);
        assert_eq!(r.json()["name"], n);
        let r = get(
            &emu,
            &format!("/user/packages/npm/{enc}/versions"),
            Some("ghp_eve"),
        )
        .await;
        assert_eq!(r.status, 200);
        let id = r.json()[0]["id"].as_u64().unwrap();
        let r = delete(
            &emu,
            &format!("/user/packages/npm/{enc}/versions/{id}"),
            Some("ghp_eve"),
        )
        .await;
        assert_eq!(r.status, 204, "{n:?}: {}", r.text);
    }
    // The log keeps the raw, encoded path.
    let logged = emu.requests();
    assert!(logged
        .iter()
        .any(|r| r.path == "/users/eve/packages/npm/..%2Fx"));
    assert!(logged
        .iter()
        .any(|r| r.path == "/users/eve/packages/npm/100%25"));
}

#[tokio::test]
async fn unknown_routes_and_methods_are_404() {
    let emu = Emulator::demo().await.unwrap();
    for (m, p) in [
        ("GET", "/"),
        ("GET", "/repos/acme/api"),
        ("GET", "/orgs/acme/packages/container"),
        ("PUT", "/orgs/acme/packages/container/only-tag"),
        ("GET", "/orgs/acme/packages/container/only-tag/restore"),
        (
            "GET",
            "/orgs/acme/packages/container/only-tag/versions/not-a-number",
        ),
    ] {
        let r = crate::common::call(&emu, m, p, Some(DEMO_TOKEN)).await;
        assert_eq!(r.status, 404, "{m} {p}");
        assert_eq!(r.json()["message"], "Not Found");
        assert_eq!(
            r.json()["documentation_url"],
            "https://docs.github.com/rest"
        );
    }
}

#[tokio::test]
async fn every_response_has_request_id_and_json_content_type() {
    let emu = Emulator::demo().await.unwrap();
    let a = get(&emu, "/orgs/acme/packages/container/only-tag", None).await;
    let b = get(&emu, "/nope", None).await;
    for r in [&a, &b] {
        let id = r.header("x-github-request-id").unwrap();
        assert_eq!(id.split(':').count(), 5, "{id}");
        assert!(id.chars().all(|c| c == ':' || c.is_ascii_hexdigit()));
        assert_eq!(
            r.header("content-type").unwrap(),
            "application/json; charset=utf-8"
        );
        assert_eq!(r.header("x-ratelimit-resource").unwrap(), "core");
        assert_eq!(r.header("x-ratelimit-limit").unwrap(), "60");
    }
    assert_ne!(
        a.header("x-github-request-id"),
        b.header("x-github-request-id")
    );
}

#[tokio::test]
async fn requests_without_user_agent_are_forbidden() {
    let emu = Emulator::demo().await.unwrap();
    let no_ua = reqwest::Client::builder().build().unwrap();
    let r = read(
        no_ua
            .get(format!(
                "{}/orgs/acme/packages/container/only-tag",
                emu.url()
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(
        r.message()
            .starts_with("Request forbidden by administrative rules"),
        "{}",
        r.text
    );
    assert!(r.message().contains("User-Agent"));
}

#[tokio::test]
async fn bearer_token_and_basic_auth_are_accepted() {
    let emu = Emulator::demo().await.unwrap();
    let url = format!("{}/user/packages/container/my%20app", emu.url());
    let c = client();
    let bearer = read(c.get(&url).bearer_auth(DEMO_TOKEN).send().await.unwrap()).await;
    let token = read(
        c.get(&url)
            .header("authorization", format!("token {DEMO_TOKEN}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let basic = read(
        c.get(&url)
            .basic_auth("anything", Some(DEMO_TOKEN))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for r in [bearer, token, basic] {
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["name"], "my app");
    }
    let bad = read(
        c.get(&url)
            .basic_auth("octocat", Some("wrong"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(bad.status, 401);
    assert_eq!(
        bad.json(),
        serde_json::json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
    );
    let garbage = read(
        c.get(&url)
            .header("authorization", "Negotiate abc")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(garbage.status, 401);
}

#[tokio::test]
async fn anonymous_callers_need_a_token_even_for_public_packages() {
    let emu = Emulator::demo().await.unwrap();
    // Every operation, every owner scope, public or private, known or not.
    let cases = [
        ("GET", "/orgs/acme/packages?package_type=container"),
        ("GET", "/orgs/acme/packages/container/only-tag"),
        ("GET", "/orgs/acme/packages/container/api%2Fserver"),
        ("GET", "/orgs/acme/packages/container/only-tag/versions"),
        (
            "GET",
            "/orgs/acme/packages/container/only-tag/versions/20081",
        ),
        ("GET", "/orgs/acme/docker/conflicts"),
        ("GET", "/users/octocat/packages?package_type=npm"),
        ("GET", "/users/octocat/packages/npm/hello-world"),
        ("GET", "/users/octocat/packages/npm/hello-world/versions"),
        ("GET", "/users/octocat/docker/conflicts"),
        ("GET", "/orgs/nobody/packages/npm/x"),
        ("GET", "/user/packages?package_type=npm"),
        ("GET", "/user/docker/conflicts"),
        ("DELETE", "/users/octocat/packages/npm/100%25-pure"),
        ("POST", "/orgs/acme/packages/container/only-tag/restore"),
        (
            "DELETE",
            "/orgs/acme/packages/container/only-tag/versions/20082",
        ),
        (
            "POST",
            "/user/packages/npm/hello-world/versions/10011/restore",
        ),
    ];
    for (i, (m, p)) in cases.into_iter().enumerate() {
        let r = crate::common::call(&emu, m, p, None).await;
        assert_eq!(r.status, 401, "{m} {p}: {}", r.text);
        assert_eq!(r.message(), "Requires authentication", "{m} {p}");
        assert_eq!(
            r.json()["documentation_url"],
            "https://docs.github.com/rest",
            "{m} {p}"
        );
        // The anonymous primary limit still counts them.
        assert_eq!(r.header("x-ratelimit-limit").unwrap(), "60");
        assert_eq!(
            r.header("x-ratelimit-used").unwrap(),
            (i + 1).to_string(),
            "{m} {p}"
        );
        assert!(r.header("x-github-request-id").is_some());
        assert!(r.header("x-oauth-scopes").is_none());
    }
    // Nothing changed.
    let r = get(
        &emu,
        "/orgs/acme/packages/container/only-tag/versions",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    // A bad token is still `Bad credentials`, not `Requires authentication`.
    let r = get(
        &emu,
        "/orgs/acme/packages/container/only-tag",
        Some("ghp_wrong"),
    )
    .await;
    assert_eq!((r.status, r.message().as_str()), (401, "Bad credentials"));
    // Unknown routes stay 404 without credentials too.
    assert_eq!(get(&emu, "/nope", None).await.status, 404);
}

#[tokio::test]
async fn scope_headers_and_missing_scopes() {
    let emu = Emulator::demo().await.unwrap();
    let r = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(
        r.header("x-oauth-scopes").unwrap(),
        "read:packages, write:packages, delete:packages, repo"
    );
    assert_eq!(
        r.header("x-accepted-oauth-scopes").unwrap(),
        "read:packages"
    );
    let r = get(
        &emu,
        "/orgs/acme/packages/maven/com.acme.core",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(
        r.header("x-accepted-oauth-scopes").unwrap(),
        "read:packages, repo"
    );

    let r = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver",
        Some(NO_SCOPES_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "You need at least read:packages scope or permission to perform this action."
    );
    assert_eq!(r.header("x-oauth-scopes").unwrap(), "");

    // Read-only: reads work, deletes and restores do not; maven needs repo.
    let r = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver",
        Some(READ_ONLY_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions/20012",
        Some(READ_ONLY_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r.message().contains("delete:packages"));
    assert_eq!(
        r.header("x-accepted-oauth-scopes").unwrap(),
        "read:packages, delete:packages"
    );
    let r = post(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/restore",
        Some(READ_ONLY_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r.message().contains("write:packages"));
    let r = get(
        &emu,
        "/orgs/acme/packages/maven/com.acme.core",
        Some(READ_ONLY_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r.message().contains("repo"));

    // write:packages implies read:packages.
    emu.with_state(|s| {
        s.add_token(TokenSpec::classic(
            "ghp_writer",
            "octocat",
            &["write:packages"],
        ))
    });
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=npm",
        Some("ghp_writer"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // OAuth tokens behave like classic ones.
    let r = get(
        &emu,
        "/user/packages?package_type=container",
        Some(OAUTH_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.header("x-oauth-scopes").is_some());
}

#[tokio::test]
async fn refused_token_kinds() {
    let emu = Emulator::demo().await.unwrap();
    let path = "/orgs/acme/packages/container/only-tag";
    let r = get(&emu, path, Some(FINE_GRAINED_TOKEN)).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "Resource not accessible by personal access token"
    );
    assert!(r.header("x-oauth-scopes").is_none());
    for t in [APP_TOKEN, USER_TO_SERVER_TOKEN] {
        let r = get(&emu, path, Some(t)).await;
        assert_eq!(r.status, 403);
        assert_eq!(r.message(), "Resource not accessible by integration");
    }
}

#[tokio::test]
async fn actions_token_is_limited_to_its_repository() {
    let emu = Emulator::demo().await.unwrap();
    let t = Some(ACTIONS_TOKEN);
    let r = get(&emu, "/orgs/acme/packages?package_type=container", t).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.message(), "Invalid argument.");
    assert_eq!(r.header("x-ratelimit-limit").unwrap(), "1000");
    let r = get(&emu, "/orgs/acme/packages/container/api%2Fserver", t).await;
    assert_eq!(r.status, 200);
    let r = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions",
        t,
    )
    .await;
    assert_eq!(r.status, 200);
    // Another repository's package, even a public one, is invisible.
    let r = get(&emu, "/orgs/acme/packages/npm/ui-kit", t).await;
    assert_eq!(r.status, 404);
    let r = get(&emu, "/orgs/acme/packages/container/service-001", t).await;
    assert_eq!(r.status, 404);
    // Delete and restore work for its repository's packages.
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions/20013",
        t,
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = post(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions/20013/restore",
        t,
    )
    .await;
    assert_eq!(r.status, 204);
    let r = delete(&emu, "/orgs/acme/packages/npm/single-version", t).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn visibility_follows_ownership_and_membership() {
    let fixture = Fixture::demo().user("mallory").token(TokenSpec::classic(
        "ghp_mallory",
        "mallory",
        &["read:packages", "delete:packages", "repo"],
    ));
    let emu = Emulator::start(fixture).await.unwrap();
    // hubot is a member of acme: sees private packages, cannot delete them.
    let r = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver",
        Some(HUBOT_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions/20012",
        Some(HUBOT_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "You must be an admin of the organization to perform this action."
    );
    // hubot cannot see octocat's private packages.
    let r = get(
        &emu,
        "/users/octocat/packages/container/my%20app",
        Some(HUBOT_TOKEN),
    )
    .await;
    assert_eq!(r.status, 404);
    let r = delete(
        &emu,
        "/users/octocat/packages/container/hello-container/versions/10063",
        Some(HUBOT_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "You must be the owner of this package to perform this action."
    );
    // An outsider sees only public packages of acme.
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=container&visibility=private",
        Some("ghp_mallory"),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json().as_array().unwrap().len(), 0);
    let r = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver",
        Some("ghp_mallory"),
    )
    .await;
    assert_eq!(r.status, 404);
    // /user lists only the caller's own packages.
    let r = get(
        &emu,
        "/user/packages?package_type=container&per_page=100",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(
        r.names(),
        [
            "hello-container",
            "my app",
            "café-ünïcode",
            "what?#hash",
            "popular-image"
        ]
    );
    // Unknown owners, and owners of the wrong kind.
    for p in [
        "/orgs/nobody/packages?package_type=npm",
        "/users/acme/packages?package_type=npm",
        "/orgs/octocat/docker/conflicts",
    ] {
        let r = get(&emu, p, Some(DEMO_TOKEN)).await;
        assert_eq!(r.status, 404, "{p}");
    }
    let r = get(&emu, "/orgs/nobody/packages/npm/x", Some(DEMO_TOKEN)).await;
    assert_eq!(r.message(), "Package not found.");
    // Org names are case-insensitive.
    let r = get(
        &emu,
        "/orgs/ACME/packages/container/only-tag",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["owner"]["login"], "acme");
}

#[tokio::test]
async fn parameter_validation() {
    let emu = Emulator::demo().await.unwrap();
    let t = Some(DEMO_TOKEN);
    for p in [
        "/orgs/acme/packages",
        "/orgs/acme/packages?package_type=pypi",
        "/orgs/acme/packages?package_type=npm&visibility=secret",
        "/orgs/acme/packages/pypi/x",
        "/orgs/acme/packages/npm/ui-kit/versions?state=gone",
    ] {
        let r = get(&emu, p, t).await;
        assert_eq!(r.status, 422, "{p}: {}", r.text);
        assert!(
            r.message().starts_with("Invalid request."),
            "{}",
            r.message()
        );
    }
    // visibility filters; internal is its own value for granular types.
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=nuget&visibility=internal",
        t,
    )
    .await;
    assert_eq!(r.names(), ["Acme.Sdk"]);
    assert_eq!(r.json()[0]["visibility"], "private");
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=nuget&visibility=private",
        t,
    )
    .await;
    assert!(r.names().is_empty());
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=docker&visibility=internal",
        t,
    )
    .await;
    assert_eq!(
        r.names(),
        ["legacy-api", "legacy-worker"],
        "internal = private for docker"
    );
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=rubygems&visibility=public",
        t,
    )
    .await;
    assert_eq!(r.names(), ["acme-tools"]);
}

#[tokio::test]
async fn docker_conflicts_list_conflicting_docker_packages() {
    let emu = Emulator::demo().await.unwrap();
    let r = get(&emu, "/orgs/acme/docker/conflicts", Some(DEMO_TOKEN)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.names(), ["legacy-api"]);
    let r = get(&emu, "/user/docker/conflicts", Some(DEMO_TOKEN)).await;
    assert_eq!(r.names(), ["octo-image"]);
    let r = get(&emu, "/users/octocat/docker/conflicts", Some(DEMO_TOKEN)).await;
    assert_eq!(r.names(), ["octo-image"]);
    let r = get(&emu, "/users/octocat/docker/conflicts", Some(HUBOT_TOKEN)).await;
    assert!(
        r.names().is_empty(),
        "octocat's private conflicts are hidden from other users"
    );
    let r = get(&emu, "/orgs/acme/docker/conflicts", Some(ACTIONS_TOKEN)).await;
    assert_eq!(r.status, 400);
}

#[test]
fn emulator_handle_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Emulator>();
}
