//! Applying a reviewed plan: `ghpkg_retention_apply` starts the run in the
//! background and returns a `ghpkg_apply_events` iterator over its events
//! (JSON, `schemas/event.schema.json`), the report last.

use std::ffi::c_char;
use std::ptr;
use std::sync::Mutex;

use futures::StreamExt;
use ghpkg::retention::{ApplyOptions, Event, Plan, Retention};
use tokio::sync::{mpsc, watch};

use crate::client::ghpkg_client;
use crate::convert::{borrow, free_box, infallible, text};
use crate::error::ghpkg_error;
use crate::fail::Fail;
use crate::ffi::call;
use crate::retention::{owned_string, plan_arg};
use crate::runtime::{block_on, enter, spawn};
use crate::status::ghpkg_status;

/// The events of a run in progress. Owned by the caller; free with
/// `ghpkg_apply_events_free`. Use `ghpkg_apply_events_next` from one thread
/// at a time; `ghpkg_apply_events_stop` may be called from any thread, also
/// while another thread waits in `ghpkg_apply_events_next`.
pub struct ghpkg_apply_events {
    /// `None` once the run has ended (its last event or an error was handed out).
    events: Mutex<Option<mpsc::UnboundedReceiver<ghpkg::Result<Event>>>>,
    stop: watch::Sender<bool>,
}

impl ghpkg_apply_events {
    fn stop(&self) {
        self.stop.send_replace(true);
    }
}

impl Drop for ghpkg_apply_events {
    fn drop(&mut self) {
        self.stop();
        let _rt = enter();
        drop(self.events.get_mut().map(Option::take));
    }
}

/// Drives the core's event stream, forwarding its events; a stop request
/// reaches the run at once, also while it waits. When the iterator is freed
/// the forwarding fails and dropping the stream stops the run between deletes.
async fn forward(
    retention: Retention,
    plan: Plan,
    options: ApplyOptions,
    tx: mpsc::UnboundedSender<ghpkg::Result<Event>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut events = retention.apply_events(plan, options);
    let mut stopping = false;
    loop {
        tokio::select! {
            item = events.next() => match item {
                Some(item) => {
                    if tx.send(item).is_err() {
                        return;
                    }
                }
                None => return,
            },
            // A stop request, or the iterator freed (its sender gone).
            _ = stop.wait_for(|stop| *stop), if !stopping => {
                stopping = true;
                events.stop();
            }
        }
    }
}

/// Starts applying a reviewed plan and returns its events. Does not block:
/// the run goes on in the background while the caller reads its events.
///
/// `options_json` is an apply-options object (`schemas/apply-options.schema.json`;
/// `journal` is required: every delete is recorded there before it is sent,
/// and giving the same journal again resumes a partial run). A plan or
/// options the core refuses (not a plan, a plan whose policy was edited by
/// hand, an unknown option) is `GHPKG_INVALID_ARGUMENT` here, before any
/// request. The run's own preconditions (a plan older than `max_plan_age`,
/// made against another host or with another user's token, a token that
/// cannot delete, a journal of another plan or not a journal) are checked
/// when it starts: `ghpkg_apply_events_next` reports them as the run's
/// error, and nothing is deleted.
#[no_mangle]
pub extern "C" fn ghpkg_retention_apply(
    client: *const ghpkg_client,
    plan_json: *const c_char,
    options_json: *const c_char,
    out: *mut *mut ghpkg_apply_events,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(out, err_out, || {
        // SAFETY: non-NULL pointers are valid (the C contract).
        let c = unsafe { borrow(client, "client") }?;
        let plan = unsafe { plan_arg(plan_json) }?;
        let options = ApplyOptions::from_json(unsafe { text(options_json, "options_json") }?)?;
        let (tx, rx) = mpsc::unbounded_channel();
        let (stop, stop_rx) = watch::channel(false);
        spawn(forward(c.client.retention(), plan, options, tx, stop_rx))?;
        Ok(Box::into_raw(Box::new(ghpkg_apply_events {
            events: Mutex::new(Some(rx)),
            stop,
        })))
    })
}

/// The run's next event, blocking until it comes.
///
/// On `GHPKG_OK`, `*event_json_out` is one event as a JSON object (freed with
/// `ghpkg_string_free`), its `type` one of `phase`, `progress`, `waiting`,
/// `outcome` (one unit settled) and `report` (the last event, with the
/// run's report), or NULL once the run has ended. A failure (a
/// precondition, a journal that cannot be written) ends the run: later
/// calls give `GHPKG_OK` with NULL.
#[no_mangle]
pub extern "C" fn ghpkg_apply_events_next(
    events: *mut ghpkg_apply_events,
    event_json_out: *mut *mut c_char,
    err_out: *mut *mut ghpkg_error,
) -> ghpkg_status {
    call(event_json_out, err_out, || {
        // SAFETY: a non-NULL iterator comes from this library.
        let it = unsafe { borrow(events.cast_const(), "events") }?;
        let mut slot = it.events.lock().unwrap_or_else(|e| e.into_inner());
        let Some(rx) = slot.as_mut() else {
            return Ok(ptr::null_mut());
        };
        match block_on(rx.recv())? {
            Some(Ok(event)) => {
                owned_string(serde_json::to_string(&event).unwrap_or_default(), "event")
            }
            Some(Err(e)) => {
                *slot = None;
                Err(Fail::from(e))
            }
            None => {
                *slot = None;
                Ok(ptr::null_mut())
            }
        }
    })
}

/// Asks the run to stop: it starts no new delete, settles the rest as
/// `not_attempted`, and ends with its report (status `partial`); applying
/// the same plan with the same journal resumes it. Keep reading events to
/// the end. Does not block; may be called from any thread, more than once.
/// NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_apply_events_stop(events: *const ghpkg_apply_events) {
    infallible((), || {
        // SAFETY: a non-NULL iterator comes from this library.
        if let Some(it) = unsafe { events.as_ref() } {
            it.stop();
        }
    });
}

/// Frees the iterator. A run still going stops between deletes, as with
/// `ghpkg_apply_events_stop` (its journal resumes it). NULL is ignored.
#[no_mangle]
pub extern "C" fn ghpkg_apply_events_free(events: *mut ghpkg_apply_events) {
    free_box(events);
}
