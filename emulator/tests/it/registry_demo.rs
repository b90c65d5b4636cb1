//! The demo dataset's `api/server` graph, read the way a cleanup reads it:
//! REST for the versions, the registry for their manifests.

use std::collections::BTreeMap;

use ghpkg_emulator::{oci, Emulator, DEMO_TOKEN};
use serde_json::Value;

use crate::common::{get, pull_token, reg, sha256};

struct Graph {
    /// Active version id to (digest, tags).
    versions: BTreeMap<u64, (String, Vec<String>)>,
    /// Digest to the manifest the registry serves.
    manifests: BTreeMap<String, Value>,
}

impl Graph {
    fn id_of(&self, digest: &str) -> Option<u64> {
        self.versions
            .iter()
            .find(|(_, (d, _))| d == digest)
            .map(|(id, _)| *id)
    }

    fn manifest(&self, id: u64) -> &Value {
        &self.manifests[&self.versions[&id].0]
    }

    /// The ids of an index's children that the package has (`None` for absent ones).
    fn children(&self, id: u64) -> Vec<Option<u64>> {
        self.manifest(id)["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| self.id_of(c["digest"].as_str().unwrap()))
            .collect()
    }

    fn tagged(&self, tag: &str) -> u64 {
        *self
            .versions
            .iter()
            .find(|(_, (_, tags))| tags.iter().any(|t| t == tag))
            .unwrap_or_else(|| panic!("no version tagged {tag}"))
            .0
    }
}

async fn read_graph(emu: &Emulator) -> Graph {
    let listing = get(
        emu,
        "/orgs/acme/packages/container/api%2Fserver/versions?per_page=100",
        Some(DEMO_TOKEN),
    )
    .await
    .json();
    let t = pull_token(emu, "acme/api/server", Some(DEMO_TOKEN)).await;
    let mut g = Graph {
        versions: BTreeMap::new(),
        manifests: BTreeMap::new(),
    };
    for v in listing.as_array().unwrap() {
        let digest = v["name"].as_str().unwrap().to_owned();
        let tags = v["metadata"]["container"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_owned())
            .collect();
        let r = reg(
            emu,
            "GET",
            &format!("/v2/acme/api/server/manifests/{digest}"),
            Some(&t),
        )
        .await;
        assert_eq!(r.status, 200, "every version has its manifest: {digest}");
        assert_eq!(sha256(&r.bytes), digest, "the name is the digest");
        g.manifests.insert(digest.clone(), r.json());
        g.versions.insert(v["id"].as_u64().unwrap(), (digest, tags));
    }
    g
}

#[tokio::test]
async fn the_demo_api_server_graph_is_what_its_docs_say() {
    let emu = Emulator::demo().await.unwrap();
    let g = read_graph(&emu).await;
    assert_eq!(g.versions.len(), 19, "19 active versions");
    let latest = g.tagged("latest");
    assert_eq!((latest, g.tagged("1.2.0")), (5_000_000_001, 5_000_000_001));
    assert_eq!(g.manifest(latest)["mediaType"], oci::OCI_INDEX);
    assert_eq!(g.children(latest), [Some(20012), Some(20013), Some(20014)]);
    let entries = g.manifest(latest)["manifests"].as_array().unwrap().clone();
    assert_eq!(entries[0]["platform"]["architecture"], "amd64");
    assert_eq!(entries[1]["platform"]["architecture"], "arm64");
    // The buildx attestation of 20012, with its in-toto layer.
    assert_eq!(entries[2]["platform"]["os"], "unknown");
    let annotations = &entries[2]["annotations"];
    assert_eq!(
        annotations["vnd.docker.reference.type"],
        "attestation-manifest"
    );
    assert_eq!(
        annotations["vnd.docker.reference.digest"],
        g.versions[&20012].0.as_str()
    );
    assert_eq!(g.manifest(20014)["layers"][0]["mediaType"], oci::IN_TOTO);
    // 1.1.0 shares the amd64 image and has its own arm64.
    assert_eq!(g.tagged("1.1.0"), 20015);
    assert_eq!(g.children(20015), [Some(20012), Some(20018)]);
    assert_eq!(g.manifest(20016)["mediaType"], oci::OCI_MANIFEST);
    assert_eq!(g.tagged("1.0.0"), 20016);
    // The cosign signature of latest.
    let latest_digest = &g.versions[&latest].0;
    assert_eq!(g.tagged(&oci::sig_tag(latest_digest)), 20019);
    let sig = g.manifest(20019);
    assert_eq!(sig["layers"][0]["mediaType"], oci::COSIGN_SIMPLE_SIGNING);
    // The sigstore bundle on 20012 and the referrers-tag index listing it.
    let amd64 = &g.versions[&20012].0;
    let bundle = g.manifest(200120);
    assert_eq!(bundle["artifactType"], oci::SIGSTORE_BUNDLE);
    assert_eq!(bundle["subject"]["digest"], amd64.as_str());
    assert!(g.versions[&200120].1.is_empty(), "untagged");
    assert_eq!(g.tagged(&oci::referrers_tag(amd64)), 200121);
    assert_eq!(g.children(200121), [Some(200120)]);
    assert_eq!(
        g.manifest(200121)["manifests"][0]["artifactType"],
        oci::SIGSTORE_BUNDLE
    );
    // The nested index: two indexes, each with its own image.
    assert_eq!(g.tagged("nested"), 200130);
    assert_eq!(g.children(200130), [Some(200131), Some(200132)]);
    assert_eq!(g.children(200131), [Some(200133)]);
    assert_eq!(g.children(200132), [Some(200134)]);
    // The ghost index: every child absent; the partial one: one of two.
    assert!(g.versions[&200140].1.is_empty());
    assert_eq!(g.children(200140), [None, None]);
    assert!(g.versions[&200150].1.is_empty());
    assert_eq!(g.children(200150), [Some(200151), None]);
    // The orphaned signature: its tag names a digest the package does not have.
    let orphan_tag = &g.versions[&200160].1[0];
    let subject = format!(
        "sha256:{}",
        &orphan_tag["sha256-".len()..orphan_tag.len() - 4]
    );
    assert!(orphan_tag.ends_with(".sig"));
    assert_eq!(g.id_of(&subject), None);
    assert_eq!(
        g.manifest(200160)["layers"][0]["mediaType"],
        oci::COSIGN_SIMPLE_SIGNING
    );
    // Every other index's children resolve.
    for (id, (digest, _)) in &g.versions {
        if g.manifests[digest]["mediaType"] == oci::OCI_INDEX && ![200140, 200150].contains(id) {
            assert!(g.children(*id).iter().all(Option::is_some), "{id}");
        }
    }
    // Untagged: the children, the bundle, the ghost and the partial ones.
    let untagged: Vec<u64> = g
        .versions
        .iter()
        .filter(|(_, (_, tags))| tags.is_empty())
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(
        untagged,
        [
            20012, 20013, 20014, 20018, 200120, 200131, 200132, 200133, 200134, 200140, 200150,
            200151
        ]
    );
}

#[tokio::test]
async fn the_popular_image_is_public_real_and_undeletable() {
    let emu = Emulator::demo().await.unwrap();
    let t = pull_token(&emu, "octocat/popular-image", None).await;
    let r = reg(
        &emu,
        "GET",
        "/v2/octocat/popular-image/manifests/latest",
        Some(&t),
    )
    .await;
    assert_eq!(r.status, 200);
    let v = get(
        &emu,
        "/users/octocat/packages/container/popular-image/versions/10121",
        Some(DEMO_TOKEN),
    )
    .await
    .json();
    assert_eq!(v["name"], sha256(&r.bytes));
    let r = crate::common::delete(
        &emu,
        "/users/octocat/packages/container/popular-image",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.message().contains("5000 downloads"), "{}", r.message());
}
