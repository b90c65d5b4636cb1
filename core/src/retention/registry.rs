//! A client for the container registry that belongs to the API host
//! (`ghcr.io` for `api.github.com`, `containers.HOST` for GitHub Enterprise
//! Server), reading manifests the standard way: an anonymous request, the
//! registry's `401` challenge, a token from the challenge's realm (Basic
//! with the GitHub token), the request again with that bearer token.
//!
//! Fail-closed by construction: the GitHub token is only ever sent to a
//! realm on the registry's own origin over https (plain http only on
//! loopback, for tests); every body's sha256 must equal the digest asked
//! for; a 404 is reported as missing, anything else unreadable.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use url::Url;

use super::evaluate::ManifestState;
use super::oci::{Manifest, ACCEPT as MANIFEST_ACCEPT};
use super::policy::hex;
use crate::auth::Credentials;
use crate::client::{is_loopback, Client};
use crate::error::{Error, Result};

/// Manifest requests in flight at most, per plan.
pub const MAX_IN_FLIGHT: usize = 8;
/// How long a registry token lives when the realm does not say.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// Refresh a token this long before it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(10);
/// The largest manifest ghpkg reads (manifests are small; this stops a
/// misbehaving server from filling memory).
const MAX_MANIFEST_BYTES: usize = 4 << 20;

/// Why nothing could be read from the registry for a whole package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryProblem {
    /// `registry_unavailable` or `registry_auth_refused`.
    pub code: &'static str,
    /// What happened.
    pub detail: String,
}

impl RegistryProblem {
    fn unavailable(detail: impl Into<String>) -> Self {
        RegistryProblem {
            code: "registry_unavailable",
            detail: detail.into(),
        }
    }

    fn auth_refused(detail: impl Into<String>) -> Self {
        RegistryProblem {
            code: "registry_auth_refused",
            detail: detail.into(),
        }
    }
}

/// The registry of an API root: `https://api.github.com` → `https://ghcr.io`,
/// `https://HOST/api/v3` → `https://containers.HOST`; `None` otherwise.
pub fn registry_for(base_url: &str) -> Option<String> {
    let url = Url::parse(base_url).ok()?;
    let host = url.host_str()?;
    if host.eq_ignore_ascii_case("api.github.com") {
        return Some("https://ghcr.io".into());
    }
    if url.path().trim_end_matches('/') == "/api/v3" && url.scheme() == "https" {
        return Some(format!("https://containers.{host}"));
    }
    None
}

/// A registry client for one plan or run; cheap to clone.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    origin: Url,
    credentials: Credentials,
    user_agent: String,
    max_retries: u32,
    retry_base: Duration,
    tokens: Mutex<HashMap<String, (String, Instant)>>,
    permits: Semaphore,
    /// Set by a 429: nobody sends before this instant.
    pause_until: Mutex<Option<Instant>>,
    /// Manifests read over the network.
    reads: std::sync::atomic::AtomicUsize,
}

/// The parts of a `WWW-Authenticate: Bearer ...` challenge.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub realm: String,
    pub service: Option<String>,
    pub scope: Option<String>,
}

/// Parses `Bearer realm="…",service="…",scope="…"`.
pub(crate) fn parse_challenge(value: &str) -> Option<Challenge> {
    let (scheme, params) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut c = Challenge::default();
    let mut rest = params.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, tail) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"')?;
            (&q[..end], &q[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        match key.as_str() {
            "realm" => c.realm = value.to_owned(),
            "service" => c.service = Some(value.to_owned()),
            "scope" => c.scope = Some(value.to_owned()),
            _ => {}
        }
        rest = tail.trim_start_matches([',', ' ']);
    }
    (!c.realm.is_empty()).then_some(c)
}

/// An OCI repository name component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn valid_component(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    b.iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-".contains(c))
        && !s.contains("..")
        && !s.contains("___")
        && !s.contains("._")
        && !s.contains("_.")
        && !s.contains(".-")
        && !s.contains("-.")
}

/// The registry repository of a package: the lowercased owner and the name
/// with its `/` kept; `InvalidArgument` when it is not a valid OCI name.
pub fn repository(owner: &str, package: &str) -> Result<String> {
    let name = format!("{}/{}", owner.to_ascii_lowercase(), package);
    if name.split('/').all(valid_component) {
        Ok(name)
    } else {
        Err(Error::invalid(format!(
            "{name:?} is not a valid registry repository name (lowercase letters, digits and \
             separators only)"
        )))
    }
}

impl Registry {
    /// A registry client at `origin` with the API client's credentials,
    /// retries and user agent. The origin must be https, or http on loopback.
    pub fn new(client: &Client, origin: &str) -> Result<Registry> {
        let url = Url::parse(origin)
            .map_err(|e| Error::invalid(format!("registry URL {origin:?}: {e}")))?;
        let ok_scheme = url.scheme() == "https"
            || (url.scheme() == "http" && (is_loopback(&url) || client.inner.allow_insecure_http));
        if !ok_scheme || url.host_str().is_none() {
            return Err(Error::invalid(format!(
                "registry URL {origin:?} must be https (plain http only on this machine)"
            )));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(crate::error::from_reqwest)?;
        let i = &client.inner;
        Ok(Registry {
            inner: Arc::new(Inner {
                http,
                origin: url,
                credentials: i.credentials.clone(),
                user_agent: i.user_agent.clone(),
                max_retries: i.max_retries,
                retry_base: i.retry_base,
                tokens: Mutex::new(HashMap::new()),
                permits: Semaphore::new(MAX_IN_FLIGHT),
                pause_until: Mutex::new(None),
                reads: Default::default(),
            }),
        })
    }

    /// The registry's origin, e.g. `https://ghcr.io`.
    pub fn origin(&self) -> String {
        self.inner.origin.as_str().trim_end_matches('/').to_owned()
    }

    /// The host (and port) references name, e.g. `ghcr.io`.
    pub fn host(&self) -> String {
        let u = &self.inner.origin;
        match u.port() {
            Some(p) => format!("{}:{p}", u.host_str().unwrap_or_default()),
            None => u.host_str().unwrap_or_default().to_owned(),
        }
    }

    /// Manifests read over the network so far.
    pub fn reads(&self) -> usize {
        self.inner.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Reads the manifest `digest` of repository `repo` and checks its
    /// digest. `Err` is a problem with the registry itself (it cannot be
    /// reached or refuses the credentials), which blocks the whole package.
    pub async fn manifest(
        &self,
        repo: &str,
        digest: &str,
    ) -> std::result::Result<ManifestState, RegistryProblem> {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| RegistryProblem::unavailable("the registry client was closed"))?;
        let path = format!("/v2/{repo}/manifests/{digest}");
        let resp = match self.send(repo, &path, Method::GET, None).await? {
            Ok(r) => r,
            Err(state) => return Ok(state),
        };
        self.inner
            .reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let content_type = resp
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let header_digest = resp
            .headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp.body;
        let actual = format!("sha256:{}", hex(&Sha256::digest(&body)));
        if actual != digest {
            return Ok(ManifestState::DigestMismatch(format!(
                "asked for {digest}, the body hashes to {actual}"
            )));
        }
        if let Some(h) = header_digest.filter(|h| h != digest) {
            return Ok(ManifestState::DigestMismatch(format!(
                "asked for {digest}, Docker-Content-Digest says {h}"
            )));
        }
        Ok(match Manifest::parse(&body, content_type.as_deref()) {
            Ok(m) => ManifestState::Read(m),
            Err(why) => ManifestState::Unreadable(why.0),
        })
    }

    /// Whether `reference` (a tag or digest) resolves in `repo`, and to
    /// which digest: a `HEAD`, which is not counted as a download.
    pub async fn resolve(
        &self,
        repo: &str,
        reference: &str,
    ) -> std::result::Result<Option<String>, RegistryProblem> {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| RegistryProblem::unavailable("the registry client was closed"))?;
        let path = format!("/v2/{repo}/manifests/{reference}");
        match self.send(repo, &path, Method::HEAD, None).await? {
            Ok(resp) => Ok(Some(
                resp.headers
                    .get("docker-content-digest")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
                    .unwrap_or_else(|| reference.to_owned()),
            )),
            Err(ManifestState::Missing) => Ok(None),
            Err(ManifestState::Unreadable(why) | ManifestState::DigestMismatch(why)) => {
                Err(RegistryProblem::unavailable(why))
            }
            Err(ManifestState::Read(_)) => Ok(None),
        }
    }

    /// The exact bytes and media type of manifest `digest` in `repo`, after
    /// checking that they hash to `digest` (for pushing them again).
    pub async fn raw_manifest(
        &self,
        repo: &str,
        digest: &str,
    ) -> std::result::Result<(bytes::Bytes, String), String> {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| "the registry client was closed".to_owned())?;
        let path = format!("/v2/{repo}/manifests/{digest}");
        let resp = match self.send(repo, &path, Method::GET, None).await {
            Err(p) => return Err(p.detail),
            Ok(Err(ManifestState::Missing)) => {
                return Err(format!("the registry has no manifest {digest}"))
            }
            Ok(Err(ManifestState::Unreadable(why) | ManifestState::DigestMismatch(why))) => {
                return Err(why)
            }
            Ok(Err(ManifestState::Read(_))) => return Err("unexpected manifest state".into()),
            Ok(Ok(r)) => r,
        };
        self.inner
            .reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let actual = format!("sha256:{}", hex(&Sha256::digest(&resp.body)));
        if actual != digest {
            return Err(format!("asked for {digest}, the body hashes to {actual}"));
        }
        let media_type = resp
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|c| c.split(';').next().unwrap_or(c).trim().to_owned())
            .filter(|c| !c.is_empty())
            .or_else(|| {
                serde_json::from_slice::<serde_json::Value>(&resp.body)
                    .ok()?
                    .get("mediaType")?
                    .as_str()
                    .map(str::to_owned)
            })
            .ok_or_else(|| format!("the manifest {digest} has no media type"))?;
        Ok((resp.body, media_type))
    }

    /// Pushes `body` as `tag` in `repo` (the tag moves to it); returns the
    /// digest the registry stored, which must be the body's own.
    pub async fn push_manifest(
        &self,
        repo: &str,
        tag: &str,
        media_type: &str,
        body: bytes::Bytes,
    ) -> std::result::Result<String, String> {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| "the registry client was closed".to_owned())?;
        let digest = format!("sha256:{}", hex(&Sha256::digest(&body)));
        let path = format!("/v2/{repo}/manifests/{tag}");
        match self
            .send(repo, &path, Method::PUT, Some((media_type, body)))
            .await
        {
            Err(p) => Err(p.detail),
            Ok(Err(ManifestState::Missing)) => {
                Err(format!("the registry has no repository {repo}"))
            }
            Ok(Err(ManifestState::Unreadable(why) | ManifestState::DigestMismatch(why))) => {
                Err(why)
            }
            Ok(Err(ManifestState::Read(_))) => Err("unexpected manifest state".into()),
            Ok(Ok(resp)) => match resp
                .headers
                .get("docker-content-digest")
                .and_then(|v| v.to_str().ok())
            {
                Some(d) if d != digest => Err(format!("pushed {digest}, the registry stored {d}")),
                _ => Ok(digest),
            },
        }
    }

    /// Sends `method path` (with `body` for a push) with the token for
    /// `repo`, answering the challenge once and retrying server errors and
    /// 429s. `Ok(Err(state))` is a per-version outcome (missing, unreadable).
    async fn send(
        &self,
        repo: &str,
        path: &str,
        method: Method,
        body: Option<(&str, bytes::Bytes)>,
    ) -> std::result::Result<std::result::Result<Fetched, ManifestState>, RegistryProblem> {
        let scope = if body.is_some() {
            format!("repository:{repo}:pull,push")
        } else {
            format!("repository:{repo}:pull")
        };
        let mut url = self.inner.origin.clone();
        url.set_path(path);
        let mut retries = 0u32;
        let mut challenged = false;
        loop {
            self.wait_for_pause().await;
            let token = self.cached_token(&scope);
            let mut req = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .header(ACCEPT, MANIFEST_ACCEPT)
                .header(USER_AGENT, &self.inner.user_agent);
            if let Some(t) = &token {
                req = req.header(AUTHORIZATION, format!("Bearer {t}"));
            }
            if let Some((media_type, bytes)) = &body {
                req = req.header(CONTENT_TYPE, *media_type).body(bytes.clone());
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if retries < self.inner.max_retries => {
                    tracing::debug!(error = %e.without_url(), "ghpkg: registry request failed, retrying");
                    self.backoff(&mut retries).await;
                    continue;
                }
                Err(e) => {
                    return Err(RegistryProblem::unavailable(format!(
                        "the registry {} cannot be reached: {}",
                        self.origin(),
                        crate::error::from_reqwest(e).message()
                    )))
                }
            };
            let status = resp.status();
            let headers = resp.headers().clone();
            match status {
                s if s.is_success() => {
                    let body = match read_body(resp).await {
                        Ok(b) => b,
                        Err(why) if retries < self.inner.max_retries => {
                            tracing::debug!(%why, "ghpkg: manifest body cut off, retrying");
                            self.backoff(&mut retries).await;
                            continue;
                        }
                        Err(why) => return Ok(Err(ManifestState::Unreadable(why))),
                    };
                    return Ok(Ok(Fetched { headers, body }));
                }
                StatusCode::UNAUTHORIZED if !challenged => {
                    challenged = true;
                    self.forget_token(&scope);
                    let challenge = headers
                        .get(WWW_AUTHENTICATE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_challenge)
                        .ok_or_else(|| {
                            RegistryProblem::auth_refused(
                                "the registry answered 401 without a Bearer challenge",
                            )
                        })?;
                    self.fetch_token(&challenge, &scope).await?;
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    return Err(RegistryProblem::auth_refused(format!(
                        "the registry refused the token for {repo} ({status})"
                    )))
                }
                StatusCode::NOT_FOUND => return Ok(Err(ManifestState::Missing)),
                StatusCode::TOO_MANY_REQUESTS if retries < self.inner.max_retries + 2 => {
                    let wait = retry_after(&headers).unwrap_or(Duration::from_secs(1));
                    self.pause(wait);
                    retries += 1;
                }
                s if s.is_server_error() && retries < self.inner.max_retries => {
                    self.backoff(&mut retries).await;
                }
                s => {
                    let why = read_body(resp)
                        .await
                        .ok()
                        .and_then(|b| registry_error(&b))
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default();
                    return Ok(Err(ManifestState::Unreadable(format!(
                        "the registry answered {s} for {method} {path}{why}"
                    ))));
                }
            }
        }
    }

    /// Gets a token from the challenge's realm, refusing a realm that is not
    /// on the registry's own origin (the GitHub token would leave it).
    async fn fetch_token(
        &self,
        challenge: &Challenge,
        scope: &str,
    ) -> std::result::Result<(), RegistryProblem> {
        let realm = Url::parse(&challenge.realm).map_err(|e| {
            RegistryProblem::auth_refused(format!("the challenge's realm is not a URL: {e}"))
        })?;
        let origin = &self.inner.origin;
        let secure = realm.scheme() == "https" || (realm.scheme() == "http" && is_loopback(&realm));
        if realm.origin() != origin.origin() || !secure {
            return Err(RegistryProblem::auth_refused(format!(
                "the registry's token realm {} is not on its own origin {}: the token is not sent \
                 there",
                realm.origin().ascii_serialization(),
                origin.origin().ascii_serialization()
            )));
        }
        let mut url = realm.clone();
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = &challenge.service {
                q.append_pair("service", s);
            }
            // A push asks for its own scope; a read takes the challenge's.
            let asked = if scope.ends_with(",push") {
                scope
            } else {
                challenge.scope.as_deref().unwrap_or(scope)
            };
            q.append_pair("scope", asked);
        }
        let mut req = self
            .inner
            .http
            .get(url)
            .header(USER_AGENT, &self.inner.user_agent);
        req = match &self.inner.credentials {
            Credentials::Anonymous => req,
            Credentials::Token(t) => req.basic_auth("ghpkg", Some(t.expose())),
            Credentials::Basic { username, token } => {
                req.basic_auth(username, Some(token.expose()))
            }
        };
        let mut attempts = 0;
        let resp = loop {
            let resp = req
                .try_clone()
                .ok_or_else(|| RegistryProblem::unavailable("cannot resend the token request"))?
                .send()
                .await
                .map_err(|e| {
                    RegistryProblem::unavailable(format!(
                        "the registry's token endpoint cannot be reached: {}",
                        crate::error::from_reqwest(e).message()
                    ))
                })?;
            let status = resp.status();
            if (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
                && attempts < self.inner.max_retries
            {
                let wait = retry_after(resp.headers()).unwrap_or(self.inner.retry_base);
                attempts += 1;
                tokio::time::sleep(wait).await;
                continue;
            }
            break resp;
        };
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(RegistryProblem::auth_refused(format!(
                "the registry's token endpoint refused the credentials ({status})"
            )));
        }
        if !status.is_success() {
            return Err(RegistryProblem::unavailable(format!(
                "the registry's token endpoint answered {status}"
            )));
        }
        #[derive(serde::Deserialize)]
        struct TokenBody {
            token: Option<String>,
            access_token: Option<String>,
            expires_in: Option<u64>,
        }
        let bytes = resp.bytes().await.map_err(|e| {
            RegistryProblem::unavailable(format!(
                "the token endpoint's answer was cut off: {}",
                e.without_url()
            ))
        })?;
        let body: TokenBody = serde_json::from_slice(&bytes).map_err(|e| {
            RegistryProblem::unavailable(format!("the token endpoint's answer is not JSON: {e}"))
        })?;
        let token = body.token.or(body.access_token).ok_or_else(|| {
            RegistryProblem::unavailable("the token endpoint's answer has no token")
        })?;
        let life = body
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME)
            .saturating_sub(TOKEN_MARGIN);
        self.inner
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(scope.to_owned(), (token, Instant::now() + life));
        Ok(())
    }

    fn cached_token(&self, scope: &str) -> Option<String> {
        let tokens = self.inner.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens
            .get(scope)
            .filter(|(_, until)| Instant::now() < *until)
            .map(|(t, _)| t.clone())
    }

    fn forget_token(&self, scope: &str) {
        self.inner
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(scope);
    }

    fn pause(&self, d: Duration) {
        let until = Instant::now() + d;
        let mut p = self
            .inner
            .pause_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if p.map_or(true, |old| old < until) {
            *p = Some(until);
        }
    }

    async fn wait_for_pause(&self) {
        let until = *self
            .inner
            .pause_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                tokio::time::sleep(until - now).await;
            }
        }
    }

    async fn backoff(&self, retries: &mut u32) {
        let wait = self
            .inner
            .retry_base
            .saturating_mul(2u32.saturating_pow((*retries).min(10)));
        *retries += 1;
        tokio::time::sleep(wait.mul_f64(0.5 + fastrand::f64() * 0.5)).await;
    }
}

struct Fetched {
    headers: reqwest::header::HeaderMap,
    body: bytes::Bytes,
}

/// The first error of an OCI error body, `CODE: message`.
fn registry_error(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let e = v.get("errors")?.get(0)?;
    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("ERROR");
    let message = e.get("message").and_then(|m| m.as_str()).unwrap_or("");
    let mut out = format!("{code} {message}");
    out.truncate(200);
    Some(out.trim_end().to_owned())
}

async fn read_body(resp: reqwest::Response) -> std::result::Result<bytes::Bytes, String> {
    if resp
        .content_length()
        .is_some_and(|n| n as usize > MAX_MANIFEST_BYTES)
    {
        return Err("the manifest is larger than 4 MiB".into());
    }
    let body = resp
        .bytes()
        .await
        .map_err(|e| format!("the manifest body was cut off: {}", e.without_url()))?;
    if body.len() > MAX_MANIFEST_BYTES {
        return Err("the manifest is larger than 4 MiB".into());
    }
    Ok(body)
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_of_api_hosts() {
        assert_eq!(
            registry_for("https://api.github.com").as_deref(),
            Some("https://ghcr.io")
        );
        assert_eq!(
            registry_for("https://ghe.example.com/api/v3").as_deref(),
            Some("https://containers.ghe.example.com")
        );
        assert_eq!(registry_for("http://127.0.0.1:8080"), None);
    }

    #[test]
    fn challenges() {
        let c = parse_challenge(
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/api:pull""#,
        )
        .unwrap();
        assert_eq!(c.realm, "https://ghcr.io/token");
        assert_eq!(c.service.as_deref(), Some("ghcr.io"));
        assert_eq!(c.scope.as_deref(), Some("repository:acme/api:pull"));
        assert!(parse_challenge("Basic realm=\"x\"").is_none());
        assert!(parse_challenge("Bearer service=\"x\"").is_none());
    }

    #[test]
    fn repository_names() {
        assert_eq!(repository("Acme", "api/server").unwrap(), "acme/api/server");
        assert!(repository("acme", "org-repo/sub/image").is_ok());
        for bad in ["Api", "a..b", "-a", "a/", "my app", "caf\u{e9}"] {
            assert!(repository("acme", bad).is_err(), "{bad}");
        }
    }
}
