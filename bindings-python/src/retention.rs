//! Retention for Python: the core's plans, runs, undo and recovery. The
//! Python module `ghpkg.retention` turns keyword arguments into the core's
//! JSON options and wraps these functions in `Retention` and
//! `AsyncRetention`; policies, options, plans, events and reports keep the
//! core's JSON shapes, and every rule is the core's.
//!
//! A run's events come from the core's stream. Blocking iteration waits
//! with the GIL released; Ctrl-C (or `close()`) stops the run after the
//! delete in progress, waits for that delete to be journaled, then raises,
//! so the journal resumes the run. Dropping an iterator stops its run too.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use ghpkg::retention::{
    self as core, ApplyOptions, Event, PlanOptions, Policy, PolicyOwner, Render, StopHandle,
    UndoOptions,
};
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use tokio::sync::Mutex;

use crate::aio::AsyncCore;
use crate::client::Client;
use crate::convert;
use crate::errors::{to_pyerr, wrong_type, Reply};
use crate::runtime::{awaitable, block_on, runtime};

/// JSON handed to Python as dicts and lists once the GIL is held.
pub(crate) struct Json(pub serde_json::Value);

impl<'py> IntoPyObject<'py> for Json {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::from_json(py, &self.0)
    }
}

fn json<T: serde::Serialize>(value: &T) -> Json {
    Json(serde_json::to_value(value).unwrap_or_default())
}

fn core_err<T>(py: Python<'_>, r: ghpkg::Result<T>) -> PyResult<T> {
    r.map_err(|e| to_pyerr(py, e))
}

/// A reviewed (or reviewable) plan: what a policy keeps, deletes and
/// untags, and why. Immutable; review edits return a new plan.
#[pyclass(module = "ghpkg", name = "Plan", frozen, eq)]
pub(crate) struct Plan {
    inner: Arc<core::Plan>,
}

impl PartialEq for Plan {
    fn eq(&self, other: &Plan) -> bool {
        self.inner.to_json() == other.inner.to_json()
    }
}

impl Plan {
    fn new(plan: core::Plan) -> Plan {
        Plan {
            inner: Arc::new(plan),
        }
    }
}

#[pymethods]
impl Plan {
    /// Reads a plan saved with ``to_json()`` (a ``str``, ``bytes`` or a
    /// ``dict``). Refuses a plan whose policy was edited by hand.
    #[staticmethod]
    fn from_json(py: Python<'_>, plan: &Bound<'_, PyAny>) -> PyResult<Plan> {
        let text = if let Ok(s) = plan.cast::<PyString>() {
            s.to_cow()?.into_owned()
        } else if let Ok(b) = plan.cast::<PyBytes>() {
            String::from_utf8(b.as_bytes().to_vec())
                .map_err(|_| crate::errors::invalid(py, "the plan is not UTF-8"))?
        } else if plan.is_instance_of::<pyo3::types::PyDict>() {
            convert::to_json("the plan", plan, 0)?.to_string()
        } else {
            return Err(wrong_type("plan", "str, bytes or dict", plan));
        };
        core_err(py, core::Plan::from_json(&text)).map(Plan::new)
    }

    /// The plan as JSON, exactly as every front door writes it.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The plan as plain Python data (``PlanDict``).
    fn to_dict(&self) -> Json {
        json(&*self.inner)
    }

    /// The plan for people: ``"markdown"`` (for a job summary), ``"table"``,
    /// ``"json"`` or ``"ndjson"``.
    #[pyo3(signature = (format = "table"))]
    fn render(&self, py: Python<'_>, format: &str) -> PyResult<String> {
        let how: Render = core_err(py, format.parse())?;
        Ok(self.inner.render(how))
    }

    /// Every planned change (deletions and untags) in apply order, each an
    /// action dict with its ``package``.
    fn deletions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for (p, a) in self.inner.deletions() {
            let mut v = serde_json::to_value(a).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("package".into(), p.name.clone().into());
            }
            list.append(convert::from_json(py, &v)?)?;
        }
        Ok(list)
    }

    /// A copy that keeps these versions (a review edit: it can only keep more).
    fn without_versions(&self, py: Python<'_>, version_ids: Vec<u64>) -> PyResult<Plan> {
        core_err(py, self.inner.without_versions(&version_ids)).map(Plan::new)
    }

    /// A copy that changes only these packages (the rest is kept).
    fn only_packages(&self, py: Python<'_>, packages: Vec<String>) -> PyResult<Plan> {
        let names: Vec<&str> = packages.iter().map(String::as_str).collect();
        core_err(py, self.inner.only_packages(&names)).map(Plan::new)
    }

    /// The plan's id (``pln_…``), which the journal of its run records.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The instant ages were judged at.
    #[getter]
    fn now(&self) -> DateTime<Utc> {
        self.inner.now
    }

    /// ``sha256:…`` of the policy.
    #[getter]
    fn policy_hash(&self) -> &str {
        &self.inner.policy_hash
    }

    /// The policy, with every default written out.
    #[getter]
    fn policy(&self) -> Json {
        json(&self.inner.policy)
    }

    /// Where the plan was made: the API, the registry, the owner, the user.
    #[getter]
    fn target(&self) -> Json {
        json(&self.inner.target)
    }

    /// Counts: packages, blocked, keep, delete, untag, requests, ETA.
    #[getter]
    fn totals(&self) -> Json {
        json(&self.inner.totals)
    }

    /// Every package: its status and one action per version.
    #[getter]
    fn packages(&self) -> Json {
        json(&self.inner.packages)
    }

    /// Things a reviewer should know that change nothing.
    #[getter]
    fn warnings(&self) -> Json {
        json(&self.inner.warnings)
    }

    /// The review edits applied so far.
    #[getter]
    fn edits(&self) -> Json {
        json(&self.inner.edits)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let from_json = slf.get_type().getattr("from_json")?;
        Ok((from_json, (slf.get().inner.to_json(),)))
    }

    fn __repr__(&self) -> String {
        let t = &self.inner.totals;
        format!(
            "<ghpkg.Plan {}: {} to delete, {} to untag, {} kept in {} package{}{}>",
            self.inner.id,
            t.delete,
            t.untag,
            t.keep,
            t.packages,
            if t.packages == 1 { "" } else { "s" },
            if t.blocked > 0 {
                format!(", {} blocked", t.blocked)
            } else {
                String::new()
            }
        )
    }
}

/// Checks a policy's JSON: ``(the policy with every default, its hash)``.
#[pyfunction]
pub(crate) fn policy_check(py: Python<'_>, policy: &str) -> PyResult<(String, String)> {
    let p = core_err(py, Policy::from_json(policy))?;
    Ok((p.to_json().to_string(), p.hash()))
}

/// The policy another cleanup tool's inputs describe, as JSON.
#[pyfunction]
pub(crate) fn policy_import(py: Python<'_>, tool: &str, inputs: core::Inputs) -> PyResult<String> {
    let p = core_err(py, Policy::import(tool, &inputs))?;
    Ok(p.to_json().to_string())
}

/// The tools `policy_import` knows.
#[pyfunction]
pub(crate) fn import_tools() -> Vec<&'static str> {
    core::IMPORT_TOOLS.to_vec()
}

/// Every retention schema by file name.
#[pyfunction]
pub(crate) fn schemas() -> Json {
    Json(serde_json::Value::Object(
        core::schemas()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    ))
}

/// What every call reads first: the policy or options JSON, checked by the
/// core before anything is sent.
fn plan_args(py: Python<'_>, policy: &str, options: &str) -> PyResult<(Policy, PlanOptions)> {
    Ok((
        core_err(py, Policy::from_json(policy))?,
        core_err(py, PlanOptions::from_json(options))?,
    ))
}

fn owner(
    py: Python<'_>,
    org: Option<&Bound<'_, PyAny>>,
    user: Option<&Bound<'_, PyAny>>,
) -> PyResult<PolicyOwner> {
    Ok(PolicyOwner::from_owner(&convert::owner(py, org, user)?))
}

fn since(py: Python<'_>, text: &str) -> PyResult<DateTime<Utc>> {
    core_err(py, core::Span::since(text, Utc::now()))
}

type Stream = Arc<Mutex<core::ApplyEvents>>;

/// Starts a run on the shared runtime.
fn start(
    py: Python<'_>,
    client: ghpkg::Client,
    plan: &Plan,
    options: &str,
) -> PyResult<(Stream, StopHandle)> {
    let options = core_err(py, ApplyOptions::from_json(options))?;
    let rt = runtime()?;
    let _inside = rt.enter();
    let events = client
        .retention()
        .apply_events((*plan.inner).clone(), options);
    let stop = events.stop_handle();
    Ok((Arc::new(Mutex::new(events)), stop))
}

fn event<'py>(py: Python<'py>, e: &Event) -> PyResult<Bound<'py, PyAny>> {
    convert::from_json(py, &serde_json::to_value(e).unwrap_or_default())
}

// ---- blocking ----

/// Plans `policy` (JSON) with `options` (JSON), blocking with the GIL released.
#[pyfunction]
pub(crate) fn plan(
    py: Python<'_>,
    client: PyRef<'_, Client>,
    policy: &str,
    options: &str,
) -> PyResult<Plan> {
    let (policy, options) = plan_args(py, policy, options)?;
    let c = client.handle.client(py)?;
    let r = block_on(
        py,
        async move { c.retention().plan(&policy, &options).await },
    )?;
    core_err(py, r).map(Plan::new)
}

/// Starts applying `plan`; the run's events come from the iterator.
#[pyfunction]
pub(crate) fn apply_events(
    py: Python<'_>,
    client: PyRef<'_, Client>,
    plan: PyRef<'_, Plan>,
    options: &str,
) -> PyResult<ApplyEvents> {
    let c = client.handle.client(py)?;
    let (events, stop) = start(py, c, &plan, options)?;
    Ok(ApplyEvents { events, stop })
}

/// Undoes the run of `journal`; the report.
#[pyfunction]
pub(crate) fn undo(
    py: Python<'_>,
    client: PyRef<'_, Client>,
    journal: &str,
    options: &str,
) -> PyResult<Json> {
    let options = core_err(py, UndoOptions::from_json(options))?;
    let (c, journal) = (client.handle.client(py)?, journal.to_owned());
    let r = block_on(
        py,
        async move { c.retention().undo(&journal, &options).await },
    )?;
    core_err(py, r).map(|report| json(&report))
}

/// Writes a journal of a package's versions deleted since `since`.
#[pyfunction]
#[pyo3(signature = (client, package_type, package, since, journal, org=None, user=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn recover(
    py: Python<'_>,
    client: PyRef<'_, Client>,
    package_type: &Bound<'_, PyAny>,
    package: &str,
    since: &str,
    journal: &str,
    org: Option<&Bound<'_, PyAny>>,
    user: Option<&Bound<'_, PyAny>>,
) -> PyResult<usize> {
    let ty = convert::package_type(package_type)?;
    let when = self::since(py, since)?;
    let owner = owner(py, org, user)?;
    let (c, package, journal) = (
        client.handle.client(py)?,
        package.to_owned(),
        journal.to_owned(),
    );
    let r = block_on(py, async move {
        c.retention()
            .recover(&owner, ty, &package, when, &journal)
            .await
    })?;
    core_err(py, r)
}

/// Checks that the plan's kept images still resolve whole.
#[pyfunction]
#[pyo3(signature = (client, plan, registry_url=None))]
pub(crate) fn verify(
    py: Python<'_>,
    client: PyRef<'_, Client>,
    plan: PyRef<'_, Plan>,
    registry_url: Option<String>,
) -> PyResult<Json> {
    let (c, plan) = (client.handle.client(py)?, Arc::clone(&plan.inner));
    let r = block_on(py, async move {
        c.retention().verify(&plan, registry_url.as_deref()).await
    })?;
    core_err(py, r).map(|v| json(&v))
}

/// The events of a run, for ``for event in ...``; the last is the report.
/// Ctrl-C or ``close()`` stops the run after the delete in progress (which
/// is journaled: applying the same plan with the same journal resumes).
#[pyclass(module = "ghpkg", name = "ApplyEvents", frozen)]
pub(crate) struct ApplyEvents {
    events: Stream,
    stop: StopHandle,
}

impl ApplyEvents {
    /// Waits (GIL released) for the stopped run to end; a second Ctrl-C
    /// stops waiting.
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        let s = Arc::clone(&self.events);
        block_on(py, async move {
            let mut events = s.lock().await;
            while events.next().await.is_some() {}
        })
    }
}

#[pymethods]
impl ApplyEvents {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let s = Arc::clone(&self.events);
        match block_on(py, async move { s.lock().await.next().await }) {
            Err(interrupted) => {
                self.stop.stop();
                self.drain(py)?;
                Err(interrupted)
            }
            Ok(None) => Ok(None),
            Ok(Some(Ok(e))) => event(py, &e).map(Some),
            Ok(Some(Err(e))) => Err(to_pyerr(py, e)),
        }
    }

    /// Asks the run to stop after the delete in progress; does not wait.
    fn stop(&self) {
        self.stop.stop();
    }

    /// Stops the run and waits for it to end (the delete in progress is
    /// finished and journaled).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.stop.stop();
        self.drain(py)
    }

    /// Whether the run was asked to stop.
    #[getter]
    fn stopped(&self) -> bool {
        self.stop.is_stopped()
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _tb: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!(
            "<ghpkg.ApplyEvents{}>",
            if self.stop.is_stopped() {
                " stopped"
            } else {
                ""
            }
        )
    }
}

// ---- asyncio ----

/// The next event of a run for `__anext__`: the event, the error, or
/// `StopAsyncIteration` at the end.
struct NextEvent(Option<ghpkg::Result<Event>>);

impl<'py> IntoPyObject<'py> for NextEvent {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Some(Ok(e)) => event(py, &e),
            Some(Err(e)) => Err(to_pyerr(py, e)),
            None => Err(PyStopAsyncIteration::new_err(())),
        }
    }
}

/// `plan` for asyncio: an awaitable of the plan.
#[pyfunction]
pub(crate) fn plan_async<'py>(
    py: Python<'py>,
    core: PyRef<'_, AsyncCore>,
    policy: &str,
    options: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let (policy, options) = plan_args(py, policy, options)?;
    let c = core.handle.client(py)?;
    awaitable(py, async move {
        Reply(c.retention().plan(&policy, &options).await.map(Plan::new))
    })
}

/// `apply_events` for asyncio: an async iterator of the run's events.
#[pyfunction]
pub(crate) fn apply_events_async(
    py: Python<'_>,
    core: PyRef<'_, AsyncCore>,
    plan: PyRef<'_, Plan>,
    options: &str,
) -> PyResult<AsyncApplyEvents> {
    let c = core.handle.client(py)?;
    let (events, stop) = start(py, c, &plan, options)?;
    Ok(AsyncApplyEvents { events, stop })
}

/// `undo` for asyncio.
#[pyfunction]
pub(crate) fn undo_async<'py>(
    py: Python<'py>,
    core: PyRef<'_, AsyncCore>,
    journal: &str,
    options: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let options = core_err(py, UndoOptions::from_json(options))?;
    let (c, journal) = (core.handle.client(py)?, journal.to_owned());
    awaitable(py, async move {
        Reply(
            c.retention()
                .undo(&journal, &options)
                .await
                .map(|r| json(&r)),
        )
    })
}

/// `recover` for asyncio.
#[pyfunction]
#[pyo3(signature = (core, package_type, package, since, journal, org=None, user=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn recover_async<'py>(
    py: Python<'py>,
    core: PyRef<'_, AsyncCore>,
    package_type: &Bound<'_, PyAny>,
    package: &str,
    since: &str,
    journal: &str,
    org: Option<&Bound<'_, PyAny>>,
    user: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let ty = convert::package_type(package_type)?;
    let when = self::since(py, since)?;
    let owner = owner(py, org, user)?;
    let (c, package, journal) = (
        core.handle.client(py)?,
        package.to_owned(),
        journal.to_owned(),
    );
    awaitable(py, async move {
        Reply(
            c.retention()
                .recover(&owner, ty, &package, when, &journal)
                .await,
        )
    })
}

/// `verify` for asyncio.
#[pyfunction]
#[pyo3(signature = (core, plan, registry_url=None))]
pub(crate) fn verify_async<'py>(
    py: Python<'py>,
    core: PyRef<'_, AsyncCore>,
    plan: PyRef<'_, Plan>,
    registry_url: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let (c, plan) = (core.handle.client(py)?, Arc::clone(&plan.inner));
    awaitable(py, async move {
        Reply(
            c.retention()
                .verify(&plan, registry_url.as_deref())
                .await
                .map(|v| json(&v)),
        )
    })
}

/// The events of a run, for ``async for event in ...``; the last is the
/// report. ``aclose()`` stops the run after the delete in progress and
/// waits for it; a dropped iterator stops its run too.
#[pyclass(module = "ghpkg", name = "AsyncApplyEvents", frozen)]
pub(crate) struct AsyncApplyEvents {
    events: Stream,
    stop: StopHandle,
}

#[pymethods]
impl AsyncApplyEvents {
    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = Arc::clone(&self.events);
        awaitable(py, async move { NextEvent(s.lock().await.next().await) })
    }

    /// Asks the run to stop after the delete in progress; does not wait.
    fn stop(&self) {
        self.stop.stop();
    }

    /// Stops the run and waits for it to end.
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.stop.stop();
        let s = Arc::clone(&self.events);
        awaitable(py, async move {
            let mut events = s.lock().await;
            while events.next().await.is_some() {}
        })
    }

    /// Whether the run was asked to stop.
    #[getter]
    fn stopped(&self) -> bool {
        self.stop.is_stopped()
    }

    fn __repr__(&self) -> String {
        format!(
            "<ghpkg.AsyncApplyEvents{}>",
            if self.stop.is_stopped() {
                " stopped"
            } else {
                ""
            }
        )
    }
}
