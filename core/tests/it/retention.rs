//! Retention over HTTP against the emulator, with packages that have no
//! image graph (npm): plan, apply, drift, resume, undo and recover.

use std::path::PathBuf;

use chrono::{Duration as Days, Utc};
use futures::StreamExt;
use ghpkg::retention::{
    ApplyOptions, Event, Outcome, Plan, PlanOptions, Policy, PolicyOwner, Render, Status,
    UndoOptions, Verdict,
};
use ghpkg::PackageType;
use ghpkg_emulator::{Emulator, VersionSpec, DEMO_TOKEN};

use crate::common::{client, demo};

const UI_KIT: &str = r#"{"owner": {"org": "acme"}, "package_type": "npm",
    "packages": {"include": ["ui-kit", "single-version"]},
    "delete": [{"id": "old-majors", "semver": "<3.0.0"}]}"#;

/// A fresh journal path, in a directory of its own under cargo's scratch
/// directory for integration tests (in `target/`, so runs leave nothing in
/// the system's temporary directory).
pub(crate) fn journal_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "ghpkg-it-{}-{}",
        name,
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("journal.jsonl")
}

fn deleted_in_emulator(emu: &Emulator, id: u64) -> bool {
    emu.with_state(|s| {
        s.packages()
            .iter()
            .find_map(|p| p.version(id))
            .is_some_and(|v| v.is_deleted())
    })
}

fn deletes_sent(emu: &Emulator) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count()
}

async fn plan(emu: &Emulator, policy: &str) -> Plan {
    let c = client(emu);
    c.retention()
        .plan(&Policy::from_json(policy).unwrap(), &PlanOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn plan_apply_undo() {
    let emu = demo().await;
    let c = client(&emu);
    let plan = plan(&emu, UI_KIT).await;
    assert_eq!(plan.packages.len(), 2);
    assert_eq!(plan.target.base_url, emu.url());
    let ui = plan.packages.iter().find(|p| p.name == "ui-kit").unwrap();
    let verdicts: Vec<(&str, Verdict)> = ui
        .actions
        .iter()
        .map(|a| (a.name.as_str(), a.action))
        .collect();
    assert!(
        verdicts.contains(&("2.0.0", Verdict::Delete))
            && verdicts.contains(&("2.1.0", Verdict::Delete))
    );
    assert!(verdicts.contains(&("3.0.0", Verdict::Keep)));
    // The only version of single-version matches too, but GitHub refuses a last version.
    let single = plan
        .packages
        .iter()
        .find(|p| p.name == "single-version")
        .unwrap();
    assert_eq!(single.actions[0].action, Verdict::Keep);
    assert_eq!(single.actions[0].reasons[0].code, "last_version");
    assert_eq!(plan.totals.delete, 2);
    assert!(deletes_sent(&emu) == 0, "planning only reads");
    let md = plan.render(Render::Markdown);
    assert!(md.contains("| ui-kit | 3 | 1 | 2 | 0 | ok |"), "{md}");

    let journal = journal_path("apply");
    let mut events = c
        .retention()
        .apply_events(plan.clone(), ApplyOptions::new(&journal));
    let mut seen = Vec::new();
    let mut report = None;
    while let Some(e) = events.next().await {
        match e.unwrap() {
            Event::Report { report: r } => report = Some(*r),
            other => seen.push(other),
        }
    }
    let report = report.expect("a report comes last");
    assert_eq!(report.status, Status::Complete, "{report:#?}");
    assert_eq!(report.with_outcome(Outcome::Deleted).count(), 2);
    assert!(seen
        .iter()
        .any(|e| matches!(e, Event::Phase { phase, .. } if phase == "revalidate")));
    assert_eq!(
        seen.iter()
            .filter(|e| matches!(e, Event::Outcome(_)))
            .count(),
        2
    );
    assert!(seen.iter().any(|e| matches!(
        e,
        Event::Progress {
            done: 2,
            total: 2,
            ..
        }
    )));
    for item in report.with_outcome(Outcome::Deleted) {
        let id = item.version_id.unwrap();
        assert!(deleted_in_emulator(&emu, id), "{id} is deleted");
        assert!(item.restorable_until.unwrap() > Utc::now() + Days::days(29));
    }
    assert_eq!(deletes_sent(&emu), 2);
    // The journal holds no token.
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(!text.contains(DEMO_TOKEN));
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("\"record\":\"intent\""))
            .count(),
        2
    );

    // Applying the same plan with the same journal again does nothing more.
    let again = c
        .retention()
        .apply(plan.clone(), ApplyOptions::new(&journal))
        .await
        .unwrap();
    assert_eq!(again.with_outcome(Outcome::Deleted).count(), 2);
    assert_eq!(deletes_sent(&emu), 2, "nothing is deleted twice");

    // What was written matches the published schemas.
    let schema = |name: &str| {
        let (_, s) = ghpkg::retention::schemas()
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap();
        jsonschema::validator_for(&s).unwrap()
    };
    let plan_json: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    assert!(schema("plan.schema.json").is_valid(&plan_json));
    assert!(schema("policy.schema.json").is_valid(&plan.policy.to_json()));
    assert!(schema("report.schema.json").is_valid(&serde_json::to_value(&report).unwrap()));
    let journal_schema = schema("journal.schema.json");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(journal_schema.is_valid(&v), "{line}");
    }
    let event_schema = schema("event.schema.json");
    for e in &seen {
        assert!(
            event_schema.is_valid(&serde_json::to_value(e).unwrap()),
            "{e:?}"
        );
    }

    let undo = c
        .retention()
        .undo(&journal, &UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(undo.status, Status::Complete, "{undo:#?}");
    assert_eq!(undo.with_outcome(Outcome::Restored).count(), 2);
    for item in undo.with_outcome(Outcome::Restored) {
        assert!(!deleted_in_emulator(&emu, item.version_id.unwrap()));
    }
    // Undoing again: they are back already.
    let twice = c
        .retention()
        .undo(&journal, &UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(
        twice.with_outcome(Outcome::Restored).count(),
        2,
        "settled by the first undo"
    );
}

#[tokio::test]
async fn deletions_that_drifted_are_skipped() {
    let emu = demo().await;
    let c = client(&emu);
    let plan = plan(&emu, UI_KIT).await;
    let ui = plan.packages.iter().find(|p| p.name == "ui-kit").unwrap();
    let first = ui
        .actions
        .iter()
        .find(|a| a.name == "2.0.0")
        .unwrap()
        .version_id;
    // Someone else deletes one of them meanwhile; another is re-published.
    c.delete_version(
        &ghpkg::Owner::org("acme"),
        PackageType::Npm,
        "ui-kit",
        first,
    )
    .await
    .unwrap();
    let second = ui
        .actions
        .iter()
        .find(|a| a.name == "2.1.0")
        .unwrap()
        .version_id;
    emu.with_state(|s| {
        let pkg = s.packages().iter().find(|p| p.name == "ui-kit").unwrap().id;
        let p = s.package_by_id_mut(pkg).unwrap();
        p.version_mut(second).unwrap().updated_at = Utc::now();
    });
    let before = deletes_sent(&emu);
    let report = c
        .retention()
        .apply(plan, ApplyOptions::new(journal_path("drift")))
        .await
        .unwrap();
    let outcomes: Vec<Outcome> = report.items.iter().map(|i| i.outcome).collect();
    assert!(outcomes.contains(&Outcome::AlreadyGone), "{outcomes:?}");
    assert!(outcomes.contains(&Outcome::SkippedDrift), "{outcomes:?}");
    assert_eq!(
        deletes_sent(&emu),
        before,
        "nothing that drifted is deleted"
    );
}

#[tokio::test]
async fn a_partial_run_resumes_from_its_journal() {
    let emu = demo().await;
    let c = client(&emu);
    let plan = plan(&emu, UI_KIT).await;
    let journal = journal_path("resume");
    let opts = ApplyOptions {
        max_deletes: Some(1),
        ..ApplyOptions::new(&journal)
    };
    let first = c.retention().apply(plan.clone(), opts).await.unwrap();
    assert_eq!(first.status, Status::Partial);
    assert_eq!(first.with_outcome(Outcome::Deleted).count(), 1);
    assert_eq!(first.with_outcome(Outcome::Deferred).count(), 1);
    assert_eq!(first.resume.as_ref().unwrap().remaining, 1);
    let rest = c
        .retention()
        .apply(plan, ApplyOptions::new(&journal))
        .await
        .unwrap();
    assert_eq!(rest.status, Status::Complete);
    assert_eq!(rest.with_outcome(Outcome::Deleted).count(), 2);
    assert_eq!(deletes_sent(&emu), 2, "each version deleted once");
}

#[tokio::test]
async fn a_plan_is_applied_only_where_and_when_it_was_made() {
    let emu = demo().await;
    let c = client(&emu);
    let plan = plan(&emu, UI_KIT).await;
    let old = c
        .retention()
        .plan(
            &plan.policy,
            &PlanOptions {
                now: Some(Utc::now() - Days::hours(3)),
                ..PlanOptions::default()
            },
        )
        .await
        .unwrap();
    let e = c
        .retention()
        .apply(old, ApplyOptions::new(journal_path("old")))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ghpkg::ErrorKind::InvalidArgument);
    assert!(e.message().contains("max_plan_age"), "{e}");
    let mut elsewhere = plan.clone();
    elsewhere.target.base_url = "https://api.github.com".into();
    let e = c
        .retention()
        .apply(elsewhere, ApplyOptions::new(journal_path("host")))
        .await
        .unwrap_err();
    assert!(e.message().contains("was made against"), "{e}");
    // A journal of another plan is refused.
    let journal = journal_path("other");
    c.retention()
        .apply(
            plan.clone(),
            ApplyOptions {
                max_deletes: Some(0),
                ..ApplyOptions::new(&journal)
            },
        )
        .await
        .unwrap();
    let other = Plan::from_json(&plan.to_json())
        .unwrap()
        .without_versions(&[plan.deletions()[0].1.version_id])
        .unwrap();
    let e = c
        .retention()
        .apply(other, ApplyOptions::new(&journal))
        .await
        .unwrap_err();
    assert!(e.message().contains("belongs to plan"), "{e}");
    // A read-only token is refused before anything is sent.
    let ro = crate::common::client_with(&emu, ghpkg_emulator::READ_ONLY_TOKEN);
    let e = ro
        .retention()
        .apply(plan, ApplyOptions::new(journal_path("ro")))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ghpkg::ErrorKind::PermissionDenied);
    assert_eq!(deletes_sent(&emu), 0);
}

#[tokio::test]
async fn a_lost_journal_is_recovered_from_github() {
    let emu = demo().await;
    let c = client(&emu);
    emu.with_state(|s| {
        let id = s.packages().iter().find(|p| p.name == "ui-kit").unwrap().id;
        s.add_version(id, VersionSpec::new("3.1.0")).unwrap();
    });
    let report = c
        .retention()
        .apply(
            plan(&emu, UI_KIT).await,
            ApplyOptions::new(journal_path("lost")),
        )
        .await
        .unwrap();
    assert_eq!(report.with_outcome(Outcome::Deleted).count(), 2);
    let rebuilt = journal_path("recovered");
    let found = c
        .retention()
        .recover(
            &PolicyOwner::Org { org: "acme".into() },
            PackageType::Npm,
            "ui-kit",
            Utc::now() - Days::hours(1),
            &rebuilt,
        )
        .await
        .unwrap();
    assert_eq!(found, 2);
    let dry = c
        .retention()
        .undo(
            &rebuilt,
            &UndoOptions {
                dry_run: true,
                ..UndoOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(dry.with_outcome(Outcome::Restorable).count(), 2);
    let undo = c
        .retention()
        .undo(&rebuilt, &UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(undo.with_outcome(Outcome::Restored).count(), 2);
    // Past GitHub's 30 days nothing can come back.
    let e = c
        .retention()
        .undo(journal_path("none"), &UndoOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ghpkg::ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn restores_past_thirty_days_expire() {
    let emu = demo().await;
    let c = client(&emu);
    let journal = journal_path("expire");
    c.retention()
        .apply(plan(&emu, UI_KIT).await, ApplyOptions::new(&journal))
        .await
        .unwrap();
    emu.advance_clock(std::time::Duration::from_secs(31 * 86_400));
    // The journal's window is by the wall clock; the emulator's moved on:
    // GitHub refuses, and undo reports it as expired.
    let undo = c
        .retention()
        .undo(&journal, &UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(undo.with_outcome(Outcome::Expired).count(), 2, "{undo:#?}");
}

#[tokio::test]
async fn a_stop_handle_ends_the_run_between_deletes_with_a_report() {
    let emu = demo().await;
    let c = client(&emu);
    let plan = plan(&emu, UI_KIT).await;
    let journal = journal_path("stop");
    // One delete a minute: the stop must cut the pace's wait short.
    let started = std::time::Instant::now();
    let mut events = c.retention().apply_events(
        plan.clone(),
        ApplyOptions {
            deletes_per_minute: Some(1),
            ..ApplyOptions::new(&journal)
        },
    );
    let stop = events.stop_handle();
    assert!(!stop.is_stopped());
    let mut report = None;
    let mut stopped = false;
    while let Some(e) = events.next().await {
        match e.unwrap() {
            Event::Outcome(_) if !stopped => {
                // From another task, as a binding's cancel would.
                let s = stop.clone();
                tokio::spawn(async move { s.stop() }).await.unwrap();
                stopped = true;
            }
            Event::Report { report: r } => report = Some(r),
            _ => {}
        }
    }
    let report = report.expect("the stream ends with the report");
    assert!(stop.is_stopped());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "the stop did not wait for the pace"
    );
    assert_eq!(report.with_outcome(Outcome::Deleted).count(), 1);
    assert_eq!(report.with_outcome(Outcome::NotAttempted).count(), 1);
    assert_eq!(report.status, Status::Partial);
    // The journal resumes it.
    let rest = c
        .retention()
        .apply(plan, ApplyOptions::new(&journal))
        .await
        .unwrap();
    assert_eq!(rest.status, Status::Complete);
    assert_eq!(deletes_sent(&emu), 2);
}
