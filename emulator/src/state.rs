//! The live, mutable data of a running emulator.
//!
//! [`State`] is built from a [`Fixture`] and changed by requests (deletes and
//! restores) and by tests through [`crate::Emulator::with_state`]. Deleted
//! packages and versions stay in the state with `deleted_at` set, so the
//! restore window and `state=deleted` listings can be answered.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::fixture::{Fixture, FixtureError, PackageSpec, TokenKind, TokenSpec, VersionSpec};

/// The package types the API knows.
pub const PACKAGE_TYPES: [&str; 6] = ["npm", "maven", "rubygems", "docker", "nuget", "container"];

/// Whether `t` is one of [`PACKAGE_TYPES`].
pub fn is_package_type(t: &str) -> bool {
    PACKAGE_TYPES.contains(&t)
}

/// Whether a package type belongs to a registry with granular (package-level)
/// permissions; the others are repository-scoped and need the `repo` scope.
pub fn is_granular_type(t: &str) -> bool {
    matches!(t, "container" | "npm" | "nuget" | "rubygems")
}

/// Whether an account is a user or an organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// A user account.
    User,
    /// An organization.
    Organization,
}

/// A user or organization account.
#[derive(Clone, Debug)]
pub struct Account {
    /// The account id.
    pub id: u64,
    /// The login as declared.
    pub login: String,
    /// The display name.
    pub name: Option<String>,
    /// User or organization.
    pub kind: AccountKind,
    /// Organization admins (empty for users).
    pub admins: Vec<String>,
    /// Organization members that are not admins (empty for users).
    pub members: Vec<String>,
}

/// A package as the emulator holds it.
#[derive(Clone, Debug)]
pub struct Package {
    /// The package id.
    pub id: u64,
    /// Login of the owner, as declared.
    pub owner: String,
    /// The raw name.
    pub name: String,
    /// The package type.
    pub package_type: String,
    /// `public`, `private` or `internal`.
    pub visibility: String,
    /// Linked repository, `owner/repo`.
    pub repository: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change time.
    pub updated_at: DateTime<Utc>,
    /// Set while the package is deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Listed by the docker conflicts endpoints.
    pub migration_conflict: bool,
    /// All versions, deleted ones included.
    pub versions: Vec<Version>,
}

/// A package version as the emulator holds it.
#[derive(Clone, Debug)]
pub struct Version {
    /// The version id.
    pub id: u64,
    /// The version name (a digest for container and docker packages).
    pub name: String,
    /// Tags (container and docker).
    pub tags: Vec<String>,
    /// Download count.
    pub downloads: u64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change time.
    pub updated_at: DateTime<Utc>,
    /// Set while the version is deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Optional description.
    pub description: Option<String>,
    /// Optional license.
    pub license: Option<String>,
    /// The manifest the registry serves; `None` for a "ghost" version the
    /// registry does not have (and for every non-container version).
    pub manifest: Option<StoredManifest>,
}

/// A manifest as the registry serves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredManifest {
    /// The `Content-Type`.
    pub media_type: String,
    /// The exact bytes; their `sha256:` digest is the version's name.
    pub bytes: Vec<u8>,
}

impl StoredManifest {
    /// The `sha256:` digest of the bytes.
    pub fn digest(&self) -> String {
        crate::oci::digest_of(&self.bytes)
    }
}

impl Package {
    /// Whether the package is currently deleted.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// The version with this id, deleted or not.
    pub fn version(&self, id: u64) -> Option<&Version> {
        self.versions.iter().find(|v| v.id == id)
    }

    /// The version with this id, for changes.
    pub fn version_mut(&mut self, id: u64) -> Option<&mut Version> {
        self.versions.iter_mut().find(|v| v.id == id)
    }

    /// The versions that are not deleted.
    pub fn active_versions(&self) -> impl Iterator<Item = &Version> {
        self.versions.iter().filter(|v| !v.is_deleted())
    }

    /// The number of active versions (the `version_count` field).
    pub fn version_count(&self) -> u64 {
        self.active_versions().count() as u64
    }
}

/// The index key of a package: owner lower-cased (GitHub matches owners
/// case-insensitively), type and name exactly.
fn name_key(owner: &str, package_type: &str, name: &str) -> String {
    let mut key = String::with_capacity(owner.len() + package_type.len() + name.len() + 2);
    key.extend(owner.chars().map(|c| c.to_ascii_lowercase()));
    key.push('\0');
    key.push_str(package_type);
    key.push('\0');
    key.push_str(name);
    key
}

impl Version {
    /// Whether the version is currently deleted.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// The emulator's live data: accounts, tokens, packages and repositories.
#[derive(Debug)]
pub struct State {
    accounts: Vec<Account>,
    tokens: Vec<TokenSpec>,
    packages: Vec<Package>,
    /// Where each package sits in `packages`, by id and by [`name_key`]
    /// (live and deleted ones, oldest first), so a lookup does not scan
    /// every package. A package's id, owner, type and name never change once
    /// added; removing a package rebuilds both.
    by_id: HashMap<u64, usize>,
    by_name: HashMap<String, Vec<usize>>,
    /// Lower-cased `owner/repo` to (id, name as first seen).
    repos: BTreeMap<String, (u64, String)>,
    clock: Clock,
    used_account_ids: HashSet<u64>,
    used_package_ids: HashSet<u64>,
    used_version_ids: HashSet<u64>,
    next_account_id: u64,
    next_package_id: u64,
    next_version_id: u64,
    next_repo_id: u64,
    /// Bumped by every change (every `&mut self` method), so answers
    /// derived from the state know when they are stale.
    changes: u64,
    /// The last answer of [`State::select_packages`].
    selection: Option<Selection>,
    /// The bodies of single reads, kept until the state changes.
    reads: Mutex<Reads>,
}

/// What a kept single-read body shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Shown {
    /// The package with this id.
    Package(u64),
    /// The version with this id.
    Version(u64),
}

/// Single-read bodies written while the state stood at `changes`.
#[derive(Debug, Default)]
struct Reads {
    changes: u64,
    bodies: HashMap<Shown, Arc<[u8]>>,
}

/// Which packages a listing selected, for a question asked while the state
/// stood at `changes`, and the bodies of the pages served from it.
#[derive(Debug)]
struct Selection {
    question: String,
    changes: u64,
    found: Vec<usize>,
    /// The bodies of its pages: a body depends only on the state, so it
    /// is written once per page until the state changes.
    pages: Mutex<PageBodies>,
}

/// Page bodies by `(page, per_page)`.
type PageBodies = HashMap<(u64, u64), Arc<[u8]>>;

fn invalid(msg: String) -> FixtureError {
    FixtureError::Invalid(msg)
}

fn take_id(
    used: &mut HashSet<u64>,
    next: &mut u64,
    wanted: Option<u64>,
) -> Result<u64, FixtureError> {
    match wanted {
        Some(id) => {
            if !used.insert(id) {
                return Err(invalid(format!("duplicate id {id}")));
            }
            Ok(id)
        }
        None => {
            while used.contains(next) {
                *next += 1;
            }
            used.insert(*next);
            Ok(*next)
        }
    }
}

impl State {
    /// An empty state whose default timestamps come from `clock`.
    pub(crate) fn new(clock: Clock) -> State {
        State {
            accounts: Vec::new(),
            tokens: Vec::new(),
            packages: Vec::new(),
            by_id: HashMap::new(),
            by_name: HashMap::new(),
            repos: BTreeMap::new(),
            clock,
            used_account_ids: HashSet::new(),
            used_package_ids: HashSet::new(),
            used_version_ids: HashSet::new(),
            next_account_id: 1,
            next_package_id: 10_000,
            next_version_id: 100_000,
            next_repo_id: 500_000,
            changes: 0,
            selection: None,
            reads: Mutex::default(),
        }
    }

    /// Loads a fixture. Explicit ids are reserved first, so automatic ids never collide.
    pub(crate) fn from_fixture(fixture: &Fixture, clock: Clock) -> Result<State, FixtureError> {
        let mut s = State::new(clock);
        let account_ids = fixture.users.iter().filter_map(|u| u.id);
        for id in account_ids.chain(fixture.orgs.iter().filter_map(|o| o.id)) {
            if !s.used_account_ids.insert(id) {
                return Err(invalid(format!("duplicate account id {id}")));
            }
        }
        let packages = fixture.all_packages()?;
        for p in &packages {
            if let Some(id) = p.id {
                if !s.used_package_ids.insert(id) {
                    return Err(invalid(format!("duplicate package id {id}")));
                }
            }
            for v in p.versions.iter().filter_map(|v| v.id) {
                if !s.used_version_ids.insert(v) {
                    return Err(invalid(format!("duplicate version id {v}")));
                }
            }
        }
        for u in &fixture.users {
            s.insert_account(
                &u.login,
                u.id,
                u.name.clone(),
                AccountKind::User,
                &[],
                &[],
                true,
            )?;
        }
        for o in &fixture.orgs {
            let kind = AccountKind::Organization;
            s.insert_account(&o.login, o.id, None, kind, &o.admins, &o.members, true)?;
        }
        for o in &fixture.orgs {
            for login in o.admins.iter().chain(&o.members) {
                s.ensure_account(login)?;
            }
        }
        for t in &fixture.tokens {
            s.add_token(t.clone());
        }
        let mut live = HashSet::new();
        for p in packages {
            if p.deleted_at.is_none() {
                let key = (
                    p.owner.to_ascii_lowercase(),
                    p.package_type.clone(),
                    p.name.clone(),
                );
                if !live.insert(key) {
                    return Err(invalid(format!(
                        "package {}/{}/{} is declared twice",
                        p.owner, p.package_type, p.name
                    )));
                }
            }
            s.insert_package(p, true)?;
        }
        Ok(s)
    }

    /// The current emulated time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_account(
        &mut self,
        login: &str,
        id: Option<u64>,
        name: Option<String>,
        kind: AccountKind,
        admins: &[String],
        members: &[String],
        reserved: bool,
    ) -> Result<u64, FixtureError> {
        if login.is_empty() {
            return Err(invalid("an account login is empty".into()));
        }
        if self.account(login).is_some() {
            return Err(invalid(format!("account {login:?} is declared twice")));
        }
        let id = match (id, reserved) {
            (Some(id), true) => id,
            _ => take_id(&mut self.used_account_ids, &mut self.next_account_id, id)?,
        };
        self.accounts.push(Account {
            id,
            login: login.to_owned(),
            name,
            kind,
            admins: admins.to_vec(),
            members: members.to_vec(),
        });
        Ok(id)
    }

    /// Makes sure an account exists, creating a user account when it does not.
    fn ensure_account(&mut self, login: &str) -> Result<(), FixtureError> {
        if self.account(login).is_none() {
            self.insert_account(login, None, None, AccountKind::User, &[], &[], false)?;
        }
        Ok(())
    }

    /// Adds a user account and returns its id.
    pub fn add_user(&mut self, login: &str) -> Result<u64, FixtureError> {
        self.touch();
        self.insert_account(login, None, None, AccountKind::User, &[], &[], false)
    }

    /// Adds an organization and returns its id; unknown admins and members become user accounts.
    pub fn add_org(
        &mut self,
        login: &str,
        admins: &[&str],
        members: &[&str],
    ) -> Result<u64, FixtureError> {
        self.touch();
        let admins: Vec<String> = admins.iter().map(|s| s.to_string()).collect();
        let members: Vec<String> = members.iter().map(|s| s.to_string()).collect();
        let kind = AccountKind::Organization;
        let id = self.insert_account(login, None, None, kind, &admins, &members, false)?;
        for person in admins.iter().chain(&members) {
            self.ensure_account(person)?;
        }
        Ok(id)
    }

    /// The account with this login (case-insensitive).
    pub fn account(&self, login: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.login.eq_ignore_ascii_case(login))
    }

    /// The account with this login, for changes (e.g. org membership).
    pub fn account_mut(&mut self, login: &str) -> Option<&mut Account> {
        self.touch();
        self.accounts
            .iter_mut()
            .find(|a| a.login.eq_ignore_ascii_case(login))
    }

    /// All accounts.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// Adds a token, replacing any token with the same secret. Its user becomes an account if unknown.
    pub fn add_token(&mut self, t: TokenSpec) {
        self.touch();
        let _ = self.ensure_account(&t.user);
        self.tokens.retain(|x| x.token != t.token);
        self.tokens.push(t);
    }

    /// Removes a token; later requests with it get 401.
    pub fn remove_token(&mut self, token: &str) {
        self.touch();
        self.tokens.retain(|x| x.token != token);
    }

    /// The token with this secret.
    pub fn token(&self, token: &str) -> Option<&TokenSpec> {
        self.tokens.iter().find(|t| t.token == token)
    }

    /// The token with this secret, for changes (scopes, rate limit, …).
    pub fn token_mut(&mut self, token: &str) -> Option<&mut TokenSpec> {
        self.touch();
        self.tokens.iter_mut().find(|t| t.token == token)
    }

    /// All tokens.
    pub fn tokens(&self) -> &[TokenSpec] {
        &self.tokens
    }

    /// Adds a package (as if it had just been published) and returns its id.
    ///
    /// Fails when a live package with the same owner, type and name exists; a
    /// deleted one may exist, which reuses its namespace and blocks its restore.
    pub fn add_package(&mut self, spec: PackageSpec) -> Result<u64, FixtureError> {
        self.touch();
        self.insert_package(spec, false)
    }

    fn insert_package(&mut self, spec: PackageSpec, reserved: bool) -> Result<u64, FixtureError> {
        if spec.name.is_empty() {
            return Err(invalid("a package name is empty".into()));
        }
        if !is_package_type(&spec.package_type) {
            return Err(invalid(format!(
                "unknown package type {:?}",
                spec.package_type
            )));
        }
        if !matches!(spec.visibility.as_str(), "public" | "private" | "internal") {
            return Err(invalid(format!("unknown visibility {:?}", spec.visibility)));
        }
        let live = self
            .package(&spec.owner, &spec.package_type, &spec.name)
            .is_some();
        if live && spec.deleted_at.is_none() {
            return Err(invalid(format!(
                "package {}/{}/{} already exists",
                spec.owner, spec.package_type, spec.name
            )));
        }
        if !reserved {
            if let Some(id) = spec.id.filter(|id| self.used_package_ids.contains(id)) {
                return Err(invalid(format!("duplicate package id {id}")));
            }
            for id in spec.versions.iter().filter_map(|v| v.id) {
                if self.used_version_ids.contains(&id) {
                    return Err(invalid(format!("duplicate version id {id}")));
                }
            }
        }
        self.ensure_account(&spec.owner)?;
        if let Some(repo) = &spec.repository {
            self.ensure_repo(repo)?;
        }
        let id = match (spec.id, reserved) {
            (Some(id), true) => id,
            _ => take_id(
                &mut self.used_package_ids,
                &mut self.next_package_id,
                spec.id,
            )?,
        };
        let created_at = spec.created_at.unwrap_or_else(|| self.now());
        let mut package = Package {
            id,
            owner: spec.owner,
            name: spec.name,
            package_type: spec.package_type,
            visibility: spec.visibility,
            repository: spec.repository,
            created_at,
            updated_at: created_at,
            deleted_at: spec.deleted_at,
            migration_conflict: spec.migration_conflict,
            versions: Vec::new(),
        };
        for v in spec.versions {
            let version = self.make_version(v, &package.package_type, created_at, reserved)?;
            package.updated_at = package.updated_at.max(version.updated_at);
            package.versions.push(version);
        }
        self.index(self.packages.len(), &package);
        self.packages.push(package);
        Ok(id)
    }

    fn make_version(
        &mut self,
        mut v: VersionSpec,
        package_type: &str,
        default_time: DateTime<Utc>,
        reserved: bool,
    ) -> Result<Version, FixtureError> {
        let manifest = stored_manifest(&v, package_type)?;
        if let Some(m) = &manifest {
            let digest = m.digest();
            if v.name.is_empty() {
                v.name = digest;
            } else if v.name != digest {
                return Err(invalid(format!(
                    "version {} is named {} but its manifest's digest is {digest}",
                    v.id.map_or_else(|| "without id".to_owned(), |id| id.to_string()),
                    v.name
                )));
            }
        } else if v.name.is_empty() {
            return Err(invalid(
                "a version needs a name (or a manifest, whose digest names it)".into(),
            ));
        }
        let id = match (v.id, reserved) {
            (Some(id), true) => id,
            _ => take_id(&mut self.used_version_ids, &mut self.next_version_id, v.id)?,
        };
        let created_at = v.created_at.unwrap_or(default_time);
        Ok(Version {
            id,
            manifest,
            name: v.name,
            tags: v.tags,
            downloads: v.downloads,
            created_at,
            updated_at: created_at,
            deleted_at: v.deleted_at,
            description: v.description,
            license: v.license,
        })
    }

    /// Adds a version to the package with id `package_id` and returns the version id.
    /// A version without `created_at` gets the current emulated time.
    pub fn add_version(&mut self, package_id: u64, spec: VersionSpec) -> Result<u64, FixtureError> {
        self.touch();
        if self.package_by_id(package_id).is_none() {
            return Err(invalid(format!("no package with id {package_id}")));
        }
        let now = self.now();
        let package_type = self
            .package_by_id(package_id)
            .map(|p| p.package_type.clone())
            .unwrap_or_default();
        let version = self.make_version(spec, &package_type, now, false)?;
        let id = version.id;
        let package = self
            .package_by_id_mut(package_id)
            .ok_or_else(|| invalid(format!("no package with id {package_id}")))?;
        package.updated_at = package.updated_at.max(version.updated_at);
        package.versions.push(version);
        Ok(id)
    }

    /// Records where `p` sits (or will sit) in `packages`.
    fn index(&mut self, pos: usize, p: &Package) {
        self.by_id.insert(p.id, pos);
        self.by_name
            .entry(name_key(&p.owner, &p.package_type, &p.name))
            .or_default()
            .push(pos);
    }

    /// Positions of the packages, live or deleted, with this owner, type and name.
    fn positions(&self, owner: &str, package_type: &str, name: &str) -> &[usize] {
        self.by_name
            .get(&name_key(owner, package_type, name))
            .map_or(&[], Vec::as_slice)
    }

    /// The live (not deleted) package with this owner, type and name.
    pub fn package(&self, owner: &str, package_type: &str, name: &str) -> Option<&Package> {
        self.positions(owner, package_type, name)
            .iter()
            .map(|&i| &self.packages[i])
            .find(|p| !p.is_deleted())
    }

    /// The live package with this owner, type and name, for changes.
    pub fn package_mut(
        &mut self,
        owner: &str,
        package_type: &str,
        name: &str,
    ) -> Option<&mut Package> {
        self.touch();
        let pos = *self
            .positions(owner, package_type, name)
            .iter()
            .find(|&&i| !self.packages[i].is_deleted())?;
        self.packages.get_mut(pos)
    }

    /// Every package, live or deleted, with this owner, type and name (oldest first).
    pub fn packages_named<'a>(
        &'a self,
        owner: &'a str,
        package_type: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Package> + 'a {
        self.positions(owner, package_type, name)
            .iter()
            .map(|&i| &self.packages[i])
    }

    /// The package with this id, live or deleted.
    pub fn package_by_id(&self, id: u64) -> Option<&Package> {
        self.packages.get(*self.by_id.get(&id)?)
    }

    /// The package with this id, for changes.
    pub fn package_by_id_mut(&mut self, id: u64) -> Option<&mut Package> {
        self.touch();
        self.packages.get_mut(*self.by_id.get(&id)?)
    }

    /// Every package, live and deleted, in insertion order.
    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// Records a change: answers derived before it are stale.
    fn touch(&mut self) {
        self.changes += 1;
    }

    /// The positions in [`State::packages`] of the packages `wanted` picks,
    /// in id order, with the state to read them from. `question` names what
    /// `wanted` asks (listing, caller, owner, filters); the answer is kept
    /// until the state changes, since a client walking a listing asks the
    /// same question once per page.
    pub(crate) fn select_packages(
        &mut self,
        question: String,
        wanted: impl Fn(&State, &Package) -> bool,
    ) -> (&State, &[usize]) {
        let fresh = self
            .selection
            .as_ref()
            .is_some_and(|s| s.changes == self.changes && s.question == question);
        if !fresh {
            let mut found: Vec<usize> = (0..self.packages.len())
                .filter(|&i| wanted(self, &self.packages[i]))
                .collect();
            found.sort_by_key(|&i| self.packages[i].id);
            self.selection = Some(Selection {
                question,
                changes: self.changes,
                found,
                pages: Mutex::default(),
            });
        }
        let state: &State = self;
        let found = state.selection.as_ref().map_or(&[][..], |s| &s.found);
        (state, found)
    }

    /// The body of page `page` (of `per_page`) of the selection that
    /// [`State::select_packages`] just gave: kept from an earlier request for
    /// it, or written by `write` and kept until the state changes.
    pub(crate) fn selection_page(
        &self,
        page: u64,
        per_page: u64,
        write: impl FnOnce() -> Vec<u8>,
    ) -> Arc<[u8]> {
        let Some(selection) = self
            .selection
            .as_ref()
            .filter(|s| s.changes == self.changes)
        else {
            return write().into();
        };
        // A poisoned lock only means a panic elsewhere; the map is whole.
        let mut pages = selection.pages.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(
            pages
                .entry((page, per_page))
                .or_insert_with(|| write().into()),
        )
    }

    /// The body of a single read of `shown`: kept from an earlier read of
    /// it, or written by `write` and kept until the state changes (a body
    /// depends only on the state, not on who asks).
    pub(crate) fn read_body(&self, shown: Shown, write: impl FnOnce() -> Vec<u8>) -> Arc<[u8]> {
        // A poisoned lock only means a panic elsewhere; the map is whole.
        let mut reads = self.reads.lock().unwrap_or_else(|p| p.into_inner());
        if reads.changes != self.changes {
            reads.bodies.clear();
            reads.changes = self.changes;
        }
        Arc::clone(reads.bodies.entry(shown).or_insert_with(|| write().into()))
    }

    /// Removes a package (live or deleted) entirely, as if it never existed.
    pub fn remove_package(&mut self, id: u64) -> Option<Package> {
        self.touch();
        let pos = *self.by_id.get(&id)?;
        let removed = self.packages.remove(pos);
        // Positions after it moved: index again (removal is rare).
        let packages = std::mem::take(&mut self.packages);
        self.by_id.clear();
        self.by_name.clear();
        for (i, p) in packages.iter().enumerate() {
            self.index(i, p);
        }
        self.packages = packages;
        Some(removed)
    }

    fn ensure_repo(&mut self, full_name: &str) -> Result<(), FixtureError> {
        let Some((owner, name)) = full_name.split_once('/') else {
            return Err(invalid(format!(
                "repository {full_name:?} is not owner/repo"
            )));
        };
        if owner.is_empty() || name.is_empty() || name.contains('/') {
            return Err(invalid(format!(
                "repository {full_name:?} is not owner/repo"
            )));
        }
        self.ensure_account(owner)?;
        let key = full_name.to_ascii_lowercase();
        if !self.repos.contains_key(&key) {
            let id = self.next_repo_id;
            self.next_repo_id += 1;
            self.repos.insert(key, (id, full_name.to_owned()));
        }
        Ok(())
    }

    /// The id and canonical `owner/repo` name of a repository mentioned by a package.
    pub fn repository(&self, full_name: &str) -> Option<(u64, &str)> {
        self.repos
            .get(&full_name.to_ascii_lowercase())
            .map(|(id, name)| (*id, name.as_str()))
    }

    /// Whether `login` is an admin or member of the organization `org`
    /// (admins count as members).
    pub fn is_member(&self, org: &str, login: &str) -> bool {
        self.account(org).is_some_and(|a| {
            a.kind == AccountKind::Organization
                && a.admins
                    .iter()
                    .chain(&a.members)
                    .any(|m| m.eq_ignore_ascii_case(login))
        })
    }

    /// Whether `login` is an admin of the organization `org`.
    pub fn is_admin(&self, org: &str, login: &str) -> bool {
        self.account(org).is_some_and(|a| {
            a.kind == AccountKind::Organization
                && a.admins.iter().any(|m| m.eq_ignore_ascii_case(login))
        })
    }
}

/// The manifest a version spec declares, checked: one of `manifest` and
/// `manifest_raw`, a container package, a media type.
fn stored_manifest(
    v: &VersionSpec,
    package_type: &str,
) -> Result<Option<StoredManifest>, FixtureError> {
    let bytes = match (&v.manifest, &v.manifest_raw) {
        (None, None) => {
            if v.media_type.is_some() {
                return Err(invalid(format!(
                    "version {:?} has a media_type but no manifest",
                    v.name
                )));
            }
            return Ok(None);
        }
        (Some(_), Some(_)) => {
            return Err(invalid(format!(
                "version {:?} has both manifest and manifest_raw; give one",
                v.name
            )))
        }
        (Some(json), None) => serde_json::to_vec(json).map_err(FixtureError::Json)?,
        (None, Some(text)) => text.as_bytes().to_vec(),
    };
    if package_type != "container" {
        return Err(invalid(format!(
            "version {:?} has a manifest, but only container packages have a registry",
            v.name
        )));
    }
    let media_type = match &v.media_type {
        Some(t) => t.clone(),
        None => serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|body| body["mediaType"].as_str().map(str::to_owned))
            .ok_or_else(|| {
                invalid(format!(
                    "the manifest of version {:?} has no mediaType; give media_type",
                    v.name
                ))
            })?,
    };
    if media_type.is_empty() {
        return Err(invalid(format!(
            "the manifest of version {:?} has an empty media type",
            v.name
        )));
    }
    Ok(Some(StoredManifest { media_type, bytes }))
}

/// The default hourly primary rate limit for a token kind.
pub fn default_rate_limit(kind: TokenKind) -> u32 {
    match kind {
        TokenKind::Actions => 1_000,
        _ => 5_000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &State, owner: &str, name: &str) -> Vec<u64> {
        s.packages_named(owner, "container", name)
            .map(|p| p.id)
            .collect()
    }

    #[test]
    fn lookups_follow_adds_deletes_and_removals() {
        let mut s = State::new(Clock::new());
        let a = s
            .add_package(PackageSpec::new("Acme", "api/server", "container"))
            .unwrap();
        let b = s
            .add_package(PackageSpec::new("acme", "web", "container"))
            .unwrap();
        let c = s
            .add_package(PackageSpec::new("acme", "web", "npm"))
            .unwrap();
        // The owner matches case-insensitively; type and name exactly.
        assert_eq!(s.package("ACME", "container", "api/server").unwrap().id, a);
        assert!(s.package("acme", "container", "API/server").is_none());
        assert!(s.package("acme", "docker", "web").is_none());
        assert_eq!(s.package("acme", "npm", "web").unwrap().id, c);
        // A live namespace is taken; a deleted one is reused and stays listed, oldest first.
        assert!(s
            .add_package(PackageSpec::new("acme", "web", "container"))
            .is_err());
        s.package_mut("acme", "container", "web")
            .unwrap()
            .deleted_at = Some(Utc::now());
        assert!(s.package("acme", "container", "web").is_none());
        let b2 = s
            .add_package(PackageSpec::new("acme", "web", "container"))
            .unwrap();
        assert_eq!(names(&s, "acme", "web"), [b, b2]);
        assert_eq!(s.package("acme", "container", "web").unwrap().id, b2);
        // Removing one moves the packages after it: every lookup still finds its own.
        assert_eq!(s.remove_package(a).unwrap().id, a);
        assert!(s.package_by_id(a).is_none());
        assert!(s.package("acme", "container", "api/server").is_none());
        assert!(s.remove_package(a).is_none());
        for id in [b, c, b2] {
            assert_eq!(s.package_by_id(id).unwrap().id, id);
            assert_eq!(s.package_by_id_mut(id).unwrap().id, id);
        }
        assert_eq!(names(&s, "ACME", "web"), [b, b2]);
        assert_eq!(s.package_mut("acme", "npm", "web").unwrap().id, c);
        assert_eq!(
            s.packages().iter().map(|p| p.id).collect::<Vec<_>>(),
            [b, c, b2]
        );
    }

    #[test]
    fn selections_are_answered_again_after_any_change() {
        let mut s = State::new(Clock::new());
        let live = |_: &State, p: &Package| !p.is_deleted() && p.owner == "acme";
        let ids = |s: &mut State, question: &str| {
            let (s, found) = s.select_packages(question.into(), live);
            found
                .iter()
                .map(|&i| s.packages()[i].id)
                .collect::<Vec<_>>()
        };
        let mut spec = PackageSpec::new("acme", "b", "container");
        spec.id = Some(20);
        let b = s.add_package(spec).unwrap();
        let mut spec = PackageSpec::new("acme", "a", "container");
        spec.id = Some(10);
        let a = s.add_package(spec).unwrap();
        // In id order, not insertion order; asked again, the same answer.
        assert_eq!(ids(&mut s, "q"), [a, b]);
        assert_eq!(ids(&mut s, "q"), [a, b]);
        // A delete through package_mut, an add, a removal: each is seen.
        s.package_mut("acme", "container", "a").unwrap().deleted_at = Some(Utc::now());
        assert_eq!(ids(&mut s, "q"), [b]);
        let c = s
            .add_package(PackageSpec::new("acme", "c", "container"))
            .unwrap();
        assert_eq!(ids(&mut s, "q"), [b, c]);
        s.package_by_id_mut(c).unwrap().deleted_at = Some(Utc::now());
        assert_eq!(ids(&mut s, "q"), [b]);
        s.remove_package(b);
        assert_eq!(ids(&mut s, "q"), Vec::<u64>::new());
        // Another question is answered afresh, not from the last answer.
        let (_, found) = s.select_packages("other".into(), |_, _| true);
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn page_bodies_are_kept_until_any_change() {
        let mut s = State::new(Clock::new());
        let all = |_: &State, _: &Package| true;
        let writes = std::cell::Cell::new(0);
        let body = |s: &mut State, page: u64, text: &str| {
            let (s, _) = s.select_packages("q".into(), all);
            let out = s.selection_page(page, 100, || {
                writes.set(writes.get() + 1);
                text.as_bytes().to_vec()
            });
            String::from_utf8(out.to_vec()).unwrap()
        };
        assert_eq!(body(&mut s, 1, "one"), "one");
        // Asked again: kept, not written again. Another page is its own.
        assert_eq!(body(&mut s, 1, "not written"), "one");
        assert_eq!(body(&mut s, 2, "two"), "two");
        assert_eq!(writes.get(), 2);
        // Any change drops every kept body.
        s.add_package(PackageSpec::new("acme", "a", "container"))
            .unwrap();
        assert_eq!(body(&mut s, 1, "one again"), "one again");
        assert_eq!(writes.get(), 3);
        // Another question starts with none kept.
        let (s2, _) = s.select_packages("other".into(), all);
        assert_eq!(&*s2.selection_page(1, 100, || b"other".to_vec()), b"other");
    }

    #[test]
    fn read_bodies_are_kept_until_any_change() {
        let mut s = State::new(Clock::new());
        let read = |s: &State, shown: Shown, text: &str| {
            String::from_utf8(s.read_body(shown, || text.as_bytes().to_vec()).to_vec()).unwrap()
        };
        assert_eq!(read(&s, Shown::Package(1), "p1"), "p1");
        // Read again: kept. Each object is its own, packages and versions apart.
        assert_eq!(read(&s, Shown::Package(1), "not written"), "p1");
        assert_eq!(read(&s, Shown::Package(2), "p2"), "p2");
        assert_eq!(read(&s, Shown::Version(1), "v1"), "v1");
        assert_eq!(read(&s, Shown::Version(1), "not written"), "v1");
        // Any change drops every kept body, of any object.
        let id = s
            .add_package(PackageSpec::new("acme", "a", "container"))
            .unwrap();
        assert_eq!(read(&s, Shown::Package(1), "p1 again"), "p1 again");
        assert_eq!(read(&s, Shown::Version(1), "v1 again"), "v1 again");
        // Changing a package through its handle is a change too.
        s.package_by_id_mut(id).unwrap().name = "b".into();
        assert_eq!(read(&s, Shown::Package(1), "p1 third"), "p1 third");
    }
}
