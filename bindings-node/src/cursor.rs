//! Lazy listings for JavaScript: a native cursor over a core `Paginated`
//! stream, handed out one page at a time. `lib/ghpkg.js` wraps it in an
//! object that is an `AsyncIterable`.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::{FutureExt, Stream, StreamExt};
use ghpkg::Paginated;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use tokio::sync::Mutex;

use crate::error::to_napi;
use crate::models::{Package, PackageVersion};

/// A core listing that copies [`Paginated::reached_paging_limit`] out after
/// every poll, so that the cursor answers it synchronously, also after the
/// stream is dropped and while a `nextBatch` holds it.
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

/// A cursor's stream and what is left to report.
enum State<T> {
    /// The walk is going on.
    Open(Watched<T>),
    /// It failed before yielding anything more; the error comes next.
    Failed(ghpkg::Error),
    /// Ended, failed or closed.
    Done,
}

struct Shared<T> {
    state: State<T>,
    /// Items handed out so far, to find page boundaries.
    taken: u64,
}

type Slot<T> = Arc<Mutex<Shared<T>>>;

fn slot<T>(state: State<T>) -> Slot<T> {
    Arc::new(Mutex::new(Shared { state, taken: 0 }))
}

/// Items converted to JavaScript objects per call: bounds the time one call
/// spends on the JavaScript thread.
const MAX_BATCH: usize = 25;

/// The next items: waits for one item, then takes whatever the stream already
/// holds up to the end of the current page (`per_page` items) and at most
/// [`MAX_BATCH`], so that no request is started before the consumer needs it.
/// Returns an empty batch once the listing has ended. An error after some
/// items is kept and reported by the following call.
async fn next_batch<T: Send + 'static>(slot: &Slot<T>, per_page: u64) -> Result<Vec<T>> {
    let mut guard = slot.lock().await;
    let shared = &mut *guard;
    let stream = match std::mem::replace(&mut shared.state, State::Done) {
        State::Open(s) => s,
        State::Failed(e) => return Err(to_napi(e)),
        State::Done => return Ok(Vec::new()),
    };
    let mut stream = stream;
    let mut out = Vec::new();
    match stream.next().await {
        None => return Ok(out),
        Some(Err(e)) => return Err(to_napi(e)),
        Some(Ok(item)) => out.push(item),
    }
    shared.taken += 1;
    while shared.taken % per_page.max(1) != 0 && out.len() < MAX_BATCH {
        match stream.next().now_or_never() {
            // Not ready yet: hand out what is here, keep the stream.
            None => break,
            // Ended: the stream is dropped.
            Some(None) => return Ok(out),
            Some(Some(Err(e))) => {
                shared.state = State::Failed(e);
                return Ok(out);
            }
            Some(Some(Ok(item))) => {
                out.push(item);
                shared.taken += 1;
            }
        }
    }
    shared.state = State::Open(stream);
    Ok(out)
}

macro_rules! cursor {
    ($doc:literal, $name:ident, $core:ty, $js:ty) => {
        #[doc = $doc]
        #[napi]
        pub struct $name {
            slot: Slot<$core>,
            per_page: u64,
            reached_paging_limit: Arc<AtomicBool>,
        }

        impl $name {
            pub(crate) fn open(stream: Paginated<$core>, per_page: u32) -> Self {
                let reached_paging_limit = Arc::new(AtomicBool::new(stream.reached_paging_limit()));
                let stream = Watched {
                    stream,
                    reached_paging_limit: Arc::clone(&reached_paging_limit),
                };
                $name {
                    slot: slot(State::Open(stream)),
                    per_page: u64::from(per_page),
                    reached_paging_limit,
                }
            }

            pub(crate) fn failed(err: ghpkg::Error) -> Self {
                $name {
                    slot: slot(State::Failed(err)),
                    per_page: 1,
                    reached_paging_limit: Arc::default(),
                }
            }
        }

        #[napi]
        impl $name {
            /// The next items, at most one page; an empty array once the
            /// listing has ended. Rejects with the listing's error.
            #[napi]
            pub async fn next_batch(&self) -> Result<Vec<$js>> {
                let items = next_batch(&self.slot, self.per_page).await?;
                Ok(items.into_iter().map(<$js>::from).collect())
            }

            /// Stops the listing: drops the stream, which cancels requests in flight.
            #[napi]
            pub async fn close(&self) -> Result<()> {
                self.slot.lock().await.state = State::Done;
                Ok(())
            }

            /// Whether the listing stopped at GitHub's 10,000-item paging
            /// limit, so more items may exist than were listed. Meaningful
            /// once the listing has ended.
            #[napi(getter)]
            pub fn reached_paging_limit(&self) -> bool {
                self.reached_paging_limit.load(Ordering::Relaxed)
            }
        }
    };
}

cursor!(
    "A lazy listing of packages; `Listing` in `ghpkg` wraps it.",
    PackageCursor,
    ghpkg::Package,
    Package
);

cursor!(
    "A lazy listing of package versions; `Listing` in `ghpkg` wraps it.",
    VersionCursor,
    ghpkg::PackageVersion,
    PackageVersion
);
