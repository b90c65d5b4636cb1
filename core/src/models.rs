//! Typed views of GitHub's JSON. Every model keeps the fields it does not
//! know in `extra`, so fields GitHub adds later survive a round trip through
//! [`serde_json::to_value`] and stay reachable.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::decode::with_extra;
use crate::error::Error;
use crate::extra::Extra;

macro_rules! string_enum {
    (
        $(#[$meta:meta])* $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $s:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $s)] $variant, )+
        }

        impl $name {
            /// Every value, in GitHub's documented order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as GitHub spells it.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            /// Parses GitHub's spelling; anything else is an `InvalidArgument` error
            /// that lists the accepted values.
            fn from_str(s: &str) -> Result<Self, Error> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err(Error::invalid(format!(
                        concat!("unknown ", $what, " {:?}; expected one of: {}"),
                        s,
                        [$($s),+].join(", ")
                    ))),
                }
            }
        }
    };
}

string_enum! {
    /// A GitHub Packages registry. Gradle packages are `Maven`; ghcr.io images are `Container`.
    PackageType, "package type" {
        /// npm registry.
        Npm = "npm",
        /// Maven and Gradle registry.
        Maven = "maven",
        /// RubyGems registry.
        Rubygems = "rubygems",
        /// The old Docker registry (docker.pkg.github.com).
        Docker = "docker",
        /// NuGet registry.
        Nuget = "nuget",
        /// The Container registry (ghcr.io).
        Container = "container",
    }
}

string_enum! {
    /// A package's visibility. `Internal` is only a listing filter
    /// (GitHub reports packages as public or private).
    Visibility, "visibility" {
        /// Visible to everyone.
        Public = "public",
        /// Visible to those granted access.
        Private = "private",
        /// Visible inside an enterprise (registries with granular permissions).
        Internal = "internal",
    }
}

string_enum! {
    /// Which package versions a listing returns.
    VersionState, "version state" {
        /// Versions that exist (the default).
        Active = "active",
        /// Versions deleted within the last 30 days, which can be restored.
        Deleted = "deleted",
    }
}

/// A GitHub user or organization, as GitHub's "Simple User".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimpleUser {
    /// The login (`octocat`, `acme`).
    pub login: String,
    /// The account id.
    pub id: u64,
    /// `User` or `Organization`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The profile page.
    #[serde(default)]
    pub html_url: String,
    /// The avatar image.
    #[serde(default)]
    pub avatar_url: String,
    /// Whether the account is a GitHub staff admin.
    #[serde(default)]
    pub site_admin: bool,
    /// Every other field GitHub sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A repository, as GitHub's "Minimal Repository".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinimalRepository {
    /// The repository id.
    pub id: u64,
    /// The short name (`api`).
    pub name: String,
    /// `owner/name`.
    pub full_name: String,
    /// Whether the repository is private.
    #[serde(default)]
    pub private: bool,
    /// The repository page.
    #[serde(default)]
    pub html_url: String,
    /// The owner account.
    #[serde(default)]
    pub owner: Option<SimpleUser>,
    /// Every other field GitHub sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A package in a GitHub Packages registry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Package {
    /// The package id (64-bit).
    pub id: u64,
    /// The raw name; container names may contain `/`.
    pub name: String,
    /// The registry.
    pub package_type: PackageType,
    /// `public` or `private`.
    pub visibility: Visibility,
    /// The API URL of the package.
    pub url: String,
    /// The web page of the package.
    pub html_url: String,
    /// The number of (active) versions.
    pub version_count: u64,
    /// The owning user or organization.
    #[serde(default)]
    pub owner: Option<SimpleUser>,
    /// The repository the package is linked to, if any.
    #[serde(default)]
    pub repository: Option<MinimalRepository>,
    /// When the package was created.
    pub created_at: DateTime<Utc>,
    /// When the package last changed.
    pub updated_at: DateTime<Utc>,
    /// Every other field GitHub sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Container registry metadata of a version.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ContainerMetadata {
    /// The tags pointing at this manifest; empty for an untagged version.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Every other field GitHub sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Docker registry metadata of a version.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DockerMetadata {
    /// The tags, as GitHub's schema spells the property (`tag`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<String>,
    /// The tags, as GitHub's schema lists the required field (`tags`); the
    /// schema disagrees with itself, so both spellings are read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Every other field GitHub sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Registry-specific metadata of a version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionMetadata {
    /// The registry.
    pub package_type: PackageType,
    /// Present for container versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerMetadata>,
    /// Present for docker versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerMetadata>,
    /// Every other field GitHub sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A version of a package. For containers, `name` is the manifest digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageVersion {
    /// The version id (64-bit).
    pub id: u64,
    /// The version name; a `sha256:` digest for containers.
    pub name: String,
    /// The API URL of the version.
    pub url: String,
    /// The web page of the package.
    pub package_html_url: String,
    /// The web page of the version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_url: Option<String>,
    /// The license, when the registry reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The description, when the registry reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the version was created.
    pub created_at: DateTime<Utc>,
    /// When the version last changed.
    pub updated_at: DateTime<Utc>,
    /// When the version was deleted (only in `state=deleted` listings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Registry-specific metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<VersionMetadata>,
    /// Every other field GitHub sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl PackageVersion {
    /// The version's tags: container tags, or docker tags; empty otherwise.
    pub fn tags(&self) -> &[String] {
        match &self.metadata {
            Some(VersionMetadata {
                container: Some(c), ..
            }) => &c.tags,
            Some(VersionMetadata {
                docker: Some(d), ..
            }) if d.tags.is_empty() => &d.tag,
            Some(VersionMetadata {
                docker: Some(d), ..
            }) => &d.tags,
            _ => &[],
        }
    }

    /// Whether the version has no tags. Container "untagged" versions are
    /// often children of a multi-arch index or attestations: deleting them
    /// can break a tagged image.
    pub fn is_untagged(&self) -> bool {
        self.tags().is_empty()
    }
}

with_extra!(SimpleUser, "struct SimpleUser" {
    login: "login" => required,
    id: "id" => required,
    kind: "type" => default,
    html_url: "html_url" => default,
    avatar_url: "avatar_url" => default,
    site_admin: "site_admin" => default,
});

with_extra!(MinimalRepository, "struct MinimalRepository" {
    id: "id" => required,
    name: "name" => required,
    full_name: "full_name" => required,
    private: "private" => default,
    html_url: "html_url" => default,
    owner: "owner" => repeated,
});

with_extra!(Package, "struct Package" {
    id: "id" => required,
    name: "name" => required,
    package_type: "package_type" => required,
    visibility: "visibility" => required,
    url: "url" => required,
    html_url: "html_url" => required,
    version_count: "version_count" => required,
    owner: "owner" => repeated,
    repository: "repository" => repeated,
    created_at: "created_at" => time,
    updated_at: "updated_at" => time,
});

with_extra!(ContainerMetadata, "struct ContainerMetadata" {
    tags: "tags" => default,
});

with_extra!(DockerMetadata, "struct DockerMetadata" {
    tag: "tag" => default,
    tags: "tags" => default,
});

with_extra!(VersionMetadata, "struct VersionMetadata" {
    package_type: "package_type" => required,
    container: "container" => default,
    docker: "docker" => default,
});

with_extra!(PackageVersion, "struct PackageVersion" {
    id: "id" => required,
    name: "name" => required,
    url: "url" => required,
    package_html_url: "package_html_url" => required,
    html_url: "html_url" => default,
    license: "license" => default,
    description: "description" => default,
    created_at: "created_at" => time,
    updated_at: "updated_at" => time,
    deleted_at: "deleted_at" => time_or_null,
    metadata: "metadata" => default,
});

macro_rules! to_json {
    ($($t:ty),+) => {$(
        impl $t {
            /// The whole object as JSON, fields ghpkg does not model included.
            pub fn to_json(&self) -> Value {
                serde_json::to_value(self).unwrap_or(Value::Null)
            }

            /// The same object as JSON text, written straight from the
            /// fields without building a [`Value`] first. It is
            /// `to_json().to_string()` whenever `extra` holds no name of a
            /// modelled field, as is always so for a decoded object.
            pub fn to_json_text(&self) -> String {
                serde_json::to_string(self).unwrap_or_else(|_| "null".to_owned())
            }
        }
    )+};
}
to_json!(Package, PackageVersion, SimpleUser, MinimalRepository);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive() {
        let v: Value = serde_json::json!({
            "id": 5_000_000_001u64, "name": "a/b", "package_type": "container",
            "visibility": "public", "url": "u", "html_url": "h", "version_count": 2,
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
            "owner": null, "brand_new_field": {"x": 1}
        });
        let p: Package = serde_json::from_value(v).unwrap();
        assert_eq!(p.id, 5_000_000_001);
        assert_eq!(p.to_json()["brand_new_field"]["x"], 1);
    }

    #[test]
    fn decoding_keeps_serdes_rules() {
        let full = r#"{"id": 1, "name": "n", "url": "u", "package_html_url": "h",
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00+02:00",
            "metadata": {"package_type": "container", "container": {"tags": ["v1"], "x": 1}},
            "na\u006de_too": "escaped key", "unknown": [1, {"a": null}]}"#;
        let v: PackageVersion = serde_json::from_str(full).unwrap();
        assert_eq!(v.tags(), ["v1"]);
        assert_eq!(v.updated_at.to_rfc3339(), "2024-01-01T22:00:00+00:00");
        assert_eq!(v.extra["name_too"], "escaped key");
        assert_eq!(v.extra["unknown"][1]["a"], Value::Null);
        assert_eq!(
            v.metadata
                .as_ref()
                .unwrap()
                .container
                .as_ref()
                .unwrap()
                .extra["x"],
            1
        );
        assert_eq!(v.html_url, None);
        // The same object through serde_json::Value (owned keys) decodes the same.
        let again: PackageVersion =
            serde_json::from_value(serde_json::from_str::<Value>(full).unwrap()).unwrap();
        assert_eq!(again, v);
        // An escaped spelling of a known field is that field.
        let escaped = full.replacen(r#""name""#, r#""na\u006de""#, 1);
        assert_eq!(
            serde_json::from_str::<PackageVersion>(&escaped)
                .unwrap()
                .name,
            "n"
        );

        let missing = full.replacen(r#""url": "u", "#, "", 1);
        let err = serde_json::from_str::<PackageVersion>(&missing).unwrap_err();
        assert!(err.to_string().starts_with("missing field `url`"), "{err}");
        let twice = full.replacen(r#""url": "u""#, r#""url": "u", "url": "v""#, 1);
        let err = serde_json::from_str::<PackageVersion>(&twice).unwrap_err();
        assert!(
            err.to_string().starts_with("duplicate field `url`"),
            "{err}"
        );
        let wrong = full.replacen(r#""id": 1"#, r#""id": "1""#, 1);
        assert!(serde_json::from_str::<PackageVersion>(&wrong).is_err());
        let err = serde_json::from_str::<Package>("[]").unwrap_err();
        assert!(err.to_string().contains("struct Package"), "{err}");
    }

    #[test]
    fn json_text_is_the_text_of_the_json() {
        let user = r#"{"login": "o", "id": 1, "type": "User", "x": [1.5, "\u00e9", null]}"#;
        let package = format!(
            r#"{{"id": 1, "name": "a/b", "package_type": "container", "visibility": "public",
            "url": "u", "html_url": "h", "version_count": 2, "owner": {user},
            "repository": {{"id": 2, "name": "r", "full_name": "o/r", "owner": {user}, "y": {{}}}},
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00+02:00",
            "z": "\"quoted\"\n"}}"#
        );
        let p: Package = serde_json::from_str(&package).unwrap();
        assert_eq!(p.to_json_text(), p.to_json().to_string());
        let bare: Package = serde_json::from_value(serde_json::json!({
            "id": 1, "name": "n", "package_type": "npm", "visibility": "private", "url": "u",
            "html_url": "h", "version_count": 0, "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z"}))
        .unwrap();
        assert_eq!(bare.to_json_text(), bare.to_json().to_string());
        let version = r#"{"id": 1, "name": "sha256:ab", "url": "u", "package_html_url": "h",
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
            "deleted_at": "2024-01-03T00:00:00Z", "metadata": {"package_type": "docker",
            "docker": {"tag": ["v1"]}, "w": 1}, "license": "MIT"}"#;
        let v: PackageVersion = serde_json::from_str(version).unwrap();
        assert_eq!(v.to_json_text(), v.to_json().to_string());
        let o = p.owner.as_ref().unwrap();
        assert_eq!(o.to_json_text(), o.to_json().to_string());
        let r = p.repository.as_ref().unwrap();
        assert_eq!(r.to_json_text(), r.to_json().to_string());
    }

    #[test]
    fn enums_parse_strictly() {
        assert_eq!(
            "container".parse::<PackageType>().unwrap(),
            PackageType::Container
        );
        let err = "containers".parse::<PackageType>().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        assert!(err.message().contains("npm, maven"));
    }
}
