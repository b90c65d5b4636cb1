//! Retention with JSON in and out: plan from a policy, review edits and
//! renderings of a plan, undo, recover, verify, policy import and the
//! schemas. Applying a plan is in `apply.rs`.
//!
//! Every JSON format is the core's (`schemas/*.schema.json`): policies,
//! plans, reports and options are read by the core, which names the field
//! that is wrong, so this layer only converts. Every string handed out is
//! the caller's, freed with `ghpkg_string_free`.

use std::ffi::c_char;

use ghpkg::retention::{Inputs, Plan, PlanOptions, Policy, PolicyOwner, Render, Span, UndoOptions};

use crate::client::ghpkg_client;
use crate::convert::{borrow, cstring, opt_text, text};
use crate::enums::{ghpkg_owner_kind, ghpkg_package_type, owner_arg, package_type_arg};
use crate::error::ghpkg_error;
use crate::fail::Fail;
use crate::ffi::call;
use crate::runtime::block_on;
use crate::status::ghpkg_status;

/// A string for the caller, freed with `ghpkg_string_free`. JSON escapes
/// control characters; a NUL byte in a rendering is a `GHPKG_DECODE` failure.
pub(crate) fn owned_string(s: String, what: &str) -> Result<*mut c_char, Fail> {
    Ok(cstring(&s, what)?.into_raw())
}

/// Reads a plan as the core does (format version, policy hash).
///
/// # Safety
/// A non-NULL `plan_json` points to a NUL-terminated string.
pub(crate) unsafe fn plan_arg(plan_json: *const c_char) -> Result<Plan, Fail> {
    // SAFETY: upheld by the caller.
    let text = unsafe { text(plan_json, "plan_json") }?;
    Ok(Plan::from_json(text)?)
}

/// The plan's JSON, as `Plan::to_json` writes it (no trailing newline).
fn plan_out(plan: &Plan) -> Result<*mut c_char, Fail> {
    owned_string(plan.to_json(), "plan")
}

/// Makes a retention plan: reads the packages the policy covers, their
/// complete version listings and, for containers, every manifest. Sends
/// only reads. Blocking.
///
/// `policy_json` is a policy (`schemas/policy.schema.json`); `options_json`
/// is a plan-options object (`now`, `registry_url`, `manifest_cache`; NULL
/// for the defaults). On success `*plan_json_out` is the plan as the core
/// writes it (pretty JSON, the bytes every front door produces), freed with
/// `ghpkg_string_free`.
///
/// A policy or options object the core refuses (unknown field, bad pattern,
/// bad duration) is `GHPKG_INVALID_ARGUMENT` naming the field, before any
/// request; bad credentials are `GHPKG_AUTHENTICATION`. A package whose
/// listing or manifests cannot all be read is blocked in the plan, not an
/// error.
#[no_mangle]
pub extern "C" fn ghpkg_retention_plan(
    client: *const ghpkg_client,
    policy_json: *const c_char,
    options_json: *const c_char,
    plan_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(plan_json_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let policy = Policy::from_json(unsafe { text(policy_json, "policy_json") }?)?;
        let options = match unsafe { opt_text(options_json, "options_json") }? {
            Some(json) => PlanOptions::from_json(json)?,
            None => PlanOptions::default(),
        };
        let retention = c.client.retention();
        let plan = block_on(retention.plan(&policy, &options))??;
        plan_out(&plan)
    })
}

/// Renders a plan: `format` is `markdown` (a CI job summary), `table` (a
/// terminal), `json` (the plan as the core writes it) or `ndjson` (one line
/// per action). The plan is checked first (`GHPKG_INVALID_ARGUMENT` for
/// one whose policy was edited by hand). Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_retention_plan_render(
    plan_json: *const c_char,
    format: *const c_char,
    out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let plan = unsafe { plan_arg(plan_json) }?;
        let how: Render = unsafe { text(format, "format") }?.parse()?;
        owned_string(plan.render(how), "the rendering")
    })
}

/// Every planned change of a plan, deletions and untags, in apply order, as
/// a JSON array of `{"package": NAME, "action": ACTION}` (ACTION as in the
/// plan). Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_retention_plan_deletions(
    plan_json: *const c_char,
    deletions_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(deletions_json_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let plan = unsafe { plan_arg(plan_json) }?;
        let list: Vec<serde_json::Value> = plan
            .deletions()
            .into_iter()
            .map(|(p, a)| serde_json::json!({ "package": p.name, "action": a }))
            .collect();
        owned_string(serde_json::Value::Array(list).to_string(), "deletions")
    })
}

/// A review edit: the plan with the deletions of `version_ids` (`count`
/// ids; NULL when `count` is 0) turned into keeps, and what those versions
/// hold alive kept too; each edit is recorded in the plan. An id that is not
/// a planned deletion is `GHPKG_INVALID_ARGUMENT`: a review can only keep
/// more. Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_retention_plan_without_versions(
    plan_json: *const c_char,
    version_ids: *const u64,
    count: usize,
    plan_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(plan_json_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let plan = unsafe { plan_arg(plan_json) }?;
        let ids: &[u64] = match (version_ids.is_null(), count) {
            (_, 0) => &[],
            (true, _) => return Err(Fail::null("version_ids")),
            // SAFETY: `count` readable ids (the C contract).
            (false, n) => unsafe { std::slice::from_raw_parts(version_ids, n) },
        };
        plan_out(&plan.without_versions(ids)?)
    })
}

/// A review edit: the plan with every deletion outside `packages` (`count`
/// package names; NULL when `count` is 0) turned into a keep, recorded as
/// edits. Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_retention_plan_only_packages(
    plan_json: *const c_char,
    packages: *const *const c_char,
    count: usize,
    plan_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(plan_json_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let plan = unsafe { plan_arg(plan_json) }?;
        let mut names: Vec<&str> = Vec::with_capacity(count);
        if count > 0 {
            if packages.is_null() {
                return Err(Fail::null("packages"));
            }
            // SAFETY: `count` readable pointers (the C contract).
            for p in unsafe { std::slice::from_raw_parts(packages, count) } {
                names.push(unsafe { text(*p, "packages[i]") }?);
            }
        }
        plan_out(&plan.only_packages(&names)?)
    })
}

/// Restores what the run recorded in the journal at `journal_path` deleted
/// (within GitHub's 30-day window): children first, then images, then
/// signatures; tags an untag removed are pushed back. Blocking.
///
/// `options_json` is an undo-options object (`dry_run`, `journal`,
/// `packages`, `version_ids`, `restores_per_minute`, `registry_url`; NULL
/// for the defaults). On success `*report_json_out` is the report
/// (`schemas/report.schema.json`), freed with `ghpkg_string_free`. A file
/// that is not a ghpkg journal is `GHPKG_INVALID_ARGUMENT` and nothing is
/// restored.
#[no_mangle]
pub extern "C" fn ghpkg_retention_undo(
    client: *const ghpkg_client,
    journal_path: *const c_char,
    options_json: *const c_char,
    report_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(report_json_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let journal = unsafe { text(journal_path, "journal_path") }?;
        let options = match unsafe { opt_text(options_json, "options_json") }? {
            Some(json) => UndoOptions::from_json(json)?,
            None => UndoOptions::default(),
        };
        let retention = c.client.retention();
        let report = block_on(retention.undo(journal, &options))??;
        owned_string(serde_json::to_string(&report).unwrap_or_default(), "report")
    })
}

/// Without a run's journal: writes to `journal_path` (which must not exist
/// or be empty) an undo set for the versions of one package deleted since
/// `since` (an RFC 3339 instant, e.g. `2026-06-01T00:00:00Z`, or a duration
/// before now, e.g. `2d`), from GitHub's
/// list of deleted versions; `ghpkg_retention_undo` then restores them. On
/// success `*count_out` is how many versions it found. Blocking.
#[no_mangle]
pub extern "C" fn ghpkg_retention_recover(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    package: *const c_char,
    since: *const c_char,
    journal_path: *const c_char,
    count_out: *mut usize,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(count_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let owner = PolicyOwner::from_owner(&owner_arg(owner_kind, unsafe {
            opt_text(owner, "owner")
        }?)?);
        let package_type = package_type_arg(package_type)?;
        let package = unsafe { text(package, "package") }?;
        let since = Span::since(unsafe { text(since, "since") }?, chrono::Utc::now())?;
        let journal = unsafe { text(journal_path, "journal_path") }?;
        let retention = c.client.retention();
        let fut = retention.recover(&owner, package_type, package, since, journal);
        Ok(block_on(fut)??)
    })
}

/// Checks that every image a plan keeps still resolves whole: each tag of
/// each kept version of the plan's container packages and every manifest it
/// reaches (HEAD requests, which GitHub does not count as downloads). Sends
/// only reads. Blocking.
///
/// `registry_url` is the container registry (NULL: the plan's). On success
/// `*report_json_out` is `{"checked_tags": N, "broken": [{"package",
/// "tag", "missing": [DIGEST...]}...]}`, freed with `ghpkg_string_free`.
#[no_mangle]
pub extern "C" fn ghpkg_retention_verify(
    client: *const ghpkg_client,
    plan_json: *const c_char,
    registry_url: *const c_char,
    report_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(report_json_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let plan = unsafe { plan_arg(plan_json) }?;
        let registry = unsafe { opt_text(registry_url, "registry_url") }?;
        let retention = c.client.retention();
        let report = block_on(retention.verify(&plan, registry))??;
        owned_string(
            serde_json::to_string(&report).unwrap_or_default(),
            "verify report",
        )
    })
}

/// Translates another cleanup tool's inputs into a ghpkg policy. `from`
/// names the tool: `crp` (snok/container-retention-policy), `dataaxiom`
/// (dataaxiom/ghcr-cleanup-action), `dpv` (actions/delete-package-versions)
/// or `vlaurin` (vlaurin/action-ghcr-prune). `inputs_json` is a JSON object
/// of the tool's inputs as strings (its `with:` block). On success
/// `*policy_json_out` is the policy (pretty JSON), freed with
/// `ghpkg_string_free`. An input the tool does not have, or a value the core
/// cannot translate, is `GHPKG_INVALID_ARGUMENT`. Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_retention_policy_import(
    from: *const c_char,
    inputs_json: *const c_char,
    policy_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(policy_json_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let from = unsafe { text(from, "from") }?;
        let inputs: Inputs = serde_json::from_str(unsafe { text(inputs_json, "inputs_json") }?)
            .map_err(|e| {
                Fail::invalid(format!(
                    "inputs_json must be a JSON object of strings (the tool's inputs): {e}"
                ))
            })?;
        let policy = Policy::import(from, &inputs)?;
        let text = serde_json::to_string_pretty(&policy.to_json()).unwrap_or_default();
        owned_string(text, "policy")
    })
}

/// The JSON Schemas of the retention formats as one JSON object keyed by
/// file name (`policy.schema.json`, `plan.schema.json`,
/// `event.schema.json`, `report.schema.json`, `journal.schema.json` and the
/// options of plan, apply and undo): the repository's `schemas/` files.
/// Freed with `ghpkg_string_free`. Does not block.
#[no_mangle]
pub extern "C" fn ghpkg_retention_schemas(
    schemas_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(schemas_json_out, err_out, || {
        let all: serde_json::Map<String, serde_json::Value> = ghpkg::retention::schemas()
            .into_iter()
            .map(|(name, schema)| (name.to_owned(), schema))
            .collect();
        owned_string(serde_json::Value::Object(all).to_string(), "schemas")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ghpkg_string_free;
    use crate::status::{GHPKG_INVALID_ARGUMENT, GHPKG_NULL_ARGUMENT, GHPKG_OK};
    use std::ffi::CStr;
    use std::ptr;

    fn take(s: *mut c_char) -> String {
        let out = unsafe { CStr::from_ptr(s) }.to_str().unwrap().to_owned();
        ghpkg_string_free(s);
        out
    }

    #[test]
    fn schemas_and_imports_need_no_client() {
        let mut out = ptr::null_mut();
        assert_eq!(ghpkg_retention_schemas(&mut out, ptr::null_mut()), GHPKG_OK);
        let all: serde_json::Value = serde_json::from_str(&take(out)).unwrap();
        assert!(all["plan.schema.json"].is_object());
        assert_eq!(all.as_object().unwrap().len(), 8);

        let mut out = ptr::null_mut();
        let st = ghpkg_retention_policy_import(
            c"dpv".as_ptr(),
            cr#"{"owner": "acme", "package-name": "ui-kit", "package-type": "npm", "min-versions-to-keep": "3"}"#.as_ptr(),
            &mut out,
            ptr::null_mut(),
        );
        assert_eq!(st, GHPKG_OK);
        Policy::from_json(&take(out)).unwrap();

        let st = ghpkg_retention_policy_import(
            c"nope".as_ptr(),
            c"{}".as_ptr(),
            &mut out,
            ptr::null_mut(),
        );
        assert_eq!(st, GHPKG_INVALID_ARGUMENT);
        let st =
            ghpkg_retention_policy_import(ptr::null(), c"{}".as_ptr(), &mut out, ptr::null_mut());
        assert_eq!(st, GHPKG_NULL_ARGUMENT);
    }
}
