//! OCI and Docker manifests, distilled to what the image graph needs: the
//! kind, the children of an index (with platform and attestation
//! annotations), the `subject` of a referrer, and the media types that tell
//! an image from a signature or another artifact. The distilled form is
//! what the manifest cache keeps (content-addressed, so never stale).

use serde::{Deserialize, Serialize};

/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest (schema 2).
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker schema 1 (signed): a leaf with no children.
pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";

/// The `Accept` header of manifest requests.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v2+json, \
    application/vnd.docker.distribution.manifest.v1+prettyjws";

/// What a manifest is, for the plan's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An image index or manifest list.
    Index,
    /// A platform image.
    Image,
    /// A buildx attestation manifest (in-toto layers).
    Attestation,
    /// A cosign signature (simple-signing layers).
    Signature,
    /// Another artifact: a Helm chart, a build cache, an SBOM, a bundle.
    Artifact,
}

/// One entry of an index's `manifests[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    /// The child's digest.
    pub digest: String,
    /// `os/architecture[/variant]`, when the entry says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// For a buildx attestation entry: the digest of the image it attests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attests: Option<String>,
}

/// A manifest, distilled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The media type (from the body, else the response's content type).
    pub media_type: String,
    /// What it is.
    pub kind: Kind,
    /// OCI 1.1 `artifactType`, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The entries of an index; empty for other kinds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Child>,
    /// The digest of the manifest this one refers to (OCI 1.1 `subject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The config's media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_media_type: Option<String>,
    /// The first layer's media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_media_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    platform: Option<RawPlatform>,
    #[serde(default)]
    annotations: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct RawPlatform {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    artifact_type: Option<String>,
    #[serde(default)]
    manifests: Option<Vec<RawDescriptor>>,
    #[serde(default)]
    config: Option<RawDescriptor>,
    #[serde(default)]
    layers: Option<Vec<RawDescriptor>>,
    #[serde(default)]
    subject: Option<RawDescriptor>,
    #[serde(default)]
    fs_layers: Option<serde_json::Value>,
}

/// Why a body is not a manifest ghpkg can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl Manifest {
    /// Distills a manifest body. `content_type` is the response's
    /// `Content-Type`, used when the body has no `mediaType`. An unknown
    /// media type with children, or a body that is not a manifest at all,
    /// is [`Unreadable`]: ghpkg cannot know what it keeps alive.
    pub fn parse(body: &[u8], content_type: Option<&str>) -> Result<Manifest, Unreadable> {
        let raw: RawManifest = serde_json::from_slice(body)
            .map_err(|e| Unreadable(format!("the manifest is not JSON: {e}")))?;
        let header_type = content_type
            .map(|c| c.split(';').next().unwrap_or(c).trim().to_owned())
            .filter(|c| !c.is_empty() && c != "application/json");
        let media_type = raw
            .media_type
            .clone()
            .or(header_type)
            .or_else(|| raw.manifests.as_ref().map(|_| OCI_INDEX.to_owned()))
            .or_else(|| raw.layers.as_ref().map(|_| OCI_MANIFEST.to_owned()))
            .or_else(|| {
                (raw.schema_version == Some(1) || raw.fs_layers.is_some())
                    .then(|| DOCKER_SCHEMA1.to_owned())
            })
            .ok_or_else(|| Unreadable("the manifest has no mediaType".into()))?;
        let subject = raw.subject.as_ref().and_then(|s| s.digest.clone());
        let config_media_type = raw.config.as_ref().and_then(|c| c.media_type.clone());
        let layer_media_type = raw
            .layers
            .as_ref()
            .and_then(|l| l.first())
            .and_then(|l| l.media_type.clone());
        let is_index = media_type == OCI_INDEX || media_type == DOCKER_LIST;
        let children = match (&raw.manifests, is_index) {
            (Some(list), true) => list.iter().map(child).collect::<Result<Vec<_>, _>>()?,
            (Some(list), false) if !list.is_empty() => {
                return Err(Unreadable(format!(
                    "a manifest of unknown type {media_type:?} lists other manifests"
                )))
            }
            _ => Vec::new(),
        };
        let known = is_index
            || [
                OCI_MANIFEST,
                DOCKER_MANIFEST,
                DOCKER_SCHEMA1,
                "application/vnd.docker.distribution.manifest.v1+json",
            ]
            .contains(&media_type.as_str());
        if !known && raw.manifests.is_none() && raw.layers.is_none() && raw.config.is_none() {
            return Err(Unreadable(format!(
                "{media_type:?} is not a manifest media type ghpkg knows"
            )));
        }
        let kind = if is_index {
            Kind::Index
        } else {
            classify(
                raw.artifact_type.as_deref(),
                config_media_type.as_deref(),
                layer_media_type.as_deref(),
            )
        };
        Ok(Manifest {
            media_type,
            kind,
            artifact_type: raw.artifact_type,
            children,
            subject,
            config_media_type,
            layer_media_type,
        })
    }
}

fn child(d: &RawDescriptor) -> Result<Child, Unreadable> {
    let digest = d
        .digest
        .clone()
        .ok_or_else(|| Unreadable("an index entry has no digest".into()))?;
    let annotations = d.annotations.as_ref();
    let attests = annotations
        .filter(|a| {
            a.get("vnd.docker.reference.type")
                .is_some_and(|t| t == "attestation-manifest")
        })
        .and_then(|a| a.get("vnd.docker.reference.digest").cloned());
    let platform = d.platform.as_ref().and_then(|p| {
        if p.os.is_empty() && p.architecture.is_empty() {
            return None;
        }
        Some(match &p.variant {
            Some(v) if !v.is_empty() => format!("{}/{}/{v}", p.os, p.architecture),
            _ => format!("{}/{}", p.os, p.architecture),
        })
    });
    Ok(Child {
        digest,
        platform,
        attests,
    })
}

fn classify(artifact: Option<&str>, config: Option<&str>, layer: Option<&str>) -> Kind {
    let has = |s: Option<&str>, needle: &str| s.is_some_and(|s| s.contains(needle));
    if has(layer, "in-toto") || has(artifact, "in-toto") {
        Kind::Attestation
    } else if has(layer, "cosign.simplesigning")
        || has(artifact, "sigstore")
        || has(layer, "sigstore")
    {
        Kind::Signature
    } else if artifact.is_some()
        || config.is_some_and(|c| {
            !c.contains("container.image")
                && !c.contains("docker.container.image")
                && c != "application/vnd.oci.image.config.v1+json"
        })
    {
        Kind::Artifact
    } else {
        Kind::Image
    }
}

/// The subject a referrer tag names: `sha256-<64 hex>` with an optional
/// `.suffix` (cosign's `.sig`, `.att`, `.sbom`; the OCI 1.1 referrers tag
/// has none) names `sha256:<hex>`.
pub fn referrer_tag_subject(tag: &str) -> Option<String> {
    let rest = tag.strip_prefix("sha256-")?;
    let hex = rest.get(..64)?;
    let tail = &rest[64..];
    let ok_hex = hex
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (ok_hex && (tail.is_empty() || tail.starts_with('.'))).then(|| format!("sha256:{hex}"))
}

/// The annotation that marks an untag placeholder: the digest it stands in for.
pub const PLACEHOLDER_OF: &str = "io.github.ghpkg.untag.of";
/// The annotation that names the plan that made a placeholder.
pub const PLACEHOLDER_PLAN: &str = "io.github.ghpkg.untag.plan";

/// The placeholder an untag pushes under the tags it removes: the original
/// manifest with no layers (or no `manifests`), no `subject`, and two
/// annotations naming the original and the plan. It is deterministic, so a
/// resumed run or an undo finds the same digest.
pub fn untag_placeholder(
    original: &[u8],
    digest: &str,
    plan_id: &str,
) -> Result<Vec<u8>, Unreadable> {
    let mut v: serde_json::Value = serde_json::from_slice(original)
        .map_err(|e| Unreadable(format!("the manifest is not JSON: {e}")))?;
    let obj = v
        .as_object_mut()
        .ok_or_else(|| Unreadable("the manifest is not a JSON object".into()))?;
    for list in ["layers", "manifests"] {
        if obj.contains_key(list) {
            obj.insert(list.into(), serde_json::Value::Array(Vec::new()));
        }
    }
    obj.remove("subject");
    let notes = obj
        .entry("annotations")
        .or_insert_with(|| serde_json::Value::Object(Default::default()));
    let notes = notes
        .as_object_mut()
        .ok_or_else(|| Unreadable("the manifest's annotations are not an object".into()))?;
    notes.insert(PLACEHOLDER_OF.into(), digest.into());
    notes.insert(PLACEHOLDER_PLAN.into(), plan_id.into());
    serde_json::to_vec(&v).map_err(|e| Unreadable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Manifest {
        Manifest::parse(v.to_string().as_bytes(), None).unwrap()
    }

    const D: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    #[test]
    fn reads_an_index_with_an_attestation() {
        let m = parse(json!({
            "schemaVersion": 2, "mediaType": OCI_INDEX,
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": D, "size": 1, "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
                {"mediaType": OCI_MANIFEST, "digest": "sha256:22", "size": 1, "platform": {"os": "unknown", "architecture": "unknown"},
                 "annotations": {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": D}}
            ]
        }));
        assert_eq!(m.kind, Kind::Index);
        assert_eq!(m.children[0].platform.as_deref(), Some("linux/arm64/v8"));
        assert_eq!(m.children[1].attests.as_deref(), Some(D));
    }

    #[test]
    fn tells_images_signatures_attestations_and_artifacts_apart() {
        let image = parse(json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json"},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"}]}));
        assert_eq!(image.kind, Kind::Image);
        let sig = parse(json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json"},
            "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json"}]}));
        assert_eq!(sig.kind, Kind::Signature);
        let att = parse(json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json"},
            "layers": [{"mediaType": "application/vnd.in-toto+json"}]}));
        assert_eq!(att.kind, Kind::Attestation);
        let bundle = parse(json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "config": {"mediaType": "application/vnd.oci.empty.v1+json"},
            "layers": [{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}],
            "subject": {"mediaType": OCI_MANIFEST, "digest": D, "size": 1}}));
        assert_eq!(bundle.kind, Kind::Signature);
        assert_eq!(bundle.subject.as_deref(), Some(D));
        let helm = parse(json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.cncf.helm.config.v1.tar+json"},
            "layers": [{"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip"}]}));
        assert_eq!(helm.kind, Kind::Artifact);
        let docker = Manifest::parse(br#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.docker.container.image.v1+json"},"layers":[]}"#, Some(DOCKER_MANIFEST)).unwrap();
        assert_eq!(
            (docker.kind, docker.media_type.as_str()),
            (Kind::Image, DOCKER_MANIFEST)
        );
    }

    #[test]
    fn refuses_what_it_cannot_follow() {
        assert!(Manifest::parse(b"not json", None).is_err());
        assert!(Manifest::parse(b"{}", None).is_err());
        let odd = json!({"mediaType": "application/x-mystery", "manifests": [{"digest": D}]});
        assert!(Manifest::parse(odd.to_string().as_bytes(), None).is_err());
        let no_digest = json!({"mediaType": OCI_INDEX, "manifests": [{"mediaType": OCI_MANIFEST}]});
        assert!(Manifest::parse(no_digest.to_string().as_bytes(), None).is_err());
    }

    #[test]
    fn referrer_tags_name_their_subject() {
        let hex = &D[7..];
        assert_eq!(
            referrer_tag_subject(&format!("sha256-{hex}.sig")).as_deref(),
            Some(D)
        );
        assert_eq!(
            referrer_tag_subject(&format!("sha256-{hex}")).as_deref(),
            Some(D)
        );
        assert_eq!(referrer_tag_subject(&format!("sha256-{hex}x")), None);
        assert_eq!(referrer_tag_subject("sha256-abc.sig"), None);
        assert_eq!(referrer_tag_subject("latest"), None);
    }

    #[test]
    fn placeholders_are_empty_deterministic_and_marked() {
        let image = json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": D, "size": 2},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": D, "size": 9}],
            "subject": {"mediaType": OCI_MANIFEST, "digest": D, "size": 9}
        })
        .to_string();
        let a = untag_placeholder(image.as_bytes(), D, "plan-1").unwrap();
        assert_eq!(a, untag_placeholder(image.as_bytes(), D, "plan-1").unwrap());
        assert_ne!(a, untag_placeholder(image.as_bytes(), D, "plan-2").unwrap());
        let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(v["layers"], json!([]));
        assert!(v.get("subject").is_none());
        assert_eq!(v["config"]["digest"], D);
        assert_eq!(v["annotations"][PLACEHOLDER_OF], D);
        assert_eq!(v["annotations"][PLACEHOLDER_PLAN], "plan-1");
        let parsed = Manifest::parse(&a, None).unwrap();
        assert!(parsed.children.is_empty());

        let index = json!({"mediaType": OCI_INDEX, "manifests": [{"mediaType": OCI_MANIFEST, "digest": D, "size": 1}],
                           "annotations": {"org.opencontainers.image.created": "2026-01-01"}})
        .to_string();
        let v: serde_json::Value =
            serde_json::from_slice(&untag_placeholder(index.as_bytes(), D, "p").unwrap()).unwrap();
        assert_eq!(v["manifests"], json!([]));
        assert_eq!(
            v["annotations"]["org.opencontainers.image.created"],
            "2026-01-01"
        );
        assert!(untag_placeholder(b"[]", D, "p").is_err());
        assert!(untag_placeholder(br#"{"annotations": 3}"#, D, "p").is_err());
    }
}
