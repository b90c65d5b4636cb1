//! Importers: the inputs of today's cleanup actions, translated into a
//! policy with the same selection, so users can move over and see in a plan
//! what their old configuration did. Inputs are the actions' own names and
//! string values (as a workflow's `with:` gives them). Where ghpkg is safer
//! than the tool it keeps the safety: the whole image graph is protected,
//! and images younger than an hour are never deleted.
//!
//! - snok/container-retention-policy v3 ([`Policy::from_crp`])
//! - dataaxiom/ghcr-cleanup-action v1 ([`Policy::from_dataaxiom`])
//! - actions/delete-package-versions v5 ([`Policy::from_dpv`])
//! - vlaurin/action-ghcr-prune v0.6 ([`Policy::from_vlaurin`])

use std::collections::BTreeMap;

use super::duration::Span;
use super::pattern::Pattern;
use super::policy::{
    DeleteRule, GraphOptions, KeepRule, KeepScope, PackageFilter, Policy, PolicyOwner, Protect,
    Selector, TagClause, TimeField,
};
use crate::error::{Error, Result};
use crate::models::PackageType;

/// A tool's inputs: name → value, as strings.
pub type Inputs = BTreeMap<String, String>;

struct Reader<'a> {
    tool: &'static str,
    inputs: &'a Inputs,
    known: &'static [&'static str],
}

impl<'a> Reader<'a> {
    fn new(tool: &'static str, inputs: &'a Inputs, known: &'static [&'static str]) -> Result<Self> {
        if let Some(k) = inputs.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(Error::invalid(format!(
                "{tool} has no input {k:?}; its inputs are {}",
                known.join(", ")
            )));
        }
        Ok(Reader {
            tool,
            inputs,
            known,
        })
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        debug_assert!(self.known.contains(&name));
        self.inputs
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    fn bad(&self, name: &str, why: impl std::fmt::Display) -> Error {
        Error::invalid(format!("{} input {name}: {why}", self.tool))
    }

    fn flag(&self, name: &str) -> Result<Option<bool>> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(self.bad(name, format!("{other:?} is not true or false"))),
        }
    }

    fn number(&self, name: &str) -> Result<Option<i64>> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| self.bad(name, format!("{v:?} is not a number")))
            })
            .transpose()
    }

    /// A list separated by commas, spaces or new lines.
    fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn pattern(&self, name: &str, text: &str) -> Result<Pattern> {
        Pattern::parse(text).map_err(|e| self.bad(name, e.message()))
    }

    fn span(&self, name: &str, text: &str) -> Result<Span> {
        Span::parse(text).map_err(|e| self.bad(name, e.message()))
    }
}

fn base(owner: PolicyOwner, package_type: PackageType) -> Policy {
    Policy {
        version: 1,
        owner,
        package_type,
        packages: PackageFilter::default(),
        time_field: TimeField::UpdatedAt,
        min_age: Span::hours(1),
        protect: Protect::default(),
        delete: Vec::new(),
        keep: Vec::new(),
        graph: GraphOptions::default(),
        last_version: super::policy::LastVersion::KeepNewest,
        untag: false,
        overrides: Vec::new(),
    }
}

fn rule(id: &str, selector: Selector) -> DeleteRule {
    DeleteRule {
        id: Some(id.to_owned()),
        selector,
    }
}

/// Splits `!`-prefixed negative patterns from positive ones.
fn split_negatives(r: &Reader<'_>, name: &str) -> Result<(Vec<Pattern>, Vec<Pattern>)> {
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for p in r.list(name) {
        match p.strip_prefix('!') {
            Some(n) => neg.push(r.pattern(name, n)?),
            None => pos.push(r.pattern(name, &p)?),
        }
    }
    Ok((pos, neg))
}

/// The tools [`Policy::import`] reads the inputs of, by the names every
/// front door uses.
pub const IMPORT_TOOLS: [&str; 4] = ["crp", "dataaxiom", "dpv", "vlaurin"];

impl Policy {
    /// The policy another cleanup tool's inputs describe; `tool` is one of
    /// [`IMPORT_TOOLS`]: `crp` ([`Policy::from_crp`]), `dataaxiom`
    /// ([`Policy::from_dataaxiom`]), `dpv` ([`Policy::from_dpv`]) or
    /// `vlaurin` ([`Policy::from_vlaurin`]).
    pub fn import(tool: &str, inputs: &Inputs) -> Result<Policy> {
        match tool {
            "crp" => Policy::from_crp(inputs),
            "dataaxiom" => Policy::from_dataaxiom(inputs),
            "dpv" => Policy::from_dpv(inputs),
            "vlaurin" => Policy::from_vlaurin(inputs),
            other => Err(crate::Error::invalid(format!(
                "unknown tool {other:?}: one of {}",
                IMPORT_TOOLS.join(", ")
            ))),
        }
    }

    /// snok/container-retention-policy v3: `account`, `image-names`,
    /// `image-tags`, `tag-selection`, `cut-off`, `timestamp-to-use`,
    /// `skip-shas`, `keep-n-most-recent` (`token`, `dry-run`, `rust-log` are
    /// accepted and ignored). Tag patterns must match **all** of an image's
    /// tags; `!` patterns protect; keep-n counts tagged candidates.
    pub fn from_crp(inputs: &Inputs) -> Result<Policy> {
        let r = Reader::new(
            "snok/container-retention-policy",
            inputs,
            &[
                "account",
                "token",
                "image-names",
                "image-tags",
                "tag-selection",
                "cut-off",
                "timestamp-to-use",
                "skip-shas",
                "keep-n-most-recent",
                "dry-run",
                "rust-log",
                "token-type",
            ],
        )?;
        let account = r
            .get("account")
            .ok_or_else(|| r.bad("account", "is required"))?;
        let owner = if account == "user" {
            PolicyOwner::Me
        } else {
            PolicyOwner::Org {
                org: account.to_owned(),
            }
        };
        let mut p = base(owner, PackageType::Container);
        let (include, exclude) = split_negatives(&r, "image-names")?;
        if include.is_empty() && exclude.is_empty() {
            return Err(r.bad("image-names", "is required"));
        }
        p.packages = PackageFilter { include, exclude };
        p.time_field = match r.get("timestamp-to-use") {
            None | Some("updated_at") => TimeField::UpdatedAt,
            Some("created_at") => TimeField::CreatedAt,
            Some(o) => {
                return Err(r.bad(
                    "timestamp-to-use",
                    format!("{o:?} is not updated_at or created_at"),
                ))
            }
        };
        let cut = r
            .get("cut-off")
            .ok_or_else(|| r.bad("cut-off", "is required"))?;
        let cut = r.span("cut-off", cut)?;
        let (tags, negative) = split_negatives(&r, "image-tags")?;
        p.protect.tags = negative;
        p.protect.digests = r.list("skip-shas");
        let selection = r.get("tag-selection").unwrap_or("both");
        if !matches!(selection, "tagged" | "untagged" | "both") {
            return Err(r.bad(
                "tag-selection",
                format!("{selection:?} is not tagged, untagged or both"),
            ));
        }
        if selection != "tagged" {
            p.delete.push(rule(
                "untagged",
                Selector {
                    untagged: Some(true),
                    older_than: Some(cut),
                    ..Selector::default()
                },
            ));
        }
        if selection != "untagged" {
            p.delete.push(rule(
                "tagged",
                Selector {
                    tagged: Some(true),
                    older_than: Some(cut),
                    tags: (!tags.is_empty()).then(|| TagClause::All { all: tags }),
                    ..Selector::default()
                },
            ));
        }
        if let Some(n) = r.number("keep-n-most-recent")?.filter(|n| *n > 0) {
            p.keep.push(KeepRule {
                id: Some("keep-n-most-recent".into()),
                latest: Some(n as u32),
                of: Some(Selector {
                    tagged: Some(true),
                    ..Selector::default()
                }),
                scope: KeepScope::Candidates,
                ..KeepRule::default()
            });
        }
        p.check_imported()
    }

    /// dataaxiom/ghcr-cleanup-action v1: `owner`, `package`/`packages`,
    /// `exclude-tags`, `older-than`, `delete-tags` (alias `tags`),
    /// `use-regex`, `keep-n-tagged`, `keep-n-untagged`, `delete-untagged`,
    /// `delete-ghost-images`, `delete-partial-images`,
    /// `delete-orphaned-images` (`token`, `dry-run`, `validate`, `log-level`,
    /// `registry-url`, `github-api-url`, `expand-packages` are accepted and
    /// ignored). A delete tag on a multi-tagged image untags it.
    pub fn from_dataaxiom(inputs: &Inputs) -> Result<Policy> {
        let r = Reader::new(
            "dataaxiom/ghcr-cleanup-action",
            inputs,
            &[
                "owner",
                "package",
                "packages",
                "repository",
                "exclude-tags",
                "older-than",
                "delete-tags",
                "tags",
                "use-regex",
                "keep-n-tagged",
                "keep-n-untagged",
                "delete-untagged",
                "delete-ghost-images",
                "delete-partial-images",
                "delete-orphaned-images",
                "token",
                "dry-run",
                "validate",
                "log-level",
                "registry-url",
                "github-api-url",
                "expand-packages",
            ],
        )?;
        let owner = r
            .get("owner")
            .ok_or_else(|| r.bad("owner", "is required"))?;
        let mut p = base(
            PolicyOwner::Org {
                org: owner.to_owned(),
            },
            PackageType::Container,
        );
        let regex = r.flag("use-regex")?.unwrap_or(false);
        let pat = |name: &str, text: &str| -> Result<Pattern> {
            if regex {
                r.pattern(name, &format!("re:{text}"))
            } else {
                r.pattern(name, text)
            }
        };
        let mut packages = r.list("packages");
        packages.extend(r.list("package"));
        p.packages.include = packages
            .iter()
            .map(|n| pat("packages", n))
            .collect::<Result<_>>()?;
        for t in r.list("exclude-tags") {
            if super::policy::is_digest(&t) {
                p.protect.digests.push(t);
            } else {
                p.protect.tags.push(pat("exclude-tags", &t)?);
            }
        }
        let older = r
            .get("older-than")
            .map(|v| r.span("older-than", v))
            .transpose()?;
        let mut delete_tags = r.list("delete-tags");
        delete_tags.extend(r.list("tags"));
        let keep_tagged = r.number("keep-n-tagged")?;
        let keep_untagged = r.number("keep-n-untagged")?;
        let flags = [
            ("delete-untagged", r.flag("delete-untagged")?),
            ("delete-ghost-images", r.flag("delete-ghost-images")?),
            ("delete-partial-images", r.flag("delete-partial-images")?),
            ("delete-orphaned-images", r.flag("delete-orphaned-images")?),
        ];
        let anything = !delete_tags.is_empty()
            || keep_tagged.is_some()
            || keep_untagged.is_some()
            || flags.iter().any(|(_, f)| f.is_some());
        let with_age = |mut s: Selector| {
            s.older_than = older;
            s
        };
        if !delete_tags.is_empty() {
            let tags = delete_tags
                .iter()
                .map(|t| pat("delete-tags", t))
                .collect::<Result<Vec<_>>>()?;
            p.untag = true;
            p.delete.push(rule(
                "delete-tags",
                with_age(Selector {
                    tags: Some(TagClause::Any { any: tags.clone() }),
                    ..Selector::default()
                }),
            ));
            if let Some(n) = keep_tagged.filter(|n| *n >= 0) {
                p.keep.push(KeepRule {
                    id: Some("keep-n-tagged".into()),
                    latest: Some(n as u32),
                    of: Some(Selector {
                        tags: Some(TagClause::Any { any: tags }),
                        ..Selector::default()
                    }),
                    scope: KeepScope::Candidates,
                    ..KeepRule::default()
                });
            }
        } else if let Some(n) = keep_tagged {
            p.delete.push(rule(
                "keep-n-tagged",
                with_age(Selector {
                    tagged: Some(true),
                    ..Selector::default()
                }),
            ));
            if n > 0 {
                p.keep.push(KeepRule {
                    id: Some("keep-n-tagged".into()),
                    latest: Some(n as u32),
                    of: Some(Selector {
                        tagged: Some(true),
                        ..Selector::default()
                    }),
                    scope: KeepScope::Candidates,
                    ..KeepRule::default()
                });
            }
        }
        let delete_untagged = flags[0].1.unwrap_or(!anything);
        if delete_untagged || keep_untagged.is_some() {
            p.delete.push(rule(
                "delete-untagged",
                with_age(Selector {
                    untagged: Some(true),
                    ..Selector::default()
                }),
            ));
            if let Some(n) = keep_untagged.filter(|n| *n > 0) {
                p.keep.push(KeepRule {
                    id: Some("keep-n-untagged".into()),
                    latest: Some(n as u32),
                    of: Some(Selector {
                        untagged: Some(true),
                        ..Selector::default()
                    }),
                    scope: KeepScope::Candidates,
                    ..KeepRule::default()
                });
            }
        }
        use super::policy::IndexState;
        if flags[1].1 == Some(true) {
            p.delete.push(rule(
                "delete-ghost-images",
                Selector {
                    index: Some(IndexState::Ghost),
                    ..Selector::default()
                },
            ));
        }
        if flags[2].1 == Some(true) {
            p.delete.push(rule(
                "delete-partial-images",
                Selector {
                    index: Some(IndexState::Partial),
                    ..Selector::default()
                },
            ));
        }
        if flags[3].1 == Some(true) {
            p.delete.push(rule(
                "delete-orphaned-images",
                Selector {
                    orphaned_referrer: Some(true),
                    ..Selector::default()
                },
            ));
        }
        p.check_imported()
    }

    /// actions/delete-package-versions v5: `package-name`, `package-type`,
    /// `owner`, `num-old-versions-to-delete`, `min-versions-to-keep`,
    /// `ignore-versions`, `delete-only-pre-release-versions`,
    /// `delete-only-untagged-versions`, `package-version-ids` (`token` is
    /// accepted and ignored). `ignore-versions` protects version names (a
    /// digest for containers, as in the action).
    pub fn from_dpv(inputs: &Inputs) -> Result<Policy> {
        let r = Reader::new(
            "actions/delete-package-versions",
            inputs,
            &[
                "package-name",
                "package-type",
                "owner",
                "num-old-versions-to-delete",
                "min-versions-to-keep",
                "ignore-versions",
                "delete-only-pre-release-versions",
                "delete-only-untagged-versions",
                "package-version-ids",
                "token",
            ],
        )?;
        let owner = r.get("owner").ok_or_else(|| {
            r.bad(
                "owner",
                "is required (the action's default is the repository owner)",
            )
        })?;
        let ty: PackageType = r
            .get("package-type")
            .ok_or_else(|| r.bad("package-type", "is required"))?
            .parse()
            .map_err(|e: Error| r.bad("package-type", e.message()))?;
        let name = r
            .get("package-name")
            .ok_or_else(|| r.bad("package-name", "is required"))?;
        let mut p = base(
            PolicyOwner::User {
                user: owner.to_owned(),
            },
            ty,
        );
        p.time_field = TimeField::CreatedAt;
        p.packages.include = vec![r.pattern("package-name", &format!("={name}"))?];
        if let Some(ids) = r.get("package-version-ids") {
            let ids = ids
                .split(',')
                .map(|s| {
                    s.trim()
                        .parse::<u64>()
                        .map_err(|_| r.bad("package-version-ids", format!("{s:?} is not an id")))
                })
                .collect::<Result<Vec<_>>>()?;
            p.delete.push(rule(
                "package-version-ids",
                Selector {
                    version_ids: Some(ids),
                    ..Selector::default()
                },
            ));
            p.min_age = Span::seconds(0);
            return p.check_imported();
        }
        if let Some(ignore) = r.get("ignore-versions") {
            p.protect
                .names
                .push(r.pattern("ignore-versions", &format!("re:{ignore}"))?);
        }
        let mut sel = Selector::default();
        if r.flag("delete-only-pre-release-versions")? == Some(true) {
            if ty == PackageType::Container {
                return Err(r.bad(
                    "delete-only-pre-release-versions",
                    "reads version names, which are digests for containers",
                ));
            }
            sel.prerelease = Some(true);
        }
        if r.flag("delete-only-untagged-versions")? == Some(true) {
            sel.untagged = Some(true);
        }
        match r.number("min-versions-to-keep")?.filter(|n| *n >= 0) {
            Some(n) => {
                sel.older_than = Some(Span::seconds(0));
                p.delete.push(rule("min-versions-to-keep", sel.clone()));
                if n > 0 {
                    p.keep.push(KeepRule {
                        id: Some("min-versions-to-keep".into()),
                        latest: Some(n as u32),
                        of: Some(sel),
                        scope: KeepScope::Candidates,
                        ..KeepRule::default()
                    });
                }
            }
            None => {
                let n = r.number("num-old-versions-to-delete")?.unwrap_or(1);
                if n <= 0 {
                    return Err(r.bad("num-old-versions-to-delete", "must be at least 1"));
                }
                sel.oldest = Some(n as u32);
                p.delete.push(rule("num-old-versions-to-delete", sel));
            }
        }
        p.check_imported()
    }

    /// vlaurin/action-ghcr-prune v0.6: `organization` or `user` (neither:
    /// the authenticated user), `container`, `keep-younger-than` (days),
    /// `keep-last`, `keep-tags`, `keep-tags-regexes`, `prune-tags-regexes`,
    /// `prune-untagged` (`token`, `dry-run`, `tag-regex` are accepted;
    /// `tag-regex` is the old name of `prune-tags-regexes`). Prune patterns
    /// match **any** tag; `keep-last` counts tagged and untagged candidates
    /// together, by `created_at`.
    pub fn from_vlaurin(inputs: &Inputs) -> Result<Policy> {
        let r = Reader::new(
            "vlaurin/action-ghcr-prune",
            inputs,
            &[
                "organization",
                "user",
                "container",
                "keep-younger-than",
                "keep-last",
                "keep-tags",
                "keep-tags-regexes",
                "prune-tags-regexes",
                "tag-regex",
                "prune-untagged",
                "untagged",
                "token",
                "dry-run",
            ],
        )?;
        let owner = match (r.get("organization"), r.get("user")) {
            (Some(o), None) => PolicyOwner::Org { org: o.to_owned() },
            (None, Some(u)) => PolicyOwner::User { user: u.to_owned() },
            (None, None) => PolicyOwner::Me,
            (Some(_), Some(_)) => {
                return Err(r.bad("organization", "give organization or user, not both"))
            }
        };
        let container = r
            .get("container")
            .ok_or_else(|| r.bad("container", "is required"))?;
        let mut p = base(owner, PackageType::Container);
        p.time_field = TimeField::CreatedAt;
        p.packages.include = vec![r.pattern("container", &format!("={container}"))?];
        if let Some(days) = r.number("keep-younger-than")? {
            p.min_age = Span::days(days.max(0) as u64).max(Span::hours(1));
        }
        for t in r.list("keep-tags") {
            p.protect
                .tags
                .push(r.pattern("keep-tags", &format!("={t}"))?);
        }
        for t in r.list("keep-tags-regexes") {
            p.protect
                .tags
                .push(r.pattern("keep-tags-regexes", &format!("re:{t}"))?);
        }
        let mut prune = r.list("prune-tags-regexes");
        prune.extend(r.list("tag-regex"));
        let untagged = r
            .flag("prune-untagged")?
            .or(r.flag("untagged")?)
            .unwrap_or(false);
        if untagged {
            p.delete.push(rule(
                "prune-untagged",
                Selector {
                    untagged: Some(true),
                    ..Selector::default()
                },
            ));
        }
        if !prune.is_empty() {
            let any = prune
                .iter()
                .map(|t| r.pattern("prune-tags-regexes", &format!("re:{t}")))
                .collect::<Result<Vec<_>>>()?;
            p.delete.push(rule(
                "prune-tags-regexes",
                Selector {
                    tags: Some(TagClause::Any { any }),
                    ..Selector::default()
                },
            ));
        }
        if let Some(n) = r.number("keep-last")?.filter(|n| *n > 0) {
            p.keep.push(KeepRule {
                id: Some("keep-last".into()),
                latest: Some(n as u32),
                scope: KeepScope::Candidates,
                ..KeepRule::default()
            });
        }
        p.check_imported()
    }

    /// An imported policy goes through the same checks as one read from JSON.
    fn check_imported(self) -> Result<Policy> {
        Policy::from_json(&self.to_json().to_string())
    }
}
