//! Registry tokens: the `/token` endpoint and the tokens it hands out.
//!
//! `GET /token?service=…&scope=repository:NAME:pull[,push]` (the `scope`
//! parameter may repeat, and hold several space-separated scopes) reads the
//! caller's GitHub token from HTTP Basic `ANYUSER:TOKEN` (the token as the
//! username when the password is empty), `Bearer TOKEN` or `token TOKEN`;
//! without `Authorization` the caller is anonymous. `service` is not checked.
//!
//! - An unknown or unreadable token: `401 UNAUTHORIZED`.
//! - Fine-grained, GitHub App and user-to-server tokens: `403 DENIED`, as the
//!   Packages REST API refuses them.
//! - An invalid repository name in a scope: `400 NAME_INVALID`.
//! - `pull`: granted to anyone on a public package; on a private or internal
//!   one, to a classic or OAuth token with `read:packages` (or
//!   `write:packages`) whose user owns the package or belongs to its
//!   organization, and to an Actions token of the package's repository.
//! - `push`: a classic or OAuth token with `write:packages` whose user owns
//!   the package or belongs to its organization.
//! - Any requested action not granted (an unknown repository included, so
//!   that it cannot be told from a hidden one): `401 UNAUTHORIZED` for an
//!   anonymous caller, `403 DENIED` otherwise. Scopes of other resource types
//!   and other actions are ignored.
//!
//! Success: `{"token": T, "access_token": T, "expires_in": N}`; `T` is an
//! opaque random string the emulator remembers with its grants until it
//! expires, `N` seconds later on the emulator's clock.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::names::{repository, valid_name};
use super::RegReply;
use crate::auth::{has_scope, parse_authorization, Credentials};
use crate::clock::lock;
use crate::faults::{self, Fault};
use crate::fixture::{TokenKind, TokenSpec};
use crate::pipeline::{Incoming, Shared};
use crate::routes::parse_query;
use crate::state::{Package, State};

/// What a registry token allows on one repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Grant {
    pub name: String,
    pub pull: bool,
    pub push: bool,
}

#[derive(Debug)]
struct Issued {
    grants: Vec<Grant>,
    expires_at: DateTime<Utc>,
}

/// The registry tokens handed out so far.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    issued: HashMap<String, Issued>,
}

impl Tokens {
    fn issue(
        &mut self,
        grants: Vec<Grant>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> String {
        // Forget long-expired tokens so the map does not grow without bound.
        if self.issued.len() > 10_000 {
            self.issued.retain(|_, t| t.expires_at > now);
        }
        let token: String = std::iter::repeat_with(fastrand::alphanumeric)
            .take(48)
            .collect();
        self.issued
            .insert(token.clone(), Issued { grants, expires_at });
        token
    }

    /// The grants of `token`, when it was issued and has not expired at `now`.
    pub(crate) fn valid(&self, token: &str, now: DateTime<Utc>) -> Option<Vec<Grant>> {
        self.issued
            .get(token)
            .filter(|t| now < t.expires_at)
            .map(|t| t.grants.clone())
    }

    /// Makes `token` expired from `now` on.
    pub(crate) fn expire(&mut self, token: &str, now: DateTime<Utc>) {
        if let Some(t) = self.issued.get_mut(token) {
            t.expires_at = now;
        }
    }
}

/// Whether `grants` allow pulling (or, with `push`, pushing to) `name`.
pub(crate) fn allows(grants: &[Grant], name: &str, push: bool) -> bool {
    grants
        .iter()
        .any(|g| g.name == name && if push { g.push } else { g.pull })
}

enum Refusal {
    Unauthorized,
    Denied(&'static str),
}

const DENIED: &str = "requested access to the resource is denied";

/// Whether a caller's user owns the package or belongs to its organization.
fn is_insider(state: &State, t: &TokenSpec, p: &Package) -> bool {
    p.owner.eq_ignore_ascii_case(&t.user) || state.is_member(&p.owner, &t.user)
}

fn can_pull(state: &State, caller: Option<&TokenSpec>, p: &Package) -> bool {
    if p.visibility == "public" {
        return true;
    }
    match caller {
        None => false,
        Some(t) => match t.kind {
            TokenKind::Actions => matches!(
                (&t.repository, &p.repository),
                (Some(a), Some(b)) if a.eq_ignore_ascii_case(b)
            ),
            TokenKind::Classic | TokenKind::OAuth => {
                has_scope(&t.scopes, "read:packages") && is_insider(state, t, p)
            }
            _ => false,
        },
    }
}

fn can_push(state: &State, caller: Option<&TokenSpec>, p: &Package) -> bool {
    caller.is_some_and(|t| {
        matches!(t.kind, TokenKind::Classic | TokenKind::OAuth)
            && t.scopes.iter().any(|s| s == "write:packages")
            && is_insider(state, t, p)
    })
}

fn check(
    state: &State,
    caller: Option<&TokenSpec>,
    name: &str,
    pull: bool,
    push: bool,
) -> Result<(), Refusal> {
    let refuse = || match caller {
        None => Refusal::Unauthorized,
        Some(_) => Refusal::Denied(DENIED),
    };
    let pkg = repository(state, name)
        .and_then(|id| state.package_by_id(id))
        .ok_or_else(refuse)?;
    if (pull && !can_pull(state, caller, pkg)) || (push && !can_push(state, caller, pkg)) {
        return Err(refuse());
    }
    Ok(())
}

/// `GET /token`.
pub(super) fn token_endpoint(shared: &Shared, req: &Incoming<'_>, now: DateTime<Utc>) -> RegReply {
    if req.method != "GET" {
        return super::unsupported();
    }
    let unauthorized = || RegReply::error(401, "UNAUTHORIZED", "authentication required");
    let grants = {
        let state = lock(&shared.state);
        let caller = match parse_authorization(req.header("authorization")) {
            Credentials::None => None,
            Credentials::Token(t) => match state.token(&t) {
                Some(spec) => Some(spec.clone()),
                None => return unauthorized(),
            },
            Credentials::Malformed => return unauthorized(),
        };
        if let Some(t) = &caller {
            let refused = match t.kind {
                TokenKind::FineGrained => Some("Resource not accessible by personal access token"),
                TokenKind::App | TokenKind::UserToServer => {
                    Some("Resource not accessible by integration")
                }
                _ => None,
            };
            if let Some(message) = refused {
                return RegReply::error(403, "DENIED", message);
            }
        }
        let query = parse_query(req.raw_query);
        let scopes = query
            .iter()
            .filter(|(k, _)| k == "scope")
            .flat_map(|(_, v)| v.split(' '))
            .filter(|s| !s.is_empty());
        let mut grants = Vec::new();
        for scope in scopes {
            let Some((name, actions)) = scope
                .strip_prefix("repository:")
                .and_then(|rest| rest.rsplit_once(':'))
            else {
                continue;
            };
            if !valid_name(name) {
                return RegReply::error(400, "NAME_INVALID", "invalid repository name");
            }
            let pull = actions.split(',').any(|a| a == "pull");
            let push = actions.split(',').any(|a| a == "push");
            match check(&state, caller.as_ref(), name, pull, push) {
                Ok(()) => grants.push(Grant {
                    name: name.to_owned(),
                    pull,
                    push,
                }),
                Err(Refusal::Unauthorized) => return unauthorized(),
                Err(Refusal::Denied(message)) => return RegReply::error(403, "DENIED", message),
            }
        }
        grants
    };
    let born_expired =
        faults::take_where(&mut lock(&shared.faults), req.method, req.raw_path, |f| {
            matches!(f, Fault::TokenExpired)
        })
        .is_some();
    let lifetime = shared.registry.token_lifetime();
    let expires_at = if born_expired {
        now
    } else {
        chrono::Duration::from_std(lifetime)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    let token = lock(&shared.registry.tokens).issue(grants, now, expires_at);
    RegReply::json(
        200,
        json!({"token": token, "access_token": token, "expires_in": lifetime.as_secs()}),
    )
}
