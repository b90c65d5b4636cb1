//! Pagination: `page`/`per_page`, `link` headers, the off-switch and the 10,000 limit.

use std::collections::HashSet;

use ghpkg_emulator::{Emulator, Fixture, PackageSpec, TokenSpec, VersionSpec, DEMO_TOKEN};

use crate::common::{client, get, read, Resp};

async fn follow(url: &str) -> Resp {
    read(
        client()
            .get(url)
            .bearer_auth(DEMO_TOKEN)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn listings_page_with_github_style_link_headers() {
    let emu = Emulator::demo().await.unwrap();
    let first = get(
        &emu,
        "/orgs/acme/packages?package_type=container",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(
        first.json().as_array().unwrap().len(),
        30,
        "default per_page is 30"
    );
    let link = first.header("link").unwrap();
    let base = format!("{}/orgs/acme/packages?package_type=container", emu.url());
    assert_eq!(
        link,
        format!("<{base}&page=2>; rel=\"next\", <{base}&page=9>; rel=\"last\"")
    );

    // Walk every page by following `next` verbatim.
    let mut names = first.names();
    let mut next = first.link("next");
    let mut pages = 1;
    while let Some(url) = next {
        assert!(
            url.starts_with(&emu.url()),
            "links point back at the emulator: {url}"
        );
        let r = follow(&url).await;
        assert_eq!(r.status, 200);
        pages += 1;
        if pages > 1 {
            assert!(r.link("prev").is_some() && r.link("first").is_some());
        }
        names.extend(r.names());
        next = r.link("next");
    }
    assert_eq!(pages, 9);
    assert_eq!(names.len(), 264, "acme has 264 container packages");
    assert_eq!(
        names.iter().collect::<HashSet<_>>().len(),
        names.len(),
        "no duplicates"
    );
    assert_eq!(names[0], "api/server", "ascending id order");

    // The last page has prev and first only.
    let last = get(
        &emu,
        "/orgs/acme/packages?package_type=container&page=9",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(last.json().as_array().unwrap().len(), 24);
    assert!(last.link("next").is_none() && last.link("last").is_none());
    assert!(last.link("prev").unwrap().ends_with("page=8"));
}

#[tokio::test]
async fn per_page_is_clamped_and_validated() {
    let emu = Emulator::demo().await.unwrap();
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=container&per_page=500",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.json().as_array().unwrap().len(), 100);
    assert!(
        r.link("last").unwrap().ends_with("per_page=500&page=3"),
        "other params are kept"
    );
    for q in [
        "page=0",
        "per_page=0",
        "page=-1",
        "per_page=abc",
        "page=1.5",
    ] {
        let r = get(
            &emu,
            &format!("/orgs/acme/packages?package_type=container&{q}"),
            Some(DEMO_TOKEN),
        )
        .await;
        assert_eq!(r.status, 422, "{q}");
    }
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=container&page=50",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.json().as_array().unwrap().is_empty());
    // Everything on one page: no link header.
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=npm",
        Some(DEMO_TOKEN),
    )
    .await;
    assert!(r.header("link").is_none());
}

#[tokio::test]
async fn version_listings_page_for_every_owner_scope() {
    let emu = Emulator::demo().await.unwrap();
    for prefix in ["/user", "/users/octocat"] {
        let r = get(
            &emu,
            &format!("{prefix}/packages/npm/hello-world/versions?per_page=1"),
            Some(DEMO_TOKEN),
        )
        .await;
        assert_eq!(r.names(), ["1.1.0"], "newest first");
        assert!(r.link("last").unwrap().ends_with("per_page=1&page=3"));
        let r = follow(&r.link("next").unwrap()).await;
        assert_eq!(r.names(), ["1.0.1"]);
    }
    let r = get(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions?per_page=4&page=5",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.json().as_array().unwrap().len(), 3, "19 active versions");
    assert!(r
        .link("prev")
        .unwrap()
        .contains("/orgs/acme/packages/container/api%2Fserver/versions?"));
    // Docker conflicts page too.
    emu.with_state(|s| {
        s.add_package(
            PackageSpec::new("acme", "legacy-db", "docker")
                .migration_conflict(true)
                .version(VersionSpec::new("sha256:ab")),
        )
    })
    .unwrap();
    let r = get(
        &emu,
        "/orgs/acme/docker/conflicts?per_page=1",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.names(), ["legacy-api"]);
    assert!(r.link("next").is_some());
}

#[tokio::test]
async fn link_headers_can_be_switched_off() {
    let emu = Emulator::demo().await.unwrap();
    emu.set_link_headers(false);
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=container",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.json().as_array().unwrap().len(), 30, "a full page");
    assert!(r.header("link").is_none());
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=container&page=9",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.json().as_array().unwrap().len(), 24, "paging still works");
    emu.set_link_headers(true);
    let r = get(
        &emu,
        "/orgs/acme/packages?package_type=container",
        Some(DEMO_TOKEN),
    )
    .await;
    assert!(r.header("link").is_some());
}

#[tokio::test]
async fn list_packages_stops_at_10000_results() {
    let mut fixture = Fixture::empty().user("big").token(TokenSpec::classic(
        "ghp_big",
        "big",
        &["read:packages"],
    ));
    for i in 0..10_050 {
        fixture = fixture
            .package(PackageSpec::new("big", &format!("p{i:05}"), "npm").visibility("public"));
    }
    let emu = Emulator::start(fixture).await.unwrap();
    let r = get(
        &emu,
        "/users/big/packages?package_type=npm&per_page=100",
        Some("ghp_big"),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        r.link("last").unwrap().ends_with("per_page=100&page=100"),
        "last never passes 10,000"
    );
    let r = get(
        &emu,
        "/users/big/packages?package_type=npm&per_page=100&page=100",
        Some("ghp_big"),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.names().last().unwrap(), "p09999");
    assert!(r.link("next").is_none());
    let r = get(
        &emu,
        "/users/big/packages?package_type=npm&per_page=100&page=101",
        Some("ghp_big"),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.message(),
        "The value of `per_page` multiplied by `page` cannot be greater than 10000."
    );
    let r = get(
        &emu,
        "/users/big/packages?package_type=npm&page=334",
        Some("ghp_big"),
    )
    .await;
    assert_eq!(r.status, 400, "334 * 30 > 10000");
    let r = get(
        &emu,
        "/users/big/packages?package_type=npm",
        Some("ghp_big"),
    )
    .await;
    assert!(r.link("last").unwrap().ends_with("page=333"));
}
