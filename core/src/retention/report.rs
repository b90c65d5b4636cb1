//! What a run reports: per-unit outcomes with stable codes, the progress
//! events of the run as it goes, and the final report. The same JSON in
//! every language.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::plan::Role;

/// The report format this ghpkg writes.
pub const REPORT_VERSION: u32 = 1;

/// What happened to one unit of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Deleted (restorable for 30 days).
    Deleted,
    /// Its matching tags were removed, the image kept.
    Untagged,
    /// The whole package was deleted.
    PackageDeleted,
    /// It was gone already (404).
    AlreadyGone,
    /// The registry changed since the plan (a new index uses it, a tag moved,
    /// it was re-pushed): not deleted.
    SkippedDrift,
    /// It is protected now (a protected tag moved onto it): not deleted.
    SkippedProtectedNow,
    /// GitHub refused: the last (tagged) version of the package.
    RefusedLastVersion,
    /// GitHub refused: a public version with more than 5,000 downloads.
    RefusedDownloads,
    /// GitHub refused the token (403): the rest of the package is left.
    Forbidden,
    /// The request failed (after retries); `error` says how.
    Failed,
    /// Left for a later run: the deadline, `max_deletes` or the rate-limit
    /// budget stopped it. Applying the same plan with the same journal
    /// resumes here.
    Deferred,
    /// Not attempted: an earlier refusal in the package, or the run was stopped.
    NotAttempted,
    /// Restored (undo).
    Restored,
    /// Not restored: past GitHub's 30-day window (undo).
    Expired,
    /// Not restored: it is active already (undo).
    NotDeleted,
    /// Not restored: a new package took its name (undo).
    NamespaceTaken,
    /// Would be restored (undo's dry run).
    Restorable,
}

impl Outcome {
    /// The stable code, e.g. `skipped_drift`.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Deleted => "deleted",
            Outcome::Untagged => "untagged",
            Outcome::PackageDeleted => "package_deleted",
            Outcome::AlreadyGone => "already_gone",
            Outcome::SkippedDrift => "skipped_drift",
            Outcome::SkippedProtectedNow => "skipped_protected_now",
            Outcome::RefusedLastVersion => "refused_last_version",
            Outcome::RefusedDownloads => "refused_downloads",
            Outcome::Forbidden => "forbidden",
            Outcome::Failed => "failed",
            Outcome::Deferred => "deferred",
            Outcome::NotAttempted => "not_attempted",
            Outcome::Restored => "restored",
            Outcome::Expired => "expired",
            Outcome::NotDeleted => "not_deleted",
            Outcome::NamespaceTaken => "namespace_taken",
            Outcome::Restorable => "restorable",
        }
    }

    /// Reads a code back.
    pub fn from_code(code: &str) -> Option<Outcome> {
        serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
    }

    /// Whether the unit is settled: a later run (or resume) does not redo it.
    pub fn is_final(self) -> bool {
        !matches!(
            self,
            Outcome::Failed | Outcome::Deferred | Outcome::NotAttempted | Outcome::Restorable
        )
    }
}

/// An error as reports carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ErrorInfo {
    /// The core's error code (`SERVER`, `PERMISSION_DENIED`, ...).
    pub kind: String,
    /// The message.
    pub message: String,
    /// The HTTP status, when a response came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `x-github-request-id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl From<&crate::Error> for ErrorInfo {
    fn from(e: &crate::Error) -> Self {
        ErrorInfo {
            kind: e.kind().code().to_owned(),
            message: e.message().to_owned(),
            status: e.status(),
            request_id: e.request_id().map(str::to_owned),
        }
    }
}

/// One unit's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Item {
    /// The package.
    pub package: String,
    /// The version (absent for a package operation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<u64>,
    /// The version name (a digest for containers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Its tags when planned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Its place in the image graph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// What happened.
    pub outcome: Outcome,
    /// The HTTP status of the last attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Requests sent for it.
    #[serde(default)]
    pub attempts: u32,
    /// `x-github-request-id` of the last attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When it was settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    /// Until when a deletion can be restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restorable_until: Option<DateTime<Utc>>,
    /// More about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The error, for `failed` and `forbidden`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every unit is settled and nothing failed.
    Complete,
    /// Some units were deferred or not attempted: run it again to resume.
    Partial,
    /// A unit failed, GitHub refused the token, or a kept image no longer resolves.
    Failed,
}

/// What verifying kept images found.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VerifyReport {
    /// Tags checked.
    pub checked_tags: usize,
    /// Kept images that do not resolve whole.
    pub broken: Vec<Broken>,
}

/// A kept image that no longer resolves with all its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Broken {
    /// The package.
    pub package: String,
    /// The tag.
    pub tag: String,
    /// The digests that do not resolve.
    pub missing: Vec<String>,
}

/// Where a partial run resumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Resume {
    /// The journal to apply the same plan with.
    pub journal: String,
    /// Units left.
    pub remaining: usize,
}

/// The result of applying a plan (or undoing a run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    /// The format; 1.
    pub report_version: u32,
    /// `apply` or `undo`.
    pub kind: String,
    /// The plan applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// This run.
    pub run_id: String,
    /// The journal written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<String>,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// Complete, partial or failed.
    pub status: Status,
    /// Units by outcome code.
    pub counts: std::collections::BTreeMap<String, usize>,
    /// Every unit, in the order they were settled.
    pub items: Vec<Item>,
    /// Where to resume, when the run is partial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<Resume>,
    /// What verifying kept images found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifyReport>,
    /// The undo that followed a failed verify (`on_verify_failure: undo_run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo: Option<Box<Report>>,
}

impl Report {
    /// Whether the run completed.
    pub fn is_complete(&self) -> bool {
        self.status == Status::Complete
    }

    /// The units with `outcome`.
    pub fn with_outcome(&self, outcome: Outcome) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.outcome == outcome)
    }

    pub(crate) fn settle(&mut self) {
        self.counts.clear();
        for i in &self.items {
            *self.counts.entry(i.outcome.code().to_owned()).or_default() += 1;
        }
        let failed = self
            .items
            .iter()
            .any(|i| matches!(i.outcome, Outcome::Failed | Outcome::Forbidden))
            || self.verify.as_ref().is_some_and(|v| !v.broken.is_empty());
        let left = self
            .items
            .iter()
            .filter(|i| matches!(i.outcome, Outcome::Deferred | Outcome::NotAttempted))
            .count();
        self.status = if failed {
            Status::Failed
        } else if left > 0 {
            Status::Partial
        } else {
            Status::Complete
        };
        self.resume = match (&self.journal, left) {
            (Some(j), n) if n > 0 => Some(Resume {
                journal: j.clone(),
                remaining: n,
            }),
            _ => None,
        };
    }
}

/// One event of a run, in order; the last is the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A phase starts: `preflight`, `revalidate`, `delete`, `verify`, `undo`.
    Phase {
        /// The phase.
        phase: String,
        /// The package, when the phase is about one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        package: Option<String>,
    },
    /// How far the run is.
    Progress {
        /// The phase.
        phase: String,
        /// Units settled.
        done: usize,
        /// Units in all.
        total: usize,
        /// Units a minute lately.
        rate_per_min: f64,
        /// Seconds left at that rate.
        eta_seconds: u64,
    },
    /// The run waits: `pace`, `secondary_rate_limit`, `primary_rate_limit`.
    Waiting {
        /// Why.
        reason: String,
        /// Until when.
        until: DateTime<Utc>,
        /// The request that was refused, when one was.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// One unit is settled.
    Outcome(Item),
    /// The end: the report.
    Report {
        /// The report.
        report: Box<Report>,
    },
}
