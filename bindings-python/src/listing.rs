//! Lazy listings: iterators over the core's `Listing`. Nothing is sent until
//! the first item is asked for; pages are then fetched as they are consumed,
//! with the core's read-ahead. Items of a page that has arrived are handed
//! out without waiting (the core's `pop_ready`). The listing sits behind an
//! async mutex so that an iterator shared between threads or tasks stays in
//! order.

use std::sync::Arc;

use futures::StreamExt;
use ghpkg::{Listing, Package, PackageVersion, PagingLimit};
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use tokio::sync::Mutex;

use crate::errors::{to_pyerr, Reply};
use crate::models::{PyPackage, PyPackageVersion};
use crate::runtime::{awaitable, block_on};

type Shared<T> = Arc<Mutex<Listing<T>>>;

/// The next item if it is there without waiting: `Some(Some(item))`, or
/// `Some(None)` at the end. `None` when it must be fetched, or another
/// thread or task is using the listing.
fn ready<T: Send + 'static>(listing: &Shared<T>) -> Option<Option<T>> {
    let mut guard = listing.try_lock().ok()?;
    match guard.pop_ready() {
        Some(item) => Some(Some(item)),
        None if guard.is_ended() => Some(None),
        None => None,
    }
}

/// The next item, waiting for its page; the end of the listing is
/// `StopAsyncIteration` once converted.
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

/// An asyncio future that is already done with the ready item.
fn done_future<'py, P>(py: Python<'py>, item: Option<P>) -> PyResult<Bound<'py, PyAny>>
where
    P: for<'a> IntoPyObject<'a>,
{
    let fut = pyo3_async_runtimes::get_running_loop(py)?.call_method0("create_future")?;
    match Next(item.map(Ok)).into_pyobject(py) {
        Ok(value) => fut.call_method1("set_result", (value,))?,
        Err(err) => fut.call_method1("set_exception", (err.into_value(py),))?,
    };
    Ok(fut)
}

/// Every remaining item, a page at a time, stopping at the first error.
async fn rest<T: Send + 'static, P: From<T>>(listing: Shared<T>) -> ghpkg::Result<Vec<P>> {
    let mut l = listing.lock().await;
    let mut out = Vec::new();
    while let Some(page) = l.next_page().await {
        out.extend(page?.into_iter().map(P::from));
    }
    Ok(out)
}

macro_rules! listing {
    ($item:ty, $py_item:ty, $sync:ident, $sync_name:literal, $async:ident, $async_name:literal) => {
        /// A lazy listing; ``next()`` waits (with the GIL released) only when
        /// the next item's page has not arrived yet.
        #[pyclass(module = "ghpkg", name = $sync_name, frozen)]
        pub(crate) struct $sync {
            listing: Shared<$item>,
            limit: PagingLimit,
        }

        impl $sync {
            pub(crate) fn new(listing: Listing<$item>) -> Self {
                $sync {
                    limit: listing.paging_limit(),
                    listing: Arc::new(Mutex::new(listing)),
                }
            }
        }

        #[pymethods]
        impl $sync {
            fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
                slf
            }

            fn __next__(&self, py: Python<'_>) -> PyResult<Option<$py_item>> {
                let item = match ready(&self.listing) {
                    Some(ready) => ready.map(Ok),
                    None => {
                        let listing = Arc::clone(&self.listing);
                        block_on(py, async move { listing.lock().await.next().await })?
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
                let listing = Arc::clone(&self.listing);
                block_on(py, rest::<$item, $py_item>(listing))?.map_err(|e| to_pyerr(py, e))
            }

            /// Whether the listing stopped at GitHub's 10,000-item paging
            /// limit (``ghpkg.MAX_PAGED_ITEMS``), so more items may exist
            /// than were listed. Meaningful once the listing has ended;
            /// filter it (by visibility) to reach the rest.
            #[getter]
            fn reached_paging_limit(&self) -> bool {
                self.limit.reached()
            }

            fn __repr__(&self) -> String {
                format!("<ghpkg.{}>", $sync_name)
            }
        }

        /// A lazy listing for ``async for``.
        #[pyclass(module = "ghpkg", name = $async_name, frozen)]
        pub(crate) struct $async {
            listing: Shared<$item>,
            limit: PagingLimit,
        }

        impl $async {
            pub(crate) fn new(listing: Listing<$item>) -> Self {
                $async {
                    limit: listing.paging_limit(),
                    listing: Arc::new(Mutex::new(listing)),
                }
            }
        }

        #[pymethods]
        impl $async {
            fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
                slf
            }

            fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                if let Some(item) = ready(&self.listing) {
                    return done_future(py, item.map(<$py_item>::from));
                }
                let listing = Arc::clone(&self.listing);
                awaitable(py, async move {
                    let item = listing.lock().await.next().await;
                    Next(item.map(|r| r.map(<$py_item>::from)))
                })
            }

            /// Every remaining item as a list.
            fn collect<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let listing = Arc::clone(&self.listing);
                awaitable(
                    py,
                    async move { Reply(rest::<$item, $py_item>(listing).await) },
                )
            }

            /// Whether the listing stopped at GitHub's 10,000-item paging
            /// limit (``ghpkg.MAX_PAGED_ITEMS``), so more items may exist
            /// than were listed. Meaningful once the listing has ended;
            /// filter it (by visibility) to reach the rest.
            #[getter]
            fn reached_paging_limit(&self) -> bool {
                self.limit.reached()
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
    PackageListing,
    "PackageListing",
    AsyncPackageListing,
    "AsyncPackageListing"
);
listing!(
    PackageVersion,
    PyPackageVersion,
    VersionListing,
    "VersionListing",
    AsyncVersionListing,
    "AsyncVersionListing"
);
