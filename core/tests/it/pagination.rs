//! Listings: laziness, ordered read-ahead, the missing-`link` fallback, link
//! loops and the 10,000-item limit.

use std::time::{Duration, Instant};

use futures::StreamExt;
use ghpkg::{ErrorKind, Owner, PackageType};
use ghpkg_emulator::{Fault, FaultRule, DEMO_TOKEN};

use crate::common::{builder, calls, demo, query_param};

fn page_numbers(emu: &ghpkg_emulator::Emulator) -> Vec<u64> {
    emu.requests()
        .iter()
        .map(|r| query_param(r, "page").map_or(1, |p| p.parse().unwrap()))
        .collect()
}

#[tokio::test]
async fn pages_are_fetched_only_as_consumed() {
    let emu = demo().await;
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .per_page(10)
        .read_ahead(1)
        .build()
        .unwrap();
    let mut list = c.list_packages(&Owner::org("acme"), PackageType::Container, None);
    assert!(
        emu.requests().is_empty(),
        "nothing is sent before the first poll"
    );
    for _ in 0..10 {
        list.next().await.unwrap().unwrap();
    }
    assert_eq!(page_numbers(&emu), [1], "one page for the first ten items");
    list.next().await.unwrap().unwrap();
    assert_eq!(page_numbers(&emu), [1, 2]);
    drop(list);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(emu.requests().len(), 2, "dropping the listing stops it");
}

#[tokio::test]
async fn read_ahead_is_bounded_and_keeps_order() {
    let emu = demo().await;
    let sequential = builder(&emu)
        .token(DEMO_TOKEN)
        .per_page(10)
        .read_ahead(1)
        .build()
        .unwrap();
    let acme = Owner::org("acme");
    let expected: Vec<u64> = sequential
        .list_packages(&acme, PackageType::Container, None)
        .collect_all()
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert!(expected.len() > 250);

    emu.clear_requests();
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .per_page(10)
        .read_ahead(4)
        .build()
        .unwrap();
    let mut list = c.list_packages(&acme, PackageType::Container, None);
    for _ in 0..11 {
        list.next().await.unwrap().unwrap();
    }
    // Page 1 was fetched alone; page 2 is being consumed, and pages 3-6 run in
    // the background while the consumer is busy: never more than 4 ahead.
    let deadline = Instant::now() + Duration::from_secs(5);
    while emu.requests().len() < 6 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    let mut seen = page_numbers(&emu);
    seen.sort();
    assert_eq!(
        seen,
        [1, 2, 3, 4, 5, 6],
        "bounded read-ahead: {:?}",
        calls(&emu)
    );
    let mut ids: Vec<u64> = vec![];
    // The first 11 items were consumed above; collect the rest in order.
    while let Some(p) = list.next().await {
        ids.push(p.unwrap().id);
    }
    assert_eq!(ids, expected[11..], "items stay in order");
}

#[tokio::test]
async fn read_ahead_beats_sequential_under_latency() {
    let emu = demo().await;
    emu.set_latency(Duration::from_millis(100));
    let acme = Owner::org("acme");
    let run = |read_ahead: usize| {
        let c = builder(&emu)
            .token(DEMO_TOKEN)
            .per_page(30)
            .read_ahead(read_ahead)
            .build()
            .unwrap();
        let acme = acme.clone();
        async move {
            let t = Instant::now();
            let n = c
                .list_packages(&acme, PackageType::Container, None)
                .collect_all()
                .await
                .unwrap()
                .len();
            (n, t.elapsed())
        }
    };
    let (n1, slow) = run(1).await;
    let (n4, fast) = run(4).await;
    assert_eq!(n1, n4);
    // 9 pages: 9 round trips one at a time, about 1 + 8/4 with read-ahead.
    assert!(
        fast * 2 < slow,
        "read-ahead {fast:?} vs sequential {slow:?}"
    );
}

#[tokio::test]
async fn missing_link_header_falls_back_to_page_numbers() {
    let emu = demo().await;
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .per_page(50)
        .build()
        .unwrap();
    let acme = Owner::org("acme");
    let with_links = c
        .list_packages(&acme, PackageType::Container, None)
        .collect_all()
        .await
        .unwrap();
    emu.set_link_headers(false);
    emu.clear_requests();
    let without = c
        .list_packages(&acme, PackageType::Container, None)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(
        with_links.iter().map(|p| p.id).collect::<Vec<_>>(),
        without.iter().map(|p| p.id).collect::<Vec<_>>()
    );
    assert!(emu.requests().iter().all(|r| r.header("link").is_none()));
    let pages = page_numbers(&emu);
    assert_eq!(pages, (1..=pages.len() as u64).collect::<Vec<_>>());
    assert!(pages.len() >= 6, "{pages:?}");
}

#[tokio::test]
async fn a_link_loop_is_an_error_not_a_hang() {
    let emu = demo().await;
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .per_page(30)
        .read_ahead(1)
        .build()
        .unwrap();
    emu.inject(
        FaultRule::new(Fault::LinkLoop)
            .path("/orgs/acme/packages")
            .forever(),
    );
    let res = tokio::time::timeout(
        Duration::from_secs(10),
        c.list_packages(&Owner::org("acme"), PackageType::Container, None)
            .collect_all(),
    )
    .await
    .expect("the walk ends");
    let err = res.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("loop"), "{err}");
}

#[tokio::test]
async fn a_malformed_or_foreign_link_header_fails_after_the_page() {
    let emu = demo().await;
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .per_page(30)
        .read_ahead(1)
        .build()
        .unwrap();
    let cases = [
        ("<<not a url>>; rel=next; garbage", "link"),
        (
            "<https://evil.example/orgs/acme/packages?page=2>; rel=\"next\"",
            "another origin",
        ),
        ("</orgs/acme/packages?page=2>; rel=\"next\"", "link"),
    ];
    for (value, says) in cases {
        emu.clear_faults();
        emu.clear_requests();
        emu.inject(FaultRule::new(Fault::link_header(value)).path("/orgs/acme/packages"));
        let mut listing = c.list_packages(&Owner::org("acme"), PackageType::Container, None);
        let first = listing
            .next_page()
            .await
            .expect("a page")
            .expect("the page itself is fine");
        assert_eq!(first.len(), 30, "{value}");
        let err = listing
            .next_page()
            .await
            .expect("then the error")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{value}");
        assert!(err.message().contains(says), "{value}: {err}");
        assert!(
            listing.next_page().await.is_none(),
            "{value}: the listing ends"
        );
        assert_eq!(
            emu.requests().len(),
            1,
            "{value}: nothing else was requested"
        );
    }
}

#[tokio::test]
async fn ten_thousand_item_limit_is_rejected_by_the_server() {
    let emu = demo().await;
    let c = builder(&emu).token(DEMO_TOKEN).build().unwrap();
    // Ask for a page past the limit directly through a `next` link of our own making:
    // the emulator answers 400, which the client reports as Rejected.
    let mut url = url::Url::parse(&format!("{}/orgs/acme/packages", emu.url())).unwrap();
    url.query_pairs_mut()
        .append_pair("package_type", "container")
        .append_pair("per_page", "100")
        .append_pair("page", "101");
    let resp = reqwest::Client::new()
        .get(url)
        .header("user-agent", "t")
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // A listing of 10,000+ items stops at the limit without an error, and
    // says so, whichever way it walked.
    let emu2 = ghpkg_emulator::Emulator::builder()
        .fixture(big_fixture(10_050))
        .secondary_points_per_minute(u32::MAX)
        .start()
        .await
        .unwrap();
    let big = Owner::org("big");
    for (read_ahead, links) in [(4, true), (1, true), (1, false)] {
        emu2.set_link_headers(links);
        let c2 = builder(&emu2)
            .token(DEMO_TOKEN)
            .read_ahead(read_ahead)
            .build()
            .unwrap();
        let mut list = c2.list_packages(&big, PackageType::Container, None);
        let mut n = 0;
        while let Some(p) = list.next().await {
            p.unwrap();
            n += 1;
        }
        assert_eq!(n, 10_000, "read_ahead {read_ahead}, links {links}");
        assert!(
            list.reached_paging_limit(),
            "read_ahead {read_ahead}, links {links}"
        );
    }
    // A listing that ends below the limit does not claim it.
    let mut small = c.list_packages(&Owner::org("acme"), PackageType::Container, None);
    while small.next().await.is_some() {}
    assert!(!small.reached_paging_limit());
    drop(c);
}

/// An org `big` with `n` container packages and octocat as admin.
pub fn big_fixture(n: u64) -> ghpkg_emulator::Fixture {
    ghpkg_emulator::Fixture::empty()
        .user("octocat")
        .org("big", &["octocat"])
        .token(ghpkg_emulator::TokenSpec::classic(
            DEMO_TOKEN,
            "octocat",
            &["read:packages", "write:packages", "delete:packages", "repo"],
        ))
        .generated(ghpkg_emulator::GeneratedPackages::new(
            "big",
            "container",
            n,
        ))
}

#[tokio::test]
async fn a_finished_listing_keeps_answering_none() {
    let emu = demo().await;
    let c = builder(&emu).token(DEMO_TOKEN).build().unwrap();
    let mut list = c.list_versions(
        &Owner::org("acme"),
        PackageType::Container,
        "only-tag",
        None,
    );
    let mut n = 0;
    while let Some(v) = list.next().await {
        v.unwrap();
        n += 1;
    }
    assert_eq!(n, 2);
    for _ in 0..3 {
        assert!(list.next().await.is_none());
    }
    // After an error too.
    let mut bad = c.list_packages(&Owner::org(""), PackageType::Container, None);
    assert!(bad.next().await.unwrap().is_err());
    assert!(bad.next().await.is_none());
    assert!(bad.next().await.is_none());
}

#[tokio::test]
async fn whole_pages_and_ready_items() {
    let emu = demo().await;
    let c = builder(&emu)
        .token(DEMO_TOKEN)
        .read_ahead(1)
        .build()
        .unwrap();
    let mut list = c.list_packages(&Owner::org("acme"), PackageType::Container, None);
    let limit = list.paging_limit();
    // Nothing has arrived: nothing is ready, and asking sends nothing.
    assert!(list.pop_ready().is_none());
    assert!(!list.is_ended());
    assert!(emu.requests().is_empty());

    let first = list.next_page().await.unwrap().unwrap();
    assert_eq!(first.len(), 100, "a whole page at once");
    assert_eq!(page_numbers(&emu), [1]);

    // One item of page 2 through the stream; the rest of that page is
    // ready without waiting and without another request.
    let one = list.next().await.unwrap().unwrap();
    let mut ready = vec![one];
    while let Some(p) = list.pop_ready() {
        ready.push(p);
    }
    assert_eq!(ready.len(), 100);
    assert_eq!(page_numbers(&emu), [1, 2]);
    assert!(ready.iter().all(|p| !first.iter().any(|f| f.id == p.id)));

    let last = list.next_page().await.unwrap().unwrap();
    assert_eq!(last.len(), 64);
    assert!(list.next_page().await.is_none());
    assert!(list.is_ended());
    assert!(list.next().await.is_none());
    drop(list);
    assert!(!limit.reached(), "the handle outlives the listing");

    // The rest of a partly consumed page comes out as one page.
    let mut list = c.list_versions(
        &Owner::org("acme"),
        PackageType::Container,
        "api/server",
        None,
    );
    let head = list.next().await.unwrap().unwrap();
    let rest = list.next_page().await.unwrap().unwrap();
    assert!(!rest.is_empty());
    assert!(rest.iter().all(|v| v.id != head.id));
    assert!(list.next_page().await.is_none());
}
