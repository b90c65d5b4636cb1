//! Calls that do not block: `ghpkg_client_*_async` check their arguments,
//! start the operation on the shared runtime and return a `ghpkg_call` at
//! once, so a thread (or an event loop, or a Go program with thousands of
//! goroutines) is never parked while GitHub answers.
//!
//! Completion is told three ways, use any: the optional callback, run once
//! on a ghpkg runtime thread with the call's status; `ghpkg_call_is_done`
//! (poll); `ghpkg_call_wait` (block, with a timeout). The outcome is then
//! taken once: `ghpkg_call_take_package` / `_take_version` for the calls
//! that return one, `ghpkg_call_result` for any call.
//!
//! Ownership: the caller owns the `ghpkg_call` and frees it with
//! `ghpkg_call_free`, done or not (freeing a running call cancels it). The
//! client may be freed while calls are in flight: they hold what they need.
//! `user_data` must stay valid until the callback has run; the callback runs
//! exactly once for every call that was started, also after a cancel or a
//! free (with `GHPKG_CANCELLED`).
#![allow(clippy::too_many_arguments)]

use std::ffi::{c_char, c_void};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use ghpkg::{Package, PackageVersion};
use tokio::sync::Notify;

use crate::client::ghpkg_client;
use crate::convert::opt_text;
use crate::enums::{ghpkg_owner_kind, ghpkg_package_type};
use crate::error::ghpkg_error;
use crate::fail::Fail;
use crate::ffi::{call as guarded, call_unit as guarded_unit};
use crate::models::{ghpkg_package, ghpkg_version};
use crate::ops::target;
use crate::runtime::spawn;
use crate::status::{ghpkg_status, GHPKG_CANCELLED, GHPKG_OK, GHPKG_PENDING};

/// Called once when a call completes, fails or is cancelled, on a ghpkg
/// runtime thread, with the `user_data` given at the start and the call's
/// status. Keep it short and do not call blocking ghpkg functions from it
/// (they return `GHPKG_RUNTIME` there); taking the outcome and freeing the
/// call from it are fine.
pub type ghpkg_call_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, status: ghpkg_status)>;

/// An operation in flight or done (`ghpkg_client_*_async`). Owned by the
/// caller; free with `ghpkg_call_free`. Every function on it may be called
/// from any thread.
pub struct ghpkg_call {
    shared: Arc<Shared>,
    returns: Returns,
}

/// What a call gives back when it succeeds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Returns {
    Package,
    Version,
    Nothing,
}

enum Value {
    Package(Box<Package>),
    Version(Box<PackageVersion>),
    Nothing,
}

enum Outcome {
    Running,
    Done(Result<Value, Fail>),
    /// Taken out, with the status it had.
    Taken(ghpkg_status),
}

struct Shared {
    outcome: Mutex<Outcome>,
    done: Condvar,
    cancel: Notify,
}

impl Shared {
    fn outcome(&self) -> MutexGuard<'_, Outcome> {
        // A poisoned lock only means a panic elsewhere; the data is whole.
        self.outcome.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `user_data` crosses to a runtime thread; the C caller vouches for it.
struct UserData(*mut c_void);
// SAFETY: the pointer is only handed back to the caller's callback, which
// the caller documents as safe to run on another thread.
unsafe impl Send for UserData {}

/// Starts `work` on the shared runtime. On an error nothing was started and
/// the callback will not run.
fn start<F>(
    returns: Returns,
    work: F,
    callback: ghpkg_call_callback,
    user_data: *mut c_void,
) -> Result<*mut ghpkg_call, Fail>
where
    F: Future<Output = ghpkg::Result<Value>> + Send + 'static,
{
    let shared = Arc::new(Shared {
        outcome: Mutex::new(Outcome::Running),
        done: Condvar::new(),
        cancel: Notify::new(),
    });
    let task = Arc::clone(&shared);
    let user_data = UserData(user_data);
    spawn(async move {
        let user_data = user_data;
        let result = tokio::select! {
            biased;
            _ = task.cancel.notified() => Err(Fail::abi(
                GHPKG_CANCELLED,
                "the call was cancelled before it completed",
            )),
            r = work => r.map_err(Fail::Core),
        };
        let status = result.as_ref().map_or_else(Fail::status, |_| GHPKG_OK);
        *task.outcome() = Outcome::Done(result);
        task.done.notify_all();
        if let Some(callback) = callback {
            // SAFETY: the caller gave a valid function and keeps user_data
            // valid until it has run (the documented contract).
            unsafe { callback(user_data.0, status) };
        }
    })?;
    Ok(Box::into_raw(Box::new(ghpkg_call { shared, returns })))
}

/// Borrows a call handle; `None` for NULL.
fn handle<'a>(call: *const ghpkg_call) -> Option<&'a ghpkg_call> {
    // SAFETY: a non-NULL pointer is a live call (the C contract).
    unsafe { call.as_ref() }
}

/// Starts getting one package (as `ghpkg_client_get_package`) without
/// blocking. On `GHPKG_OK`, `*out` is the call; take the package with
/// `ghpkg_call_take_package`. On any other status (a NULL pointer, invalid
/// UTF-8, an unknown enum value) nothing was started and `callback` never
/// runs. The core's checks of names (empty, `.`/`..`, control characters)
/// fail the call itself, before anything is sent.
#[no_mangle]
pub extern "C" fn ghpkg_client_get_package_async(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    callback: ghpkg_call_callback,
    user_data: *mut c_void,
    out: *mut *mut ghpkg_call,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    guarded(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let (client, owner, ty, name) =
            (t.client.clone(), t.owner, t.package_type, t.name.to_owned());
        let work = async move {
            client
                .get_package(&owner, ty, &name)
                .await
                .map(|p| Value::Package(Box::new(p)))
        };
        start(Returns::Package, work, callback, user_data)
    })
}

/// Starts getting one version (as `ghpkg_client_get_version`) without
/// blocking; take it with `ghpkg_call_take_version`. Otherwise as
/// `ghpkg_client_get_package_async`.
#[no_mangle]
pub extern "C" fn ghpkg_client_get_version_async(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    version_id: u64,
    callback: ghpkg_call_callback,
    user_data: *mut c_void,
    out: *mut *mut ghpkg_call,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    guarded(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let (client, owner, ty, name) =
            (t.client.clone(), t.owner, t.package_type, t.name.to_owned());
        let work = async move {
            client
                .get_version(&owner, ty, &name, version_id)
                .await
                .map(|v| Value::Version(Box::new(v)))
        };
        start(Returns::Version, work, callback, user_data)
    })
}

/// Starts deleting a whole package (as `ghpkg_client_delete_package`)
/// without blocking; its outcome is `ghpkg_call_result`. A cancel after the
/// request left may still see the package deleted.
#[no_mangle]
pub extern "C" fn ghpkg_client_delete_package_async(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    callback: ghpkg_call_callback,
    user_data: *mut c_void,
    out: *mut *mut ghpkg_call,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    guarded(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let (client, owner, ty, name) =
            (t.client.clone(), t.owner, t.package_type, t.name.to_owned());
        let work = async move {
            client
                .delete_package(&owner, ty, &name)
                .await
                .map(|()| Value::Nothing)
        };
        start(Returns::Nothing, work, callback, user_data)
    })
}

/// Starts deleting one version (as `ghpkg_client_delete_version`) without
/// blocking; its outcome is `ghpkg_call_result`.
#[no_mangle]
pub extern "C" fn ghpkg_client_delete_version_async(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    version_id: u64,
    callback: ghpkg_call_callback,
    user_data: *mut c_void,
    out: *mut *mut ghpkg_call,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    guarded(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let (client, owner, ty, name) =
            (t.client.clone(), t.owner, t.package_type, t.name.to_owned());
        let work = async move {
            client
                .delete_version(&owner, ty, &name, version_id)
                .await
                .map(|()| Value::Nothing)
        };
        start(Returns::Nothing, work, callback, user_data)
    })
}

/// Starts restoring a package (as `ghpkg_client_restore_package`; `token`
/// may be NULL) without blocking; its outcome is `ghpkg_call_result`.
#[no_mangle]
pub extern "C" fn ghpkg_client_restore_package_async(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    token: *const c_char,
    callback: ghpkg_call_callback,
    user_data: *mut c_void,
    out: *mut *mut ghpkg_call,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    guarded(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let token = unsafe { opt_text(token, "token") }?.map(str::to_owned);
        let (client, owner, ty, name) =
            (t.client.clone(), t.owner, t.package_type, t.name.to_owned());
        let work = async move {
            client
                .restore_package(&owner, ty, &name, token.as_deref())
                .await
                .map(|()| Value::Nothing)
        };
        start(Returns::Nothing, work, callback, user_data)
    })
}

/// Starts restoring one version (as `ghpkg_client_restore_version`) without
/// blocking; its outcome is `ghpkg_call_result`.
#[no_mangle]
pub extern "C" fn ghpkg_client_restore_version_async(
    client: *const ghpkg_client,
    owner_kind: ghpkg_owner_kind,
    owner: *const c_char,
    package_type: ghpkg_package_type,
    name: *const c_char,
    version_id: u64,
    callback: ghpkg_call_callback,
    user_data: *mut c_void,
    out: *mut *mut ghpkg_call,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    guarded(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let t = unsafe { target(client, owner_kind, owner, package_type, name) }?;
        let (client, owner, ty, name) =
            (t.client.clone(), t.owner, t.package_type, t.name.to_owned());
        let work = async move {
            client
                .restore_version(&owner, ty, &name, version_id)
                .await
                .map(|()| Value::Nothing)
        };
        start(Returns::Nothing, work, callback, user_data)
    })
}

/// Whether the call has completed (successfully or not, or cancelled).
/// False for NULL.
#[no_mangle]
pub extern "C" fn ghpkg_call_is_done(call: *const ghpkg_call) -> bool {
    catch_unwind(|| handle(call).is_some_and(|c| !matches!(*c.shared.outcome(), Outcome::Running)))
        .unwrap_or(false)
}

/// Blocks until the call has completed or `timeout_ms` milliseconds have
/// passed (a negative timeout waits as long as it takes); returns whether it
/// has completed. False for NULL.
#[no_mangle]
pub extern "C" fn ghpkg_call_wait(call: *const ghpkg_call, timeout_ms: i64) -> bool {
    catch_unwind(|| {
        let Some(c) = handle(call) else {
            return false;
        };
        let running = |o: &mut Outcome| matches!(o, Outcome::Running);
        let guard = c.shared.outcome();
        if timeout_ms < 0 {
            let guard = c.shared.done.wait_while(guard, running);
            let guard = guard.unwrap_or_else(|p| p.into_inner());
            return !matches!(*guard, Outcome::Running);
        }
        let timeout = Duration::from_millis(timeout_ms.unsigned_abs());
        let (guard, _) = c
            .shared
            .done
            .wait_timeout_while(guard, timeout, running)
            .unwrap_or_else(|p| p.into_inner());
        !matches!(*guard, Outcome::Running)
    })
    .unwrap_or(false)
}

/// Asks a running call to stop: it completes with `GHPKG_CANCELLED` unless
/// it completed first (a delete or restore already sent may have happened).
/// Returns at once; the callback still runs. NULL and done calls are
/// ignored.
#[no_mangle]
pub extern "C" fn ghpkg_call_cancel(call: *const ghpkg_call) {
    let _ = catch_unwind(|| {
        if let Some(c) = handle(call) {
            c.shared.cancel.notify_one();
        }
    });
}

/// The call's status: `GHPKG_PENDING` while it runs, then its outcome's
/// status (also after the outcome was taken). `GHPKG_NULL_ARGUMENT` for NULL.
#[no_mangle]
pub extern "C" fn ghpkg_call_status(call: *const ghpkg_call) -> ghpkg_status {
    catch_unwind(|| {
        let Some(c) = handle(call) else {
            return crate::status::GHPKG_NULL_ARGUMENT;
        };
        let status = match &*c.shared.outcome() {
            Outcome::Running => GHPKG_PENDING,
            Outcome::Done(Ok(_)) => GHPKG_OK,
            Outcome::Done(Err(f)) => f.status(),
            Outcome::Taken(status) => *status,
        };
        status
    })
    .unwrap_or(crate::status::GHPKG_PANIC)
}

/// Takes the outcome out of a done call: the value on success, the failure
/// otherwise. `GHPKG_PENDING` while it runs; `GHPKG_INVALID_ARGUMENT` when
/// it was taken before or the call returns another kind of value.
fn take(c: &ghpkg_call, want: Returns) -> Result<Value, Fail> {
    if want != Returns::Nothing && c.returns != want {
        return Err(Fail::invalid(format!(
            "this call returns {:?}, not {want:?}",
            c.returns
        )));
    }
    let mut outcome = c.shared.outcome();
    match &*outcome {
        Outcome::Running => Err(Fail::abi(GHPKG_PENDING, "the call has not completed yet")),
        Outcome::Taken(_) => Err(Fail::invalid("the call's outcome was already taken")),
        Outcome::Done(result) => {
            let status = result.as_ref().map_or_else(Fail::status, |_| GHPKG_OK);
            match std::mem::replace(&mut *outcome, Outcome::Taken(status)) {
                Outcome::Done(result) => result,
                _ => unreachable!("matched Done above"),
            }
        }
    }
}

/// Takes the package of a done `ghpkg_client_get_package_async` call: on
/// `GHPKG_OK` writes a new `ghpkg_package` (free it with
/// `ghpkg_package_free`); otherwise returns the call's failure (and its
/// `ghpkg_error`). Once per call.
#[no_mangle]
pub extern "C" fn ghpkg_call_take_package(
    call: *mut ghpkg_call,
    out: *mut *mut ghpkg_package,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    guarded(out, err_out, || {
        let c = handle(call).ok_or_else(|| Fail::null("call"))?;
        match take(c, Returns::Package)? {
            Value::Package(p) => ghpkg_package::boxed(*p),
            _ => Err(Fail::invalid("this call returns no package")),
        }
    })
}

/// Takes the version of a done `ghpkg_client_get_version_async` call, as
/// `ghpkg_call_take_package` does (free it with `ghpkg_version_free`).
#[no_mangle]
pub extern "C" fn ghpkg_call_take_version(
    call: *mut ghpkg_call,
    out: *mut *mut ghpkg_version,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    guarded(out, err_out, || {
        let c = handle(call).ok_or_else(|| Fail::null("call"))?;
        match take(c, Returns::Version)? {
            Value::Version(v) => ghpkg_version::boxed(*v),
            _ => Err(Fail::invalid("this call returns no version")),
        }
    })
}

/// Takes the outcome of any done call, discarding a value: `GHPKG_OK`, or
/// the call's failure (and its `ghpkg_error`). The way to finish a delete or
/// restore. Once per call.
#[no_mangle]
pub extern "C" fn ghpkg_call_result(
    call: *mut ghpkg_call,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    guarded_unit(err_out, || {
        let c = handle(call).ok_or_else(|| Fail::null("call"))?;
        take(c, Returns::Nothing).map(|_| ())
    })
}

/// Frees a call, done or not: a running call is cancelled (its callback
/// still runs, with `GHPKG_CANCELLED`). Accepts NULL. May be called from the
/// call's own callback.
#[no_mangle]
pub extern "C" fn ghpkg_call_free(call: *mut ghpkg_call) {
    if call.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `call` came from Box::into_raw and is freed once (the C contract).
        let c = unsafe { Box::from_raw(call) };
        if matches!(*c.shared.outcome(), Outcome::Running) {
            c.shared.cancel.notify_one();
        }
    }));
}
