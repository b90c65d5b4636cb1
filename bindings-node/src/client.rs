//! The native client: converts JavaScript arguments into core calls. Every
//! method that talks to GitHub is `async` and runs on napi's tokio runtime.
//! Argument types are checked in `lib/client.js` before they get here; the
//! rules (defaults, the environment, what is refused) are the core's.

use std::sync::RwLock;
use std::time::Duration;

use ghpkg::{ClientConfig, Owner};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::cursor::{PackageCursor, VersionCursor};
use crate::error::{invalid, IntoNapi};
use crate::models::{Package, PackageVersion, RateLimit, TokenKind, TokenScopes};
use crate::retention::NativeRetention;

/// Settings of a client; every field is optional. What is given wins; the
/// environment fills what is not (unless `useEnv` is false), by the core's rule.
#[napi(object, object_to_js = false)]
#[derive(Default)]
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
    /// Whole-request timeout in milliseconds.
    pub timeout_ms: Option<f64>,
    /// Connect timeout in milliseconds.
    pub connect_timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
    /// First retry delay in milliseconds.
    pub retry_backoff_ms: Option<f64>,
    /// Longest rate-limit wait in milliseconds.
    pub max_rate_limit_wait_ms: Option<f64>,
    pub read_ahead: Option<f64>,
    pub per_page: Option<f64>,
    pub allow_insecure_http: Option<bool>,
    /// Fill unset credentials and base URL from the environment (default true).
    pub use_env: Option<bool>,
}

/// Whose packages a call is about: `{ org }`, `{ user }`, or neither for the
/// authenticated user.
#[napi(object, object_to_js = false)]
pub struct OwnerOptions {
    pub org: Option<String>,
    pub user: Option<String>,
}

pub(crate) fn owner(o: Option<OwnerOptions>) -> ghpkg::Result<Owner> {
    let o = o.unwrap_or(OwnerOptions {
        org: None,
        user: None,
    });
    Owner::from_org_or_user(o.org, o.user)
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JavaScript number that must be a non-negative integer, as a `u64`.
fn non_negative_integer(value: f64, what: &str) -> Result<u64> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_SAFE_INTEGER {
        // In range and integral: the cast is exact.
        Ok(value as u64)
    } else {
        Err(invalid(format!(
            "{what} must be a non-negative integer, got {value}"
        )))
    }
}

fn milliseconds(value: Option<f64>, what: &str) -> Result<Option<Duration>> {
    value
        .map(|v| non_negative_integer(v, what).map(Duration::from_millis))
        .transpose()
}

fn count_u32(value: Option<f64>, what: &str) -> Result<Option<u32>> {
    value
        .map(|v| {
            let n = non_negative_integer(v, what)?;
            u32::try_from(n).map_err(|_| invalid(format!("{what} is too large: {n}")))
        })
        .transpose()
}

fn config(o: ClientOptions) -> Result<ClientConfig> {
    Ok(ClientConfig {
        timeout: milliseconds(o.timeout_ms, "timeoutMs")?,
        connect_timeout: milliseconds(o.connect_timeout_ms, "connectTimeoutMs")?,
        max_retries: count_u32(o.max_retries, "maxRetries")?,
        retry_backoff: milliseconds(o.retry_backoff_ms, "retryBackoffMs")?,
        max_rate_limit_wait: milliseconds(o.max_rate_limit_wait_ms, "maxRateLimitWaitMs")?,
        read_ahead: count_u32(o.read_ahead, "readAhead")?.map(|n| n as usize),
        per_page: count_u32(o.per_page, "perPage")?,
        token: o.token,
        username: o.username,
        anonymous: o.anonymous.unwrap_or(false),
        base_url: o.base_url,
        user_agent: o.user_agent,
        allow_insecure_http: o.allow_insecure_http.unwrap_or(false),
        use_env: o.use_env.unwrap_or(true),
    })
}

fn parse_type(s: &str) -> ghpkg::Result<ghpkg::PackageType> {
    s.parse()
}

pub(crate) fn version_id(s: &str) -> Result<u64> {
    match s.parse::<u64>() {
        Ok(id) if s.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
        _ => Err(invalid(format!(
            "package version id must be a positive integer, got {s}"
        ))),
    }
}

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
    /// `None` once closed: calls then fail with the core's `Closed` error.
    inner: RwLock<Option<ghpkg::Client>>,
}

impl NativeClient {
    /// The core client, or the `Closed` error.
    fn client(&self) -> Result<ghpkg::Client> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        guard
            .clone()
            .ok_or_else(|| crate::error::to_napi(ghpkg::Error::closed()))
    }
}

#[napi]
impl NativeClient {
    /// Builds a client. Sends nothing.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<ClientOptions>) -> Result<Self> {
        let client = config(options.unwrap_or_default())?.build().napi()?;
        Ok(NativeClient {
            inner: RwLock::new(Some(client)),
        })
    }

    /// Releases the client; later calls reject with `CLOSED`. Listings
    /// already started keep working.
    #[napi]
    pub fn close(&self) {
        let mut guard = self.inner.write().unwrap_or_else(|e| e.into_inner());
        *guard = None;
    }

    /// Retention with this client's credentials, base URL and retries: a
    /// new one, with its own manifest cache, at each call (`client.retention`
    /// in `lib/client.js` keeps one per client).
    #[napi(getter)]
    pub fn retention(&self) -> Result<NativeRetention> {
        Ok(NativeRetention::new(self.client()?.retention()))
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.client().is_err()
    }

    #[napi(getter)]
    pub fn base_url(&self) -> Option<String> {
        self.client().ok().map(|c| c.base_url().to_owned())
    }

    #[napi(getter)]
    pub fn token_kind(&self) -> Option<TokenKind> {
        self.client().ok().map(|c| c.token_kind().into())
    }

    #[napi(getter)]
    pub fn read_ahead(&self) -> Option<u32> {
        self.client()
            .ok()
            .map(|c| u32::try_from(c.read_ahead()).unwrap_or(u32::MAX))
    }

    #[napi(getter)]
    pub fn per_page(&self) -> Option<u32> {
        self.client().ok().map(|c| c.per_page())
    }

    /// The rate-limit headers of the most recent response, if any.
    #[napi(getter)]
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.client()
            .ok()
            .and_then(|c| c.rate_limit())
            .as_ref()
            .map(RateLimit::from)
    }

    #[napi(catch_unwind)]
    pub fn list_packages(
        &self,
        package_type: String,
        owner_options: Option<OwnerOptions>,
        visibility: Option<String>,
    ) -> Result<PackageCursor> {
        let client = self.client()?;
        let args = owner(owner_options).and_then(|owner| {
            let t: ghpkg::PackageType = package_type.parse()?;
            let vis = visibility.as_deref().map(str::parse).transpose()?;
            Ok((owner, t, vis))
        });
        Ok(PackageCursor::open(match args {
            Ok((owner, t, vis)) => client.list_packages(&owner, t, vis),
            Err(e) => ghpkg::Listing::failed(e),
        }))
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
        let p = self.client()?.get_package(&owner, t, &name).await.napi()?;
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
        self.client()?.delete_package(&owner, t, &name).await.napi()
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
        self.client()?
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
        let client = self.client()?;
        let args = owner(owner_options).and_then(|owner| {
            let t: ghpkg::PackageType = package_type.parse()?;
            let state = state.as_deref().map(str::parse).transpose()?;
            Ok((owner, t, state))
        });
        Ok(VersionCursor::open(match args {
            Ok((owner, t, state)) => client.list_versions(&owner, t, &name, state),
            Err(e) => ghpkg::Listing::failed(e),
        }))
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
        let v = self
            .client()?
            .get_version(&owner, t, &name, id)
            .await
            .napi()?;
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
        self.client()?
            .delete_version(&owner, t, &name, id)
            .await
            .napi()
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
        self.client()?
            .restore_version(&owner, t, &name, id)
            .await
            .napi()
    }

    #[napi(catch_unwind)]
    pub fn docker_conflicts(&self, owner_options: Option<OwnerOptions>) -> Result<PackageCursor> {
        let client = self.client()?;
        Ok(PackageCursor::open(match owner(owner_options) {
            Ok(owner) => client.docker_conflicts(&owner),
            Err(e) => ghpkg::Listing::failed(e),
        }))
    }

    #[napi]
    pub async fn scopes(&self) -> Result<TokenScopes> {
        Ok(self.client()?.scopes().await.napi()?.into())
    }

    #[napi(ts_return_type = "Promise<Array<Record<string, unknown>>>")]
    pub async fn catalog_select(
        &self,
        resource: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] params_value: Value,
    ) -> Result<Vec<Value>> {
        let p = params(params_value)?;
        Ok(rows(
            self.client()?.catalog_select(&resource, &p).await.napi()?,
        ))
    }

    #[napi]
    pub async fn catalog_delete(
        &self,
        resource: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] params_value: Value,
    ) -> Result<()> {
        let p = params(params_value)?;
        self.client()?.catalog_delete(&resource, &p).await.napi()
    }

    #[napi(ts_return_type = "Promise<Array<Record<string, unknown>>>")]
    pub async fn catalog_exec(
        &self,
        resource: String,
        method: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] params_value: Value,
    ) -> Result<Vec<Value>> {
        let p = params(params_value)?;
        Ok(rows(
            self.client()?
                .catalog_exec(&resource, &method, &p)
                .await
                .napi()?,
        ))
    }
}
