//! Registry names: the OCI repository-name and tag grammars, and which
//! container package a repository name means.

use crate::state::{Package, State, Version};

/// One path component of an OCI repository name:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

/// Whether `name` is a valid OCI repository name (lowercase components
/// separated by literal `/`, at most 255 characters).
pub(crate) fn valid_name(name: &str) -> bool {
    name.len() <= 255 && name.split('/').all(valid_component)
}

/// Whether `tag` is a valid OCI tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
pub(crate) fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// The id of the live container package whose registry repository is
/// `name`: its lowercased owner, `/`, its name.
pub(crate) fn repository(state: &State, name: &str) -> Option<u64> {
    let (owner, package) = name.split_once('/')?;
    state
        .packages()
        .iter()
        .find(|p| {
            !p.is_deleted()
                && p.package_type == "container"
                && p.owner.to_ascii_lowercase() == owner
                && p.name == package
        })
        .map(|p| p.id)
}

/// The active version a reference (a `sha256:` digest or a tag) resolves to,
/// when the registry has its manifest. A tag on several versions (a fixture
/// may declare that) resolves to the newest.
pub(crate) fn resolve<'p>(pkg: &'p Package, reference: &str) -> Option<&'p Version> {
    let found = if reference.contains(':') {
        pkg.active_versions().find(|v| v.name == reference)
    } else {
        pkg.active_versions()
            .filter(|v| v.tags.iter().any(|t| t == reference))
            .max_by_key(|v| (v.created_at, v.id))
    };
    found.filter(|v| v.manifest.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names() {
        for ok in [
            "acme/api/server",
            "acme/org-repo/sub/image",
            "a/b.c",
            "a/b__c",
            "a/b---c",
            "a1/2b",
        ] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "Acme/api",
            "acme/Api",
            "acme//x",
            "acme/x/",
            "acme/-x",
            "acme/x.",
            "acme/a___b",
            "acme/a..b",
            "acme/my app",
            "acme/api%2Fserver",
            "acme/caf\u{e9}",
            "",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn tags() {
        for ok in ["latest", "1.2.0", "_x", "sha256-ab.sig", "A-b_c.d"] {
            assert!(valid_tag(ok), "{ok}");
        }
        for bad in ["", ".x", "-x", "a b", "a/b", "a:b", &"x".repeat(129)] {
            assert!(!valid_tag(bad), "{bad}");
        }
    }
}
