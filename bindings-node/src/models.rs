//! Plain JavaScript objects for the core's models. Field names are camelCase;
//! absent values are `null`; timestamps are ISO 8601 strings as GitHub sends
//! them; fields GitHub adds later stay reachable in `extra`.
//!
//! Listings hand a whole page to JavaScript as JSON (`Serialize`, the same
//! names and values as the napi objects; `page.rs` frames it), which
//! `JSON.parse` turns into objects far faster than setting properties one by
//! one through napi.

use chrono::{DateTime, SecondsFormat, Utc};
use napi_derive::napi;
use serde::Serialize;
use serde_json::{Map, Value};

/// A GitHub Packages registry. Gradle packages are `maven`; ghcr.io images are `container`.
#[napi(string_enum = "lowercase")]
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    Npm,
    Maven,
    Rubygems,
    Docker,
    Nuget,
    Container,
}

impl From<ghpkg::PackageType> for PackageType {
    fn from(t: ghpkg::PackageType) -> Self {
        match t {
            ghpkg::PackageType::Npm => PackageType::Npm,
            ghpkg::PackageType::Maven => PackageType::Maven,
            ghpkg::PackageType::Rubygems => PackageType::Rubygems,
            ghpkg::PackageType::Docker => PackageType::Docker,
            ghpkg::PackageType::Nuget => PackageType::Nuget,
            ghpkg::PackageType::Container => PackageType::Container,
        }
    }
}

/// A package's visibility. `internal` is only a listing filter.
#[napi(string_enum = "lowercase")]
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Private,
    Internal,
}

impl From<ghpkg::Visibility> for Visibility {
    fn from(v: ghpkg::Visibility) -> Self {
        match v {
            ghpkg::Visibility::Public => Visibility::Public,
            ghpkg::Visibility::Private => Visibility::Private,
            ghpkg::Visibility::Internal => Visibility::Internal,
        }
    }
}

/// Which versions a listing returns: `active` (the default) or `deleted` (restorable).
#[napi(string_enum = "lowercase")]
pub enum VersionState {
    Active,
    Deleted,
}

/// The kind of a token, recognised from its prefix.
#[napi(string_enum = "snake_case")]
pub enum TokenKind {
    /// `ghp_`: a classic personal access token.
    Classic,
    /// `gho_`: an OAuth app token.
    #[napi(value = "oauth")]
    OAuth,
    /// `github_pat_`: a fine-grained token (not supported by the Packages API).
    FineGrained,
    /// `ghs_`: a GitHub App installation token or an Actions `GITHUB_TOKEN`.
    App,
    /// `ghu_`: a GitHub App user-to-server token.
    UserToServer,
    /// A token of no known shape.
    Unknown,
    /// No token.
    None,
}

impl From<ghpkg::TokenKind> for TokenKind {
    fn from(k: ghpkg::TokenKind) -> Self {
        match k {
            ghpkg::TokenKind::Classic => TokenKind::Classic,
            ghpkg::TokenKind::OAuth => TokenKind::OAuth,
            ghpkg::TokenKind::FineGrained => TokenKind::FineGrained,
            ghpkg::TokenKind::AppOrActions => TokenKind::App,
            ghpkg::TokenKind::UserToServer => TokenKind::UserToServer,
            ghpkg::TokenKind::Unknown => TokenKind::Unknown,
            ghpkg::TokenKind::None => TokenKind::None,
        }
    }
}

/// The stable `code` of a `GhpkgError`, one per core error kind.
#[napi(string_enum = "UPPER_SNAKE")]
pub enum ErrorCode {
    /// Bad input, caught before any request.
    InvalidArgument,
    /// 401: missing or bad credentials.
    Authentication,
    /// 403: missing scope, not an org admin, refused token kind.
    PermissionDenied,
    /// 404, also private packages the token cannot see.
    NotFound,
    /// 400/409/422: GitHub refused by one of its rules.
    Rejected,
    /// A primary or secondary rate limit not waited out.
    RateLimited,
    /// 5xx after retries.
    Server,
    /// Connect or request timeout.
    Timeout,
    /// Connection failed or dropped, body cut off, bad redirect.
    Transport,
    /// Malformed JSON or `link` header, a looping `next` link.
    Decode,
    /// A call on a closed client.
    Closed,
}

impl From<ghpkg::ErrorKind> for ErrorCode {
    // Exhaustive on purpose: a new core kind must break this build.
    fn from(kind: ghpkg::ErrorKind) -> Self {
        use ghpkg::ErrorKind as K;
        match kind {
            K::InvalidArgument => ErrorCode::InvalidArgument,
            K::Authentication => ErrorCode::Authentication,
            K::PermissionDenied => ErrorCode::PermissionDenied,
            K::NotFound => ErrorCode::NotFound,
            K::Rejected => ErrorCode::Rejected,
            K::RateLimited => ErrorCode::RateLimited,
            K::Server => ErrorCode::Server,
            K::Timeout => ErrorCode::Timeout,
            K::Transport => ErrorCode::Transport,
            K::Decode => ErrorCode::Decode,
            K::Closed => ErrorCode::Closed,
        }
    }
}

pub(crate) fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// GitHub ids are 64-bit; JavaScript numbers hold them exactly up to 2^53.
fn id(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A GitHub user or organization ("Simple User").
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleUser {
    pub login: String,
    pub id: i64,
    /// `User` or `Organization`.
    #[napi(js_name = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    pub html_url: String,
    pub avatar_url: String,
    pub site_admin: bool,
    /// Every other field GitHub sent, as JSON.
    #[napi(ts_type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

impl From<ghpkg::SimpleUser> for SimpleUser {
    fn from(u: ghpkg::SimpleUser) -> Self {
        SimpleUser {
            login: u.login,
            id: id(u.id),
            kind: u.kind,
            html_url: u.html_url,
            avatar_url: u.avatar_url,
            site_admin: u.site_admin,
            extra: u.extra.into(),
        }
    }
}

/// A repository ("Minimal Repository").
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MinimalRepository {
    pub id: i64,
    pub name: String,
    /// `owner/name`.
    pub full_name: String,
    pub private: bool,
    pub html_url: String,
    pub owner: Option<SimpleUser>,
    #[napi(ts_type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

impl From<ghpkg::MinimalRepository> for MinimalRepository {
    fn from(r: ghpkg::MinimalRepository) -> Self {
        MinimalRepository {
            id: id(r.id),
            name: r.name,
            full_name: r.full_name,
            private: r.private,
            html_url: r.html_url,
            owner: r.owner.map(Into::into),
            extra: r.extra.into(),
        }
    }
}

/// A package in a GitHub Packages registry.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub id: i64,
    /// The raw name; container names may contain `/`.
    pub name: String,
    pub package_type: PackageType,
    /// `public` or `private`.
    pub visibility: Visibility,
    pub url: String,
    pub html_url: String,
    /// The number of active versions.
    pub version_count: i64,
    pub owner: Option<SimpleUser>,
    pub repository: Option<MinimalRepository>,
    /// ISO 8601, e.g. `2024-01-01T00:00:00Z`.
    pub created_at: String,
    pub updated_at: String,
    #[napi(ts_type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

impl From<ghpkg::Package> for Package {
    fn from(p: ghpkg::Package) -> Self {
        Package {
            id: id(p.id),
            name: p.name,
            package_type: p.package_type.into(),
            visibility: p.visibility.into(),
            url: p.url,
            html_url: p.html_url,
            version_count: id(p.version_count),
            owner: p.owner.map(Into::into),
            repository: p.repository.map(Into::into),
            created_at: timestamp(&p.created_at),
            updated_at: timestamp(&p.updated_at),
            extra: p.extra.into(),
        }
    }
}

/// Container registry metadata of a version.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerMetadata {
    /// Tags pointing at this manifest; empty when untagged.
    pub tags: Vec<String>,
    #[napi(ts_type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

/// Docker registry metadata of a version.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerMetadata {
    /// The tags (GitHub spells the field `tag`).
    pub tag: Vec<String>,
    #[napi(ts_type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

/// Registry-specific metadata of a version.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionMetadata {
    pub package_type: PackageType,
    pub container: Option<ContainerMetadata>,
    pub docker: Option<DockerMetadata>,
    #[napi(ts_type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

/// A version of a package. For containers, `name` is the manifest digest.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageVersion {
    pub id: i64,
    /// A version string, or a `sha256:` digest for containers.
    pub name: String,
    pub url: String,
    pub package_html_url: String,
    pub html_url: Option<String>,
    pub license: Option<String>,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Set in `state: 'deleted'` listings.
    pub deleted_at: Option<String>,
    pub metadata: Option<VersionMetadata>,
    /// Container or docker tags; empty for an untagged version (often a
    /// child of a multi-arch index: deleting it can break a tagged image).
    pub tags: Vec<String>,
    #[napi(ts_type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

impl From<ghpkg::PackageVersion> for PackageVersion {
    fn from(v: ghpkg::PackageVersion) -> Self {
        let tags = v.tags().to_vec();
        PackageVersion {
            id: id(v.id),
            name: v.name,
            url: v.url,
            package_html_url: v.package_html_url,
            html_url: v.html_url,
            license: v.license,
            description: v.description,
            created_at: timestamp(&v.created_at),
            updated_at: timestamp(&v.updated_at),
            deleted_at: v.deleted_at.as_ref().map(timestamp),
            metadata: v.metadata.map(|m| VersionMetadata {
                package_type: m.package_type.into(),
                container: m.container.map(|c| ContainerMetadata {
                    tags: c.tags,
                    extra: c.extra.into(),
                }),
                docker: m.docker.map(|d| DockerMetadata {
                    tag: d.tag,
                    extra: d.extra.into(),
                }),
                extra: m.extra.into(),
            }),
            tags,
            extra: v.extra.into(),
        }
    }
}

/// A snapshot of GitHub's `x-ratelimit-*` headers.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct RateLimit {
    pub limit: i64,
    pub remaining: i64,
    pub used: i64,
    /// When the window resets, ISO 8601.
    pub reset: String,
    /// Usually `core`.
    pub resource: Option<String>,
}

impl From<&ghpkg::RateLimit> for RateLimit {
    fn from(r: &ghpkg::RateLimit) -> Self {
        RateLimit {
            limit: id(r.limit),
            remaining: id(r.remaining),
            used: id(r.used),
            reset: timestamp(&r.reset),
            resource: r.resource.clone(),
        }
    }
}

/// What the configured token can do with GitHub Packages (`client.scopes()`).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct TokenScopes {
    pub token_kind: TokenKind,
    /// GitHub's `x-oauth-scopes`; `null` when it sent none.
    pub scopes: Option<Vec<String>>,
    pub can_read: bool,
    pub can_delete: bool,
    pub can_restore: bool,
    /// `repo`, which maven and docker packages also need.
    pub has_repo: bool,
    /// Why reading failed, when it did.
    pub problem: Option<String>,
}

impl From<ghpkg::TokenScopes> for TokenScopes {
    fn from(s: ghpkg::TokenScopes) -> Self {
        TokenScopes {
            token_kind: s.token_kind.into(),
            scopes: s.scopes,
            can_read: s.can_read,
            can_delete: s.can_delete,
            can_restore: s.can_restore,
            has_repo: s.has_repo,
            problem: s.problem,
        }
    }
}
