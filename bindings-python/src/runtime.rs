//! The one tokio runtime of the process, shared by the sync and the async
//! client, and the ways Python code waits on it.
//!
//! The runtime is rebuilt in a child after `os.fork()`: a forked child has
//! none of the parent's worker threads, so the parent's runtime is forgotten
//! (never dropped, which would wait for threads that do not exist) and a new
//! one is started on first use.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as AsyncRuntime};
use pyo3_async_runtimes::TaskLocals;
use tokio::runtime::Runtime;

/// How long a sync call waits with the GIL released before it looks for
/// pending signals (Ctrl-C) and waits again.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

struct Current {
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Mutex<Option<Current>> = Mutex::new(None);

fn build() -> std::io::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ghpkg-runtime")
        .build()
}

/// The runtime of this process, started on first use and after a fork.
pub(crate) fn runtime() -> PyResult<Arc<Runtime>> {
    let pid = std::process::id();
    let mut current = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = current.as_ref() {
        if c.pid == pid {
            return Ok(Arc::clone(&c.runtime));
        }
    }
    if let Some(stale) = current.take() {
        // Inherited through fork(): its threads are gone, so it must not be
        // dropped, and nothing it had scheduled will ever finish here.
        std::mem::forget(stale.runtime);
        PENDING.store(0, Ordering::SeqCst);
    }
    let runtime = Arc::new(build().map_err(|e| {
        PyRuntimeError::new_err(format!("ghpkg could not start its tokio runtime: {e}"))
    })?);
    *current = Some(Current {
        pid,
        runtime: Arc::clone(&runtime),
    });
    Ok(runtime)
}

/// Runs `fut` to completion on the shared runtime with the GIL released.
///
/// The wait is cut into short slices; between them pending signals are
/// handled, so Ctrl-C raises `KeyboardInterrupt` and drops (cancels) the
/// request instead of waiting for it.
pub(crate) fn block_on<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(PyRuntimeError::new_err(
            "a blocking ghpkg call cannot run inside a tokio runtime; use ghpkg.AsyncClient",
        ));
    }
    let runtime = runtime()?;
    let mut fut = Box::pin(fut);
    loop {
        let done = py.detach(|| {
            runtime.block_on(async { tokio::time::timeout(SIGNAL_CHECK, &mut fut).await.ok() })
        });
        if let Some(output) = done {
            return Ok(output);
        }
        py.check_signals()?;
    }
}

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

/// The shared runtime as seen by `pyo3_async_runtimes`, so that awaitables
/// run on the same fork-aware runtime as the blocking calls.
pub(crate) struct SharedRuntime;

impl AsyncRuntime for SharedRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        runtime_for_spawn().spawn(fut)
    }

    /// `pyo3_async_runtimes` hands results back to Python here, with the
    /// GIL. These calls are counted so that interpreter shutdown can wait for
    /// them (see [`at_exit`]); once shutdown has begun they are skipped.
    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        let pending = Pending::start();
        runtime_for_spawn().spawn_blocking(move || {
            let _pending = pending;
            if !SHUTTING_DOWN.load(Ordering::SeqCst) {
                f();
            }
        })
    }
}

/// Calls from runtime threads into Python that have been scheduled and not
/// finished yet.
static PENDING: AtomicUsize = AtomicUsize::new(0);
/// Set by [`at_exit`]: the interpreter is about to finalize.
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);

struct Pending;

impl Pending {
    fn start() -> Pending {
        PENDING.fetch_add(1, Ordering::SeqCst);
        Pending
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        PENDING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Registered with `atexit` by `ghpkg/__init__.py`. A runtime thread that
/// is handing a result to Python while the interpreter finalizes would crash
/// it, so this stops new hand-overs and waits (GIL released, at most a few
/// seconds) for the ones under way.
#[pyfunction]
pub(crate) fn at_exit(py: Python<'_>) {
    let pid = std::process::id();
    let ours = RUNTIME
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .is_some_and(|c| c.pid == pid);
    if !ours {
        // No runtime of this process (none started, or only the parent's
        // before a fork): no thread can be handing anything to Python.
        return;
    }
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(5);
    py.detach(|| {
        while PENDING.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

impl ContextExt for SharedRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}

/// The runtime for `pyo3_async_runtimes`' spawns. Callers made sure it
/// exists with [`runtime`] (which reports a failure as a Python error)
/// before converting a future, so the fallback below is never reached in
/// practice; it is a panic, which pyo3 turns into a Python exception.
fn runtime_for_spawn() -> Arc<Runtime> {
    match runtime() {
        Ok(rt) => rt,
        Err(_) => panic!("ghpkg could not start its tokio runtime"),
    }
}

/// Converts `fut` into an asyncio future on the running event loop. The
/// request is dropped (cancelled) when the asyncio future is cancelled.
pub(crate) fn awaitable<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = T> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    runtime()?;
    pyo3_async_runtimes::generic::future_into_py::<SharedRuntime, _, T>(
        py,
        async move { Ok(fut.await) },
    )
}
