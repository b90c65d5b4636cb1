//! Hand-writable OCI manifests for fixtures: platform images, indexes,
//! buildx attestations, cosign signatures, sigstore bundles (OCI 1.1
//! referrers), referrers-tag indexes and nested indexes.
//!
//! Every builder is deterministic: the same input gives the same bytes and
//! so the same digest. A [`Manifest`] carries its exact bytes, its digest
//! (`sha256:` of the bytes) and its media type, plus how an index lists it
//! (platform, `artifactType`, descriptor annotations), and turns into a
//! [`VersionSpec`] whose `name` is its digest:
//!
//! ```
//! use ghpkg_emulator::{oci, PackageSpec, VersionSpec};
//!
//! let amd64 = oci::image("linux/amd64");
//! let arm64 = oci::image("linux/arm64");
//! let attestation = oci::buildx_attestation(&amd64);
//! let index = oci::index(&[&amd64, &arm64, &attestation]);
//! let sig = oci::cosign_sig(&index);
//! let pkg = PackageSpec::new("acme", "app", "container")
//!     .version(VersionSpec::from(&index).tags(&["latest"]))
//!     .version(amd64.into())
//!     .version(arm64.into())
//!     .version(attestation.into())
//!     .version(VersionSpec::from(&sig).tags(&[&oci::sig_tag(&index.digest)]));
//! assert_eq!(pkg.versions[0].name, index.digest);
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::fixture::VersionSpec;

/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI gzip layer.
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The OCI 1.1 empty descriptor's media type (config of artifacts).
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// The layer of a buildx attestation manifest.
pub const IN_TOTO: &str = "application/vnd.in-toto+json";
/// The layer of a cosign signature manifest.
pub const COSIGN_SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The `artifactType` (and layer) of a sigstore bundle referrer.
pub const SIGSTORE_BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// `sha256:` and the lowercase hex SHA-256 of `bytes`: the digest of a manifest.
pub fn digest_of(bytes: &[u8]) -> String {
    let mut out = String::from("sha256:");
    for b in Sha256::digest(bytes).iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The 64 hex digits of a `sha256:` digest (the digest itself when it has no prefix).
pub fn hex_of(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

/// Cosign's tag for the signature of `subject_digest`: `sha256-<hex>.sig`.
pub fn sig_tag(subject_digest: &str) -> String {
    format!("sha256-{}.sig", hex_of(subject_digest))
}

/// The OCI 1.1 referrers-tag fallback for `subject_digest`: `sha256-<hex>`.
pub fn referrers_tag(subject_digest: &str) -> String {
    format!("sha256-{}", hex_of(subject_digest))
}

/// A manifest: its exact bytes, digest and media type, and how an index
/// lists it. Built by the functions of this module or from any JSON value
/// ([`Manifest::from_json`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// `sha256:` of [`Manifest::bytes`].
    pub digest: String,
    /// The exact bytes the registry serves.
    pub bytes: Vec<u8>,
    /// The media type (`Content-Type` of the registry's answer).
    pub media_type: String,
    /// `os/architecture[/variant]` for an index's descriptor of this manifest.
    pub platform: Option<String>,
    /// The `artifactType` an index's descriptor repeats (OCI 1.1 artifacts).
    pub artifact_type: Option<String>,
    /// Annotations of an index's descriptor of this manifest (buildx's
    /// attestation annotations, for one).
    pub descriptor_annotations: BTreeMap<String, String>,
}

impl Manifest {
    /// A manifest of exactly `value`'s compact JSON bytes (`serde_json::to_vec`,
    /// keys in their given order), with the body's `mediaType` (else the OCI
    /// image manifest type).
    pub fn from_json(value: &Value) -> Manifest {
        let bytes = serde_json::to_vec(value).unwrap_or_default();
        let media_type = value["mediaType"]
            .as_str()
            .unwrap_or(OCI_MANIFEST)
            .to_owned();
        Manifest {
            digest: digest_of(&bytes),
            bytes,
            media_type,
            platform: None,
            artifact_type: value["artifactType"].as_str().map(str::to_owned),
            descriptor_annotations: BTreeMap::new(),
        }
    }

    /// The body parsed as JSON (`Value::Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// The 64 hex digits of the digest.
    pub fn hex(&self) -> &str {
        hex_of(&self.digest)
    }

    /// The size in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The same manifest listed under another platform by indexes.
    pub fn with_platform(mut self, platform: &str) -> Manifest {
        self.platform = Some(platform.to_owned());
        self
    }

    /// The same manifest with one more annotation on indexes' descriptors of it.
    pub fn with_descriptor_annotation(mut self, key: &str, value: &str) -> Manifest {
        self.descriptor_annotations
            .insert(key.to_owned(), value.to_owned());
        self
    }

    /// The descriptor an index lists: `mediaType`, `digest`, `size`, and
    /// `artifactType`, `platform` and `annotations` when set.
    pub fn descriptor(&self) -> Value {
        let mut d = plain_descriptor(&self.media_type, &self.digest, self.size());
        if let Some(t) = &self.artifact_type {
            d.insert("artifactType".into(), json!(t));
        }
        if let Some(p) = &self.platform {
            d.insert("platform".into(), platform_json(p));
        }
        if !self.descriptor_annotations.is_empty() {
            d.insert("annotations".into(), json!(self.descriptor_annotations));
        }
        Value::Object(d)
    }
}

impl From<&Manifest> for VersionSpec {
    /// An untagged version named by the manifest's digest, serving its bytes.
    fn from(m: &Manifest) -> VersionSpec {
        let mut v = VersionSpec::new(&m.digest);
        v.manifest_raw = Some(String::from_utf8_lossy(&m.bytes).into_owned());
        v.media_type = Some(m.media_type.clone());
        v
    }
}

impl From<Manifest> for VersionSpec {
    fn from(m: Manifest) -> VersionSpec {
        VersionSpec::from(&m)
    }
}

fn plain_descriptor(media_type: &str, digest: &str, size: usize) -> Map<String, Value> {
    let mut d = Map::new();
    d.insert("mediaType".into(), json!(media_type));
    d.insert("digest".into(), json!(digest));
    d.insert("size".into(), json!(size));
    d
}

/// `{"architecture", "os", "variant"?}` of `os/architecture[/variant]`.
fn platform_json(platform: &str) -> Value {
    let mut parts = platform.splitn(3, '/');
    let os = parts.next().unwrap_or_default();
    let arch = parts.next().unwrap_or_default();
    let mut p = Map::new();
    p.insert("architecture".into(), json!(arch));
    p.insert("os".into(), json!(os));
    if let Some(variant) = parts.next() {
        p.insert("variant".into(), json!(variant));
    }
    Value::Object(p)
}

/// A descriptor of a blob whose content is `content` (the blob itself is not stored).
fn blob(media_type: &str, content: &[u8]) -> Map<String, Value> {
    plain_descriptor(media_type, &digest_of(content), content.len())
}

fn build(body: Value) -> Manifest {
    Manifest::from_json(&body)
}

/// A platform image: an OCI image manifest with an image config and one
/// layer, for `platform` (`os/architecture[/variant]`, e.g. `linux/arm64/v8`).
/// The same as [`image_with_seed`] with an empty seed.
pub fn image(platform: &str) -> Manifest {
    image_with_seed(platform, "")
}

/// Like [`image`], but distinct for each `seed`: two builds of the same
/// platform (`1.1.0` and `1.2.0`) differ in their layer and so in their digest.
pub fn image_with_seed(platform: &str, seed: &str) -> Manifest {
    let layer_content = format!("layer of {seed} for {platform}");
    let layer = blob(OCI_LAYER, layer_content.as_bytes());
    let Value::Object(mut config) = platform_json(platform) else {
        unreachable!("platform_json builds an object")
    };
    config.insert(
        "config".into(),
        json!({"Labels": {"org.opencontainers.image.version": seed}}),
    );
    config.insert(
        "rootfs".into(),
        json!({"type": "layers", "diff_ids": [digest_of(format!("diff of {seed} for {platform}").as_bytes())]}),
    );
    let config_bytes = serde_json::to_vec(&Value::Object(config)).unwrap_or_default();
    build(json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": blob(OCI_CONFIG, &config_bytes),
        "layers": [layer],
    }))
    .with_platform(platform)
}

/// An OCI image index listing `children` by their descriptors (platform,
/// `artifactType` and annotations included): a multi-arch image, or, with
/// indexes as children, a nested index.
pub fn index(children: &[&Manifest]) -> Manifest {
    let manifests: Vec<Value> = children.iter().map(|c| c.descriptor()).collect();
    build(json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": manifests,
    }))
}

/// An index of indexes (each listed without a platform): the nesting that
/// some tools do not follow.
pub fn nested_index(indexes: &[&Manifest]) -> Manifest {
    let manifests: Vec<Value> = indexes
        .iter()
        .map(|c| Value::Object(plain_descriptor(&c.media_type, &c.digest, c.size())))
        .collect();
    build(json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": manifests,
        "annotations": {"org.opencontainers.image.description": "an index of indexes"},
    }))
}

/// A buildx provenance attestation of `for_image`: an image manifest whose
/// layer is an in-toto statement (`application/vnd.in-toto+json`). Put into an
/// [`index`], it is listed the way buildx lists it: platform `unknown/unknown`,
/// annotations `vnd.docker.reference.type: attestation-manifest` and
/// `vnd.docker.reference.digest: <for_image's digest>`.
pub fn buildx_attestation(for_image: &Manifest) -> Manifest {
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "_", "digest": {"sha256": for_image.hex()}}],
        "predicate": {"buildType": "https://mobyproject.org/buildkit@v1"},
    });
    let statement = serde_json::to_vec(&statement).unwrap_or_default();
    let mut layer = blob(IN_TOTO, &statement);
    layer.insert(
        "annotations".into(),
        json!({"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}),
    );
    let config = br#"{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#;
    build(json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": blob(OCI_CONFIG, config),
        "layers": [layer],
    }))
    .with_platform("unknown/unknown")
    .with_descriptor_annotation("vnd.docker.reference.digest", &for_image.digest)
    .with_descriptor_annotation("vnd.docker.reference.type", "attestation-manifest")
}

/// A cosign signature of `subject`: an image manifest with one simple-signing
/// layer (`application/vnd.dev.cosign.simplesigning.v1+json`) naming the
/// subject's digest. Cosign tags it [`sig_tag`]`(&subject.digest)`.
pub fn cosign_sig(subject: &Manifest) -> Manifest {
    let payload = json!({
        "critical": {
            "identity": {"docker-reference": "ghcr.io/example"},
            "image": {"docker-manifest-digest": subject.digest},
            "type": "cosign container image signature",
        },
        "optional": null,
    });
    let payload = serde_json::to_vec(&payload).unwrap_or_default();
    let mut layer = blob(COSIGN_SIMPLE_SIGNING, &payload);
    let signature = digest_of(format!("signature of {}", subject.digest).as_bytes());
    layer.insert(
        "annotations".into(),
        json!({"dev.cosignproject.cosign/signature": hex_of(&signature)}),
    );
    let config = format!(
        r#"{{"architecture":"","os":"","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{}"]}}}}"#,
        digest_of(&payload)
    );
    build(json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": blob(OCI_CONFIG, config.as_bytes()),
        "layers": [layer],
    }))
}

/// A sigstore bundle referrer of `subject` (OCI 1.1): an image manifest with
/// `artifactType: application/vnd.dev.sigstore.bundle.v0.3+json`, the empty
/// config, one bundle layer and a `subject` descriptor. Untagged; the
/// referrers-tag fallback lists it ([`referrers_tag_index`]).
pub fn sigstore_bundle(subject: &Manifest) -> Manifest {
    let bundle = json!({
        "mediaType": SIGSTORE_BUNDLE,
        "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": subject.hex()}},
    });
    let bundle = serde_json::to_vec(&bundle).unwrap_or_default();
    build(json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": SIGSTORE_BUNDLE,
        "config": blob(OCI_EMPTY, b"{}"),
        "layers": [blob(SIGSTORE_BUNDLE, &bundle)],
        "subject": plain_descriptor(&subject.media_type, &subject.digest, subject.size()),
        "annotations": {
            "dev.sigstore.bundle.content": "message-signature",
            "dev.sigstore.bundle.predicateType": "https://sigstore.dev/cosign/sign/v1",
        },
    }))
}

/// The OCI 1.1 referrers-tag fallback of `subject`: an index listing its
/// `referrers` (with their `artifactType`), tagged [`referrers_tag`]`(&subject.digest)`.
pub fn referrers_tag_index(subject: &Manifest, referrers: &[&Manifest]) -> Manifest {
    let manifests: Vec<Value> = referrers.iter().map(|r| r.descriptor()).collect();
    build(json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": manifests,
        "annotations": {"org.opencontainers.image.ref.name": referrers_tag(&subject.digest)},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_of_the_bytes() {
        assert_eq!(
            digest_of(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let m = image("linux/amd64");
        assert_eq!(m.digest, digest_of(&m.bytes));
        assert_eq!(m.json()["mediaType"], OCI_MANIFEST);
        assert_eq!(sig_tag(&m.digest), format!("sha256-{}.sig", m.hex()));
        assert_eq!(referrers_tag(&m.digest), format!("sha256-{}", m.hex()));
    }

    #[test]
    fn descriptors_carry_platform_and_annotations() {
        let img = image("linux/arm64/v8");
        let d = img.descriptor();
        assert_eq!(
            d["platform"],
            json!({"architecture": "arm64", "os": "linux", "variant": "v8"})
        );
        assert_eq!(d["size"], img.size());
        let att = buildx_attestation(&img).descriptor();
        assert_eq!(
            att["platform"],
            json!({"architecture": "unknown", "os": "unknown"})
        );
        assert_eq!(
            att["annotations"]["vnd.docker.reference.digest"],
            img.digest
        );
        assert_eq!(
            att["annotations"]["vnd.docker.reference.type"],
            "attestation-manifest"
        );
    }
}
