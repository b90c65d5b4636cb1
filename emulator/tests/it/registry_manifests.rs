//! Manifests, tags and ghcr's other answers on the registry origin.

use ghpkg_emulator::{Emulator, DEMO_TOKEN};

use crate::common::{delete, get, pull_token, reg, registry_code, sha256};

const MANIFEST: &str = "/v2/acme/api/server/manifests";

/// The name (digest) and downloads of a version of acme's `api/server`.
fn version(emu: &Emulator, id: u64) -> (String, u64) {
    emu.with_state(|s| {
        let v = s
            .package("acme", "container", "api/server")
            .unwrap()
            .version(id)
            .unwrap();
        (v.name.clone(), v.downloads)
    })
}

async fn api_server_token(emu: &Emulator) -> String {
    pull_token(emu, "acme/api/server", Some(DEMO_TOKEN)).await
}

#[tokio::test]
async fn manifests_by_digest_and_by_tag_are_the_exact_bytes() {
    let emu = Emulator::demo().await.unwrap();
    let t = api_server_token(&emu).await;
    let (digest, _) = version(&emu, 5_000_000_001);
    for reference in [digest.as_str(), "latest", "1.2.0"] {
        let r = reg(&emu, "GET", &format!("{MANIFEST}/{reference}"), Some(&t)).await;
        assert_eq!(r.status, 200, "{reference}: {}", r.text);
        assert_eq!(sha256(&r.bytes), digest, "{reference}");
        assert_eq!(r.header("docker-content-digest").unwrap(), digest);
        assert_eq!(
            r.header("content-type").unwrap(),
            "application/vnd.oci.image.index.v1+json"
        );
        assert_eq!(
            r.header("content-length").unwrap(),
            r.bytes.len().to_string()
        );
        assert_eq!(r.json()["manifests"].as_array().unwrap().len(), 3);
    }
    // The exact bytes the state holds.
    let stored = emu.with_state(|s| {
        s.package("acme", "container", "api/server")
            .unwrap()
            .version(20012)
            .unwrap()
            .manifest
            .clone()
            .unwrap()
    });
    let (amd64, _) = version(&emu, 20012);
    let r = reg(&emu, "GET", &format!("{MANIFEST}/{amd64}"), Some(&t)).await;
    assert_eq!(r.bytes, stored.bytes);
    assert_eq!(r.header("content-type").unwrap(), stored.media_type);
    // A digest sent percent-encoded is the same reference.
    let encoded = amd64.replace(':', "%3A");
    let r = reg(&emu, "GET", &format!("{MANIFEST}/{encoded}"), Some(&t)).await;
    assert_eq!(r.status, 200);
    // HEAD: the same headers, no body.
    let r = reg(&emu, "HEAD", &format!("{MANIFEST}/latest"), Some(&t)).await;
    assert_eq!(r.status, 200);
    assert!(r.bytes.is_empty());
    assert_eq!(r.header("docker-content-digest").unwrap(), digest);
    assert_eq!(
        r.header("content-length").unwrap(),
        stored_len(&emu, 5_000_000_001).to_string()
    );
}

fn stored_len(emu: &Emulator, id: u64) -> usize {
    emu.with_state(|s| {
        s.package("acme", "container", "api/server")
            .unwrap()
            .version(id)
            .unwrap()
            .manifest
            .as_ref()
            .unwrap()
            .bytes
            .len()
    })
}

#[tokio::test]
async fn unknown_deleted_and_ghost_manifests_are_manifest_unknown() {
    let emu = Emulator::demo().await.unwrap();
    let t = api_server_token(&emu).await;
    let (deleted, _) = version(&emu, 20017);
    let missing = format!("sha256:{}", "0".repeat(64));
    for reference in ["no-such-tag", "0.9.0", deleted.as_str(), missing.as_str()] {
        let r = reg(&emu, "GET", &format!("{MANIFEST}/{reference}"), Some(&t)).await;
        assert_eq!(r.status, 404, "{reference}");
        assert_eq!(
            r.json(),
            serde_json::json!({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown", "detail": null}]})
        );
    }
    // only-tag's versions have no manifests: REST lists them, the registry has none.
    let t = pull_token(&emu, "acme/only-tag", Some(DEMO_TOKEN)).await;
    let r = reg(&emu, "GET", "/v2/acme/only-tag/manifests/stable", Some(&t)).await;
    assert_eq!(
        (r.status, registry_code(&r)),
        (404, "MANIFEST_UNKNOWN".into())
    );
    let r = reg(&emu, "GET", "/v2/acme/only-tag/tags/list", Some(&t)).await;
    assert_eq!(r.json()["tags"], serde_json::json!([]));
    // Blobs are not stored.
    let r = reg(&emu, "GET", "/v2/acme/only-tag/blobs/sha256:00", Some(&t)).await;
    assert_eq!((r.status, registry_code(&r)), (404, "BLOB_UNKNOWN".into()));
}

#[tokio::test]
async fn names_methods_and_repositories() {
    let emu = Emulator::demo().await.unwrap();
    // Uppercase (an owner not lowercased) and encoded slashes are not names; no token needed to learn it.
    for path in [
        "/v2/Acme/api/server/manifests/latest",
        "/v2/acme/API/server/manifests/latest",
        "/v2/acme/api%2Fserver/manifests/latest",
    ] {
        let r = reg(&emu, "GET", path, None).await;
        assert_eq!(
            (r.status, registry_code(&r)),
            (400, "NAME_INVALID".into()),
            "{path}"
        );
    }
    // ghcr cannot delete through the registry API.
    let t = api_server_token(&emu).await;
    for bearer in [None, Some(t.as_str())] {
        let r = reg(&emu, "DELETE", &format!("{MANIFEST}/latest"), bearer).await;
        assert_eq!((r.status, registry_code(&r)), (405, "UNSUPPORTED".into()));
    }
    assert_eq!(
        reg(&emu, "GET", &format!("{MANIFEST}/latest"), Some(&t))
            .await
            .status,
        200,
        "nothing was deleted"
    );
    // The referrers API is a redirect to github.com, where it is a 404.
    let (amd64, _) = version(&emu, 20012);
    let r = reg(
        &emu,
        "GET",
        &format!("/v2/acme/api/server/referrers/{amd64}"),
        Some(&t),
    )
    .await;
    assert_eq!(r.status, 303);
    let location = r.header("location").unwrap();
    let prefix = format!("{}/-/v2/packages/", emu.url());
    assert!(location.starts_with(&prefix), "{location}");
    let r = get(&emu, &location[emu.url().len()..], Some(DEMO_TOKEN)).await;
    assert_eq!(r.status, 404);
    // A repository whose package is deleted (the token was granted before).
    assert_eq!(
        delete(
            &emu,
            "/orgs/acme/packages/container/api%2Fserver",
            Some(DEMO_TOKEN)
        )
        .await
        .status,
        204
    );
    let r = reg(&emu, "GET", &format!("{MANIFEST}/latest"), Some(&t)).await;
    assert_eq!((r.status, registry_code(&r)), (404, "NAME_UNKNOWN".into()));
    // Paths the registry does not serve.
    let r = reg(&emu, "GET", "/v2/_catalog", Some(&t)).await;
    assert_eq!(r.status, 404);
    let r = reg(
        &emu,
        "GET",
        "/orgs/acme/packages?package_type=container",
        Some(&t),
    )
    .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn manifest_gets_count_as_downloads_and_heads_on_a_switch() {
    let emu = Emulator::demo().await.unwrap();
    let t = api_server_token(&emu).await;
    assert_eq!(version(&emu, 5_000_000_001).1, 320);
    for _ in 0..3 {
        assert_eq!(
            reg(&emu, "GET", &format!("{MANIFEST}/latest"), Some(&t))
                .await
                .status,
            200
        );
    }
    assert_eq!(version(&emu, 5_000_000_001).1, 323, "GET counts");
    assert_eq!(
        reg(&emu, "HEAD", &format!("{MANIFEST}/latest"), Some(&t))
            .await
            .status,
        200
    );
    assert_eq!(version(&emu, 5_000_000_001).1, 323, "HEAD does not");
    emu.set_head_counts_as_download(true);
    reg(&emu, "HEAD", &format!("{MANIFEST}/1.2.0"), Some(&t)).await;
    assert_eq!(
        version(&emu, 5_000_000_001).1,
        324,
        "HEAD counts when switched on"
    );
    // Failed requests count nothing.
    reg(&emu, "GET", &format!("{MANIFEST}/latest"), None).await;
    reg(&emu, "GET", &format!("{MANIFEST}/nope"), Some(&t)).await;
    assert_eq!(version(&emu, 5_000_000_001).1, 324);
    // Downloads feed the 5,000-download delete rule: a public version pushed over the limit.
    let emu = Emulator::builder()
        .fixture(ghpkg_emulator::Fixture::demo())
        .head_counts_as_download(true)
        .start()
        .await
        .unwrap();
    let t = pull_token(&emu, "octocat/popular-image", None).await;
    let before = emu.with_state(|s| {
        s.package("octocat", "container", "popular-image")
            .unwrap()
            .version(10122)
            .unwrap()
            .downloads
    });
    assert_eq!(before, 7);
    let digest = emu.with_state(|s| {
        let p = s.package("octocat", "container", "popular-image").unwrap();
        p.version(10122).unwrap().name.clone()
    });
    emu.with_state(|s| {
        s.package_mut("octocat", "container", "popular-image")
            .unwrap()
            .version_mut(10122)
            .unwrap()
            .downloads = 5_000
    });
    let path = format!("/v2/octocat/popular-image/manifests/{digest}");
    assert_eq!(reg(&emu, "HEAD", &path, Some(&t)).await.status, 200);
    let r = delete(
        &emu,
        "/user/packages/container/popular-image/versions/10122",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 400, "5,001 downloads: {}", r.text);
}

#[tokio::test]
async fn tags_list_pages_with_a_link_header() {
    let emu = Emulator::demo().await.unwrap();
    let t = api_server_token(&emu).await;
    let r = reg(&emu, "GET", "/v2/acme/api/server/tags/list", Some(&t)).await;
    assert_eq!(r.status, 200);
    assert!(r.header("link").is_none());
    let all: Vec<String> = r.json()["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(r.json()["name"], "acme/api/server");
    assert_eq!(&all[..5], ["1.0.0", "1.1.0", "1.2.0", "latest", "nested"]);
    assert_eq!(all.len(), 8, "{all:?}");
    assert!(
        !all.contains(&"0.9.0".to_owned()),
        "deleted versions have no tags"
    );
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    // Pages of 3, following Link.
    let mut seen = Vec::new();
    let mut next = Some("/v2/acme/api/server/tags/list?n=3".to_owned());
    let mut pages = 0;
    while let Some(path) = next {
        let r = reg(&emu, "GET", &path, Some(&t)).await;
        assert_eq!(r.status, 200, "{path}");
        let page = r.json()["tags"].as_array().unwrap().clone();
        assert!(page.len() <= 3);
        seen.extend(page.iter().map(|t| t.as_str().unwrap().to_owned()));
        next = r.header("link").map(|l| {
            assert!(l.ends_with(">; rel=\"next\""), "{l}");
            l[1..l.find('>').unwrap()].to_owned()
        });
        pages += 1;
    }
    assert_eq!((seen, pages), (all.clone(), 3));
    assert!(
        reg(&emu, "GET", "/v2/acme/api/server/tags/list?n=3", Some(&t))
            .await
            .header("link")
            .unwrap()
            .starts_with("</v2/acme/api/server/tags/list?n=3&last=1.2.0>")
    );
    // `last` alone; a bad `n`.
    let r = reg(
        &emu,
        "GET",
        "/v2/acme/api/server/tags/list?last=latest",
        Some(&t),
    )
    .await;
    assert_eq!(r.json()["tags"].as_array().unwrap().len(), all.len() - 4);
    let r = reg(&emu, "GET", "/v2/acme/api/server/tags/list?n=x", Some(&t)).await;
    assert_eq!(
        (r.status, registry_code(&r)),
        (400, "PAGINATION_NUMBER_INVALID".into())
    );
}
