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

/// An owner or repository of an item, as the core decoded it.
enum Core {
    User(ghpkg::SimpleUser),
    Repository(ghpkg::MinimalRepository),
}

impl Core {
    /// Whether the two serialize to the same JSON. The core decodes a run
    /// of equal owners (or repositories) once and clones it, so their
    /// `extra` is one shared map and compares without reading a field;
    /// other maps are compared in order, which is cheaper than `Map`'s `==`
    /// (a hashed lookup per key) and right here: a page's repeats come from
    /// one template.
    fn same(&self, other: &Core) -> bool {
        match (self, other) {
            (Core::User(a), Core::User(b)) => same_user(a, b),
            (Core::Repository(a), Core::Repository(b)) => {
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

fn same_user(a: &ghpkg::SimpleUser, b: &ghpkg::SimpleUser) -> bool {
    a.id == b.id
        && a.login == b.login
        && a.kind == b.kind
        && a.html_url == b.html_url
        && a.avatar_url == b.avatar_url
        && a.site_admin == b.site_admin
        && same_extra(&a.extra, &b.extra)
}

fn same_extra(a: &ghpkg::Extra, b: &ghpkg::Extra) -> bool {
    a.shares(b) || (a.len() == b.len() && a.iter().eq(b.iter()))
}

/// The distinct owners and repositories of a page, and where each goes.
#[derive(Default)]
struct Sharing {
    distinct: Vec<Core>,
    links: Vec<(usize, &'static str, usize)>,
}

impl Sharing {
    /// Keeps `value`, field `field` of item `item`, once per distinct value
    /// and records where it goes back; a repeat is dropped.
    fn share(&mut self, item: usize, field: &'static str, value: Core) {
        let at = match self.distinct.iter().position(|s| s.same(&value)) {
            Some(at) => at,
            None => {
                self.distinct.push(value);
                self.distinct.len() - 1
            }
        };
        self.links.push((item, field, at));
    }

    /// The page, each distinct value converted once.
    fn page<T>(self, items: Vec<T>) -> Page<T> {
        let shared = self
            .distinct
            .into_iter()
            .map(|s| match s {
                Core::User(u) => Shared::User(u.into()),
                Core::Repository(r) => Shared::Repository(r.into()),
            })
            .collect();
        Page {
            items,
            shared,
            links: self.links,
        }
    }
}

/// What a listing's items turn into on the way to JavaScript.
pub(crate) trait PageItem: Sized {
    /// The page as JSON text for `lib/listing.js`.
    fn page_json(items: Vec<Self>) -> serde_json::Result<String>;
}

impl PageItem for ghpkg::Package {
    fn page_json(items: Vec<Self>) -> serde_json::Result<String> {
        let mut sharing = Sharing::default();
        let items = items
            .into_iter()
            .enumerate()
            .map(|(i, mut item)| {
                if let Some(owner) = item.owner.take() {
                    sharing.share(i, "owner", Core::User(owner));
                }
                if let Some(repository) = item.repository.take() {
                    sharing.share(i, "repository", Core::Repository(repository));
                }
                Package::from(item)
            })
            .collect();
        serde_json::to_string(&sharing.page(items))
    }
}

impl PageItem for ghpkg::PackageVersion {
    fn page_json(items: Vec<Self>) -> serde_json::Result<String> {
        let items: Vec<PackageVersion> = items.into_iter().map(Into::into).collect();
        serde_json::to_string(&Sharing::default().page(items))
    }
}
