//! A listing page as JavaScript receives it: one JSON text, built off the
//! JavaScript thread, which `lib/listing.js` parses with one `JSON.parse`.
//!
//! The packages of a page nearly always repeat the same owner (and often the
//! same repository): about 70% of a page's bytes. Each distinct one is sent
//! once, in `shared`, and `links` says where it goes: `[item, field, shared]`
//! triples. `lib/listing.js` puts a fresh copy of it into each item, so the
//! objects JavaScript hands out are the same as if every item had carried its
//! own, and no two items share an object.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::models::{MinimalRepository, Package, PackageVersion, SimpleUser};

/// `{"items": [...], "shared": [...], "links": [[item, field, shared], ...]}`.
#[derive(Serialize)]
struct Page<T> {
    items: Vec<T>,
    shared: Vec<Shared>,
    links: Vec<(usize, &'static str, usize)>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Shared {
    User(SimpleUser),
    Repository(MinimalRepository),
}

impl Shared {
    /// Whether the two serialize to the same JSON. `extra` is compared in
    /// order, which is cheaper than `Map`'s `==` (a hashed lookup per key)
    /// and right here: a page's repeats come from one template.
    fn same(&self, other: &Shared) -> bool {
        match (self, other) {
            (Shared::User(a), Shared::User(b)) => same_user(a, b),
            (Shared::Repository(a), Shared::Repository(b)) => {
                a.id == b.id
                    && a.name == b.name
                    && a.full_name == b.full_name
                    && a.private == b.private
                    && a.html_url == b.html_url
                    && match (&a.owner, &b.owner) {
                        (Some(a), Some(b)) => same_user(a, b),
                        (None, None) => true,
                        _ => false,
                    }
                    && same_extra(&a.extra, &b.extra)
            }
            _ => false,
        }
    }
}

fn same_user(a: &SimpleUser, b: &SimpleUser) -> bool {
    a.id == b.id
        && a.login == b.login
        && a.kind == b.kind
        && a.html_url == b.html_url
        && a.avatar_url == b.avatar_url
        && a.site_admin == b.site_admin
        && same_extra(&a.extra, &b.extra)
}

fn same_extra(a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
    a.len() == b.len() && a.iter().eq(b.iter())
}

impl<T> Page<T> {
    fn new(items: Vec<T>) -> Self {
        Page {
            items,
            shared: Vec::new(),
            links: Vec::new(),
        }
    }

    /// Moves `value`, field `field` of item `item`, into `shared` (once per
    /// distinct value) and records where it goes back.
    fn share(&mut self, item: usize, field: &'static str, value: Shared) {
        let at = match self.shared.iter().position(|s| s.same(&value)) {
            Some(at) => at,
            None => {
                self.shared.push(value);
                self.shared.len() - 1
            }
        };
        self.links.push((item, field, at));
    }
}

/// What a listing's items turn into on the way to JavaScript.
pub(crate) trait PageItem: Sized {
    /// The page as JSON text for `lib/listing.js`.
    fn page_json(items: Vec<Self>) -> serde_json::Result<String>;
}

impl PageItem for Package {
    fn page_json(mut items: Vec<Self>) -> serde_json::Result<String> {
        let mut owners = Vec::with_capacity(items.len());
        for item in &mut items {
            owners.push((item.owner.take(), item.repository.take()));
        }
        let mut page = Page::new(items);
        for (i, (owner, repository)) in owners.into_iter().enumerate() {
            if let Some(owner) = owner {
                page.share(i, "owner", Shared::User(owner));
            }
            if let Some(repository) = repository {
                page.share(i, "repository", Shared::Repository(repository));
            }
        }
        serde_json::to_string(&page)
    }
}

impl PageItem for PackageVersion {
    fn page_json(items: Vec<Self>) -> serde_json::Result<String> {
        serde_json::to_string(&Page::new(items))
    }
}
