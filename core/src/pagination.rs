//! Lazy listings that follow `link` headers, with ordered read-ahead.

use std::collections::BTreeMap;
use std::collections::{HashSet, VecDeque};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream, StreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::Call;
use crate::ratelimit::header_str;

/// GitHub serves at most this many items of one listing by paging.
pub const MAX_PAGED_ITEMS: u64 = 10_000;

/// A lazy listing: a [`Stream`] of items that fetches pages as they are
/// consumed. Once the first page reveals the last page number, up to the
/// client's `read_ahead` pages are fetched concurrently, and items still come
/// out in order. Dropping the stream cancels requests in flight. After an
/// error the stream ends.
#[must_use = "a listing does nothing until it is consumed"]
pub struct Paginated<T> {
    inner: BoxStream<'static, Result<T>>,
    limited: Arc<AtomicBool>,
}

impl<T: Send + 'static> Paginated<T> {
    /// A listing that yields `err` and ends, without sending anything.
    pub(crate) fn failed(err: Error) -> Self {
        Paginated {
            inner: stream::once(async move { Err(err) }).fuse().boxed(),
            limited: Arc::default(),
        }
    }

    /// Whether the walk ended at GitHub's 10,000-item paging limit
    /// ([`MAX_PAGED_ITEMS`]), so more items may exist than were listed.
    /// Meaningful once the stream has ended; filter the listing (by
    /// visibility, or per package type) to reach the rest.
    pub fn reached_paging_limit(&self) -> bool {
        self.limited.load(Ordering::Relaxed)
    }

    /// Consumes the whole listing into a `Vec`, stopping at the first error.
    pub async fn collect_all(mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(item) = self.inner.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}

impl<T> Stream for Paginated<T> {
    type Item = Result<T>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> std::fmt::Debug for Paginated<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Paginated { .. }")
    }
}

/// The relations of a `link` header that matter for walking.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Links {
    pub next: Option<String>,
    pub last: Option<String>,
}

/// Parses `<URL>; rel="next", <URL>; rel="last"`.
pub(crate) fn parse_link_header(value: &str) -> Links {
    let mut links = Links::default();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let url = &rest[start + 1..start + end];
        let after = &rest[start + end + 1..];
        let params_end = after.find('<').unwrap_or(after.len());
        let params = &after[..params_end];
        for rel in params
            .split(';')
            .filter_map(|p| {
                p.trim_matches(|c: char| c == ',' || c.is_whitespace())
                    .strip_prefix("rel=")
            })
            .flat_map(|r| r.trim_matches('"').split_whitespace())
        {
            match rel {
                "next" => links.next = Some(url.to_owned()),
                "last" => links.last = Some(url.to_owned()),
                _ => {}
            }
        }
        rest = &after[params_end..];
    }
    links
}

fn page_of(url: &Url) -> u64 {
    url.query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

fn with_page(url: &Url, page: u64) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    {
        let mut q = out.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        q.append_pair("page", &page.to_string());
    }
    out
}

/// Identifies a page regardless of query parameter order.
fn page_key(url: &Url) -> (String, BTreeMap<String, String>) {
    let mut q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    q.entry("page".to_owned()).or_insert_with(|| "1".to_owned());
    (url.path().to_owned(), q)
}

struct Page<T> {
    items: Vec<T>,
    links: Option<Links>,
}

async fn fetch_page<T: DeserializeOwned>(
    client: &Client,
    url: Url,
    call: Call,
    what: &'static str,
) -> Result<Page<T>> {
    let resp = client.execute(Method::GET, url, call).await?;
    let items: Vec<T> = resp.json(what)?;
    let links = header_str(&resp.headers, "link").map(parse_link_header);
    Ok(Page { items, links })
}

enum Phase<T> {
    Fetch(Url),
    Ahead(Ahead<T>),
    Done,
}

/// A page fetch running as its own task, so read-ahead progresses while the
/// consumer is busy with earlier items; aborted if the listing is dropped.
struct Task<T>(tokio::task::JoinHandle<Result<Vec<T>>>);

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Pages `next..=last` of a listing whose last page is known, fetched at
/// most `width` at a time and handed out in order.
struct Ahead<T> {
    template: Url,
    next: u64,
    last: u64,
    width: usize,
    inflight: VecDeque<(u64, Task<T>)>,
}

impl<T: DeserializeOwned + Send + 'static> Ahead<T> {
    /// Starts fetches until `width` are in flight or no pages are left.
    fn fill(&mut self, client: &Client, call: Call, what: &'static str) {
        while self.inflight.len() < self.width && self.next <= self.last {
            let client = client.clone();
            let url = with_page(&self.template, self.next);
            let task = Task(tokio::spawn(async move {
                fetch_page::<T>(&client, url, call, what)
                    .await
                    .map(|p| p.items)
            }));
            self.inflight.push_back((self.next, task));
            self.next += 1;
        }
    }
}

struct Walk<T> {
    client: Client,
    call: Call,
    what: &'static str,
    per_page: u64,
    first: bool,
    seen: HashSet<(String, BTreeMap<String, String>)>,
    phase: Phase<T>,
    limited: Arc<AtomicBool>,
}

impl<T: DeserializeOwned + Send + 'static> Walk<T> {
    /// Resolves a `link` URL, refusing one that leaves the API's origin.
    fn link_url(&self, raw: &str) -> Result<Url> {
        let url = self
            .client
            .inner
            .base
            .join(raw)
            .map_err(|e| Error::decode(format!("unusable pagination link: {e}")))?;
        if url.origin() != self.client.inner.base.origin() {
            return Err(Error::decode(
                "a pagination link points to another host; refusing to follow it",
            ));
        }
        Ok(url)
    }

    /// Records that a full last page sits at the paging limit.
    fn note_limit(&self, page_no: u64, items: usize) {
        if items as u64 >= self.per_page && page_no * self.per_page >= MAX_PAGED_ITEMS {
            tracing::warn!(
                "ghpkg: the listing stopped at GitHub's {MAX_PAGED_ITEMS}-item paging limit; \
                 more items may exist"
            );
            self.limited.store(true, Ordering::Relaxed);
        }
    }

    /// Decides what follows a fetched page.
    fn after(&mut self, url: &Url, page: &Page<T>) -> Result<Phase<T>> {
        let first = std::mem::replace(&mut self.first, false);
        match &page.links {
            Some(links) => {
                let read_ahead = self.client.inner.read_ahead;
                if let (true, true, Some(last)) = (first, read_ahead > 1, &links.last) {
                    let last = self.link_url(last)?;
                    let last_page = page_of(&last);
                    if last_page >= 2 {
                        return Ok(Phase::Ahead(Ahead {
                            template: last,
                            next: 2,
                            last: last_page,
                            width: read_ahead,
                            inflight: VecDeque::new(),
                        }));
                    }
                }
                match &links.next {
                    Some(next) => Ok(Phase::Fetch(self.link_url(next)?)),
                    None => {
                        self.note_limit(page_of(url), page.items.len());
                        Ok(Phase::Done)
                    }
                }
            }
            // No `link` at all although the page is full: GitHub sometimes
            // drops the header. Ask for the next page number until a short
            // page or the paging limit.
            None => {
                let n = page.items.len() as u64;
                let p = page_of(url);
                if n > 0 && n >= self.per_page && (p + 1) * self.per_page <= MAX_PAGED_ITEMS {
                    Ok(Phase::Fetch(with_page(url, p + 1)))
                } else {
                    self.note_limit(p, page.items.len());
                    Ok(Phase::Done)
                }
            }
        }
    }

    async fn step(mut self) -> Option<(Result<Vec<T>>, Self)> {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Done => None,
            Phase::Fetch(url) => {
                if !self.seen.insert(page_key(&url)) {
                    let err = Error::decode(format!(
                        "the pagination links loop back to page {} already fetched",
                        page_of(&url)
                    ));
                    return Some((Err(err), self));
                }
                let result = fetch_page::<T>(&self.client, url.clone(), self.call, self.what).await;
                let result = match result {
                    Ok(page) => match self.after(&url, &page) {
                        Ok(next) => {
                            self.phase = next;
                            Ok(page.items)
                        }
                        Err(e) => Err(e),
                    },
                    Err(e) => Err(e),
                };
                Some((result, self))
            }
            Phase::Ahead(mut ahead) => {
                ahead.fill(&self.client, self.call, self.what);
                let (page_no, mut task) = ahead.inflight.pop_front()?;
                let result = match (&mut task.0).await {
                    Ok(result) => result,
                    Err(e) => Err(Error::new(
                        crate::ErrorKind::Transport,
                        format!("a page fetch was interrupted: {e}"),
                    )),
                };
                if let (Ok(items), true) = (&result, page_no == ahead.last) {
                    self.note_limit(page_no, items.len());
                }
                // Keep the pipeline full while the consumer works through this page.
                ahead.fill(&self.client, self.call, self.what);
                if result.is_ok() {
                    self.phase = Phase::Ahead(ahead);
                }
                Some((result, self))
            }
        }
    }
}

/// Walks a listing starting at `first` (which carries `per_page`).
pub(crate) fn paginate<T: DeserializeOwned + Send + 'static>(
    client: &Client,
    first: Url,
    call: Call,
    what: &'static str,
) -> Paginated<T> {
    let walk = Walk {
        per_page: first
            .query_pairs()
            .find(|(k, _)| k == "per_page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(30),
        client: client.clone(),
        call,
        what,
        first: true,
        seen: HashSet::new(),
        phase: Phase::Fetch(first),
        limited: Arc::default(),
    };
    let limited = Arc::clone(&walk.limited);
    let pages = stream::unfold(walk, Walk::step);
    let items = pages.flat_map(|page| match page {
        Ok(items) => stream::iter(items.into_iter().map(Ok)).left_stream(),
        Err(e) => stream::once(async move { Err(e) }).right_stream(),
    });
    // Fused: polling again after the end (or an error) keeps answering `None`.
    Paginated {
        inner: items.fuse().boxed(),
        limited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_github_link_headers() {
        let l = parse_link_header(
            "<https://api.github.com/orgs/a/packages?page=2&per_page=100>; rel=\"next\", \
             <https://api.github.com/orgs/a/packages?page=7&per_page=100>; rel=\"last\"",
        );
        assert_eq!(
            l.next.as_deref(),
            Some("https://api.github.com/orgs/a/packages?page=2&per_page=100")
        );
        assert!(l.last.unwrap().contains("page=7"));
        assert_eq!(parse_link_header(""), Links::default());
        assert_eq!(parse_link_header("garbage <"), Links::default());
    }

    #[test]
    fn page_rewrites_keep_other_params() {
        let u = Url::parse("http://h/x?package_type=container&page=3&per_page=50").unwrap();
        let v = with_page(&u, 9);
        assert_eq!(page_of(&v), 9);
        assert_eq!(page_key(&v).1["package_type"], "container");
        assert_eq!(
            page_key(&Url::parse("http://h/x?a=1").unwrap()),
            page_key(&Url::parse("http://h/x?page=1&a=1").unwrap())
        );
    }
}
