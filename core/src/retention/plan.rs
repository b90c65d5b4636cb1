//! The plan: what a retention run would do, and why, for every version of
//! every covered package. Deterministic for a given policy, `now`, listing
//! and set of manifests, so a plan made in any language is the same bytes.
//! Review edits may only turn deletions into keeps.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::oci::Kind as ManifestKind;
use super::policy::{hex, Policy, PolicyOwner};
use crate::error::{Error, Result};
use crate::models::PackageType;

/// The plan format this ghpkg writes and reads.
pub const PLAN_VERSION: u32 = 1;

/// A reviewed or reviewable retention plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The format; 1.
    pub plan_version: u32,
    /// `pln_` and 16 hex digits derived from the plan's inputs.
    pub id: String,
    /// The instant ages were judged at (when the plan was made, or pinned).
    pub now: DateTime<Utc>,
    /// The policy, every default written out.
    pub policy: Policy,
    /// `sha256:` of the policy's canonical JSON; a hand-edited policy fails it.
    pub policy_hash: String,
    /// Where the plan was made: apply refuses to run it anywhere else.
    pub target: Target,
    /// Review edits, in order.
    #[serde(default)]
    pub edits: Vec<Edit>,
    /// One entry per covered package, by name.
    pub packages: Vec<PackagePlan>,
    /// Things a reviewer should know that change nothing.
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Counts and the estimated cost of applying.
    pub totals: Totals,
}

/// The API and registry a plan was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The API root.
    pub base_url: String,
    /// The container registry read for manifests, when one was.
    #[serde(default)]
    pub registry: Option<String>,
    /// The owner's login the policy names (`null` for `"me"`).
    #[serde(default)]
    pub owner: Option<String>,
    /// The login of the user whose token made the plan (`null` when the
    /// token cannot tell, e.g. an Actions token).
    #[serde(default)]
    pub login: Option<String>,
}

/// A review edit: a deletion turned into a keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// Always `keep`.
    pub op: String,
    /// The package.
    pub package: String,
    /// The version kept.
    pub version_id: u64,
}

/// Whether a package is planned or blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PackageStatus {
    /// Planned: its actions will be applied.
    Ok,
    /// Nothing in it will be deleted; `blocked` says why.
    Blocked,
}

/// One package's part of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackagePlan {
    /// The owner, as the policy names it.
    pub owner: PolicyOwner,
    /// The registry.
    pub package_type: PackageType,
    /// The package name.
    pub name: String,
    /// The package id.
    pub package_id: u64,
    /// The version listing the plan was made from.
    pub listing: ListingSummary,
    /// Planned or blocked.
    pub status: PackageStatus,
    /// Why it is blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<Reason>,
    /// `delete_package` when the whole package is deleted instead of its
    /// versions (the policy's `last_version: delete_package`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_action: Option<String>,
    /// One action per active version: keeps first by id, then deletions in order.
    pub actions: Vec<Action>,
    /// Counts.
    pub summary: Summary,
}

/// The listing behind a package plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingSummary {
    /// Active versions listed.
    pub versions: usize,
    /// Whether the listing was complete (else the package is blocked).
    pub complete: bool,
    /// `sha256:` over every version's id, name, tags and `updated_at`: a
    /// changed listing has another fingerprint.
    pub fingerprint: String,
}

/// What happens to one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Left alone.
    Keep,
    /// Deleted (restorable for 30 days).
    Delete,
    /// Some tags removed, the image kept.
    Untag,
}

/// A version's place in the image graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An image rules judge: tagged, or with nothing pointing at it.
    Root,
    /// A manifest an index lists.
    Child,
    /// A signature, attestation or other artifact about another manifest.
    Referrer,
}

/// What a version is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionKind {
    /// An image index or manifest list.
    Index,
    /// A platform image.
    Image,
    /// A buildx attestation.
    Attestation,
    /// A signature.
    Signature,
    /// Another artifact.
    Artifact,
    /// The registry does not have its manifest (404).
    Missing,
    /// Its manifest could not be read (only with `block_version` or `unsafe_ignore`).
    Unreadable,
    /// A version of a registry without manifests (npm, maven, ...).
    Version,
}

impl From<ManifestKind> for VersionKind {
    fn from(k: ManifestKind) -> Self {
        match k {
            ManifestKind::Index => VersionKind::Index,
            ManifestKind::Image => VersionKind::Image,
            ManifestKind::Attestation => VersionKind::Attestation,
            ManifestKind::Signature => VersionKind::Signature,
            ManifestKind::Artifact => VersionKind::Artifact,
        }
    }
}

/// The plan for one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The version id.
    pub version_id: u64,
    /// The version name: the manifest digest for containers.
    pub name: String,
    /// Its tags when listed.
    pub tags: Vec<String>,
    /// Its `updated_at` when listed (apply re-checks it).
    pub updated_at: DateTime<Utc>,
    /// What it is.
    pub kind: VersionKind,
    /// `os/arch` of a platform image, when an index says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Its place in the graph.
    pub role: Role,
    /// The digests of the indexes that list it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
    /// The digest of the manifest it refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Keep, delete or untag.
    pub action: Verdict,
    /// For `untag`: the tags removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untag_tags: Vec<String>,
    /// For `delete` and `untag`: the position in the package's run (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
    /// Why: one or more stable codes.
    pub reasons: Vec<Reason>,
}

/// A stable reason code, the rule behind it and a human detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// The code (see the README's list).
    pub code: String,
    /// The rule, e.g. `protect.tags[0]` or the rule's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What the rule saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Reason {
    pub(crate) fn new(code: &str) -> Reason {
        Reason {
            code: code.to_owned(),
            rule: None,
            detail: None,
        }
    }

    pub(crate) fn rule(mut self, rule: impl Into<String>) -> Reason {
        self.rule = Some(rule.into());
        self
    }

    pub(crate) fn detail(mut self, detail: impl Into<String>) -> Reason {
        self.detail = Some(detail.into());
        self
    }
}

/// Counts of a package plan.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Versions kept.
    pub keep: usize,
    /// Versions deleted.
    pub delete: usize,
    /// Versions untagged.
    pub untag: usize,
    /// Deleted versions that have tags.
    pub delete_tagged: usize,
    /// Deleted versions without tags.
    pub delete_untagged: usize,
}

/// A note for the reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// A stable code.
    pub code: String,
    /// The package, when it concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The version, when it concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<u64>,
    /// What was seen.
    pub detail: String,
}

/// Counts and cost of the whole plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Packages covered.
    pub packages: usize,
    /// Packages blocked.
    pub blocked: usize,
    /// Versions kept.
    pub keep: usize,
    /// Versions deleted (a package delete counts its versions).
    pub delete: usize,
    /// Versions untagged.
    pub untag: usize,
    /// Requests applying takes.
    pub requests: Requests,
    /// Estimated seconds to apply at the default pace (150 deletes a minute).
    pub eta_seconds: u64,
}

/// Requests applying a plan sends.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Requests {
    /// DELETE requests.
    pub delete: usize,
    /// Registry requests the plan made to read manifests (not from cache).
    pub registry_get: usize,
}

/// The default pace of deletes: 750 of GitHub's 900 secondary-limit points a
/// minute, at 5 points a DELETE.
pub const DEFAULT_DELETES_PER_MINUTE: u64 = 150;

impl Plan {
    /// Reads a plan and checks that it is one: the format version, and that
    /// the embedded policy still hashes to `policy_hash` (a plan whose policy
    /// was edited by hand is refused).
    pub fn from_json(text: &str) -> Result<Plan> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let plan: Plan = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            Error::invalid(format!("not a ghpkg plan (at {path}): {}", e.into_inner()))
        })?;
        if plan.plan_version != PLAN_VERSION {
            return Err(Error::invalid(format!(
                "plan_version {} is not one this ghpkg reads ({PLAN_VERSION})",
                plan.plan_version
            )));
        }
        if plan.policy.hash() != plan.policy_hash {
            return Err(Error::invalid(
                "the plan's policy does not match its policy_hash: the plan was edited by \
                 hand; make a new plan instead (review edits go through without_versions)",
            ));
        }
        plan.check_packages()?;
        Ok(plan)
    }

    /// Every package must be one the policy covers, of its owner and type:
    /// apply sends its requests to the package's own fields, which the
    /// policy hash does not cover.
    fn check_packages(&self) -> Result<()> {
        let edited = |what: String| {
            Err(Error::invalid(format!(
                "{what}: the plan was edited by hand; make a new plan instead"
            )))
        };
        let policy = &self.policy;
        if let (Some(target), Some(login)) = (&self.target.owner, policy.owner.login()) {
            if !target.eq_ignore_ascii_case(login) {
                return edited(format!(
                    "the plan's target owner {target:?} is not the policy's owner {login:?}"
                ));
            }
        }
        for p in &self.packages {
            if p.owner != policy.owner {
                return edited(format!(
                    "package {:?} names another owner than the policy",
                    p.name
                ));
            }
            if p.package_type != policy.package_type {
                return edited(format!(
                    "package {:?} is a {} package, the policy covers {}",
                    p.name, p.package_type, policy.package_type
                ));
            }
            if !policy.packages.covers(&p.name) {
                return edited(format!("the policy does not cover package {:?}", p.name));
            }
        }
        Ok(())
    }

    /// The plan as JSON (pretty, stable field order).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Every planned change, deletions and untags, in apply order:
    /// `(package, action)`.
    pub fn deletions(&self) -> Vec<(&PackagePlan, &Action)> {
        let mut out: Vec<(&PackagePlan, &Action)> = self
            .packages
            .iter()
            .filter(|p| p.status == PackageStatus::Ok)
            .flat_map(|p| {
                p.actions
                    .iter()
                    .filter(|a| a.action != Verdict::Keep)
                    .map(move |a| (p, a))
            })
            .collect();
        out.sort_by_key(|(p, a)| (p.name.clone(), a.order));
        out
    }

    /// Recomputes counts, cost and the id after a change.
    pub(crate) fn finish(&mut self, registry_gets: usize) {
        let mut t = Totals {
            packages: self.packages.len(),
            ..Totals::default()
        };
        for p in &mut self.packages {
            p.summary = summarize(&p.actions);
            if p.status == PackageStatus::Blocked {
                t.blocked += 1;
            }
            t.keep += p.summary.keep;
            t.delete += p.summary.delete;
            t.untag += p.summary.untag;
            t.requests.delete += if p.package_action.is_some() {
                usize::from(p.summary.delete > 0)
            } else {
                p.summary.delete + 2 * p.summary.untag
            };
        }
        t.requests.registry_get = registry_gets;
        let deletes = t.requests.delete as u64;
        t.eta_seconds = (deletes * 60).div_ceil(DEFAULT_DELETES_PER_MINUTE);
        self.totals = t;
        self.id = plan_id(self);
    }
}

pub(crate) fn summarize(actions: &[Action]) -> Summary {
    let mut s = Summary::default();
    for a in actions {
        match a.action {
            Verdict::Keep => s.keep += 1,
            Verdict::Untag => s.untag += 1,
            Verdict::Delete => {
                s.delete += 1;
                if a.tags.is_empty() {
                    s.delete_untagged += 1;
                } else {
                    s.delete_tagged += 1;
                }
            }
        }
    }
    s
}

/// `pln_` and 16 hex digits of a hash over what determines the plan.
fn plan_id(plan: &Plan) -> String {
    let mut h = Sha256::new();
    h.update(plan.policy_hash.as_bytes());
    h.update(plan.now.to_rfc3339().as_bytes());
    h.update(plan.target.base_url.as_bytes());
    h.update(plan.target.login.as_deref().unwrap_or_default().as_bytes());
    for p in &plan.packages {
        h.update(p.name.as_bytes());
        h.update(p.listing.fingerprint.as_bytes());
    }
    for e in &plan.edits {
        h.update(format!("{}:{}:{}", e.op, e.package, e.version_id).as_bytes());
    }
    format!("pln_{}", &hex(&h.finalize())[..16])
}

/// The fingerprint of a listing: id, name, tags and `updated_at` of each
/// version, sorted by id.
pub(crate) fn fingerprint<'a>(
    versions: impl IntoIterator<Item = (u64, &'a str, &'a [String], DateTime<Utc>)>,
) -> String {
    let mut rows: BTreeMap<u64, String> = BTreeMap::new();
    for (id, name, tags, updated) in versions {
        let mut tags: Vec<&String> = tags.iter().collect();
        tags.sort();
        rows.insert(
            id,
            format!("{id}\t{name}\t{tags:?}\t{}", updated.timestamp()),
        );
    }
    let mut h = Sha256::new();
    for row in rows.values() {
        h.update(row.as_bytes());
        h.update(b"\n");
    }
    format!("sha256:{}", hex(&h.finalize()))
}

impl Plan {
    /// The plan with the deletions of `version_ids` turned into keeps, and
    /// with what those versions hold alive (an index's children, a subject's
    /// signatures) kept as well. Each edit is recorded. A version id that is
    /// not a planned deletion is `InvalidArgument`: review can only keep more.
    pub fn without_versions(&self, version_ids: &[u64]) -> Result<Plan> {
        let mut plan = self.clone();
        for &id in version_ids {
            let found = plan.packages.iter_mut().find_map(|p| {
                let name = p.name.clone();
                p.actions
                    .iter_mut()
                    .find(|a| a.version_id == id && a.action != Verdict::Keep)
                    .map(|a| (name, a))
            });
            let Some((package, action)) = found else {
                return Err(Error::invalid(format!(
                    "version {id} is not a planned deletion; a review can only keep versions \
                     the plan would delete"
                )));
            };
            action.action = Verdict::Keep;
            action.order = None;
            action.untag_tags.clear();
            action.reasons = vec![Reason::new("kept_by_review").rule("edits")];
            plan.edits.push(Edit {
                op: "keep".into(),
                package,
                version_id: id,
            });
        }
        for p in &mut plan.packages {
            keep_what_kept_versions_hold(p);
            if p.actions.iter().any(|a| a.action == Verdict::Keep) {
                p.package_action = None;
            }
            renumber(p);
        }
        plan.finish(self.totals.requests.registry_get);
        Ok(plan)
    }

    /// The plan with every deletion outside `packages` turned into a keep
    /// (recorded as edits).
    pub fn only_packages(&self, packages: &[&str]) -> Result<Plan> {
        let ids: Vec<u64> = self
            .packages
            .iter()
            .filter(|p| !packages.contains(&p.name.as_str()))
            .flat_map(|p| {
                p.actions
                    .iter()
                    .filter(|a| a.action != Verdict::Keep && a.role == Role::Root)
                    .map(|a| a.version_id)
            })
            .collect();
        self.without_versions(&ids)
    }
}

/// Keeps every deletion that a kept version lists or is the subject of,
/// until nothing changes.
fn keep_what_kept_versions_hold(p: &mut PackagePlan) {
    loop {
        let kept: std::collections::HashSet<String> = p
            .actions
            .iter()
            .filter(|a| a.action == Verdict::Keep)
            .map(|a| a.name.clone())
            .collect();
        let mut changed = false;
        for a in p.actions.iter_mut().filter(|a| a.action != Verdict::Keep) {
            let parent = a.parents.iter().find(|d| kept.contains(*d)).cloned();
            let subject = a.subject.clone().filter(|s| kept.contains(s));
            let reason = match (parent, subject) {
                (Some(d), _) => {
                    Reason::new("child_of_kept").detail(format!("child of {d}, kept by review"))
                }
                (None, Some(s)) => {
                    Reason::new("referrer_of_kept").detail(format!("refers to {s}, kept by review"))
                }
                (None, None) => continue,
            };
            a.action = Verdict::Keep;
            a.order = None;
            a.reasons = vec![reason];
            changed = true;
        }
        if !changed {
            return;
        }
    }
}

/// Numbers the remaining deletions 1.. in their existing order.
fn renumber(p: &mut PackagePlan) {
    let mut n = 0;
    p.actions
        .sort_by_key(|a| (a.order.unwrap_or(0), a.version_id));
    for a in &mut p.actions {
        if a.order.is_some() {
            n += 1;
            a.order = Some(n);
        }
    }
}
