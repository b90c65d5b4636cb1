//! Making a plan: the covered packages, each one's complete version
//! listing, every manifest of a container package (cache first, then the
//! registry, at most eight reads in flight), then the judgement.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};

use super::cache::{FileCache, ManifestCache};
use super::evaluate::{judge, ManifestState, PackageInput, VersionInfo};
use super::plan::{Plan, Target, Totals, Warning, PLAN_VERSION};
use super::policy::Policy;
use super::registry::{registry_for, repository, Registry, RegistryProblem, MAX_IN_FLIGHT};
use crate::client::Client;
use crate::error::{ErrorKind, Result};
use crate::models::{PackageType, VersionState};

/// How a plan is made. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanOptions {
    /// The instant ages are judged at (default: now). Pin it to make the
    /// same plan again.
    #[serde(default)]
    pub now: Option<DateTime<Utc>>,
    /// The container registry to read manifests from (default: the one of
    /// the API host: `ghcr.io`, or `containers.HOST` on GitHub Enterprise
    /// Server).
    #[serde(default)]
    pub registry_url: Option<String>,
    /// A JSON Lines file that keeps manifests between plans.
    #[serde(default)]
    pub manifest_cache: Option<PathBuf>,
}

/// A package the policy covers.
struct Covered {
    name: String,
    id: u64,
    /// The owner's login, which names the package's registry repository.
    owner: Option<String>,
}

/// What reading the registry gave for one package.
struct Read {
    manifests: HashMap<String, ManifestState>,
    problem: Option<(String, String)>,
}

pub(crate) async fn make_plan(
    client: &Client,
    cache: &Arc<dyn ManifestCache>,
    policy: &Policy,
    opts: &PlanOptions,
) -> Result<Plan> {
    let now = opts.now.unwrap_or_else(Utc::now).trunc_subsecs(0);
    let cache: Arc<dyn ManifestCache> = match &opts.manifest_cache {
        Some(path) => Arc::new(FileCache::open(path)?),
        None => Arc::clone(cache),
    };
    let container = policy.package_type == PackageType::Container;
    let mut warnings = Vec::new();
    let registry_url = opts
        .registry_url
        .clone()
        .or_else(|| registry_for(client.base_url()));
    let registry = match (&registry_url, container) {
        (Some(url), true) => Some(Registry::new(client, url)?),
        _ => None,
    };
    let packages = covered(client, policy, &mut warnings).await?;
    let mut plan = Plan {
        plan_version: PLAN_VERSION,
        id: String::new(),
        now,
        policy: policy.clone(),
        policy_hash: policy.hash(),
        target: Target {
            base_url: client.base_url().to_owned(),
            registry: registry.as_ref().map(Registry::origin),
            owner: policy.owner.login().map(str::to_owned),
        },
        edits: Vec::new(),
        packages: Vec::new(),
        warnings: Vec::new(),
        totals: Totals::default(),
    };
    let owner = policy.owner.to_owner();
    for pkg in packages {
        let mut listing = client.list_versions(
            &owner,
            policy.package_type,
            &pkg.name,
            Some(VersionState::Active),
        );
        let mut versions = Vec::new();
        let mut incomplete = None;
        while let Some(page) = listing.next_page().await {
            match page {
                Ok(page) => versions.extend(page.iter().map(VersionInfo::from)),
                Err(e) if e.kind() == ErrorKind::Authentication => return Err(e),
                Err(e) => {
                    incomplete = Some(format!("listing the versions failed: {e}"));
                    break;
                }
            }
        }
        if listing.reached_paging_limit() {
            incomplete = Some("the listing stopped at GitHub's 10,000-item paging limit".into());
        }
        let read = if container && incomplete.is_none() {
            let login = pkg
                .owner
                .as_deref()
                .or(policy.owner.login())
                .unwrap_or_default();
            read_manifests(registry.as_ref(), &cache, login, &pkg.name, &versions).await
        } else {
            Read {
                manifests: HashMap::new(),
                problem: None,
            }
        };
        let host = registry.as_ref().map(Registry::host);
        let judged = judge(&PackageInput {
            policy,
            name: &pkg.name,
            package_id: pkg.id,
            versions: &versions,
            incomplete,
            manifests: &read.manifests,
            registry_problem: read.problem,
            now,
            registry_host: host.as_deref(),
        });
        warnings.extend(judged.warnings);
        plan.packages.push(judged.plan);
    }
    plan.packages.sort_by(|a, b| a.name.cmp(&b.name));
    plan.warnings = warnings;
    plan.finish(registry.as_ref().map_or(0, Registry::reads));
    Ok(plan)
}

/// The packages the policy covers, by name: fetched one by one when the
/// policy names them exactly (what an Actions token can do), else listed.
async fn covered(
    client: &Client,
    policy: &Policy,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Covered>> {
    let owner = policy.owner.to_owner();
    let mut out = Vec::new();
    if let Some(names) = policy.packages.literal_names() {
        for name in names {
            if !policy.packages.covers(name) {
                continue;
            }
            match client.get_package(&owner, policy.package_type, name).await {
                Ok(p) => out.push(Covered {
                    owner: p.owner.map(|o| o.login),
                    name: p.name,
                    id: p.id,
                }),
                Err(e) if e.kind() == ErrorKind::NotFound => warnings.push(Warning {
                    code: "package_not_found".into(),
                    package: Some(name.to_owned()),
                    version_id: None,
                    detail: format!(
                        "{owner} has no {} package {name:?} the token can see",
                        policy.package_type
                    ),
                }),
                Err(e) => return Err(e),
            }
        }
    } else {
        let mut listing = client.list_packages(&owner, policy.package_type, None);
        while let Some(page) = listing.next_page().await {
            for p in page? {
                if policy.packages.covers(&p.name) {
                    out.push(Covered {
                        owner: p.owner.map(|o| o.login),
                        name: p.name,
                        id: p.id,
                    });
                }
            }
        }
        if listing.reached_paging_limit() {
            warnings.push(Warning {
                code: "package_listing_incomplete".into(),
                package: None,
                version_id: None,
                detail:
                    "GitHub lists at most 10,000 packages; the packages beyond are not in this \
                         plan (name them in packages.include to reach them)"
                        .into(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    Ok(out)
}

/// Every version's manifest: from the cache, else the registry.
async fn read_manifests(
    registry: Option<&Registry>,
    cache: &Arc<dyn ManifestCache>,
    owner_login: &str,
    package: &str,
    versions: &[VersionInfo],
) -> Read {
    let problem = |p: RegistryProblem| Read {
        manifests: HashMap::new(),
        problem: Some((p.code.to_owned(), p.detail)),
    };
    let Some(registry) = registry else {
        return problem(RegistryProblem {
            code: "registry_unavailable",
            detail: "no container registry is known for this API host; give registry_url".into(),
        });
    };
    let repo = match repository(owner_login, package) {
        Ok(r) if !owner_login.is_empty() => r,
        Ok(_) => {
            return problem(RegistryProblem {
                code: "registry_unavailable",
                detail: "the package's owner is not known, so its registry repository is not"
                    .into(),
            })
        }
        Err(e) => {
            return problem(RegistryProblem {
                code: "registry_unavailable",
                detail: e.message().to_owned(),
            })
        }
    };
    let mut manifests = HashMap::new();
    let mut wanted = Vec::new();
    for v in versions {
        match cache.get(&v.name) {
            Some(m) => {
                manifests.insert(v.name.clone(), ManifestState::Read(m));
            }
            None => wanted.push(v.name.clone()),
        }
    }
    let results: Vec<(String, std::result::Result<ManifestState, RegistryProblem>)> =
        stream::iter(wanted)
            .map(|digest| {
                let repo = repo.clone();
                async move {
                    let got = registry.manifest(&repo, &digest).await;
                    (digest, got)
                }
            })
            .buffer_unordered(MAX_IN_FLIGHT)
            .collect()
            .await;
    for (digest, got) in results {
        match got {
            Ok(state) => {
                if let ManifestState::Read(m) = &state {
                    cache.put(&digest, m);
                }
                manifests.insert(digest, state);
            }
            Err(p) => return problem(p),
        }
    }
    Read {
        manifests,
        problem: None,
    }
}
