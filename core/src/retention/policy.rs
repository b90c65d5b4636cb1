//! The retention policy: one JSON document, the same in every language,
//! with a published JSON Schema (`schemas/policy.schema.json`). Unknown
//! fields are refused, with the path of the field in the message.
//!
//! Precedence is protect > keep > delete: a protected or kept image is never
//! deleted; delete rules select among the rest.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use super::duration::Span;
use super::pattern::Pattern;
use crate::error::{Error, Result};
use crate::models::PackageType;
use crate::path::Owner;

/// What a retention run may delete, and what it must keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The policy format; 1.
    #[serde(default = "one")]
    pub version: u32,
    /// Whose packages: `{"org": "acme"}`, `{"user": "octocat"}` or `"me"`.
    pub owner: PolicyOwner,
    /// The registry: `container`, `npm`, `maven`, `rubygems`, `nuget` or `docker`.
    pub package_type: PackageType,
    /// Which packages the policy covers (default: every package of the type).
    #[serde(default)]
    pub packages: PackageFilter,
    /// The timestamp that ages and orders versions (default `updated_at`).
    #[serde(default)]
    pub time_field: TimeField,
    /// Versions younger than this are never deleted: it guards pushes in
    /// progress, whose children arrive before their index (default `1h`).
    #[serde(default = "default_min_age")]
    pub min_age: Span,
    /// What is never deleted, whatever the rules say.
    #[serde(default)]
    pub protect: Protect,
    /// What may be deleted: an image is a candidate when any rule selects it.
    #[serde(default)]
    pub delete: Vec<DeleteRule>,
    /// What is kept although a delete rule selects it.
    #[serde(default)]
    pub keep: Vec<KeepRule>,
    /// How the OCI image graph of container packages is read and followed.
    #[serde(default)]
    pub graph: GraphOptions,
    /// What to do when a run would delete a package's last version (or, for
    /// containers, its last tagged version), which GitHub refuses.
    #[serde(default)]
    pub last_version: LastVersion,
    /// Remove only the matching tags of an image that has other tags, instead
    /// of deleting it (opt-in; needs `write:packages`).
    #[serde(default)]
    pub untag: bool,
    /// Per-package changes: the first override whose `packages` match a
    /// package replaces the sections it gives.
    #[serde(default)]
    pub overrides: Vec<Override>,
}

fn one() -> u32 {
    1
}

fn default_min_age() -> Span {
    Span::hours(1)
}

fn yes() -> bool {
    true
}

/// Whose packages a policy covers.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum PolicyOwner {
    /// `"me"`: the authenticated user.
    #[schemars(with = "MeLiteral")]
    Me,
    /// `{"org": "acme"}`.
    Org {
        /// The organization's login.
        org: String,
    },
    /// `{"user": "octocat"}`.
    User {
        /// The user's login.
        user: String,
    },
}

/// The literal `"me"`.
#[derive(JsonSchema)]
#[allow(dead_code)]
enum MeLiteral {
    #[serde(rename = "me")]
    Me,
}

impl PolicyOwner {
    /// The policy owner of a client owner.
    pub fn from_owner(owner: &Owner) -> PolicyOwner {
        match owner {
            Owner::AuthenticatedUser => PolicyOwner::Me,
            Owner::Org(org) => PolicyOwner::Org { org: org.clone() },
            Owner::User(user) => PolicyOwner::User { user: user.clone() },
        }
    }

    /// The core owner it names.
    pub fn to_owner(&self) -> Owner {
        match self {
            PolicyOwner::Me => Owner::AuthenticatedUser,
            PolicyOwner::Org { org } => Owner::Org(org.clone()),
            PolicyOwner::User { user } => Owner::User(user.clone()),
        }
    }

    /// The owner's login as the registry spells it, lowercased; `None` for `me`.
    pub fn login(&self) -> Option<&str> {
        match self {
            PolicyOwner::Me => None,
            PolicyOwner::Org { org: l } | PolicyOwner::User { user: l } => Some(l),
        }
    }
}

impl Serialize for PolicyOwner {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            PolicyOwner::Me => s.serialize_str("me"),
            PolicyOwner::Org { org } => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("org", org)?;
                m.end()
            }
            PolicyOwner::User { user } => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("user", user)?;
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for PolicyOwner {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let v = serde_json::Value::deserialize(d)?;
        let bad = || {
            D::Error::custom(
                "owner must be {\"org\": LOGIN}, {\"user\": LOGIN} or \"me\" (the authenticated user)",
            )
        };
        match v {
            serde_json::Value::String(s) if s == "me" => Ok(PolicyOwner::Me),
            serde_json::Value::Object(m) if m.len() == 1 => {
                let (k, v) = m.into_iter().next().ok_or_else(bad)?;
                let login = v
                    .as_str()
                    .filter(|l| !l.trim().is_empty())
                    .ok_or_else(bad)?;
                match k.as_str() {
                    "org" => Ok(PolicyOwner::Org { org: login.into() }),
                    "user" => Ok(PolicyOwner::User { user: login.into() }),
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }
}

/// Which packages: those matching any `include` pattern (every package when
/// empty) and no `exclude` pattern.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageFilter {
    /// Patterns a package name must match one of (default: all).
    #[serde(default)]
    pub include: Vec<Pattern>,
    /// Patterns that exclude a package.
    #[serde(default)]
    pub exclude: Vec<Pattern>,
}

impl PackageFilter {
    /// Whether `name` is covered.
    pub fn covers(&self, name: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|p| p.matches(name)))
            && !self.exclude.iter().any(|p| p.matches(name))
    }

    /// The exact names when every include pattern names one package, so the
    /// packages can be fetched one by one instead of listed.
    pub fn literal_names(&self) -> Option<Vec<&str>> {
        if self.include.is_empty() {
            return None;
        }
        self.include.iter().map(Pattern::literal).collect()
    }
}

/// The timestamp that ages and orders versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeField {
    /// When the version last changed (a re-push or re-tag moves it).
    #[default]
    UpdatedAt,
    /// When the version was created.
    CreatedAt,
}

/// What is never deleted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Protect {
    /// An image with any tag matching one of these is protected.
    #[serde(default)]
    pub tags: Vec<Pattern>,
    /// Manifest digests (`sha256:…`), or version names of other registries.
    #[serde(default)]
    pub digests: Vec<String>,
    /// Package version ids.
    #[serde(default)]
    pub version_ids: Vec<u64>,
    /// Versions whose name matches one of these (`1.*`, `re:^\\d+$`).
    #[serde(default)]
    pub names: Vec<Pattern>,
    /// Image references in use, e.g. `ghcr.io/acme/api:prod` or
    /// `ghcr.io/acme/web@sha256:…`; tags resolve to digests when the plan is made.
    #[serde(default)]
    pub references: Vec<String>,
}

/// Conditions on an image (a root version and its descendants), all of
/// which must hold. Container tags exclude the `sha256-…` referrer tags.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    /// `true`: only images with tags; `false`: only images without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagged: Option<bool>,
    /// `true`: only images without tags; `false`: only images with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untagged: Option<bool>,
    /// Conditions on the tags; a bare list means `{"all": [...]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagClause>,
    /// Only images older than this (by the policy's `time_field`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older_than: Option<Span>,
    /// Only indexes whose children are all missing (`ghost`) or some but not
    /// all missing (`partial`). Containers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexState>,
    /// Only signatures and attestations whose subject no longer exists.
    /// Containers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphaned_referrer: Option<bool>,
    /// Only versions whose name (a digest for containers) matches one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Vec<Pattern>>,
    /// Only versions whose name, read as a version, is in this range
    /// (`<2.0.0`). Not for containers: use `tags` with `semver:` patterns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// `true`: only pre-releases (`1.0.0-rc.1`); `false`: only releases.
    /// Not for containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prerelease: Option<bool>,
    /// Only these package version ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_ids: Option<Vec<u64>>,
    /// Only the N oldest images (by `time_field`) that meet the other conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest: Option<u32>,
}

impl Selector {
    fn is_empty(&self) -> bool {
        *self == Selector::default()
    }
}

/// Conditions on an image's tags. A bare list of patterns is read as `all`.
#[derive(Debug, Clone, PartialEq)]
pub enum TagClause {
    /// Every tag matches one of the patterns (and there is at least one tag).
    All {
        /// The patterns.
        all: Vec<Pattern>,
    },
    /// At least one tag matches one of the patterns.
    Any {
        /// The patterns.
        any: Vec<Pattern>,
    },
    /// No tag matches any of the patterns.
    None {
        /// The patterns.
        none: Vec<Pattern>,
    },
}

impl JsonSchema for TagClause {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TagClause".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let patterns = g.subschema_for::<Vec<Pattern>>();
        let one = |key: &str| {
            schemars::json_schema!({
                "type": "object",
                "properties": {key: patterns.clone()},
                "required": [key],
                "additionalProperties": false
            })
        };
        schemars::json_schema!({
            "description": "Conditions on an image's tags: {\"all\": [...]} (every tag matches one \
                            pattern, and there is a tag), {\"any\": [...]}, {\"none\": [...]}, or a \
                            bare list, read as all.",
            "oneOf": [patterns.clone(), one("all"), one("any"), one("none")]
        })
    }
}

impl TagClause {
    /// The patterns and the quantifier.
    pub fn parts(&self) -> (Quantifier, &[Pattern]) {
        match self {
            TagClause::All { all } => (Quantifier::All, all),
            TagClause::Any { any } => (Quantifier::Any, any),
            TagClause::None { none } => (Quantifier::None, none),
        }
    }
}

/// How a tag clause combines its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// Every tag must match.
    All,
    /// One tag must match.
    Any,
    /// No tag may match.
    None,
}

impl Serialize for TagClause {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (q, patterns) = self.parts();
        let key = match q {
            Quantifier::All => "all",
            Quantifier::Any => "any",
            Quantifier::None => "none",
        };
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(key, patterns)?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for TagClause {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let v = serde_json::Value::deserialize(d)?;
        let patterns = |v: serde_json::Value| -> std::result::Result<Vec<Pattern>, D::Error> {
            Vec::<Pattern>::deserialize(v).map_err(|e| D::Error::custom(e.to_string()))
        };
        match v {
            serde_json::Value::Array(_) => Ok(TagClause::All { all: patterns(v)? }),
            serde_json::Value::Object(m) if m.len() == 1 => {
                let (k, v) = m
                    .into_iter()
                    .next()
                    .ok_or_else(|| D::Error::custom("empty"))?;
                match k.as_str() {
                    "all" => Ok(TagClause::All { all: patterns(v)? }),
                    "any" => Ok(TagClause::Any { any: patterns(v)? }),
                    "none" => Ok(TagClause::None { none: patterns(v)? }),
                    other => Err(D::Error::custom(format!(
                        "unknown tag clause {other:?}; expected all, any or none"
                    ))),
                }
            }
            _ => Err(D::Error::custom(
                "tags must be a list of patterns, or {\"all\"|\"any\"|\"none\": [patterns]}",
            )),
        }
    }
}

/// Which broken indexes a selector picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndexState {
    /// Every child of the index is missing.
    Ghost,
    /// Some, but not all, children are missing.
    Partial,
}

/// A rule that makes images candidates for deletion: its conditions, with
/// an optional `id` beside them.
// `deny_unknown_fields` tells the schema (`additionalProperties: false`);
// the hand-written `Deserialize` below enforces it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteRule {
    /// A name for the rule in reasons (default `delete[N]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The conditions, all of which must hold.
    #[serde(flatten)]
    pub selector: Selector,
}

impl<'de> Deserialize<'de> for DeleteRule {
    /// `id`, and the other fields read by [`Selector`], which refuses
    /// unknown ones (serde's `flatten` would let them through). The fields
    /// stream from the map as they come, so an error names its place
    /// (`delete[0].tags`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Rule;
        impl<'de> serde::de::Visitor<'de> for Rule {
            type Value = DeleteRule;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a delete rule (a map of conditions)")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<DeleteRule, A::Error> {
                let mut rest = WithoutId { map, id: None };
                let selector =
                    Selector::deserialize(serde::de::value::MapAccessDeserializer::new(&mut rest))?;
                Ok(DeleteRule {
                    id: rest.id.flatten(),
                    selector,
                })
            }
        }
        d.deserialize_map(Rule)
    }
}

/// A delete rule's map as [`Selector`] reads it: `id` is taken aside.
struct WithoutId<A> {
    map: A,
    /// `Some` once `id` was read (its value may be `null`).
    id: Option<Option<String>>,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for WithoutId<A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> std::result::Result<Option<K::Value>, A::Error> {
        use serde::de::{Error as _, IntoDeserializer as _};
        while let Some(key) = self.map.next_key::<String>()? {
            if key != "id" {
                // Only an unknown key fails here: Selector's list of the
                // keys it knows lacks this one.
                let key: serde::de::value::StringDeserializer<A::Error> = key.into_deserializer();
                return seed
                    .deserialize(key)
                    .map(Some)
                    .map_err(|e| A::Error::custom(format_args!("{e}, or `id`")));
            }
            if self.id.is_some() {
                return Err(A::Error::duplicate_field("id"));
            }
            self.id = Some(self.map.next_value()?);
        }
        Ok(None)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> std::result::Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// A rule that keeps images a delete rule selected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeepRule {
    /// A name for the rule in reasons (default `keep[N]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Keep the N newest images (distinct digests, not tags) matching `of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<u32>,
    /// Keep every image matching `of` younger than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_than: Option<Span>,
    /// Which images the rule counts (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<Selector>,
    /// `tag:N`: apply `latest` per distinct value of capture group N of the
    /// `re:` patterns in `of.tags` (e.g. per `1.2`, `1.3` release stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
    /// Count over `all` images of the package (default) or only over the
    /// deletion `candidates` (what other tools call keep-n).
    #[serde(default)]
    pub scope: KeepScope,
}

/// What a keep rule counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeepScope {
    /// Every image of the package.
    #[default]
    All,
    /// Only the images a delete rule selected.
    Candidates,
}

/// How the OCI graph is read and followed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GraphOptions {
    /// What an unreadable manifest does: block the whole package (default),
    /// block only that version's neighbourhood, or, with `acknowledge`,
    /// ignore it.
    #[serde(default)]
    pub on_error: OnError,
    /// Must be `"I accept broken images"` for `on_error: unsafe_ignore`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledge: Option<String>,
    /// Delete the children and referrers of a deleted image that nothing
    /// kept references (default true).
    #[serde(default = "yes")]
    pub cascade: bool,
    /// Signatures and attestations follow their subject (default), or are
    /// judged as images of their own.
    #[serde(default)]
    pub referrers: Referrers,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            on_error: OnError::default(),
            acknowledge: None,
            cascade: true,
            referrers: Referrers::default(),
        }
    }
}

/// The words `on_error: unsafe_ignore` must be acknowledged with.
pub const UNSAFE_ACKNOWLEDGEMENT: &str = "I accept broken images";

/// What an unreadable manifest does to a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Nothing in the package is deleted.
    #[default]
    BlockPackage,
    /// The version, every root that might reference it and every untagged
    /// version are kept; the rest of the package is planned.
    BlockVersion,
    /// The manifest is treated as a leaf (needs `acknowledge`).
    UnsafeIgnore,
}

/// How referrers (signatures, attestations, SBOMs) are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Referrers {
    /// A referrer is kept while its subject is, and deleted with it.
    #[default]
    FollowSubject,
    /// Referrers are images of their own.
    Independent,
}

/// What to do when the plan would delete a package's last version (or a
/// container's last tagged version), which GitHub refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LastVersion {
    /// Keep the newest image (default).
    #[default]
    KeepNewest,
    /// Delete the whole package instead (restorable for 30 days), when every
    /// version would go.
    DeletePackage,
    /// Block the package.
    Fail,
}

/// Changes for the packages an override covers; given sections replace the
/// policy's.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Which packages.
    pub packages: PackageFilter,
    /// Replaces `protect`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protect: Option<Protect>,
    /// Replaces `delete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<Vec<DeleteRule>>,
    /// Replaces `keep`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep: Option<Vec<KeepRule>>,
    /// Replaces `min_age`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<Span>,
    /// Replaces `last_version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_version: Option<LastVersion>,
    /// Replaces `untag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untag: Option<bool>,
}

/// The rules that apply to one package, after overrides.
#[derive(Debug, Clone)]
pub(crate) struct Effective<'p> {
    pub protect: &'p Protect,
    pub delete: &'p [DeleteRule],
    pub keep: &'p [KeepRule],
    pub min_age: Span,
    pub last_version: LastVersion,
    pub untag: bool,
    /// `Some(i)` when `overrides[i]` applied.
    pub from_override: Option<usize>,
}

impl Policy {
    /// Reads a policy from JSON and checks it: unknown fields, bad patterns
    /// and durations, and rules that cannot mean anything are
    /// `InvalidArgument` naming where they are.
    pub fn from_json(text: &str) -> Result<Policy> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let policy: Policy = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let at = if path == "." {
                String::new()
            } else {
                format!(" at {path}")
            };
            Error::invalid(format!("the policy is not valid{at}: {inner}"))
        })?;
        policy.check()?;
        Ok(policy)
    }

    /// The policy as JSON, every default written out: the form a plan
    /// embeds and hashes.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// `sha256:` of the canonical JSON of the policy.
    pub fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        format!("sha256:{}", hex(&Sha256::digest(&bytes)))
    }

    /// The JSON Schema of the policy format.
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(Policy)).unwrap_or_default()
    }

    /// The rules for the package named `name`.
    pub(crate) fn effective(&self, name: &str) -> Effective<'_> {
        let o = self
            .overrides
            .iter()
            .enumerate()
            .find(|(_, o)| o.packages.covers(name));
        let pick = |f: fn(&Override) -> bool| o.filter(|(_, o)| f(o)).map(|(_, o)| o);
        Effective {
            protect: pick(|o| o.protect.is_some())
                .and_then(|o| o.protect.as_ref())
                .unwrap_or(&self.protect),
            delete: pick(|o| o.delete.is_some())
                .and_then(|o| o.delete.as_deref())
                .unwrap_or(&self.delete),
            keep: pick(|o| o.keep.is_some())
                .and_then(|o| o.keep.as_deref())
                .unwrap_or(&self.keep),
            min_age: o.and_then(|(_, o)| o.min_age).unwrap_or(self.min_age),
            last_version: o
                .and_then(|(_, o)| o.last_version)
                .unwrap_or(self.last_version),
            untag: o.and_then(|(_, o)| o.untag).unwrap_or(self.untag),
            from_override: o.map(|(i, _)| i),
        }
    }

    /// The checks serde cannot express.
    fn check(&self) -> Result<()> {
        if self.version != 1 {
            return Err(Error::invalid(format!(
                "the policy has version {}; this ghpkg reads version 1",
                self.version
            )));
        }
        let container = self.package_type == PackageType::Container;
        if self.graph.on_error == OnError::UnsafeIgnore
            && self.graph.acknowledge.as_deref() != Some(UNSAFE_ACKNOWLEDGEMENT)
        {
            return Err(Error::invalid(format!(
                "graph.on_error \"unsafe_ignore\" deletes without reading every manifest and can \
                 break images; it needs graph.acknowledge: {UNSAFE_ACKNOWLEDGEMENT:?}"
            )));
        }
        check_sections("", &self.protect, &self.delete, &self.keep, container)?;
        for (i, o) in self.overrides.iter().enumerate() {
            let at = format!("overrides[{i}].");
            check_sections(
                &at,
                o.protect.as_ref().unwrap_or(&self.protect),
                o.delete.as_deref().unwrap_or(&self.delete),
                o.keep.as_deref().unwrap_or(&self.keep),
                container,
            )?;
        }
        Ok(())
    }
}

fn check_sections(
    at: &str,
    protect: &Protect,
    delete: &[DeleteRule],
    keep: &[KeepRule],
    container: bool,
) -> Result<()> {
    for (i, d) in protect.digests.iter().enumerate() {
        if container && !is_digest(d) {
            return Err(Error::invalid(format!(
                "{at}protect.digests[{i}] {d:?} is not a sha256:<64 hex digits> digest"
            )));
        }
    }
    for (i, r) in protect.references.iter().enumerate() {
        ImageRef::parse(r)
            .map_err(|why| Error::invalid(format!("{at}protect.references[{i}] {r:?}: {why}")))?;
    }
    for (i, rule) in delete.iter().enumerate() {
        let sel = &rule.selector;
        let where_ = format!("{at}delete[{i}]");
        if sel.is_empty() {
            return Err(Error::invalid(format!(
                "{where_} has no condition and would select everything; give at least one \
                 (to mean every image, write {{\"older_than\": \"0s\"}})"
            )));
        }
        check_selector(&where_, sel, container)?;
    }
    for (i, rule) in keep.iter().enumerate() {
        let where_ = format!("{at}keep[{i}]");
        match (rule.latest, rule.newer_than) {
            (Some(0), _) => {
                return Err(Error::invalid(format!(
                    "{where_}.latest is 0, which keeps nothing; remove the rule instead"
                )))
            }
            (Some(_), None) | (None, Some(_)) => {}
            _ => {
                return Err(Error::invalid(format!(
                    "{where_} needs exactly one of latest or newer_than"
                )))
            }
        }
        let of = rule.of.clone().unwrap_or_default();
        check_selector(&format!("{where_}.of"), &of, container)?;
        if of.oldest.is_some() {
            return Err(Error::invalid(format!(
                "{where_}.of.oldest picks deletions; a keep rule counts with latest"
            )));
        }
        if let Some(g) = &rule.group_by {
            let group: usize = g
                .strip_prefix("tag:")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "{where_}.group_by {g:?} must be \"tag:N\", N a capture group of a re: \
                         pattern in of.tags"
                    ))
                })?;
            let has_group = of
                .tags
                .as_ref()
                .is_some_and(|t| t.parts().1.iter().any(|p| p.groups() >= group));
            if rule.latest.is_none() || !has_group {
                return Err(Error::invalid(format!(
                    "{where_}.group_by needs latest and a re: pattern in of.tags with capture \
                     group {group}"
                )));
            }
        }
    }
    Ok(())
}

fn check_selector(at: &str, sel: &Selector, container: bool) -> Result<()> {
    if let (Some(t), Some(u)) = (sel.tagged, sel.untagged) {
        if t == u {
            return Err(Error::invalid(format!(
                "{at}: tagged and untagged contradict each other"
            )));
        }
    }
    if !container && (sel.index.is_some() || sel.orphaned_referrer.is_some()) {
        return Err(Error::invalid(format!(
            "{at}: index and orphaned_referrer apply to container packages only"
        )));
    }
    if container && (sel.semver.is_some() || sel.prerelease.is_some()) {
        return Err(Error::invalid(format!(
            "{at}: semver and prerelease read version names, which are digests for containers; \
             use tags with semver: patterns instead"
        )));
    }
    if sel.oldest == Some(0) {
        return Err(Error::invalid(format!(
            "{at}.oldest is 0, which selects nothing"
        )));
    }
    if let Some(range) = &sel.semver {
        semver::VersionReq::parse(range)
            .map_err(|e| Error::invalid(format!("{at}.semver {range:?}: {e}")))?;
    }
    if let Some(
        TagClause::All { all: p } | TagClause::Any { any: p } | TagClause::None { none: p },
    ) = &sel.tags
    {
        if p.is_empty() {
            return Err(Error::invalid(format!("{at}.tags has no pattern")));
        }
    }
    Ok(())
}

/// Whether `s` is `sha256:` and 64 lowercase hex digits.
pub(crate) fn is_digest(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// An image reference: `[registry/]owner/package[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageRef {
    pub registry: Option<String>,
    pub owner: String,
    pub package: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub(crate) fn parse(s: &str) -> std::result::Result<ImageRef, String> {
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) if is_digest(d) => (r, Some(d.to_owned())),
            Some(_) => return Err("the part after @ is not a sha256 digest".into()),
            None => (s, None),
        };
        // A ':' after the last '/' is a tag; one before it belongs to a host:port.
        let last_slash = rest.rfind('/').unwrap_or(0);
        let (path, tag) = match rest[last_slash..].find(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_owned()),
            ),
            None => (rest, None),
        };
        if tag.is_none() && digest.is_none() {
            return Err("give a :tag or an @sha256: digest".into());
        }
        let mut parts: Vec<&str> = path.split('/').collect();
        let registry = match parts.first() {
            Some(first)
                if parts.len() > 2
                    && (first.contains('.') || first.contains(':') || *first == "localhost") =>
            {
                Some(parts.remove(0).to_owned())
            }
            _ => None,
        };
        if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
            return Err("expected [registry/]owner/package".into());
        }
        Ok(ImageRef {
            registry,
            owner: parts[0].to_owned(),
            package: parts[1..].join("/"),
            tag,
            digest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
      "version": 1,
      "owner": {"org": "acme"},
      "package_type": "container",
      "packages": {"include": ["api/*", "web"], "exclude": ["*-cache"]},
      "time_field": "updated_at",
      "min_age": "1h",
      "protect": {
        "tags": ["latest", "main", "re:^v\\d+\\.\\d+\\.\\d+$"],
        "digests": ["sha256:4f3c000000000000000000000000000000000000000000000000000000000000"],
        "version_ids": [5000000001],
        "references": ["ghcr.io/acme/api:prod", "ghcr.io/acme/web@sha256:9a1b000000000000000000000000000000000000000000000000000000000000"]
      },
      "delete": [
        {"id": "old-untagged", "untagged": true, "older_than": "7d"},
        {"id": "pr-images", "tags": {"all": ["pr-*"]}, "older_than": "14d"},
        {"id": "broken", "index": "partial"},
        {"id": "orphan-sigs", "orphaned_referrer": true}
      ],
      "keep": [
        {"id": "rollback", "latest": 5, "of": {"tagged": true}},
        {"id": "per-stream", "latest": 2, "of": {"tags": {"any": ["re:^(\\d+\\.\\d+)\\.\\d+$"]}}, "group_by": "tag:1"},
        {"id": "recent", "newer_than": "30d", "of": {"tagged": true}}
      ],
      "graph": {"on_error": "block_package", "cascade": true, "referrers": "follow_subject"},
      "last_version": "keep_newest",
      "untag": false,
      "overrides": [
        {"packages": {"include": ["web"]}, "keep": [{"id": "rollback", "latest": 10, "of": {"tagged": true}}]}
      ]
    }"#;

    #[test]
    fn the_design_example_reads_and_round_trips() {
        let p = Policy::from_json(EXAMPLE).unwrap();
        assert_eq!(p.owner, PolicyOwner::Org { org: "acme".into() });
        assert!(p.packages.covers("api/server") && !p.packages.covers("api-cache"));
        assert_eq!(p.delete.len(), 4);
        assert_eq!(p.effective("web").keep[0].latest, Some(10));
        assert_eq!(p.effective("api/server").keep.len(), 3);
        let again = Policy::from_json(&p.to_json().to_string()).unwrap();
        assert_eq!(again, p);
        assert_eq!(again.hash(), p.hash());
        assert!(p.hash().starts_with("sha256:") && p.hash().len() == 71);
    }

    #[test]
    fn defaults_are_written_out() {
        let p = Policy::from_json(
            r#"{"owner": "me", "package_type": "npm", "delete": [{"prerelease": true}]}"#,
        )
        .unwrap();
        let j = p.to_json();
        assert_eq!(j["min_age"], "1h");
        assert_eq!(j["time_field"], "updated_at");
        assert_eq!(j["last_version"], "keep_newest");
        assert_eq!(j["graph"]["cascade"], true);
        assert_eq!(j["owner"], "me");
    }

    #[test]
    fn mistakes_are_named_where_they_are() {
        for (text, needle) in [
            (
                r#"{"owner": "me", "package_type": "npm", "colour": 1}"#,
                "unknown field `colour`",
            ),
            (
                r#"{"owner": "me", "package_type": "npm", "delete": [{"untaged": true}]}"#,
                "delete[0]",
            ),
            (
                r#"{"owner": "me", "package_type": "npm", "protect": {"tags": ["re:("]}}"#,
                "protect.tags[0]",
            ),
            (
                r#"{"owner": "me", "package_type": "npm", "min_age": "1mo"}"#,
                "months",
            ),
            (r#"{"owner": "me", "package_type": "nope"}"#, "package_type"),
            (
                r#"{"owner": {"team": "x"}, "package_type": "npm"}"#,
                "owner",
            ),
            (
                r#"{"owner": "me", "package_type": "npm", "delete": [{}]}"#,
                "no condition",
            ),
            (
                r#"{"owner": "me", "package_type": "npm", "delete": [{"index": "ghost"}]}"#,
                "container packages only",
            ),
            (
                r#"{"owner": "me", "package_type": "container", "delete": [{"semver": "<2"}]}"#,
                "digests for containers",
            ),
            (
                r#"{"owner": "me", "package_type": "npm", "keep": [{"latest": 3, "newer_than": "1d"}]}"#,
                "exactly one",
            ),
            (
                r#"{"owner": "me", "package_type": "container", "keep": [{"latest": 3, "group_by": "tag:1", "of": {"tags": ["v*"]}}]}"#,
                "capture",
            ),
            (
                r#"{"owner": "me", "package_type": "container", "graph": {"on_error": "unsafe_ignore"}}"#,
                "acknowledge",
            ),
            (
                r#"{"owner": "me", "package_type": "container", "protect": {"digests": ["sha256:xyz"]}}"#,
                "digest",
            ),
            (
                r#"{"owner": "me", "package_type": "container", "protect": {"references": ["ghcr.io/acme/api"]}}"#,
                "tag",
            ),
            (
                r#"{"version": 2, "owner": "me", "package_type": "npm"}"#,
                "version 1",
            ),
        ] {
            let e = Policy::from_json(text).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument, "{text}");
            assert!(e.message().contains(needle), "{text}: {}", e.message());
        }
    }

    #[test]
    fn delete_rules_are_one_flat_object() {
        let text = r#"{"owner": "me", "package_type": "container",
            "delete": [{"id": "old-prs", "tags": {"any": ["pr-*"]}, "older_than": "7d"}]}"#;
        let p = Policy::from_json(text).unwrap();
        let rule = &p.delete[0];
        assert_eq!(rule.id.as_deref(), Some("old-prs"));
        assert_eq!(rule.selector.older_than.unwrap().to_string(), "1w");
        assert!(rule.selector.tags.is_some() && rule.selector.tagged.is_none());
        // Written back flat, and read back the same.
        let j = p.to_json();
        assert_eq!(j["delete"][0]["id"], "old-prs");
        assert_eq!(j["delete"][0]["tags"]["any"][0], "pr-*");
        assert!(j["delete"][0].get("selector").is_none());
        assert_eq!(Policy::from_json(&j.to_string()).unwrap(), p);

        for (rule, needles) in [
            (
                r#"{"untaged": true}"#,
                &["delete[0]", "unknown field `untaged`", "`oldest`, or `id`"][..],
            ),
            (
                r#"{"selector": {"tagged": true}}"#,
                &["unknown field `selector`"],
            ),
            (r#"{"id": 7, "tagged": true}"#, &["delete[0].id", "string"]),
            (
                r#"{"tags": ["v1", "re:("]}"#,
                &["delete[0].tags: pattern \"re:(\""],
            ),
            (
                r#"{"older_than": "1mo"}"#,
                &["delete[0].older_than", "months"],
            ),
            (r#"[true]"#, &["delete[0]", "map"]),
            (
                r#"{"id": "a", "tagged": true, "id": "b"}"#,
                &["delete[0]", "duplicate field `id`"],
            ),
        ] {
            let text =
                format!(r#"{{"owner": "me", "package_type": "container", "delete": [{rule}]}}"#);
            let e = Policy::from_json(&text).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument, "{rule}");
            for needle in needles {
                assert!(e.message().contains(needle), "{rule}: {}", e.message());
            }
        }
        // `"id": null` is no id.
        let p = Policy::from_json(
            r#"{"owner": "me", "package_type": "npm", "delete": [{"id": null, "prerelease": true}]}"#,
        )
        .unwrap();
        assert_eq!(p.delete[0].id, None);
    }

    #[test]
    fn image_references() {
        let r = ImageRef::parse("ghcr.io/acme/api/server:prod").unwrap();
        assert_eq!(
            (r.registry.as_deref(), r.owner.as_str(), r.package.as_str()),
            (Some("ghcr.io"), "acme", "api/server")
        );
        assert_eq!(r.tag.as_deref(), Some("prod"));
        let r = ImageRef::parse("localhost:5000/acme/web@sha256:9a1b000000000000000000000000000000000000000000000000000000000000").unwrap();
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert!(r.digest.is_some() && r.tag.is_none());
        assert!(ImageRef::parse("acme/web:1").unwrap().registry.is_none());
        assert!(ImageRef::parse("web:1").is_err());
    }

    #[test]
    fn the_schema_describes_the_format() {
        let s = Policy::json_schema();
        assert_eq!(s["type"], "object");
        assert!(s["properties"]["delete"].is_object());
        assert_eq!(s["additionalProperties"], false);
    }
}
