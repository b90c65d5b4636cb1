//! The C ABI of ghpkg: `libghpkg.so` / `libghpkg.a` and `include/ghpkg.h`.
//!
//! Conventions (the same for every export):
//! - Every fallible function returns a `ghpkg_status` (0 is `GHPKG_OK`; 1-10
//!   are the core's error kinds by `ErrorKind::number`; 100+ are the ABI's own).
//! - Outputs go through out-params that are written only on success. Details
//!   of a failure go to an optional `ghpkg_error **`, written only on failure.
//! - Every handle the library hands out has exactly one `*_free`, which accepts
//!   NULL. Strings returned by accessors live as long as their handle.
//! - Every export runs inside a panic boundary; NULL pointers, invalid UTF-8
//!   and unknown enum values give a status, never a crash.
//! - Blocking calls run on one shared tokio runtime; calling one from inside
//!   an async runtime gives `GHPKG_RUNTIME` instead of a panic.
//!
//! Exports are plain `extern "C" fn`s that check their pointers for NULL;
//! the remaining contract (a non-NULL pointer is valid) is the C caller's,
//! so they are not marked `unsafe` on the Rust side.
#![allow(non_camel_case_types)]
#![allow(clippy::not_unsafe_ptr_arg_deref)]

mod apply;
mod call;
mod catalog;
mod client;
mod convert;
mod enums;
mod error;
mod fail;
mod ffi;
mod listing;
mod models;
mod ops;
mod retention;
mod runtime;
mod status;

pub use apply::*;
pub use call::*;
pub use catalog::*;
pub use client::*;
pub use enums::*;
pub use error::*;
pub use listing::*;
pub use models::*;
pub use ops::*;
pub use retention::*;
pub use status::*;

use std::ffi::c_char;

/// The version of libghpkg, e.g. "0.1.0". A static string; never NULL.
#[no_mangle]
pub extern "C" fn ghpkg_library_version() -> *const c_char {
    // A constant: nothing here can panic, so no boundary is needed.
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}
