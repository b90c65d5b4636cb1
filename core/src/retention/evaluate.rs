//! Judging one package: the image graph, protection, delete and keep rules,
//! the keep closure, the cascade and GitHub's last-version rule, turned into
//! one action with reasons per version. Pure: the listing and the manifests
//! come in, the package's plan comes out, so it is tested without a server.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use chrono::{DateTime, Utc};

use super::oci::{referrer_tag_subject, Manifest};
use super::pattern::as_version;
use super::plan::{
    fingerprint, Action, ListingSummary, PackagePlan, PackageStatus, Reason, Role, Summary,
    Verdict, VersionKind, Warning,
};
use super::policy::{
    Effective, ImageRef, IndexState, KeepRule, KeepScope, LastVersion, OnError, Policy, Quantifier,
    Referrers, Selector, TimeField,
};
use crate::models::PackageType;

/// One listed version, as judged.
#[derive(Debug, Clone)]
pub struct VersionInfo {
    /// The id.
    pub id: u64,
    /// The name (a digest for containers).
    pub name: String,
    /// Its tags (container or docker).
    pub tags: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&crate::models::PackageVersion> for VersionInfo {
    fn from(v: &crate::models::PackageVersion) -> Self {
        VersionInfo {
            id: v.id,
            name: v.name.clone(),
            tags: v.tags().to_vec(),
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// What reading a version's manifest gave.
#[derive(Debug, Clone, PartialEq)]
pub enum ManifestState {
    /// Read and digest-checked.
    Read(Manifest),
    /// The registry does not have it (404): the version is a ghost.
    Missing,
    /// It could not be read (after retries), or is not a manifest ghpkg can follow.
    Unreadable(String),
    /// The body's sha256 is not the version's digest.
    DigestMismatch(String),
}

/// Everything known about one package.
pub struct PackageInput<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// The package name.
    pub name: &'a str,
    /// The package id.
    pub package_id: u64,
    /// The active versions, complete or not.
    pub versions: &'a [VersionInfo],
    /// Why the listing is incomplete, when it is.
    pub incomplete: Option<String>,
    /// Manifests by digest (containers).
    pub manifests: &'a HashMap<String, ManifestState>,
    /// Why no manifest could be read at all (registry unknown or refusing).
    pub registry_problem: Option<(String, String)>,
    /// The instant ages are judged at.
    pub now: DateTime<Utc>,
    /// The registry host (`ghcr.io`), to match `protect.references`.
    pub registry_host: Option<&'a str>,
}

/// The package's plan and what the reviewer should know.
pub struct Judged {
    /// The plan.
    pub plan: PackagePlan,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// An edge of the image graph.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// An index lists it.
    Child,
    /// It refers to (signs, attests) the other end.
    Referrer,
}

struct Graph {
    /// Outgoing edges: parent → children, subject → referrers.
    out: Vec<Vec<(usize, Edge)>>,
    /// Indexes listing each node (digests).
    parents: Vec<Vec<String>>,
    /// The subject each referrer node refers to.
    subject: Vec<Option<String>>,
    kind: Vec<VersionKind>,
    platform: Vec<Option<String>>,
    /// Tags rules see: the tags minus `sha256-…` referrer tags.
    image_tags: Vec<Vec<String>>,
    roots: Vec<usize>,
    /// Children an index lists that are not versions of the package.
    missing_children: Vec<usize>,
    listed_children: Vec<usize>,
    /// Roots that refer to a subject that is gone.
    orphaned: Vec<bool>,
}

fn time_of(v: &VersionInfo, field: TimeField) -> DateTime<Utc> {
    match field {
        TimeField::UpdatedAt => v.updated_at,
        TimeField::CreatedAt => v.created_at,
    }
}

fn build_graph(
    versions: &[VersionInfo],
    manifests: &HashMap<String, ManifestState>,
    container: bool,
    referrers: Referrers,
) -> Graph {
    let n = versions.len();
    let by_digest: HashMap<&str, usize> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.as_str(), i))
        .collect();
    let mut g = Graph {
        out: vec![Vec::new(); n],
        parents: vec![Vec::new(); n],
        subject: vec![None; n],
        kind: vec![VersionKind::Version; n],
        platform: vec![None; n],
        image_tags: versions.iter().map(|v| v.tags.clone()).collect(),
        roots: Vec::new(),
        missing_children: vec![0; n],
        listed_children: vec![0; n],
        orphaned: vec![false; n],
    };
    if !container {
        g.roots = (0..n).collect();
        return g;
    }
    let mut has_parent = vec![false; n];
    let mut refers = vec![false; n];
    for (i, v) in versions.iter().enumerate() {
        g.image_tags[i] = v
            .tags
            .iter()
            .filter(|t| referrer_tag_subject(t).is_none())
            .cloned()
            .collect();
        let manifest = match manifests.get(&v.name) {
            Some(ManifestState::Read(m)) => m,
            Some(ManifestState::Missing) => {
                g.kind[i] = VersionKind::Missing;
                continue;
            }
            _ => {
                g.kind[i] = VersionKind::Unreadable;
                continue;
            }
        };
        g.kind[i] = manifest.kind.into();
        for child in &manifest.children {
            g.listed_children[i] += 1;
            match by_digest.get(child.digest.as_str()) {
                Some(&c) if c != i => {
                    g.out[i].push((c, Edge::Child));
                    has_parent[c] = true;
                    g.parents[c].push(v.name.clone());
                    if child.attests.is_some() && g.kind[c] != VersionKind::Index {
                        g.kind[c] = VersionKind::Attestation;
                    } else if g.platform[c].is_none() {
                        g.platform[c] = child.platform.clone();
                    }
                }
                Some(_) => {}
                None => g.missing_children[i] += 1,
            }
        }
        let mut subjects: Vec<String> = manifest.subject.iter().cloned().collect();
        subjects.extend(v.tags.iter().filter_map(|t| referrer_tag_subject(t)));
        subjects.dedup();
        if let Some(s) = subjects.first() {
            g.subject[i] = Some(s.clone());
        }
        for s in &subjects {
            refers[i] = true;
            match by_digest.get(s.as_str()) {
                Some(&subject) if subject != i => g.out[subject].push((i, Edge::Referrer)),
                _ => {}
            }
        }
    }
    for i in 0..n {
        let subject_present = g.subject[i]
            .as_deref()
            .is_some_and(|s| by_digest.contains_key(s));
        g.orphaned[i] = refers[i] && !subject_present;
        let referrer_root = referrers == Referrers::Independent && refers[i];
        if !g.image_tags[i].is_empty() || referrer_root || (!has_parent[i] && !subject_present) {
            g.roots.push(i);
        }
    }
    if referrers == Referrers::Independent {
        for edges in &mut g.out {
            edges.retain(|(_, e)| *e == Edge::Child);
        }
    }
    g
}

impl Graph {
    /// Everything reachable from `start` (inclusive).
    fn closure(&self, start: impl IntoIterator<Item = usize>) -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<usize> = start.into_iter().collect();
        while let Some(i) = queue.pop_front() {
            if seen.insert(i) {
                queue.extend(self.out[i].iter().map(|(c, _)| *c));
            }
        }
        seen
    }

    fn role(&self, i: usize, roots: &BTreeSet<usize>) -> Role {
        if roots.contains(&i) {
            Role::Root
        } else if self.subject[i].is_some() && self.parents[i].is_empty() {
            Role::Referrer
        } else {
            Role::Child
        }
    }
}

/// What a selector sees of a root.
struct Image<'a> {
    v: &'a VersionInfo,
    tags: &'a [String],
    time: DateTime<Utc>,
    ghost: bool,
    partial: bool,
    orphaned: bool,
}

/// Whether `sel` holds for `img`; `partial_tags` is set when an `all` tag
/// clause matched only some tags.
fn selects(sel: &Selector, img: &Image<'_>, now: DateTime<Utc>, partial_tags: &mut bool) -> bool {
    let tagged = !img.tags.is_empty();
    if sel.tagged.is_some_and(|t| t != tagged) || sel.untagged.is_some_and(|u| u == tagged) {
        return false;
    }
    if let Some(d) = sel.older_than {
        if now - img.time <= d.to_chrono() {
            return false;
        }
    }
    if let Some(state) = sel.index {
        let hit = match state {
            IndexState::Ghost => img.ghost,
            IndexState::Partial => img.partial,
        };
        if !hit {
            return false;
        }
    }
    if sel.orphaned_referrer.is_some_and(|o| o != img.orphaned) {
        return false;
    }
    if let Some(names) = &sel.name {
        if !names.iter().any(|p| p.matches(&img.v.name)) {
            return false;
        }
    }
    if let Some(range) = &sel.semver {
        let ok = semver::VersionReq::parse(range)
            .ok()
            .zip(as_version(&img.v.name))
            .is_some_and(|(r, v)| r.matches(&v));
        if !ok {
            return false;
        }
    }
    if let Some(pre) = sel.prerelease {
        if as_version(&img.v.name).map_or(true, |v| v.pre.is_empty() == pre) {
            return false;
        }
    }
    if let Some(ids) = &sel.version_ids {
        if !ids.contains(&img.v.id) {
            return false;
        }
    }
    if let Some(clause) = &sel.tags {
        let (q, patterns) = clause.parts();
        let hits = img
            .tags
            .iter()
            .filter(|t| patterns.iter().any(|p| p.matches(t)))
            .count();
        let ok = match q {
            Quantifier::All => tagged && hits == img.tags.len(),
            Quantifier::Any => hits > 0,
            Quantifier::None => hits == 0,
        };
        if q == Quantifier::All && hits > 0 && hits < img.tags.len() {
            *partial_tags = true;
        }
        if !ok {
            return false;
        }
    }
    true
}

/// A rule's name in reasons: its `id`, else its place (`delete[1]`, or
/// `overrides[0].delete[1]` when an override supplied the rules).
fn rule_name(id: &Option<String>, section: &str, i: usize, from_override: Option<usize>) -> String {
    id.clone().unwrap_or_else(|| match from_override {
        Some(o) => format!("overrides[{o}].{section}[{i}]"),
        None => format!("{section}[{i}]"),
    })
}

/// The `n` oldest images that meet a selector's other conditions.
fn oldest_ids(
    sel: &Selector,
    images: &BTreeMap<usize, Image<'_>>,
    now: DateTime<Utc>,
    n: u32,
) -> BTreeSet<usize> {
    let mut all: Vec<(&usize, &Image<'_>)> = images
        .iter()
        .filter(|(_, img)| {
            let mut ignored = false;
            selects(sel, img, now, &mut ignored)
        })
        .collect();
    all.sort_by_key(|(_, img)| (img.time, img.v.id));
    all.into_iter().take(n as usize).map(|(i, _)| *i).collect()
}

/// The tags of `img` a rule's `any` clause matches, when they are some but
/// not all of its tags: what untagging would remove.
fn partial_any(sel: &Selector, img: &Image<'_>) -> Option<Vec<String>> {
    let (Quantifier::Any, patterns) = sel.tags.as_ref()?.parts() else {
        return None;
    };
    let hits: Vec<String> = img
        .tags
        .iter()
        .filter(|t| patterns.iter().any(|p| p.matches(t)))
        .cloned()
        .collect();
    (!hits.is_empty() && hits.len() < img.tags.len()).then_some(hits)
}

/// Judges one package.
pub fn judge(input: &PackageInput<'_>) -> Judged {
    let policy = input.policy;
    let rules = policy.effective(input.name);
    let container = policy.package_type == PackageType::Container;
    let versions = input.versions;
    let mut warnings = Vec::new();
    let listing = ListingSummary {
        versions: versions.len(),
        complete: input.incomplete.is_none(),
        fingerprint: fingerprint(
            versions
                .iter()
                .map(|v| (v.id, v.name.as_str(), v.tags.as_slice(), v.updated_at)),
        ),
    };
    let graph = build_graph(versions, input.manifests, container, policy.graph.referrers);
    let blank = |reason: Reason| PackagePlan {
        owner: policy.owner.clone(),
        package_type: policy.package_type,
        name: input.name.to_owned(),
        package_id: input.package_id,
        listing: listing.clone(),
        status: PackageStatus::Blocked,
        blocked: Some(reason),
        package_action: None,
        actions: Vec::new(),
        summary: Summary::default(),
    };
    let block = |reason: Reason| -> Judged {
        let mut plan = blank(reason.clone());
        plan.actions = versions
            .iter()
            .enumerate()
            .map(|(i, v)| {
                action(
                    v,
                    i,
                    &graph,
                    &BTreeSet::new(),
                    Verdict::Keep,
                    vec![Reason::new("package_blocked").detail(reason.code.clone())],
                )
            })
            .collect();
        plan.actions.sort_by_key(|a| a.version_id);
        Judged {
            plan,
            warnings: Vec::new(),
        }
    };
    if let Some(why) = &input.incomplete {
        return block(Reason::new("listing_incomplete").detail(why.clone()));
    }
    if let (true, Some((code, why))) = (container, &input.registry_problem) {
        return block(Reason::new(code).detail(why.clone()));
    }
    // Manifests that could not be read: fail closed.
    let mut unreadable = BTreeSet::new();
    if container {
        for (i, v) in versions.iter().enumerate() {
            match input.manifests.get(&v.name) {
                Some(ManifestState::DigestMismatch(why))
                    if policy.graph.on_error != OnError::UnsafeIgnore =>
                {
                    return block(
                        Reason::new("manifest_digest_mismatch")
                            .detail(format!("version {} ({}): {why}", v.id, v.name)),
                    );
                }
                Some(ManifestState::Unreadable(why)) | Some(ManifestState::DigestMismatch(why)) => {
                    match policy.graph.on_error {
                        OnError::BlockPackage => {
                            return block(
                                Reason::new("manifest_unavailable")
                                    .detail(format!("version {} ({}): {why}", v.id, v.name)),
                            )
                        }
                        OnError::BlockVersion => {
                            unreadable.insert(i);
                        }
                        OnError::UnsafeIgnore => warnings.push(Warning {
                            code: "manifest_ignored".into(),
                            package: Some(input.name.into()),
                            version_id: Some(v.id),
                            detail: format!("unreadable, judged as a leaf: {why}"),
                        }),
                    }
                }
                None => {
                    return block(
                        Reason::new("manifest_unavailable")
                            .detail(format!("version {} ({}) was not read", v.id, v.name)),
                    )
                }
                Some(ManifestState::Missing) => warnings.push(Warning {
                    code: "manifest_missing".into(),
                    package: Some(input.name.into()),
                    version_id: Some(v.id),
                    detail: format!("the registry has no manifest {} (a ghost version)", v.name),
                }),
                Some(ManifestState::Read(_)) => {}
            }
        }
    }

    let roots: BTreeSet<usize> = graph.roots.iter().copied().collect();
    let images: BTreeMap<usize, Image<'_>> = roots
        .iter()
        .map(|&i| {
            let v = &versions[i];
            let listed = graph.listed_children[i];
            let missing = graph.missing_children[i];
            (
                i,
                Image {
                    v,
                    tags: &graph.image_tags[i],
                    time: time_of(v, policy.time_field),
                    ghost: graph.kind[i] == VersionKind::Index && listed > 0 && missing == listed,
                    partial: graph.kind[i] == VersionKind::Index && missing > 0 && missing < listed,
                    orphaned: graph.orphaned[i],
                },
            )
        })
        .collect();

    // Protection and keeps: reasons by root.
    let mut kept: BTreeMap<usize, Vec<Reason>> = BTreeMap::new();
    protect(input, &rules, &images, &mut kept, &mut warnings);
    for (&i, img) in &images {
        let young_from = img.v.created_at.max(img.v.updated_at);
        if input.now - young_from < rules.min_age.to_chrono() {
            kept.entry(i).or_default().push(
                Reason::new("too_new")
                    .rule("min_age")
                    .detail(format!("younger than {}", rules.min_age)),
            );
        }
    }
    // Candidates; with `untag`, images that an `any` clause matches only
    // by some of their tags lose those tags instead.
    let mut candidates: BTreeMap<usize, Vec<Reason>> = BTreeMap::new();
    let mut untags: BTreeMap<usize, (BTreeSet<String>, Vec<Reason>)> = BTreeMap::new();
    for (r, rule) in rules.delete.iter().enumerate() {
        let sel = &rule.selector;
        let name = rule_name(&rule.id, "delete", r, rules.from_override);
        let oldest = sel.oldest.map(|n| oldest_ids(sel, &images, input.now, n));
        for (&i, img) in &images {
            let mut partial = false;
            if oldest.as_ref().is_some_and(|o| !o.contains(&i)) {
                continue;
            }
            if selects(sel, img, input.now, &mut partial) {
                match partial_any(sel, img).filter(|_| rules.untag && container) {
                    Some(tags) => {
                        let u = untags.entry(i).or_default();
                        u.0.extend(tags.iter().cloned());
                        u.1.push(
                            Reason::new("untag_partial_tags")
                                .rule(name.clone())
                                .detail(format!("tags {tags:?} of {:?}", img.tags)),
                        );
                    }
                    None => candidates
                        .entry(i)
                        .or_default()
                        .push(delete_reason(&name, sel, img)),
                }
            } else if partial {
                let mut without_tags = sel.clone();
                without_tags.tags = None;
                let mut ignored = false;
                if selects(&without_tags, img, input.now, &mut ignored) {
                    warnings.push(Warning {
                        code: "partial_tag_match".into(),
                        package: Some(input.name.into()),
                        version_id: Some(img.v.id),
                        detail: format!(
                            "tags {:?}: only some match {name}, which needs all of them; kept",
                            img.tags
                        ),
                    });
                }
            }
        }
    }
    keep_rules(input, &rules, &images, &candidates, &mut kept);
    if !unreadable.is_empty() {
        // block_version: the unreadable versions, every root that reaches
        // them, and every untagged version stay.
        for &u in &unreadable {
            kept.entry(u).or_default();
        }
        for &r in &roots {
            let reach = graph.closure([r]);
            if reach.iter().any(|n| unreadable.contains(n)) || graph.image_tags[r].is_empty() {
                kept.entry(r).or_default().push(
                    Reason::new("manifest_unavailable")
                        .rule("graph.on_error")
                        .detail("near a manifest that could not be read"),
                );
            }
        }
    }

    // An image a rule deletes whole is not untagged; a kept one keeps its tags.
    untags.retain(|i, _| !candidates.contains_key(i) && !kept.contains_key(i));
    // D = C − P − K, then GitHub's last-version rule.
    let mut delete_roots: BTreeSet<usize> = candidates
        .keys()
        .filter(|i| !kept.contains_key(i))
        .copied()
        .collect();
    let mut package_action = None;
    loop {
        let (kept_closure, deleted) = closures(
            &graph,
            &roots,
            &delete_roots,
            &unreadable,
            policy.graph.cascade,
        );
        let all_gone = !versions.is_empty() && deleted.len() == versions.len();
        let tagged_left =
            (0..versions.len()).any(|i| !versions[i].tags.is_empty() && !deleted.contains(&i));
        let tagged_any = versions.iter().any(|v| !v.tags.is_empty());
        let last_tagged_gone = container && tagged_any && !tagged_left;
        if !(all_gone || last_tagged_gone) || delete_roots.is_empty() {
            let _ = kept_closure;
            break;
        }
        match rules.last_version {
            LastVersion::DeletePackage if all_gone => {
                package_action = Some("delete_package".to_owned());
                break;
            }
            LastVersion::Fail => {
                return block(
                    Reason::new("last_version_fail")
                        .rule("last_version")
                        .detail(
                            "the plan would delete the last (tagged) version, which GitHub refuses",
                        ),
                );
            }
            _ => {
                // Keep the newest deleted root: a tagged one when tags are
                // the problem, else any (the tags may be on its referrers,
                // which stay with it); the loop checks again.
                let newest = |tagged_only: bool| {
                    delete_roots
                        .iter()
                        .filter(|&&i| !tagged_only || !versions[i].tags.is_empty())
                        .max_by_key(|&&i| (images[&i].time, versions[i].id))
                        .copied()
                };
                let Some(pick) = newest(last_tagged_gone).or_else(|| newest(false)) else {
                    break;
                };
                delete_roots.remove(&pick);
                kept.entry(pick).or_default().push(
                    Reason::new("last_version").rule("last_version").detail(if last_tagged_gone && !all_gone {
                        "GitHub refuses to delete a container's last tagged version; the newest is kept"
                    } else {
                        "GitHub refuses to delete a package's last version; the newest is kept"
                    }),
                );
            }
        }
    }
    let (kept_closure, deleted) = closures(
        &graph,
        &roots,
        &delete_roots,
        &unreadable,
        policy.graph.cascade,
    );

    // Reasons for every version, and the order of deletion.
    let mut actions: Vec<Action> = Vec::with_capacity(versions.len());
    let mut order: Vec<usize> = Vec::new();
    let mut sorted_roots: Vec<usize> = delete_roots.iter().copied().collect();
    sorted_roots.sort_by_key(|&i| (images[&i].time, versions[i].id));
    let mut placed = BTreeSet::new();
    for &r in &sorted_roots {
        // The root, then its children, then its referrers.
        let mut children = Vec::new();
        let mut refs = Vec::new();
        for n in graph.closure([r]) {
            if n == r || !deleted.contains(&n) || placed.contains(&n) {
                continue;
            }
            if graph.parents[n].is_empty() && graph.subject[n].is_some() {
                refs.push(n);
            } else {
                children.push(n);
            }
        }
        for n in std::iter::once(r).chain(children).chain(refs) {
            if placed.insert(n) {
                order.push(n);
            }
        }
    }
    let by_name: HashMap<&str, usize> = versions
        .iter()
        .enumerate()
        .map(|(n, v)| (v.name.as_str(), n))
        .collect();
    let position: HashMap<usize, usize> = order.iter().enumerate().map(|(p, &n)| (n, p)).collect();
    for (i, v) in versions.iter().enumerate() {
        if let (Some((tags, reasons)), false) = (untags.get(&i), deleted.contains(&i)) {
            let mut a = action(v, i, &graph, &roots, Verdict::Untag, reasons.clone());
            a.untag_tags = tags.iter().cloned().collect();
            actions.push(a);
            continue;
        }
        let (verdict, reasons) = if deleted.contains(&i) {
            let reasons = if let Some(r) = candidates.get(&i).filter(|_| delete_roots.contains(&i))
            {
                r.clone()
            } else {
                vec![cascade_reason(&graph, i, &by_name, &deleted)]
            };
            (Verdict::Delete, reasons)
        } else {
            let mut reasons = kept.get(&i).cloned().unwrap_or_default();
            if reasons.is_empty() {
                reasons = keep_reason(
                    &graph,
                    i,
                    versions,
                    &by_name,
                    &kept_closure,
                    &roots,
                    &candidates,
                    &unreadable,
                );
            }
            (Verdict::Keep, reasons)
        };
        let mut a = action(v, i, &graph, &roots, verdict, reasons);
        if verdict == Verdict::Delete {
            a.order = position.get(&i).map(|p| (p + untags.len()) as u32 + 1);
        }
        actions.push(a);
    }
    // Untagging comes before any delete of the package.
    let mut n = 0;
    for a in actions.iter_mut().filter(|a| a.action == Verdict::Untag) {
        n += 1;
        a.order = Some(n);
    }
    actions.sort_by_key(|a| (a.order.unwrap_or(0), a.version_id));
    // Children of kept indexes that the package does not have.
    for &i in kept_closure.iter() {
        if graph.kind[i] == VersionKind::Index
            && graph.missing_children[i] > 0
            && !graph.image_tags[i].is_empty()
        {
            warnings.push(Warning {
                code: "broken_kept_image".into(),
                package: Some(input.name.into()),
                version_id: Some(versions[i].id),
                detail: format!(
                    "{} ({:?}) lists {} of {} children the package does not have: it is broken already",
                    versions[i].name, graph.image_tags[i], graph.missing_children[i], graph.listed_children[i]
                ),
            });
        }
    }
    let mut plan = blank(Reason::new("none"));
    plan.status = PackageStatus::Ok;
    plan.blocked = None;
    plan.package_action = package_action;
    plan.actions = actions;
    plan.summary = super::plan::summarize(&plan.actions);
    Judged { plan, warnings }
}

/// The keep closure and the deleted set for a choice of deleted roots.
fn closures(
    graph: &Graph,
    roots: &BTreeSet<usize>,
    delete_roots: &BTreeSet<usize>,
    unreadable: &BTreeSet<usize>,
    cascade: bool,
) -> (BTreeSet<usize>, BTreeSet<usize>) {
    let kept_roots = roots.iter().filter(|r| !delete_roots.contains(r)).copied();
    let mut kept = graph.closure(kept_roots.chain(unreadable.iter().copied()));
    // Nodes no root reaches (a referrer-tag cycle) are kept too.
    let reach_all = graph.closure(roots.iter().copied());
    kept.extend((0..graph.out.len()).filter(|i| !reach_all.contains(i)));
    let deleted: BTreeSet<usize> = if cascade {
        graph
            .closure(delete_roots.iter().copied())
            .into_iter()
            .filter(|n| !kept.contains(n))
            .collect()
    } else {
        delete_roots
            .iter()
            .filter(|n| !kept.contains(n))
            .copied()
            .collect()
    };
    (kept, deleted)
}

fn action(
    v: &VersionInfo,
    i: usize,
    graph: &Graph,
    roots: &BTreeSet<usize>,
    verdict: Verdict,
    reasons: Vec<Reason>,
) -> Action {
    let roots_or_all: BTreeSet<usize> = if roots.is_empty() {
        graph.roots.iter().copied().collect()
    } else {
        roots.clone()
    };
    Action {
        version_id: v.id,
        name: v.name.clone(),
        tags: v.tags.clone(),
        updated_at: v.updated_at,
        kind: graph.kind[i],
        platform: graph.platform[i].clone(),
        role: graph.role(i, &roots_or_all),
        parents: graph.parents[i].clone(),
        subject: graph.subject[i].clone(),
        action: verdict,
        untag_tags: Vec::new(),
        order: None,
        reasons,
    }
}

fn delete_reason(rule: &str, sel: &Selector, img: &Image<'_>) -> Reason {
    let (code, mut detail) = if sel.index == Some(IndexState::Ghost) {
        ("ghost_index", "every child is missing".to_owned())
    } else if sel.index == Some(IndexState::Partial) {
        ("partial_index", "some children are missing".to_owned())
    } else if sel.orphaned_referrer == Some(true) {
        ("orphaned_referrer", "its subject is gone".to_owned())
    } else {
        ("matched_delete_rule", String::new())
    };
    let mut parts = Vec::new();
    if let Some(d) = sel.older_than {
        parts.push(format!("older than {d}"));
    }
    if sel.untagged == Some(true) || sel.tagged == Some(false) {
        parts.push("untagged".into());
    }
    if sel.tags.is_some() && !img.tags.is_empty() {
        parts.push(format!("tags {:?}", img.tags));
    }
    if !parts.is_empty() {
        if !detail.is_empty() {
            detail.push_str("; ");
        }
        detail.push_str(&parts.join(", "));
    }
    let r = Reason::new(code).rule(rule);
    if detail.is_empty() {
        r
    } else {
        r.detail(detail)
    }
}

fn cascade_reason(
    graph: &Graph,
    i: usize,
    by_name: &HashMap<&str, usize>,
    deleted: &BTreeSet<usize>,
) -> Reason {
    if !graph.parents[i].is_empty() {
        let parents: Vec<&str> = graph.parents[i]
            .iter()
            .filter(|p| by_name.get(p.as_str()).is_some_and(|n| deleted.contains(n)))
            .map(String::as_str)
            .collect();
        Reason::new("child_of_deleted")
            .detail(format!("listed only by deleted {}", parents.join(", ")))
    } else {
        Reason::new("referrer_of_deleted").detail(format!(
            "refers to deleted {}",
            graph.subject[i].as_deref().unwrap_or("?")
        ))
    }
}

#[allow(clippy::too_many_arguments)]
fn keep_reason(
    graph: &Graph,
    i: usize,
    versions: &[VersionInfo],
    by_name: &HashMap<&str, usize>,
    kept_closure: &BTreeSet<usize>,
    roots: &BTreeSet<usize>,
    candidates: &BTreeMap<usize, Vec<Reason>>,
    unreadable: &BTreeSet<usize>,
) -> Vec<Reason> {
    if unreadable.contains(&i) {
        return vec![Reason::new("manifest_unavailable").rule("graph.on_error")];
    }
    if roots.contains(&i) && !candidates.contains_key(&i) {
        return vec![Reason::new("no_delete_rule")];
    }
    if kept_closure.contains(&i) {
        let kept_parents: Vec<String> = graph.parents[i]
            .iter()
            .filter(|p| {
                by_name
                    .get(p.as_str())
                    .is_some_and(|n| kept_closure.contains(n))
            })
            .map(|p| describe(versions, by_name, p))
            .collect();
        if !kept_parents.is_empty() {
            return vec![Reason::new("child_of_kept")
                .detail(format!("child of {}", kept_parents.join(", ")))];
        }
        if let Some(s) = &graph.subject[i] {
            return vec![Reason::new("referrer_of_kept")
                .detail(format!("refers to {}", describe(versions, by_name, s)))];
        }
    }
    vec![Reason::new("no_delete_rule").detail("nothing selected it")]
}

fn describe(versions: &[VersionInfo], by_name: &HashMap<&str, usize>, digest: &str) -> String {
    match by_name.get(digest).map(|&n| &versions[n]) {
        Some(v) if !v.tags.is_empty() => format!("{digest} ({})", v.tags.join(", ")),
        _ => digest.to_owned(),
    }
}

fn protect(
    input: &PackageInput<'_>,
    rules: &Effective<'_>,
    images: &BTreeMap<usize, Image<'_>>,
    kept: &mut BTreeMap<usize, Vec<Reason>>,
    warnings: &mut Vec<Warning>,
) {
    let p = rules.protect;
    for (&i, img) in images {
        let mut add = |r: Reason| kept.entry(i).or_default().push(r);
        for (n, pat) in p.tags.iter().enumerate() {
            if let Some(t) = img.v.tags.iter().find(|t| pat.matches(t)) {
                add(Reason::new("protected_tag")
                    .rule(format!("protect.tags[{n}]"))
                    .detail(t.clone()));
            }
        }
        if let Some(n) = p.digests.iter().position(|d| *d == img.v.name) {
            add(Reason::new("protected_digest").rule(format!("protect.digests[{n}]")));
        }
        if let Some(n) = p.version_ids.iter().position(|id| *id == img.v.id) {
            add(Reason::new("protected_version_id").rule(format!("protect.version_ids[{n}]")));
        }
        if let Some(n) = p.names.iter().position(|pat| pat.matches(&img.v.name)) {
            add(Reason::new("protected_name")
                .rule(format!("protect.names[{n}]"))
                .detail(img.v.name.clone()));
        }
    }
    let owner = input.policy.owner.login().map(str::to_ascii_lowercase);
    for (n, text) in p.references.iter().enumerate() {
        let Ok(r) = ImageRef::parse(text) else {
            continue;
        };
        let same_registry = match (&r.registry, input.registry_host) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        };
        let same_owner = owner
            .as_deref()
            .map_or(true, |o| r.owner.eq_ignore_ascii_case(o));
        if !same_registry || !same_owner || !r.package.eq_ignore_ascii_case(input.name) {
            continue;
        }
        let hit = images.iter().find(|(_, img)| match (&r.digest, &r.tag) {
            (Some(d), _) => img.v.name == *d,
            (None, Some(t)) => img.v.tags.iter().any(|x| x == t),
            _ => false,
        });
        match hit {
            Some((&i, _)) => kept.entry(i).or_default().push(
                Reason::new("protected_reference")
                    .rule(format!("protect.references[{n}]"))
                    .detail(text.clone()),
            ),
            None => warnings.push(Warning {
                code: "reference_unresolved".into(),
                package: Some(input.name.into()),
                version_id: None,
                detail: format!("{text} names no image of the package"),
            }),
        }
    }
}

fn keep_rules(
    input: &PackageInput<'_>,
    rules: &Effective<'_>,
    images: &BTreeMap<usize, Image<'_>>,
    candidates: &BTreeMap<usize, Vec<Reason>>,
    kept: &mut BTreeMap<usize, Vec<Reason>>,
) {
    for (r, rule) in rules.keep.iter().enumerate() {
        let name = rule_name(&rule.id, "keep", r, rules.from_override);
        let of = rule.of.clone().unwrap_or_default();
        let counted: Vec<(usize, &Image<'_>)> = images
            .iter()
            .filter(|(i, _)| rule.scope == KeepScope::All || candidates.contains_key(i))
            .filter(|(_, img)| {
                let mut ignored = false;
                selects(&of, img, input.now, &mut ignored)
            })
            .map(|(i, img)| (*i, img))
            .collect();
        if let Some(d) = rule.newer_than {
            for (i, img) in &counted {
                if input.now - img.time < d.to_chrono() {
                    kept.entry(*i).or_default().push(
                        Reason::new("kept_newer_than")
                            .rule(name.clone())
                            .detail(format!("newer than {d}")),
                    );
                }
            }
        }
        if let Some(n) = rule.latest {
            for (group, members) in groups(rule, &of, &counted) {
                let mut members = members;
                members.sort_by_key(|m| std::cmp::Reverse((m.1.time, m.1.v.id)));
                for (rank, (i, _)) in members.iter().take(n as usize).enumerate() {
                    let detail = match &group {
                        Some(g) => format!("{} of the {n} newest of stream {g}", rank + 1),
                        None => format!("{} of the {n} newest", rank + 1),
                    };
                    kept.entry(*i)
                        .or_default()
                        .push(Reason::new("kept_latest").rule(name.clone()).detail(detail));
                }
            }
        }
    }
}

type Group<'i, 'a> = Vec<(usize, &'i Image<'a>)>;

/// The images a `latest` rule counts, by `group_by` stream (one group when none).
fn groups<'i, 'a>(
    rule: &KeepRule,
    of: &Selector,
    counted: &[(usize, &'i Image<'a>)],
) -> BTreeMap<Option<String>, Group<'i, 'a>> {
    let mut out: BTreeMap<Option<String>, Group<'i, 'a>> = BTreeMap::new();
    let group: Option<usize> = rule
        .group_by
        .as_deref()
        .and_then(|g| g.strip_prefix("tag:"))
        .and_then(|n| n.parse().ok());
    let patterns = of.tags.as_ref().map(|t| t.parts().1).unwrap_or(&[]);
    for &(i, img) in counted {
        match group {
            None => out.entry(None).or_default().push((i, img)),
            Some(g) => {
                let keys: BTreeSet<String> = img
                    .tags
                    .iter()
                    .filter_map(|t| patterns.iter().find_map(|p| p.capture(t, g)))
                    .collect();
                for k in keys {
                    out.entry(Some(k)).or_default().push((i, img));
                }
            }
        }
    }
    out
}
