//! Generated hostile names: whatever the name, the client reaches exactly
//! that package, in one path segment, and never anything else.

use ghpkg::{Owner, PackageType};
use ghpkg_emulator::{Emulator, Fixture, PackageSpec, TokenSpec, VersionSpec, DEMO_TOKEN};

/// Characters that have broken clients: separators, percent-escapes, query
/// and fragment marks, dots, spaces, quotes, backslashes, and non-ASCII.
const ALPHABET: &[&str] = &[
    "/", "%", "?", "#", ".", "..", " ", "+", "&", "=", ";", ":", "@", "\\", "'", "\"", "<", ">",
    "%2F", "%2e", "%25", "a", "Z", "0", "-", "_", "~", "é", "ü", "名", "😀", "\u{200b}",
];

fn names(count: usize, seed: u64) -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = Vec::new();
    while out.len() < count {
        let len = rng.usize(1..8);
        let name: String = (0..len)
            .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
            .collect();
        // `.` and `..` alone cannot name a package (URL parsers collapse them),
        // and blank names are refused by design.
        if name == "." || name == ".." || name.trim().is_empty() || out.contains(&name) {
            continue;
        }
        out.push(name);
    }
    out
}

#[tokio::test]
async fn every_generated_name_reaches_its_own_package() {
    let names = names(300, 0x5eed);
    let mut fixture = Fixture::empty()
        .user("octocat")
        .org("acme", &["octocat"])
        .token(
            TokenSpec::classic(DEMO_TOKEN, "octocat", &["read:packages", "delete:packages"])
                .rate_limit(1_000_000),
        );
    for (i, name) in names.iter().enumerate() {
        fixture = fixture.package(
            PackageSpec::new("acme", name, "container")
                .id(10_000 + i as u64)
                .version(VersionSpec::new(&format!("sha256:{i:064x}")).tags(&["v1"])),
        );
    }
    let emu = Emulator::builder()
        .fixture(fixture)
        .secondary_points_per_minute(u32::MAX)
        .start()
        .await
        .unwrap();
    let c = crate::common::client(&emu);
    let acme = Owner::org("acme");
    for (i, name) in names.iter().enumerate() {
        emu.clear_requests();
        let pkg = c
            .get_package(&acme, PackageType::Container, name)
            .await
            .unwrap_or_else(|e| panic!("{name:?}: {e}"));
        assert_eq!(&pkg.name, name);
        assert_eq!(pkg.id, 10_000 + i as u64, "{name:?}");
        let r = &emu.requests()[0];
        let segments: Vec<&str> = r.path.split('/').collect();
        assert_eq!(segments.len(), 6, "{name:?} became {}", r.path);
        assert!(r.query.is_none(), "{name:?} added a query: {:?}", r.query);
    }
    // A listing returns every raw name untouched.
    let mut listed: Vec<String> = c
        .list_packages(&acme, PackageType::Container, None)
        .collect_all()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    let mut want = names.clone();
    listed.sort();
    want.sort();
    assert_eq!(listed, want);
}
