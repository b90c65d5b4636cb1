//! Lazy listings: iterators over the core's `Paginated` streams. Nothing is
//! sent until the first item is asked for; pages are then fetched as they
//! are consumed, with the core's read-ahead. The stream sits behind an async
//! mutex so that an iterator shared between threads or tasks stays in order.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::{Fuse, Stream, StreamExt};
use futures::FutureExt;
use ghpkg::{Package, PackageVersion, Paginated};
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use tokio::sync::Mutex;

use crate::errors::{to_pyerr, Reply};
use crate::models::{PyPackage, PyPackageVersion};
use crate::runtime::{awaitable, block_on, runtime};

/// Fused: asking again after the end (or after an error ended the listing)
/// keeps answering "no more items" instead of polling a finished stream.
type Shared<T> = Arc<Mutex<Fuse<Watched<T>>>>;

/// A core listing that copies [`Paginated::reached_paging_limit`] out after
/// every poll, so the iterator answers it without taking the stream's lock
/// (which another thread or task may hold while it waits for a page).
struct Watched<T> {
    stream: Paginated<T>,
    reached_paging_limit: Arc<AtomicBool>,
}

impl<T: Send + 'static> Stream for Watched<T> {
    type Item = ghpkg::Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let item = this.stream.poll_next_unpin(cx);
        this.reached_paging_limit
            .store(this.stream.reached_paging_limit(), Ordering::Relaxed);
        item
    }
}

/// The shared stream of a new iterator, and the flag it keeps up to date.
fn share<T: Send + 'static>(stream: Paginated<T>) -> (Shared<T>, Arc<AtomicBool>) {
    let flag = Arc::new(AtomicBool::new(stream.reached_paging_limit()));
    let watched = Watched {
        stream,
        reached_paging_limit: Arc::clone(&flag),
    };
    (Arc::new(Mutex::new(watched.fuse())), flag)
}

/// The next item of a listing, converted under the GIL; the end of the
/// listing is `StopAsyncIteration`.
struct Next<T>(Option<ghpkg::Result<T>>);

impl<'py, T> IntoPyObject<'py> for Next<T>
where
    T: IntoPyObject<'py>,
{
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Some(item) => Reply(item).into_pyobject(py),
            None => Err(PyStopAsyncIteration::new_err(())),
        }
    }
}

/// The next item if it is there without waiting (the rest of a page already
/// fetched): `Some(item)`, where `None` as item is the end of the listing.
/// `None` when it must be waited for, or another thread or task is using the
/// listing.
fn poll_ready<T: Send + 'static>(stream: &Shared<T>) -> PyResult<Option<Option<ghpkg::Result<T>>>> {
    let Ok(mut guard) = stream.try_lock() else {
        return Ok(None);
    };
    let rt = runtime()?;
    // Polling may start the next page's request, which needs the runtime.
    let _entered = rt.enter();
    Ok(guard.next().now_or_never())
}

/// [`poll_ready`] as an asyncio future that is already done.
fn ready_next<'py, T, P>(py: Python<'py>, stream: &Shared<T>) -> PyResult<Option<Bound<'py, PyAny>>>
where
    T: Send + 'static,
    P: From<T> + for<'a> IntoPyObject<'a>,
{
    let Some(item) = poll_ready(stream)? else {
        return Ok(None);
    };
    let fut = pyo3_async_runtimes::get_running_loop(py)?.call_method0("create_future")?;
    match Next(item.map(|r| r.map(P::from))).into_pyobject(py) {
        Ok(value) => fut.call_method1("set_result", (value,))?,
        Err(err) => fut.call_method1("set_exception", (err.into_value(py),))?,
    };
    Ok(Some(fut))
}

/// Takes every remaining item, stopping at the first error.
async fn rest<T: Send + 'static, P: From<T>>(stream: Shared<T>) -> ghpkg::Result<Vec<P>> {
    let mut s = stream.lock().await;
    let mut out = Vec::new();
    while let Some(item) = s.next().await {
        out.push(P::from(item?));
    }
    Ok(out)
}

macro_rules! listing {
    ($item:ty, $py_item:ty, $sync:ident, $sync_name:literal, $async:ident, $async_name:literal) => {
        /// A lazy listing; each `next()` blocks (with the GIL released)
        /// only when the next page is not there yet.
        #[pyclass(module = "ghpkg", name = $sync_name, frozen)]
        pub(crate) struct $sync {
            stream: Shared<$item>,
            reached_paging_limit: Arc<AtomicBool>,
        }

        impl $sync {
            pub(crate) fn new(stream: Paginated<$item>) -> Self {
                let (stream, reached_paging_limit) = share(stream);
                $sync {
                    stream,
                    reached_paging_limit,
                }
            }
        }

        #[pymethods]
        impl $sync {
            fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
                slf
            }

            fn __next__(&self, py: Python<'_>) -> PyResult<Option<$py_item>> {
                let item = match poll_ready(&self.stream)? {
                    Some(ready) => ready,
                    None => {
                        let stream = Arc::clone(&self.stream);
                        block_on(py, async move { stream.lock().await.next().await })?
                    }
                };
                match item {
                    None => Ok(None),
                    Some(Ok(v)) => Ok(Some(<$py_item>::from(v))),
                    Some(Err(e)) => Err(to_pyerr(py, e)),
                }
            }

            /// Every remaining item as a list (one wait for all pages).
            fn collect(&self, py: Python<'_>) -> PyResult<Vec<$py_item>> {
                let stream = Arc::clone(&self.stream);
                block_on(py, rest::<$item, $py_item>(stream))?.map_err(|e| to_pyerr(py, e))
            }

            /// Whether the listing stopped at GitHub's 10,000-item paging
            /// limit (``ghpkg.MAX_PAGED_ITEMS``), so more items may exist
            /// than were listed. Meaningful once the listing has ended;
            /// filter it (by visibility) to reach the rest.
            #[getter]
            fn reached_paging_limit(&self) -> bool {
                self.reached_paging_limit.load(Ordering::Relaxed)
            }

            fn __repr__(&self) -> String {
                format!("<ghpkg.{}>", $sync_name)
            }
        }

        /// A lazy listing for `async for`.
        #[pyclass(module = "ghpkg", name = $async_name, frozen)]
        pub(crate) struct $async {
            stream: Shared<$item>,
            reached_paging_limit: Arc<AtomicBool>,
        }

        impl $async {
            pub(crate) fn new(stream: Paginated<$item>) -> Self {
                let (stream, reached_paging_limit) = share(stream);
                $async {
                    stream,
                    reached_paging_limit,
                }
            }
        }

        #[pymethods]
        impl $async {
            fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
                slf
            }

            fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                if let Some(done) = ready_next::<$item, $py_item>(py, &self.stream)? {
                    return Ok(done);
                }
                let stream = Arc::clone(&self.stream);
                awaitable(py, async move {
                    let item = stream.lock().await.next().await;
                    Next(item.map(|r| r.map(<$py_item>::from)))
                })
            }

            /// Every remaining item as a list.
            fn collect<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let stream = Arc::clone(&self.stream);
                awaitable(
                    py,
                    async move { Reply(rest::<$item, $py_item>(stream).await) },
                )
            }

            /// Whether the listing stopped at GitHub's 10,000-item paging
            /// limit (``ghpkg.MAX_PAGED_ITEMS``), so more items may exist
            /// than were listed. Meaningful once the listing has ended;
            /// filter it (by visibility) to reach the rest.
            #[getter]
            fn reached_paging_limit(&self) -> bool {
                self.reached_paging_limit.load(Ordering::Relaxed)
            }

            fn __repr__(&self) -> String {
                format!("<ghpkg.{}>", $async_name)
            }
        }
    };
}

listing!(
    Package,
    PyPackage,
    PackageIterator,
    "PackageIterator",
    AsyncPackageIterator,
    "AsyncPackageIterator"
);
listing!(
    PackageVersion,
    PyPackageVersion,
    VersionIterator,
    "VersionIterator",
    AsyncVersionIterator,
    "AsyncVersionIterator"
);
