//! Applying a reviewed plan. Preconditions first (the plan is recent, made
//! against this API host by this user, the token can delete), then the
//! registry is read again and the plan made again under the same policy and
//! `now`: only what both the reviewed and the fresh plan delete, with tags
//! and `updated_at` unchanged, is deleted (or untagged, see
//! [`super::untag`]). Units go untags first, then root first, then the
//! children, then the referrers, paced within GitHub's secondary limits,
//! each one journaled before and after its request.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use chrono::Utc;
use futures::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::duration::Span;
use super::journal::{self, Journal, Op, PackageRef, Record, RunKind, JOURNAL_VERSION};
use super::pacer::{Pacer, DEFAULT_PER_MINUTE};
use super::plan::{Action, PackagePlan, PackageStatus, Plan, Role, Verdict};
use super::planner::{authenticated_login, judge_package, Context, Covered};
use super::registry::{repository, Registry};
use super::report::{ErrorInfo, Event, Item, Outcome, Report, REPORT_VERSION};
use super::{undo, untag, verify, Retention};
use crate::error::{Error, ErrorKind, Result};
use crate::models::PackageType;

/// GitHub keeps deleted packages and versions restorable this long.
pub const RESTORE_WINDOW_DAYS: i64 = 30;
/// Requests kept back from the primary rate-limit budget for other work.
const BUDGET_RESERVE: u64 = 10;
/// Attempts of one unit that keeps hitting secondary limits.
const MAX_ATTEMPTS: u32 = 5;

/// How a plan is applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyOptions {
    /// The journal (JSON Lines): created if absent; an existing journal of
    /// the same plan is resumed.
    pub journal: PathBuf,
    /// Stop starting units after this long (a CI job's timeout); the rest is
    /// `deferred`.
    #[serde(default)]
    pub deadline: Option<Span>,
    /// Delete at most this many versions in this run; the rest is `deferred`.
    #[serde(default)]
    pub max_deletes: Option<usize>,
    /// Deletes a minute at most (default 150; GitHub allows 180).
    #[serde(default)]
    pub deletes_per_minute: Option<u32>,
    /// Refuse a plan older than this (default `1h`).
    #[serde(default)]
    pub max_plan_age: Option<Span>,
    /// Check afterwards that every kept tag still resolves with all its
    /// children (default: on for container packages).
    #[serde(default)]
    pub verify: Option<bool>,
    /// What a failed verify does: `report` (default) or `undo_run`.
    #[serde(default)]
    pub on_verify_failure: VerifyFailure,
    /// Refuse to start when the primary rate limit cannot cover every
    /// delete, instead of deferring what does not fit.
    #[serde(default)]
    pub require_full_budget: bool,
    /// The container registry (default: the plan's).
    #[serde(default)]
    pub registry_url: Option<String>,
}

impl ApplyOptions {
    /// Reads options from JSON (`journal` is required).
    pub fn from_json(text: &str) -> Result<ApplyOptions> {
        super::from_json_named("the apply options", text)
    }

    /// Options with `journal` and every default.
    pub fn new(journal: impl Into<PathBuf>) -> ApplyOptions {
        ApplyOptions {
            journal: journal.into(),
            deadline: None,
            max_deletes: None,
            deletes_per_minute: None,
            max_plan_age: None,
            verify: None,
            on_verify_failure: VerifyFailure::Report,
            require_full_budget: false,
            registry_url: None,
        }
    }
}

/// What a failed verify does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VerifyFailure {
    /// Report it (the run's status is `failed`).
    #[default]
    Report,
    /// Undo the run, then report.
    UndoRun,
}

/// The events of a run as a stream; the last event is the report. Dropping
/// it stops the run after the unit in progress: the journal resumes it.
pub struct ApplyEvents {
    rx: mpsc::Receiver<Result<Event>>,
    stop: Arc<Stop>,
}

/// A run's stop request: a flag, and a wake-up for the run's waits (the
/// pace, rate limits), so a stop never waits for them to run out.
#[derive(Default)]
pub(crate) struct Stop {
    flag: AtomicBool,
    wake: tokio::sync::Notify,
}

impl Stop {
    fn stop(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Sleeps for `d`; `false` when a stop cut it short (or came before).
    async fn sleep(&self, d: Duration) -> bool {
        let woken = self.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if self.is_set() {
            return false;
        }
        tokio::select! {
            () = tokio::time::sleep(d) => !self.is_set(),
            () = woken => false,
        }
    }
}

impl Stream for ApplyEvents {
    type Item = Result<Event>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl ApplyEvents {
    /// Stops the run after the unit in progress (the same as dropping it).
    pub fn stop(&self) {
        self.stop.stop();
    }

    /// A handle that stops the run from anywhere (another thread or task,
    /// a signal handler's flag, a cancelled context) while the stream is
    /// being read elsewhere.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(Arc::clone(&self.stop))
    }
}

/// Stops a run after the unit in progress; cloneable, `Send` and `Sync`.
#[derive(Clone, Debug)]
pub struct StopHandle(Arc<Stop>);

impl std::fmt::Debug for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stop")
            .field("stopped", &self.is_set())
            .finish()
    }
}

impl StopHandle {
    /// Stops the run after the unit in progress; the stream then ends with
    /// the report (the rest `not_attempted`), and the journal resumes it.
    pub fn stop(&self) {
        self.0.stop();
    }

    /// Whether the run was asked to stop.
    pub fn is_stopped(&self) -> bool {
        self.0.is_set()
    }
}

impl Drop for ApplyEvents {
    fn drop(&mut self) {
        self.stop.stop();
    }
}

impl std::fmt::Debug for ApplyEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApplyEvents { .. }")
    }
}

/// Sends events; notices when nobody listens any more.
pub(crate) struct Emitter {
    tx: mpsc::Sender<Result<Event>>,
    stop: Arc<Stop>,
}

impl Emitter {
    pub(crate) async fn send(&self, event: Event) {
        if self.tx.send(Ok(event)).await.is_err() {
            self.stop.stop();
        }
    }

    pub(crate) fn stopped(&self) -> bool {
        self.stop.is_set()
    }

    /// Sleeps for `d` unless the run is stopped; `false` when it was.
    pub(crate) async fn sleep(&self, d: Duration) -> bool {
        self.stop.sleep(d).await
    }
}

impl Retention {
    /// Applies a reviewed plan, as a stream of events (phases, progress,
    /// waits, one outcome per unit, the report last). Must be polled inside
    /// a tokio runtime. A failed precondition (an old plan, another host or
    /// user, a token that cannot delete, a journal of another plan) is the
    /// stream's only item, an error, and nothing is deleted.
    pub fn apply_events(&self, plan: Plan, options: ApplyOptions) -> ApplyEvents {
        let (tx, rx) = mpsc::channel(16);
        let stop = Arc::new(Stop::default());
        let emitter = Emitter {
            tx: tx.clone(),
            stop: Arc::clone(&stop),
        };
        let this = self.clone();
        tokio::spawn(async move {
            let result = run(&this, &plan, &options, &emitter).await;
            let last = match result {
                Ok(report) => Ok(Event::Report {
                    report: Box::new(report),
                }),
                Err(e) => Err(e),
            };
            let _ = tx.send(last).await;
        });
        ApplyEvents { rx, stop }
    }

    /// Applies a reviewed plan and returns the report ([`Retention::apply_events`]'s last event).
    pub async fn apply(&self, plan: Plan, options: ApplyOptions) -> Result<Report> {
        use futures::StreamExt;
        let mut events = self.apply_events(plan, options);
        while let Some(e) = events.next().await {
            if let Event::Report { report } = e? {
                return Ok(*report);
            }
        }
        Err(Error::new(
            ErrorKind::Transport,
            "the run ended without a report",
        ))
    }
}

/// A unit to execute.
struct Unit<'p> {
    package: &'p PackagePlan,
    action: Option<&'p Action>,
}

impl Unit<'_> {
    fn item(&self, outcome: Outcome) -> Item {
        Item {
            package: self.package.name.clone(),
            version_id: self.action.map(|a| a.version_id),
            digest: self.action.map(|a| a.name.clone()),
            tags: self.action.map(|a| a.tags.clone()).unwrap_or_default(),
            role: self.action.map(|a| a.role),
            outcome,
            http_status: None,
            attempts: 0,
            request_id: None,
            at: Some(Utc::now()),
            restorable_until: None,
            detail: None,
            error: None,
        }
    }

    fn key(&self) -> (String, Option<u64>) {
        (self.package.name.clone(), self.action.map(|a| a.version_id))
    }
}

fn package_ref(p: &PackagePlan) -> PackageRef {
    PackageRef {
        owner: p.owner.clone(),
        package_type: p.package_type,
        name: p.name.clone(),
    }
}

async fn run(ret: &Retention, plan: &Plan, opts: &ApplyOptions, out: &Emitter) -> Result<Report> {
    let started = Utc::now();
    let client = &ret.client;
    out.send(Event::Phase {
        phase: "preflight".into(),
        package: None,
    })
    .await;
    preflight(ret, plan, opts).await?;
    let run_id = journal::new_run_id();
    let records = journal::read(&opts.journal)?;
    let mut done: HashMap<(String, Option<u64>), Item> = HashMap::new();
    let mut journal = Journal::append(&opts.journal)?;
    let mut unsettled_untags: HashSet<(String, Option<u64>)> = HashSet::new();
    let mut seq = resume(
        ret,
        plan,
        &records,
        &mut journal,
        &mut done,
        &mut unsettled_untags,
    )
    .await?;
    if records.is_empty() {
        journal.write(&Record::Header {
            journal_version: JOURNAL_VERSION,
            run_id: run_id.clone(),
            kind: RunKind::Apply,
            plan_id: Some(plan.id.clone()),
            policy_hash: Some(plan.policy_hash.clone()),
            target: Some(plan.target.clone()),
            undoes: None,
            ghpkg_version: env!("CARGO_PKG_VERSION").into(),
            at: started,
        })?;
    }
    let mut report = Report {
        report_version: REPORT_VERSION,
        kind: "apply".into(),
        plan_id: Some(plan.id.clone()),
        run_id,
        journal: Some(opts.journal.display().to_string()),
        started_at: started,
        finished_at: started,
        status: super::report::Status::Complete,
        counts: BTreeMap::new(),
        items: Vec::new(),
        resume: None,
        verify: None,
        undo: None,
    };

    // Read everything again, and plan again under the same policy and `now`.
    let registry = match opts
        .registry_url
        .clone()
        .or_else(|| plan.target.registry.clone())
    {
        Some(url) if plan.policy.package_type == PackageType::Container => {
            Some(Registry::new(client, &url)?)
        }
        _ => None,
    };
    let ctx = Context {
        client,
        registry: registry.as_ref(),
        cache: &ret.cache,
        policy: &plan.policy,
        now: plan.now,
    };
    let mut units: Vec<Unit<'_>> = Vec::new();
    for p in plan
        .packages
        .iter()
        .filter(|p| p.status == PackageStatus::Ok)
    {
        let deletions: Vec<&Action> = p
            .actions
            .iter()
            .filter(|a| matches!(a.action, Verdict::Delete | Verdict::Untag))
            .collect();
        if deletions.is_empty() {
            continue;
        }
        out.send(Event::Phase {
            phase: "revalidate".into(),
            package: Some(p.name.clone()),
        })
        .await;
        let covered = Covered {
            name: p.name.clone(),
            id: p.package_id,
            owner: plan
                .policy
                .owner
                .login()
                .map(str::to_owned)
                .or_else(|| plan.target.login.clone()),
        };
        let fresh = judge_package(&ctx, &covered).await?.plan;
        if p.package_action.is_some() {
            let unit = Unit {
                package: p,
                action: None,
            };
            match done.remove(&unit.key()) {
                Some(item) => report.items.push(item),
                None if fresh.package_action == p.package_action
                    && fresh.listing.fingerprint == p.listing.fingerprint =>
                {
                    units.push(unit)
                }
                None => {
                    let mut item = unit.item(Outcome::SkippedDrift);
                    item.detail =
                        Some("the package changed since the plan; it is not deleted whole".into());
                    report.items.push(item);
                }
            }
            continue;
        }
        for a in deletions {
            let unit = Unit {
                package: p,
                action: Some(a),
            };
            if let Some(item) = done.remove(&unit.key()) {
                report.items.push(item);
                continue;
            }
            // An untag this run started is finished whatever the tags say
            // now: each of its steps checks where a tag points first.
            if unsettled_untags.contains(&unit.key()) {
                units.push(unit);
                continue;
            }
            match compare(a, &fresh) {
                None => units.push(unit),
                Some((outcome, detail)) => {
                    let mut item = unit.item(outcome);
                    item.detail = Some(detail);
                    report.items.push(item);
                }
            }
        }
    }
    // Whatever the journal settled that is no longer in the plan's units.
    report.items.extend(done.into_values());

    // The primary budget: what does not fit is deferred (or the run refused).
    let mut budget = usize::MAX;
    if let Some(rl) = client.rate_limit() {
        let usable = rl.remaining.saturating_sub(BUDGET_RESERVE) as usize;
        if usable < units.len() {
            if opts.require_full_budget {
                return Err(Error::new(
                    ErrorKind::RateLimited,
                    format!(
                        "the primary rate limit has {} requests left, {} deletes need {}; it resets at {}",
                        rl.remaining,
                        units.len(),
                        units.len() as u64 + BUDGET_RESERVE,
                        rl.reset
                    ),
                )
                .with_retry_after(Some(rl.until_reset())));
            }
            budget = usable;
        }
    }

    let login = plan
        .policy
        .owner
        .login()
        .map(str::to_owned)
        .or_else(|| plan.target.login.clone());
    let pushes = Pushes {
        registry: registry.as_ref(),
        login: login.as_deref(),
        plan_id: &plan.id,
    };
    execute(
        ret,
        opts,
        out,
        &units,
        budget,
        &pushes,
        &mut journal,
        &mut seq,
        &mut report,
    )
    .await?;

    let verify_on = opts
        .verify
        .unwrap_or(plan.policy.package_type == PackageType::Container);
    let deleted_any = report.items.iter().any(|i| {
        matches!(
            i.outcome,
            Outcome::Deleted | Outcome::PackageDeleted | Outcome::Untagged
        )
    });
    if verify_on && deleted_any && !out.stopped() {
        if let Some(registry) = &registry {
            out.send(Event::Phase {
                phase: "verify".into(),
                package: None,
            })
            .await;
            report.verify = Some(
                verify::kept_images(
                    client,
                    registry,
                    &ret.cache,
                    plan,
                    &verify::touched(&report),
                )
                .await?,
            );
        }
    }
    report.finished_at = Utc::now();
    report.settle();
    journal.write(&Record::Footer {
        status: serde_json::to_value(report.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        at: report.finished_at,
    })?;
    let broken = report.verify.as_ref().is_some_and(|v| !v.broken.is_empty());
    if broken && opts.on_verify_failure == VerifyFailure::UndoRun {
        let undo = undo::undo_journal(ret, &opts.journal, &undo::UndoOptions::default(), Some(out))
            .await?;
        report.undo = Some(Box::new(undo));
    }
    Ok(report)
}

/// The preconditions: recent, same host, same user, a token that can delete.
async fn preflight(ret: &Retention, plan: &Plan, opts: &ApplyOptions) -> Result<()> {
    let client = &ret.client;
    let max_age = opts.max_plan_age.unwrap_or(Span::hours(1));
    let age = Utc::now() - plan.now;
    if age > max_age.to_chrono() {
        return Err(Error::invalid(format!(
            "the plan was made {} ago, more than max_plan_age ({max_age}); make a new plan",
            Span::seconds(age.num_seconds().max(0) as u64)
        )));
    }
    if age < -chrono::Duration::minutes(5) {
        return Err(Error::invalid(
            "the plan's now is in the future; make a new plan",
        ));
    }
    if client.base_url() != plan.target.base_url {
        return Err(Error::invalid(format!(
            "the plan was made against {}, this client talks to {}",
            plan.target.base_url,
            client.base_url()
        )));
    }
    let login = authenticated_login(client).await?;
    if plan.target.login.is_some() && login != plan.target.login {
        return Err(Error::invalid(format!(
            "the plan was made with {}'s token, this one is {}'s",
            plan.target.login.as_deref().unwrap_or("?"),
            login.as_deref().unwrap_or("another user")
        )));
    }
    let scopes = client.scopes().await?;
    if scopes.scopes.is_some() && !scopes.can_delete {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            "the token lacks delete:packages, which deleting needs",
        ));
    }
    let untags = plan
        .packages
        .iter()
        .any(|p| p.actions.iter().any(|a| a.action == Verdict::Untag));
    if untags && scopes.scopes.is_some() && !scopes.has("write:packages") {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            "the token lacks write:packages, which untagging needs (it pushes to the registry)",
        ));
    }
    Ok(())
}

/// Reads the journal: checks it belongs to this plan, settles intents that
/// never got an outcome (a crash after the request), and returns the
/// settled units and the next sequence number.
async fn resume(
    ret: &Retention,
    plan: &Plan,
    records: &[Record],
    journal: &mut Journal,
    done: &mut HashMap<(String, Option<u64>), Item>,
    unsettled_untags: &mut HashSet<(String, Option<u64>)>,
) -> Result<u64> {
    match records.first() {
        None => return Ok(1),
        Some(Record::Header {
            kind: RunKind::Apply,
            plan_id: Some(id),
            ..
        }) if *id == plan.id => {}
        Some(Record::Header {
            kind: RunKind::Undo,
            ..
        }) => {
            return Err(Error::invalid(
                "the journal records an undo, not an apply; give a new journal path",
            ))
        }
        Some(Record::Header { plan_id, .. }) => {
            return Err(Error::invalid(format!(
                "the journal belongs to plan {}, not {}; give a new journal path",
                plan_id.as_deref().unwrap_or("(none)"),
                plan.id
            )))
        }
        Some(_) => return Err(Error::invalid("the journal has no header")),
    }
    let mut next = 1;
    for entry in journal::entries(records) {
        let Record::Intent {
            seq,
            op,
            package,
            version_id,
            digest,
            tags,
            role,
            ..
        } = &entry.intent
        else {
            continue;
        };
        next = next.max(seq + 1);
        let outcome = match entry.outcome_code().and_then(Outcome::from_code) {
            Some(o) => Some(o),
            None if *op == Op::Untag => None,
            None => {
                // An intent without an outcome: did the request land?
                let gone = reconcile(ret, package, *op, *version_id).await?;
                if gone {
                    journal.write(&Record::Outcome {
                        seq: *seq,
                        outcome: Outcome::Deleted.code().into(),
                        http_status: None,
                        request_id: None,
                        at: Utc::now(),
                        restorable_until: None,
                        detail: Some("reconciled: gone when the run resumed".into()),
                    })?;
                    Some(Outcome::Deleted)
                } else {
                    None
                }
            }
        };
        // An untag that did not finish is finished by running it again
        // (each of its steps is idempotent).
        if *op == Op::Untag && !outcome.is_some_and(Outcome::is_final) {
            unsettled_untags.insert((package.name.clone(), *version_id));
        }
        if let Some(o) = outcome.filter(|o| o.is_final()) {
            let (http_status, at, restorable_until, detail) = match &entry.outcome {
                Some(Record::Outcome {
                    http_status,
                    at,
                    restorable_until,
                    detail,
                    ..
                }) => (*http_status, Some(*at), *restorable_until, detail.clone()),
                _ => (None, Some(Utc::now()), None, None),
            };
            done.insert(
                (package.name.clone(), *version_id),
                Item {
                    package: package.name.clone(),
                    version_id: *version_id,
                    digest: digest.clone(),
                    tags: tags.clone(),
                    role: *role,
                    outcome: o,
                    http_status,
                    attempts: 0,
                    request_id: None,
                    at,
                    restorable_until,
                    detail: Some(detail.unwrap_or_else(|| "settled by an earlier run".into())),
                    error: None,
                },
            );
        }
    }
    Ok(next)
}

/// Whether the version (or package) of an unsettled intent is gone.
async fn reconcile(
    ret: &Retention,
    package: &PackageRef,
    op: Op,
    version_id: Option<u64>,
) -> Result<bool> {
    if op == Op::Untag {
        return Ok(false);
    }
    let owner = package.owner.to_owner();
    let got = match (op, version_id) {
        (Op::DeleteVersion, Some(id)) => ret
            .client
            .get_version(&owner, package.package_type, &package.name, id)
            .await
            .map(drop),
        _ => ret
            .client
            .get_package(&owner, package.package_type, &package.name)
            .await
            .map(drop),
    };
    match got {
        Ok(()) => Ok(false),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

/// Why a reviewed deletion is not executed, judged against the fresh plan.
fn compare(reviewed: &Action, fresh: &PackagePlan) -> Option<(Outcome, String)> {
    let Some(now) = fresh
        .actions
        .iter()
        .find(|f| f.version_id == reviewed.version_id)
    else {
        return Some((Outcome::AlreadyGone, "no longer listed".into()));
    };
    if now.tags != reviewed.tags || now.updated_at != reviewed.updated_at {
        return Some((
            Outcome::SkippedDrift,
            format!(
                "changed since the plan: tags {:?} → {:?}, updated_at {} → {}",
                reviewed.tags, now.tags, reviewed.updated_at, now.updated_at
            ),
        ));
    }
    if let (PackageStatus::Blocked, Some(r)) = (fresh.status, &fresh.blocked) {
        return Some((
            Outcome::SkippedDrift,
            format!("the package is blocked now: {}", r.code),
        ));
    }
    if now.action == reviewed.action && now.untag_tags == reviewed.untag_tags {
        return None;
    }
    let reason = &now.reasons[0];
    if reason.code.starts_with("protected_") {
        return Some((
            Outcome::SkippedProtectedNow,
            format!(
                "{}: {}",
                reason.code,
                reason.detail.as_deref().unwrap_or("")
            ),
        ));
    }
    // A child or referrer whose parents this run already deleted is an
    // orphan now that nothing selects; nothing present references it.
    if reason.code == "no_delete_rule" && now.role == Role::Root && reviewed.role != Role::Root {
        return None;
    }
    Some((
        Outcome::SkippedDrift,
        format!(
            "the registry changed: now {}{}",
            reason.code,
            reason
                .detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ),
    ))
}

#[allow(clippy::too_many_arguments)]
async fn execute(
    ret: &Retention,
    opts: &ApplyOptions,
    out: &Emitter,
    units: &[Unit<'_>],
    budget: usize,
    pushes: &Pushes<'_>,
    journal: &mut Journal,
    seq: &mut u64,
    report: &mut Report,
) -> Result<()> {
    let quiet = ret.client.without_rate_limit_waits();
    let mut pacer = Pacer::new(opts.deletes_per_minute.unwrap_or(DEFAULT_PER_MINUTE));
    let deadline = opts
        .deadline
        .map(|d| tokio::time::Instant::now() + Duration::from_secs(d.as_secs()));
    let past = |t: tokio::time::Instant| deadline.is_some_and(|d| t >= d);
    out.send(Event::Phase {
        phase: "delete".into(),
        package: None,
    })
    .await;
    let total = units.len();
    let mut stopped_packages: HashMap<String, &'static str> = HashMap::new();
    let mut sent = 0usize;
    let mut defer_rest: Option<&'static str> = None;
    let mut first_sent: Option<tokio::time::Instant> = None;
    for (n, unit) in units.iter().enumerate() {
        let item = if out.stopped() {
            let mut i = unit.item(Outcome::NotAttempted);
            i.detail = Some("the run was stopped".into());
            i
        } else if let Some(why) = defer_rest {
            let mut i = unit.item(Outcome::Deferred);
            i.detail = Some(why.into());
            i
        } else if let Some(why) = stopped_packages.get(&unit.package.name) {
            let mut i = unit.item(Outcome::NotAttempted);
            i.detail = Some((*why).into());
            i
        } else if opts.max_deletes.is_some_and(|m| sent >= m) {
            let mut i = unit.item(Outcome::Deferred);
            i.detail = Some("max_deletes reached".into());
            i
        } else if sent >= budget {
            defer_rest = Some("the primary rate-limit budget is spent");
            let mut i = unit.item(Outcome::Deferred);
            i.detail = defer_rest.map(str::to_owned);
            i
        } else {
            let wait = pacer.reserve();
            let at = tokio::time::Instant::now() + wait;
            if past(at) {
                defer_rest = Some("the deadline passed");
                let mut i = unit.item(Outcome::Deferred);
                i.detail = defer_rest.map(str::to_owned);
                i
            } else {
                if wait >= Duration::from_secs(1) {
                    out.send(Event::Waiting {
                        reason: "pace".into(),
                        until: Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
                        request_id: None,
                    })
                    .await;
                }
                if !out.sleep(wait).await {
                    // Stopped while pacing: nothing was journaled or sent.
                    let mut i = unit.item(Outcome::NotAttempted);
                    i.detail = Some("the run was stopped".into());
                    out.send(Event::Outcome(i.clone())).await;
                    report.items.push(i);
                    continue;
                }
                let item = match unit.action {
                    Some(a) if a.action == Verdict::Untag => {
                        untag_one(&quiet, pushes, unit, a, journal, *seq).await?
                    }
                    _ => delete_one(&quiet, unit, journal, *seq, &mut pacer, deadline, out).await?,
                };
                *seq += 1;
                sent += 1;
                match item.outcome {
                    Outcome::RefusedLastVersion => {
                        stopped_packages.insert(
                            unit.package.name.clone(),
                            "GitHub refused an earlier delete of the package's last version",
                        );
                    }
                    Outcome::Forbidden => {
                        stopped_packages.insert(
                            unit.package.name.clone(),
                            "GitHub refused the token for this package",
                        );
                    }
                    Outcome::Deferred => defer_rest = Some("rate limits outlast the deadline"),
                    _ => {}
                }
                item
            }
        };
        out.send(Event::Outcome(item.clone())).await;
        report.items.push(item);
        let done = n + 1;
        // The rate between the first request sent and now; the pace asked
        // for until there are two to measure between.
        if sent > 0 && first_sent.is_none() {
            first_sent = Some(tokio::time::Instant::now());
        }
        let minutes = first_sent.map_or(0.0, |t| t.elapsed().as_secs_f64() / 60.0);
        let rate = if sent > 1 && minutes > 0.0 {
            (sent - 1) as f64 / minutes
        } else {
            pacer.rate()
        };
        let rate = if rate.is_finite() && rate > 0.0 {
            rate.min(10_000.0)
        } else {
            pacer.rate()
        };
        out.send(Event::Progress {
            phase: "delete".into(),
            done,
            total,
            rate_per_min: (rate * 10.0).round() / 10.0,
            eta_seconds: ((total - done) as f64 / pacer.rate() * 60.0).ceil() as u64,
        })
        .await;
    }
    Ok(())
}

/// What untagging needs: the registry to push to and the plan's names.
struct Pushes<'a> {
    registry: Option<&'a Registry>,
    login: Option<&'a str>,
    plan_id: &'a str,
}

/// Removes the plan's tags from one image: intent, pushes and a delete,
/// outcome.
async fn untag_one(
    client: &crate::Client,
    pushes: &Pushes<'_>,
    unit: &Unit<'_>,
    a: &Action,
    journal: &mut Journal,
    seq: u64,
) -> Result<Item> {
    let p = unit.package;
    journal.write(&Record::Intent {
        seq,
        op: Op::Untag,
        package: package_ref(p),
        version_id: Some(a.version_id),
        digest: Some(a.name.clone()),
        tags: a.untag_tags.clone(),
        role: Some(a.role),
        parents: a.parents.clone(),
        subject: a.subject.clone(),
        at: Utc::now(),
    })?;
    let mut item = unit.item(Outcome::Failed);
    item.tags = a.untag_tags.clone();
    item.attempts = 1;
    let result = match (pushes.registry, pushes.login) {
        (Some(registry), Some(login)) => match repository(login, &p.name) {
            Ok(repo) => {
                let target = untag::Target {
                    client,
                    registry,
                    owner: p.owner.to_owner(),
                    package_type: p.package_type,
                    package: &p.name,
                    repo: &repo,
                    digest: &a.name,
                    plan_id: pushes.plan_id,
                };
                untag::untag(&target, &a.untag_tags).await
            }
            Err(e) => Err(e.into()),
        },
        _ => Err(untag::Failure {
            message: "untagging needs the registry and the owner's login; neither the plan \
                      nor the options name them"
                .into(),
            kind: ErrorKind::InvalidArgument,
        }),
    };
    item.at = Some(Utc::now());
    match result {
        Ok(done) => {
            item.outcome = Outcome::Untagged;
            item.detail = Some(done.detail());
        }
        Err(f) => {
            item.outcome = match f.kind {
                ErrorKind::PermissionDenied => Outcome::Forbidden,
                _ => Outcome::Failed,
            };
            item.error = Some(ErrorInfo {
                kind: f.kind.code().into(),
                message: f.message,
                status: None,
                request_id: None,
            });
        }
    }
    journal.write(&Record::Outcome {
        seq,
        outcome: item.outcome.code().into(),
        http_status: None,
        request_id: None,
        at: item.at.unwrap_or_else(Utc::now),
        restorable_until: None,
        detail: item.detail.clone(),
    })?;
    Ok(item)
}

/// Deletes one version (or package): intent, request(s), outcome.
async fn delete_one(
    client: &crate::Client,
    unit: &Unit<'_>,
    journal: &mut Journal,
    seq: u64,
    pacer: &mut Pacer,
    deadline: Option<tokio::time::Instant>,
    out: &Emitter,
) -> Result<Item> {
    let p = unit.package;
    let owner = p.owner.to_owner();
    let op = if unit.action.is_some() {
        Op::DeleteVersion
    } else {
        Op::DeletePackage
    };
    journal.write(&Record::Intent {
        seq,
        op,
        package: package_ref(p),
        version_id: unit.action.map(|a| a.version_id),
        digest: unit.action.map(|a| a.name.clone()),
        tags: unit.action.map(|a| a.tags.clone()).unwrap_or_default(),
        role: unit.action.map(|a| a.role),
        parents: unit.action.map(|a| a.parents.clone()).unwrap_or_default(),
        subject: unit.action.and_then(|a| a.subject.clone()),
        at: Utc::now(),
    })?;
    let mut item = unit.item(Outcome::Failed);
    loop {
        item.attempts += 1;
        let result = match unit.action {
            Some(a) => {
                client
                    .delete_version(&owner, p.package_type, &p.name, a.version_id)
                    .await
            }
            None => client.delete_package(&owner, p.package_type, &p.name).await,
        };
        let now = Utc::now();
        item.at = Some(now);
        match result {
            Ok(()) => {
                item.outcome = if unit.action.is_some() {
                    Outcome::Deleted
                } else {
                    Outcome::PackageDeleted
                };
                item.http_status = Some(204);
                item.restorable_until = Some(now + chrono::Duration::days(RESTORE_WINDOW_DAYS));
                break;
            }
            Err(e) => {
                item.http_status = e.status();
                item.request_id = e.request_id().map(str::to_owned);
                let lower = e.message().to_ascii_lowercase();
                match e.kind() {
                    ErrorKind::NotFound => {
                        item.outcome = Outcome::AlreadyGone;
                        break;
                    }
                    ErrorKind::RateLimited if item.attempts < MAX_ATTEMPTS => {
                        let primary = e.rate_limit().is_some_and(|r| r.remaining == 0);
                        let wait = e.retry_after().unwrap_or(Duration::from_secs(60));
                        if !primary {
                            pacer.slow_down(wait);
                        }
                        let resume_at = tokio::time::Instant::now() + wait;
                        if deadline.is_some_and(|d| resume_at >= d) {
                            item.outcome = Outcome::Deferred;
                            item.detail = Some(format!(
                                "rate limited until after the deadline: {}",
                                e.message()
                            ));
                            break;
                        }
                        out.send(Event::Waiting {
                            reason: if primary {
                                "primary_rate_limit"
                            } else {
                                "secondary_rate_limit"
                            }
                            .into(),
                            until: now + chrono::Duration::from_std(wait).unwrap_or_default(),
                            request_id: item.request_id.clone(),
                        })
                        .await;
                        let again = pacer.reserve();
                        if !out.sleep(wait + again).await {
                            item.outcome = Outcome::NotAttempted;
                            item.detail = Some(format!(
                                "the run was stopped while waiting for a rate limit: {}",
                                e.message()
                            ));
                            break;
                        }
                    }
                    ErrorKind::Rejected if lower.contains("last") && lower.contains("version") => {
                        item.outcome = Outcome::RefusedLastVersion;
                        item.detail = Some(e.message().to_owned());
                        break;
                    }
                    ErrorKind::Rejected
                        if lower.contains("5000")
                            || lower.contains("5,000")
                            || lower.contains("downloads") =>
                    {
                        item.outcome = Outcome::RefusedDownloads;
                        item.detail = Some(e.message().to_owned());
                        break;
                    }
                    ErrorKind::PermissionDenied => {
                        item.outcome = Outcome::Forbidden;
                        item.error = Some(ErrorInfo::from(&e));
                        break;
                    }
                    ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Transport => {
                        // The request may have landed: look before calling it failed.
                        let gone = match unit.action {
                            Some(a) => {
                                client
                                    .get_version(&owner, p.package_type, &p.name, a.version_id)
                                    .await
                            }
                            None => Err(e.clone_kind()),
                        };
                        match gone {
                            Err(g) if g.kind() == ErrorKind::NotFound => {
                                item.outcome = Outcome::Deleted;
                                item.detail = Some(format!(
                                    "reconciled after {}: the version is gone",
                                    e.kind().code()
                                ));
                                item.restorable_until =
                                    Some(now + chrono::Duration::days(RESTORE_WINDOW_DAYS));
                            }
                            _ => {
                                item.outcome = Outcome::Failed;
                                item.error = Some(ErrorInfo::from(&e));
                            }
                        }
                        break;
                    }
                    _ => {
                        item.outcome = Outcome::Failed;
                        item.error = Some(ErrorInfo::from(&e));
                        break;
                    }
                }
            }
        }
    }
    journal.write(&Record::Outcome {
        seq,
        outcome: item.outcome.code().into(),
        http_status: item.http_status,
        request_id: item.request_id.clone(),
        at: item.at.unwrap_or_else(Utc::now),
        restorable_until: item.restorable_until,
        detail: item.detail.clone(),
    })?;
    Ok(item)
}

impl Error {
    /// A copy keeping only the kind and message (for reporting twice).
    pub(crate) fn clone_kind(&self) -> Error {
        Error::new(self.kind(), self.message())
    }
}
