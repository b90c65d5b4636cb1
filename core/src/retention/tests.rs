//! Judging packages: the image graph and every rule, on hand-made listings.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 20, 10, 0, 0).unwrap()
}

fn digest(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("sha256:{}", policy_hex(&Sha256::digest(seed.as_bytes())))
}

fn policy_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A package under construction: versions and their manifests.
#[derive(Default)]
struct Pkg {
    versions: Vec<VersionInfo>,
    manifests: HashMap<String, ManifestState>,
    next_id: u64,
}

impl Pkg {
    /// Adds a version `days_old` days old with `tags` and manifest `m`.
    fn add(&mut self, seed: &str, tags: &[&str], days_old: i64, m: Option<Manifest>) -> String {
        self.next_id += 1;
        let d = digest(seed);
        let at = t0() - Duration::days(days_old);
        self.versions.push(VersionInfo {
            id: 100 + self.next_id,
            name: d.clone(),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            created_at: at,
            updated_at: at,
        });
        match m {
            Some(m) => self.manifests.insert(d.clone(), ManifestState::Read(m)),
            None => self.manifests.insert(d.clone(), ManifestState::Missing),
        };
        d
    }

    fn judge(&self, policy: &str) -> Judged {
        let policy = Policy::from_json(policy).unwrap();
        self.judge_with(&policy)
    }

    fn judge_with(&self, policy: &Policy) -> Judged {
        judge(&PackageInput {
            policy,
            name: "api/server",
            package_id: 2001,
            versions: &self.versions,
            incomplete: None,
            manifests: &self.manifests,
            registry_problem: None,
            now: t0(),
            registry_host: Some("ghcr.io"),
        })
    }
}

fn image() -> Manifest {
    Manifest {
        media_type: oci_manifest(),
        kind: ManifestKind::Image,
        artifact_type: None,
        children: Vec::new(),
        subject: None,
        config_media_type: Some("application/vnd.oci.image.config.v1+json".into()),
        layer_media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
    }
}

fn oci_manifest() -> String {
    "application/vnd.oci.image.manifest.v1+json".into()
}

fn index(children: &[(&str, &str)]) -> Manifest {
    Manifest {
        media_type: "application/vnd.oci.image.index.v1+json".into(),
        kind: ManifestKind::Index,
        artifact_type: None,
        children: children
            .iter()
            .map(|(d, p)| Child {
                digest: d.to_string(),
                platform: (*p != "attestation").then(|| p.to_string()),
                attests: (*p == "attestation").then(|| children[0].0.to_string()),
            })
            .collect(),
        subject: None,
        config_media_type: None,
        layer_media_type: None,
    }
}

fn referrer(subject: &str) -> Manifest {
    Manifest {
        kind: ManifestKind::Signature,
        subject: Some(subject.to_owned()),
        artifact_type: Some("application/vnd.dev.sigstore.bundle.v0.3+json".into()),
        ..image()
    }
}

fn verdicts(j: &Judged) -> HashMap<String, (Verdict, String)> {
    j.plan
        .actions
        .iter()
        .map(|a| (a.name.clone(), (a.action, a.reasons[0].code.clone())))
        .collect()
}

const UNTAGGED: &str = r#"{"owner": {"org": "acme"}, "package_type": "container", "min_age": "0s",
    "delete": [{"untagged": true}]}"#;

#[test]
fn untagged_children_of_a_kept_index_stay() {
    let mut p = Pkg::default();
    let amd = p.add("amd", &[], 3, Some(image()));
    let arm = p.add("arm", &[], 3, Some(image()));
    let att = p.add("att", &[], 3, Some(image()));
    let idx = p.add(
        "idx",
        &["latest", "1.2.0"],
        3,
        Some(index(&[
            (&amd, "linux/amd64"),
            (&arm, "linux/arm64"),
            (&att, "attestation"),
        ])),
    );
    let stray = p.add("stray", &[], 3, Some(image()));
    let j = p.judge(UNTAGGED);
    let v = verdicts(&j);
    assert_eq!(v[&amd], (Verdict::Keep, "child_of_kept".into()));
    assert_eq!(v[&arm], (Verdict::Keep, "child_of_kept".into()));
    assert_eq!(v[&att], (Verdict::Keep, "child_of_kept".into()));
    assert_eq!(v[&idx], (Verdict::Keep, "no_delete_rule".into()));
    assert_eq!(v[&stray], (Verdict::Delete, "matched_delete_rule".into()));
    let a = j.plan.actions.iter().find(|a| a.name == att).unwrap();
    assert_eq!((a.kind, a.role), (VersionKind::Attestation, Role::Child));
    let a = j.plan.actions.iter().find(|a| a.name == amd).unwrap();
    assert_eq!(a.platform.as_deref(), Some("linux/amd64"));
    assert_eq!(a.parents, vec![idx.clone()]);
    assert_eq!(j.plan.summary.delete, 1);
}

#[test]
fn a_deleted_index_takes_its_own_children_not_shared_ones() {
    let mut p = Pkg::default();
    let shared = p.add("shared", &[], 30, Some(image()));
    let own = p.add("own", &[], 30, Some(image()));
    let old = p.add(
        "old",
        &["1.0.0"],
        30,
        Some(index(&[(&shared, "linux/amd64"), (&own, "linux/arm64")])),
    );
    let arm = p.add("arm2", &[], 2, Some(image()));
    let new = p.add(
        "new",
        &["1.1.0"],
        2,
        Some(index(&[(&shared, "linux/amd64"), (&arm, "linux/arm64")])),
    );
    let sig = p.add(
        "sig",
        &[&format!("sha256-{}.sig", &old[7..])],
        30,
        Some(image()),
    );
    let j = p.judge(
        r#"{"owner": {"org": "acme"}, "package_type": "container",
        "delete": [{"tags": ["1.0.*"], "older_than": "7d"}]}"#,
    );
    let v = verdicts(&j);
    assert_eq!(v[&old], (Verdict::Delete, "matched_delete_rule".into()));
    assert_eq!(v[&own], (Verdict::Delete, "child_of_deleted".into()));
    assert_eq!(v[&sig], (Verdict::Delete, "referrer_of_deleted".into()));
    assert_eq!(v[&shared], (Verdict::Keep, "child_of_kept".into()));
    assert_eq!(v[&new].0, Verdict::Keep);
    // Root first, then its children, then its referrers.
    let order: Vec<&str> = j
        .plan
        .actions
        .iter()
        .filter(|a| a.action == Verdict::Delete)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(order, [old.as_str(), own.as_str(), sig.as_str()]);
    let orders: Vec<u32> = j.plan.actions.iter().filter_map(|a| a.order).collect();
    assert_eq!(orders, [1, 2, 3]);
}

#[test]
fn without_cascade_children_wait_for_a_later_run() {
    let mut p = Pkg::default();
    let own = p.add("own", &[], 30, Some(image()));
    let old = p.add("old", &["1.0.0"], 30, Some(index(&[(&own, "linux/arm64")])));
    p.add("new", &["2.0.0"], 1, Some(image()));
    let j = p.judge(
        r#"{"owner": {"org": "acme"}, "package_type": "container", "graph": {"cascade": false},
        "delete": [{"tags": ["1.*"]}]}"#,
    );
    let v = verdicts(&j);
    assert_eq!(v[&old].0, Verdict::Delete);
    assert_eq!(v[&own].0, Verdict::Keep);
}

#[test]
fn signatures_and_referrers_follow_their_subject() {
    let mut p = Pkg::default();
    let amd = p.add("amd", &[], 5, Some(image()));
    let idx = p.add("idx", &["latest"], 5, Some(index(&[(&amd, "linux/amd64")])));
    let cosign = p.add(
        "cosign",
        &[&format!("sha256-{}.sig", &idx[7..])],
        5,
        Some(image()),
    );
    let bundle = p.add("bundle", &[], 5, Some(referrer(&amd)));
    let orphan = p.add(
        "orphan",
        &[&format!("sha256-{}.sig", &digest("gone")[7..])],
        5,
        Some(image()),
    );
    let j = p.judge(UNTAGGED);
    let v = verdicts(&j);
    assert_eq!(v[&cosign], (Verdict::Keep, "referrer_of_kept".into()));
    assert_eq!(v[&bundle], (Verdict::Keep, "referrer_of_kept".into()));
    // An orphaned signature has no image tag: "untagged" selects it.
    assert_eq!(v[&orphan], (Verdict::Delete, "matched_delete_rule".into()));
    let a = j.plan.actions.iter().find(|a| a.name == bundle).unwrap();
    assert_eq!(
        (a.role, a.subject.as_deref()),
        (Role::Referrer, Some(amd.as_str()))
    );
    let j = p.judge(
        r#"{"owner": {"org": "acme"}, "package_type": "container", "min_age": "0s",
        "delete": [{"orphaned_referrer": true}]}"#,
    );
    let v = verdicts(&j);
    assert_eq!(v[&orphan], (Verdict::Delete, "orphaned_referrer".into()));
    assert_eq!(v[&cosign].0, Verdict::Keep);
}

#[test]
fn ghost_and_partial_indexes() {
    let mut p = Pkg::default();
    let here = p.add("here", &[], 5, Some(image()));
    let ghost = p.add(
        "ghost",
        &[],
        5,
        Some(index(&[
            (&digest("x1"), "linux/amd64"),
            (&digest("x2"), "linux/arm64"),
        ])),
    );
    let partial = p.add(
        "partial",
        &[],
        5,
        Some(index(&[
            (&here, "linux/amd64"),
            (&digest("x3"), "linux/arm64"),
        ])),
    );
    p.add("keep-me", &["v1"], 5, Some(image()));
    let j = p.judge(
        r#"{"owner": {"org": "acme"}, "package_type": "container",
        "delete": [{"index": "ghost"}, {"index": "partial"}]}"#,
    );
    let v = verdicts(&j);
    assert_eq!(v[&ghost], (Verdict::Delete, "ghost_index".into()));
    assert_eq!(v[&partial], (Verdict::Delete, "partial_index".into()));
    assert_eq!(v[&here], (Verdict::Delete, "child_of_deleted".into()));
}

#[test]
fn protection_wins_over_everything() {
    let mut p = Pkg::default();
    let prod = p.add("prod", &["prod-2026"], 40, Some(image()));
    let pinned = p.add("pinned", &["old-1"], 40, Some(image()));
    let by_id = p.add("by-id", &["old-2"], 40, Some(image()));
    let referenced = p.add("referenced", &["release"], 40, Some(image()));
    let young = p.add("young", &["fresh"], 0, Some(image()));
    let doomed = p.add("doomed", &["old-3"], 40, Some(image()));
    let id = p.versions[2].id;
    let policy = format!(
        r#"{{"owner": {{"org": "acme"}}, "package_type": "container",
        "protect": {{"tags": ["prod-*"], "digests": ["{pinned}"], "version_ids": [{id}],
                     "references": ["ghcr.io/acme/api/server:release", "ghcr.io/acme/other:x", "ghcr.io/acme/api/server:nope"]}},
        "delete": [{{"older_than": "0s"}}]}}"#
    );
    let j = p.judge(&policy);
    let v = verdicts(&j);
    assert_eq!(v[&prod], (Verdict::Keep, "protected_tag".into()));
    assert_eq!(v[&pinned], (Verdict::Keep, "protected_digest".into()));
    assert_eq!(v[&by_id], (Verdict::Keep, "protected_version_id".into()));
    assert_eq!(
        v[&referenced],
        (Verdict::Keep, "protected_reference".into())
    );
    assert_eq!(v[&young], (Verdict::Keep, "too_new".into()));
    assert_eq!(v[&doomed].0, Verdict::Delete);
    assert!(j
        .warnings
        .iter()
        .any(|w| w.code == "reference_unresolved" && w.detail.contains("nope")));
}

#[test]
fn keep_latest_counts_images_and_streams() {
    let mut p = Pkg::default();
    let mut names = Vec::new();
    for (i, tag) in ["1.0.0", "1.0.1", "1.1.0", "1.1.1", "1.1.2", "2.0.0"]
        .iter()
        .enumerate()
    {
        names.push(p.add(
            tag,
            &[tag, &format!("build-{i}")],
            60 - i as i64,
            Some(image()),
        ));
    }
    let j = p.judge(r#"{"owner": {"org": "acme"}, "package_type": "container",
        "delete": [{"tagged": true, "older_than": "1d"}],
        "keep": [{"id": "streams", "latest": 1, "of": {"tags": {"any": ["re:^(\\d+\\.\\d+)\\.\\d+$"]}}, "group_by": "tag:1"}]}"#);
    let kept: Vec<bool> = names
        .iter()
        .map(|n| verdicts(&j)[n].0 == Verdict::Keep)
        .collect();
    // The newest of each stream: 1.0.1, 1.1.2, 2.0.0.
    assert_eq!(kept, [false, true, false, false, true, true]);
    let reason = &j
        .plan
        .actions
        .iter()
        .find(|a| a.name == names[1])
        .unwrap()
        .reasons[0];
    assert_eq!(reason.code, "kept_latest");
    assert!(
        reason.detail.as_deref().unwrap().contains("stream 1.0"),
        "{reason:?}"
    );

    let j = p.judge(
        r#"{"owner": {"org": "acme"}, "package_type": "container",
        "delete": [{"tags": {"any": ["1.*"]}}], "keep": [{"latest": 2, "scope": "candidates"}]}"#,
    );
    let kept: Vec<bool> = names
        .iter()
        .map(|n| verdicts(&j)[n].0 == Verdict::Keep)
        .collect();
    assert_eq!(
        kept,
        [false, false, false, true, true, true],
        "2 newest candidates and the unselected 2.0.0"
    );
}

#[test]
fn all_tags_must_match_by_default_and_a_partial_match_is_reported() {
    let mut p = Pkg::default();
    let pr = p.add("pr", &["pr-7"], 30, Some(image()));
    let both = p.add("both", &["pr-8", "v0.8.0"], 30, Some(image()));
    p.add("rel", &["v1.0.0"], 1, Some(image()));
    let j = p.judge(r#"{"owner": {"org": "acme"}, "package_type": "container", "delete": [{"tags": ["pr-*"]}]}"#);
    let v = verdicts(&j);
    assert_eq!(v[&pr].0, Verdict::Delete);
    assert_eq!(v[&both].0, Verdict::Keep);
    assert!(j.warnings.iter().any(|w| w.code == "partial_tag_match"));
    let j = p.judge(r#"{"owner": {"org": "acme"}, "package_type": "container", "delete": [{"tags": {"any": ["pr-*"]}}]}"#);
    assert_eq!(verdicts(&j)[&both].0, Verdict::Delete);
}

#[test]
fn github_refuses_the_last_version_so_the_plan_keeps_it() {
    let mut p = Pkg::default();
    let a = p.add("a", &["v1"], 30, Some(image()));
    let b = p.add("b", &["v2"], 20, Some(image()));
    let child = p.add("c", &[], 20, Some(image()));
    let all = r#"{"owner": {"org": "acme"}, "package_type": "container", "delete": [{"older_than": "1d"}]}"#;
    let j = p.judge(all);
    let v = verdicts(&j);
    assert_eq!(v[&a].0, Verdict::Delete);
    assert_eq!(
        v[&b],
        (Verdict::Keep, "last_version".into()),
        "the newest tagged image stays"
    );
    assert_eq!(v[&child].0, Verdict::Delete);
    let j = p.judge(&all.replace("\"delete\"", "\"last_version\": \"fail\", \"delete\""));
    assert_eq!(j.plan.status, PackageStatus::Blocked);
    assert_eq!(j.plan.blocked.as_ref().unwrap().code, "last_version_fail");
    let j = p.judge(&all.replace(
        "\"delete\"",
        "\"last_version\": \"delete_package\", \"delete\"",
    ));
    assert_eq!(j.plan.package_action.as_deref(), Some("delete_package"));
    assert!(j.plan.actions.iter().all(|a| a.action == Verdict::Delete));
}

#[test]
fn a_manifest_that_cannot_be_read_blocks_the_package() {
    let mut p = Pkg::default();
    let a = p.add("a", &["v1"], 30, Some(image()));
    let b = p.add("b", &[], 30, Some(image()));
    let c = p.add("c", &[], 30, Some(image()));
    p.manifests.insert(
        b.clone(),
        ManifestState::Unreadable("500 after 3 retries".into()),
    );
    let j = p.judge(UNTAGGED);
    assert_eq!(j.plan.status, PackageStatus::Blocked);
    assert_eq!(
        j.plan.blocked.as_ref().unwrap().code,
        "manifest_unavailable"
    );
    assert!(j
        .plan
        .actions
        .iter()
        .all(|x| x.action == Verdict::Keep && x.reasons[0].code == "package_blocked"));
    // block_version: only the neighbourhood stays (here: every untagged version).
    let j = p.judge(&UNTAGGED.replace(
        "\"delete\"",
        "\"graph\": {\"on_error\": \"block_version\"}, \"delete\"",
    ));
    assert_eq!(j.plan.status, PackageStatus::Ok);
    let v = verdicts(&j);
    assert_eq!(v[&b].0, Verdict::Keep);
    assert_eq!(v[&c].0, Verdict::Keep);
    assert_eq!(v[&a].0, Verdict::Keep);
    // A digest mismatch blocks even with block_version.
    p.manifests
        .insert(b, ManifestState::DigestMismatch("sha256:ffff".into()));
    let j = p.judge(&UNTAGGED.replace(
        "\"delete\"",
        "\"graph\": {\"on_error\": \"block_version\"}, \"delete\"",
    ));
    assert_eq!(
        j.plan.blocked.as_ref().unwrap().code,
        "manifest_digest_mismatch"
    );
}

#[test]
fn an_incomplete_listing_blocks_the_package() {
    let mut p = Pkg::default();
    p.add("a", &[], 30, Some(image()));
    let policy = Policy::from_json(UNTAGGED).unwrap();
    let j = judge(&PackageInput {
        policy: &policy,
        name: "api/server",
        package_id: 1,
        versions: &p.versions,
        incomplete: Some("stopped at GitHub's 10,000-item paging limit".into()),
        manifests: &p.manifests,
        registry_problem: None,
        now: t0(),
        registry_host: None,
    });
    assert_eq!(j.plan.blocked.as_ref().unwrap().code, "listing_incomplete");
    assert_eq!(j.plan.summary.delete, 0);
}

#[test]
fn versions_of_other_registries_by_name() {
    let mut p = Pkg::default();
    for (i, name) in ["1.0.0", "1.1.0-rc.1", "1.1.0", "2.0.0-beta.2", "2.0.0"]
        .iter()
        .enumerate()
    {
        p.versions.push(VersionInfo {
            id: i as u64 + 1,
            name: name.to_string(),
            tags: Vec::new(),
            created_at: t0() - Duration::days(50 - i as i64),
            updated_at: t0() - Duration::days(50 - i as i64),
        });
    }
    let j = p.judge(r#"{"owner": "me", "package_type": "npm", "delete": [{"prerelease": true}]}"#);
    let deleted: Vec<&str> = j
        .plan
        .actions
        .iter()
        .filter(|a| a.action == Verdict::Delete)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(deleted, ["1.1.0-rc.1", "2.0.0-beta.2"]);
    let j = p.judge(r#"{"owner": "me", "package_type": "npm", "delete": [{"semver": "<2.0.0"}], "keep": [{"latest": 1, "of": {"semver": "<2.0.0"}}]}"#);
    let deleted: Vec<&str> = j
        .plan
        .actions
        .iter()
        .filter(|a| a.action == Verdict::Delete)
        .map(|a| a.name.as_str())
        .collect();
    // 1.1.0 is the newest below 2.0.0 and stays; prereleases are outside plain ranges.
    assert_eq!(deleted, ["1.0.0"]);
    assert!(j
        .plan
        .actions
        .iter()
        .all(|a| a.kind == VersionKind::Version && a.role == Role::Root));
}

/// A whole plan around one judged package, as the planner makes it.
fn plan_of(p: &Pkg, policy: &str) -> Plan {
    let policy = Policy::from_json(policy).unwrap();
    let judged = p.judge_with(&policy);
    let mut plan = Plan {
        plan_version: PLAN_VERSION,
        id: String::new(),
        now: t0(),
        policy_hash: policy.hash(),
        policy,
        target: Target {
            base_url: "https://api.github.com".into(),
            registry: Some("https://ghcr.io".into()),
            owner: Some("acme".into()),
            login: Some("octocat".into()),
        },
        edits: Vec::new(),
        packages: vec![judged.plan],
        warnings: judged.warnings,
        totals: Totals::default(),
    };
    plan.finish(0);
    plan
}

fn multi_arch() -> (Pkg, [String; 4]) {
    let mut p = Pkg::default();
    let own = p.add("own", &[], 30, Some(image()));
    let old = p.add("old", &["1.0.0"], 30, Some(index(&[(&own, "linux/arm64")])));
    let sig = p.add(
        "sig",
        &[&format!("sha256-{}.sig", &old[7..])],
        30,
        Some(image()),
    );
    let new = p.add("new", &["2.0.0"], 1, Some(image()));
    (p, [own, old, sig, new])
}

const OLD_TAGS: &str =
    r#"{"owner": {"org": "acme"}, "package_type": "container", "delete": [{"tags": ["1.*"]}]}"#;

#[test]
fn a_plan_round_trips_and_refuses_a_hand_edited_policy() {
    let (p, _) = multi_arch();
    let plan = plan_of(&p, OLD_TAGS);
    assert!(plan.id.starts_with("pln_") && plan.id.len() == 20);
    assert_eq!(plan.totals.delete, 3);
    assert_eq!(plan.totals.requests.delete, 3);
    assert_eq!(plan.totals.eta_seconds, 2);
    let back = Plan::from_json(&plan.to_json()).unwrap();
    assert_eq!(back, plan);
    let tampered = plan.to_json().replace("\"1.*\"", "\"*\"");
    let e = Plan::from_json(&tampered).unwrap_err();
    assert!(e.message().contains("edited by hand"), "{e}");
    // The packages' own fields are not in the policy hash, but apply sends
    // its requests to them: an edit there is refused too.
    let mut v: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    v["packages"][0]["owner"] = serde_json::json!({"user": "octocat"});
    let e = Plan::from_json(&v.to_string()).unwrap_err();
    assert!(e.message().contains("another owner"), "{e}");
    let mut v: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    v["packages"][0]["package_type"] = serde_json::json!("npm");
    assert!(Plan::from_json(&v.to_string())
        .unwrap_err()
        .message()
        .contains("npm package"));
    let mut v: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    v["packages"][0]["name"] = serde_json::json!("web");
    let policy_covers_all = plan.policy.packages.covers("web");
    assert_eq!(Plan::from_json(&v.to_string()).is_ok(), policy_covers_all);
    let mut v: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    v["target"]["owner"] = serde_json::json!("evil");
    assert!(Plan::from_json(&v.to_string())
        .unwrap_err()
        .message()
        .contains("target owner"));
    let e = Plan::from_json("{\"plan_version\": 1}").unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
    let e = Plan::from_json(
        &plan
            .to_json()
            .replace("\"plan_version\": 1", "\"plan_version\": 7"),
    )
    .unwrap_err();
    assert!(e.message().contains("plan_version 7"), "{e}");
}

#[test]
fn review_can_only_keep_more_and_keeps_what_it_holds() {
    let (p, [own, old, sig, _]) = multi_arch();
    let plan = plan_of(&p, OLD_TAGS);
    let old_id = plan.packages[0]
        .actions
        .iter()
        .find(|a| a.name == old)
        .unwrap()
        .version_id;
    let edited = plan.without_versions(&[old_id]).unwrap();
    let v: HashMap<&str, Verdict> = edited.packages[0]
        .actions
        .iter()
        .map(|a| (a.name.as_str(), a.action))
        .collect();
    assert_eq!(v[old.as_str()], Verdict::Keep);
    assert_eq!(
        v[own.as_str()],
        Verdict::Keep,
        "the index's child stays with it"
    );
    assert_eq!(v[sig.as_str()], Verdict::Keep, "and its signature");
    assert_eq!(edited.edits.len(), 1);
    assert_eq!(edited.totals.delete, 0);
    assert_ne!(edited.id, plan.id);
    // Keeping a child alone keeps only that child; the rest renumbers from 1.
    let own_id = plan.packages[0]
        .actions
        .iter()
        .find(|a| a.name == own)
        .unwrap()
        .version_id;
    let edited = plan.without_versions(&[own_id]).unwrap();
    let orders: Vec<u32> = edited.packages[0]
        .actions
        .iter()
        .filter_map(|a| a.order)
        .collect();
    assert_eq!(orders, [1, 2]);
    // A version that is not a deletion cannot be "kept".
    let kept_id = plan.packages[0]
        .actions
        .iter()
        .find(|a| a.action == Verdict::Keep)
        .unwrap()
        .version_id;
    assert!(plan.without_versions(&[kept_id]).is_err());
    assert!(plan.without_versions(&[424242]).is_err());
    assert_eq!(plan.only_packages(&["web"]).unwrap().totals.delete, 0);
    assert_eq!(
        plan.only_packages(&["api/server"]).unwrap().totals.delete,
        3
    );
}

#[test]
fn renderings() {
    let (p, [_, old, _, _]) = multi_arch();
    let plan = plan_of(&p, OLD_TAGS);
    let md = plan.render(Render::Markdown);
    assert!(md.contains("## ghpkg retention plan `pln_"));
    assert!(md.contains("| api/server | 4 | 1 | 3 | 0 | ok |"), "{md}");
    assert!(md.contains("matched_delete_rule (delete[0])"));
    assert!(md.contains(&format!("`sha256:{}…`", &old[7..19])));
    let table = plan.render(Render::Table);
    assert!(table.lines().next().unwrap().starts_with("PACKAGE"));
    assert!(table.contains("delete #1"));
    let nd = plan.render(Render::Ndjson);
    let lines: Vec<serde_json::Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "plan");
    assert_eq!(lines.iter().filter(|l| l["type"] == "action").count(), 4);
    assert_eq!(lines.last().unwrap()["type"], "totals");
    assert_eq!(plan.render(Render::Json), plan.to_json());
    assert_eq!("md".parse::<Render>().unwrap(), Render::Markdown);
    assert!("html".parse::<Render>().is_err());
}

#[test]
fn untag_removes_only_the_matching_tags_of_a_multi_tagged_image() {
    let mut p = Pkg::default();
    let both = p.add("both", &["pr-8", "v0.8.0"], 30, Some(image()));
    let pr = p.add("pr", &["pr-9"], 30, Some(image()));
    p.add("rel", &["v1.0.0"], 1, Some(image()));
    let policy = r#"{"owner": {"org": "acme"}, "package_type": "container", "untag": true,
        "delete": [{"tags": {"any": ["pr-*"]}}]}"#;
    let j = p.judge(policy);
    let a = j.plan.actions.iter().find(|a| a.name == both).unwrap();
    assert_eq!(
        (a.action, a.untag_tags.clone()),
        (Verdict::Untag, vec!["pr-8".to_string()])
    );
    assert_eq!(a.order, Some(1), "untagging comes first");
    assert_eq!(a.reasons[0].code, "untag_partial_tags");
    let b = j.plan.actions.iter().find(|a| a.name == pr).unwrap();
    assert_eq!((b.action, b.order), (Verdict::Delete, Some(2)));
    // Without untag, `any` deletes the whole image.
    let j = p.judge(&policy.replace("\"untag\": true", "\"untag\": false"));
    assert_eq!(verdicts(&j)[&both].0, Verdict::Delete);
}

fn inputs(pairs: &[(&str, &str)]) -> Inputs {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn deleted_names(j: &Judged) -> Vec<String> {
    let mut v: Vec<String> = j
        .plan
        .actions
        .iter()
        .filter(|a| a.action == Verdict::Delete && a.role == Role::Root)
        .map(|a| a.tags.join("+"))
        .collect();
    v.sort();
    v
}

/// A package of tagged and untagged images, oldest first (tags joined by '+').
fn tool_fixture() -> Pkg {
    let mut p = Pkg::default();
    for (i, tags) in ["pr-1", "pr-2+v0.8.0", "v1.0.0", "", "pr-3", "main", ""]
        .iter()
        .enumerate()
    {
        let tags: Vec<&str> = tags.split('+').filter(|t| !t.is_empty()).collect();
        p.add(&format!("img{i}"), &tags, 40 - i as i64, Some(image()));
    }
    p
}

#[test]
fn importers_reproduce_each_tool_s_selection() {
    let p = tool_fixture();
    // snok: all tags must match; `!` protects; keep-n counts tagged candidates.
    let crp = Policy::from_crp(&inputs(&[
        ("account", "acme"),
        ("image-names", "api/server"),
        ("image-tags", "pr-* !main"),
        ("cut-off", "2w"),
        ("keep-n-most-recent", "1"),
        ("tag-selection", "both"),
    ]))
    .unwrap();
    let j = p.judge_with(&crp);
    // pr-1 and pr-3 match, pr-3 is the newest tagged candidate; pr-2+v0.8.0 is a partial match.
    assert_eq!(deleted_names(&j), ["", "", "pr-1"]);
    assert!(j.warnings.iter().any(|w| w.code == "partial_tag_match"));
    // dataaxiom: a delete tag on a multi-tagged image untags it.
    let dax = Policy::from_dataaxiom(&inputs(&[
        ("owner", "acme"),
        ("packages", "api/server"),
        ("delete-tags", "pr-*"),
        ("exclude-tags", "main"),
    ]))
    .unwrap();
    let j = p.judge_with(&dax);
    assert_eq!(deleted_names(&j), ["pr-1", "pr-3"]);
    let untag: Vec<&Action> = j
        .plan
        .actions
        .iter()
        .filter(|a| a.action == Verdict::Untag)
        .collect();
    assert_eq!(untag.len(), 1);
    assert_eq!(untag[0].untag_tags, ["pr-2"]);
    // vlaurin: any tag matches, keep-last counts tagged and untagged candidates together.
    let vlp = Policy::from_vlaurin(&inputs(&[
        ("organization", "acme"),
        ("container", "api/server"),
        ("prune-untagged", "true"),
        ("prune-tags-regexes", "^pr-"),
        ("keep-last", "2"),
    ]))
    .unwrap();
    let j = p.judge_with(&vlp);
    // Candidates by age: pr-1, pr-2+v0.8.0, "", pr-3, ""; the 2 newest (pr-3 and the last "") stay.
    assert_eq!(deleted_names(&j), ["", "pr-1", "pr-2+v0.8.0"]);
    // dataaxiom without options deletes untagged images only.
    let j = p.judge_with(
        &Policy::from_dataaxiom(&inputs(&[("owner", "acme"), ("package", "api/server")])).unwrap(),
    );
    assert_eq!(deleted_names(&j), ["", ""]);
}

#[test]
fn the_package_versions_importer_counts_by_name() {
    let mut p = Pkg::default();
    for (i, name) in ["1.0.0", "1.0.1-rc.1", "1.0.1", "2.0.0-rc.1", "2.0.0"]
        .iter()
        .enumerate()
    {
        p.versions.push(VersionInfo {
            id: i as u64 + 1,
            name: name.to_string(),
            tags: Vec::new(),
            created_at: t0() - Duration::days(50 - i as i64),
            updated_at: t0() - Duration::days(50 - i as i64),
        });
    }
    let names = |j: &Judged| -> Vec<String> {
        j.plan
            .actions
            .iter()
            .filter(|a| a.action == Verdict::Delete)
            .map(|a| a.name.clone())
            .collect()
    };
    let base = [
        ("owner", "octocat"),
        ("package-name", "lib"),
        ("package-type", "npm"),
    ];
    let with = |extra: &[(&str, &str)]| {
        let mut all: Vec<(&str, &str)> = base.to_vec();
        all.extend_from_slice(extra);
        Policy::from_dpv(&inputs(&all)).unwrap()
    };
    assert_eq!(
        names(&p.judge_with(&with(&[]))),
        ["1.0.0"],
        "the default deletes the oldest one"
    );
    assert_eq!(
        names(&p.judge_with(&with(&[("num-old-versions-to-delete", "2")]))),
        ["1.0.0", "1.0.1-rc.1"]
    );
    let keep2 = with(&[
        ("min-versions-to-keep", "2"),
        ("ignore-versions", "^1\\.0\\.0$"),
    ]);
    assert_eq!(names(&p.judge_with(&keep2)), ["1.0.1-rc.1", "1.0.1"]);
    let pre = with(&[
        ("min-versions-to-keep", "1"),
        ("delete-only-pre-release-versions", "true"),
    ]);
    assert_eq!(names(&p.judge_with(&pre)), ["1.0.1-rc.1"]);
    assert!(Policy::from_dpv(&inputs(&[
        ("owner", "o"),
        ("package-name", "x"),
        ("package-type", "npm"),
        ("colour", "red")
    ]))
    .is_err());
    assert!(
        Policy::from_crp(&inputs(&[("account", "acme"), ("image-names", "x")]))
            .unwrap_err()
            .message()
            .contains("cut-off")
    );
}

#[test]
fn options_read_from_json_name_what_is_wrong() {
    let o =
        ApplyOptions::from_json(r#"{"journal": "j.jsonl", "max_deletes": 5, "deadline": "20m"}"#)
            .unwrap();
    assert_eq!(o.max_deletes, Some(5));
    assert_eq!(o.deadline, Some(Span::seconds(1200)));
    let e = ApplyOptions::from_json(r#"{"journal": "j", "max_delets": 5}"#).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
    assert!(e.message().contains("max_delets"), "{}", e.message());
    assert!(
        e.message().starts_with("the apply options are not valid"),
        "{}",
        e.message()
    );
    let e = ApplyOptions::from_json("{}").unwrap_err();
    assert!(e.message().contains("journal"), "{}", e.message());
    let e = PlanOptions::from_json(r#"{"now": "yesterday"}"#).unwrap_err();
    assert!(e.message().contains("at now"), "{}", e.message());
    assert_eq!(
        PlanOptions::from_json("{}").unwrap(),
        PlanOptions::default()
    );
    let u = UndoOptions::from_json(r#"{"dry_run": true, "version_ids": [1, 2]}"#).unwrap();
    assert!(u.dry_run);
    assert!(UndoOptions::from_json(r#"{"dry_run": "yes"}"#).is_err());
}

#[test]
fn the_last_tag_on_a_referrer_keeps_its_untagged_subject() {
    // An untagged image whose cosign signature carries the package's only
    // tag: deleting the image cascades to the signature, and GitHub refuses
    // the last tagged version. The image is kept, and its signature with it.
    let mut p = Pkg::default();
    let img = p.add("img", &[], 5, Some(image()));
    let sig_tag = format!("sha256-{}.sig", &img[7..]);
    p.add("sig", &[&sig_tag], 5, Some(referrer(&img)));
    let j = p.judge(UNTAGGED);
    let v = verdicts(&j);
    assert_eq!(v[&img], (Verdict::Keep, "last_version".to_owned()));
    assert_eq!(v[&digest("sig")].0, Verdict::Keep);
    assert!(j.plan.actions.iter().all(|a| a.action == Verdict::Keep));
}
