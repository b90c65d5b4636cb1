//! Every error kind, hostile input, retries and rate-limit waits under
//! injected faults.

use std::time::{Duration, Instant};

use ghpkg::{ErrorKind, Owner, PackageType};
use ghpkg_emulator::{Fault, FaultRule, DEMO_TOKEN, READ_ONLY_TOKEN};

use crate::common::{builder, calls, client, client_with, demo};

const C: PackageType = PackageType::Container;

fn acme() -> Owner {
    Owner::org("acme")
}

#[tokio::test]
async fn hostile_names_reach_exactly_their_package() {
    let emu = demo().await;
    let c = client(&emu);
    let me = Owner::AuthenticatedUser;
    for (name, wire) in [
        ("my app", "/user/packages/container/my%20app"),
        (
            "café-ünïcode",
            "/user/packages/container/caf%C3%A9-%C3%BCn%C3%AFcode",
        ),
        ("what?#hash", "/user/packages/container/what%3F%23hash"),
    ] {
        emu.clear_requests();
        assert_eq!(c.get_package(&me, C, name).await.unwrap().name, name);
        assert_eq!(emu.requests()[0].path, wire, "{name}");
    }
    let pct = c
        .get_package(&me, PackageType::Npm, "100%-pure")
        .await
        .unwrap();
    assert_eq!(pct.name, "100%-pure");
    let nested = c
        .get_package(&acme(), C, "org-repo/sub/image")
        .await
        .unwrap();
    assert_eq!(nested.name, "org-repo/sub/image");

    // Names that try to climb or add a query never leave their segment.
    for hostile in [
        "../x",
        "..%2F..%2Fuser",
        "a/../../b",
        "x?page=2",
        "x#frag",
        "%2e%2e",
    ] {
        emu.clear_requests();
        let err = c.get_package(&acme(), C, hostile).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{hostile}: {err}");
        let r = &emu.requests()[0];
        assert!(
            r.path.starts_with("/orgs/acme/packages/container/"),
            "{}",
            r.path
        );
        assert_eq!(r.path.matches('/').count(), 5, "one segment: {}", r.path);
        assert!(r.query.is_none());
    }
}

#[tokio::test]
async fn invalid_arguments_fail_before_any_request() {
    let emu = demo().await;
    let c = client(&emu);
    let cases = vec![
        c.get_package(&acme(), C, "").await.unwrap_err(),
        c.get_package(&acme(), C, "  ").await.unwrap_err(),
        c.get_package(&acme(), C, "..").await.unwrap_err(),
        c.get_package(&acme(), C, "a\nb").await.unwrap_err(),
        c.get_package(&Owner::org(""), C, "x").await.unwrap_err(),
        c.get_package(&Owner::user(".."), C, "x").await.unwrap_err(),
        c.get_version(&acme(), C, "api/server", 0)
            .await
            .unwrap_err(),
        c.restore_package(&acme(), C, "x", Some(""))
            .await
            .unwrap_err(),
        c.list_packages(&Owner::org(""), C, None)
            .collect_all()
            .await
            .unwrap_err(),
        c.list_versions(&acme(), C, "", None)
            .collect_all()
            .await
            .unwrap_err(),
        "containr".parse::<PackageType>().unwrap_err(),
        "secret".parse::<ghpkg::Visibility>().unwrap_err(),
        "gone".parse::<ghpkg::VersionState>().unwrap_err(),
    ];
    for e in &cases {
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert_eq!(e.status(), None);
    }
    assert!(emu.requests().is_empty(), "{:?}", calls(&emu));
}

#[tokio::test]
async fn github_error_fields_are_carried() {
    let emu = demo().await;
    let c = client(&emu);
    let e = c
        .get_package(&acme(), C, "no-such-package")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.message(), "Package not found.");
    assert!(e
        .documentation_url()
        .unwrap()
        .starts_with("https://docs.github.com/"));
    // The id is the response's `x-github-request-id` (GitHub's shape, five
    // colon-separated fields), and each response has its own.
    let id = e.request_id().unwrap().to_owned();
    assert_eq!(id.split(':').count(), 5, "GitHub-shaped request id: {id}");
    assert!(e.to_string().contains(&id));
    let again = c
        .get_package(&acme(), C, "no-such-package")
        .await
        .unwrap_err();
    assert_ne!(
        again.request_id(),
        Some(id.as_str()),
        "ids are per response"
    );
    let rl = e.rate_limit().unwrap();
    assert_eq!(rl.limit, 5000);
    assert!(rl.remaining < rl.limit);
}

#[tokio::test]
async fn rejected_by_rules() {
    let emu = demo().await;
    let c = client(&emu);
    // The last tagged version of a container.
    let e = c
        .delete_version(&acme(), C, "only-tag", 20081)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
    assert_eq!(e.status(), Some(400));
    assert!(e.message().contains("last tagged version"), "{e}");
    // Its untagged sibling can go.
    c.delete_version(&acme(), C, "only-tag", 20082)
        .await
        .unwrap();
    // The last version of a package.
    let e = c
        .delete_version(&acme(), PackageType::Npm, "single-version", 20091)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert!(e.message().contains("last version"), "{e}");
    // Over 5,000 downloads, public.
    let me = Owner::AuthenticatedUser;
    let e = c
        .delete_version(&me, PackageType::Npm, "hello-world", 10011)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert!(
        e.message().contains("5000") || e.message().contains("5,000"),
        "{e}"
    );
    let e = c
        .delete_package(&me, PackageType::Npm, "hello-world")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    // Nothing was deleted by the refusals.
    assert_eq!(
        c.get_package(&me, PackageType::Npm, "hello-world")
            .await
            .unwrap()
            .version_count,
        3
    );
    assert_eq!(
        c.get_package(&acme(), C, "only-tag")
            .await
            .unwrap()
            .version_count,
        1
    );
}

#[tokio::test]
async fn restore_window_and_namespace_reuse() {
    let emu = demo().await;
    let c = client(&emu);
    // Deleted 31 days ago: gone for good.
    c.delete_package(&acme(), C, "service-001").await.unwrap();
    emu.advance_clock(Duration::from_secs(31 * 24 * 3600));
    let e = c
        .restore_package(&acme(), C, "service-001", None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    // Old deletions (the fixture's) cannot be restored either.
    let e = c
        .restore_version(&acme(), C, "api/server", 20017)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
}

#[tokio::test]
async fn authentication_and_permission() {
    let emu = demo().await;
    let bad = client_with(&emu, "ghp_not_a_real_token");
    let e = bad.get_package(&acme(), C, "api/server").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.status(), Some(401));
    assert!(!e.to_string().contains("not_a_real"));
    assert!(!format!("{e:?}").contains("not_a_real"));

    let ro = client_with(&emu, READ_ONLY_TOKEN);
    ro.get_package(&acme(), C, "api/server").await.unwrap();
    let e = ro
        .delete_package(&acme(), C, "api/server")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
    assert_eq!(e.status(), Some(403));
    assert!(e.hint().unwrap().contains("scope"), "{e}");

    // hubot is a member, not an admin, of acme.
    let hubot = client_with(&emu, ghpkg_emulator::HUBOT_TOKEN);
    let e = hubot
        .delete_package(&acme(), C, "api/server")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
    ro.get_package(&acme(), C, "api/server").await.unwrap();
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_then_reported() {
    let emu = demo().await;
    let c = client(&emu);
    emu.inject(FaultRule::new(Fault::Status(502)).times(2));
    c.get_package(&acme(), C, "api/server").await.unwrap();
    assert_eq!(emu.requests().len(), 3);

    emu.clear_requests();
    emu.inject(FaultRule::new(Fault::Status(500)).forever());
    let e = c.get_package(&acme(), C, "api/server").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.status(), Some(500));
    assert_eq!(emu.requests().len(), 4, "1 try + 3 retries");
    emu.clear_faults();

    // Deletes are not retried after a 5xx.
    emu.clear_requests();
    emu.inject(FaultRule::new(Fault::Status(503)).method("DELETE"));
    let e = c
        .delete_version(&acme(), C, "api/server", 20012)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(emu.requests().len(), 1);
}

#[tokio::test]
async fn transport_faults_are_retried_for_reads() {
    let emu = demo().await;
    let c = client(&emu);
    for fault in [Fault::DropConnection, Fault::TruncatedBody] {
        emu.clear_requests();
        emu.inject(FaultRule::new(fault.clone()));
        let p = c.get_package(&acme(), C, "api/server").await.unwrap();
        assert_eq!(p.name, "api/server", "{fault:?}");
        assert_eq!(emu.requests().len(), 2, "{fault:?}");
    }
    let no_retry = builder(&emu)
        .token(DEMO_TOKEN)
        .max_retries(0)
        .build()
        .unwrap();
    emu.inject(FaultRule::new(Fault::DropConnection));
    let e = no_retry
        .get_package(&acme(), C, "api/server")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    emu.inject(FaultRule::new(Fault::TruncatedBody));
    let e = no_retry
        .get_package(&acme(), C, "api/server")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.message().contains("cut off"), "{e}");
}

#[tokio::test]
async fn malformed_responses_are_decode_errors() {
    let emu = demo().await;
    let c = client(&emu);
    emu.inject(FaultRule::new(Fault::MalformedJson));
    let e = c.get_package(&acme(), C, "api/server").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.request_id().is_some());
    emu.inject(FaultRule::new(Fault::MalformedJson));
    let e = c
        .list_packages(&acme(), C, None)
        .collect_all()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn timeouts() {
    let emu = demo().await;
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .unwrap();
    emu.inject(FaultRule::new(Fault::latency(Duration::from_secs(2))));
    let t = Instant::now();
    let e = c.get_package(&acme(), C, "api/server").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn primary_rate_limit_is_waited_out() {
    let emu = demo().await;
    let c = client(&emu);
    emu.inject(FaultRule::new(Fault::PrimaryRateLimit {
        reset_in_seconds: 1,
    }));
    let t = Instant::now();
    c.get_package(&acme(), C, "api/server").await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(emu.requests().len(), 2);
    let rl = c.rate_limit().unwrap();
    assert!(rl.remaining > 0 && rl.limit >= rl.remaining);
}

#[tokio::test]
async fn rate_limit_past_max_wait_is_an_error_with_reset() {
    let emu = demo().await;
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .max_rate_limit_wait(Duration::from_secs(1))
        .build()
        .unwrap();
    emu.inject(FaultRule::new(Fault::PrimaryRateLimit {
        reset_in_seconds: 600,
    }));
    let t = Instant::now();
    let e = c.get_package(&acme(), C, "api/server").await.unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.rate_limit().unwrap().remaining, 0);
    assert!(e.retry_after().unwrap() > Duration::from_secs(500));
    assert!(e.rate_limit().unwrap().reset > chrono::Utc::now());

    for status in [403, 429] {
        emu.inject(FaultRule::new(Fault::SecondaryRateLimit {
            retry_after_seconds: Some(300),
            status,
        }));
        let e = c.get_package(&acme(), C, "api/server").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited, "{status}");
        assert_eq!(e.retry_after(), Some(Duration::from_secs(300)));
    }
    // Without retry-after, a secondary limit means at least 60 s.
    emu.inject(FaultRule::new(Fault::SecondaryRateLimit {
        retry_after_seconds: None,
        status: 403,
    }));
    let e = c.get_package(&acme(), C, "api/server").await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
}

#[tokio::test]
async fn secondary_rate_limit_is_waited_out() {
    let emu = demo().await;
    let c = client(&emu);
    emu.inject(FaultRule::new(Fault::SecondaryRateLimit {
        retry_after_seconds: Some(1),
        status: 429,
    }));
    let t = Instant::now();
    c.delete_version(&acme(), C, "api/server", 20012)
        .await
        .unwrap();
    assert!(t.elapsed() >= Duration::from_millis(950));
    assert_eq!(
        emu.requests().len(),
        2,
        "a refused delete is safe to resend"
    );
}

#[tokio::test]
async fn the_emulators_own_secondary_limit_trips_on_deletes() {
    let fixture = ghpkg_emulator::Fixture::demo();
    let emu = ghpkg_emulator::Emulator::builder()
        .fixture(fixture)
        .secondary_points_per_minute(12)
        .start()
        .await
        .unwrap();
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .max_rate_limit_wait(Duration::ZERO)
        .build()
        .unwrap();
    c.delete_version(&acme(), C, "api/server", 20012)
        .await
        .unwrap();
    c.delete_version(&acme(), C, "api/server", 20013)
        .await
        .unwrap();
    let e = c
        .delete_version(&acme(), C, "api/server", 20014)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert!(e.retry_after().is_some());
}

#[tokio::test]
async fn every_error_kind_is_reachable() {
    // One assertion per kind: the table the bindings map from is complete.
    let emu = demo().await;
    let c = client(&emu);
    let mut seen = std::collections::HashSet::new();
    seen.insert(c.get_package(&acme(), C, "").await.unwrap_err().kind());
    seen.insert(
        client_with(&emu, "ghp_bad")
            .get_package(&acme(), C, "x")
            .await
            .unwrap_err()
            .kind(),
    );
    seen.insert(
        client_with(&emu, READ_ONLY_TOKEN)
            .delete_package(&acme(), C, "only-tag")
            .await
            .unwrap_err()
            .kind(),
    );
    seen.insert(c.get_package(&acme(), C, "nope").await.unwrap_err().kind());
    seen.insert(
        c.delete_version(&acme(), C, "only-tag", 20081)
            .await
            .unwrap_err()
            .kind(),
    );
    let quick = builder(&emu)
        .token(DEMO_TOKEN)
        .max_rate_limit_wait(Duration::ZERO)
        .max_retries(0)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    emu.inject(FaultRule::new(Fault::primary_rate_limit()));
    seen.insert(quick.get_package(&acme(), C, "x").await.unwrap_err().kind());
    emu.inject(FaultRule::new(Fault::Status(500)));
    seen.insert(quick.get_package(&acme(), C, "x").await.unwrap_err().kind());
    emu.inject(FaultRule::new(Fault::latency(Duration::from_secs(3))));
    seen.insert(quick.get_package(&acme(), C, "x").await.unwrap_err().kind());
    emu.inject(FaultRule::new(Fault::DropConnection));
    seen.insert(quick.get_package(&acme(), C, "x").await.unwrap_err().kind());
    emu.inject(FaultRule::new(Fault::MalformedJson));
    seen.insert(quick.get_package(&acme(), C, "x").await.unwrap_err().kind());
    // `Closed` belongs to the front doors' `close()`; the core hands them the error.
    seen.insert(ghpkg::Error::closed().kind());
    for k in ErrorKind::ALL {
        assert!(seen.contains(&k), "{k:?} not produced");
    }
    // The table: distinct codes and numbers.
    let codes: std::collections::HashSet<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
    let nums: std::collections::HashSet<_> = ErrorKind::ALL.iter().map(|k| k.number()).collect();
    assert_eq!(codes.len(), ErrorKind::ALL.len());
    assert_eq!(nums.len(), ErrorKind::ALL.len());
}

#[tokio::test]
async fn a_client_keeps_to_githubs_100_concurrent_requests() {
    // The emulator answers a 101st concurrent request of one token with
    // GitHub's secondary-limit 403. With waits off, one refusal would fail
    // its call: 300 calls at once all succeed because the client queues
    // what goes beyond ghpkg::MAX_CONCURRENT_REQUESTS.
    assert_eq!(ghpkg::MAX_CONCURRENT_REQUESTS, 100);
    let emu = demo().await;
    emu.set_latency(Duration::from_millis(100));
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .max_rate_limit_wait(Duration::ZERO)
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let acme = acme();
    let calls = (0..300).map(|_| c.get_package(&acme, C, "api/server"));
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().name, "api/server");
    }
    // Three waves of 100 at 100 ms each, not one wave of 300.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}
