//! Integration tests of `ghpkg-emulator`, over real HTTP on 127.0.0.1.
//! They use reqwest directly and never the `ghpkg` client crate.

mod access;
mod binary;
mod common;
mod faults;
mod fixture;
mod limits;
mod paging;
mod rules;
mod schema;
