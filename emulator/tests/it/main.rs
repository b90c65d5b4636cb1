//! Integration tests of `ghpkg-emulator`, over real HTTP on 127.0.0.1.
//! They use reqwest directly and never the `ghpkg` client crate.

mod access;
mod binary;
mod common;
mod faults;
mod fixture;
mod limits;
mod paging;
mod registry_auth;
mod registry_coupling;
mod registry_demo;
mod registry_faults;
mod registry_fixtures;
mod registry_manifests;
mod rules;
mod schema;
mod user;
