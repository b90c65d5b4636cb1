//! The native half of the `ghpkg` npm package: napi-rs classes over the
//! Rust core. `lib/ghpkg.js` is the public API; it checks argument types,
//! turns listings into async iterables and errors into `GhpkgError`s.
//!
//! Every method that talks to GitHub is an `async fn` running on napi's
//! tokio runtime, so the JavaScript event loop is never blocked. Panics
//! inside futures reject the promise; synchronous exports catch unwinds.

mod client;
mod cursor;
mod emulator;
mod error;
mod models;

use napi_derive::napi;

pub use client::{ClientOptions, NativeClient, OwnerOptions};
pub use cursor::{PackageCursor, VersionCursor};
pub use emulator::{emulator_tokens, EmulatorOptions, LoggedRequest, NativeEmulator};
pub use models::*;

/// One row of the error table every binding maps from.
#[napi(object, object_from_js = false)]
pub struct ErrorKindInfo {
    /// The core's name, e.g. `NotFound`.
    pub kind: String,
    /// `err.code` in JavaScript, from the core's table.
    #[napi(ts_type = "ErrorCode")]
    pub code: String,
    /// The binding's own mapping of the same kind (equal to `code`).
    pub binding_code: ErrorCode,
    /// The C ABI status number.
    pub number: u32,
    pub description: String,
}

/// The whole error table, in the core's order.
#[napi]
pub fn error_kinds() -> Vec<ErrorKindInfo> {
    ghpkg::ErrorKind::ALL
        .iter()
        .map(|&k| ErrorKindInfo {
            kind: format!("{k:?}"),
            code: k.code().to_owned(),
            binding_code: k.into(),
            number: k.number(),
            description: k.describe().to_owned(),
        })
        .collect()
}

/// A method of a catalog resource.
#[napi(object, object_from_js = false)]
pub struct CatalogMethod {
    /// StackQL's name, e.g. `get_package_for_organization`.
    pub name: String,
    /// `SELECT`, `DELETE` or `EXEC`.
    #[napi(ts_type = "'SELECT' | 'DELETE' | 'EXEC'")]
    pub verb: String,
    pub required: Vec<String>,
    pub optional: Vec<String>,
    pub description: String,
}

/// A catalog resource: fields and the methods that reach it.
#[napi(object, object_from_js = false)]
pub struct CatalogResource {
    /// e.g. `github.packages.packages`.
    pub id: String,
    /// e.g. `packages`.
    pub short_name: String,
    pub fields: Vec<String>,
    pub methods: Vec<CatalogMethod>,
}

/// The StackQL-style catalog behind `client.select`, `delete` and `exec`.
#[napi]
pub fn catalog_resources() -> Vec<CatalogResource> {
    let strings = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect();
    ghpkg::catalog::resources()
        .iter()
        .map(|r| CatalogResource {
            id: r.id.to_owned(),
            short_name: r.short_name().to_owned(),
            fields: strings(r.fields),
            methods: r
                .methods
                .iter()
                .map(|m| CatalogMethod {
                    name: m.name.to_owned(),
                    verb: m.verb.as_str().to_owned(),
                    required: strings(m.required),
                    optional: strings(m.optional),
                    description: m.description.to_owned(),
                })
                .collect(),
        })
        .collect()
}

/// The version of the native addon.
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
