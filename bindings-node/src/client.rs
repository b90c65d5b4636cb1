//! The native client: converts JavaScript arguments into core calls. Every
//! method that talks to GitHub is `async` and runs on napi's tokio runtime.
//! Argument types are checked in `lib/ghpkg.js` before they get here.

use std::time::Duration;

use ghpkg::{Credentials, Owner as CoreOwner};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::cursor::{PackageCursor, VersionCursor};
use crate::error::{invalid, IntoNapi};
use crate::models::{Package, PackageVersion, RateLimit, TokenKind, TokenScopes};

/// Settings of a client; every field is optional.
#[napi(object, object_to_js = false)]
pub struct ClientOptions {
    /// A token, sent as `Authorization: Bearer`; with `username`, HTTP Basic.
    pub token: Option<String>,
    /// Send HTTP Basic `username:token` (what StackQL sends).
    pub username: Option<String>,
    /// No credentials, even when the environment has a token.
    pub anonymous: Option<bool>,
    /// `https://api.github.com` (default) or `https://HOST/api/v3`.
    pub base_url: Option<String>,
    pub user_agent: Option<String>,
    /// Whole-request timeout in milliseconds (default 30000).
    pub timeout_ms: Option<f64>,
    /// Connect timeout in milliseconds (default 10000).
    pub connect_timeout_ms: Option<f64>,
    /// Retries of connection errors and 5xx answers to reads (default 3).
    pub max_retries: Option<f64>,
    /// First retry delay in milliseconds, doubling, jittered (default 250).
    pub retry_backoff_ms: Option<f64>,
    /// Longest rate-limit wait in milliseconds before failing (default 120000).
    pub max_rate_limit_wait_ms: Option<f64>,
    /// Pages fetched ahead concurrently (default 4).
    pub read_ahead: Option<f64>,
    /// Items per page, 1 to 100 (default 100).
    pub per_page: Option<f64>,
    /// Allow plain `http://` on a non-loopback host.
    pub allow_insecure_http: Option<bool>,
}

/// Whose packages a call is about: `{ org }`, `{ user }`, or neither for the
/// authenticated user.
#[napi(object, object_to_js = false)]
pub struct OwnerOptions {
    pub org: Option<String>,
    pub user: Option<String>,
}

fn owner(o: Option<OwnerOptions>) -> ghpkg::Result<CoreOwner> {
    match o {
        None => Ok(CoreOwner::AuthenticatedUser),
        Some(OwnerOptions {
            org: Some(_),
            user: Some(_),
        }) => Err(ghpkg::Error::new(
            ghpkg::ErrorKind::InvalidArgument,
            "give either org or user, not both",
        )),
        Some(OwnerOptions { org: Some(org), .. }) => Ok(CoreOwner::org(org)),
        Some(OwnerOptions {
            user: Some(user), ..
        }) => Ok(CoreOwner::user(user)),
        Some(OwnerOptions { .. }) => Ok(CoreOwner::AuthenticatedUser),
    }
}

/// A non-negative whole number of `what`, as a `u64`.
fn whole(value: f64, what: &str) -> Result<u64> {
    if value.is_finite()
        && value >= 0.0
        && value.fract() == 0.0
        && value <= 9.007_199_254_740_991e15
    {
        // In range and integral: the cast is exact.
        Ok(value as u64)
    } else {
        Err(invalid(format!(
            "{what} must be a non-negative integer, got {value}"
        )))
    }
}

fn millis(value: f64, what: &str) -> Result<Duration> {
    whole(value, what).map(Duration::from_millis)
}

fn small(value: f64, what: &str) -> Result<u32> {
    let n = whole(value, what)?;
    u32::try_from(n).map_err(|_| invalid(format!("{what} is too large: {n}")))
}

fn build(o: ClientOptions) -> Result<ghpkg::Client> {
    let mut b = ghpkg::Client::builder().from_env();
    b = match (o.anonymous.unwrap_or(false), o.token, o.username) {
        (true, None, None) => b.credentials(Credentials::Anonymous),
        (true, _, _) => {
            return Err(invalid(
                "anonymous cannot be combined with token or username",
            ))
        }
        (false, Some(token), Some(user)) => b.basic_auth(user, token),
        (false, Some(token), None) => b.token(token),
        (false, None, Some(_)) => {
            return Err(invalid(
                "username needs a token (HTTP Basic sends username:token)",
            ))
        }
        (false, None, None) => b,
    };
    if let Some(url) = o.base_url {
        b = b.base_url(url);
    }
    if let Some(ua) = o.user_agent {
        b = b.user_agent(ua);
    }
    if let Some(v) = o.timeout_ms {
        b = b.timeout(millis(v, "timeoutMs")?);
    }
    if let Some(v) = o.connect_timeout_ms {
        b = b.connect_timeout(millis(v, "connectTimeoutMs")?);
    }
    if let Some(v) = o.max_retries {
        b = b.max_retries(small(v, "maxRetries")?);
    }
    if let Some(v) = o.retry_backoff_ms {
        b = b.retry_backoff(millis(v, "retryBackoffMs")?);
    }
    if let Some(v) = o.max_rate_limit_wait_ms {
        b = b.max_rate_limit_wait(millis(v, "maxRateLimitWaitMs")?);
    }
    if let Some(v) = o.read_ahead {
        b = b.read_ahead(small(v, "readAhead")? as usize);
    }
    if let Some(v) = o.per_page {
        b = b.per_page(small(v, "perPage")?);
    }
    if let Some(v) = o.allow_insecure_http {
        b = b.allow_insecure_http(v);
    }
    b.build().napi()
}

fn parse_type(s: &str) -> ghpkg::Result<ghpkg::PackageType> {
    s.parse()
}

fn version_id(s: &str) -> Result<u64> {
    match s.parse::<u64>() {
        Ok(id) if s.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
        _ => Err(invalid(format!(
            "package version id must be a positive integer, got {s}"
        ))),
    }
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JavaScript number arrives as a JSON float when it is a whole number
/// above `u32::MAX` (napi's conversion), which the core rightly refuses as a
/// version id. Whole numbers a JavaScript number holds exactly become JSON
/// integers again, so `package_version_id: 5000000001` means what it says.
fn integral(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(integral).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, integral(v))).collect())
        }
        other => other,
    }
}

fn params(v: Value) -> Result<ghpkg::catalog::Params> {
    match integral(v) {
        Value::Object(map) => Ok(map),
        _ => Err(invalid("catalog params must be an object")),
    }
}

fn rows(rows: Vec<ghpkg::catalog::Row>) -> Vec<Value> {
    rows.into_iter().map(Value::Object).collect()
}

/// The native half of `Client`; use `Client` from `ghpkg` instead.
#[napi]
pub struct NativeClient {
    inner: ghpkg::Client,
}

#[napi]
impl NativeClient {
    /// Builds a client. Credentials and base URL not given are read from the
    /// environment like the core: `GITHUB_TOKEN`, `GH_TOKEN`, then
    /// `STACKQL_GITHUB_USERNAME` + `STACKQL_GITHUB_PASSWORD`; `GITHUB_API_URL`.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<ClientOptions>) -> Result<Self> {
        let inner = build(options.unwrap_or(ClientOptions {
            token: None,
            username: None,
            anonymous: None,
            base_url: None,
            user_agent: None,
            timeout_ms: None,
            connect_timeout_ms: None,
            max_retries: None,
            retry_backoff_ms: None,
            max_rate_limit_wait_ms: None,
            read_ahead: None,
            per_page: None,
            allow_insecure_http: None,
        }))?;
        Ok(NativeClient { inner })
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    #[napi(getter)]
    pub fn token_kind(&self) -> TokenKind {
        self.inner.token_kind().into()
    }

    #[napi(getter)]
    pub fn read_ahead(&self) -> u32 {
        u32::try_from(self.inner.read_ahead()).unwrap_or(u32::MAX)
    }

    #[napi(getter)]
    pub fn per_page(&self) -> u32 {
        self.inner.per_page()
    }

    /// The rate-limit headers of the most recent response, if any.
    #[napi(getter)]
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.rate_limit().as_ref().map(RateLimit::from)
    }

    #[napi(catch_unwind)]
    pub fn list_packages(
        &self,
        package_type: String,
        owner_options: Option<OwnerOptions>,
        visibility: Option<String>,
    ) -> Result<PackageCursor> {
        let args = owner(owner_options).and_then(|owner| {
            let t: ghpkg::PackageType = package_type.parse()?;
            let vis = visibility.as_deref().map(str::parse).transpose()?;
            Ok((owner, t, vis))
        });
        Ok(match args {
            Ok((owner, t, vis)) => PackageCursor::open(
                self.inner.list_packages(&owner, t, vis),
                self.inner.per_page(),
            ),
            Err(e) => PackageCursor::failed(e),
        })
    }

    #[napi]
    pub async fn get_package(
        &self,
        package_type: String,
        name: String,
        owner_options: Option<OwnerOptions>,
    ) -> Result<Package> {
        let owner = owner(owner_options).napi()?;
        let t = parse_type(&package_type).napi()?;
        let p = self.inner.get_package(&owner, t, &name).await.napi()?;
        Ok(p.into())
    }

    #[napi]
    pub async fn delete_package(
        &self,
        package_type: String,
        name: String,
        owner_options: Option<OwnerOptions>,
    ) -> Result<()> {
        let owner = owner(owner_options).napi()?;
        let t = parse_type(&package_type).napi()?;
        self.inner.delete_package(&owner, t, &name).await.napi()
    }

    #[napi]
    pub async fn restore_package(
        &self,
        package_type: String,
        name: String,
        owner_options: Option<OwnerOptions>,
        token: Option<String>,
    ) -> Result<()> {
        let owner = owner(owner_options).napi()?;
        let t = parse_type(&package_type).napi()?;
        self.inner
            .restore_package(&owner, t, &name, token.as_deref())
            .await
            .napi()
    }

    #[napi(catch_unwind)]
    pub fn list_versions(
        &self,
        package_type: String,
        name: String,
        owner_options: Option<OwnerOptions>,
        state: Option<String>,
    ) -> Result<VersionCursor> {
        let args = owner(owner_options).and_then(|owner| {
            let t: ghpkg::PackageType = package_type.parse()?;
            let state = state.as_deref().map(str::parse).transpose()?;
            Ok((owner, t, state))
        });
        Ok(match args {
            Ok((owner, t, state)) => VersionCursor::open(
                self.inner.list_versions(&owner, t, &name, state),
                self.inner.per_page(),
            ),
            Err(e) => VersionCursor::failed(e),
        })
    }

    #[napi]
    pub async fn get_version(
        &self,
        package_type: String,
        name: String,
        version_id_text: String,
        owner_options: Option<OwnerOptions>,
    ) -> Result<PackageVersion> {
        let owner = owner(owner_options).napi()?;
        let t = parse_type(&package_type).napi()?;
        let id = version_id(&version_id_text)?;
        let v = self.inner.get_version(&owner, t, &name, id).await.napi()?;
        Ok(v.into())
    }

    #[napi]
    pub async fn delete_version(
        &self,
        package_type: String,
        name: String,
        version_id_text: String,
        owner_options: Option<OwnerOptions>,
    ) -> Result<()> {
        let owner = owner(owner_options).napi()?;
        let t = parse_type(&package_type).napi()?;
        let id = version_id(&version_id_text)?;
        self.inner.delete_version(&owner, t, &name, id).await.napi()
    }

    #[napi]
    pub async fn restore_version(
        &self,
        package_type: String,
        name: String,
        version_id_text: String,
        owner_options: Option<OwnerOptions>,
    ) -> Result<()> {
        let owner = owner(owner_options).napi()?;
        let t = parse_type(&package_type).napi()?;
        let id = version_id(&version_id_text)?;
        self.inner
            .restore_version(&owner, t, &name, id)
            .await
            .napi()
    }

    #[napi(catch_unwind)]
    pub fn docker_conflicts(&self, owner_options: Option<OwnerOptions>) -> Result<PackageCursor> {
        Ok(match owner(owner_options) {
            Ok(owner) => {
                PackageCursor::open(self.inner.docker_conflicts(&owner), self.inner.per_page())
            }
            Err(e) => PackageCursor::failed(e),
        })
    }

    #[napi]
    pub async fn scopes(&self) -> Result<TokenScopes> {
        Ok(self.inner.scopes().await.napi()?.into())
    }

    #[napi(ts_return_type = "Promise<Array<Record<string, unknown>>>")]
    pub async fn select(
        &self,
        resource: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] params_value: Value,
    ) -> Result<Vec<Value>> {
        let p = params(params_value)?;
        Ok(rows(self.inner.select(&resource, &p).await.napi()?))
    }

    #[napi]
    pub async fn delete(
        &self,
        resource: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] params_value: Value,
    ) -> Result<()> {
        let p = params(params_value)?;
        self.inner.delete(&resource, &p).await.napi()
    }

    #[napi(ts_return_type = "Promise<Array<Record<string, unknown>>>")]
    pub async fn exec(
        &self,
        resource: String,
        method: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] params_value: Value,
    ) -> Result<Vec<Value>> {
        let p = params(params_value)?;
        Ok(rows(self.inner.exec(&resource, &method, &p).await.napi()?))
    }
}
