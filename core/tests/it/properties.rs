//! The retention engine's safety rules, over random image graphs and random
//! policies, end to end against the emulator's REST API and registry:
//!
//! - after apply, every tag of every image the plan keeps resolves with its
//!   whole closure (checked with plain registry reads), nothing protected is
//!   deleted, and exactly the plan's deletions are gone;
//! - after undo, exactly the deleted set is back, with its tags, and every
//!   tag resolves whole again.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Utc};
use ghpkg::retention::{
    ApplyOptions, Outcome, PackageStatus, PlanOptions, Policy, Status, UndoOptions, Verdict,
    MAX_PER_MINUTE,
};
use ghpkg_emulator::oci::{self, Manifest};
use ghpkg_emulator::{Emulator, Fixture, PackageSpec, TokenSpec, VersionSpec, DEMO_TOKEN};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::common::client;
use crate::reader::Reader;
use crate::retention::journal_path;

const TAGS: [&str; 8] = ["latest", "v1", "v2", "v3", "dev", "pr-1", "pr-2", "main"];
const PLATFORMS: [&str; 3] = ["linux/amd64", "linux/arm64", "linux/s390x"];

/// One root image of a random graph.
#[derive(Debug, Clone)]
struct Root {
    /// 0: a platform image; n > 0: an index of n platform images.
    children: usize,
    /// For each child: reuse the same-platform child of an earlier index.
    share: Vec<bool>,
    /// Indexes into `TAGS` (deduplicated across the package).
    tags: Vec<usize>,
    /// A cosign signature, tagged `sha256-<hex>.sig`.
    signed: bool,
    /// A buildx attestation inside the index.
    attested: bool,
    /// Hours old.
    age: i64,
}

fn root() -> impl Strategy<Value = Root> {
    (
        0usize..=3,
        prop::collection::vec(any::<bool>(), 3),
        prop::collection::vec(0usize..TAGS.len(), 0..4),
        any::<bool>(),
        any::<bool>(),
        1i64..2000,
    )
        .prop_map(|(children, share, tags, signed, attested, age)| Root {
            children,
            share,
            tags,
            signed,
            attested,
            age,
        })
}

/// A random policy, as JSON.
fn policy() -> impl Strategy<Value = Value> {
    let delete = prop::sample::subsequence(
        vec![
            json!({"id": "untagged", "untagged": true}),
            json!({"id": "old", "older_than": "30d"}),
            json!({"id": "prs", "tags": ["pr-*"]}),
            json!({"id": "any-v", "tags": {"any": ["v*"]}}),
            json!({"id": "any-pr-dev", "tags": {"any": ["pr-*", "dev"]}}),
            json!({"id": "dev-all", "tags": {"all": ["dev", "pr-*"]}}),
            json!({"id": "not-main", "tags": {"none": ["main"]}, "older_than": "10d"}),
        ],
        1..=3,
    );
    let keep = prop::option::of(prop_oneof![
        (1u32..3).prop_map(|n| json!({"id": "rollback", "latest": n, "of": {"tagged": true}})),
        Just(json!({"id": "recent", "newer_than": "20d"})),
    ]);
    let untag = prop::bool::weighted(0.8);
    (delete, keep, any::<bool>(), untag, any::<bool>()).prop_map(
        |(delete, keep, protect, untag, cascade)| {
            let mut p = json!({
                "owner": {"org": "acme"},
                "package_type": "container",
                "packages": {"include": ["app"]},
                "delete": delete,
                "untag": untag,
                "graph": {"cascade": cascade},
            });
            if let Some(k) = keep {
                p["keep"] = json!([k]);
            }
            if protect {
                p["protect"] = json!({"tags": ["latest", "main"]});
            }
            p
        },
    )
}

/// The package of a random graph: versions with real manifests.
fn package(roots: &[Root]) -> PackageSpec {
    let now = Utc::now();
    let mut pkg = PackageSpec::new("acme", "app", "container").repository("acme/app");
    let mut used_tags = BTreeSet::new();
    let mut children_by_platform: BTreeMap<&str, Manifest> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut add = |pkg: PackageSpec, m: &Manifest, tags: &[String], age: i64| -> PackageSpec {
        if !seen.insert(m.digest.clone()) {
            return pkg;
        }
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        pkg.version(
            VersionSpec::from(m)
                .tags(&tags)
                .created_at(now - Duration::hours(age)),
        )
    };
    for (n, r) in roots.iter().enumerate() {
        let seed = format!("root {n}");
        let tags: Vec<String> = r
            .tags
            .iter()
            .map(|&i| TAGS[i].to_owned())
            .filter(|t| used_tags.insert(t.clone()))
            .collect();
        let top = if r.children == 0 {
            oci::image_with_seed(PLATFORMS[n % 3], &seed)
        } else {
            let mut kids = Vec::new();
            for (&platform, &share) in PLATFORMS.iter().zip(&r.share).take(r.children) {
                let kid = match children_by_platform.get(platform) {
                    Some(k) if share => k.clone(),
                    _ => oci::image_with_seed(platform, &seed),
                };
                children_by_platform.insert(platform, kid.clone());
                kids.push(kid);
            }
            if r.attested {
                kids.push(oci::buildx_attestation(&kids[0]));
            }
            for k in &kids {
                pkg = add(pkg, k, &[], r.age + 1);
            }
            let refs: Vec<&Manifest> = kids.iter().collect();
            oci::index(&refs)
        };
        pkg = add(pkg, &top, &tags, r.age);
        if r.signed {
            let sig = oci::cosign_sig(&top);
            pkg = add(pkg, &sig, &[oci::sig_tag(&top.digest)], r.age);
        }
    }
    pkg
}

fn fixture(roots: &[Root]) -> Fixture {
    Fixture::empty()
        .user("octocat")
        .org("acme", &["octocat"])
        .token(TokenSpec::classic(
            DEMO_TOKEN,
            "octocat",
            &["read:packages", "write:packages", "delete:packages", "repo"],
        ))
        .package(package(roots))
}

/// Active versions: id → (digest, tags).
fn active(emu: &Emulator) -> BTreeMap<u64, (String, BTreeSet<String>)> {
    emu.with_state(|s| {
        s.packages()
            .iter()
            .flat_map(|p| p.versions.iter())
            .filter(|v| !v.is_deleted())
            .map(|v| (v.id, (v.name.clone(), v.tags.iter().cloned().collect())))
            .collect()
    })
}

/// Every tag of the package's active versions resolves whole.
async fn all_tags_whole(reader: &Reader, versions: &BTreeMap<u64, (String, BTreeSet<String>)>) {
    for (id, (digest, tags)) in versions {
        for tag in tags {
            let (got, _) = reader
                .get(tag)
                .await
                .unwrap_or_else(|| panic!("{tag} ({id}) resolves"));
            assert_eq!(&got, digest, "{tag} names version {id}");
            assert_eq!(
                reader.missing_under(tag).await,
                Some(Vec::new()),
                "{tag} ({id}) resolves with its whole closure"
            );
        }
    }
}

async fn check(roots: Vec<Root>, policy: Value) {
    let emu = Emulator::start(fixture(&roots)).await.unwrap();
    let c = client(&emu);
    let reader = Reader::new(&emu, "acme/app").await;
    let before = active(&emu);
    all_tags_whole(&reader, &before).await;

    let policy = Policy::from_json(&policy.to_string()).unwrap();
    let options = PlanOptions {
        registry_url: Some(emu.registry_url()),
        ..PlanOptions::default()
    };
    let plan = c.retention().plan(&policy, &options).await.unwrap();
    let pkg = &plan.packages[0];
    assert_eq!(pkg.status, PackageStatus::Ok, "{:?}", pkg.blocked);
    let protected: BTreeSet<u64> = pkg
        .actions
        .iter()
        .filter(|a| a.reasons.iter().any(|r| r.code.starts_with("protected_")))
        .map(|a| a.version_id)
        .collect();
    let deletes: BTreeSet<u64> = pkg
        .actions
        .iter()
        .filter(|a| a.action == Verdict::Delete)
        .map(|a| a.version_id)
        .collect();
    assert!(protected.is_disjoint(&deletes));

    let journal = journal_path("prop");
    let report = c
        .retention()
        .apply(
            plan.clone(),
            ApplyOptions {
                deletes_per_minute: Some(MAX_PER_MINUTE),
                ..ApplyOptions::new(&journal)
            },
        )
        .await
        .unwrap();
    let refused = report.with_outcome(Outcome::RefusedLastVersion).count();
    assert!(
        matches!(report.status, Status::Complete) && refused == 0,
        "{report:#?}"
    );
    let after = active(&emu);
    let gone: BTreeSet<u64> = before
        .keys()
        .filter(|id| !after.contains_key(id))
        .copied()
        .collect();
    assert_eq!(gone, deletes, "exactly the plan's deletions are gone");
    assert!(protected.iter().all(|id| after.contains_key(id)));
    assert!(report.verify.as_ref().map_or(true, |v| v.broken.is_empty()));
    // Every tag still there, kept or untagged image, resolves whole.
    all_tags_whole(&reader, &after).await;

    let undo = c
        .retention()
        .undo(
            &journal,
            &UndoOptions {
                restores_per_minute: Some(MAX_PER_MINUTE),
                ..UndoOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(undo.status, Status::Complete, "{undo:#?}");
    let restored = active(&emu);
    assert_eq!(
        restored, before,
        "undo brings back exactly what went, tags and all"
    );
    all_tags_whole(&reader, &restored).await;
    emu.shutdown().await;
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("GHPKG_PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24),
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn apply_never_breaks_a_kept_image_and_undo_restores_exactly(
        roots in prop::collection::vec(root(), 1..7),
        policy in policy(),
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(check(roots, policy));
    }
}
