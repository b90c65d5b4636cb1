//! After a run: does every kept image still resolve with all its children?
//! Each kept tag of a package that lost versions is resolved with a `HEAD`
//! (which GitHub does not count as a download, unlike a `GET`), and so is
//! every manifest an index reaches.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::cache::ManifestCache;
use super::evaluate::ManifestState;
use super::oci::referrer_tag_subject;
use super::plan::{PackageStatus, Plan, Verdict};
use super::registry::{repository, Registry};
use super::report::{Broken, Outcome, Report, VerifyReport};
use super::Retention;
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::models::{PackageType, VersionState};

impl Retention {
    /// Checks that every image a plan keeps still resolves whole: each tag
    /// of each kept version of the plan's container packages, and every
    /// manifest it reaches (`HEAD` requests, which GitHub does not count as
    /// downloads). Apply does this for the packages it changed; this is the
    /// same check on demand, e.g. after a run by another tool. Sends only
    /// reads. `registry_url` defaults to the plan's registry.
    pub async fn verify(&self, plan: &Plan, registry_url: Option<&str>) -> Result<VerifyReport> {
        if plan.policy.package_type != PackageType::Container {
            return Ok(VerifyReport::default());
        }
        let url = registry_url
            .map(str::to_owned)
            .or_else(|| plan.target.registry.clone())
            .ok_or_else(|| {
                Error::invalid(
                    "the plan names no registry; pass the registry URL to verify against",
                )
            })?;
        let registry = Registry::new(&self.client, &url)?;
        let all: BTreeSet<&str> = plan.packages.iter().map(|p| p.name.as_str()).collect();
        kept_images(&self.client, &registry, &self.cache, plan, &all).await
    }
}

/// The changed packages of a run, for [`kept_images`].
pub(crate) fn touched(report: &Report) -> BTreeSet<&str> {
    report
        .items
        .iter()
        .filter(|i| matches!(i.outcome, Outcome::Deleted | Outcome::Untagged))
        .map(|i| i.package.as_str())
        .collect()
}

/// Resolves the kept tags of the plan's `packages`.
pub(crate) async fn kept_images(
    client: &Client,
    registry: &Registry,
    cache: &Arc<dyn ManifestCache>,
    plan: &Plan,
    touched: &BTreeSet<&str>,
) -> Result<VerifyReport> {
    let mut out = VerifyReport::default();
    let owner = plan.policy.owner.to_owner();
    for p in plan
        .packages
        .iter()
        .filter(|p| p.status == PackageStatus::Ok && touched.contains(p.name.as_str()))
    {
        let login = plan
            .policy
            .owner
            .login()
            .or(plan.target.login.as_deref())
            .unwrap_or_default();
        let repo = repository(login, &p.name)?;
        let active = client
            .list_versions(&owner, p.package_type, &p.name, Some(VersionState::Active))
            .collect_all()
            .await?;
        let kept: BTreeSet<u64> = p
            .actions
            .iter()
            .filter(|a| a.action != Verdict::Delete)
            .map(|a| a.version_id)
            .collect();
        for v in active.iter().filter(|v| kept.contains(&v.id)) {
            for tag in v
                .tags()
                .iter()
                .filter(|t| referrer_tag_subject(t).is_none())
            {
                out.checked_tags += 1;
                let mut missing = Vec::new();
                let resolved = registry
                    .resolve(&repo, tag)
                    .await
                    .map_err(|p| Error::new(ErrorKind::Transport, p.detail))?;
                match resolved {
                    None => missing.push(v.name.clone()),
                    Some(d) => closure_missing(registry, cache, &repo, &d, &mut missing).await?,
                }
                if !missing.is_empty() {
                    out.broken.push(Broken {
                        package: p.name.clone(),
                        tag: tag.clone(),
                        missing,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Adds to `missing` every manifest `digest` reaches that does not resolve.
async fn closure_missing(
    registry: &Registry,
    cache: &Arc<dyn ManifestCache>,
    repo: &str,
    digest: &str,
    missing: &mut Vec<String>,
) -> Result<()> {
    let mut queue = vec![digest.to_owned()];
    let mut seen: HashMap<String, ()> = HashMap::new();
    while let Some(d) = queue.pop() {
        if seen.insert(d.clone(), ()).is_some() {
            continue;
        }
        let transport =
            |p: super::registry::RegistryProblem| Error::new(ErrorKind::Transport, p.detail);
        let (present, manifest) = match cache.get(&d) {
            // Known from the plan: the registry must still have it (the
            // tag's own digest was just resolved).
            Some(m) => (
                d == digest
                    || registry
                        .resolve(repo, &d)
                        .await
                        .map_err(transport)?
                        .is_some(),
                Some(m),
            ),
            None => match registry.manifest(repo, &d).await.map_err(transport)? {
                ManifestState::Read(m) => {
                    cache.put(&d, &m);
                    (true, Some(m))
                }
                _ => (false, None),
            },
        };
        if !present {
            missing.push(d.clone());
            continue;
        }
        if let Some(m) = manifest {
            queue.extend(m.children.iter().map(|c| c.digest.clone()));
        }
    }
    Ok(())
}
