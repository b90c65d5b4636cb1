//! Policies and plans for JavaScript. A policy crosses as its JSON text (the
//! core checks it and writes every default out); a plan lives here, in a
//! [`NativePlan`], and crosses as the core's exact JSON text, which
//! `lib/retention.js` parses for its read-only properties. Everything that
//! decides something (what a valid policy is, the hash check, the order of
//! deletions, what a review edit keeps) is the core's.

use std::sync::Arc;

use ghpkg::retention::{Inputs, Plan, Policy, Render};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::client::version_id;
use crate::error::{invalid, IntoNapi};

/// A policy the core has read: its JSON with every default written out, and
/// its hash (what a plan records as `policy_hash`).
#[napi(object, object_from_js = false)]
pub struct CheckedPolicy {
    /// The policy as JSON text, pretty-printed, every default written out.
    pub json: String,
    /// `sha256:` of the policy's canonical JSON.
    pub hash: String,
}

impl From<&Policy> for CheckedPolicy {
    fn from(p: &Policy) -> Self {
        CheckedPolicy {
            json: serde_json::to_string_pretty(&p.to_json()).unwrap_or_default(),
            hash: p.hash(),
        }
    }
}

/// Reads a policy from JSON text; an `INVALID_ARGUMENT` error names the field
/// or pattern that is wrong.
#[napi(catch_unwind)]
pub fn check_policy(text: String) -> Result<CheckedPolicy> {
    Ok((&Policy::from_json(&text).napi()?).into())
}

/// Translates the inputs of another cleanup tool into a policy: `tool` is
/// `crp` (snok/container-retention-policy), `dataaxiom`
/// (dataaxiom/ghcr-cleanup-action), `dpv` (actions/delete-package-versions)
/// or `vlaurin` (vlaurin/action-ghcr-prune); `inputs` are the action's
/// `with:` values as strings.
#[napi(catch_unwind)]
pub fn import_policy(
    tool: String,
    inputs: std::collections::HashMap<String, String>,
) -> Result<CheckedPolicy> {
    let inputs: Inputs = inputs.into_iter().collect();
    let policy = match tool.as_str() {
        "crp" => Policy::from_crp(&inputs),
        "dataaxiom" => Policy::from_dataaxiom(&inputs),
        "dpv" => Policy::from_dpv(&inputs),
        "vlaurin" => Policy::from_vlaurin(&inputs),
        other => {
            return Err(invalid(format!(
                "no importer {other:?}; there are crp, dataaxiom, dpv and vlaurin"
            )))
        }
    }
    .napi()?;
    Ok((&policy).into())
}

/// The JSON Schemas of the retention formats, by file name
/// (`policy.schema.json`, `plan.schema.json`, ...).
#[napi(ts_return_type = "Record<string, Record<string, unknown>>")]
pub fn retention_schemas() -> Value {
    Value::Object(
        ghpkg::retention::schemas()
            .into_iter()
            .map(|(name, schema)| (name.to_owned(), schema))
            .collect(),
    )
}

/// Where one planned deletion is in the plan: `packages[package].actions[action]`.
#[napi(object, object_from_js = false)]
pub struct DeletionIndex {
    pub package: u32,
    pub action: u32,
}

/// A plan; `Plan` in `lib/retention.js` wraps it.
#[napi]
pub struct NativePlan {
    pub(crate) plan: Arc<Plan>,
    json: String,
}

impl NativePlan {
    pub(crate) fn new(plan: Plan) -> NativePlan {
        let json = plan.to_json();
        NativePlan {
            plan: Arc::new(plan),
            json,
        }
    }
}

fn index(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[napi]
impl NativePlan {
    /// Reads a plan: refuses one that is not a ghpkg plan, of another format
    /// version, or whose policy was edited by hand (hash mismatch).
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<NativePlan> {
        Ok(NativePlan::new(Plan::from_json(&text).napi()?))
    }

    /// The plan as the core writes it (`Plan::to_json`).
    #[napi]
    pub fn json(&self) -> String {
        self.json.clone()
    }

    /// The plan rendered as `markdown`, `table`, `json` or `ndjson`.
    #[napi(catch_unwind)]
    pub fn render(&self, how: String) -> Result<String> {
        let how: Render = how.parse().napi()?;
        Ok(self.plan.render(how))
    }

    /// Every planned change (deletions and untags) in apply order, as
    /// positions in `packages` and their `actions`.
    #[napi(catch_unwind)]
    pub fn deletions(&self) -> Vec<DeletionIndex> {
        let plan = &self.plan;
        plan.deletions()
            .into_iter()
            .filter_map(|(p, a)| {
                let package = plan.packages.iter().position(|q| std::ptr::eq(q, p))?;
                let action = p.actions.iter().position(|b| std::ptr::eq(b, a))?;
                Some(DeletionIndex {
                    package: index(package),
                    action: index(action),
                })
            })
            .collect()
    }

    /// The plan with the deletions of `version_ids` (decimal strings) kept,
    /// with what they hold alive; each edit is recorded.
    #[napi(catch_unwind)]
    pub fn without_versions(&self, version_ids: Vec<String>) -> Result<NativePlan> {
        let ids = version_ids
            .iter()
            .map(|s| version_id(s))
            .collect::<Result<Vec<u64>>>()?;
        Ok(NativePlan::new(self.plan.without_versions(&ids).napi()?))
    }

    /// The plan with every deletion outside `packages` kept.
    #[napi(catch_unwind)]
    pub fn only_packages(&self, packages: Vec<String>) -> Result<NativePlan> {
        let names: Vec<&str> = packages.iter().map(String::as_str).collect();
        Ok(NativePlan::new(self.plan.only_packages(&names).napi()?))
    }
}
