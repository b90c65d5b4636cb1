//! Patterns in policies, matched against package names, tags and version
//! names: a glob by default (`*`, `?`, `[ab]`, `**`; `*` also matches `/`),
//! `re:` for a regular expression (Rust's `regex`: linear time, so no input
//! can make matching slow; unanchored unless written with `^`/`$`), `=` for
//! an exact string, and `semver:` for a version range (`semver:<2.0.0`,
//! `semver:^1.2`), matched against tags or names read as versions (a leading
//! `v` is dropped, `1.2` reads as `1.2.0`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// One compiled pattern; it prints and serializes as it was written.
#[derive(Clone)]
pub struct Pattern {
    text: String,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Exact(String),
    Glob(globset::GlobMatcher),
    Regex(regex::Regex),
    Semver(semver::VersionReq),
}

/// The most compiled regex size a policy may ask for (guards memory, not time).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl Pattern {
    /// Compiles `text`; a bad pattern is `InvalidArgument` saying why.
    pub fn parse(text: &str) -> Result<Pattern> {
        let bad = |why: String| Error::invalid(format!("pattern {text:?}: {why}"));
        let kind = if let Some(exact) = text.strip_prefix('=') {
            Kind::Exact(exact.to_owned())
        } else if let Some(re) = text.strip_prefix("re:") {
            let regex = regex::RegexBuilder::new(re)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| bad(format!("not a valid regular expression: {e}")))?;
            Kind::Regex(regex)
        } else if let Some(range) = text.strip_prefix("semver:") {
            let req = semver::VersionReq::parse(range.trim())
                .map_err(|e| bad(format!("not a valid semver range: {e}")))?;
            Kind::Semver(req)
        } else {
            if text.is_empty() {
                return Err(bad("empty; use \"=\" for an empty exact string".into()));
            }
            let glob = globset::GlobBuilder::new(text)
                .literal_separator(false)
                .backslash_escape(true)
                .build()
                .map_err(|e| bad(format!("not a valid glob: {e}")))?;
            Kind::Glob(glob.compile_matcher())
        };
        Ok(Pattern {
            text: text.to_owned(),
            kind,
        })
    }

    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        match &self.kind {
            Kind::Exact(e) => e == s,
            Kind::Glob(g) => g.is_match(s),
            Kind::Regex(r) => r.is_match(s),
            Kind::Semver(req) => as_version(s).is_some_and(|v| req.matches(&v)),
        }
    }

    /// The text of capture group `group` when `s` matches a `re:` pattern.
    pub fn capture(&self, s: &str, group: usize) -> Option<String> {
        match &self.kind {
            Kind::Regex(r) => r
                .captures(s)
                .and_then(|c| c.get(group))
                .map(|m| m.as_str().to_owned()),
            _ => None,
        }
    }

    /// How many capture groups a `re:` pattern has (0 for the other kinds).
    pub fn groups(&self) -> usize {
        match &self.kind {
            Kind::Regex(r) => r.captures_len() - 1,
            _ => 0,
        }
    }

    /// The exact string this pattern matches, if it matches only one: `=x`,
    /// or a glob without wildcards. Lets a policy name packages without
    /// listing them (what an Actions token can do).
    pub fn literal(&self) -> Option<&str> {
        match &self.kind {
            Kind::Exact(e) => Some(e),
            Kind::Glob(_) if !self.text.contains(['*', '?', '[', '{', '\\']) => Some(&self.text),
            _ => None,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A tag or version name read as a semantic version: `v1.2.3`, `1.2` (=
/// `1.2.0`), `1.2.3-rc.1`.
pub(crate) fn as_version(s: &str) -> Option<semver::Version> {
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    if let Ok(v) = semver::Version::parse(s) {
        return Some(v);
    }
    let (core, rest) = match s.find(['-', '+']) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut padded = parts.join(".");
    for _ in parts.len()..3 {
        padded.push_str(".0");
    }
    semver::Version::parse(&format!("{padded}{rest}")).ok()
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Pattern, D::Error> {
        let text = String::deserialize(d)?;
        Pattern::parse(&text).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

impl schemars::JsonSchema for Pattern {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Pattern".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A glob (default: *, ?, [ab], ** ; * also matches /), \"re:REGEX\" \
                            (unanchored unless written with ^ and $), \"=EXACT\", or \
                            \"semver:RANGE\" (e.g. semver:<2.0.0).",
            "examples": ["api/*", "re:^v\\d+\\.\\d+\\.\\d+$", "=latest", "semver:<2.0.0"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        Pattern::parse(s).unwrap()
    }

    #[test]
    fn each_kind_matches_what_it_says() {
        assert!(p("api/*").matches("api/server"));
        assert!(p("*-cache").matches("build-cache") && !p("*-cache").matches("cache-x"));
        assert!(p("pr-?").matches("pr-7") && !p("pr-?").matches("pr-17"));
        assert!(p("=latest").matches("latest") && !p("=latest").matches("latest2"));
        assert!(p("re:^v\\d+$").matches("v12") && !p("re:^v\\d+$").matches("v1.2"));
        assert!(p("re:rc").matches("1.0-rc.1"), "unanchored");
        assert!(p("semver:<2.0.0").matches("v1.9.3") && !p("semver:<2.0.0").matches("2.0.0"));
        assert!(p("semver:^1.2").matches("1.2") && !p("semver:^1.2").matches("main"));
        assert!(p("semver:>=1.0.0-rc.1, <1.0.0").matches("1.0.0-rc.2"));
    }

    #[test]
    fn captures_and_literals() {
        let stream = p(r"re:^(\d+\.\d+)\.\d+$");
        assert_eq!(stream.capture("1.2.7", 1).as_deref(), Some("1.2"));
        assert_eq!(stream.groups(), 1);
        assert_eq!(p("web").literal(), Some("web"));
        assert_eq!(p("=we*b").literal(), Some("we*b"));
        assert_eq!(p("we*").literal(), None);
        assert_eq!(p("re:web").literal(), None);
    }

    #[test]
    fn bad_patterns_are_invalid_arguments() {
        for bad in ["", "re:(", "semver:>>1", "[a"] {
            let e = Pattern::parse(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn versions_are_read_leniently() {
        assert_eq!(as_version("v1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(as_version("3").unwrap().to_string(), "3.0.0");
        assert_eq!(as_version("1.2.3-rc.1").unwrap().pre.as_str(), "rc.1");
        assert!(as_version("main").is_none() && as_version("1..2").is_none());
    }
}
