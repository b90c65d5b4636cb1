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
/// out in order. Dropping the listing cancels requests in flight. After an
/// error the listing ends.
///
/// Besides item by item (the [`Stream`]), a listing can be read a page at a
/// time ([`Listing::next_page`]) or drained of what has already arrived
/// without waiting ([`Listing::pop_ready`]); the front doors of other
/// languages use these to hand whole pages across.
#[must_use = "a listing does nothing until it is consumed"]
pub struct Listing<T> {
    pages: BoxStream<'static, Result<Vec<T>>>,
    /// The rest of the page being consumed.
    ready: std::vec::IntoIter<T>,
    /// The page stream has ended (or failed): nothing more will arrive.
    ended: bool,
    limit: PagingLimit,
}

/// Whether a listing stopped at GitHub's 10,000-item paging limit: a cheap,
/// cloneable view of [`Listing::reached_paging_limit`] that stays readable
/// while the listing is being consumed elsewhere and after it is dropped.
#[derive(Clone, Debug, Default)]
pub struct PagingLimit(Arc<AtomicBool>);

impl PagingLimit {
    /// Whether the walk ended at the limit, so more items may exist than
    /// were listed. Meaningful once the listing has ended.
    pub fn reached(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl<T: Send + 'static> Listing<T> {
    fn new(pages: BoxStream<'static, Result<Vec<T>>>, limit: PagingLimit) -> Self {
        Listing {
            pages,
            ready: Vec::new().into_iter(),
            ended: false,
            limit,
        }
    }

    /// A listing that yields `err` and ends, without sending anything: how
    /// a listing whose arguments were refused reports it when consumed.
    pub fn failed(err: Error) -> Self {
        Listing::new(
            stream::once(async move { Err(err) }).boxed(),
            PagingLimit::default(),
        )
    }

    /// Whether the walk ended at GitHub's 10,000-item paging limit
    /// ([`MAX_PAGED_ITEMS`]), so more items may exist than were listed.
    /// Meaningful once the listing has ended; filter the listing (by
    /// visibility, or per package type) to reach the rest.
    pub fn reached_paging_limit(&self) -> bool {
        self.limit.reached()
    }

    /// A handle on [`Listing::reached_paging_limit`] that can be kept and
    /// read without access to the listing.
    pub fn paging_limit(&self) -> PagingLimit {
        self.limit.clone()
    }

    /// The next whole page: the rest of the page being consumed if items of
    /// it are left, else the next page once it has arrived. `None` once the
    /// listing has ended; after an error it ends. Never empty.
    pub async fn next_page(&mut self) -> Option<Result<Vec<T>>> {
        let rest: Vec<T> = self.ready.by_ref().collect();
        if !rest.is_empty() {
            return Some(Ok(rest));
        }
        loop {
            match self.next_fetched().await? {
                Ok(page) if page.is_empty() => continue,
                other => return Some(other),
            }
        }
    }

    /// The next item if it has already arrived, without waiting and without
    /// sending anything; `None` when the next item must be fetched (or the
    /// listing has ended: see [`Listing::is_ended`]).
    pub fn pop_ready(&mut self) -> Option<T> {
        self.ready.next()
    }

    /// Whether the listing has ended: no item is left and none will come.
    /// A listing whose last page has been consumed may report `false` until
    /// it is asked once more for an item.
    pub fn is_ended(&self) -> bool {
        self.ended && self.ready.len() == 0
    }

    /// Consumes the whole listing into a `Vec`, stopping at the first error.
    pub async fn collect_all(mut self) -> Result<Vec<T>> {
        let mut out: Vec<T> = self.ready.by_ref().collect();
        while let Some(page) = self.next_fetched().await {
            out.extend(page?);
        }
        Ok(out)
    }

    /// The next page from the walk; marks the end (and ends after an error).
    async fn next_fetched(&mut self) -> Option<Result<Vec<T>>> {
        if self.ended {
            return None;
        }
        let page = self.pages.next().await;
        if !matches!(page, Some(Ok(_))) {
            self.ended = true;
        }
        page
    }
}

// No field is structurally pinned (the page stream is boxed).
impl<T> Unpin for Listing<T> {}

impl<T> Stream for Listing<T> {
    type Item = Result<T>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.ready.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.ended {
                return Poll::Ready(None);
            }
            match this.pages.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(page))) => this.ready = page.into_iter(),
                Poll::Ready(Some(Err(e))) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.ended = true;
                    return Poll::Ready(None);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.ready.len(), None)
    }
}

impl<T> std::fmt::Debug for Listing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("ready", &self.ready.len())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// The relations of a `link` header that matter for walking.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Links {
    pub next: Option<String>,
    pub last: Option<String>,
}

/// Parses a `link` header (RFC 8288): `<URL>; rel="next", <URL>; rel="last"`.
///
/// Strict: anything that is not a list of `<URI-reference>` values followed
/// by `;`-separated parameters is an error naming what is wrong, so a garbled
/// header is never half-understood and followed.
pub(crate) fn parse_link_header(value: &str) -> std::result::Result<Links, String> {
    let mut links = Links::default();
    let mut rest = value.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    while !rest.is_empty() {
        let Some(after_open) = rest.strip_prefix('<') else {
            return Err("a link value does not start with '<'".to_owned());
        };
        let Some(end) = after_open.find('>') else {
            return Err("a link value has no closing '>'".to_owned());
        };
        let url = &after_open[..end];
        if url.is_empty()
            || url
                .chars()
                .any(|c| c == '<' || c.is_whitespace() || c.is_control())
        {
            return Err(
                "a link value's URL is empty or contains '<', spaces or control characters"
                    .to_owned(),
            );
        }
        // Parameters run to the next ',' outside a quoted string.
        let params_src = &after_open[end + 1..];
        let mut in_quotes = false;
        let params_end = params_src
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    in_quotes = !in_quotes;
                }
                c == ',' && !in_quotes
            })
            .map_or(params_src.len(), |(i, _)| i);
        if in_quotes {
            return Err("a link parameter has an unterminated quoted string".to_owned());
        }
        let params = params_src[..params_end].trim();
        if !params.is_empty() && !params.starts_with(';') {
            return Err("text between a link value's '>' and its parameters".to_owned());
        }
        for param in params.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = match param.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (param, None),
            };
            let valid_token = |t: &str| {
                !t.is_empty()
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
            };
            if !valid_token(name) {
                return Err(format!("a link parameter name {name:?} is not a token"));
            }
            let Some(value) = value else { continue };
            let value = match value.strip_prefix('"') {
                Some(quoted) => quoted
                    .strip_suffix('"')
                    .ok_or_else(|| "a link parameter has a stray quote".to_owned())?,
                None if valid_token(value) => value,
                None => return Err(format!("a link parameter value {value:?} is not a token")),
            };
            if name.eq_ignore_ascii_case("rel") {
                for rel in value.split_whitespace() {
                    match rel {
                        "next" => links.next = Some(url.to_owned()),
                        "last" => links.last = Some(url.to_owned()),
                        _ => {}
                    }
                }
            }
        }
        rest = params_src[params_end..].trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    Ok(links)
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
    /// The raw `link` header, parsed only where the walk follows it.
    link: Option<String>,
}

async fn fetch_page<T: DeserializeOwned>(
    client: &Client,
    url: Url,
    call: Call,
    what: &'static str,
) -> Result<Page<T>> {
    let resp = client.execute(Method::GET, url, call).await?;
    let items: Vec<T> = resp.page(what)?;
    let link = header_str(&resp.headers, "link").map(str::to_owned);
    Ok(Page { items, link })
}

enum Phase<T> {
    Fetch(Url),
    Ahead(Ahead<T>),
    /// The page before was handed out; this error ends the walk.
    Fail(Error),
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
    limit: PagingLimit,
}

impl<T: DeserializeOwned + Send + 'static> Walk<T> {
    /// Resolves a `link` URL: it must be an absolute URL on the API's
    /// origin, else nothing is requested.
    fn link_url(&self, rel: &str, raw: &str) -> Result<Url> {
        let base = &self.client.inner.base;
        let shown: String = raw.chars().take(200).collect();
        let url = Url::parse(raw).map_err(|e| {
            Error::decode(format!(
                "the link header's {rel} URL {shown:?} is not an absolute URL ({e}); \
                 refusing to follow it"
            ))
        })?;
        if url.origin() != base.origin() {
            return Err(Error::decode(format!(
                "the link header's {rel} URL {shown:?} points to another origin; refusing to \
                 follow it"
            )));
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
            self.limit.set();
        }
    }

    /// Decides what follows a fetched page.
    fn after(&mut self, url: &Url, page: &Page<T>) -> Result<Phase<T>> {
        let first = std::mem::replace(&mut self.first, false);
        let links = match &page.link {
            Some(raw) => Some(parse_link_header(raw).map_err(|why| {
                Error::decode(format!("malformed link header in the response: {why}"))
            })?),
            None => None,
        };
        match &links {
            Some(links) => {
                let read_ahead = self.client.inner.read_ahead;
                if let (true, true, Some(last)) = (first, read_ahead > 1, &links.last) {
                    let last = self.link_url("last", last)?;
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
                    Some(next) => Ok(Phase::Fetch(self.link_url("next", next)?)),
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
            Phase::Fail(err) => Some((Err(err), self)),
            Phase::Fetch(url) => {
                if !self.seen.insert(page_key(&url)) {
                    let err = Error::decode(format!(
                        "the pagination links loop back to page {} already fetched",
                        page_of(&url)
                    ));
                    return Some((Err(err), self));
                }
                let result = fetch_page::<T>(&self.client, url.clone(), self.call, self.what).await;
                let result = result.map(|page| {
                    // The page arrived whole: hand it out, and fail after it
                    // if what follows it cannot be worked out.
                    self.phase = self.after(&url, &page).unwrap_or_else(Phase::Fail);
                    page.items
                });
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
) -> Listing<T> {
    let limit = PagingLimit::default();
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
        limit: limit.clone(),
    };
    Listing::new(stream::unfold(walk, Walk::step).boxed(), limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_github_link_headers() {
        let l = parse_link_header(
            "<https://api.github.com/orgs/a/packages?page=2&per_page=100>; rel=\"next\", \
             <https://api.github.com/orgs/a/packages?page=7&per_page=100>; rel=\"last\"",
        )
        .unwrap();
        assert_eq!(
            l.next.as_deref(),
            Some("https://api.github.com/orgs/a/packages?page=2&per_page=100")
        );
        assert!(l.last.unwrap().contains("page=7"));
        assert_eq!(parse_link_header("").unwrap(), Links::default());
        let first =
            parse_link_header("<https://h/x?page=1>; rel=\"first\"; title=\"a, b\"").unwrap();
        assert_eq!(first, Links::default());
        let both = parse_link_header("<https://h/x?page=3>; rel=\"next last\"").unwrap();
        assert_eq!(both.next, both.last);
    }

    #[test]
    fn refuses_garbled_link_headers() {
        for bad in [
            "<<not a url>>; rel=next; garbage",
            "garbage <",
            "<https://h/x?page=2",
            "https://h/x?page=2; rel=next",
            "<https://h/x?page=2> rel=next",
            "<https://h/x?page=2>; rel=\"next",
            "<https://h/x page=2>; rel=next",
            "<>; rel=next",
            "<https://h/x>; r@l=next",
        ] {
            assert!(parse_link_header(bad).is_err(), "{bad:?} was accepted");
        }
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
