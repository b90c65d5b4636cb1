//! A preflight check of what the token may do, so a cleanup job can fail
//! before it starts instead of halfway through.

use reqwest::Method;

use crate::auth::TokenKind;
use crate::client::Client;
use crate::error::{ErrorKind, Result};
use crate::http::Call;
use crate::ratelimit::header_str;

/// What the configured token can do with GitHub Packages.
///
/// Serializes with `token_kind` as its stable name (`classic`, `app`, ...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenScopes {
    /// The kind recognised from the token's prefix.
    pub token_kind: TokenKind,
    /// The scopes GitHub reported in `x-oauth-scopes`; `None` when it sent
    /// none (tokens other than classic and OAuth), which leaves delete and
    /// restore unconfirmed.
    pub scopes: Option<Vec<String>>,
    /// Whether listing and reading packages works.
    pub can_read: bool,
    /// Whether deleting packages and versions is allowed (`delete:packages`).
    pub can_delete: bool,
    /// Whether restoring is allowed (`write:packages`).
    pub can_restore: bool,
    /// Whether the token has `repo`, which packages of the
    /// repository-scoped registries (maven and docker) also need.
    pub has_repo: bool,
    /// Why reading failed, when it did.
    pub problem: Option<String>,
}

impl TokenScopes {
    /// Whether the token has `scope` (classic and OAuth tokens list theirs).
    pub fn has(&self, scope: &str) -> bool {
        self.scopes
            .as_ref()
            .is_some_and(|s| s.iter().any(|x| x == scope))
    }
}

impl Client {
    /// Checks the token with one cheap request (`GET /user/packages`, one
    /// item) and reports its scopes and which of read, delete and restore it
    /// can do. Bad credentials are an `Authentication` error; a token GitHub
    /// refuses for packages gives `can_read == false` and a `problem`.
    pub async fn scopes(&self) -> Result<TokenScopes> {
        let mut url = self.endpoint("/user/packages")?;
        url.query_pairs_mut()
            .append_pair("package_type", "container")
            .append_pair("per_page", "1");
        let token_kind = self.token_kind();
        match self.execute(Method::GET, url, Call::ListPackages).await {
            Ok(resp) => {
                let scopes = header_str(&resp.headers, "x-oauth-scopes").map(|s| {
                    s.split(',')
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                });
                let mut out = TokenScopes {
                    token_kind,
                    scopes,
                    can_read: true,
                    can_delete: false,
                    can_restore: false,
                    has_repo: false,
                    problem: None,
                };
                out.can_delete = out.has("delete:packages");
                out.can_restore = out.has("write:packages");
                out.has_repo = out.has("repo");
                Ok(out)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::PermissionDenied | ErrorKind::Rejected | ErrorKind::NotFound
                ) =>
            {
                let problem = match e.hint() {
                    Some(h) => format!("{}. {h}", e.message()),
                    None => e.message().to_owned(),
                };
                Ok(TokenScopes {
                    token_kind,
                    scopes: None,
                    can_read: false,
                    can_delete: false,
                    can_restore: false,
                    has_repo: false,
                    problem: Some(problem),
                })
            }
            Err(e) => Err(e),
        }
    }
}
