//! Undoing a run within GitHub's 30-day restore window: every deletion the
//! journal records is restored, children first, then roots, then referrers
//! (an index comes back only when its children exist), package deletions
//! before the versions of that package; tags an untag removed are pushed
//! back last (see [`super::untag`]). Undo writes a journal of its own,
//! so it can itself be resumed. Without a journal, [`Retention::recover`]
//! builds one from GitHub's list of deleted versions.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::apply::{Emitter, RESTORE_WINDOW_DAYS};
use super::journal::{self, Journal, Op, PackageRef, Record, RunKind, JOURNAL_VERSION};
use super::pacer::{Pacer, DEFAULT_PER_MINUTE};
use super::plan::Role;
use super::policy::PolicyOwner;
use super::registry::{repository, Registry};
use super::report::{ErrorInfo, Event, Item, Outcome, Report, REPORT_VERSION};
use super::{untag, Retention};
use crate::error::{Error, ErrorKind, Result};
use crate::models::{PackageType, VersionState};

/// How a run is undone.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoOptions {
    /// Only report what would be restored (`restorable`, `not_deleted`,
    /// `expired`); send nothing that changes anything.
    #[serde(default)]
    pub dry_run: bool,
    /// The undo's own journal (default: the run's journal path with
    /// `.undo.jsonl` appended).
    #[serde(default)]
    pub journal: Option<PathBuf>,
    /// Only these packages (default: all).
    #[serde(default)]
    pub packages: Option<Vec<String>>,
    /// Only these version ids (default: all).
    #[serde(default)]
    pub version_ids: Option<Vec<u64>>,
    /// Restores a minute at most (default 150).
    #[serde(default)]
    pub restores_per_minute: Option<u32>,
    /// The container registry to push removed tags back to (default: the
    /// one the plan read).
    #[serde(default)]
    pub registry_url: Option<String>,
}

impl UndoOptions {
    /// Reads options from JSON (every field optional).
    pub fn from_json(text: &str) -> Result<UndoOptions> {
        super::from_json_named("the undo options", text)
    }
}

impl Retention {
    /// Restores what the run recorded in `journal` deleted; see the module docs.
    pub async fn undo(&self, journal: impl AsRef<Path>, options: &UndoOptions) -> Result<Report> {
        undo_journal(self, journal.as_ref(), options, None).await
    }

    /// Writes to `journal` an undo set for the versions of one package
    /// deleted since `since` (GitHub's `state=deleted` listing), for when a
    /// run's journal is lost; [`Retention::undo`] then restores them. It
    /// cannot tell whose deletions they were, nor the tags they had, nor
    /// their roles: untagged versions are restored first. Returns how many
    /// versions it found.
    pub async fn recover(
        &self,
        owner: &PolicyOwner,
        package_type: PackageType,
        package: &str,
        since: DateTime<Utc>,
        journal: impl AsRef<Path>,
    ) -> Result<usize> {
        let path = journal.as_ref();
        if path.exists() && std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            return Err(Error::invalid(format!(
                "{} exists; recover writes a new journal",
                path.display()
            )));
        }
        let deleted = self
            .client
            .list_versions(
                &owner.to_owner(),
                package_type,
                package,
                Some(VersionState::Deleted),
            )
            .collect_all()
            .await?;
        let mut found: Vec<_> = deleted
            .into_iter()
            .filter(|v| v.deleted_at.is_some_and(|d| d >= since))
            .collect();
        found.sort_by_key(|v| (!v.is_untagged(), v.deleted_at, v.id));
        let mut j = Journal::append(path)?;
        j.write(&Record::Header {
            journal_version: JOURNAL_VERSION,
            run_id: journal::new_run_id(),
            kind: RunKind::Apply,
            plan_id: None,
            policy_hash: None,
            target: None,
            undoes: None,
            ghpkg_version: env!("CARGO_PKG_VERSION").into(),
            at: Utc::now(),
        })?;
        for (n, v) in found.iter().enumerate() {
            let seq = n as u64 + 1;
            let at = v.deleted_at.unwrap_or(since);
            j.write(&Record::Intent {
                seq,
                op: Op::DeleteVersion,
                package: PackageRef {
                    owner: owner.clone(),
                    package_type,
                    name: package.to_owned(),
                },
                version_id: Some(v.id),
                digest: Some(v.name.clone()),
                tags: v.tags().to_vec(),
                role: Some(if v.is_untagged() {
                    Role::Child
                } else {
                    Role::Root
                }),
                parents: Vec::new(),
                subject: None,
                at,
            })?;
            j.write(&Record::Outcome {
                seq,
                outcome: Outcome::Deleted.code().into(),
                http_status: None,
                request_id: None,
                at,
                restorable_until: Some(at + chrono::Duration::days(RESTORE_WINDOW_DAYS)),
                detail: Some("recovered from GitHub's list of deleted versions".into()),
            })?;
        }
        Ok(found.len())
    }
}

/// A deletion to restore.
struct Restore {
    package: PackageRef,
    version_id: Option<u64>,
    digest: Option<String>,
    tags: Vec<String>,
    role: Option<Role>,
    restorable_until: Option<DateTime<Utc>>,
    /// An untag to reverse: the tags go back on the image.
    retag: bool,
}

impl Restore {
    fn item(&self, outcome: Outcome) -> Item {
        Item {
            package: self.package.name.clone(),
            version_id: self.version_id,
            digest: self.digest.clone(),
            tags: self.tags.clone(),
            role: self.role,
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

    /// Package restores first, then children, roots, referrers, and tags
    /// last (an image is whole again before its tags come back).
    fn rank(&self) -> u8 {
        if self.retag {
            return 4;
        }
        match (self.version_id, self.role) {
            (None, _) => 0,
            (Some(_), Some(Role::Child)) => 1,
            (Some(_), Some(Role::Root) | None) => 2,
            (Some(_), Some(Role::Referrer)) => 3,
        }
    }
}

pub(crate) async fn undo_journal(
    ret: &Retention,
    path: &Path,
    opts: &UndoOptions,
    out: Option<&Emitter>,
) -> Result<Report> {
    let started = Utc::now();
    let records = journal::read(path)?;
    match records.first() {
        Some(Record::Header {
            kind: RunKind::Apply,
            ..
        }) => {}
        Some(Record::Header {
            kind: RunKind::Undo,
            ..
        }) => {
            return Err(Error::invalid(format!(
                "{} records an undo; give the journal of the run to undo",
                path.display()
            )))
        }
        _ => {
            return Err(Error::invalid(format!(
                "{} is not a ghpkg journal (or is empty)",
                path.display()
            )))
        }
    }
    let mut todo: Vec<Restore> = Vec::new();
    for e in journal::entries(&records) {
        let Record::Intent {
            op,
            package,
            version_id,
            digest,
            tags,
            role,
            ..
        } = &e.intent
        else {
            continue;
        };
        let retag = *op == Op::Untag;
        let restorable_until = match &e.outcome {
            Some(Record::Outcome { outcome, .. })
                if retag && outcome == Outcome::Untagged.code() =>
            {
                None
            }
            Some(Record::Outcome {
                outcome,
                restorable_until,
                at,
                ..
            }) if !retag
                && (outcome == Outcome::Deleted.code()
                    || outcome == Outcome::PackageDeleted.code()) =>
            {
                Some(restorable_until.unwrap_or(*at + chrono::Duration::days(RESTORE_WINDOW_DAYS)))
            }
            _ => continue,
        };
        let wanted_package = opts
            .packages
            .as_ref()
            .map_or(true, |ps| ps.contains(&package.name));
        let wanted_version = match (&opts.version_ids, version_id) {
            (Some(ids), Some(id)) => ids.contains(id),
            (Some(_), None) => false,
            (None, _) => true,
        };
        if !wanted_package || !wanted_version {
            continue;
        }
        todo.push(Restore {
            package: package.clone(),
            version_id: if *op == Op::DeletePackage {
                None
            } else {
                *version_id
            },
            digest: digest.clone(),
            tags: tags.clone(),
            role: *role,
            restorable_until,
            retag,
        });
    }
    todo.sort_by_key(|r| (r.package.name.clone(), r.rank()));

    let undo_path = opts
        .journal
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.undo.jsonl", path.display())));
    let mut settled: HashSet<(String, Option<u64>)> = HashSet::new();
    let mut seq = 1;
    let mut undo_journal = None;
    if !opts.dry_run {
        let previous = journal::read(&undo_path)?;
        for e in journal::entries(&previous) {
            if let Record::Intent {
                seq: s,
                package,
                version_id,
                ..
            } = &e.intent
            {
                seq = seq.max(s + 1);
                if e.outcome_code()
                    .and_then(Outcome::from_code)
                    .is_some_and(Outcome::is_final)
                {
                    settled.insert((package.name.clone(), *version_id));
                }
            }
        }
        let mut j = Journal::append(&undo_path)?;
        if previous.is_empty() {
            j.write(&Record::Header {
                journal_version: JOURNAL_VERSION,
                run_id: journal::new_run_id(),
                kind: RunKind::Undo,
                plan_id: None,
                policy_hash: None,
                target: None,
                undoes: Some(path.display().to_string()),
                ghpkg_version: env!("CARGO_PKG_VERSION").into(),
                at: started,
            })?;
        }
        undo_journal = Some(j);
    }
    if let Some(o) = out {
        o.send(Event::Phase {
            phase: "undo".into(),
            package: None,
        })
        .await;
    }
    let mut report = Report {
        report_version: REPORT_VERSION,
        kind: "undo".into(),
        plan_id: None,
        run_id: journal::new_run_id(),
        journal: undo_journal
            .as_ref()
            .map(|j| j.path().display().to_string()),
        started_at: started,
        finished_at: started,
        status: super::report::Status::Complete,
        counts: BTreeMap::new(),
        items: Vec::new(),
        resume: None,
        verify: None,
        undo: None,
    };
    let pushes = Pushes::of(ret, &records, opts)?;
    let mut pacer = Pacer::new(opts.restores_per_minute.unwrap_or(DEFAULT_PER_MINUTE));
    let quiet = ret.client.without_rate_limit_waits();
    let total = todo.len();
    for (n, r) in todo.iter().enumerate() {
        let item = if settled.contains(&(r.package.name.clone(), r.version_id)) {
            let mut i = r.item(Outcome::Restored);
            i.detail = Some("restored by an earlier undo".into());
            i
        } else if out.is_some_and(Emitter::stopped) {
            r.item(Outcome::NotAttempted)
        } else {
            restore_one(
                &quiet,
                &pushes,
                r,
                undo_journal.as_mut(),
                &mut seq,
                &mut pacer,
                opts.dry_run,
            )
            .await?
        };
        if let Some(o) = out {
            o.send(Event::Outcome(item.clone())).await;
            o.send(Event::Progress {
                phase: "undo".into(),
                done: n + 1,
                total,
                rate_per_min: pacer.rate(),
                eta_seconds: ((total - n - 1) as f64 / pacer.rate() * 60.0).ceil() as u64,
            })
            .await;
        }
        report.items.push(item);
    }
    report.finished_at = Utc::now();
    report.settle();
    if let Some(j) = undo_journal.as_mut() {
        j.write(&Record::Footer {
            status: serde_json::to_value(report.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            at: report.finished_at,
        })?;
    }
    Ok(report)
}

/// What putting tags back needs: the registry, the login, the plan.
struct Pushes {
    registry: Option<Registry>,
    login: Option<String>,
    plan_id: String,
}

impl Pushes {
    fn of(ret: &Retention, records: &[Record], opts: &UndoOptions) -> Result<Pushes> {
        let (target, plan_id) = match records.first() {
            Some(Record::Header {
                target, plan_id, ..
            }) => (target.clone(), plan_id.clone().unwrap_or_default()),
            _ => (None, String::new()),
        };
        let url = opts
            .registry_url
            .clone()
            .or_else(|| target.as_ref().and_then(|t| t.registry.clone()));
        let registry = url.map(|u| Registry::new(&ret.client, &u)).transpose()?;
        Ok(Pushes {
            registry,
            login: target.and_then(|t| t.login),
            plan_id,
        })
    }
}

/// Puts an untagged image's tags back: intent, pushes, outcome.
async fn retag_one(
    client: &crate::Client,
    pushes: &Pushes,
    r: &Restore,
    journal: Option<&mut Journal>,
    seq: &mut u64,
    dry_run: bool,
) -> Result<Item> {
    let (Some(registry), Some(digest), Some(id)) = (&pushes.registry, &r.digest, r.version_id)
    else {
        let mut i = r.item(Outcome::Failed);
        i.error = Some(ErrorInfo {
            kind: ErrorKind::InvalidArgument.code().into(),
            message: "putting tags back needs the registry: the journal names none; pass \
                      registry_url"
                .into(),
            status: None,
            request_id: None,
        });
        return Ok(i);
    };
    let login = r
        .package
        .owner
        .login()
        .map(str::to_owned)
        .or_else(|| pushes.login.clone())
        .unwrap_or_default();
    let repo = repository(&login, &r.package.name)?;
    let (ty, name) = (r.package.package_type, r.package.name.as_str());
    // The image must still be there to carry its tags again.
    if let Err(e) = client
        .get_version(&r.package.owner.to_owner(), ty, name, id)
        .await
    {
        let mut i = r.item(Outcome::Failed);
        i.detail = Some("the untagged image is not an active version any more".into());
        i.error = Some(ErrorInfo::from(&e));
        return Ok(i);
    }
    if dry_run {
        return Ok(r.item(Outcome::Restorable));
    }
    let Some(journal) = journal else {
        return Ok(r.item(Outcome::Restorable));
    };
    let this = *seq;
    *seq += 1;
    journal.write(&Record::Intent {
        seq: this,
        op: Op::Retag,
        package: r.package.clone(),
        version_id: r.version_id,
        digest: r.digest.clone(),
        tags: r.tags.clone(),
        role: r.role,
        parents: Vec::new(),
        subject: None,
        at: Utc::now(),
    })?;
    let target = untag::Target {
        client,
        registry,
        owner: r.package.owner.to_owner(),
        package_type: ty,
        package: name,
        repo: &repo,
        digest,
        plan_id: &pushes.plan_id,
    };
    let mut item = r.item(Outcome::Failed);
    item.attempts = 1;
    match untag::retag(&target, &r.tags).await {
        Ok(done) => {
            item.outcome = if done.restored.is_empty() && done.already.is_empty() {
                Outcome::SkippedDrift
            } else {
                Outcome::Restored
            };
            item.detail = Some(done.detail());
        }
        Err(f) => {
            item.error = Some(ErrorInfo {
                kind: f.kind.code().into(),
                message: f.message,
                status: None,
                request_id: None,
            })
        }
    }
    item.at = Some(Utc::now());
    journal.write(&Record::Outcome {
        seq: this,
        outcome: item.outcome.code().into(),
        http_status: None,
        request_id: None,
        at: item.at.unwrap_or_else(Utc::now),
        restorable_until: None,
        detail: item.detail.clone(),
    })?;
    Ok(item)
}

async fn restore_one(
    client: &crate::Client,
    pushes: &Pushes,
    r: &Restore,
    journal: Option<&mut Journal>,
    seq: &mut u64,
    pacer: &mut Pacer,
    dry_run: bool,
) -> Result<Item> {
    if r.retag {
        tokio::time::sleep(pacer.reserve()).await;
        return retag_one(client, pushes, r, journal, seq, dry_run).await;
    }
    let owner = r.package.owner.to_owner();
    let (ty, name) = (r.package.package_type, r.package.name.as_str());
    if r.restorable_until.is_some_and(|u| u < Utc::now()) {
        let mut i = r.item(Outcome::Expired);
        i.detail = Some("past GitHub's 30-day restore window".into());
        return Ok(i);
    }
    // Is it back already (someone restored it)?
    let active = match r.version_id {
        Some(id) => client.get_version(&owner, ty, name, id).await.map(drop),
        None => client.get_package(&owner, ty, name).await.map(drop),
    };
    match active {
        Ok(()) => return Ok(r.item(Outcome::NotDeleted)),
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => {
            let mut i = r.item(Outcome::Failed);
            i.error = Some(ErrorInfo::from(&e));
            return Ok(i);
        }
    }
    if dry_run {
        return Ok(r.item(Outcome::Restorable));
    }
    let Some(journal) = journal else {
        return Ok(r.item(Outcome::Restorable));
    };
    let this = *seq;
    *seq += 1;
    journal.write(&Record::Intent {
        seq: this,
        op: if r.version_id.is_some() {
            Op::RestoreVersion
        } else {
            Op::RestorePackage
        },
        package: r.package.clone(),
        version_id: r.version_id,
        digest: r.digest.clone(),
        tags: r.tags.clone(),
        role: r.role,
        parents: Vec::new(),
        subject: None,
        at: Utc::now(),
    })?;
    let mut item = r.item(Outcome::Failed);
    loop {
        tokio::time::sleep(pacer.reserve()).await;
        item.attempts += 1;
        let result = match r.version_id {
            Some(id) => client.restore_version(&owner, ty, name, id).await,
            None => client.restore_package(&owner, ty, name, None).await,
        };
        item.at = Some(Utc::now());
        match result {
            Ok(()) => {
                item.outcome = Outcome::Restored;
                item.http_status = Some(204);
            }
            Err(e) => {
                item.http_status = e.status();
                item.request_id = e.request_id().map(str::to_owned);
                let lower = e.message().to_ascii_lowercase();
                match e.kind() {
                    ErrorKind::RateLimited if item.attempts < 5 => {
                        let wait = e
                            .retry_after()
                            .unwrap_or(std::time::Duration::from_secs(60));
                        pacer.slow_down(wait);
                        continue;
                    }
                    ErrorKind::Rejected if lower.contains("namespace") => {
                        item.outcome = Outcome::NamespaceTaken;
                        item.detail = Some(e.message().to_owned());
                    }
                    ErrorKind::NotFound => {
                        item.outcome = Outcome::Expired;
                        item.detail = Some("GitHub cannot restore it any more".into());
                    }
                    _ => {
                        item.outcome = Outcome::Failed;
                        item.error = Some(ErrorInfo::from(&e));
                    }
                }
            }
        }
        break;
    }
    journal.write(&Record::Outcome {
        seq: this,
        outcome: item.outcome.code().into(),
        http_status: item.http_status,
        request_id: item.request_id.clone(),
        at: item.at.unwrap_or_else(Utc::now),
        restorable_until: None,
        detail: item.detail.clone(),
    })?;
    Ok(item)
}
