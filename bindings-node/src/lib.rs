//! The native half of the `ghpkg` npm package: napi-rs classes over the
//! Rust core. `lib/` holds the public API (`lib/client.js` checks argument
//! types, `lib/listing.js` turns cursors into async iterables,
//! `lib/retention.js` wraps plans, policies and runs, `lib/errors.js` turns
//! errors into `GhpkgError`s).
//!
//! Every method that talks to GitHub is an `async fn` running on napi's
//! tokio runtime, so the JavaScript event loop is never blocked. Panics
//! inside futures reject the promise; synchronous exports catch unwinds.

mod client;
mod cursor;
mod emulator;
mod error;
mod models;
mod page;
mod plan;
mod retention;

use napi_derive::napi;
use serde_json::Value;

pub use client::{ClientOptions, NativeClient, OwnerOptions};
pub use cursor::{PackageCursor, VersionCursor};
pub use emulator::{emulator_tokens, EmulatorOptions, LoggedRequest, NativeEmulator};
pub use models::*;
pub use plan::{
    check_policy, import_policy, retention_schemas, CheckedPolicy, DeletionIndex, NativePlan,
};
pub use retention::{NativeApplyEvents, NativeRetention};

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
    /// Whether trying the same call again later may succeed.
    pub retryable: bool,
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
            retryable: k.is_retryable(),
        })
        .collect()
}

/// The StackQL-style catalog behind `client.catalogSelect`, `catalogDelete`
/// and `catalogExec`: every resource with its fields and methods, as the core
/// serializes it.
#[napi(ts_return_type = "Array<Record<string, unknown>>")]
pub fn catalog_resources() -> Value {
    serde_json::to_value(ghpkg::catalog::resources()).unwrap_or(Value::Null)
}

/// The package types GitHub Packages knows, in GitHub's order.
#[napi]
pub fn package_types() -> Vec<&'static str> {
    ghpkg::PackageType::ALL.iter().map(|t| t.as_str()).collect()
}

/// The version of the native addon.
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
