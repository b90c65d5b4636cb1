//! `ghpkg_client`: building a client, its settings, and the token preflight.

use std::ffi::{c_char, CString};
use std::ptr;
use std::time::Duration;

use ghpkg::{Client, ClientBuilder, TokenScopes};

use crate::error::{ghpkg_error, ghpkg_rate_limit, Fail};
use crate::ffi::{
    borrow, call, cstring, cstring_lossy, free_box, infallible, opt_ptr, opt_text, read,
};
use crate::runtime::block_on;
use crate::status::ghpkg_status;

/// Settings for `ghpkg_client_new`. Start from `ghpkg_client_options_default()`
/// and change what you need: zero is a real value for the numbers (no
/// retries, never wait for a rate limit), not "default".
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ghpkg_client_options {
    /// A token sent as `Authorization: Bearer`; NULL for none.
    pub token: *const c_char,
    /// With `token`: authenticate with HTTP Basic `username:token` instead
    /// (what StackQL sends). NULL for bearer auth.
    pub username: *const c_char,
    /// The API root; NULL for `https://api.github.com`. GitHub Enterprise
    /// Server: `https://HOST/api/v3`.
    pub base_url: *const c_char,
    /// A `User-Agent` to send; NULL for `ghpkg/VERSION`.
    pub user_agent: *const c_char,
    /// Time allowed to open a connection, in milliseconds (default 10,000).
    pub connect_timeout_ms: u64,
    /// Time allowed for one whole request, in milliseconds (default 30,000).
    pub timeout_ms: u64,
    /// The first retry's delay before jitter, in milliseconds; it doubles
    /// each time (default 250).
    pub retry_backoff_ms: u64,
    /// The longest the client sleeps for a rate limit before failing with
    /// `GHPKG_RATE_LIMITED`, in milliseconds (default 120,000; 0 never waits).
    pub max_rate_limit_wait_ms: u64,
    /// Retries after connection errors and 5xx answers to reads (default 3).
    pub max_retries: u32,
    /// Pages a listing may fetch ahead, concurrently (default 4).
    pub read_ahead: u32,
    /// Items per page for listings, 1 to 100 (default 100).
    pub per_page: u32,
    /// Fill what is not set here from the environment: credentials from
    /// `GITHUB_TOKEN`, `GH_TOKEN`, then `STACKQL_GITHUB_USERNAME` +
    /// `STACKQL_GITHUB_PASSWORD`; the base URL from `GITHUB_API_URL`.
    pub from_env: bool,
    /// Allow a plain `http://` base URL on a host other than loopback.
    pub allow_insecure_http: bool,
}

const DEFAULT_OPTIONS: ghpkg_client_options = ghpkg_client_options {
    token: ptr::null(),
    username: ptr::null(),
    base_url: ptr::null(),
    user_agent: ptr::null(),
    connect_timeout_ms: 10_000,
    timeout_ms: 30_000,
    retry_backoff_ms: 250,
    max_rate_limit_wait_ms: 120_000,
    max_retries: 3,
    read_ahead: 4,
    per_page: 100,
    from_env: false,
    allow_insecure_http: false,
};

/// The default settings: no credentials, github.com, every number at the
/// core's default, nothing from the environment.
#[no_mangle]
pub extern "C" fn ghpkg_client_options_default() -> ghpkg_client_options {
    // A constant: nothing here can panic, so no boundary is needed.
    DEFAULT_OPTIONS
}

/// A GitHub Packages client. Thread-safe: share one between threads and
/// call it from all of them at once; free it once, after every call has
/// returned and every listing made from it has been freed or finished.
pub struct ghpkg_client {
    pub(crate) client: Client,
    base_url: CString,
}

impl ghpkg_client {
    fn boxed(client: Client) -> *mut ghpkg_client {
        let base_url = cstring_lossy(client.base_url());
        Box::into_raw(Box::new(ghpkg_client { client, base_url }))
    }
}

fn builder_from(o: &ghpkg_client_options) -> Result<ClientBuilder, Fail> {
    // SAFETY: non-NULL strings in the options are NUL-terminated (the C contract).
    let token = unsafe { opt_text(o.token, "options.token") }?;
    let username = unsafe { opt_text(o.username, "options.username") }?;
    let base_url = unsafe { opt_text(o.base_url, "options.base_url") }?;
    let user_agent = unsafe { opt_text(o.user_agent, "options.user_agent") }?;
    let mut b = Client::builder()
        .connect_timeout(Duration::from_millis(o.connect_timeout_ms))
        .timeout(Duration::from_millis(o.timeout_ms))
        .retry_backoff(Duration::from_millis(o.retry_backoff_ms))
        .max_rate_limit_wait(Duration::from_millis(o.max_rate_limit_wait_ms))
        .max_retries(o.max_retries)
        .read_ahead(usize::try_from(o.read_ahead).unwrap_or(usize::MAX))
        .per_page(o.per_page)
        .allow_insecure_http(o.allow_insecure_http);
    b = match (username, token) {
        (Some(user), Some(token)) => b.basic_auth(user, token),
        (None, Some(token)) => b.token(token),
        (Some(_), None) => {
            return Err(Fail::invalid(
                "options.username is set without options.token (Basic auth needs both)",
            ))
        }
        (None, None) => b,
    };
    if let Some(url) = base_url {
        b = b.base_url(url);
    }
    if let Some(ua) = user_agent {
        b = b.user_agent(ua);
    }
    if o.from_env {
        b = b.from_env();
    }
    Ok(b)
}

/// Builds a client from `options`. Sends nothing.
///
/// Fails with `GHPKG_INVALID_ARGUMENT` for an empty token, a bad base URL,
/// plain http to a non-loopback host without `allow_insecure_http`, a
/// `per_page` outside 1..=100, or a username without a token.
#[no_mangle]
pub extern "C" fn ghpkg_client_new(
    options: *const ghpkg_client_options,
    out: *mut *mut ghpkg_client,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: a non-NULL `options` points to a ghpkg_client_options.
        let o = unsafe { borrow(options, "options") }?;
        let client = builder_from(o)?.build()?;
        Ok(ghpkg_client::boxed(client))
    })
}

/// Builds a client from the environment only (see
/// `ghpkg_client_options.from_env`); anonymous when no variable is set.
#[no_mangle]
pub extern "C" fn ghpkg_client_from_env(
    out: *mut *mut ghpkg_client,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        Ok(ghpkg_client::boxed(Client::from_env()?))
    })
}

/// Frees a client. NULL is ignored. Listings made from it keep working
/// until they are freed.
#[no_mangle]
pub extern "C" fn ghpkg_client_free(client: *mut ghpkg_client) {
    let _rt = crate::runtime::enter();
    free_box(client);
}

/// The base URL requests go to, without a trailing '/'. Valid until the
/// client is freed; NULL for a NULL client.
#[no_mangle]
pub extern "C" fn ghpkg_client_base_url(client: *const ghpkg_client) -> *const c_char {
    infallible(ptr::null(), || {
        // SAFETY: a non-NULL client comes from this library.
        unsafe { client.as_ref() }.map_or(ptr::null(), |c| c.base_url.as_ptr())
    })
}

/// Copies the `x-ratelimit-*` snapshot of the client's most recent response
/// to `*out` and returns true; false (leaving `*out` alone) when no response
/// carried one yet or an argument is NULL.
#[no_mangle]
pub extern "C" fn ghpkg_client_rate_limit(
    client: *const ghpkg_client,
    out: *mut ghpkg_rate_limit,
) -> bool {
    infallible(false, || {
        // SAFETY: a non-NULL client comes from this library; `out` is checked.
        let (Some(c), Some(out)) = (unsafe { client.as_ref() }, unsafe { out.as_mut() }) else {
            return false;
        };
        match c.client.rate_limit() {
            Some(rl) => {
                *out = ghpkg_rate_limit::from(&rl);
                true
            }
            None => false,
        }
    })
}

/// What the client's token may do with GitHub Packages. Owned by the
/// caller; free with `ghpkg_scopes_free`.
pub struct ghpkg_scopes {
    scopes: TokenScopes,
    token_kind: CString,
    list: Vec<CString>,
    problem: Option<CString>,
}

/// Checks the token with one cheap request and reports its scopes and
/// whether it can read, delete and restore. Blocking.
///
/// Bad credentials are `GHPKG_AUTHENTICATION`; a token GitHub refuses for
/// packages succeeds with `can_read` false and a `problem`.
#[no_mangle]
pub extern "C" fn ghpkg_client_scopes(
    client: *const ghpkg_client,
    out: *mut *mut ghpkg_scopes,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: a non-NULL client comes from this library.
        let c = unsafe { borrow(client, "client") }?;
        let scopes = block_on(c.client.scopes())??;
        let handle = ghpkg_scopes {
            token_kind: cstring(scopes.token_kind.as_str(), "token_kind")?,
            list: scopes
                .scopes
                .iter()
                .flatten()
                .map(|s| cstring(s, "scope"))
                .collect::<Result<_, _>>()?,
            problem: scopes.problem.as_deref().map(cstring_lossy),
            scopes,
        };
        Ok(Box::into_raw(Box::new(handle)))
    })
}

/// The token's kind from its prefix: `classic`, `oauth`, `fine_grained`,
/// `app`, `user_to_server`, `unknown` or `none`.
#[no_mangle]
pub extern "C" fn ghpkg_scopes_token_kind(s: *const ghpkg_scopes) -> *const c_char {
    read(s, ptr::null(), |s| s.token_kind.as_ptr())
}

/// Whether GitHub reported the token's scopes (`x-oauth-scopes`); it does
/// for classic and OAuth tokens only, so otherwise delete and restore are
/// unconfirmed.
#[no_mangle]
pub extern "C" fn ghpkg_scopes_reported(s: *const ghpkg_scopes) -> bool {
    read(s, false, |s| s.scopes.scopes.is_some())
}

/// The number of scopes GitHub reported.
#[no_mangle]
pub extern "C" fn ghpkg_scopes_scope_count(s: *const ghpkg_scopes) -> usize {
    read(s, 0, |s| s.list.len())
}

/// The scope at `index` (e.g. `read:packages`), or NULL when out of range.
#[no_mangle]
pub extern "C" fn ghpkg_scopes_scope(s: *const ghpkg_scopes, index: usize) -> *const c_char {
    read(s, ptr::null(), |s| {
        s.list.get(index).map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// Whether listing and reading packages works.
#[no_mangle]
pub extern "C" fn ghpkg_scopes_can_read(s: *const ghpkg_scopes) -> bool {
    read(s, false, |s| s.scopes.can_read)
}

/// Whether deleting is allowed (`delete:packages`).
#[no_mangle]
pub extern "C" fn ghpkg_scopes_can_delete(s: *const ghpkg_scopes) -> bool {
    read(s, false, |s| s.scopes.can_delete)
}

/// Whether restoring is allowed (`write:packages`).
#[no_mangle]
pub extern "C" fn ghpkg_scopes_can_restore(s: *const ghpkg_scopes) -> bool {
    read(s, false, |s| s.scopes.can_restore)
}

/// Whether the token has `repo`, which npm, maven, rubygems, nuget and
/// docker packages also need.
#[no_mangle]
pub extern "C" fn ghpkg_scopes_has_repo(s: *const ghpkg_scopes) -> bool {
    read(s, false, |s| s.scopes.has_repo)
}

/// Why reading failed, with ghpkg's hint, or NULL when it works.
#[no_mangle]
pub extern "C" fn ghpkg_scopes_problem(s: *const ghpkg_scopes) -> *const c_char {
    read(s, ptr::null(), |s| opt_ptr(&s.problem))
}

/// Frees a scopes report. NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_scopes_free(s: *mut ghpkg_scopes) {
    free_box(s);
}
