//! The registry origin's authentication: the challenge, `/token` and its
//! refusals, scopes, expiry on the emulator's clock.

use std::time::Duration;

use ghpkg_emulator::{
    Emulator, Fixture, ACTIONS_TOKEN, APP_TOKEN, DEMO_TOKEN, FINE_GRAINED_TOKEN, HUBOT_TOKEN,
    NO_SCOPES_TOKEN, OAUTH_TOKEN, READ_ONLY_TOKEN, USER_TO_SERVER_TOKEN,
};

use crate::common::{client, pull_token, read, reg, registry_code, token_request};

const API_SERVER: &str = "acme/api/server";
const POPULAR: &str = "octocat/popular-image";

#[tokio::test]
async fn the_challenge_names_realm_service_and_scope() {
    let emu = Emulator::demo().await.unwrap();
    let host = emu.registry_addr().to_string();
    let r = reg(&emu, "GET", "/v2/acme/api/server/manifests/latest", None).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate").unwrap(),
        format!(
            "Bearer realm=\"{}/token\",service=\"{host}\",scope=\"repository:acme/api/server:pull\"",
            emu.registry_url()
        )
    );
    assert_eq!(
        r.json(),
        serde_json::json!({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required", "detail": null}]})
    );
    assert_eq!(
        r.header("docker-distribution-api-version").unwrap(),
        "registry/2.0"
    );
    // The base route has no scope; a GitHub token is not a registry token.
    for bearer in [None, Some(DEMO_TOKEN)] {
        let r = reg(&emu, "GET", "/v2/", bearer).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.header("www-authenticate").unwrap(),
            format!(
                "Bearer realm=\"{}/token\",service=\"{host}\"",
                emu.registry_url()
            )
        );
    }
    let t = pull_token(&emu, API_SERVER, Some(DEMO_TOKEN)).await;
    let r = reg(&emu, "GET", "/v2/", Some(&t)).await;
    assert_eq!((r.status, r.json()), (200, serde_json::json!({})));
    // Pushes are challenged for pull and push.
    let r = reg(&emu, "PUT", "/v2/acme/api/server/manifests/x", None).await;
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .ends_with(",scope=\"repository:acme/api/server:pull,push\""));
    // Registry requests are logged with the API's.
    let log = emu.requests();
    assert!(log.iter().any(|l| l.path == "/token" && l.status == 200));
    assert!(log.iter().any(|l| l.path == "/v2/" && l.status == 401));
}

#[tokio::test]
async fn anonymous_callers_pull_public_packages_only() {
    let emu = Emulator::demo().await.unwrap();
    let r = token_request(&emu, &format!("repository:{POPULAR}:pull"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    let t = body["token"].as_str().unwrap();
    assert_eq!(body["access_token"], t);
    assert_eq!(body["expires_in"], 300);
    let r = reg(
        &emu,
        "GET",
        "/v2/octocat/popular-image/manifests/latest",
        Some(t),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A private package, or one that does not exist: 401 alike.
    for name in [API_SERVER, "acme/no-such-image"] {
        let r = token_request(&emu, &format!("repository:{name}:pull"), None).await;
        assert_eq!(
            (r.status, registry_code(&r)),
            (401, "UNAUTHORIZED".into()),
            "{name}"
        );
    }
    // Pushing needs credentials even on a public package.
    let r = token_request(&emu, &format!("repository:{POPULAR}:pull,push"), None).await;
    assert_eq!(r.status, 401);
    // No scope at all: a token good for /v2/ only.
    let r = token_request(&emu, "", None).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn basic_credentials_are_checked_like_the_rest_api() {
    let emu = Emulator::demo().await.unwrap();
    let scope = format!("repository:{API_SERVER}:pull");
    // The right token: as the password, or as the username with no password.
    let t = pull_token(&emu, API_SERVER, Some(DEMO_TOKEN)).await;
    let r = reg(
        &emu,
        "GET",
        "/v2/acme/api/server/manifests/latest",
        Some(&t),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = read(
        client()
            .get(format!("{}/token", emu.registry_url()))
            .query(&[("scope", scope.as_str())])
            .basic_auth(DEMO_TOKEN, None::<&str>)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A wrong token.
    let r = token_request(&emu, &scope, Some("ghp_not_a_token_the_emulator_knows")).await;
    assert_eq!((r.status, registry_code(&r)), (401, "UNAUTHORIZED".into()));
    // Tokens the Packages API refuses.
    for (t, message) in [
        (
            FINE_GRAINED_TOKEN,
            "Resource not accessible by personal access token",
        ),
        (APP_TOKEN, "Resource not accessible by integration"),
        (
            USER_TO_SERVER_TOKEN,
            "Resource not accessible by integration",
        ),
    ] {
        let r = token_request(&emu, &scope, Some(t)).await;
        assert_eq!((r.status, registry_code(&r)), (403, "DENIED".into()), "{t}");
        assert_eq!(r.json()["errors"][0]["message"], message);
    }
    // A token without read:packages cannot see a private package.
    let r = token_request(&emu, &scope, Some(NO_SCOPES_TOKEN)).await;
    assert_eq!((r.status, registry_code(&r)), (403, "DENIED".into()));
    // A member, an OAuth token, a read-only token and the repository's Actions token can.
    for t in [HUBOT_TOKEN, OAUTH_TOKEN, READ_ONLY_TOKEN, ACTIONS_TOKEN] {
        assert_eq!(
            token_request(&emu, &scope, Some(t)).await.status,
            200,
            "{t}"
        );
    }
    // An Actions token of another repository sees nothing private.
    let r = token_request(
        &emu,
        "repository:octocat/popular-image:pull",
        Some(ACTIONS_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200, "public");
    // An unknown repository looks like a hidden one.
    let r = token_request(&emu, "repository:acme/nope:pull", Some(DEMO_TOKEN)).await;
    assert_eq!((r.status, registry_code(&r)), (403, "DENIED".into()));
    // A name that is not a registry name.
    let r = token_request(&emu, "repository:Acme/api/server:pull", Some(DEMO_TOKEN)).await;
    assert_eq!((r.status, registry_code(&r)), (400, "NAME_INVALID".into()));
}

#[tokio::test]
async fn push_needs_write_packages_on_a_classic_or_oauth_token() {
    let emu = Emulator::demo().await.unwrap();
    let scope = format!("repository:{API_SERVER}:pull,push");
    for t in [DEMO_TOKEN, OAUTH_TOKEN, HUBOT_TOKEN] {
        assert_eq!(
            token_request(&emu, &scope, Some(t)).await.status,
            200,
            "{t}"
        );
    }
    for t in [READ_ONLY_TOKEN, NO_SCOPES_TOKEN, ACTIONS_TOKEN] {
        let r = token_request(&emu, &scope, Some(t)).await;
        assert_eq!((r.status, registry_code(&r)), (403, "DENIED".into()), "{t}");
    }
    // A stranger may pull octocat's public package but not push to it.
    emu.with_state(|s| {
        s.add_token(ghpkg_emulator::TokenSpec::classic(
            "ghp_mallory",
            "mallory",
            &["read:packages", "write:packages"],
        ))
    });
    let r = token_request(
        &emu,
        &format!("repository:{POPULAR}:pull,push"),
        Some("ghp_mallory"),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = token_request(
        &emu,
        &format!("repository:{POPULAR}:pull"),
        Some("ghp_mallory"),
    )
    .await;
    assert_eq!(r.status, 200, "public pull");
    // A pull token does not allow a push: the challenge again, insufficient scope.
    let t = pull_token(&emu, API_SERVER, Some(DEMO_TOKEN)).await;
    let r = reg(&emu, "PUT", "/v2/acme/api/server/manifests/x", Some(&t)).await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .ends_with(",scope=\"repository:acme/api/server:pull,push\",error=\"insufficient_scope\""));
}

#[tokio::test]
async fn a_token_covers_its_repositories_only() {
    let emu = Emulator::demo().await.unwrap();
    let t = pull_token(&emu, POPULAR, Some(DEMO_TOKEN)).await;
    let r = reg(
        &emu,
        "GET",
        "/v2/acme/api/server/manifests/latest",
        Some(&t),
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("insufficient_scope"));
    // Several scopes in one request (repeated, or space-separated).
    let r = read(
        client()
            .get(format!(
                "{}/token?scope=repository:{API_SERVER}:pull&scope=repository:{POPULAR}:pull",
                emu.registry_url()
            ))
            .basic_auth("x", Some(DEMO_TOKEN))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let both = r.json()["token"].as_str().unwrap().to_owned();
    for path in [
        "/v2/acme/api/server/manifests/latest",
        "/v2/octocat/popular-image/manifests/latest",
    ] {
        assert_eq!(
            reg(&emu, "GET", path, Some(&both)).await.status,
            200,
            "{path}"
        );
    }
    // An unknown registry token.
    let r = reg(
        &emu,
        "GET",
        "/v2/acme/api/server/manifests/latest",
        Some("nope"),
    )
    .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn tokens_expire_on_the_emulators_clock() {
    let emu = Emulator::builder()
        .fixture(Fixture::demo())
        .registry_token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let r = token_request(
        &emu,
        &format!("repository:{API_SERVER}:pull"),
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.json()["expires_in"], 60);
    let t = r.json()["token"].as_str().unwrap().to_owned();
    let path = "/v2/acme/api/server/manifests/latest";
    assert_eq!(reg(&emu, "GET", path, Some(&t)).await.status, 200);
    emu.advance_clock(Duration::from_secs(59));
    assert_eq!(reg(&emu, "GET", path, Some(&t)).await.status, 200);
    emu.advance_clock(Duration::from_secs(2));
    let r = reg(&emu, "GET", path, Some(&t)).await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer realm="));
    // The lifetime can change at run time.
    emu.set_registry_token_lifetime(Duration::from_secs(5));
    let r = token_request(
        &emu,
        &format!("repository:{API_SERVER}:pull"),
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.json()["expires_in"], 5);
}
