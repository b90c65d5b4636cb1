//! Who is calling: the `Authorization` header, tokens, and OAuth scopes.

use crate::fixture::{TokenKind, TokenSpec};
use crate::routes::Op;
use crate::state::{is_granular_type, State};

/// What the `Authorization` header carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Credentials {
    /// No header: an anonymous request.
    None,
    /// A token, from `Bearer T`, `token T` or Basic `user:T`.
    Token(String),
    /// A header the emulator cannot read (answered like a bad token).
    Malformed,
}

/// Reads an `Authorization` header. Basic credentials use the password as the
/// token; when the password is empty or `x-oauth-basic`, the username is the token.
pub(crate) fn parse_authorization(value: Option<&str>) -> Credentials {
    let Some(value) = value.map(str::trim) else {
        return Credentials::None;
    };
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if rest.is_empty() {
        return Credentials::Malformed;
    }
    if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token") {
        return Credentials::Token(rest.to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let Some(decoded) = base64_decode(rest).and_then(|b| String::from_utf8(b).ok()) else {
            return Credentials::Malformed;
        };
        let (user, pass) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
        let token = if pass.is_empty() || pass == "x-oauth-basic" {
            user
        } else {
            pass
        };
        if token.is_empty() {
            return Credentials::Malformed;
        }
        return Credentials::Token(token.to_owned());
    }
    Credentials::Malformed
}

/// An identified caller.
#[derive(Clone, Debug)]
pub(crate) enum Caller {
    /// No credentials; keyed by client address for rate limits.
    Anonymous { ip: String },
    /// A known token.
    Token(TokenSpec),
}

impl Caller {
    /// The login the caller acts as, if authenticated.
    pub(crate) fn login(&self) -> Option<&str> {
        match self {
            Caller::Anonymous { .. } => None,
            Caller::Token(t) => Some(&t.user),
        }
    }

    /// The rate-limit bucket of this caller.
    pub(crate) fn limit_key(&self) -> String {
        match self {
            Caller::Anonymous { ip } => format!("ip:{ip}"),
            Caller::Token(t) => format!("token:{}", t.token),
        }
    }

    /// The hourly primary limit: 60 anonymous, 1,000 Actions, 5,000 otherwise (or the token's own).
    pub(crate) fn hourly_limit(&self) -> u32 {
        match self {
            Caller::Anonymous { .. } => 60,
            Caller::Token(t) => t
                .rate_limit
                .unwrap_or_else(|| crate::state::default_rate_limit(t.kind)),
        }
    }

    /// Whether the caller's token carries OAuth scopes (classic and OAuth tokens).
    pub(crate) fn has_scopes(&self) -> bool {
        matches!(self, Caller::Token(t) if matches!(t.kind, TokenKind::Classic | TokenKind::OAuth))
    }

    /// The message of a primary rate-limit refusal.
    pub(crate) fn rate_limited_message(&self, state: &State) -> String {
        match self {
            Caller::Anonymous { ip } => format!(
                "API rate limit exceeded for {ip}. (But here's the good news: Authenticated requests \
                 get a higher rate limit. Check out the documentation for more details.)"
            ),
            Caller::Token(t) => {
                let id = state.account(&t.user).map(|a| a.id).unwrap_or(0);
                format!("API rate limit exceeded for user ID {id}.")
            }
        }
    }
}

/// The OAuth scopes an operation needs for a package type. Repository-scoped
/// registries (`maven`, `docker`) also need `repo`.
pub(crate) fn required_scopes(op: Op, package_type: Option<&str>) -> Vec<&'static str> {
    if op == Op::AuthenticatedUser {
        return Vec::new();
    }
    let mut scopes = vec!["read:packages"];
    match op {
        Op::DeletePackage | Op::DeleteVersion => scopes.push("delete:packages"),
        Op::RestorePackage | Op::RestoreVersion => scopes.push("write:packages"),
        _ => {}
    }
    if op != Op::DockerConflicts && package_type.is_some_and(|t| !is_granular_type(t)) {
        scopes.push("repo");
    }
    scopes
}

/// Whether the granted scopes satisfy `needed` (`write:packages` implies `read:packages`).
pub(crate) fn has_scope(granted: &[String], needed: &str) -> bool {
    granted
        .iter()
        .any(|g| g == needed || (needed == "read:packages" && g == "write:packages"))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional); `None` on any invalid character.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        assert_eq!(base64_encode(b"04:User1"), "MDQ6VXNlcjE=");
        assert_eq!(
            base64_encode(b"012:Organization9919"),
            "MDEyOk9yZ2FuaXphdGlvbjk5MTk="
        );
        for s in ["", "a", "ab", "abc", "abcd", "user:ghp_x"] {
            assert_eq!(
                base64_decode(&base64_encode(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
    }

    #[test]
    fn authorization_schemes() {
        assert_eq!(
            parse_authorization(Some("Bearer abc")),
            Credentials::Token("abc".into())
        );
        assert_eq!(
            parse_authorization(Some("token abc")),
            Credentials::Token("abc".into())
        );
        let basic = format!("Basic {}", base64_encode(b"anyone:abc"));
        assert_eq!(
            parse_authorization(Some(&basic)),
            Credentials::Token("abc".into())
        );
        let basic = format!("Basic {}", base64_encode(b"abc:x-oauth-basic"));
        assert_eq!(
            parse_authorization(Some(&basic)),
            Credentials::Token("abc".into())
        );
        assert_eq!(
            parse_authorization(Some("Digest x")),
            Credentials::Malformed
        );
        assert_eq!(parse_authorization(None), Credentials::None);
    }
}
