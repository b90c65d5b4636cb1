//! The catalog (StackQL-style `SELECT`, `DELETE` and `EXEC`) with JSON in
//! and out, and `ghpkg_string_free` for the strings it and retention return.

use std::ffi::{c_char, CString};

use ghpkg::catalog::{Params, Row};

use crate::client::ghpkg_client;
use crate::convert::{borrow, opt_text, text};
use crate::error::ghpkg_error;
use crate::fail::Fail;
use crate::ffi::{call, call_unit};
use crate::runtime::block_on;
use crate::status::ghpkg_status;

/// The params object; NULL is `{}`.
fn params(json: Option<&str>) -> Result<Params, Fail> {
    let Some(json) = json else {
        return Ok(Params::new());
    };
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(other) => Err(Fail::invalid(format!(
            "params_json must be a JSON object, got {}",
            kind_of(&other)
        ))),
        Err(e) => Err(Fail::invalid(format!("params_json is not valid JSON: {e}"))),
    }
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The rows as a JSON array, in a string the caller frees.
fn rows_json(rows: Vec<Row>) -> *mut c_char {
    let text = serde_json::Value::Array(rows.into_iter().map(serde_json::Value::Object).collect());
    // serde_json escapes control characters, so there is no NUL inside.
    CString::new(text.to_string())
        .unwrap_or_else(|_| c"[]".to_owned())
        .into_raw()
}

/// Runs a `SELECT` on a catalog resource (`packages`, `org_packages`,
/// `package_versions`, `docker_migration_packages`, or the full
/// `github.packages.*` id). Blocking.
///
/// `params_json` is a JSON object (NULL for `{}`): strings, or a number for
/// `package_version_id`. The method is chosen the way StackQL does; params
/// the method does not take but that name a field filter the rows. On
/// success `*rows_json` is a JSON array of row objects, freed with
/// `ghpkg_string_free`. Bad JSON, an unknown resource or params no method
/// matches are `GHPKG_INVALID_ARGUMENT`, before any request.
#[no_mangle]
pub extern "C" fn ghpkg_client_catalog_select(
    client: *const ghpkg_client,
    resource: *const c_char,
    params_json: *const c_char,
    rows_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(rows_json_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let resource = unsafe { text(resource, "resource") }?;
        let params = params(unsafe { opt_text(params_json, "params_json") }?)?;
        let rows = block_on(c.client.catalog_select(resource, &params))??;
        Ok(rows_json(rows))
    })
}

/// Runs a `DELETE` on a catalog resource: chooses the method from the
/// params (e.g. `delete_package_for_org` when `org` is given). A delete
/// never filters: params the method does not take are
/// `GHPKG_INVALID_ARGUMENT`. Blocking.
#[no_mangle]
pub extern "C" fn ghpkg_client_catalog_delete(
    client: *const ghpkg_client,
    resource: *const c_char,
    params_json: *const c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call_unit(err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let resource = unsafe { text(resource, "resource") }?;
        let params = params(unsafe { opt_text(params_json, "params_json") }?)?;
        Ok(block_on(c.client.catalog_delete(resource, &params))??)
    })
}

/// Calls any method of a catalog resource by its StackQL name (e.g.
/// `restore_package_for_org`). On success `*rows_json` is a JSON array:
/// the rows for `SELECT` methods, `[]` otherwise; free it with
/// `ghpkg_string_free`. Blocking.
#[no_mangle]
pub extern "C" fn ghpkg_client_catalog_exec(
    client: *const ghpkg_client,
    resource: *const c_char,
    method: *const c_char,
    params_json: *const c_char,
    rows_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(rows_json_out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let resource = unsafe { text(resource, "resource") }?;
        let method = unsafe { text(method, "method") }?;
        let params = params(unsafe { opt_text(params_json, "params_json") }?)?;
        let rows = block_on(c.client.catalog_exec(resource, method, &params))??;
        Ok(rows_json(rows))
    })
}

/// Frees a string returned by the catalog or retention calls. NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: a non-NULL string came from `CString::into_raw` in this
        // library and is freed once (the C contract).
        drop(unsafe { CString::from_raw(s) });
    });
}
