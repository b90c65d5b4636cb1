//! The repository routes: manifests (read, push, refused delete), the tag
//! listing, the referrers redirect and blobs.
//!
//! - `GET`/`HEAD /v2/NAME/manifests/REF`: the exact stored bytes with
//!   `Content-Type` (the version's media type), `Docker-Content-Digest` and
//!   `Content-Length` (`HEAD`: the same headers, no body). A `GET` adds one
//!   to the version's `downloads`; a `HEAD` too when `head_counts_as_download`
//!   is on. A deleted version, an unknown reference and a version without a
//!   stored manifest (a "ghost") are `404 MANIFEST_UNKNOWN`.
//! - `PUT /v2/NAME/manifests/REF`: the body (a JSON object) is stored under
//!   its digest; a new digest becomes a new package version (new id, created
//!   now, untagged). A tag `REF` then moves to that version and leaves every
//!   other active version of the package (how tools "untag" an image); a
//!   digest `REF` must equal the body's (`400 DIGEST_INVALID`). The media
//!   type is the `Content-Type`, else the body's `mediaType`; the two must
//!   agree (`400 MANIFEST_INVALID`). References inside the manifest are not
//!   checked. Answers `201` with `Location` and `Docker-Content-Digest`.
//! - `DELETE …/manifests/REF`: `405 UNSUPPORTED`, as ghcr.
//! - `GET /v2/NAME/tags/list?n=&last=`: `{"name", "tags"}`, the tags of the
//!   active versions the registry has, sorted, after `last`, at most `n`;
//!   with more left, `Link: </v2/NAME/tags/list?n=N&last=T>; rel="next"`.
//! - `GET /v2/NAME/referrers/DIGEST`: `303` to the API origin's
//!   `/-/v2/packages/container/NAME/referrers/DIGEST`, which answers 404:
//!   ghcr has no referrers API.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::names::{repository, resolve, valid_name, valid_tag};
use super::tokens::allows;
use super::{unsupported, RegReply, What};
use crate::clock::lock;
use crate::faults::{self, Fault};
use crate::fixture::VersionSpec;
use crate::oci::digest_of;
use crate::pipeline::{Incoming, Shared};
use crate::routes::parse_query;

fn manifest_unknown() -> RegReply {
    RegReply::error(404, "MANIFEST_UNKNOWN", "manifest unknown")
}

/// Answers a repository route: name, method, token, repository, then the route.
pub(super) fn handle(
    shared: &Shared,
    req: &Incoming<'_>,
    name: &str,
    what: What<'_>,
    now: DateTime<Utc>,
    link_loop: bool,
) -> RegReply {
    if !valid_name(name) {
        return RegReply::error(400, "NAME_INVALID", "invalid repository name");
    }
    let push = match (&what, req.method) {
        (What::Manifest(_), "PUT") => true,
        (What::Manifest(_) | What::Blob(_), "GET" | "HEAD")
        | (What::Tags | What::Referrers(_), "GET") => false,
        _ => return unsupported(),
    };
    let scope = format!(
        "repository:{name}:{}",
        if push { "pull,push" } else { "pull" }
    );
    let Some(grants) = shared.bearer(req, now) else {
        return shared.challenge(req, Some(&scope), false);
    };
    if !allows(&grants, name, push) {
        return shared.challenge(req, Some(&scope), true);
    }
    let Some(pkg_id) = repository(&lock(&shared.state), name) else {
        return RegReply::error(404, "NAME_UNKNOWN", "repository name not known to registry");
    };
    match what {
        What::Manifest(reference) if push => put_manifest(shared, req, pkg_id, name, reference),
        What::Manifest(reference) => get_manifest(shared, req, pkg_id, reference),
        What::Tags => tags_list(shared, req, pkg_id, name, link_loop),
        What::Referrers(digest) => RegReply::empty(303).header(
            "location",
            format!(
                "http://{}/-/v2/packages/container/{name}/referrers/{digest}",
                shared.addr
            ),
        ),
        What::Blob(_) => RegReply::error(404, "BLOB_UNKNOWN", "blob unknown to registry"),
    }
}

fn get_manifest(shared: &Shared, req: &Incoming<'_>, pkg_id: u64, reference: &str) -> RegReply {
    let reference = percent_encoding::percent_decode_str(reference).decode_utf8_lossy();
    let (digest, manifest) = {
        let mut state = lock(&shared.state);
        let Some(pkg) = state.package_by_id(pkg_id) else {
            return manifest_unknown();
        };
        let Some(v) = resolve(pkg, &reference) else {
            return manifest_unknown();
        };
        let (vid, digest, manifest) = (v.id, v.name.clone(), v.manifest.clone());
        let counts = req.method == "GET" || shared.registry.head_counts_as_download();
        if counts {
            if let Some(v) = state
                .package_by_id_mut(pkg_id)
                .and_then(|p| p.version_mut(vid))
            {
                v.downloads += 1;
            }
        }
        (digest, manifest)
    };
    let Some(manifest) = manifest else {
        return manifest_unknown();
    };
    let mut bytes = manifest.bytes;
    if req.method == "GET"
        && faults::take_where(&mut lock(&shared.faults), req.method, req.raw_path, |f| {
            matches!(f, Fault::DigestMismatch)
        })
        .is_some()
    {
        corrupt(&mut bytes);
    }
    // A HEAD answer keeps the headers; the transport sends no body.
    RegReply::bytes(200, &manifest.media_type, bytes).header("docker-content-digest", digest)
}

/// Changes the body without changing its length, so it no longer hashes to
/// its digest: one hex digit of the first digest inside, else one letter's case.
fn corrupt(bytes: &mut Vec<u8>) {
    let at = bytes
        .windows(7)
        .position(|w| w == b"sha256:")
        .map(|p| p + 7)
        .filter(|&i| bytes.get(i).is_some_and(u8::is_ascii_hexdigit));
    if let Some(i) = at {
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
    } else if let Some(i) = bytes.iter().position(u8::is_ascii_alphabetic) {
        bytes[i] ^= 0x20;
    } else if let Some(last) = bytes.last_mut() {
        *last ^= 1;
    } else {
        bytes.push(b'\n');
    }
}

fn put_manifest(
    shared: &Shared,
    req: &Incoming<'_>,
    pkg_id: u64,
    name: &str,
    reference: &str,
) -> RegReply {
    let invalid = |m: &str| RegReply::error(400, "MANIFEST_INVALID", m);
    let Some(body) = req.body else {
        return invalid("the manifest could not be read");
    };
    let Some(parsed) = serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
    else {
        return invalid("the manifest is not a JSON object");
    };
    let header_type = req
        .header("content-type")
        .map(|c| c.split(';').next().unwrap_or(c).trim())
        .filter(|c| !c.is_empty());
    let media_type = match (header_type, parsed["mediaType"].as_str()) {
        (Some(h), Some(b)) if h != b => {
            return invalid(&format!(
                "the Content-Type {h} does not match the manifest's mediaType {b}"
            ))
        }
        (Some(t), _) | (None, Some(t)) => t.to_owned(),
        (None, None) => return invalid("the manifest has no media type"),
    };
    let digest = digest_of(body);
    let reference = percent_encoding::percent_decode_str(reference).decode_utf8_lossy();
    let tag = if reference.contains(':') {
        if reference != digest {
            return RegReply::error(
                400,
                "DIGEST_INVALID",
                "provided digest did not match uploaded content",
            );
        }
        None
    } else if valid_tag(&reference) {
        Some(reference.into_owned())
    } else {
        return RegReply::error(400, "TAG_INVALID", "invalid tag");
    };
    let mut state = lock(&shared.state);
    let now = state.now();
    let existing = state.package_by_id(pkg_id).and_then(|p| {
        p.active_versions()
            .find(|v| v.name == digest)
            .map(|v| (v.id, v.manifest.is_some()))
    });
    let vid = match existing {
        Some((id, true)) => id,
        // A ghost version gets the manifest it was missing.
        Some((id, false)) => {
            if let Some(v) = state
                .package_by_id_mut(pkg_id)
                .and_then(|p| p.version_mut(id))
            {
                v.manifest = Some(crate::state::StoredManifest {
                    media_type: media_type.clone(),
                    bytes: body.to_vec(),
                });
            }
            id
        }
        None => {
            let mut spec = VersionSpec::new(&digest);
            spec.manifest_raw = Some(String::from_utf8_lossy(body).into_owned());
            spec.media_type = Some(media_type.clone());
            match state.add_version(pkg_id, spec) {
                Ok(id) => id,
                Err(e) => return invalid(&e.to_string()),
            }
        }
    };
    if let Some(pkg) = state.package_by_id_mut(pkg_id) {
        pkg.updated_at = now;
        if let Some(tag) = &tag {
            for v in pkg
                .versions
                .iter_mut()
                .filter(|v| !v.is_deleted() && v.id != vid)
            {
                v.tags.retain(|t| t != tag);
            }
            if let Some(v) = pkg.version_mut(vid) {
                if !v.tags.contains(tag) {
                    v.tags.push(tag.clone());
                }
                v.updated_at = now;
            }
        }
    }
    RegReply::empty(201)
        .header("location", format!("/v2/{name}/manifests/{digest}"))
        .header("docker-content-digest", digest)
}

fn tags_list(
    shared: &Shared,
    req: &Incoming<'_>,
    pkg_id: u64,
    name: &str,
    link_loop: bool,
) -> RegReply {
    let query = parse_query(req.raw_query);
    let param = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.as_str());
    let n = match param("n").map(str::parse::<usize>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            return RegReply::error(
                400,
                "PAGINATION_NUMBER_INVALID",
                "invalid number of results requested",
            )
        }
    };
    let last = param("last");
    let mut tags: Vec<String> = {
        let state = lock(&shared.state);
        let Some(pkg) = state.package_by_id(pkg_id) else {
            return RegReply::error(404, "NAME_UNKNOWN", "repository name not known to registry");
        };
        pkg.active_versions()
            .filter(|v| v.manifest.is_some())
            .flat_map(|v| v.tags.iter().cloned())
            .collect()
    };
    tags.sort();
    tags.dedup();
    let after: Vec<String> = tags
        .into_iter()
        .filter(|t| last.map_or(true, |l| t.as_str() > l))
        .collect();
    let page: Vec<String> = after
        .iter()
        .take(n.unwrap_or(usize::MAX))
        .cloned()
        .collect();
    let mut reply = RegReply::json(200, json!({"name": name, "tags": page}));
    if let Some(n) = n {
        if link_loop {
            reply = reply.header(
                "link",
                format!("</v2/{name}/tags/list?n={n}>; rel=\"next\""),
            );
        } else if after.len() > page.len() && n > 0 {
            let last = page.last().cloned().unwrap_or_default();
            reply = reply.header(
                "link",
                format!("</v2/{name}/tags/list?n={n}&last={last}>; rel=\"next\""),
            );
        }
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corruption_keeps_the_length_and_changes_the_digest() {
        for body in [
            br#"{"digest":"sha256:0a"}"#.to_vec(),
            br#"{"digest":"sha256:ff"}"#.to_vec(),
            b"{}".to_vec(),
            br#"{"a":1}"#.to_vec(),
        ] {
            let mut changed = body.clone();
            corrupt(&mut changed);
            assert_eq!(changed.len(), body.len());
            assert_ne!(digest_of(&changed), digest_of(&body));
        }
    }
}
