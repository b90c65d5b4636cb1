//! Retention: cleaning up a registry by policy, safely.
//!
//! A [`Policy`] says what may go and what must stay. Planning reads the
//! registry (the versions of every covered package and, for containers,
//! every manifest, so an image's children, attestations and signatures are
//! known) and produces a [`Plan`]: a deterministic, reviewable list of what
//! would be deleted and why. Apply executes a reviewed plan, re-checking
//! everything first; a journal records every delete, so a run can be
//! resumed and undone within GitHub's 30-day restore window.

mod apply;
mod cache;
mod duration;
mod evaluate;
mod import;
mod journal;
mod oci;
mod pacer;
mod pattern;
mod plan;
mod planner;
mod policy;
mod registry;
mod render;
mod report;
mod undo;
mod untag;
mod verify;

use std::sync::Arc;

pub use apply::{ApplyEvents, ApplyOptions, StopHandle, VerifyFailure, RESTORE_WINDOW_DAYS};
pub use cache::{FileCache, ManifestCache, MemoryCache};
pub use import::{Inputs, IMPORT_TOOLS};
pub use journal::{Entry, Journal, Op, PackageRef, Record, RunKind, JOURNAL_VERSION};
pub use pacer::{Pacer, DEFAULT_PER_MINUTE, MAX_PER_MINUTE};
pub use planner::PlanOptions;
pub use registry::{registry_for, repository, Registry, RegistryProblem};
pub use render::Render;
pub use report::{
    Broken, ErrorInfo, Event, Item, Outcome, Report, Resume, Status, VerifyReport, REPORT_VERSION,
};
pub use undo::UndoOptions;

pub use duration::Span;
pub use evaluate::{judge, Judged, ManifestState, PackageInput, VersionInfo};
pub use oci::{referrer_tag_subject, Child, Kind as ManifestKind, Manifest, Unreadable};
pub use pattern::Pattern;
pub use plan::{
    Action, Edit, ListingSummary, PackagePlan, PackageStatus, Plan, Reason, Requests, Role,
    Summary, Target, Totals, Verdict, VersionKind, Warning, DEFAULT_DELETES_PER_MINUTE,
    PLAN_VERSION,
};
pub use policy::{
    DeleteRule, GraphOptions, IndexState, KeepRule, KeepScope, LastVersion, OnError, Override,
    PackageFilter, Policy, PolicyOwner, Protect, Quantifier, Referrers, Selector, TagClause,
    TimeField, UNSAFE_ACKNOWLEDGEMENT,
};

/// Retention for one client: plans, and (with a reviewed plan) apply and undo.
/// Cheap to clone; clones share the manifests read so far.
#[derive(Clone)]
pub struct Retention {
    client: crate::Client,
    cache: Arc<dyn ManifestCache>,
}

impl crate::Client {
    /// Retention with this client's credentials, base URL, retries and
    /// rate-limit handling.
    pub fn retention(&self) -> Retention {
        Retention {
            client: self.clone(),
            cache: Arc::new(MemoryCache::default()),
        }
    }
}

impl Retention {
    /// Makes a plan: reads the covered packages, their complete version
    /// listings and, for containers, every manifest. Sends only reads.
    ///
    /// A package whose listing is incomplete, or whose manifests cannot all
    /// be read and checked, is blocked in the plan (nothing in it will be
    /// deleted), with the reason. Bad credentials are an `Authentication`
    /// error; a bad `registry_url` is `InvalidArgument`.
    pub async fn plan(&self, policy: &Policy, options: &PlanOptions) -> crate::Result<Plan> {
        planner::make_plan(&self.client, &self.cache, policy, options).await
    }
}

#[cfg(test)]
mod tests;

/// Reads `text` as `what` (e.g. "the apply options"): an `InvalidArgument`
/// error names the field that is wrong.
pub(crate) fn from_json_named<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
) -> crate::Result<T> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at = if path == "." {
            String::new()
        } else {
            format!(" at {path}")
        };
        crate::Error::invalid(format!("{what} are not valid{at}: {inner}"))
    })
}

/// The JSON Schemas of the retention formats, by file name: the policy,
/// the plan, a run's events and report, a journal line, and the options of
/// plan, apply and undo. Published in
/// the repository's `schemas/` directory (a test keeps them current); every
/// front door reads and writes these formats.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    fn to_value<T: schemars::JsonSchema>() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default()
    }
    vec![
        ("policy.schema.json", Policy::json_schema()),
        ("plan.schema.json", to_value::<Plan>()),
        ("event.schema.json", to_value::<Event>()),
        ("report.schema.json", to_value::<Report>()),
        ("journal.schema.json", to_value::<Record>()),
        ("plan-options.schema.json", to_value::<PlanOptions>()),
        ("apply-options.schema.json", to_value::<ApplyOptions>()),
        ("undo-options.schema.json", to_value::<UndoOptions>()),
    ]
}
