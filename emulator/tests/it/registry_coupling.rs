//! The registry follows the REST state: deletes and restores of versions and
//! packages, and pushes that create versions and move tags.

use std::time::Duration;

use ghpkg_emulator::{oci, Emulator, Fixture, DEMO_TOKEN};
use serde_json::json;

use crate::common::{
    client, delete, get, post, pull_token, read, reg, registry_code, registry_token, sha256, Resp,
};

const T: Option<&str> = Some(DEMO_TOKEN);
const REST: &str = "/orgs/acme/packages/container/api%2Fserver";
const MANIFEST: &str = "/v2/acme/api/server/manifests";

async fn push_token(emu: &Emulator) -> String {
    registry_token(emu, "repository:acme/api/server:pull,push", T).await
}

async fn put(
    emu: &Emulator,
    reference: &str,
    body: &[u8],
    media_type: Option<&str>,
    t: &str,
) -> Resp {
    let mut req = client()
        .put(format!("{}{MANIFEST}/{reference}", emu.registry_url()))
        .bearer_auth(t)
        .body(body.to_vec());
    if let Some(mt) = media_type {
        req = req.header("content-type", mt);
    }
    read(req.send().await.unwrap()).await
}

/// The REST tags of a version of api/server (active or deleted).
fn tags(emu: &Emulator, id: u64) -> Vec<String> {
    emu.with_state(|s| {
        s.packages_named("acme", "container", "api/server")
            .find_map(|p| p.version(id).map(|v| v.tags.clone()))
            .unwrap()
    })
}

fn digest(emu: &Emulator, id: u64) -> String {
    emu.with_state(|s| {
        s.packages_named("acme", "container", "api/server")
            .find_map(|p| p.version(id).map(|v| v.name.clone()))
            .unwrap()
    })
}

#[tokio::test]
async fn a_rest_delete_hides_the_manifest_and_a_restore_brings_it_back() {
    let emu = Emulator::demo().await.unwrap();
    let t = pull_token(&emu, "acme/api/server", T).await;
    let amd64 = digest(&emu, 20012);
    let path = format!("{MANIFEST}/{amd64}");
    assert_eq!(reg(&emu, "GET", &path, Some(&t)).await.status, 200);
    assert_eq!(
        delete(&emu, &format!("{REST}/versions/20012"), T)
            .await
            .status,
        204
    );
    let r = reg(&emu, "GET", &path, Some(&t)).await;
    assert_eq!(
        (r.status, registry_code(&r)),
        (404, "MANIFEST_UNKNOWN".into())
    );
    assert_eq!(reg(&emu, "HEAD", &path, Some(&t)).await.status, 404);
    emu.advance_clock(Duration::from_secs(3600));
    assert_eq!(
        post(&emu, &format!("{REST}/versions/20012/restore"), T)
            .await
            .status,
        204
    );
    // An hour later the registry token has expired too.
    assert_eq!(reg(&emu, "GET", &path, Some(&t)).await.status, 401);
    let t = pull_token(&emu, "acme/api/server", T).await;
    let r = reg(&emu, "GET", &path, Some(&t)).await;
    assert_eq!(r.status, 200);
    assert_eq!(sha256(&r.bytes), amd64);
}

#[tokio::test]
async fn tags_leave_with_their_version_and_come_back_unless_taken() {
    let emu = Emulator::demo().await.unwrap();
    let t = pull_token(&emu, "acme/api/server", T).await;
    let index = digest(&emu, 5_000_000_001);
    assert_eq!(
        delete(&emu, &format!("{REST}/versions/5000000001"), T)
            .await
            .status,
        204
    );
    for tag in ["latest", "1.2.0"] {
        let r = reg(&emu, "GET", &format!("{MANIFEST}/{tag}"), Some(&t)).await;
        assert_eq!(r.status, 404, "{tag}");
    }
    let listed = reg(&emu, "GET", "/v2/acme/api/server/tags/list", Some(&t)).await;
    assert!(!listed.text.contains("\"latest\""), "{}", listed.text);
    // Meanwhile `latest` moves to another version by a push.
    let pt = push_token(&emu).await;
    let other = oci::image_with_seed("linux/amd64", "hotfix");
    let r = put(&emu, "latest", &other.bytes, Some(oci::OCI_MANIFEST), &pt).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The restore brings back only the tag nobody took.
    assert_eq!(
        post(&emu, &format!("{REST}/versions/5000000001/restore"), T)
            .await
            .status,
        204
    );
    assert_eq!(tags(&emu, 5_000_000_001), ["1.2.0"]);
    let r = reg(&emu, "GET", &format!("{MANIFEST}/1.2.0"), Some(&t)).await;
    assert_eq!(r.header("docker-content-digest").unwrap(), index);
    let r = reg(&emu, "GET", &format!("{MANIFEST}/latest"), Some(&t)).await;
    assert_eq!(r.header("docker-content-digest").unwrap(), other.digest);
}

#[tokio::test]
async fn restores_can_leave_tags_detached() {
    let emu = Emulator::builder()
        .fixture(Fixture::demo())
        .restore_reattaches_tags(false)
        .start()
        .await
        .unwrap();
    let t = pull_token(&emu, "acme/api/server", T).await;
    assert_eq!(
        delete(&emu, &format!("{REST}/versions/20016"), T)
            .await
            .status,
        204
    );
    assert_eq!(
        post(&emu, &format!("{REST}/versions/20016/restore"), T)
            .await
            .status,
        204
    );
    assert!(tags(&emu, 20016).is_empty());
    let r = get(&emu, &format!("{REST}/versions/20016"), T).await;
    assert_eq!(r.json()["metadata"]["container"]["tags"], json!([]));
    assert_eq!(
        reg(&emu, "GET", &format!("{MANIFEST}/1.0.0"), Some(&t))
            .await
            .status,
        404
    );
    let by_digest = format!("{MANIFEST}/{}", digest(&emu, 20016));
    assert_eq!(reg(&emu, "GET", &by_digest, Some(&t)).await.status, 200);
    // Switched back on at run time.
    emu.set_restore_reattaches_tags(true);
    assert_eq!(
        delete(&emu, &format!("{REST}/versions/20015"), T)
            .await
            .status,
        204
    );
    assert_eq!(
        post(&emu, &format!("{REST}/versions/20015/restore"), T)
            .await
            .status,
        204
    );
    assert_eq!(tags(&emu, 20015), ["1.1.0"]);
}

#[tokio::test]
async fn package_deletes_and_restores_act_on_every_version() {
    for reattach in [true, false] {
        let emu = Emulator::builder()
            .fixture(Fixture::demo())
            .restore_reattaches_tags(reattach)
            .start()
            .await
            .unwrap();
        let t = pull_token(&emu, "acme/api/server", T).await;
        assert_eq!(delete(&emu, REST, T).await.status, 204);
        let r = reg(&emu, "GET", &format!("{MANIFEST}/latest"), Some(&t)).await;
        assert_eq!((r.status, registry_code(&r)), (404, "NAME_UNKNOWN".into()));
        assert_eq!(post(&emu, &format!("{REST}/restore"), T).await.status, 204);
        let by_digest = format!("{MANIFEST}/{}", digest(&emu, 5_000_000_001));
        assert_eq!(reg(&emu, "GET", &by_digest, Some(&t)).await.status, 200);
        let latest = reg(&emu, "GET", &format!("{MANIFEST}/latest"), Some(&t)).await;
        assert_eq!(
            latest.status,
            if reattach { 200 } else { 404 },
            "reattach {reattach}"
        );
        let r = reg(&emu, "GET", "/v2/acme/api/server/tags/list", Some(&t)).await;
        assert_eq!(r.json()["tags"].as_array().unwrap().is_empty(), !reattach);
    }
}

#[tokio::test]
async fn a_push_creates_a_version_the_rest_api_lists() {
    let emu = Emulator::demo().await.unwrap();
    let pt = push_token(&emu).await;
    let before = get(&emu, REST, T).await.json()["version_count"]
        .as_u64()
        .unwrap();
    let m = oci::index(&[&oci::image_with_seed("linux/s390x", "edge")]);
    let r = put(&emu, "edge", &m.bytes, Some(oci::OCI_INDEX), &pt).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("docker-content-digest").unwrap(), m.digest);
    assert_eq!(
        r.header("location").unwrap(),
        format!("/v2/acme/api/server/manifests/{}", m.digest)
    );
    assert_eq!(get(&emu, REST, T).await.json()["version_count"], before + 1);
    let versions = get(&emu, &format!("{REST}/versions?per_page=100"), T)
        .await
        .json();
    let pushed = versions
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == m.digest)
        .expect("the pushed version is listed");
    assert_eq!(pushed["metadata"]["container"]["tags"], json!(["edge"]));
    assert_eq!(versions[0]["name"], m.digest, "newest first");
    let id = pushed["id"].as_u64().unwrap();
    assert!(![5_000_000_001, 20012, 20013].contains(&id));
    // The registry serves it, by tag and digest.
    let t = pull_token(&emu, "acme/api/server", T).await;
    let r = reg(&emu, "GET", &format!("{MANIFEST}/edge"), Some(&t)).await;
    assert_eq!(
        (r.bytes.clone(), r.header("content-type").unwrap()),
        (m.bytes.clone(), oci::OCI_INDEX.to_owned())
    );
    // Pushing the same bytes by digest adds nothing.
    let r = put(&emu, &m.digest, &m.bytes, None, &pt).await;
    assert_eq!(r.status, 201, "the body's mediaType is enough: {}", r.text);
    assert_eq!(get(&emu, REST, T).await.json()["version_count"], before + 1);
}

#[tokio::test]
async fn a_push_moves_a_tag_which_is_how_tools_untag() {
    let emu = Emulator::demo().await.unwrap();
    let pt = push_token(&emu).await;
    let t = pull_token(&emu, "acme/api/server", T).await;
    // DAX's untag: the manifest of 1.2.0, emptied and annotated, pushed under 1.2.0 ...
    let r = reg(&emu, "GET", &format!("{MANIFEST}/1.2.0"), Some(&t)).await;
    let mut dummy: serde_json::Value = r.json();
    dummy["manifests"] = json!([]);
    dummy["annotations"] = json!({"io.github.ghcr-cleanup-action.untag-source-tag": "1.2.0"});
    let body = serde_json::to_vec(&dummy).unwrap();
    let r = put(&emu, "1.2.0", &body, Some(oci::OCI_INDEX), &pt).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // ... moves the tag to a new version and off the index, which keeps `latest`.
    assert_eq!(tags(&emu, 5_000_000_001), ["latest"]);
    let dummy_id = emu.with_state(|s| {
        let p = s.package("acme", "container", "api/server").unwrap();
        p.active_versions()
            .find(|v| v.name == sha256(&body))
            .unwrap()
            .id
    });
    assert_eq!(tags(&emu, dummy_id), ["1.2.0"]);
    // ... and a REST delete of the dummy removes the tag from the registry.
    assert_eq!(
        delete(&emu, &format!("{REST}/versions/{dummy_id}"), T)
            .await
            .status,
        204
    );
    assert_eq!(
        reg(&emu, "GET", &format!("{MANIFEST}/1.2.0"), Some(&t))
            .await
            .status,
        404
    );
    assert_eq!(
        reg(&emu, "GET", &format!("{MANIFEST}/latest"), Some(&t))
            .await
            .status,
        200
    );
    // A tag can also move onto an existing version: no new version.
    let count = get(&emu, REST, T).await.json()["version_count"].clone();
    let arm64 = reg(
        &emu,
        "GET",
        &format!("{MANIFEST}/{}", digest(&emu, 20013)),
        Some(&t),
    )
    .await;
    let r = put(&emu, "latest", &arm64.bytes, Some(oci::OCI_MANIFEST), &pt).await;
    assert_eq!(r.status, 201);
    assert_eq!(get(&emu, REST, T).await.json()["version_count"], count);
    assert_eq!(tags(&emu, 20013), ["latest"]);
    assert!(tags(&emu, 5_000_000_001).is_empty());
}

#[tokio::test]
async fn bad_pushes_are_refused() {
    let emu = Emulator::demo().await.unwrap();
    let pt = push_token(&emu).await;
    let m = oci::image("linux/amd64");
    let wrong = format!("sha256:{}", "1".repeat(64));
    let cases: [(&str, &[u8], Option<&str>, &str); 5] = [
        (&wrong, &m.bytes, Some(oci::OCI_MANIFEST), "DIGEST_INVALID"),
        (
            "x",
            b"not json",
            Some(oci::OCI_MANIFEST),
            "MANIFEST_INVALID",
        ),
        ("x", &m.bytes, Some(oci::OCI_INDEX), "MANIFEST_INVALID"),
        ("x", br#"{"schemaVersion":2}"#, None, "MANIFEST_INVALID"),
        (".bad", &m.bytes, Some(oci::OCI_MANIFEST), "TAG_INVALID"),
    ];
    let count = get(&emu, REST, T).await.json()["version_count"].clone();
    for (reference, body, media_type, code) in cases {
        let r = put(&emu, reference, body, media_type, &pt).await;
        assert_eq!(
            (r.status, registry_code(&r)),
            (400, code.to_owned()),
            "{reference}: {}",
            r.text
        );
    }
    assert_eq!(get(&emu, REST, T).await.json()["version_count"], count);
}
