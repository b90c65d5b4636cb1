//! Lazy listings for JavaScript: a native cursor over the core's `Listing`,
//! handed out a whole page at a time (`lib/listing.js` wraps it in an
//! `AsyncIterable`). The core decides what a page is and when to fetch it.
//! A page crosses as one JSON string (`page.rs`), serialized off the
//! JavaScript thread, which `JSON.parse` turns into the same objects the
//! napi models describe.

use ghpkg::{Listing, PagingLimit};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use tokio::sync::Mutex;

use crate::error::to_napi;
use crate::page::PageItem;

/// The next page of `listing`: the rest of the page being read, or the next
/// one once it has arrived; an empty array once the listing has ended.
async fn next_page<T: Send + 'static>(listing: &Mutex<Option<Listing<T>>>) -> Result<Vec<T>> {
    let mut slot = listing.lock().await;
    let Some(l) = slot.as_mut() else {
        return Ok(Vec::new());
    };
    match l.next_page().await {
        Some(Ok(page)) => Ok(page),
        Some(Err(e)) => {
            *slot = None;
            Err(to_napi(e))
        }
        None => {
            *slot = None;
            Ok(Vec::new())
        }
    }
}

macro_rules! cursor {
    ($doc:literal, $name:ident, $core:ty) => {
        #[doc = $doc]
        #[napi]
        pub struct $name {
            listing: Mutex<Option<Listing<$core>>>,
            limit: PagingLimit,
        }

        impl $name {
            pub(crate) fn open(listing: Listing<$core>) -> Self {
                $name {
                    limit: listing.paging_limit(),
                    listing: Mutex::new(Some(listing)),
                }
            }
        }

        #[napi]
        impl $name {
            /// The next page of items (the rest of the current page, or
            /// the next one) as the JSON text `page.rs` describes; no items
            /// once the listing has ended. Rejects with the listing's error,
            /// after which the listing has ended.
            #[napi]
            pub async fn next_page(&self) -> Result<String> {
                let items = next_page(&self.listing).await?;
                <$core>::page_json(items).map_err(|e| Error::from_reason(e.to_string()))
            }

            /// Stops the listing: drops it, which cancels requests in flight.
            #[napi]
            pub async fn close(&self) -> Result<()> {
                *self.listing.lock().await = None;
                Ok(())
            }

            /// Whether the listing stopped at GitHub's 10,000-item paging
            /// limit, so more items may exist than were listed. Meaningful
            /// once the listing has ended.
            #[napi(getter)]
            pub fn reached_paging_limit(&self) -> bool {
                self.limit.reached()
            }
        }
    };
}

cursor!(
    "A lazy listing of packages; `Listing` in `lib/listing.js` wraps it.",
    PackageCursor,
    ghpkg::Package
);

cursor!(
    "A lazy listing of package versions; `Listing` in `lib/listing.js` wraps it.",
    VersionCursor,
    ghpkg::PackageVersion
);
