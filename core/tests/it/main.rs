//! The core's integration tests, one binary: each module runs the real
//! client over HTTP against the emulator. Tests that own the process
//! environment (`env.rs`) or the global logger (`logging.rs`) are separate
//! binaries.

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod catalog;
mod errors;
mod goldens;
mod names;
mod operations;
mod pagination;
mod properties;
mod reader;
mod retention;
mod retention_oci;
mod schemas;
