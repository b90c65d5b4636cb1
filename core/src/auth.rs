//! Credentials, token kinds, and the explanations ghpkg gives when GitHub
//! refuses a token kind the Packages API does not support.

use std::fmt;

/// A token that never shows itself in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a token. Surrounding whitespace (a trailing newline from a file) is trimmed.
    pub fn new(token: impl Into<String>) -> Self {
        let t: String = token.into();
        SecretToken(t.trim().to_owned())
    }

    /// The token itself. Only for putting it in an `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The kind of token, recognised from its prefix.
    pub fn kind(&self) -> TokenKind {
        TokenKind::of(&self.0)
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretToken({}, redacted)", self.kind().as_str())
    }
}

impl fmt::Display for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How the client authenticates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials. GitHub's Packages API answers every anonymous call
    /// with 401 `Requires authentication`, public packages included.
    #[default]
    Anonymous,
    /// `Authorization: Bearer <token>`.
    Token(SecretToken),
    /// HTTP Basic `username:token`, what StackQL sends.
    Basic {
        /// The GitHub login (GitHub only checks the token).
        username: String,
        /// The token, sent as the Basic password.
        token: SecretToken,
    },
}

impl Credentials {
    /// A bearer token.
    pub fn token(token: impl Into<String>) -> Self {
        Credentials::Token(SecretToken::new(token))
    }

    /// HTTP Basic with a username and a token as the password.
    pub fn basic(username: impl Into<String>, token: impl Into<String>) -> Self {
        Credentials::Basic {
            username: username.into(),
            token: SecretToken::new(token),
        }
    }

    /// The token, whichever scheme carries it.
    pub fn secret(&self) -> Option<&SecretToken> {
        match self {
            Credentials::Anonymous => None,
            Credentials::Token(t) | Credentials::Basic { token: t, .. } => Some(t),
        }
    }

    /// The kind of the token, or [`TokenKind::None`] when anonymous.
    pub fn token_kind(&self) -> TokenKind {
        self.secret().map_or(TokenKind::None, SecretToken::kind)
    }

    /// The scheme's name, for `Debug` output of clients.
    pub fn scheme(&self) -> &'static str {
        match self {
            Credentials::Anonymous => "anonymous",
            Credentials::Token(_) => "bearer",
            Credentials::Basic { .. } => "basic",
        }
    }
}

/// The kind of a GitHub token, from its prefix. Used only to explain
/// failures: ghpkg never refuses a token up front.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `ghp_`: a classic personal access token. Supported.
    Classic,
    /// `gho_`: an OAuth app token. Supported.
    OAuth,
    /// `github_pat_`: a fine-grained personal access token. Not supported by the Packages API.
    FineGrained,
    /// `ghs_`: a GitHub App installation token or an Actions `GITHUB_TOKEN`.
    AppOrActions,
    /// `ghu_`: a GitHub App user-to-server token.
    UserToServer,
    /// A token of no known shape (e.g. a GitHub Enterprise Server token of an old format).
    Unknown,
    /// No token at all.
    None,
}

impl TokenKind {
    /// Recognises a token from its prefix.
    pub fn of(token: &str) -> TokenKind {
        if token.starts_with("ghp_") {
            TokenKind::Classic
        } else if token.starts_with("gho_") {
            TokenKind::OAuth
        } else if token.starts_with("github_pat_") {
            TokenKind::FineGrained
        } else if token.starts_with("ghs_") {
            TokenKind::AppOrActions
        } else if token.starts_with("ghu_") {
            TokenKind::UserToServer
        } else if token.is_empty() {
            TokenKind::None
        } else {
            TokenKind::Unknown
        }
    }

    /// A stable lowercase name: `classic`, `oauth`, `fine_grained`, `app`, `user_to_server`, `unknown`, `none`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenKind::Classic => "classic",
            TokenKind::OAuth => "oauth",
            TokenKind::FineGrained => "fine_grained",
            TokenKind::AppOrActions => "app",
            TokenKind::UserToServer => "user_to_server",
            TokenKind::Unknown => "unknown",
            TokenKind::None => "none",
        }
    }

    /// Whether GitHub documents this kind as accepted by the Packages API.
    pub const fn is_documented_for_packages(self) -> bool {
        matches!(self, TokenKind::Classic | TokenKind::OAuth)
    }
}

impl serde::Serialize for TokenKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What GitHub wants instead, appended to errors caused by the token kind.
const USE_CLASSIC: &str = "use a classic personal access token (ghp_) or an OAuth token (gho_) \
     with read:packages (plus delete:packages to delete, write:packages to restore, and repo for \
     the repository-scoped registries, maven and docker)";

/// Explains a refusal when the token kind is the likely cause.
///
/// `lists_packages` is true for list-packages calls, which Actions tokens cannot make.
pub(crate) fn explain_refusal(
    kind: TokenKind,
    status: u16,
    message: &str,
    lists_packages: bool,
) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    match (kind, status) {
        (TokenKind::FineGrained, 403 | 404) => Some(format!(
            "fine-grained personal access tokens (github_pat_) are not supported by the GitHub \
             Packages API; {USE_CLASSIC}"
        )),
        (TokenKind::AppOrActions, 400) if lists_packages && lower.contains("invalid argument") => {
            Some(format!(
                "an Actions GITHUB_TOKEN (ghs_) cannot list packages; it can get, list versions of, \
                 delete and restore packages whose admin role includes the workflow's repository. \
                 To list, {USE_CLASSIC}"
            ))
        }
        (TokenKind::AppOrActions | TokenKind::UserToServer, 403)
            if lower.contains("integration") || lower.contains("not accessible") =>
        {
            Some(format!(
                "GitHub App tokens (ghs_, ghu_) are not enabled for the Packages API; {USE_CLASSIC}"
            ))
        }
        (TokenKind::None, 401) => Some(format!(
            "no credentials were given, and the GitHub Packages API needs a token even for \
             public packages; pass a token or set GITHUB_TOKEN or GH_TOKEN: {USE_CLASSIC}"
        )),
        (_, 403) if lower.contains("scope") => Some(format!(
            "the token lacks a scope this call needs; {USE_CLASSIC}"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_prefix() {
        assert_eq!(TokenKind::of("ghp_abc"), TokenKind::Classic);
        assert_eq!(TokenKind::of("gho_abc"), TokenKind::OAuth);
        assert_eq!(TokenKind::of("github_pat_11AB"), TokenKind::FineGrained);
        assert_eq!(TokenKind::of("ghs_abc"), TokenKind::AppOrActions);
        assert_eq!(TokenKind::of("ghu_abc"), TokenKind::UserToServer);
        assert_eq!(TokenKind::of("0123abcd"), TokenKind::Unknown);
    }

    #[test]
    fn secret_never_prints() {
        let t = SecretToken::new("ghp_supersecret\n");
        assert_eq!(t.expose(), "ghp_supersecret");
        assert!(!format!("{t:?}").contains("supersecret"));
        assert!(!format!("{t}").contains("supersecret"));
        let c = Credentials::basic("octocat", "ghp_supersecret");
        assert!(!format!("{c:?}").contains("supersecret"));
    }
}
