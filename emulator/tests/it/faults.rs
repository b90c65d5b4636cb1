//! Scripted faults, latency, and the request log.

use std::time::{Duration, Instant};

use ghpkg_emulator::{Emulator, Fault, FaultRule, Fixture, DEMO_TOKEN};

use crate::common::{client, get, post, UA};

const T: Option<&str> = Some(DEMO_TOKEN);
const PKG: &str = "/orgs/acme/packages/container/only-tag";

#[tokio::test]
async fn status_faults_apply_to_matching_requests_only() {
    let emu = Emulator::demo().await.unwrap();
    emu.inject(FaultRule::new(Fault::Status(500)));
    let r = get(&emu, PKG, T).await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "Server Error");
    assert!(r.header("x-github-request-id").is_some());
    assert_eq!(
        get(&emu, PKG, T).await.status,
        200,
        "used up after one request"
    );

    emu.inject(
        FaultRule::new(Fault::Status(502))
            .method("POST")
            .path("%2Fserver")
            .times(2),
    );
    assert_eq!(
        get(&emu, "/orgs/acme/packages/container/api%2Fserver", T)
            .await
            .status,
        200,
        "method differs"
    );
    assert_eq!(post(&emu, PKG, T).await.status, 404, "path differs");
    for _ in 0..2 {
        let r = post(
            &emu,
            "/orgs/acme/packages/container/api%2Fserver/restore",
            T,
        )
        .await;
        assert_eq!(r.status, 502);
    }
    assert_eq!(
        post(
            &emu,
            "/orgs/acme/packages/container/api%2Fserver/restore",
            T
        )
        .await
        .status,
        404
    );

    emu.inject(FaultRule::new(Fault::Status(503)).forever());
    for _ in 0..3 {
        assert_eq!(get(&emu, PKG, T).await.status, 503);
    }
    emu.clear_faults();
    assert_eq!(get(&emu, PKG, T).await.status, 200);

    emu.inject(FaultRule::new(Fault::Status(504)));
    let r = get(&emu, PKG, T).await;
    assert_eq!(r.status, 504);
    assert!(r.message().contains("in time"));
}

#[tokio::test]
async fn latency_fault_and_global_latency() {
    let emu = Emulator::demo().await.unwrap();
    emu.inject(FaultRule::new(Fault::latency(Duration::from_millis(300))));
    let start = Instant::now();
    assert_eq!(get(&emu, PKG, T).await.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
    let start = Instant::now();
    get(&emu, PKG, T).await;
    assert!(start.elapsed() < Duration::from_millis(300));
    emu.set_latency(Duration::from_millis(200));
    let start = Instant::now();
    get(&emu, PKG, T).await;
    assert!(start.elapsed() >= Duration::from_millis(200));

    let slow = Emulator::builder()
        .fixture(Fixture::demo())
        .latency(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let start = Instant::now();
    get(&slow, PKG, T).await;
    assert!(start.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn rate_limit_faults() {
    let emu = Emulator::demo().await.unwrap();
    emu.inject(FaultRule::new(Fault::primary_rate_limit()));
    let r = get(&emu, PKG, T).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-ratelimit-remaining").unwrap(), "0");
    assert_eq!(r.message(), "API rate limit exceeded for user ID 1.");
    let ahead = r
        .header("x-ratelimit-reset")
        .unwrap()
        .parse::<i64>()
        .unwrap()
        - emu.now().timestamp();
    assert!((0..=2).contains(&ahead), "{ahead}");

    emu.inject(FaultRule::new(Fault::PrimaryRateLimit {
        reset_in_seconds: 120,
    }));
    let r = get(&emu, PKG, T).await;
    let ahead = r
        .header("x-ratelimit-reset")
        .unwrap()
        .parse::<i64>()
        .unwrap()
        - emu.now().timestamp();
    assert!((118..=121).contains(&ahead), "{ahead}");

    emu.inject(FaultRule::new(Fault::SecondaryRateLimit {
        retry_after_seconds: Some(7),
        status: 429,
    }));
    let r = get(&emu, PKG, T).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after").unwrap(), "7");
    assert!(r.message().starts_with(
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
    ));
    emu.inject(FaultRule::new(Fault::secondary_rate_limit()));
    let r = get(&emu, PKG, T).await;
    assert_eq!(r.status, 403);
    assert!(r.header("retry-after").is_none());
    assert!(r.message().contains("secondary rate limit"));
}

#[tokio::test]
async fn transport_faults_break_the_response() {
    let emu = Emulator::demo().await.unwrap();
    let url = format!("{}{PKG}", emu.url());

    emu.inject(FaultRule::new(Fault::DropConnection));
    let err = client().get(&url).bearer_auth(DEMO_TOKEN).send().await;
    assert!(err.is_err(), "the connection is dropped: {err:?}");

    emu.inject(FaultRule::new(Fault::TruncatedBody));
    let r = client()
        .get(&url)
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let declared = r.content_length().unwrap();
    let body = r.bytes().await;
    assert!(body.is_err(), "the body is cut short (declared {declared})");

    emu.inject(FaultRule::new(Fault::MalformedJson));
    let r = get(&emu, PKG, T).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").unwrap(),
        "application/json; charset=utf-8"
    );
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());

    emu.inject(FaultRule::new(Fault::Redirect {
        location: "http://elsewhere.invalid/x".into(),
        status: 307,
    }));
    let r = get(&emu, PKG, T).await;
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location").unwrap(), "http://elsewhere.invalid/x");

    // Everything works again afterwards, and the log saw it all.
    assert_eq!(get(&emu, PKG, T).await.status, 200);
    let statuses: Vec<u16> = emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [0, 200, 200, 307, 200]);
}

#[tokio::test]
async fn link_loop_points_next_back_at_page_one() {
    let emu = Emulator::demo().await.unwrap();
    emu.inject(FaultRule::new(Fault::LinkLoop).path("/packages").times(2));
    for page in [1, 3] {
        let r = get(
            &emu,
            &format!("/orgs/acme/packages?package_type=container&page={page}"),
            T,
        )
        .await;
        assert_eq!(r.status, 200);
        assert!(
            r.link("next")
                .unwrap()
                .ends_with("package_type=container&page=1"),
            "{:?}",
            r.header("link")
        );
    }
    let r = get(&emu, "/orgs/acme/packages?package_type=container&page=3", T).await;
    assert!(r.link("next").unwrap().ends_with("page=4"));
}

#[tokio::test]
async fn the_request_log_records_raw_requests_in_order() {
    let emu = Emulator::demo().await.unwrap();
    get(&emu, "/orgs/acme/packages/container/api%2Fserver", T).await;
    get(
        &emu,
        "/orgs/acme/packages?package_type=npm&per_page=5",
        None,
    )
    .await;
    post(&emu, "/user/packages/npm/x/restore", Some("ghp_wrong")).await;
    let log = emu.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/orgs/acme/packages/container/api%2Fserver");
    assert_eq!(log[0].query, None);
    assert_eq!(log[0].status, 200);
    assert_eq!(log[0].header("User-Agent"), Some(UA));
    assert_eq!(
        log[0].header("authorization"),
        Some(format!("Bearer {DEMO_TOKEN}").as_str())
    );
    assert!(log[0]
        .headers
        .iter()
        .all(|(n, _)| *n == n.to_ascii_lowercase()));
    assert_eq!(log[1].query.as_deref(), Some("package_type=npm&per_page=5"));
    assert_eq!(log[1].header("authorization"), None);
    assert_eq!((log[2].method.as_str(), log[2].status), ("POST", 401));
    emu.clear_requests();
    assert!(emu.requests().is_empty());
}
