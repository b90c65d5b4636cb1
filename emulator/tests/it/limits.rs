//! Primary (hourly) and secondary (per minute, per endpoint) rate limits.

use std::time::Duration;

use ghpkg_emulator::{Emulator, Fixture, TokenSpec, DEMO_TOKEN, HUBOT_TOKEN};

use crate::common::{delete, get, post};

#[tokio::test]
async fn primary_limit_counts_down_and_resets_with_the_clock() {
    let fixture = Fixture::demo()
        .token(TokenSpec::classic("ghp_small", "octocat", &["read:packages"]).rate_limit(3));
    let emu = Emulator::start(fixture).await.unwrap();
    let t = Some("ghp_small");
    let path = "/orgs/acme/packages/container/only-tag";
    for remaining in [2, 1, 0] {
        let r = get(&emu, path, t).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-ratelimit-limit").unwrap(), "3");
        assert_eq!(
            r.header("x-ratelimit-remaining").unwrap(),
            remaining.to_string()
        );
        assert_eq!(
            r.header("x-ratelimit-used").unwrap(),
            (3 - remaining).to_string()
        );
    }
    let r = get(&emu, path, t).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-ratelimit-remaining").unwrap(), "0");
    assert_eq!(r.message(), "API rate limit exceeded for user ID 1.");
    let reset: i64 = r.header("x-ratelimit-reset").unwrap().parse().unwrap();
    let ahead = reset - emu.now().timestamp();
    assert!(
        (3590..=3601).contains(&ahead),
        "reset is an hour ahead: {ahead}"
    );
    // Other tokens have their own budget.
    assert_eq!(get(&emu, path, Some(DEMO_TOKEN)).await.status, 200);
    // Past the reset, a fresh window.
    emu.advance_clock(Duration::from_secs(3601));
    let r = get(&emu, path, t).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-ratelimit-remaining").unwrap(), "2");
    // Changing the token's limit at run time takes effect.
    emu.with_state(|s| s.token_mut("ghp_small").unwrap().rate_limit = Some(100));
    assert_eq!(
        get(&emu, path, t)
            .await
            .header("x-ratelimit-remaining")
            .unwrap(),
        "98"
    );
}

#[tokio::test]
async fn anonymous_callers_get_60_an_hour() {
    // Each anonymous request is refused (401) and still counts against the
    // address's 60 an hour; after that the refusal is the rate limit.
    let emu = Emulator::demo().await.unwrap();
    for i in 1..=60 {
        let r = get(&emu, "/users/octocat/packages/npm/hello-world", None).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.header("x-ratelimit-remaining").unwrap(),
            (60 - i).to_string()
        );
    }
    let r = get(&emu, "/users/octocat/packages/npm/hello-world", None).await;
    assert_eq!(r.status, 403);
    assert!(
        r.message()
            .starts_with("API rate limit exceeded for 127.0.0.1."),
        "{}",
        r.message()
    );
    assert_eq!(r.header("x-ratelimit-remaining").unwrap(), "0");
    emu.reset_rate_limits();
    let r = get(&emu, "/users/octocat/packages/npm/hello-world", None).await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (401, "Requires authentication")
    );
    // A token has its own budget.
    assert_eq!(
        get(
            &emu,
            "/users/octocat/packages/npm/hello-world",
            Some(DEMO_TOKEN)
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn secondary_limit_is_points_per_minute_per_endpoint() {
    let emu = Emulator::builder()
        .fixture(Fixture::demo())
        .secondary_points_per_minute(10)
        .start()
        .await
        .unwrap();
    let t = Some(DEMO_TOKEN);
    for _ in 0..10 {
        assert_eq!(
            get(&emu, "/orgs/acme/packages/container/only-tag", t)
                .await
                .status,
            200
        );
    }
    let r = get(&emu, "/orgs/acme/packages/container/service-002", t).await;
    assert_eq!(r.status, 403, "same endpoint, another package");
    assert!(
        r.message().contains("secondary rate limit"),
        "{}",
        r.message()
    );
    assert!(r
        .message()
        .contains(&r.header("x-github-request-id").unwrap()));
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_ne!(
        r.header("x-ratelimit-remaining").unwrap(),
        "0",
        "not a primary limit"
    );
    // Another endpoint has its own budget; DELETE costs 5 points.
    let base = "/orgs/acme/packages/container/api%2Fserver/versions";
    assert_eq!(delete(&emu, &format!("{base}/20012"), t).await.status, 204);
    assert_eq!(delete(&emu, &format!("{base}/20013"), t).await.status, 204);
    let r = delete(&emu, &format!("{base}/20014"), t).await;
    assert_eq!(r.status, 403);
    assert!(r.header("retry-after").is_some());
    // A minute later the budget is back.
    emu.advance_clock(Duration::from_secs(61));
    assert_eq!(delete(&emu, &format!("{base}/20014"), t).await.status, 204);
    assert_eq!(
        get(&emu, "/orgs/acme/packages/container/only-tag", t)
            .await
            .status,
        200
    );
    // The budget can be changed at run time.
    emu.set_secondary_points_per_minute(900);
    for _ in 0..20 {
        assert_eq!(
            get(&emu, "/orgs/acme/packages/container/only-tag", t)
                .await
                .status,
            200
        );
    }
}

#[tokio::test]
async fn more_than_100_concurrent_requests_of_one_credential_are_refused() {
    let emu = Emulator::builder()
        .fixture(Fixture::demo())
        .latency(Duration::from_millis(1500))
        .start()
        .await
        .unwrap();
    assert_eq!(ghpkg_emulator::MAX_CONCURRENT_REQUESTS, 100);
    let url = format!("{}/orgs/acme/packages/container/only-tag", emu.url());
    let client = crate::common::client();
    let send = |token: &'static str| {
        let req = client.get(&url).bearer_auth(token);
        async move { crate::common::read(req.send().await.unwrap()).await }
    };
    let mine = futures::future::join_all((0..110).map(|_| send(DEMO_TOKEN)));
    let (mine, other) = tokio::join!(mine, send(HUBOT_TOKEN));
    let refused: Vec<_> = mine.iter().filter(|r| r.status == 403).collect();
    assert_eq!(mine.iter().filter(|r| r.status == 200).count(), 100);
    assert_eq!(refused.len(), 10);
    assert!(refused[0].message().contains("secondary rate limit"));
    assert_eq!(refused[0].header("retry-after").as_deref(), Some("1"));
    assert_ne!(
        refused[0].header("x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert_eq!(other.status, 200, "another credential has its own cap");
    // Once they are answered, the slots are free again.
    assert_eq!(send(DEMO_TOKEN).await.status, 200);
}

#[tokio::test]
async fn posts_cost_five_points_and_gets_one() {
    let emu = Emulator::builder()
        .fixture(Fixture::demo())
        .secondary_points_per_minute(10)
        .start()
        .await
        .unwrap();
    let t = Some(DEMO_TOKEN);
    let restore = "/orgs/acme/packages/container/api%2Fserver/versions/20012/restore";
    for _ in 0..2 {
        // Not deleted, so 404; the points are spent all the same.
        assert_eq!(post(&emu, restore, t).await.status, 404);
    }
    let r = post(&emu, restore, t).await;
    assert_eq!(r.status, 403);
    assert!(r.message().contains("secondary rate limit"));
    for _ in 0..10 {
        assert_eq!(
            get(&emu, "/orgs/acme/packages/container/only-tag", t)
                .await
                .status,
            200
        );
    }
    let r = get(&emu, "/orgs/acme/packages/container/only-tag", t).await;
    assert_eq!(r.status, 403, "the eleventh point");
}
