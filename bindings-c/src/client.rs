//! `ghpkg_client`: building a client, its settings, and the token preflight.

use std::ffi::{c_char, CString};
use std::ptr;
use std::time::Duration;

use ghpkg::{Client, ClientConfig, TokenScopes};

use crate::convert::{
    borrow, cstring, cstring_lossy, free_box, infallible, opt_ptr, opt_text, read,
};
use crate::error::{ghpkg_error, ghpkg_rate_limit};
use crate::fail::Fail;
use crate::ffi::call;
use crate::runtime::block_on;
use crate::status::ghpkg_status;

/// Settings for `ghpkg_client_new`. Start from
/// `ghpkg_client_options_default()` and change what you need: zero is a
/// real value for the numbers (no retries, never wait for a rate limit), not
/// "default". The defaults and every rule about the settings (the
/// environment, what is refused) are the core's.
///
/// **ABI evolution:** new fields are only ever added at the end. `struct_size`
/// tells the library which fields the caller's header had; fields past it
/// take their defaults, so a program compiled against an older header keeps
/// working with a newer library. `ghpkg_client_options_default()` sets it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ghpkg_client_options {
    /// `sizeof(ghpkg_client_options)` as the caller was compiled; set by
    /// `ghpkg_client_options_default()`, never change it.
    pub struct_size: usize,
    /// A token sent as `Authorization: Bearer`; NULL for none.
    pub token: *const c_char,
    /// With `token`: authenticate with HTTP Basic `username:token` instead
    /// (what StackQL sends). NULL for bearer auth.
    pub username: *const c_char,
    /// The API root; NULL for `https://api.github.com` (or `GITHUB_API_URL`
    /// with `use_env`). GitHub Enterprise Server: `https://HOST/api/v3`.
    pub base_url: *const c_char,
    /// A `User-Agent` to send; NULL for `ghpkg/VERSION`.
    pub user_agent: *const c_char,
    /// Time allowed to open a connection, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Time allowed for one whole request, in milliseconds.
    pub timeout_ms: u64,
    /// The first retry's delay before jitter, in milliseconds; it doubles
    /// each time.
    pub retry_backoff_ms: u64,
    /// The longest the client sleeps for a rate limit before failing with
    /// `GHPKG_RATE_LIMITED`, in milliseconds (0 never waits).
    pub max_rate_limit_wait_ms: u64,
    /// Retries after connection errors and 5xx answers to reads.
    pub max_retries: u32,
    /// Pages a listing may fetch ahead, concurrently.
    pub read_ahead: u32,
    /// Items per page for listings, 1 to 100.
    pub per_page: u32,
    /// Fill what is not set here from the environment (default true):
    /// credentials from `GITHUB_TOKEN`, `GH_TOKEN`, then
    /// `STACKQL_GITHUB_USERNAME` + `STACKQL_GITHUB_PASSWORD` when neither
    /// `token`, `username` nor `anonymous` is set; the base URL from
    /// `GITHUB_API_URL` when `base_url` is NULL.
    pub use_env: bool,
    /// Send no credentials, even when the environment has a token.
    pub anonymous: bool,
    /// Allow a plain `http://` base URL on a host other than loopback.
    pub allow_insecure_http: bool,
}

/// Milliseconds of a core default, for the C struct.
const fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

const DEFAULT_OPTIONS: ghpkg_client_options = ghpkg_client_options {
    struct_size: std::mem::size_of::<ghpkg_client_options>(),
    token: ptr::null(),
    username: ptr::null(),
    base_url: ptr::null(),
    user_agent: ptr::null(),
    connect_timeout_ms: ms(ClientConfig::DEFAULT_CONNECT_TIMEOUT),
    timeout_ms: ms(ClientConfig::DEFAULT_TIMEOUT),
    retry_backoff_ms: ms(ClientConfig::DEFAULT_RETRY_BACKOFF),
    max_rate_limit_wait_ms: ms(ClientConfig::DEFAULT_MAX_RATE_LIMIT_WAIT),
    max_retries: ClientConfig::DEFAULT_MAX_RETRIES,
    read_ahead: ClientConfig::DEFAULT_READ_AHEAD as u32,
    per_page: ClientConfig::DEFAULT_PER_PAGE,
    use_env: true,
    anonymous: false,
    allow_insecure_http: false,
};

/// The smallest `struct_size` a caller can have: the first published layout.
const MIN_OPTIONS_SIZE: usize = std::mem::size_of::<ghpkg_client_options>();

/// The default settings: the core's defaults for every number, no
/// credentials of its own, github.com, and the environment filling what is
/// unset (`use_env`).
#[no_mangle]
pub extern "C" fn ghpkg_client_options_default() -> ghpkg_client_options {
    // A constant: nothing here can panic, so no boundary is needed.
    DEFAULT_OPTIONS
}

/// Reads the caller's options: the fields its header had (`struct_size`
/// bytes) over the defaults.
///
/// # Safety
/// A non-NULL `p` points to at least `struct_size` readable bytes whose
/// first field is `struct_size` (the C contract).
unsafe fn read_options(p: *const ghpkg_client_options) -> Result<ghpkg_client_options, Fail> {
    if p.is_null() {
        return Err(Fail::null("options"));
    }
    // SAFETY: the first field of every layout is `struct_size`.
    let size = unsafe { p.cast::<usize>().read_unaligned() };
    let full = std::mem::size_of::<ghpkg_client_options>();
    if size > full {
        return Err(Fail::invalid(format!(
            "options.struct_size is {size}, larger than this library's {full}: the program \
             was built against a newer ghpkg.h; use a matching libghpkg"
        )));
    }
    if size < MIN_OPTIONS_SIZE {
        return Err(Fail::invalid(format!(
            "options.struct_size is {size}; start from ghpkg_client_options_default(), \
             which sets it"
        )));
    }
    let mut out = DEFAULT_OPTIONS;
    // SAFETY: `size` bytes are readable (the C contract) and fit in `out`;
    // the caller's layout is a prefix of this one, so whole fields are copied.
    unsafe {
        ptr::copy_nonoverlapping(p.cast::<u8>(), ptr::addr_of_mut!(out).cast::<u8>(), size);
    }
    Ok(out)
}

/// A GitHub Packages client. Thread-safe: share one between threads and
/// call it from all of them at once; free it once, after every call has
/// returned and every listing made from it has been freed or finished.
pub struct ghpkg_client {
    pub(crate) client: Client,
    base_url: CString,
    token_kind: CString,
}

impl ghpkg_client {
    fn boxed(client: Client) -> *mut ghpkg_client {
        let base_url = cstring_lossy(client.base_url());
        let token_kind = cstring_lossy(client.token_kind().as_str());
        Box::into_raw(Box::new(ghpkg_client {
            client,
            base_url,
            token_kind,
        }))
    }
}

fn config_from(o: &ghpkg_client_options) -> Result<ClientConfig, Fail> {
    let owned = |s: Option<&str>| s.map(str::to_owned);
    // SAFETY: non-NULL strings in the options are NUL-terminated (the C contract).
    Ok(ClientConfig {
        token: owned(unsafe { opt_text(o.token, "options.token") }?),
        username: owned(unsafe { opt_text(o.username, "options.username") }?),
        base_url: owned(unsafe { opt_text(o.base_url, "options.base_url") }?),
        user_agent: owned(unsafe { opt_text(o.user_agent, "options.user_agent") }?),
        anonymous: o.anonymous,
        connect_timeout: Some(Duration::from_millis(o.connect_timeout_ms)),
        timeout: Some(Duration::from_millis(o.timeout_ms)),
        retry_backoff: Some(Duration::from_millis(o.retry_backoff_ms)),
        max_rate_limit_wait: Some(Duration::from_millis(o.max_rate_limit_wait_ms)),
        max_retries: Some(o.max_retries),
        read_ahead: Some(usize::try_from(o.read_ahead).unwrap_or(usize::MAX)),
        per_page: Some(o.per_page),
        allow_insecure_http: o.allow_insecure_http,
        use_env: o.use_env,
    })
}

/// Builds a client from `options`. Sends nothing.
///
/// Fails with `GHPKG_INVALID_ARGUMENT` for an empty token, a bad base URL,
/// plain http to a non-loopback host without `allow_insecure_http`, a
/// `per_page` outside 1..=100, a username without a token, `anonymous` with
/// a token or username, or a `struct_size` not from
/// `ghpkg_client_options_default()`.
#[no_mangle]
pub extern "C" fn ghpkg_client_new(
    options: *const ghpkg_client_options,
    out: *mut *mut ghpkg_client,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: a non-NULL `options` points to a ghpkg_client_options.
        let o = unsafe { read_options(options) }?;
        let client = config_from(&o)?.build()?;
        Ok(ghpkg_client::boxed(client))
    })
}

/// Builds a client from the environment only (see
/// `ghpkg_client_options.use_env`); anonymous when no variable is set.
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

/// The kind of the client's token, from its prefix: `classic`, `oauth`,
/// `fine_grained`, `app`, `user_to_server`, `unknown`, or `none` when
/// anonymous. Valid until the client is freed; NULL for a NULL client.
#[no_mangle]
pub extern "C" fn ghpkg_client_token_kind(client: *const ghpkg_client) -> *const c_char {
    read(client, ptr::null(), |c| c.token_kind.as_ptr())
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

/// Whether the token has `repo`, which maven and docker packages also need.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_carry_the_core_defaults_and_their_size() {
        let o = ghpkg_client_options_default();
        assert_eq!(o.struct_size, std::mem::size_of::<ghpkg_client_options>());
        assert_eq!(o.timeout_ms, 30_000);
        assert_eq!(
            u64::from(o.max_retries),
            u64::from(ClientConfig::DEFAULT_MAX_RETRIES)
        );
        assert!(o.use_env && !o.anonymous);
        let back = unsafe { read_options(&o) }.unwrap();
        assert_eq!(back.per_page, o.per_page);
    }

    #[test]
    fn a_struct_size_from_elsewhere_is_refused() {
        for size in [0, 8, std::mem::size_of::<ghpkg_client_options>() + 8] {
            let o = ghpkg_client_options {
                struct_size: size,
                ..ghpkg_client_options_default()
            };
            let fail = unsafe { read_options(&o) }.unwrap_err();
            assert_eq!(
                fail.status(),
                crate::status::GHPKG_INVALID_ARGUMENT,
                "{size}"
            );
        }
        assert_eq!(
            unsafe { read_options(ptr::null()) }.unwrap_err().status(),
            crate::status::GHPKG_NULL_ARGUMENT
        );
    }
}
