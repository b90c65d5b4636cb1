//! The demo dataset served by `Fixture::demo()` and by the binary.
//!
//! Everything here is deterministic: fixed ids, fixed timestamps counted from
//! 2024-01-01T00:00:00Z, and digests derived from fixed seeds (real `sha256:`
//! digests of deterministic manifests for `api/server` and `popular-image`).
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
//! - 1012 octocat container `popular-image`: public; 10121 (`1.0`, `latest`) has 12,000
//!   downloads (neither it nor the package can be deleted), 10122 is untagged. Real manifests.
//! - 2001 acme container `api/server` (repository `acme/api`): real manifests (built with
//!   [`crate::oci`]; every version's name is its manifest's digest), a graph covering what a
//!   cleanup must understand. Newest first, as the REST listing orders them (hour = hours
//!   after the base time):
//!
//!   | id | tags | kind | children / subject | hour |
//!   |---|---|---|---|---|
//!   | 5000000001 | `latest`, `1.2.0` | index | 20012, 20013, 20014 | 400 |
//!   | 200121 | `sha256-<hex of 20012>` | referrers-tag index | 200120 | 400 |
//!   | 200120 | | sigstore bundle (OCI 1.1) | subject 20012 | 400 |
//!   | 20019 | `sha256-<hex of 5000000001>.sig` | cosign signature | subject 5000000001 | 400 |
//!   | 20014 | | buildx attestation (`unknown/unknown`) | attests 20012 | 400 |
//!   | 20013 | | image linux/arm64 | | 400 |
//!   | 20012 | | image linux/amd64, shared by 1.2.0 and 1.1.0 | | 400 |
//!   | 200160 | `sha256-<hex>.sig` | orphaned cosign signature | subject absent | 370 |
//!   | 200151 | | image linux/amd64 | | 360 |
//!   | 200150 | | partial index | 200151 and an absent arm64 image | 360 |
//!   | 200140 | | ghost index | two absent images | 350 |
//!   | 20018 | | image linux/arm64 (1.1.0's) | | 300 |
//!   | 20015 | `1.1.0` | index | 20012, 20018 | 300 |
//!   | 200134 | | image linux/arm64 | | 250 |
//!   | 200133 | | image linux/amd64 | | 250 |
//!   | 200132 | | index | 200134 | 250 |
//!   | 200131 | | index | 200133 | 250 |
//!   | 200130 | `nested` | index of indexes | 200131, 200132 | 250 |
//!   | 20016 | `1.0.0` | image linux/amd64 | | 200 |
//!   | 20017 | `0.9.0` | image linux/amd64, deleted long ago | | 150 |
//!
//!   Downloads: 5000000001 320, 20015 75, 20016 40, the others 0.
//! - 2008 acme container `only-tag`: one tagged (20081) and one untagged (20082) version.
//! - 2009 acme npm `single-version`: exactly one version (20091).
//! - 2011 acme container `org-repo/sub/image`: a name with two slashes.
//! - 3001-3260 acme containers `service-001`..`service-260`: every fifth one private.
//!
//! Only `api/server` and `popular-image` have manifests; the registry answers
//! `MANIFEST_UNKNOWN` for the other container versions (their names are made-up digests).

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::fixture::{Fixture, OrgSpec, PackageSpec, TokenKind, TokenSpec, UserSpec, VersionSpec};
use crate::oci::{self, Manifest};

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

/// A version serving a real manifest, named by its digest.
fn real(id: u64, m: &Manifest, tags: &[&str], hours: i64) -> VersionSpec {
    VersionSpec::from(m).id(id).tags(tags).created_at(at(hours))
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
            generated: Vec::new(),
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
        popular_image(pkg(1012, "popular-image", "container", "public")),
    ]
}

/// A public image too popular to delete: 10121 has 12,000 downloads.
fn popular_image(pkg: PackageSpec) -> PackageSpec {
    let old = oci::image_with_seed("linux/amd64", "popular-image 0.9");
    let current = oci::image_with_seed("linux/amd64", "popular-image 1.0");
    pkg.repository("octocat/popular-image")
        .version(real(10122, &old, &[], 20).downloads(7))
        .version(real(10121, &current, &["1.0", "latest"], 24).downloads(12_000))
}

/// acme's `api/server`: the graph of the module docs' table.
fn api_server(pkg: PackageSpec) -> PackageSpec {
    let seeded = oci::image_with_seed;
    let amd64 = seeded("linux/amd64", "api/server 1.2.0");
    let arm64 = seeded("linux/arm64", "api/server 1.2.0");
    let attestation = oci::buildx_attestation(&amd64);
    let latest = oci::index(&[&amd64, &arm64, &attestation]);
    let arm64_110 = seeded("linux/arm64", "api/server 1.1.0");
    let v110 = oci::index(&[&amd64, &arm64_110]);
    let v100 = seeded("linux/amd64", "api/server 1.0.0");
    let v090 = seeded("linux/amd64", "api/server 0.9.0");
    let sig = oci::cosign_sig(&latest);
    let bundle = oci::sigstore_bundle(&amd64);
    let referrers = oci::referrers_tag_index(&amd64, &[&bundle]);
    let nested_amd64 = seeded("linux/amd64", "api/server nested");
    let nested_arm64 = seeded("linux/arm64", "api/server nested");
    let inner_amd64 = oci::index(&[&nested_amd64]);
    let inner_arm64 = oci::index(&[&nested_arm64]);
    let nested = oci::nested_index(&[&inner_amd64, &inner_arm64]);
    let ghost = oci::index(&[
        &seeded("linux/amd64", "api/server ghost"),
        &seeded("linux/arm64", "api/server ghost"),
    ]);
    let partial_amd64 = seeded("linux/amd64", "api/server partial");
    let partial = oci::index(&[&partial_amd64, &seeded("linux/arm64", "api/server partial")]);
    let gone = seeded("linux/amd64", "api/server gone");
    let orphan = oci::cosign_sig(&gone);
    let orphan_tag = oci::sig_tag(&gone.digest);
    pkg.repository("acme/api")
        .version(real(20016, &v100, &["1.0.0"], 200).downloads(40))
        .version(real(20017, &v090, &["0.9.0"], 150).deleted_at(at(24 * 60)))
        .version(real(20015, &v110, &["1.1.0"], 300).downloads(75))
        .version(real(20018, &arm64_110, &[], 300).description("linux/arm64 of 1.1.0"))
        .version(
            real(5_000_000_001, &latest, &["latest", "1.2.0"], 400)
                .downloads(320)
                .description("Multi-arch index for linux/amd64 and linux/arm64"),
        )
        .version(real(20012, &amd64, &[], 400).description("linux/amd64"))
        .version(real(20013, &arm64, &[], 400).description("linux/arm64"))
        .version(real(20014, &attestation, &[], 400).description("attestation manifest"))
        .version(
            real(20019, &sig, &[&oci::sig_tag(&latest.digest)], 400)
                .description("cosign signature of latest"),
        )
        .version(real(200120, &bundle, &[], 400).description("sigstore bundle of linux/amd64"))
        .version(
            real(
                200121,
                &referrers,
                &[&oci::referrers_tag(&amd64.digest)],
                400,
            )
            .description("referrers of linux/amd64"),
        )
        .version(real(200130, &nested, &["nested"], 250).description("an index of indexes"))
        .version(real(200131, &inner_amd64, &[], 250))
        .version(real(200132, &inner_arm64, &[], 250))
        .version(real(200133, &nested_amd64, &[], 250))
        .version(real(200134, &nested_arm64, &[], 250))
        .version(real(200140, &ghost, &[], 350).description("ghost: its images are gone"))
        .version(real(200150, &partial, &[], 360).description("partial: one image is gone"))
        .version(real(200151, &partial_amd64, &[], 360))
        .version(
            real(200160, &orphan, &[&orphan_tag], 370).description("signature of a gone image"),
        )
}

fn acme_packages() -> Vec<PackageSpec> {
    let pkg = |id: u64, name: &str, ty: &str, vis: &str| {
        PackageSpec::new("acme", name, ty)
            .id(id)
            .visibility(vis)
            .created_at(at((id - 2000) as i64 + 100))
    };
    let mut out = vec![
        api_server(pkg(2001, "api/server", "container", "private")),
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
