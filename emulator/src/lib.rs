//! `ghpkg-emulator`: a real HTTP server that behaves like GitHub's Packages REST API.
//!
//! It serves all 27 packages operations (list, get, delete and restore packages
//! and versions, and docker migration conflicts, for `/user`, `/orgs/{org}` and
//! `/users/{username}`) from an in-memory [`State`] loaded from a [`Fixture`],
//! with GitHub's authentication, OAuth scopes, visibility rules, delete and
//! restore rules, pagination and `link` headers, and primary and secondary
//! rate limits, and `GET /user`. On a second port
//! ([`Emulator::registry_url`]) it serves the container registry of those
//! packages, a fake `ghcr.io` (the bearer challenge and `/token`, manifests by
//! digest and tag, tag listings, pushes that move tags, ghcr's refused
//! deletes and referrers redirect), coupled to the same state: REST deletes
//! and restores hide and bring back manifests and tags, and manifest `GET`s
//! count as downloads. Fixtures can carry real manifests, hand-written or
//! built with [`oci`]. Tests can script faults ([`FaultRule`]), add latency,
//! switch `link` headers off, move the clock, inspect the request log and
//! change the state while the server runs. Fault rules have one JSON vocabulary, parsed
//! and validated here ([`FaultRule::from_json`]) and shared by the binary's
//! `--fault` and the Python and Node emulators.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use ghpkg_emulator::{Emulator, Fault, FaultRule, DEMO_TOKEN};
//!
//! let emu = Emulator::demo().await?;
//! // GET {emu.url()}/orgs/acme/packages?package_type=container with
//! // `Authorization: Bearer {DEMO_TOKEN}` lists acme's container packages.
//! emu.inject(FaultRule::new(Fault::Status(500)).path("/versions"));
//! let _ = (emu.url(), DEMO_TOKEN);
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The server runs on its own thread and runtime; the [`Emulator`] handle can be
//! used from async or blocking code ([`EmulatorBuilder::start_blocking`]).

mod auth;
mod clock;
pub mod demo;
mod faults;
mod fixture;
mod handlers;
mod log;
pub mod oci;
mod pagination;
mod pipeline;
mod ratelimit;
mod registry;
mod render;
mod routes;
mod server;
mod state;

pub use demo::{
    DemoToken, ACTIONS_TOKEN, APP_TOKEN, DEMO_TOKEN, DEMO_TOKENS, FINE_GRAINED_TOKEN, HUBOT_TOKEN,
    NO_SCOPES_TOKEN, OAUTH_TOKEN, READ_ONLY_TOKEN, USER_TO_SERVER_TOKEN,
};
pub use faults::{Fault, FaultRule, FaultSpecError};
pub use fixture::{
    Fixture, FixtureError, GeneratedPackages, OrgSpec, PackageSpec, TokenKind, TokenSpec, UserSpec,
    VersionSpec, MAX_GENERATED_PACKAGES,
};
pub use handlers::{DOWNLOAD_LIMIT, RESTORE_WINDOW_DAYS};
pub use log::{LoggedRequest, MAX_LOGGED_REQUESTS};
pub use pipeline::MAX_CONCURRENT_REQUESTS;
pub use server::{Emulator, EmulatorBuilder, DEFAULT_REGISTRY_TOKEN_SECONDS};
pub use state::{Account, AccountKind, Package, State, StoredManifest, Version, PACKAGE_TYPES};
