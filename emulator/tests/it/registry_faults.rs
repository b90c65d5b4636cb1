//! Faults on the registry origin (the existing kinds on `/v2/…` and `/token`,
//! and `digest_mismatch`, `foreign_realm`, `token_expired`) and `link_header`.

use std::time::{Duration, Instant};

use ghpkg_emulator::{Emulator, Fault, FaultRule, DEMO_TOKEN};

use crate::common::{client, get, pull_token, reg, registry_code, sha256, token_request};

const LATEST: &str = "/v2/acme/api/server/manifests/latest";
const SCOPE: &str = "repository:acme/api/server:pull";

#[tokio::test]
async fn status_and_rate_limit_faults_reach_token_and_manifest_paths() {
    let emu = Emulator::demo().await.unwrap();
    emu.inject(FaultRule::new(Fault::Status(500)).path("/token"));
    let r = token_request(&emu, SCOPE, Some(DEMO_TOKEN)).await;
    assert_eq!((r.status, registry_code(&r)), (500, "UNKNOWN".into()));
    emu.inject(FaultRule::new(Fault::Status(401)).path("/token"));
    let r = token_request(&emu, SCOPE, Some(DEMO_TOKEN)).await;
    assert_eq!((r.status, registry_code(&r)), (401, "UNAUTHORIZED".into()));
    emu.inject(
        FaultRule::new(Fault::SecondaryRateLimit {
            retry_after_seconds: Some(7),
            status: 429,
        })
        .path("/token"),
    );
    let r = token_request(&emu, SCOPE, Some(DEMO_TOKEN)).await;
    assert_eq!(
        (r.status, registry_code(&r)),
        (429, "TOOMANYREQUESTS".into())
    );
    assert_eq!(r.header("retry-after").unwrap(), "7");
    let t = pull_token(&emu, "acme/api/server", Some(DEMO_TOKEN)).await;
    // The same on a manifest, after the token was obtained.
    emu.inject(
        FaultRule::new(Fault::SecondaryRateLimit {
            retry_after_seconds: Some(3),
            status: 429,
        })
        .path("/manifests/"),
    );
    let r = reg(&emu, "GET", LATEST, Some(&t)).await;
    assert_eq!(
        (r.status, registry_code(&r)),
        (429, "TOOMANYREQUESTS".into())
    );
    assert_eq!(r.header("retry-after").unwrap(), "3");
    assert!(r.text.contains("secondary rate limit"));
    emu.inject(
        FaultRule::new(Fault::Status(503))
            .path("/v2/")
            .method("HEAD"),
    );
    assert_eq!(
        reg(&emu, "GET", LATEST, Some(&t)).await.status,
        200,
        "method differs"
    );
    let r = reg(&emu, "HEAD", LATEST, Some(&t)).await;
    assert_eq!(r.status, 503);
    // Latency.
    emu.inject(FaultRule::new(Fault::latency(Duration::from_millis(300))).path("/v2/"));
    let start = Instant::now();
    assert_eq!(reg(&emu, "GET", LATEST, Some(&t)).await.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn dropped_connections_and_truncated_manifests() {
    let emu = Emulator::demo().await.unwrap();
    let t = pull_token(&emu, "acme/api/server", Some(DEMO_TOKEN)).await;
    emu.inject(FaultRule::new(Fault::DropConnection).path("/manifests/"));
    let err = client()
        .get(format!("{}{LATEST}", emu.registry_url()))
        .bearer_auth(&t)
        .send()
        .await;
    assert!(err.is_err(), "the connection was dropped");
    emu.inject(FaultRule::new(Fault::TruncatedBody).path("/manifests/"));
    let r = client()
        .get(format!("{}{LATEST}", emu.registry_url()))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.is_err(), "the body is cut short");
    emu.inject(FaultRule::new(Fault::DropConnection).path("/token"));
    let err = client()
        .get(format!("{}/token?scope={SCOPE}", emu.registry_url()))
        .send()
        .await;
    assert!(err.is_err());
    assert_eq!(
        reg(&emu, "GET", LATEST, Some(&t)).await.status,
        200,
        "used up"
    );
}

#[tokio::test]
async fn digest_mismatch_changes_the_body_not_the_headers() {
    let emu = Emulator::demo().await.unwrap();
    emu.inject(FaultRule::new(Fault::DigestMismatch).path("/v2/"));
    // The challenge flow's 401 does not use the rule up.
    let r = reg(&emu, "GET", LATEST, None).await;
    assert_eq!(r.status, 401);
    let t = pull_token(&emu, "acme/api/server", Some(DEMO_TOKEN)).await;
    let good = emu.with_state(|s| {
        s.package("acme", "container", "api/server")
            .unwrap()
            .version(5_000_000_001)
            .unwrap()
            .name
            .clone()
    });
    let r = reg(&emu, "GET", LATEST, Some(&t)).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("docker-content-digest").unwrap(),
        good,
        "headers unchanged"
    );
    assert_ne!(sha256(&r.bytes), good, "the body does not hash to it");
    assert_eq!(
        r.header("content-length").unwrap(),
        r.bytes.len().to_string()
    );
    let normal = reg(&emu, "GET", LATEST, Some(&t)).await;
    assert_eq!(sha256(&normal.bytes), good, "used up");
    assert_eq!(normal.bytes.len(), r.bytes.len());
    // From the binary's shorthand, every time.
    emu.inject(FaultRule::from_cli("digest_mismatch@/manifests/x*").unwrap());
    for _ in 0..2 {
        assert_ne!(
            sha256(&reg(&emu, "GET", LATEST, Some(&t)).await.bytes),
            good
        );
    }
}

#[tokio::test]
async fn foreign_realm_moves_the_challenge_to_another_origin() {
    let emu = Emulator::demo().await.unwrap();
    emu.inject(FaultRule::new(Fault::foreign_realm()).path("/v2/"));
    let r = reg(&emu, "GET", LATEST, None).await;
    let challenge = r.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with(&format!("Bearer realm=\"{}/token\",", emu.url())),
        "the API origin: {challenge}"
    );
    // That realm is not a token endpoint.
    let r = get(&emu, &format!("/token?scope={SCOPE}"), Some(DEMO_TOKEN)).await;
    assert_eq!(r.status, 404);
    let r = reg(&emu, "GET", LATEST, None).await;
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .starts_with(&format!("Bearer realm=\"{}/token\"", emu.registry_url())));
    emu.inject(
        FaultRule::new(Fault::ForeignRealm {
            realm: Some("https://evil.invalid/token".into()),
        })
        .path("/v2/"),
    );
    let r = reg(&emu, "GET", "/v2/", None).await;
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer realm=\"https://evil.invalid/token\","));
    // /token never challenges, so a rule for it waits.
    emu.inject(FaultRule::new(Fault::foreign_realm()).path("/token"));
    assert_eq!(
        token_request(&emu, SCOPE, Some(DEMO_TOKEN)).await.status,
        200
    );
}

#[tokio::test]
async fn token_expired_ends_a_token_early() {
    let emu = Emulator::demo().await.unwrap();
    let t = pull_token(&emu, "acme/api/server", Some(DEMO_TOKEN)).await;
    emu.inject(FaultRule::new(Fault::TokenExpired).path("/v2/"));
    // A request without a token does not use the rule up.
    assert_eq!(reg(&emu, "GET", LATEST, None).await.status, 401);
    let r = reg(&emu, "GET", LATEST, Some(&t)).await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("scope=\"repository:acme/api/server:pull\""));
    assert_eq!(
        reg(&emu, "GET", LATEST, Some(&t)).await.status,
        401,
        "it stays expired"
    );
    let fresh = pull_token(&emu, "acme/api/server", Some(DEMO_TOKEN)).await;
    assert_eq!(reg(&emu, "GET", LATEST, Some(&fresh)).await.status, 200);
    // On /token: the token handed out is born expired.
    emu.inject(FaultRule::new(Fault::TokenExpired).path("/token"));
    let r = token_request(&emu, SCOPE, Some(DEMO_TOKEN)).await;
    assert_eq!(r.status, 200);
    let born_dead = r.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(reg(&emu, "GET", LATEST, Some(&born_dead)).await.status, 401);
    assert_eq!(reg(&emu, "GET", LATEST, Some(&fresh)).await.status, 200);
}

#[tokio::test]
async fn link_header_sends_exactly_the_value_given() {
    let emu = Emulator::demo().await.unwrap();
    let garbage = "<<not a url>>; rel=next; garbage";
    emu.inject(FaultRule::new(Fault::link_header(garbage)).path("/orgs/acme/packages"));
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=container&per_page=2",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json().as_array().unwrap().len(), 2, "the normal answer");
    let links: Vec<_> = r.headers.get_all("link").iter().collect();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0], garbage);
    // A one-page answer gets it too; the rule is then used up.
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=npm",
        Some(DEMO_TOKEN),
    )
    .await;
    assert!(r.header("link").is_none(), "used up");
    emu.inject(FaultRule::from_json(r#"{"kind":"link_header","value":"","times":null}"#).unwrap());
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=npm",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.header("link").as_deref(), Some(""));
    // On the registry's tag listing too.
    let t = pull_token(&emu, "acme/api/server", Some(DEMO_TOKEN)).await;
    let r = reg(&emu, "GET", "/v2/acme/api/server/tags/list?n=1", Some(&t)).await;
    assert_eq!(r.header("link").as_deref(), Some(""));
}
