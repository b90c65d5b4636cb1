//! Retention: cleaning up a registry by policy, safely.
//!
//! A [`Policy`] says what may go and what must stay. Planning reads the
//! registry (the versions of every covered package and, for containers,
//! every manifest, so an image's children, attestations and signatures are
//! known) and produces a [`Plan`]: a deterministic, reviewable list of what
//! would be deleted and why. Apply executes a reviewed plan, re-checking
//! everything first; a journal records every delete, so a run can be
//! resumed and undone within GitHub's 30-day restore window.

mod duration;
mod evaluate;
mod oci;
mod pattern;
mod plan;
mod policy;

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

#[cfg(test)]
mod tests;
