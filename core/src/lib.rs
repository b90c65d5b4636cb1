//! # ghpkg
//!
//! A complete client for the GitHub Packages REST API: list, inspect, delete
//! and restore packages and package versions for the authenticated user, an
//! organization or a user, with lazy pagination that reads ahead, retries,
//! rate-limit handling, typed errors, and a StackQL-style catalog.
//!
//! ```no_run
//! # async fn demo() -> ghpkg::Result<()> {
//! use futures::TryStreamExt;
//! use ghpkg::{Client, Owner, PackageType};
//!
//! let client = Client::from_env()?;
//! let acme = Owner::org("acme");
//! let mut packages = client.list_packages(&acme, PackageType::Container, None);
//! while let Some(pkg) = packages.try_next().await? {
//!     println!("{} ({} versions)", pkg.name, pkg.version_count);
//! }
//! # Ok(()) }
//! ```
//!
//! The client never starts a runtime and never blocks: run it on tokio.

mod auth;
pub mod catalog;
mod client;
mod config;
mod decode;
mod error;
mod extra;
mod http;
mod models;
mod ops;
mod pagination;
mod path;
mod ratelimit;
pub mod retention;
mod scopes;

pub use auth::{Credentials, SecretToken, TokenKind};
pub use client::{
    Client, ClientBuilder, API_VERSION, DEFAULT_BASE_URL, MAX_CONCURRENT_REQUESTS, USER_AGENT,
};
pub use config::ClientConfig;
pub use error::{Error, ErrorKind, Result};
pub use extra::Extra;
pub use models::{
    ContainerMetadata, DockerMetadata, MinimalRepository, Package, PackageType, PackageVersion,
    SimpleUser, VersionMetadata, VersionState, Visibility,
};
pub use pagination::{Listing, PagingLimit, MAX_PAGED_ITEMS};
pub use path::Owner;
pub use ratelimit::RateLimit;
pub use scopes::TokenScopes;
