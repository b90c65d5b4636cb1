//! Fixtures with real manifests (the digest check) and the `oci` builders.

use ghpkg_emulator::{oci, Emulator, Fixture, FixtureError, PackageSpec, TokenSpec, VersionSpec};
use serde_json::json;

use crate::common::{pull_token, reg, sha256};

fn fixture(versions: Vec<VersionSpec>) -> Fixture {
    let mut p = PackageSpec::new("acme", "app", "container").visibility("public");
    p.versions = versions;
    Fixture::empty()
        .token(TokenSpec::classic("ghp_t", "octocat", &["read:packages"]))
        .package(p)
}

#[tokio::test]
async fn manifests_name_their_versions() {
    let index = json!({"schemaVersion": 2, "mediaType": oci::OCI_INDEX, "manifests": []});
    let canonical = serde_json::to_vec(&index).unwrap();
    let raw = "{ \"schemaVersion\": 2,\n  \"layers\": [] }\n";
    let f = Fixture::from_json(
        &json!({
            "packages": [{"owner": "acme", "name": "app", "package_type": "container",
                          "visibility": "public",
                          "versions": [
                              {"id": 1, "tags": ["latest"], "manifest": index},
                              {"id": 2, "name": sha256(raw.as_bytes()), "manifest_raw": raw,
                               "media_type": "application/vnd.docker.distribution.manifest.v2+json"},
                              {"id": 3, "name": "sha256:made-up"}]}]
        })
        .to_string(),
    )
    .unwrap();
    let emu = Emulator::start(f.clone()).await.unwrap();
    let names = emu.with_state(|s| {
        let p = s.package("acme", "container", "app").unwrap();
        [1, 2, 3].map(|id| p.version(id).unwrap().name.clone())
    });
    assert_eq!(
        names[0],
        sha256(&canonical),
        "no name: the digest of the compact bytes"
    );
    assert_eq!(names[1], sha256(raw.as_bytes()));
    let t = pull_token(&emu, "acme/app", None).await;
    let r = reg(&emu, "GET", "/v2/acme/app/manifests/latest", Some(&t)).await;
    assert_eq!(r.bytes, canonical);
    assert_eq!(
        r.header("content-type").unwrap(),
        oci::OCI_INDEX,
        "the body's mediaType"
    );
    let r = reg(
        &emu,
        "GET",
        &format!("/v2/acme/app/manifests/{}", names[1]),
        Some(&t),
    )
    .await;
    assert_eq!(r.text, raw, "manifest_raw is stored byte for byte");
    assert_eq!(
        r.header("content-type").unwrap(),
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    let r = reg(
        &emu,
        "GET",
        "/v2/acme/app/manifests/sha256:made-up",
        Some(&t),
    )
    .await;
    assert_eq!(r.status, 404, "a version without a manifest is a ghost");
    // The JSON form round-trips, and the builder form is the same data.
    assert_eq!(Fixture::from_json(&f.to_json()).unwrap(), f);
    let built = VersionSpec::with_manifest(index.clone());
    assert_eq!(built.manifest, Some(index));
    assert!(built.name.is_empty());
}

#[tokio::test]
async fn a_name_that_is_not_the_digest_is_refused() {
    let m = oci::image("linux/amd64");
    let wrong = format!("sha256:{}", "a".repeat(64));
    let v = VersionSpec::new(&wrong)
        .id(9)
        .manifest_raw(std::str::from_utf8(&m.bytes).unwrap());
    let err = Emulator::start(fixture(vec![v.clone()])).await.unwrap_err();
    let message = err.to_string();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        message.contains(&wrong) && message.contains(&m.digest),
        "{message}"
    );
    // The same at run time.
    let emu = Emulator::start(fixture(vec![])).await.unwrap();
    let err = emu
        .with_state(|s| {
            let id = s.package("acme", "container", "app").unwrap().id;
            s.add_version(id, v)
        })
        .unwrap_err();
    assert!(
        matches!(err, FixtureError::Invalid(ref m) if m.contains(&wrong)),
        "{err}"
    );
    // A digest-named version with its manifest is accepted at run time.
    let id = emu
        .with_state(|s| {
            let id = s.package("acme", "container", "app").unwrap().id;
            s.add_version(id, VersionSpec::from(&m).tags(&["new"]))
        })
        .unwrap();
    let t = pull_token(&emu, "acme/app", None).await;
    let r = reg(&emu, "GET", "/v2/acme/app/manifests/new", Some(&t)).await;
    assert_eq!((r.status, sha256(&r.bytes)), (200, m.digest.clone()));
    assert!(id > 0);
}

#[tokio::test]
async fn inconsistent_manifest_fixtures_say_why() {
    let m = oci::image("linux/amd64");
    let text = String::from_utf8(m.bytes.clone()).unwrap();
    let cases = [
        (VersionSpec::new(""), "needs a name"),
        (
            VersionSpec::new("").manifest(json!({"schemaVersion": 2})),
            "no mediaType",
        ),
        (
            VersionSpec::new("x").media_type(oci::OCI_MANIFEST),
            "no manifest",
        ),
    ];
    for (v, why) in cases {
        let err = Emulator::start(fixture(vec![v.clone()])).await.unwrap_err();
        assert!(err.to_string().contains(why), "{v:?}: {err}");
    }
    // `manifest` then `manifest_raw`: the builder keeps the last one.
    let v = VersionSpec::new("").manifest(json!({})).manifest_raw(&text);
    assert!(v.manifest.is_none());
    let mut both = v.clone();
    both.manifest = Some(json!({}));
    let err = Emulator::start(fixture(vec![both])).await.unwrap_err();
    assert!(
        err.to_string().contains("both manifest and manifest_raw"),
        "{err}"
    );
    // Only container packages have a registry.
    let f = Fixture::empty()
        .package(PackageSpec::new("acme", "lib", "npm").version(VersionSpec::from(&m)));
    let err = Emulator::start(f).await.unwrap_err();
    assert!(err.to_string().contains("only container packages"), "{err}");
}

#[test]
fn builders_are_deterministic_and_distinct() {
    let build = || {
        let amd64 = oci::image("linux/amd64");
        let arm64 = oci::image_with_seed("linux/arm64/v8", "1.2.0");
        let att = oci::buildx_attestation(&amd64);
        let index = oci::index(&[&amd64, &arm64, &att]);
        let sig = oci::cosign_sig(&index);
        let bundle = oci::sigstore_bundle(&amd64);
        let refs = oci::referrers_tag_index(&amd64, &[&bundle]);
        let nested = oci::nested_index(&[&index, &oci::index(&[&arm64])]);
        [amd64, arm64, att, index, sig, bundle, refs, nested]
    };
    let (a, b) = (build(), build());
    assert_eq!(a, b, "same input, same bytes");
    let mut digests: Vec<&str> = a.iter().map(|m| m.digest.as_str()).collect();
    for m in &a {
        assert_eq!(m.digest, sha256(&m.bytes));
        assert_eq!(m.json()["schemaVersion"], 2);
        assert_eq!(m.json()["mediaType"], m.media_type.as_str());
    }
    digests.sort();
    digests.dedup();
    assert_eq!(digests.len(), a.len(), "all distinct");
    assert_ne!(
        oci::image("linux/amd64").digest,
        oci::image("linux/arm64").digest
    );
    assert_ne!(
        oci::image_with_seed("linux/amd64", "a").digest,
        oci::image_with_seed("linux/amd64", "b").digest
    );
    let [amd64, arm64, att, index, sig, bundle, refs, nested] = a;
    // Images: a config and a layer.
    let img = amd64.json();
    assert_eq!(img["config"]["mediaType"], oci::OCI_CONFIG);
    assert_eq!(img["layers"][0]["mediaType"], oci::OCI_LAYER);
    // The index lists platforms and buildx's attestation annotations.
    let entries = index.json()["manifests"].clone();
    assert_eq!(entries[0]["digest"], amd64.digest.as_str());
    assert_eq!(entries[0]["size"], amd64.size());
    assert_eq!(entries[1]["platform"]["variant"], "v8");
    assert_eq!(
        entries[2]["platform"],
        json!({"architecture": "unknown", "os": "unknown"})
    );
    assert_eq!(
        entries[2]["annotations"]["vnd.docker.reference.type"],
        "attestation-manifest"
    );
    assert_eq!(
        entries[2]["annotations"]["vnd.docker.reference.digest"],
        amd64.digest.as_str()
    );
    assert_eq!(att.json()["layers"][0]["mediaType"], oci::IN_TOTO);
    let _ = arm64;
    // Signatures and referrers.
    assert_eq!(
        sig.json()["layers"][0]["mediaType"],
        oci::COSIGN_SIMPLE_SIGNING
    );
    assert_eq!(
        oci::sig_tag(&index.digest),
        format!("sha256-{}.sig", index.hex())
    );
    let b = bundle.json();
    assert_eq!(b["artifactType"], oci::SIGSTORE_BUNDLE);
    assert_eq!(b["subject"]["digest"], amd64.digest.as_str());
    assert_eq!(
        refs.json()["manifests"][0]["digest"],
        bundle.digest.as_str()
    );
    assert_eq!(
        refs.json()["manifests"][0]["artifactType"],
        oci::SIGSTORE_BUNDLE
    );
    assert_eq!(
        oci::referrers_tag(&amd64.digest),
        format!("sha256-{}", amd64.hex())
    );
    let n = nested.json();
    assert_eq!(n["manifests"][0]["mediaType"], oci::OCI_INDEX);
    assert!(n["manifests"][0].get("platform").is_none());
    // Into a version named by the digest, serving the exact bytes.
    let v = VersionSpec::from(&index);
    assert_eq!(v.name, index.digest);
    assert_eq!(
        v.manifest_raw.as_deref().map(str::as_bytes),
        Some(index.bytes.as_slice())
    );
    assert_eq!(v.media_type.as_deref(), Some(oci::OCI_INDEX));
}
