//! Shared helpers: a fresh demo emulator per test and clients pointed at it.
#![allow(dead_code)]

use std::time::Duration;

use ghpkg::{Client, ClientBuilder};
use ghpkg_emulator::{Emulator, LoggedRequest, DEMO_TOKEN};

/// Starts the demo emulator on 127.0.0.1.
pub async fn demo() -> Emulator {
    Emulator::demo().await.expect("start emulator")
}

/// A builder aimed at `emu` with fast retries, so fault tests run quickly.
/// It never reads the environment, so a token in the developer's shell
/// cannot change what a test sees.
pub fn builder(emu: &Emulator) -> ClientBuilder {
    Client::builder()
        .use_env(false)
        .base_url(emu.url())
        .retry_backoff(Duration::from_millis(5))
        .timeout(Duration::from_secs(10))
}

/// octocat's client with every packages scope.
pub fn client(emu: &Emulator) -> Client {
    builder(emu).token(DEMO_TOKEN).build().expect("client")
}

/// A client with the given token.
pub fn client_with(emu: &Emulator, token: &str) -> Client {
    builder(emu).token(token).build().expect("client")
}

/// `METHOD path?query` of every logged request.
pub fn calls(emu: &Emulator) -> Vec<String> {
    emu.requests().iter().map(describe).collect()
}

pub fn describe(r: &LoggedRequest) -> String {
    match &r.query {
        Some(q) => format!("{} {}?{}", r.method, r.path, q),
        None => format!("{} {}", r.method, r.path),
    }
}

/// The value of `name` in a query string.
pub fn query_param(r: &LoggedRequest, name: &str) -> Option<String> {
    r.query.as_deref()?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}
