//! The demo dataset served by `Fixture::demo()` and by the binary.
//!
//! Everything here is deterministic: fixed ids, fixed timestamps counted from
//! 2024-01-01T00:00:00Z, and digests derived from fixed seeds.
//!
//! Accounts: users `octocat` (id 1) and `hubot` (id 2), the Actions bot
//! `github-actions[bot]` (id 41898282), and the organization `acme` (id 100;
//! admin `octocat`, member `hubot`).
//!
//! Notable packages (id, owner, type, name):
//! - 1001 octocat npm `hello-world`: public, version 10011 `1.0.0` has 12,000 downloads.
//! - 1004 octocat docker `octo-image`, 2005 acme docker `legacy-api`: migration conflicts.
//! - 1007 `my app` (space), 1008 `café-ünïcode`, 1009 npm `100%-pure`, 1010 `what?#hash`.
//! - 1011 octocat npm `old-lib`: deleted long ago (not restorable).
//! - 2001 acme container `api/server` (repository `acme/api`): version 5000000001 is the
//!   tagged index (`latest`, `1.2.0`), 20012-20014 its untagged children, 20015 `1.1.0`,
//!   20016 `1.0.0`, 20017 `0.9.0` deleted long ago.
//! - 2008 acme container `only-tag`: one tagged (20081) and one untagged (20082) version.
//! - 2009 acme npm `single-version`: exactly one version (20091).
//! - 2011 acme container `org-repo/sub/image`: a name with two slashes.
//! - 3001-3260 acme containers `service-001`..`service-260`: every fifth one private.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::fixture::{Fixture, OrgSpec, PackageSpec, TokenKind, TokenSpec, UserSpec, VersionSpec};

/// `octocat`'s classic token with `read:packages`, `write:packages`, `delete:packages` and `repo`.
pub const DEMO_TOKEN: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
/// `octocat`'s classic token with only `read:packages`.
pub const READ_ONLY_TOKEN: &str = "ghp_p346YDhSYt5Mv7O5AOvZN3FAsOOwOSnUTfJL";
/// `octocat`'s classic token with no scopes at all.
pub const NO_SCOPES_TOKEN: &str = "ghp_pP52NYaCD4P5cGB5737GAiLPcMKaGZlYQ6AP";
/// `hubot`'s classic token with every packages scope and `repo` (a plain member of `acme`).
pub const HUBOT_TOKEN: &str = "ghp_eQN46QlAT4ZNyEXjCO37CmMQd2WrNUyFY3TX";
/// `octocat`'s OAuth app token with the same scopes as [`DEMO_TOKEN`].
pub const OAUTH_TOKEN: &str = "gho_nYYgYUkRO7FFuGLi72lLJvZHqM5pEIkOV4ES";
/// `octocat`'s fine-grained personal access token (refused by the Packages API).
pub const FINE_GRAINED_TOKEN: &str =
    "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";
/// A GitHub App installation token (refused by the Packages API).
pub const APP_TOKEN: &str = "ghs_uFZm5XfOI5DUwYK4KTkRBjOYjKG6UMbS5fMF";
/// An Actions `GITHUB_TOKEN` for the repository `acme/api`.
pub const ACTIONS_TOKEN: &str = "ghs_fMG43VaACyEWxBJnTVnXTxRK2VYcJHoI4tKO";
/// `octocat`'s GitHub App user-to-server token (refused by the Packages API).
pub const USER_TO_SERVER_TOKEN: &str = "ghu_iMSaULlW7mQUg2HiR2pNFfGQy6HzDYqHBlBQ";

/// One token of the demo dataset, as the bindings publish it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoToken {
    /// A snake_case name (`read_only`): Python's constant is `READ_ONLY_TOKEN`,
    /// Node's key `readOnly`.
    pub name: &'static str,
    /// The secret, as sent in `Authorization`.
    pub token: &'static str,
    /// One line on who the token is and what it may do.
    pub description: &'static str,
}

/// Every token of the demo dataset, [`DEMO_TOKEN`] first: the one table the
/// bindings generate their token constants from.
pub const DEMO_TOKENS: &[DemoToken] = &[
    DemoToken {
        name: "demo",
        token: DEMO_TOKEN,
        description: "octocat's classic token with read, write and delete scopes and `repo`",
    },
    DemoToken {
        name: "read_only",
        token: READ_ONLY_TOKEN,
        description: "octocat's classic token with only `read:packages`",
    },
    DemoToken {
        name: "no_scopes",
        token: NO_SCOPES_TOKEN,
        description: "octocat's classic token with no scopes",
    },
    DemoToken {
        name: "hubot",
        token: HUBOT_TOKEN,
        description: "hubot's classic token with every scope (a plain member of `acme`)",
    },
    DemoToken {
        name: "oauth",
        token: OAUTH_TOKEN,
        description: "octocat's OAuth app token with the demo token's scopes",
    },
    DemoToken {
        name: "fine_grained",
        token: FINE_GRAINED_TOKEN,
        description: "octocat's fine-grained token (refused by the Packages API)",
    },
    DemoToken {
        name: "app",
        token: APP_TOKEN,
        description: "a GitHub App installation token (refused by the Packages API)",
    },
    DemoToken {
        name: "actions",
        token: ACTIONS_TOKEN,
        description: "an Actions `GITHUB_TOKEN` of the repository `acme/api`",
    },
    DemoToken {
        name: "user_to_server",
        token: USER_TO_SERVER_TOKEN,
        description: "octocat's GitHub App user-to-server token (refused by the Packages API)",
    },
];

const ALL_SCOPES: &[&str] = &["read:packages", "write:packages", "delete:packages", "repo"];

/// The fixed origin of every demo timestamp: 2024-01-01T00:00:00Z.
pub fn demo_base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn at(hours: i64) -> DateTime<Utc> {
    demo_base_time() + Duration::hours(hours)
}

/// A deterministic, realistic-looking manifest digest (`sha256:` + 64 hex digits) for `seed`.
pub fn digest(seed: &str) -> String {
    // FNV-1a for the seed, then splitmix64 to spread it over 256 bits.
    let mut state = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut out = String::from("sha256:");
    for _ in 0..4 {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.push_str(&format!("{z:016x}"));
    }
    out
}

fn semver(id: u64, name: &str, hours: i64, downloads: u64) -> VersionSpec {
    VersionSpec::new(name)
        .id(id)
        .created_at(at(hours))
        .downloads(downloads)
}

fn image(id: u64, seed: &str, tags: &[&str], hours: i64) -> VersionSpec {
    VersionSpec::new(&digest(seed))
        .id(id)
        .tags(tags)
        .created_at(at(hours))
}

impl Fixture {
    /// The demo dataset (see the [`crate::demo`] module docs for what it holds).
    pub fn demo() -> Fixture {
        let mut f = Fixture {
            users: vec![
                user("octocat", 1, Some("The Octocat")),
                user("hubot", 2, Some("Hubot")),
                user("github-actions[bot]", 41_898_282, None),
            ],
            orgs: vec![OrgSpec {
                login: "acme".into(),
                id: Some(100),
                admins: vec!["octocat".into()],
                members: vec!["hubot".into()],
            }],
            tokens: vec![
                TokenSpec::classic(DEMO_TOKEN, "octocat", ALL_SCOPES),
                TokenSpec::classic(READ_ONLY_TOKEN, "octocat", &["read:packages"]),
                TokenSpec::classic(NO_SCOPES_TOKEN, "octocat", &[]),
                TokenSpec::classic(HUBOT_TOKEN, "hubot", ALL_SCOPES),
                TokenSpec::oauth(OAUTH_TOKEN, "octocat", ALL_SCOPES),
                TokenSpec::fine_grained(FINE_GRAINED_TOKEN, "octocat"),
                TokenSpec::app(APP_TOKEN, "octocat"),
                TokenSpec::actions(ACTIONS_TOKEN, "acme/api"),
                TokenSpec::new(USER_TO_SERVER_TOKEN, "octocat", TokenKind::UserToServer),
            ],
            packages: Vec::new(),
        };
        f.packages.extend(octocat_packages());
        f.packages.extend(acme_packages());
        f
    }
}

fn user(login: &str, id: u64, name: Option<&str>) -> UserSpec {
    UserSpec {
        login: login.into(),
        id: Some(id),
        name: name.map(str::to_owned),
    }
}

fn octocat_packages() -> Vec<PackageSpec> {
    let pkg = |id: u64, name: &str, ty: &str, vis: &str| {
        PackageSpec::new("octocat", name, ty)
            .id(id)
            .visibility(vis)
            .created_at(at((id - 1000) as i64))
    };
    vec![
        pkg(1001, "hello-world", "npm", "public")
            .repository("octocat/hello-world")
            .version(
                semver(10011, "1.0.0", 24, 12_000)
                    .license("MIT")
                    .description("The first release"),
            )
            .version(semver(10012, "1.0.1", 48, 300).license("MIT"))
            .version(semver(10013, "1.1.0", 72, 42).license("MIT")),
        pkg(1002, "com.octocat.hello", "maven", "private")
            .repository("octocat/hello-maven")
            .version(semver(10021, "1.0", 24, 5))
            .version(semver(10022, "1.1", 48, 2)),
        pkg(1003, "octo-gem", "rubygems", "public")
            .repository("octocat/octo-gem")
            .version(semver(10031, "0.1.0", 24, 10))
            .version(semver(10032, "0.2.0", 48, 7)),
        pkg(1004, "octo-image", "docker", "private")
            .repository("octocat/octo-image")
            .migration_conflict(true)
            .version(image(10041, "octo-image:v1", &["v1"], 24))
            .version(image(10042, "octo-image:latest", &["latest"], 48)),
        pkg(1005, "Octo.Core", "nuget", "public")
            .repository("octocat/octo-core")
            .version(semver(10051, "1.0.0", 24, 100))
            .version(semver(10052, "2.0.0", 48, 80)),
        pkg(1006, "hello-container", "container", "public")
            .repository("octocat/hello-world")
            .version(image(10061, "hello-container:1.0", &["1.0"], 24))
            .version(image(10062, "hello-container:latest", &["latest"], 48))
            .version(image(10063, "hello-container:untagged", &[], 49)),
        pkg(1007, "my app", "container", "private")
            .version(image(10071, "my app:1", &["1"], 24))
            .version(image(10072, "my app:2", &["2", "latest"], 48)),
        pkg(1008, "café-ünïcode", "container", "public").version(image(
            10081,
            "café-ünïcode",
            &["latest"],
            24,
        )),
        pkg(1009, "100%-pure", "npm", "public")
            .version(semver(10091, "1.0.0", 24, 3))
            .version(semver(10092, "1.0.1", 48, 1)),
        pkg(1010, "what?#hash", "container", "private")
            .version(image(10101, "what?#hash:latest", &["latest"], 24))
            .version(image(10102, "what?#hash:child", &[], 25)),
        pkg(1011, "old-lib", "npm", "private")
            .version(semver(10111, "0.1.0", 24, 0))
            .deleted_at(at(24 * 45)),
    ]
}

fn acme_packages() -> Vec<PackageSpec> {
    let pkg = |id: u64, name: &str, ty: &str, vis: &str| {
        PackageSpec::new("acme", name, ty)
            .id(id)
            .visibility(vis)
            .created_at(at((id - 2000) as i64 + 100))
    };
    let mut out = vec![
        pkg(2001, "api/server", "container", "private")
            .repository("acme/api")
            .version(image(20016, "api/server:1.0.0", &["1.0.0"], 200).downloads(40))
            .version(image(20017, "api/server:0.9.0", &["0.9.0"], 150).deleted_at(at(24 * 60)))
            .version(image(20015, "api/server:1.1.0", &["1.1.0"], 300).downloads(75))
            .version(
                image(5_000_000_001, "api/server:1.2.0", &["latest", "1.2.0"], 400)
                    .downloads(320)
                    .description("Multi-arch index for linux/amd64 and linux/arm64"),
            )
            .version(image(20012, "api/server:1.2.0/amd64", &[], 400).description("linux/amd64"))
            .version(image(20013, "api/server:1.2.0/arm64", &[], 400).description("linux/arm64"))
            .version(
                image(20014, "api/server:1.2.0/attestation", &[], 400)
                    .description("attestation manifest"),
            ),
        pkg(2002, "ui-kit", "npm", "private")
            .repository("acme/web")
            .version(semver(20021, "2.0.0", 200, 15))
            .version(semver(20022, "2.1.0", 300, 9))
            .version(semver(20023, "3.0.0", 400, 4)),
        pkg(2003, "com.acme.core", "maven", "private")
            .repository("acme/core")
            .version(semver(20031, "1.0.0", 200, 3))
            .version(semver(20032, "1.0.1", 300, 1)),
        pkg(2004, "acme-tools", "rubygems", "public")
            .repository("acme/tools")
            .version(semver(20041, "1.0.0", 200, 60))
            .version(semver(20042, "1.1.0", 300, 20)),
        pkg(2005, "legacy-api", "docker", "private")
            .repository("acme/api")
            .migration_conflict(true)
            .version(image(20051, "legacy-api:v0", &["v0"], 200))
            .version(image(20052, "legacy-api:latest", &["latest"], 300)),
        pkg(2006, "legacy-worker", "docker", "private")
            .repository("acme/worker")
            .version(image(20061, "legacy-worker:latest", &["latest"], 200)),
        pkg(2007, "Acme.Sdk", "nuget", "internal")
            .repository("acme/sdk")
            .version(semver(20071, "1.0.0", 200, 8))
            .version(semver(20072, "1.1.0", 300, 6)),
        pkg(2008, "only-tag", "container", "public")
            .repository("acme/api")
            .version(image(20081, "only-tag:stable", &["stable"], 200))
            .version(image(20082, "only-tag:child", &[], 201)),
        pkg(2009, "single-version", "npm", "private")
            .repository("acme/web")
            .version(semver(20091, "0.0.1", 200, 1)),
        pkg(2010, "base images/alpine", "container", "public")
            .version(image(20101, "alpine:3.19", &["3.19"], 200))
            .version(image(20102, "alpine:3.20", &["3.20", "latest"], 300)),
        pkg(2011, "org-repo/sub/image", "container", "private")
            .repository("acme/api")
            .version(image(20111, "org-repo/sub/image:edge", &["edge"], 200)),
    ];
    for i in 1..=260u64 {
        let name = format!("service-{i:03}");
        let vis = if i % 5 == 0 { "private" } else { "public" };
        out.push(
            PackageSpec::new("acme", &name, "container")
                .id(3000 + i)
                .visibility(vis)
                .created_at(at(1000 + i as i64))
                .version(image(30000 + i, &name, &["v1"], 1000 + i as i64)),
        );
    }
    out
}
