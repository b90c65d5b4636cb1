//! Removing tags from an image that stays, and putting them back.
//!
//! GitHub can only delete whole versions, and its registry cannot delete at
//! all, so a tag is removed the one way that works: a placeholder manifest
//! (the original with no layers, marked with the original's digest and the
//! plan) is pushed under the tag, which moves the tag to a new version, and
//! that version is deleted over REST, taking the tag with it. The image
//! keeps its other tags and every child.
//!
//! Each step is idempotent, so a run that stops half way is finished by
//! resuming it: a tag that names the original is moved, one that names the
//! placeholder already was, one that names anything else is left alone.
//! Undo pushes the original manifest under the removed tags again.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::oci::untag_placeholder;
use super::policy::hex;
use super::registry::Registry;
use crate::client::Client;
use crate::error::ErrorKind;
use crate::models::{PackageType, VersionState};
use crate::Owner;

/// How long a pushed placeholder may take to show up as a package version.
const APPEAR_WAITS: [u64; 5] = [0, 250, 500, 1000, 2000];

/// One image to untag (or retag).
pub(crate) struct Target<'a> {
    pub client: &'a Client,
    pub registry: &'a Registry,
    pub owner: Owner,
    pub package_type: PackageType,
    pub package: &'a str,
    /// The registry repository, e.g. `acme/api/server`.
    pub repo: &'a str,
    /// The image's digest.
    pub digest: &'a str,
    /// The plan whose placeholder this is.
    pub plan_id: &'a str,
}

/// What an untag did.
#[derive(Debug, Default)]
pub(crate) struct Untagged {
    /// Tags removed from the image.
    pub removed: Vec<String>,
    /// Tags that named another image when the run came to them: left alone.
    pub elsewhere: Vec<(String, String)>,
    /// The placeholder version deleted (its id).
    pub placeholder_version: Option<u64>,
    /// The placeholder's digest.
    pub placeholder: String,
}

impl Untagged {
    pub fn detail(&self) -> String {
        let mut out = if self.removed.is_empty() {
            "no tag named the image any more".to_owned()
        } else {
            format!(
                "removed {}: pushed placeholder {}{} under them and deleted it",
                self.removed.join(", "),
                self.placeholder,
                self.placeholder_version
                    .map(|id| format!(" (version {id})"))
                    .unwrap_or_default()
            )
        };
        for (tag, d) in &self.elsewhere {
            out.push_str(&format!("; {tag} names {d} now and was left alone"));
        }
        out
    }
}

/// Why an untag or retag did not finish.
#[derive(Debug)]
pub(crate) struct Failure {
    pub message: String,
    pub kind: ErrorKind,
}

impl Failure {
    fn registry(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            kind: ErrorKind::Transport,
        }
    }
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Failure {
        Failure {
            message: e.message().to_owned(),
            kind: e.kind(),
        }
    }
}

fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

/// Removes `tags` from the image; see the module docs.
pub(crate) async fn untag(t: &Target<'_>, tags: &[String]) -> Result<Untagged, Failure> {
    let (raw, media_type) = t
        .registry
        .raw_manifest(t.repo, t.digest)
        .await
        .map_err(Failure::registry)?;
    let placeholder = untag_placeholder(&raw, t.digest, t.plan_id)
        .map_err(|e| Failure::registry(format!("cannot make a placeholder: {}", e.0)))?;
    let mut done = Untagged {
        placeholder: digest_of(&placeholder),
        ..Untagged::default()
    };
    for tag in tags {
        let now = t
            .registry
            .resolve(t.repo, tag)
            .await
            .map_err(|p| Failure::registry(p.detail))?;
        match now {
            Some(d) if d == t.digest => {
                t.registry
                    .push_manifest(t.repo, tag, &media_type, placeholder.clone().into())
                    .await
                    .map_err(|why| {
                        Failure::registry(format!("pushing the placeholder as {tag}: {why}"))
                    })?;
                done.removed.push(tag.clone());
            }
            // An earlier attempt moved it already.
            Some(d) if d == done.placeholder => done.removed.push(tag.clone()),
            Some(d) => done.elsewhere.push((tag.clone(), d)),
            None => {}
        }
    }
    // The placeholder version, deleted, takes the moved tags with it.
    let id = find_version(t, &done.placeholder, !done.removed.is_empty()).await?;
    if let Some(id) = id {
        match t
            .client
            .delete_version(&t.owner, t.package_type, t.package, id)
            .await
        {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Failure {
                    message: format!(
                        "the tags moved to placeholder {} (version {id}), which could not be deleted: {}",
                        done.placeholder,
                        e.message()
                    ),
                    kind: e.kind(),
                })
            }
        }
        done.placeholder_version = Some(id);
    } else if !done.removed.is_empty() {
        return Err(Failure::registry(format!(
            "the tags moved to placeholder {}, but no package version of that name appeared to delete",
            done.placeholder
        )));
    }
    // Fail closed: no removed tag may still name the image.
    for tag in &done.removed {
        let now = t
            .registry
            .resolve(t.repo, tag)
            .await
            .map_err(|p| Failure::registry(p.detail))?;
        if now.as_deref() == Some(t.digest) {
            return Err(Failure::registry(format!(
                "{tag} still names {} after the untag",
                t.digest
            )));
        }
    }
    Ok(done)
}

/// The id of the active version named `digest`; with `wait`, polls a
/// little while for a version that was just pushed.
async fn find_version(t: &Target<'_>, digest: &str, wait: bool) -> Result<Option<u64>, Failure> {
    let waits: &[u64] = if wait { &APPEAR_WAITS } else { &[0] };
    for ms in waits {
        tokio::time::sleep(Duration::from_millis(*ms)).await;
        let mut listing = t.client.list_versions(
            &t.owner,
            t.package_type,
            t.package,
            Some(VersionState::Active),
        );
        while let Some(page) = listing.next_page().await {
            if let Some(v) = page?.into_iter().find(|v| v.name == digest) {
                return Ok(Some(v.id));
            }
        }
    }
    Ok(None)
}

/// What a retag did.
#[derive(Debug, Default)]
pub(crate) struct Retagged {
    /// Tags that name the image again.
    pub restored: Vec<String>,
    /// Tags that named the image already.
    pub already: Vec<String>,
    /// Tags that name another image now: left alone.
    pub elsewhere: Vec<(String, String)>,
}

impl Retagged {
    pub fn detail(&self) -> String {
        let mut parts = Vec::new();
        if !self.restored.is_empty() {
            parts.push(format!(
                "pushed the image again as {}",
                self.restored.join(", ")
            ));
        }
        if !self.already.is_empty() {
            parts.push(format!("{} named it already", self.already.join(", ")));
        }
        for (tag, d) in &self.elsewhere {
            parts.push(format!("{tag} names {d} now and was left alone"));
        }
        parts.join("; ")
    }
}

/// Puts `tags` back on the image: the original manifest is pushed under
/// each tag that is gone or names the plan's placeholder.
pub(crate) async fn retag(t: &Target<'_>, tags: &[String]) -> Result<Retagged, Failure> {
    let (raw, media_type) = t
        .registry
        .raw_manifest(t.repo, t.digest)
        .await
        .map_err(Failure::registry)?;
    let placeholder = untag_placeholder(&raw, t.digest, t.plan_id)
        .map(|p| digest_of(&p))
        .unwrap_or_default();
    let mut done = Retagged::default();
    for tag in tags {
        let now = t
            .registry
            .resolve(t.repo, tag)
            .await
            .map_err(|p| Failure::registry(p.detail))?;
        match now {
            Some(d) if d == t.digest => done.already.push(tag.clone()),
            Some(d) if d != placeholder => done.elsewhere.push((tag.clone(), d)),
            _ => {
                t.registry
                    .push_manifest(t.repo, tag, &media_type, raw.clone())
                    .await
                    .map_err(|why| {
                        Failure::registry(format!("pushing the image as {tag}: {why}"))
                    })?;
                done.restored.push(tag.clone());
            }
        }
    }
    Ok(done)
}
