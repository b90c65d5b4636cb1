//! The fixture: the data an emulator starts with, and its JSON format.
//!
//! A fixture lists users, organizations, tokens and packages (with their
//! versions). Every field except the identifying ones has a default, so a
//! fixture file can stay short:
//!
//! ```json
//! {
//!   "users": [{"login": "octocat", "id": 1}],
//!   "orgs": [{"login": "acme", "admins": ["octocat"], "members": ["hubot"]}],
//!   "tokens": [{"token": "ghp_example", "user": "octocat", "kind": "classic",
//!               "scopes": ["read:packages", "delete:packages"]}],
//!   "packages": [{"owner": "acme", "name": "api/server", "package_type": "container",
//!                 "visibility": "private", "repository": "acme/api",
//!                 "versions": [{"name": "sha256:…", "tags": ["latest"], "downloads": 3}]}]
//! }
//! ```
//!
//! Missing ids are assigned when the emulator starts; owners and token users
//! that are not declared become plain user accounts. A field the format does
//! not have is an error that names it, so a misspelt one is not quietly
//! left out.
//!
//! # Many packages
//!
//! `"generated"` makes packages by rule, for listings of thousands:
//! `{"owner": "big", "package_type": "container", "count": 10000}` adds
//! `pkg-00001` to `pkg-10000` (numbered from 1, five digits at least), each
//! with one version tagged `v1`: for `container` and `docker` named
//! `sha256:` and the package's number as 64 hex digits, otherwise `1.0.0`.
//! `"visibility"` is `private` unless given, as for listed packages. They
//! come after `"packages"`, with ids assigned the same way; at most
//! [`MAX_GENERATED_PACKAGES`] in all.
//!
//! # Manifests
//!
//! A version of a `container` package may carry the manifest the registry
//! origin serves for it: `"manifest": {…}` (any JSON, stored as its compact
//! `serde_json::to_vec` bytes, keys in the order written) or `"manifest_raw":
//! "…"` (stored byte for byte), with an optional `"media_type"` (default: the
//! body's `mediaType`; one of the two is required). The emulator computes the
//! `sha256:` digest of the bytes: a version's `name`, when given, must equal it
//! (a [`FixtureError`] names both digests otherwise), and when left out it is
//! the digest. A version without a manifest is a "ghost": the REST side lists
//! it, the registry answers `MANIFEST_UNKNOWN`. [`crate::oci`] builds
//! realistic manifests:
//!
//! ```json
//! {"versions": [{"id": 7, "tags": ["latest"],
//!                "manifest": {"schemaVersion": 2,
//!                             "mediaType": "application/vnd.oci.image.index.v1+json",
//!                             "manifests": []}}]}
//! ```

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The complete starting state of an emulator (see the module docs for the JSON format).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fixture {
    /// User accounts.
    pub users: Vec<UserSpec>,
    /// Organization accounts with their admins and members.
    pub orgs: Vec<OrgSpec>,
    /// Tokens the emulator accepts; any other token is answered with 401.
    pub tokens: Vec<TokenSpec>,
    /// Packages, each with its versions.
    pub packages: Vec<PackageSpec>,
    /// Packages made by rule, after `packages` (see "Many packages" above).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub generated: Vec<GeneratedPackages>,
}

/// How many packages a fixture's `generated` rules may make in all.
pub const MAX_GENERATED_PACKAGES: u64 = 1_000_000;

/// A rule that makes `count` packages of one owner and type (see "Many
/// packages" in the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedPackages {
    /// Login of the owning user or organization.
    pub owner: String,
    /// One of `npm`, `maven`, `rubygems`, `docker`, `nuget`, `container`.
    pub package_type: String,
    /// How many: `pkg-00001` to `pkg-{count}`.
    pub count: u64,
    /// `public`, `private` (the default) or `internal`.
    #[serde(default = "default_visibility")]
    pub visibility: String,
}

impl GeneratedPackages {
    /// `count` packages of `owner` and `package_type`, private.
    pub fn new(owner: &str, package_type: &str, count: u64) -> GeneratedPackages {
        GeneratedPackages {
            owner: owner.to_owned(),
            package_type: package_type.to_owned(),
            count,
            visibility: default_visibility(),
        }
    }

    /// Sets the visibility: `public`, `private` or `internal`.
    pub fn visibility(mut self, v: &str) -> Self {
        self.visibility = v.to_owned();
        self
    }

    /// The name of package number `n` (from 1): `pkg-00001`.
    pub fn name(n: u64) -> String {
        format!("pkg-{n:05}")
    }

    /// The packages the rule makes, in order.
    pub fn packages(&self) -> impl Iterator<Item = PackageSpec> + '_ {
        let digests = matches!(self.package_type.as_str(), "container" | "docker");
        (1..=self.count).map(move |n| {
            let version = if digests {
                format!("sha256:{n:064x}")
            } else {
                "1.0.0".to_owned()
            };
            PackageSpec::new(&self.owner, &Self::name(n), &self.package_type)
                .visibility(&self.visibility)
                .version(VersionSpec::new(&version).tags(&["v1"]))
        })
    }
}

/// A user account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// The login, matched case-insensitively in paths.
    pub login: String,
    /// The account id; assigned at start when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The display name (`name` in the owner object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An organization account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    /// The login, matched case-insensitively in paths.
    pub login: String,
    /// The account id; assigned at start when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Logins of the organization's admins (may delete and restore its packages).
    #[serde(default)]
    pub admins: Vec<String>,
    /// Logins of plain members (may see its private packages).
    #[serde(default)]
    pub members: Vec<String>,
}

/// The kind of a token, which decides how the Packages API treats it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A classic personal access token (`ghp_…`): scopes apply.
    Classic,
    /// An OAuth app token (`gho_…`): scopes apply.
    #[serde(rename = "oauth")]
    OAuth,
    /// A fine-grained personal access token (`github_pat_…`): refused with 403.
    FineGrained,
    /// A GitHub App installation token (`ghs_…`): refused with 403.
    App,
    /// An Actions `GITHUB_TOKEN` (`ghs_…`): limited to its repository's packages.
    Actions,
    /// A GitHub App user-to-server token (`ghu_…`): refused with 403.
    UserToServer,
}

/// A token the emulator accepts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSpec {
    /// The secret, as sent in `Authorization`.
    pub token: String,
    /// The login of the account the token acts as.
    pub user: String,
    /// How the API treats the token.
    pub kind: TokenKind,
    /// OAuth scopes (classic and OAuth tokens only), e.g. `read:packages`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// For Actions tokens: the workflow's repository, `owner/repo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Requests per hour; defaults to 1,000 for Actions tokens and 5,000 otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
}

/// A package and its versions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageSpec {
    /// Login of the owning user or organization.
    pub owner: String,
    /// The raw package name (may contain `/`, spaces, `%`, unicode, …).
    pub name: String,
    /// One of `npm`, `maven`, `rubygems`, `docker`, `nuget`, `container`.
    pub package_type: String,
    /// `public`, `private` (the default) or `internal`.
    #[serde(default = "default_visibility")]
    pub visibility: String,
    /// The linked repository, `owner/repo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Creation time; defaults to the emulator's clock when loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The versions, oldest first.
    #[serde(default)]
    pub versions: Vec<VersionSpec>,
    /// The package id; assigned at start when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Listed by the `docker/conflicts` endpoints (docker packages only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub migration_conflict: bool,
    /// When set, the package starts out deleted at this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A version of a package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionSpec {
    /// The version id; assigned at start when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The version name: a semver string, or a `sha256:` digest for container and docker.
    /// A version with a manifest may leave it out (empty): it is the manifest's digest;
    /// when given, it must equal that digest.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Container/docker tags; an empty list means "untagged".
    #[serde(default)]
    pub tags: Vec<String>,
    /// Download count, used by the 5,000-download delete rule.
    #[serde(default)]
    pub downloads: u64,
    /// Creation time; defaults to the package's creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Optional `description` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Optional `license` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// When set, the version starts out deleted at this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The manifest the registry serves for this version (container packages
    /// only), as JSON; stored as its compact `serde_json::to_vec` bytes (keys
    /// in the order given). Excludes `manifest_raw`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<serde_json::Value>,
    /// The manifest as exact text, stored byte for byte. Excludes `manifest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_raw: Option<String>,
    /// The manifest's media type (`Content-Type`); defaults to the body's `mediaType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

fn default_visibility() -> String {
    "private".to_owned()
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Why a fixture could not be read or loaded.
#[derive(Debug)]
pub enum FixtureError {
    /// The fixture file could not be read.
    Io(std::io::Error),
    /// The text is not a valid fixture document.
    Json(serde_json::Error),
    /// The data is inconsistent (duplicate ids, unknown package type, …).
    Invalid(String),
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixtureError::Io(e) => write!(f, "cannot read fixture: {e}"),
            FixtureError::Json(e) => write!(f, "invalid fixture JSON: {e}"),
            FixtureError::Invalid(m) => write!(f, "invalid fixture: {m}"),
        }
    }
}

impl std::error::Error for FixtureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FixtureError::Io(e) => Some(e),
            FixtureError::Json(e) => Some(e),
            FixtureError::Invalid(_) => None,
        }
    }
}

impl From<FixtureError> for std::io::Error {
    fn from(e: FixtureError) -> Self {
        match e {
            FixtureError::Io(e) => e,
            other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string()),
        }
    }
}

impl Fixture {
    /// A fixture with nothing in it.
    pub fn empty() -> Fixture {
        Fixture::default()
    }

    /// Parses the JSON fixture format.
    pub fn from_json(s: &str) -> Result<Fixture, FixtureError> {
        serde_json::from_str(s).map_err(FixtureError::Json)
    }

    /// Reads and parses a JSON fixture file.
    pub fn from_file(p: impl AsRef<Path>) -> Result<Fixture, FixtureError> {
        let text = std::fs::read_to_string(p).map_err(FixtureError::Io)?;
        Fixture::from_json(&text)
    }

    /// The token a caller of this fixture uses when none is named: the first
    /// classic token (for the demo dataset, [`crate::DEMO_TOKEN`]), or `None`.
    /// The binary prints it on its ready line; the Python and Node emulators
    /// give it to their clients.
    pub fn default_token(&self) -> Option<&str> {
        self.tokens
            .iter()
            .find(|t| t.kind == TokenKind::Classic)
            .map(|t| t.token.as_str())
    }

    /// Serializes the fixture to pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Adds a user account with an automatically assigned id.
    pub fn user(mut self, login: &str) -> Self {
        self.users.push(UserSpec {
            login: login.to_owned(),
            id: None,
            name: None,
        });
        self
    }

    /// Adds an organization whose admins are `admins` (they become members too).
    pub fn org(mut self, login: &str, admins: &[&str]) -> Self {
        self.orgs.push(OrgSpec {
            login: login.to_owned(),
            id: None,
            admins: admins.iter().map(|s| s.to_string()).collect(),
            members: Vec::new(),
        });
        self
    }

    /// Adds plain members to an organization added earlier with [`Fixture::org`].
    pub fn org_members(mut self, login: &str, members: &[&str]) -> Self {
        if let Some(org) = self.orgs.iter_mut().find(|o| o.login == login) {
            org.members.extend(members.iter().map(|s| s.to_string()));
        }
        self
    }

    /// Adds a token.
    pub fn token(mut self, t: TokenSpec) -> Self {
        self.tokens.push(t);
        self
    }

    /// Adds a package.
    pub fn package(mut self, p: PackageSpec) -> Self {
        self.packages.push(p);
        self
    }

    /// Adds a rule that makes many packages.
    pub fn generated(mut self, g: GeneratedPackages) -> Self {
        self.generated.push(g);
        self
    }

    /// Every package the fixture declares: `packages`, then what the
    /// `generated` rules make. Fails when the rules would make more than
    /// [`MAX_GENERATED_PACKAGES`].
    pub fn all_packages(&self) -> Result<Vec<PackageSpec>, FixtureError> {
        let made = self
            .generated
            .iter()
            .try_fold(0u64, |sum, g| sum.checked_add(g.count))
            .filter(|&n| n <= MAX_GENERATED_PACKAGES)
            .ok_or_else(|| {
                FixtureError::Invalid(format!(
                    "\"generated\" makes more than {MAX_GENERATED_PACKAGES} packages"
                ))
            })?;
        let mut all = Vec::with_capacity(self.packages.len() + made as usize);
        all.extend(self.packages.iter().cloned());
        all.extend(self.generated.iter().flat_map(GeneratedPackages::packages));
        Ok(all)
    }
}

impl TokenSpec {
    /// A token of any kind with no scopes.
    pub fn new(token: &str, user: &str, kind: TokenKind) -> TokenSpec {
        TokenSpec {
            token: token.to_owned(),
            user: user.to_owned(),
            kind,
            scopes: Vec::new(),
            repository: None,
            rate_limit: None,
        }
    }

    /// A classic personal access token with the given scopes.
    pub fn classic(token: &str, user: &str, scopes: &[&str]) -> TokenSpec {
        TokenSpec::new(token, user, TokenKind::Classic).scopes(scopes)
    }

    /// An OAuth app token with the given scopes.
    pub fn oauth(token: &str, user: &str, scopes: &[&str]) -> TokenSpec {
        TokenSpec::new(token, user, TokenKind::OAuth).scopes(scopes)
    }

    /// A fine-grained personal access token.
    pub fn fine_grained(token: &str, user: &str) -> TokenSpec {
        TokenSpec::new(token, user, TokenKind::FineGrained)
    }

    /// A GitHub App installation token.
    pub fn app(token: &str, user: &str) -> TokenSpec {
        TokenSpec::new(token, user, TokenKind::App)
    }

    /// An Actions `GITHUB_TOKEN` for `repository` (`owner/repo`), acting as `github-actions[bot]`.
    pub fn actions(token: &str, repository: &str) -> TokenSpec {
        let mut t = TokenSpec::new(token, "github-actions[bot]", TokenKind::Actions);
        t.repository = Some(repository.to_owned());
        t
    }

    /// Replaces the scopes.
    pub fn scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Sets the hourly primary rate limit.
    pub fn rate_limit(mut self, per_hour: u32) -> Self {
        self.rate_limit = Some(per_hour);
        self
    }

    /// Sets the repository (`owner/repo`), meaningful for Actions tokens.
    pub fn repository(mut self, repo: &str) -> Self {
        self.repository = Some(repo.to_owned());
        self
    }
}

impl PackageSpec {
    /// A private package with no versions, repository or explicit id.
    pub fn new(owner: &str, name: &str, package_type: &str) -> PackageSpec {
        PackageSpec {
            owner: owner.to_owned(),
            name: name.to_owned(),
            package_type: package_type.to_owned(),
            visibility: default_visibility(),
            repository: None,
            created_at: None,
            versions: Vec::new(),
            id: None,
            migration_conflict: false,
            deleted_at: None,
        }
    }

    /// Sets the visibility: `public`, `private` or `internal`.
    pub fn visibility(mut self, v: &str) -> Self {
        self.visibility = v.to_owned();
        self
    }

    /// Links the package to a repository (`owner/repo`).
    pub fn repository(mut self, repo: &str) -> Self {
        self.repository = Some(repo.to_owned());
        self
    }

    /// Appends a version.
    pub fn version(mut self, v: VersionSpec) -> Self {
        self.versions.push(v);
        self
    }

    /// Sets the package id.
    pub fn id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets the creation time.
    pub fn created_at(mut self, t: DateTime<Utc>) -> Self {
        self.created_at = Some(t);
        self
    }

    /// Marks a docker package as having a migration conflict.
    pub fn migration_conflict(mut self, on: bool) -> Self {
        self.migration_conflict = on;
        self
    }

    /// Makes the package start out deleted at `t`.
    pub fn deleted_at(mut self, t: DateTime<Utc>) -> Self {
        self.deleted_at = Some(t);
        self
    }
}

impl VersionSpec {
    /// An untagged version with no downloads.
    pub fn new(name: &str) -> VersionSpec {
        VersionSpec {
            id: None,
            name: name.to_owned(),
            tags: Vec::new(),
            downloads: 0,
            created_at: None,
            description: None,
            license: None,
            deleted_at: None,
            manifest: None,
            manifest_raw: None,
            media_type: None,
        }
    }

    /// An untagged version serving `manifest` (see [`VersionSpec::manifest`]),
    /// named by its digest.
    pub fn with_manifest(manifest: serde_json::Value) -> VersionSpec {
        VersionSpec::new("").manifest(manifest)
    }

    /// Sets the manifest the registry serves, as JSON (stored as its compact
    /// bytes); the version's name must be its digest, or empty to take it.
    pub fn manifest(mut self, manifest: serde_json::Value) -> Self {
        self.manifest = Some(manifest);
        self.manifest_raw = None;
        self
    }

    /// Sets the manifest the registry serves, as exact text.
    pub fn manifest_raw(mut self, text: &str) -> Self {
        self.manifest_raw = Some(text.to_owned());
        self.manifest = None;
        self
    }

    /// Sets the manifest's media type (default: the body's `mediaType`).
    pub fn media_type(mut self, media_type: &str) -> Self {
        self.media_type = Some(media_type.to_owned());
        self
    }

    /// Sets the tags (container and docker packages).
    pub fn tags(mut self, tags: &[&str]) -> Self {
        self.tags = tags.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Sets the download count.
    pub fn downloads(mut self, n: u64) -> Self {
        self.downloads = n;
        self
    }

    /// Sets the version id.
    pub fn id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets the creation time.
    pub fn created_at(mut self, t: DateTime<Utc>) -> Self {
        self.created_at = Some(t);
        self
    }

    /// Sets the description.
    pub fn description(mut self, d: &str) -> Self {
        self.description = Some(d.to_owned());
        self
    }

    /// Sets the license.
    pub fn license(mut self, l: &str) -> Self {
        self.license = Some(l.to_owned());
        self
    }

    /// Makes the version start out deleted at `t`.
    pub fn deleted_at(mut self, t: DateTime<Utc>) -> Self {
        self.deleted_at = Some(t);
        self
    }
}
