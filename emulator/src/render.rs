//! JSON bodies shaped like GitHub's: packages, versions, owners, repositories, errors.
//!
//! `url` and `html_url` fields point at `https://api.github.com` and
//! `https://github.com` exactly as GitHub's do; only `link` headers point back
//! at the emulator.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};

use crate::auth::base64_encode;
use crate::state::{Account, AccountKind, Package, State, Version};

/// GitHub's API origin, used in `url` fields.
pub(crate) const API: &str = "https://api.github.com";
/// GitHub's web origin, used in `html_url` fields.
pub(crate) const WEB: &str = "https://github.com";
/// The generic documentation link of error bodies.
pub(crate) const DOCS: &str = "https://docs.github.com/rest";
/// The documentation link of packages errors.
pub(crate) const PACKAGES_DOCS: &str = "https://docs.github.com/rest/packages/packages";

/// Everything except RFC 3986 unreserved characters is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment (a `/` in a name becomes `%2F`).
pub(crate) fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// RFC 3339 with a `Z` suffix and whole seconds, as GitHub writes timestamps.
pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A GitHub error body: `{"message", "documentation_url", "status"}`.
pub(crate) fn error_body(status: u16, message: &str, docs: &str) -> Value {
    json!({
        "message": message,
        "documentation_url": docs,
        "status": status.to_string(),
    })
}

fn account_type(a: &Account) -> &'static str {
    match a.kind {
        AccountKind::Organization => "Organization",
        AccountKind::User if a.login.ends_with("[bot]") => "Bot",
        AccountKind::User => "User",
    }
}

/// The `simple-user` object of an account.
pub(crate) fn simple_user(a: &Account) -> Value {
    let node = match a.kind {
        AccountKind::Organization => format!("012:Organization{}", a.id),
        AccountKind::User => format!("04:User{}", a.id),
    };
    let u = format!("{API}/users/{}", encode_segment(&a.login));
    json!({
        "login": a.login,
        "id": a.id,
        "node_id": base64_encode(node.as_bytes()),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", a.id),
        "gravatar_id": "",
        "url": u,
        "html_url": format!("{WEB}/{}", encode_segment(&a.login)),
        "followers_url": format!("{u}/followers"),
        "following_url": format!("{u}/following{{/other_user}}"),
        "gists_url": format!("{u}/gists{{/gist_id}}"),
        "starred_url": format!("{u}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{u}/subscriptions"),
        "organizations_url": format!("{u}/orgs"),
        "repos_url": format!("{u}/repos"),
        "events_url": format!("{u}/events{{/privacy}}"),
        "received_events_url": format!("{u}/received_events"),
        "type": account_type(a),
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// The `public-user` object of `GET /user` (GitHub's authenticated user,
/// without the private fields a token with the `user` scope would add).
pub(crate) fn authenticated_user(a: &Account) -> Value {
    let mut m = match simple_user(a) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    m.insert("name".into(), json!(a.name));
    for key in [
        "company",
        "location",
        "email",
        "hireable",
        "bio",
        "twitter_username",
    ] {
        m.insert(key.into(), Value::Null);
    }
    m.insert("blog".into(), json!(""));
    for key in ["public_repos", "public_gists", "followers", "following"] {
        m.insert(key.into(), json!(0));
    }
    m.insert("created_at".into(), json!("2008-01-14T04:33:35Z"));
    m.insert("updated_at".into(), json!("2008-01-14T04:33:35Z"));
    Value::Object(m)
}

/// The URL templates of a `minimal-repository`, relative to the repository's API URL.
const REPO_URLS: [(&str, &str); 36] = [
    ("archive_url", "/{archive_format}{/ref}"),
    ("assignees_url", "/assignees{/user}"),
    ("blobs_url", "/git/blobs{/sha}"),
    ("branches_url", "/branches{/branch}"),
    ("collaborators_url", "/collaborators{/collaborator}"),
    ("comments_url", "/comments{/number}"),
    ("commits_url", "/commits{/sha}"),
    ("compare_url", "/compare/{base}...{head}"),
    ("contents_url", "/contents/{+path}"),
    ("contributors_url", "/contributors"),
    ("deployments_url", "/deployments"),
    ("downloads_url", "/downloads"),
    ("events_url", "/events"),
    ("forks_url", "/forks"),
    ("git_commits_url", "/git/commits{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"),
    ("git_tags_url", "/git/tags{/sha}"),
    ("hooks_url", "/hooks"),
    ("issue_comment_url", "/issues/comments{/number}"),
    ("issue_events_url", "/issues/events{/number}"),
    ("issues_url", "/issues{/number}"),
    ("keys_url", "/keys{/key_id}"),
    ("labels_url", "/labels{/name}"),
    ("languages_url", "/languages"),
    ("merges_url", "/merges"),
    ("milestones_url", "/milestones{/number}"),
    (
        "notifications_url",
        "/notifications{?since,all,participating}",
    ),
    ("pulls_url", "/pulls{/number}"),
    ("releases_url", "/releases{/id}"),
    ("stargazers_url", "/stargazers"),
    ("statuses_url", "/statuses/{sha}"),
    ("subscribers_url", "/subscribers"),
    ("subscription_url", "/subscription"),
    ("tags_url", "/tags"),
    ("teams_url", "/teams"),
    ("trees_url", "/git/trees{/sha}"),
];

/// The `minimal-repository` object of a repository named by a package, if known.
pub(crate) fn minimal_repository(state: &State, full_name: &str) -> Option<Value> {
    let (id, full) = state.repository(full_name)?;
    let (owner_login, name) = full.split_once('/')?;
    let owner = state.account(owner_login)?;
    let api = format!("{API}/repos/{full}");
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    let node = format!("010:Repository{id}");
    m.insert("node_id".into(), json!(base64_encode(node.as_bytes())));
    m.insert("name".into(), json!(name));
    m.insert("full_name".into(), json!(full));
    m.insert("private".into(), json!(false));
    m.insert("owner".into(), simple_user(owner));
    m.insert("html_url".into(), json!(format!("{WEB}/{full}")));
    m.insert("description".into(), Value::Null);
    m.insert("fork".into(), json!(false));
    m.insert("url".into(), json!(api));
    for (key, suffix) in REPO_URLS {
        m.insert(key.into(), json!(format!("{api}{suffix}")));
    }
    m.insert(
        "git_url".into(),
        json!(format!("git://github.com/{full}.git")),
    );
    m.insert(
        "ssh_url".into(),
        json!(format!("git@github.com:{full}.git")),
    );
    m.insert("clone_url".into(), json!(format!("{WEB}/{full}.git")));
    m.insert("visibility".into(), json!("public"));
    Some(Value::Object(m))
}

/// `orgs/acme` or `users/octocat`, the owner part of package URLs.
fn owner_path(state: &State, p: &Package) -> String {
    let kind = match state.account(&p.owner).map(|a| a.kind) {
        Some(AccountKind::Organization) => "orgs",
        _ => "users",
    };
    let login = state
        .account(&p.owner)
        .map_or(p.owner.as_str(), |a| a.login.as_str());
    format!("{kind}/{}", encode_segment(login))
}

/// The package's API URL.
pub(crate) fn package_url(state: &State, p: &Package) -> String {
    format!(
        "{API}/{}/packages/{}/{}",
        owner_path(state, p),
        p.package_type,
        encode_segment(&p.name)
    )
}

/// The package's web page.
pub(crate) fn package_html_url(state: &State, p: &Package) -> String {
    format!(
        "{WEB}/{}/packages/{}/package/{}",
        owner_path(state, p),
        p.package_type,
        encode_segment(&p.name)
    )
}

/// The JSON of a package. `internal` packages show as `private`: the field only
/// takes `public` or `private`.
pub(crate) fn package(state: &State, p: &Package) -> Value {
    Packages::new(state).render(p)
}

/// Renders packages, building each owner and repository object once (a
/// page of one org's packages repeats the same owner a hundred times).
pub(crate) struct Packages<'s> {
    state: &'s State,
    owners: HashMap<&'s str, Option<usize>>,
    repositories: HashMap<&'s str, Option<usize>>,
    /// Each distinct owner and repository object.
    objects: Vec<Value>,
}

/// A package's fields, with `null` standing in for its owner and
/// repository, and which of [`Packages`]' objects each of those stands for.
type Fields = (Map<String, Value>, Vec<(&'static str, usize)>);

impl<'s> Packages<'s> {
    pub(crate) fn new(state: &'s State) -> Self {
        Packages {
            state,
            owners: HashMap::new(),
            repositories: HashMap::new(),
            objects: Vec::new(),
        }
    }

    /// The JSON of `p`, as [`package`] renders it.
    pub(crate) fn render(&mut self, p: &'s Package) -> Value {
        let (mut m, shared) = self.fields(p);
        for (key, at) in shared {
            if let Some(slot) = m.get_mut(key) {
                *slot = self.objects[at].clone();
            }
        }
        Value::Object(m)
    }

    /// A page of `packages`, each as [`Packages::render`] renders it, with
    /// each distinct owner and repository serialized once.
    pub(crate) fn page(mut self, packages: impl IntoIterator<Item = &'s Package>) -> PackagePage {
        let items = packages.into_iter().map(|p| self.fields(p)).collect();
        let objects = self.objects.iter().map(Value::to_string).collect();
        PackagePage { items, objects }
    }

    fn fields(&mut self, p: &'s Package) -> Fields {
        let state = self.state;
        let objects = &mut self.objects;
        let mut shared = Vec::new();
        let mut m = Map::new();
        m.insert("id".into(), json!(p.id));
        m.insert("name".into(), json!(p.name));
        m.insert("package_type".into(), json!(p.package_type));
        let owner = *self.owners.entry(&p.owner).or_insert_with(|| {
            let owner = state.account(&p.owner).map(simple_user)?;
            objects.push(owner);
            Some(objects.len() - 1)
        });
        if let Some(at) = owner {
            m.insert("owner".into(), Value::Null);
            shared.push(("owner", at));
        }
        m.insert("version_count".into(), json!(p.version_count()));
        let visibility = if p.visibility == "public" {
            "public"
        } else {
            "private"
        };
        m.insert("visibility".into(), json!(visibility));
        m.insert("url".into(), json!(package_url(state, p)));
        m.insert("created_at".into(), json!(timestamp(p.created_at)));
        m.insert("updated_at".into(), json!(timestamp(p.updated_at)));
        if let Some(full_name) = p.repository.as_deref() {
            let repo = *self.repositories.entry(full_name).or_insert_with(|| {
                let repo = minimal_repository(state, full_name)?;
                objects.push(repo);
                Some(objects.len() - 1)
            });
            if let Some(at) = repo {
                m.insert("repository".into(), Value::Null);
                shared.push(("repository", at));
            }
        }
        m.insert("html_url".into(), json!(package_html_url(state, p)));
        (m, shared)
    }
}

/// A listing page of packages as a response body: the JSON array
/// [`Packages::render`] would give, written with each shared owner and
/// repository serialized once instead of once per package.
#[derive(Clone, Debug)]
pub(crate) struct PackagePage {
    items: Vec<Fields>,
    /// The JSON text of each shared object.
    objects: Vec<String>,
}

impl PackagePage {
    /// The page's JSON text.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1024 * self.items.len().max(1));
        out.push(b'[');
        for (i, (fields, shared)) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'{');
            for (j, (key, value)) in fields.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                write_json(&mut out, key);
                out.push(b':');
                match shared.iter().find(|(k, _)| k == key) {
                    Some(&(_, at)) => out.extend_from_slice(self.objects[at].as_bytes()),
                    None => write_json(&mut out, value),
                }
            }
            out.push(b'}');
        }
        out.push(b']');
        out
    }
}

/// Appends the JSON of `value`. Serializing a string or a `Value` into a
/// `Vec` cannot fail (`Value` keys are strings, and a `Vec` takes any write).
fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let written = serde_json::to_writer(out, value);
    debug_assert!(written.is_ok());
}

/// The JSON of a version. Container tags go to `metadata.container.tags`; docker
/// tags to `metadata.docker.tag` and, because the schema requires it, `tags`.
pub(crate) fn version(state: &State, p: &Package, v: &Version) -> Value {
    let package_html = package_html_url(state, p);
    let html_url = match p.package_type.as_str() {
        "container" | "docker" => format!(
            "{WEB}/{}/packages/{}/{}/{}",
            owner_path(state, p),
            p.package_type,
            encode_segment(&p.name),
            v.id
        ),
        _ => format!("{package_html}?version={}", encode_segment(&v.name)),
    };
    let mut metadata = Map::new();
    metadata.insert("package_type".into(), json!(p.package_type));
    match p.package_type.as_str() {
        "container" => {
            metadata.insert("container".into(), json!({ "tags": v.tags }));
        }
        "docker" => {
            metadata.insert("docker".into(), json!({ "tag": v.tags, "tags": v.tags }));
        }
        _ => {}
    }
    let mut m = Map::new();
    m.insert("id".into(), json!(v.id));
    m.insert("name".into(), json!(v.name));
    m.insert(
        "url".into(),
        json!(format!("{}/versions/{}", package_url(state, p), v.id)),
    );
    m.insert("package_html_url".into(), json!(package_html));
    m.insert("created_at".into(), json!(timestamp(v.created_at)));
    m.insert("updated_at".into(), json!(timestamp(v.updated_at)));
    if let Some(d) = &v.description {
        m.insert("description".into(), json!(d));
    }
    if let Some(l) = &v.license {
        m.insert("license".into(), json!(l));
    }
    if let Some(t) = v.deleted_at {
        m.insert("deleted_at".into(), json!(timestamp(t)));
    }
    m.insert("html_url".into(), json!(html_url));
    m.insert("metadata".into(), Value::Object(metadata));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_whole_seconds_with_z() {
        let t = DateTime::parse_from_rfc3339("2024-02-29T23:59:58.75+01:00").unwrap();
        assert_eq!(timestamp(t.with_timezone(&Utc)), "2024-02-29T22:59:58Z");
    }

    #[test]
    fn a_page_is_the_array_of_its_packages_rendered_one_by_one() {
        let mut s = State::new(crate::clock::Clock::new());
        s.add_org("acme", &["octocat"], &[]).unwrap();
        s.add_user("mona").unwrap();
        let specs = [
            ("acme", "api", Some("acme/api")),
            ("acme", "web", Some("acme/web")),
            ("acme", "worker", Some("acme/api")),
            ("mona", "tool", None),
            ("acme", "solo", None),
        ];
        for (owner, name, repo) in specs {
            let mut spec = crate::fixture::PackageSpec::new(owner, name, "container");
            spec.repository = repo.map(str::to_owned);
            s.add_package(spec).unwrap();
        }
        let one_by_one: Vec<Value> = s.packages().iter().map(|p| package(&s, p)).collect();
        assert!(one_by_one[0]["owner"]["login"] == "acme");
        assert!(one_by_one[2]["repository"]["full_name"] == "acme/api");
        assert!(one_by_one[3]["owner"]["login"] == "mona");
        assert!(one_by_one[4].get("repository").is_none());
        let page = Packages::new(&s).page(s.packages()).to_json();
        // Byte for byte: the same keys, in the same order, with the same values.
        assert_eq!(
            String::from_utf8(page).unwrap(),
            Value::Array(one_by_one).to_string()
        );
        assert_eq!(Packages::new(&s).page([]).to_json(), b"[]");
    }

    #[test]
    fn segments_encode_everything_reserved() {
        assert_eq!(encode_segment("repo/image"), "repo%2Fimage");
        assert_eq!(encode_segment("a b%?#"), "a%20b%25%3F%23");
        assert_eq!(encode_segment("café"), "caf%C3%A9");
        assert_eq!(encode_segment("a-b.c_d~"), "a-b.c_d~");
    }
}
