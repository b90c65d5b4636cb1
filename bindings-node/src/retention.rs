//! Retention for JavaScript: plan, apply (a stream of events), verify, undo
//! and recover on the core's `Retention`. Options cross as JSON text in the
//! core's own format (`lib/retention.js` turns camelCase keys into the
//! core's snake_case), so the core owns their names, defaults and
//! validation; results cross as the core's JSON (snake_case keys).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use ghpkg::retention::{
    ApplyEvents, ApplyOptions, Plan, PlanOptions, Policy, PolicyOwner, Retention, UndoOptions,
};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::client::{owner, OwnerOptions};
use crate::error::{invalid, to_napi, IntoNapi};
use crate::plan::NativePlan;

/// A core value as JSON (its types serialize infallibly).
macro_rules! json {
    ($value:expr) => {
        serde_json::to_value($value).unwrap_or(Value::Null)
    };
}

/// The native half of `Retention`; use `client.retention` instead.
#[napi]
pub struct NativeRetention {
    inner: Retention,
}

impl NativeRetention {
    pub(crate) fn new(inner: Retention) -> NativeRetention {
        NativeRetention { inner }
    }
}

/// Reads the policy file at `path` (the same message as the command line's).
fn read_policy(path: &str) -> ghpkg::Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| ghpkg::Error::invalid(format!("cannot read the policy {path}: {e}")))
}

#[napi]
impl NativeRetention {
    /// Makes a plan. `policy` is the policy's JSON text, or with `from_file`
    /// the path of a file holding it; `options` is the plan options' JSON.
    /// Sends only reads.
    #[napi]
    pub async fn plan(
        &self,
        policy: String,
        from_file: bool,
        options: String,
    ) -> Result<NativePlan> {
        let text = if from_file {
            read_policy(&policy).napi()?
        } else {
            policy
        };
        let policy = Policy::from_json(&text).napi()?;
        let options = PlanOptions::from_json(&options).napi()?;
        let plan = self.inner.plan(&policy, &options).await.napi()?;
        Ok(NativePlan::new(plan))
    }

    /// Applies a reviewed plan: the run, as events. Nothing starts until
    /// the first `next()`; bad options are its error.
    #[napi(catch_unwind)]
    pub fn apply_events(&self, plan: &NativePlan, options: String) -> NativeApplyEvents {
        let state = match ApplyOptions::from_json(&options) {
            Ok(options) => State::Pending {
                retention: self.inner.clone(),
                plan: Arc::clone(&plan.plan),
                options: Box::new(options),
            },
            Err(e) => State::Failed(e),
        };
        NativeApplyEvents {
            state: Mutex::new(state),
        }
    }

    /// Applies a reviewed plan and resolves with the report.
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub async fn apply(&self, plan: &NativePlan, options: String) -> Result<Value> {
        let options = ApplyOptions::from_json(&options).napi()?;
        let plan = (*plan.plan).clone();
        Ok(json!(self.inner.apply(plan, options).await.napi()?))
    }

    /// Checks that every image the plan keeps still resolves whole.
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub async fn verify(&self, plan: &NativePlan, registry_url: Option<String>) -> Result<Value> {
        let report = self
            .inner
            .verify(&plan.plan, registry_url.as_deref())
            .await
            .napi()?;
        Ok(json!(report))
    }

    /// Restores what the run recorded in `journal` deleted.
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub async fn undo(&self, journal: String, options: String) -> Result<Value> {
        let options = UndoOptions::from_json(&options).napi()?;
        Ok(json!(self.inner.undo(&journal, &options).await.napi()?))
    }

    /// Writes to `journal` an undo set for the versions of one package
    /// deleted since `since` (RFC 3339); resolves with how many it found.
    #[napi]
    pub async fn recover(
        &self,
        package_type: String,
        name: String,
        owner_options: Option<OwnerOptions>,
        since: String,
        journal: String,
    ) -> Result<u32> {
        let owner = match owner(owner_options).napi()? {
            ghpkg::Owner::AuthenticatedUser => PolicyOwner::Me,
            ghpkg::Owner::Org(org) => PolicyOwner::Org { org },
            ghpkg::Owner::User(user) => PolicyOwner::User { user },
        };
        let t: ghpkg::PackageType = package_type.parse().napi()?;
        let since: DateTime<Utc> = since.parse().map_err(|_| {
            invalid(format!(
                "since must be a date or an RFC 3339 date-time, got {since:?}"
            ))
        })?;
        let found = self
            .inner
            .recover(&owner, t, &name, since, PathBuf::from(journal))
            .await
            .napi()?;
        Ok(u32::try_from(found).unwrap_or(u32::MAX))
    }
}

enum State {
    /// Not started: the first `next()` starts it.
    Pending {
        retention: Retention,
        plan: Arc<Plan>,
        options: Box<ApplyOptions>,
    },
    Running(ApplyEvents),
    /// The options were refused: the first `next()` rejects with it.
    Failed(ghpkg::Error),
    Done,
}

/// The events of one run; `ApplyRun` in `lib/retention.js` makes it an
/// async iterable.
#[napi]
pub struct NativeApplyEvents {
    /// Locked only while polling, so `stop()` is never kept waiting by a
    /// `next()` in progress.
    state: Mutex<State>,
}

impl NativeApplyEvents {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a pending run, or takes out a refused one's error.
    fn start(&self) -> Result<()> {
        let mut state = self.lock();
        match std::mem::replace(&mut *state, State::Done) {
            State::Pending {
                retention,
                plan,
                options,
            } => *state = State::Running(retention.apply_events((*plan).clone(), *options)),
            State::Failed(e) => return Err(to_napi(e)),
            other => *state = other,
        }
        Ok(())
    }
}

#[napi]
impl NativeApplyEvents {
    /// The next event as the core's JSON, or `null` once the run has ended
    /// (after the `report` event, or after an error). Rejects with a failed
    /// precondition or a failed run.
    #[napi(ts_return_type = "Promise<Record<string, unknown> | null>")]
    pub async fn next(&self) -> Result<Option<Value>> {
        self.start()?;
        let next = futures::future::poll_fn(|cx| match &mut *self.lock() {
            State::Running(events) => events.poll_next_unpin(cx),
            _ => std::task::Poll::Ready(None),
        })
        .await;
        match next {
            Some(Ok(event)) => Ok(Some(json!(event))),
            Some(Err(e)) => {
                *self.lock() = State::Done;
                Err(to_napi(e))
            }
            None => {
                *self.lock() = State::Done;
                Ok(None)
            }
        }
    }

    /// Stops the run between deletes: no new delete starts, the run reports
    /// what is left as `not_attempted`, and the journal resumes it. A run
    /// not started yet never starts.
    #[napi]
    pub fn stop(&self) {
        let mut state = self.lock();
        match &*state {
            State::Running(events) => events.stop(),
            State::Pending { .. } => *state = State::Done,
            State::Failed(_) | State::Done => {}
        }
    }
}
