//! Retention of container images over HTTP against the emulator's REST API
//! and its registry: the image graph, verify, untag, undo, and the cases
//! that must block. Whether an image is whole is checked here with plain
//! registry requests, not with the engine's own verify.

use std::collections::{BTreeMap, BTreeSet};

use ghpkg::retention::{
    ApplyOptions, Outcome, PackageStatus, Plan, PlanOptions, Policy, Status, UndoOptions, Verdict,
};
use ghpkg_emulator::{Emulator, Fault, FaultRule, Fixture, TokenSpec};

use crate::common::{client, client_with, demo};
use crate::reader::Reader;
use crate::retention::journal_path;

const REPO: &str = "acme/api/server";

/// Old releases, and the broken leftovers a registry collects.
const OLD_RELEASES: &str = r#"{"owner": {"org": "acme"}, "package_type": "container",
    "packages": {"include": ["api/server"]},
    "delete": [{"id": "old", "tags": ["1.1.0", "1.0.0"]}, {"index": "ghost"},
               {"index": "partial"}, {"orphaned_referrer": true}]}"#;

fn options(emu: &Emulator) -> PlanOptions {
    PlanOptions {
        registry_url: Some(emu.registry_url()),
        ..PlanOptions::default()
    }
}

async fn plan(emu: &Emulator, policy: &str) -> Plan {
    client(emu)
        .retention()
        .plan(&Policy::from_json(policy).unwrap(), &options(emu))
        .await
        .unwrap()
}

/// Tags of the package's active versions, by version id.
fn active_tags(emu: &Emulator) -> BTreeMap<u64, Vec<String>> {
    emu.with_state(|s| {
        let p = s.packages().iter().find(|p| p.id == 2001).unwrap();
        p.versions
            .iter()
            .filter(|v| !v.is_deleted())
            .map(|v| (v.id, v.tags.clone()))
            .collect()
    })
}

fn deleted_ids(emu: &Emulator) -> BTreeSet<u64> {
    emu.with_state(|s| {
        let p = s.packages().iter().find(|p| p.id == 2001).unwrap();
        p.versions
            .iter()
            .filter(|v| v.is_deleted())
            .map(|v| v.id)
            .collect()
    })
}

#[tokio::test]
async fn old_releases_go_and_every_kept_image_stays_whole() {
    let emu = demo().await;
    let c = client(&emu);
    let plan = plan(&emu, OLD_RELEASES).await;
    let pkg = &plan.packages[0];
    assert_eq!(pkg.status, PackageStatus::Ok);
    let verdict = |id: u64| pkg.actions.iter().find(|a| a.version_id == id).unwrap();
    for id in [20016, 20015, 20018, 200140, 200150, 200151, 200160] {
        assert_eq!(verdict(id).action, Verdict::Delete, "{id}");
    }
    // 1.1.0's amd64 image is latest's too: it stays.
    assert_eq!(verdict(20012).action, Verdict::Keep);
    assert_eq!(verdict(20012).reasons[0].code, "child_of_kept");
    // The index goes first, then the child only it listed.
    assert!(verdict(20015).order < verdict(20018).order);

    let before_deleted = deleted_ids(&emu);
    let kept_tags: Vec<String> = active_tags(&emu)
        .iter()
        .filter(|(id, _)| verdict(**id).action == Verdict::Keep)
        .flat_map(|(_, t)| t.clone())
        .collect();
    let journal = journal_path("oci-apply");
    let report = c
        .retention()
        .apply(plan.clone(), ApplyOptions::new(&journal))
        .await
        .unwrap();
    assert_eq!(report.status, Status::Complete, "{report:#?}");
    assert_eq!(report.with_outcome(Outcome::Deleted).count(), 7);
    let verify = report.verify.as_ref().expect("containers are verified");
    assert!(verify.broken.is_empty());
    // latest, 1.2.0 and nested (signature and referrers tags are not images).
    assert_eq!(verify.checked_tags, 3);

    let now_deleted: BTreeSet<u64> = deleted_ids(&emu)
        .difference(&before_deleted)
        .copied()
        .collect();
    let planned: BTreeSet<u64> = plan.deletions().iter().map(|(_, a)| a.version_id).collect();
    assert_eq!(now_deleted, planned, "exactly the plan is deleted");

    // Independently of the engine: every kept tag resolves, whole.
    let reader = Reader::new(&emu, REPO).await;
    assert!(!kept_tags.is_empty());
    for tag in &kept_tags {
        let missing = reader.missing_under(tag).await;
        assert_eq!(missing, Some(Vec::new()), "{tag} must resolve whole");
    }
    assert!(reader.get("1.1.0").await.is_none());
    assert!(reader.get("1.0.0").await.is_none());

    // Undo brings back exactly the deleted set, tags and all.
    let undo = c
        .retention()
        .undo(&journal, &UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(undo.status, Status::Complete, "{undo:#?}");
    assert_eq!(undo.with_outcome(Outcome::Restored).count(), 7);
    assert_eq!(deleted_ids(&emu), before_deleted);
    let (digest, _) = reader.get("1.1.0").await.expect("1.1.0 is back");
    assert_eq!(digest, verdict(20015).name);
    assert_eq!(reader.missing_under("1.1.0").await, Some(Vec::new()));
}

#[tokio::test]
async fn untagging_removes_one_tag_and_keeps_the_image() {
    let emu = demo().await;
    let c = client(&emu);
    let plan = plan(
        &emu,
        r#"{"owner": {"org": "acme"}, "package_type": "container", "untag": true,
            "packages": {"include": ["api/server"]},
            "delete": [{"id": "release-tags", "tags": {"any": ["1.2.*"]}}]}"#,
    )
    .await;
    let pkg = &plan.packages[0];
    let latest = pkg
        .actions
        .iter()
        .find(|a| a.version_id == 5_000_000_001)
        .unwrap();
    assert_eq!(latest.action, Verdict::Untag);
    assert_eq!(latest.untag_tags, vec!["1.2.0".to_owned()]);
    assert_eq!(plan.deletions().len(), 1, "the untag is the only change");

    let reader = Reader::new(&emu, REPO).await;
    let (image, _) = reader.get("latest").await.unwrap();
    let active_before = active_tags(&emu).len();
    let journal = journal_path("oci-untag");
    let report = c
        .retention()
        .apply(plan, ApplyOptions::new(&journal))
        .await
        .unwrap();
    assert_eq!(report.status, Status::Complete, "{report:#?}");
    let item = report.with_outcome(Outcome::Untagged).next().unwrap();
    assert_eq!(item.version_id, Some(5_000_000_001));
    assert!(item.detail.as_deref().unwrap().contains("placeholder"));

    // The tag is gone, the image and its other tag stay, whole.
    assert!(reader.get("1.2.0").await.is_none());
    assert_eq!(reader.get("latest").await.unwrap().0, image);
    assert_eq!(reader.missing_under("latest").await, Some(Vec::new()));
    assert_eq!(active_tags(&emu)[&5_000_000_001], vec!["latest".to_owned()]);
    // The placeholder version was deleted: nothing new is active.
    assert_eq!(active_tags(&emu).len(), active_before);
    assert!(emu.requests().iter().any(|r| r.method == "PUT"));
    assert!(report.verify.as_ref().unwrap().broken.is_empty());

    // Undo pushes the image under the tag again.
    let undo = c
        .retention()
        .undo(&journal, &UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(undo.status, Status::Complete, "{undo:#?}");
    assert_eq!(undo.with_outcome(Outcome::Restored).count(), 1);
    assert_eq!(reader.get("1.2.0").await.unwrap().0, image);
    let mut tags = active_tags(&emu)[&5_000_000_001].clone();
    tags.sort();
    assert_eq!(tags, vec!["1.2.0".to_owned(), "latest".to_owned()]);
}

#[tokio::test]
async fn untagging_needs_write_packages() {
    const NO_WRITE: &str = "ghp_NoWriteNoWriteNoWriteNoWriteNoWrite00";
    let fixture = Fixture::demo().token(TokenSpec::classic(
        NO_WRITE,
        "octocat",
        &["read:packages", "delete:packages"],
    ));
    let emu = Emulator::start(fixture).await.unwrap();
    let c = client_with(&emu, NO_WRITE);
    let policy = Policy::from_json(
        r#"{"owner": {"org": "acme"}, "package_type": "container", "untag": true,
            "packages": {"include": ["api/server"]},
            "delete": [{"tags": {"any": ["1.2.*"]}}]}"#,
    )
    .unwrap();
    let plan = c.retention().plan(&policy, &options(&emu)).await.unwrap();
    assert_eq!(
        plan.packages[0]
            .actions
            .iter()
            .filter(|a| a.action == Verdict::Untag)
            .count(),
        1
    );
    let err = c
        .retention()
        .apply(plan, ApplyOptions::new(journal_path("oci-untag-scope")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ghpkg::ErrorKind::PermissionDenied);
    assert!(
        err.message().contains("write:packages"),
        "{}",
        err.message()
    );
    assert!(emu
        .requests()
        .iter()
        .all(|r| r.method != "PUT" && r.method != "DELETE"));
}

/// What blocks a package: it is planned, blocked, and nothing is deleted.
async fn blocked_by(rule: FaultRule) -> (String, String) {
    let emu = demo().await;
    emu.inject(rule);
    let plan = plan(&emu, OLD_RELEASES).await;
    let pkg = &plan.packages[0];
    assert_eq!(pkg.status, PackageStatus::Blocked);
    assert!(pkg.actions.iter().all(|a| a.action != Verdict::Delete));
    assert!(plan.deletions().is_empty());
    let reason = pkg.blocked.clone().unwrap();
    (reason.code, reason.detail.unwrap_or_default())
}

#[tokio::test]
async fn a_manifest_that_does_not_match_its_digest_blocks_the_package() {
    let (code, detail) =
        blocked_by(FaultRule::new(Fault::DigestMismatch).path("/v2/acme/api/server/manifests/"))
            .await;
    assert_eq!(code, "manifest_digest_mismatch");
    assert!(detail.contains("hashes to"), "{detail}");
}

#[tokio::test]
async fn a_token_realm_on_another_origin_blocks_and_gets_no_token() {
    let emu = demo().await;
    emu.inject(
        FaultRule::new(Fault::foreign_realm())
            .path("/v2/")
            .forever(),
    );
    let plan = plan(&emu, OLD_RELEASES).await;
    let pkg = &plan.packages[0];
    assert_eq!(pkg.status, PackageStatus::Blocked);
    assert_eq!(pkg.blocked.as_ref().unwrap().code, "registry_auth_refused");
    assert!(plan.deletions().is_empty());
    // The GitHub token went nowhere but the API.
    let token_requests = emu
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/token"))
        .count();
    assert_eq!(token_requests, 0);
}

#[tokio::test]
async fn an_unreadable_manifest_blocks_the_package() {
    let (code, detail) = blocked_by(
        FaultRule::new(Fault::Status(500))
            .path("/v2/acme/api/server/manifests/")
            .forever(),
    )
    .await;
    assert_eq!(code, "manifest_unavailable");
    assert!(detail.contains("500"), "{detail}");
}

#[tokio::test]
async fn an_untag_cut_short_is_finished_by_the_next_run() {
    let emu = demo().await;
    let c = client(&emu);
    let plan = plan(
        &emu,
        r#"{"owner": {"org": "acme"}, "package_type": "container", "untag": true,
            "packages": {"include": ["api/server"]},
            "delete": [{"tags": {"any": ["1.2.*"]}}]}"#,
    )
    .await;
    let active_before = active_tags(&emu).len();
    // The tag moves to the placeholder, but its version cannot be deleted.
    emu.inject(
        FaultRule::new(Fault::Status(500))
            .method("DELETE")
            .forever(),
    );
    let journal = journal_path("oci-untag-resume");
    let first = c
        .retention()
        .apply(plan.clone(), ApplyOptions::new(&journal))
        .await
        .unwrap();
    assert_eq!(first.status, Status::Failed, "{first:#?}");
    let item = first.with_outcome(Outcome::Failed).next().unwrap();
    assert!(
        item.error.as_ref().unwrap().message.contains("placeholder"),
        "{item:#?}"
    );
    assert_eq!(
        active_tags(&emu).len(),
        active_before + 1,
        "the placeholder is there"
    );

    emu.clear_faults();
    let second = c
        .retention()
        .apply(plan, ApplyOptions::new(&journal))
        .await
        .unwrap();
    assert_eq!(second.status, Status::Complete, "{second:#?}");
    assert_eq!(second.with_outcome(Outcome::Untagged).count(), 1);
    assert_eq!(active_tags(&emu).len(), active_before);
    assert_eq!(active_tags(&emu)[&5_000_000_001], vec!["latest".to_owned()]);
    let reader = Reader::new(&emu, REPO).await;
    assert!(reader.get("1.2.0").await.is_none());
    assert_eq!(reader.missing_under("latest").await, Some(Vec::new()));
}
