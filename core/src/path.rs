//! Owners and the building of request paths. Every caller-supplied value
//! goes through [`segment`], so no name can change which endpoint is called.

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::{Error, Result};
use crate::models::PackageType;

/// Everything but RFC 3986 "unreserved" characters is encoded, `/` included.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Who owns the packages a call is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Owner {
    /// The user the credentials belong to (`/user/...`).
    #[default]
    AuthenticatedUser,
    /// An organization (`/orgs/{org}/...`).
    Org(String),
    /// A user (`/users/{username}/...`).
    User(String),
}

impl Owner {
    /// An organization.
    pub fn org(login: impl Into<String>) -> Owner {
        Owner::Org(login.into())
    }

    /// A user.
    pub fn user(login: impl Into<String>) -> Owner {
        Owner::User(login.into())
    }

    /// The owner named the way the front doors take it: an `org`, a `user`,
    /// or neither for the authenticated user. Both at once is
    /// `InvalidArgument`; an empty login is refused when the request is built.
    pub fn from_org_or_user(org: Option<String>, user: Option<String>) -> Result<Owner> {
        match (org, user) {
            (Some(org), Some(user)) => Err(Error::invalid(format!(
                "give either an org or a user, not both (got org {org:?} and user {user:?})"
            ))),
            (Some(org), None) => Ok(Owner::Org(org)),
            (None, Some(user)) => Ok(Owner::User(user)),
            (None, None) => Ok(Owner::AuthenticatedUser),
        }
    }

    /// The encoded path prefix: `/user`, `/orgs/acme` or `/users/octocat`.
    pub(crate) fn prefix(&self) -> Result<String> {
        Ok(match self {
            Owner::AuthenticatedUser => "/user".to_owned(),
            Owner::Org(org) => format!("/orgs/{}", segment("org", org)?),
            Owner::User(user) => format!("/users/{}", segment("username", user)?),
        })
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::AuthenticatedUser => f.write_str("the authenticated user"),
            Owner::Org(o) => write!(f, "org {o:?}"),
            Owner::User(u) => write!(f, "user {u:?}"),
        }
    }
}

/// Validates and percent-encodes one path segment.
///
/// Empty values, values with control characters and the dot-segments `.`
/// and `..` (which URL parsers collapse, encoded or not) are
/// `InvalidArgument`; everything else is encoded, so `repo/image` becomes
/// `repo%2Fimage` and `../x` becomes `..%2Fx`.
pub(crate) fn segment(what: &str, value: &str) -> Result<String> {
    if value.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    if value.trim().is_empty() {
        return Err(Error::invalid(format!("{what} must not be blank")));
    }
    if value == "." || value == ".." {
        return Err(Error::invalid(format!(
            "{what} {value:?} is not a valid name"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{what} {value:?} contains a control character"
        )));
    }
    Ok(utf8_percent_encode(value, SEGMENT).to_string())
}

/// `{owner}/packages/{type}/{name}`, encoded.
pub(crate) fn package_path(owner: &Owner, ty: PackageType, name: &str) -> Result<String> {
    Ok(format!(
        "{}/packages/{}/{}",
        owner.prefix()?,
        ty.as_str(),
        segment("package name", name)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_one_segment() {
        assert_eq!(segment("n", "repo/image").unwrap(), "repo%2Fimage");
        assert_eq!(segment("n", "../x").unwrap(), "..%2Fx");
        assert_eq!(segment("n", "a%b?c#d e").unwrap(), "a%25b%3Fc%23d%20e");
        assert_eq!(segment("n", "é").unwrap(), "%C3%A9");
        assert_eq!(segment("n", "a.b_c-d~e").unwrap(), "a.b_c-d~e");
        for bad in ["", " ", ".", "..", "a\nb"] {
            assert!(segment("n", bad).is_err(), "{bad:?}");
        }
    }
}
