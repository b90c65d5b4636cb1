//! The nine packages operations, for each of the three owner scopes.
//!
//! Each request is checked in this order: authentication needed (401), token
//! kind (403), parameters (422), Actions listing refusal (400), OAuth scopes
//! (403), owner, visibility (404 `Package not found.`), admin rights (403),
//! delete rules (400), then the change itself. `GET /user` (the authenticated
//! user) is answered here too.
//!
//! Container deletes and restores are coupled to the registry origin: a
//! deleted version's manifest and tags leave the registry; a restored one
//! comes back with the tags nobody took meanwhile (or none, when
//! `restore_reattaches_tags` is off).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::auth::{has_scope, required_scopes, Caller};
use crate::fixture::TokenKind;
use crate::pagination::{self, Paging, MAX_REACHABLE};
use crate::render::{self, error_body, DOCS, PACKAGES_DOCS};
use crate::routes::{Op, Route, Scope};
use crate::state::{
    is_granular_type, is_package_type, AccountKind, Package, Shown, State, PACKAGE_TYPES,
};

/// How long deleted packages and versions stay restorable.
pub const RESTORE_WINDOW_DAYS: i64 = 30;

/// Downloads above which public packages and versions cannot be deleted.
pub const DOWNLOAD_LIMIT: u64 = 5_000;

/// A response before transport details (request id, rate-limit headers) are added.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// `None` for an empty body (204).
    pub body: Option<Body>,
}

/// A JSON response body.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    Json(Value),
    /// JSON text kept with the state until it changes: a listing page of
    /// packages (its repeated owners and repositories serialized once) or
    /// the body of a single read.
    Kept(Arc<[u8]>),
}

impl Body {
    /// The body's JSON text.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        match self {
            Body::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
            Body::Kept(text) => text.to_vec(),
        }
    }
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply::with_body(status, Body::Json(body))
    }

    fn with_body(status: u16, body: Body) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub(crate) fn no_content() -> Reply {
        Reply {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }

    /// An error with the packages documentation link.
    pub(crate) fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, error_body(status, message, PACKAGES_DOCS))
    }

    /// An error with the generic REST documentation link.
    pub(crate) fn generic_error(status: u16, message: &str) -> Reply {
        Reply::json(status, error_body(status, message, DOCS))
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// What a handler needs to know about the request.
pub(crate) struct Ctx<'a> {
    pub caller: &'a Caller,
    pub route: &'a Route,
    pub query: &'a [(String, String)],
    pub raw_query: Option<&'a str>,
    /// Absolute URL of this request without the query, for `link` headers.
    pub link_base: String,
    pub link_headers: bool,
    pub link_loop: bool,
    /// Whether a restored container version gets its tags back (see
    /// [`crate::Emulator::set_restore_reattaches_tags`]).
    pub restore_reattaches_tags: bool,
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

type Answer<T> = Result<T, Reply>;

fn not_found() -> Reply {
    Reply::error(404, "Package not found.")
}

fn version_not_found() -> Reply {
    Reply::error(404, "Package version not found.")
}

fn invalid_type(t: &str) -> Reply {
    Reply::error(
        422,
        &format!(
            "Invalid request.\n\nInvalid value for \"package_type\": {t:?}. Must be one of: {}.",
            PACKAGE_TYPES.join(", ")
        ),
    )
}

/// Runs one operation against the state.
pub(crate) fn handle(state: &mut State, ctx: &Ctx<'_>) -> Reply {
    match run(state, ctx) {
        Ok(r) | Err(r) => r,
    }
}

fn run(state: &mut State, ctx: &Ctx<'_>) -> Answer<Reply> {
    let op = ctx.route.op;
    // The Packages API needs a token, even for public packages.
    if matches!(ctx.caller, Caller::Anonymous { .. }) {
        return Err(Reply::generic_error(401, "Requires authentication"));
    }
    if op == Op::AuthenticatedUser {
        return authenticated_user(state, ctx.caller);
    }
    if let Caller::Token(t) = ctx.caller {
        match t.kind {
            TokenKind::FineGrained => {
                return Err(Reply::error(
                    403,
                    "Resource not accessible by personal access token",
                ))
            }
            TokenKind::App | TokenKind::UserToServer => {
                return Err(Reply::error(403, "Resource not accessible by integration"))
            }
            _ => {}
        }
    }
    let package_type = match op {
        Op::ListPackages => Some(list_type(ctx)?),
        Op::DockerConflicts => None,
        _ => {
            let t = ctx.route.package_type.clone().unwrap_or_default();
            if !is_package_type(&t) {
                return Err(invalid_type(&t));
            }
            Some(t)
        }
    };
    if matches!(ctx.caller, Caller::Token(t) if t.kind == TokenKind::Actions)
        && op.is_listing()
        && op != Op::ListVersions
    {
        return Err(Reply::error(400, "Invalid argument."));
    }
    if let (true, Caller::Token(t)) = (ctx.caller.has_scopes(), ctx.caller) {
        for scope in required_scopes(op, package_type.as_deref()) {
            if !has_scope(&t.scopes, scope) {
                return Err(Reply::error(
                    403,
                    &format!(
                        "You need at least {scope} scope or permission to perform this action."
                    ),
                ));
            }
        }
    }
    let owner = owner_login(state, ctx)?;
    let ty = package_type.unwrap_or_default();
    match op {
        Op::ListPackages => list_packages(state, ctx, &owner, &ty),
        Op::DockerConflicts => docker_conflicts(state, ctx, &owner),
        Op::GetPackage => {
            let p = find_live(state, ctx, &owner, &ty)?;
            Ok(read(state, Shown::Package(p.id), || {
                render::package(state, p)
            }))
        }
        Op::DeletePackage => delete_package(state, ctx, &owner, &ty),
        Op::RestorePackage => restore_package(state, ctx, &owner, &ty),
        Op::ListVersions => list_versions(state, ctx, &owner, &ty),
        Op::GetVersion => {
            let p = find_live(state, ctx, &owner, &ty)?;
            let id = ctx.route.version_id.unwrap_or_default();
            let v = p
                .version(id)
                .filter(|v| !v.is_deleted())
                .ok_or_else(version_not_found)?;
            Ok(read(state, Shown::Version(v.id), || {
                render::version(state, p, v)
            }))
        }
        Op::DeleteVersion => delete_version(state, ctx, &owner, &ty),
        Op::RestoreVersion => restore_version(state, ctx, &owner, &ty),
        Op::AuthenticatedUser => authenticated_user(state, ctx.caller),
    }
}

/// A 200 with the body of a single read of `shown`, rendered by `render`
/// only when the state changed since it was last read.
fn read(state: &State, shown: Shown, render: impl FnOnce() -> Value) -> Reply {
    let text = state.read_body(shown, || Body::Json(render()).to_json());
    Reply::with_body(200, Body::Kept(text))
}

/// `GET /user`: the token's user. Any user token may ask (fine-grained
/// included, no scope needed); installation and Actions tokens may not.
fn authenticated_user(state: &State, caller: &Caller) -> Answer<Reply> {
    let Caller::Token(t) = caller else {
        return Err(Reply::generic_error(401, "Requires authentication"));
    };
    if matches!(t.kind, TokenKind::Actions | TokenKind::App) {
        return Err(Reply::generic_error(
            403,
            "Resource not accessible by integration",
        ));
    }
    let account = state
        .account(&t.user)
        .ok_or_else(|| Reply::generic_error(401, "Bad credentials"))?;
    Ok(Reply::json(200, render::authenticated_user(account)))
}

/// The required, validated `package_type` query parameter of list packages.
fn list_type(ctx: &Ctx<'_>) -> Answer<String> {
    match ctx.param("package_type") {
        None => Err(Reply::error(
            422,
            "Invalid request.\n\n\"package_type\" wasn't supplied.",
        )),
        Some(t) if !is_package_type(t) => Err(invalid_type(t)),
        Some(t) => Ok(t.to_owned()),
    }
}

/// The login whose packages the route addresses, checked to exist with the right kind.
fn owner_login(state: &State, ctx: &Ctx<'_>) -> Answer<String> {
    let missing = || {
        if ctx.route.op.is_listing() && ctx.route.op != Op::ListVersions {
            Reply::generic_error(404, "Not Found")
        } else {
            not_found()
        }
    };
    let (login, kind) = match &ctx.route.scope {
        Scope::Me => return Ok(ctx.caller.login().unwrap_or_default().to_owned()),
        Scope::Org(o) => (o, AccountKind::Organization),
        Scope::User(u) => (u, AccountKind::User),
    };
    match state.account(login) {
        Some(a) if a.kind == kind => Ok(a.login.clone()),
        _ => Err(missing()),
    }
}

/// Whether the caller may see the package at all.
fn can_see(state: &State, caller: &Caller, p: &Package) -> bool {
    match caller {
        // Never reached: anonymous requests stop at 401.
        Caller::Anonymous { .. } => false,
        Caller::Token(t) if t.kind == TokenKind::Actions => {
            matches!((&t.repository, &p.repository), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
        }
        Caller::Token(t) => {
            p.visibility == "public"
                || p.owner.eq_ignore_ascii_case(&t.user)
                || state.is_member(&p.owner, &t.user)
        }
    }
}

/// Checks that the caller may delete and restore the package.
fn check_admin(state: &State, caller: &Caller, p: &Package) -> Answer<()> {
    let ok = match caller {
        Caller::Anonymous { .. } => false,
        Caller::Token(t) if t.kind == TokenKind::Actions => true,
        Caller::Token(t) => {
            p.owner.eq_ignore_ascii_case(&t.user) || state.is_admin(&p.owner, &t.user)
        }
    };
    if ok {
        return Ok(());
    }
    let is_org = state
        .account(&p.owner)
        .is_some_and(|a| a.kind == AccountKind::Organization);
    Err(Reply::error(
        403,
        if is_org {
            "You must be an admin of the organization to perform this action."
        } else {
            "You must be the owner of this package to perform this action."
        },
    ))
}

fn find_live<'s>(state: &'s State, ctx: &Ctx<'_>, owner: &str, ty: &str) -> Answer<&'s Package> {
    let name = ctx.route.name.as_deref().unwrap_or_default();
    state
        .package(owner, ty, name)
        .filter(|p| can_see(state, ctx.caller, p))
        .ok_or_else(not_found)
}

fn paging(ctx: &Ctx<'_>) -> Answer<Paging> {
    pagination::parse(ctx.query).map_err(|m| Reply::error(422, &m))
}

/// One page of `items` as a JSON array (`body` writes it), with a `link`
/// header when there are more pages.
fn page_reply<T>(
    ctx: &Ctx<'_>,
    items: &[T],
    p: Paging,
    reachable: Option<u64>,
    body: impl FnOnce(&[T]) -> Body,
) -> Reply {
    let last = pagination::last_page(items.len() as u64, p.per_page, reachable);
    let mut reply = Reply::with_body(200, body(pagination::slice(items, p)));
    if ctx.link_headers || ctx.link_loop {
        if let Some(link) =
            pagination::link_header(&ctx.link_base, ctx.raw_query, p, last, ctx.link_loop)
        {
            reply = reply.header("link", link);
        }
    }
    reply
}

fn list_packages(state: &mut State, ctx: &Ctx<'_>, owner: &str, ty: &str) -> Answer<Reply> {
    let visibility = ctx.param("visibility");
    if let Some(v) = visibility.filter(|v| !matches!(*v, "public" | "private" | "internal")) {
        return Err(Reply::error(
            422,
            &format!("Invalid request.\n\nInvalid value for \"visibility\": {v:?}. Must be one of: public, private, internal."),
        ));
    }
    let p = paging(ctx)?;
    if p.page.saturating_mul(p.per_page) > MAX_REACHABLE {
        return Err(Reply::error(
            400,
            "The value of `per_page` multiplied by `page` cannot be greater than 10000.",
        ));
    }
    let granular = is_granular_type(ty);
    let question = question(ctx, "packages", owner, ty, visibility.unwrap_or_default());
    let (state, found) = state.select_packages(question, |state, pkg| {
        !pkg.is_deleted()
            && pkg.owner.eq_ignore_ascii_case(owner)
            && pkg.package_type == ty
            && can_see(state, ctx.caller, pkg)
            && match visibility {
                None => true,
                Some("public") => pkg.visibility == "public",
                Some(wanted) if granular => pkg.visibility == wanted,
                Some(_) => pkg.visibility != "public",
            }
    });
    Ok(selected_page(state, ctx, found, p, Some(MAX_REACHABLE)))
}

fn docker_conflicts(state: &mut State, ctx: &Ctx<'_>, owner: &str) -> Answer<Reply> {
    let p = paging(ctx)?;
    let question = question(ctx, "docker conflicts", owner, "docker", "");
    let (state, found) = state.select_packages(question, |state, pkg| {
        !pkg.is_deleted()
            && pkg.migration_conflict
            && pkg.package_type == "docker"
            && pkg.owner.eq_ignore_ascii_case(owner)
            && can_see(state, ctx.caller, pkg)
    });
    Ok(selected_page(state, ctx, found, p, None))
}

/// What a package listing asks, for [`State::select_packages`]: the
/// listing, who asks (by token) and its filters.
fn question(ctx: &Ctx<'_>, listing: &str, owner: &str, ty: &str, visibility: &str) -> String {
    let caller = match ctx.caller {
        Caller::Token(t) => t.token.as_str(),
        Caller::Anonymous { .. } => "",
    };
    format!(
        "{listing}\0{caller}\0{}\0{ty}\0{visibility}",
        owner.to_ascii_lowercase()
    )
}

/// One page of the packages at `found` (positions in `state.packages()`).
fn selected_page(
    state: &State,
    ctx: &Ctx<'_>,
    found: &[usize],
    p: Paging,
    reachable: Option<u64>,
) -> Reply {
    let all = state.packages();
    page_reply(ctx, found, p, reachable, |page| {
        Body::Kept(state.selection_page(p.page, p.per_page, || {
            render::Packages::new(state)
                .page(page.iter().map(|&i| &all[i]))
                .to_json()
        }))
    })
}

fn list_versions(state: &State, ctx: &Ctx<'_>, owner: &str, ty: &str) -> Answer<Reply> {
    let deleted = match ctx.param("state") {
        None | Some("active") => false,
        Some("deleted") => true,
        Some(s) => {
            return Err(Reply::error(
                422,
                &format!("Invalid request.\n\nInvalid value for \"state\": {s:?}. Must be one of: active, deleted."),
            ))
        }
    };
    let p = paging(ctx)?;
    let pkg = find_live(state, ctx, owner, ty)?;
    let mut versions: Vec<_> = pkg
        .versions
        .iter()
        .filter(|v| v.is_deleted() == deleted)
        .collect();
    versions.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    Ok(page_reply(ctx, &versions, p, None, |page| {
        Body::Json(
            page.iter()
                .map(|v| render::version(state, pkg, v))
                .collect(),
        )
    }))
}

fn within_window(deleted_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    deleted_at.is_some_and(|t| now < t + Duration::days(RESTORE_WINDOW_DAYS))
}

fn delete_package(state: &mut State, ctx: &Ctx<'_>, owner: &str, ty: &str) -> Answer<Reply> {
    let pkg = find_live(state, ctx, owner, ty)?;
    check_admin(state, ctx.caller, pkg)?;
    if pkg.visibility == "public" && pkg.active_versions().any(|v| v.downloads > DOWNLOAD_LIMIT) {
        return Err(Reply::error(
            400,
            "Publicly visible package cannot be deleted because it has a version with more than 5000 downloads. \
             Contact GitHub support for further assistance.",
        ));
    }
    let id = pkg.id;
    if let Some(pkg) = state.package_by_id_mut(id) {
        pkg.deleted_at = Some(ctx.now);
    }
    Ok(Reply::no_content())
}

fn restore_package(state: &mut State, ctx: &Ctx<'_>, owner: &str, ty: &str) -> Answer<Reply> {
    let name = ctx.route.name.as_deref().unwrap_or_default();
    // The `token` query parameter (a registry restore token) is accepted and ignored.
    let candidate = state
        .packages_named(owner, ty, name)
        .filter(|p| within_window(p.deleted_at, ctx.now) && can_see(state, ctx.caller, p))
        .max_by_key(|p| p.deleted_at)
        .ok_or_else(not_found)?;
    check_admin(state, ctx.caller, candidate)?;
    if state.package(owner, ty, name).is_some() {
        return Err(Reply::error(
            400,
            "Package cannot be restored because its namespace has been reused by a new package with the same name.",
        ));
    }
    let id = candidate.id;
    if let Some(pkg) = state.package_by_id_mut(id) {
        pkg.deleted_at = None;
        pkg.updated_at = ctx.now;
        if pkg.package_type == "container" && !ctx.restore_reattaches_tags {
            for v in pkg.versions.iter_mut().filter(|v| !v.is_deleted()) {
                v.tags.clear();
            }
        }
    }
    Ok(Reply::no_content())
}

fn delete_version(state: &mut State, ctx: &Ctx<'_>, owner: &str, ty: &str) -> Answer<Reply> {
    let pkg = find_live(state, ctx, owner, ty)?;
    let vid = ctx.route.version_id.unwrap_or_default();
    let v = pkg
        .version(vid)
        .filter(|v| !v.is_deleted())
        .ok_or_else(version_not_found)?;
    check_admin(state, ctx.caller, pkg)?;
    if pkg.visibility == "public" && v.downloads > DOWNLOAD_LIMIT {
        return Err(Reply::error(
            400,
            "Publicly visible package versions with more than 5000 downloads cannot be deleted. \
             Contact GitHub support for further assistance.",
        ));
    }
    // Every package keeps at least one version; a container also keeps a tagged one.
    if !pkg.active_versions().any(|o| o.id != v.id) {
        return Err(Reply::error(
            400,
            "You cannot delete the last version of a package. You must delete the package instead.",
        ));
    }
    if pkg.package_type == "container"
        && !v.tags.is_empty()
        && !pkg
            .active_versions()
            .any(|o| o.id != v.id && !o.tags.is_empty())
    {
        return Err(Reply::error(
            400,
            "You cannot delete the last tagged version of a package. You must delete the package instead.",
        ));
    }
    let pid = pkg.id;
    if let Some(pkg) = state.package_by_id_mut(pid) {
        pkg.updated_at = ctx.now;
        if let Some(v) = pkg.version_mut(vid) {
            v.deleted_at = Some(ctx.now);
        }
    }
    Ok(Reply::no_content())
}

fn restore_version(state: &mut State, ctx: &Ctx<'_>, owner: &str, ty: &str) -> Answer<Reply> {
    let pkg = find_live(state, ctx, owner, ty)?;
    let vid = ctx.route.version_id.unwrap_or_default();
    pkg.version(vid)
        .filter(|v| within_window(v.deleted_at, ctx.now))
        .ok_or_else(version_not_found)?;
    check_admin(state, ctx.caller, pkg)?;
    let pid = pkg.id;
    if let Some(pkg) = state.package_by_id_mut(pid) {
        pkg.updated_at = ctx.now;
        // A container version's tags come back only when nobody took them meanwhile.
        let taken: Vec<String> = pkg
            .active_versions()
            .filter(|o| o.id != vid)
            .flat_map(|o| o.tags.iter().cloned())
            .collect();
        let container = pkg.package_type == "container";
        if let Some(v) = pkg.version_mut(vid) {
            v.deleted_at = None;
            v.updated_at = ctx.now;
            if container {
                let reattach = ctx.restore_reattaches_tags;
                v.tags.retain(|t| reattach && !taken.contains(t));
            }
        }
    }
    Ok(Reply::no_content())
}
