//! Retention benchmarks against the emulator, printed as Markdown:
//!
//! 1. Planning one container package of 9,996 versions (2,499 multi-arch
//!    images: an index, two platform images and an attestation each) with
//!    20 ms added to every response, REST and registry alike: cold (every
//!    manifest read, at most 8 in flight) and warm (manifests from the
//!    on-disk cache of the cold run).
//! 2. Applying a plan of 100 deletes at the default pace (150 a minute) and
//!    at GitHub's ceiling (180): the rate achieved against the one asked for.
//!
//! `cargo run --release -p ghpkg-bench --bin retention -- [--runs N]`
//! (`GHPKG_BENCH_BREAKDOWN=1` also times listing the versions alone).

use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use ghpkg::retention::{ApplyOptions, Event, Outcome, PlanOptions, Policy};
use ghpkg::Client;
use ghpkg_emulator::oci;
use ghpkg_emulator::{Emulator, Fixture, PackageSpec, TokenSpec, VersionSpec};

const TOKEN: &str = "ghp_benchmarkbenchmarkbenchmarkbenchmark0";
/// 9,996 versions: GitHub lists at most 10,000 items, and a package whose
/// listing reaches that cap is blocked (ghpkg cannot know it saw everything).
const IMAGES: usize = 2_499;
const LATENCY: Duration = Duration::from_millis(20);
const DELETES: usize = 100;

fn token() -> TokenSpec {
    TokenSpec::classic(
        TOKEN,
        "octocat",
        &["read:packages", "write:packages", "delete:packages"],
    )
    .rate_limit(1_000_000)
}

/// 2,499 images of four versions each, one hour apart; every tenth tagged
/// as a release, the rest as pull-request builds.
fn big_package() -> Fixture {
    let base = Utc::now() - chrono::Duration::days(400);
    let mut pkg = PackageSpec::new("bench", "app", "container").repository("bench/app");
    for i in 0..IMAGES {
        let seed = format!("build {i}");
        let amd64 = oci::image_with_seed("linux/amd64", &seed);
        let arm64 = oci::image_with_seed("linux/arm64", &seed);
        let att = oci::buildx_attestation(&amd64);
        let index = oci::index(&[&amd64, &arm64, &att]);
        let at = base + chrono::Duration::hours(i as i64);
        let tag = if i % 10 == 0 {
            format!("1.{i}.0")
        } else {
            format!("pr-{i}")
        };
        for m in [&amd64, &arm64, &att] {
            pkg = pkg.version(VersionSpec::from(m).created_at(at));
        }
        pkg = pkg.version(VersionSpec::from(&index).tags(&[&tag]).created_at(at));
    }
    Fixture::empty()
        .user("octocat")
        .org("bench", &["octocat"])
        .token(token())
        .package(pkg)
}

/// 120 npm versions, for the delete pace.
fn npm_package() -> Fixture {
    let base = Utc::now() - chrono::Duration::days(100);
    let mut pkg = PackageSpec::new("bench", "lib", "npm");
    for i in 0..(DELETES + 20) {
        pkg = pkg.version(
            VersionSpec::new(&format!("0.{i}.0"))
                .created_at(base + chrono::Duration::hours(i as i64)),
        );
    }
    Fixture::empty()
        .user("octocat")
        .org("bench", &["octocat"])
        .token(token())
        .package(pkg)
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .use_env(false)
        .base_url(emu.url())
        .token(TOKEN)
        .build()
        .expect("client")
}

fn median(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

async fn planning(runs: usize) -> String {
    let emu = Emulator::builder()
        .fixture(big_package())
        .latency(LATENCY)
        .secondary_points_per_minute(u32::MAX)
        .start()
        .await
        .expect("emulator");
    let policy = Policy::from_json(
        r#"{"owner": {"org": "bench"}, "package_type": "container",
            "delete": [{"id": "pr-builds", "tags": ["pr-*"], "older_than": "30d"}],
            "keep": [{"id": "rollback", "latest": 10, "of": {"tagged": true}}]}"#,
    )
    .expect("policy");
    let dir = std::env::temp_dir().join(format!("ghpkg-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    let (mut reads, mut deletes, mut versions) = (0, 0, 0);
    for run in 0..runs {
        let cache = dir.join(format!("manifests-{run}.jsonl"));
        let options = PlanOptions {
            registry_url: Some(emu.registry_url()),
            manifest_cache: Some(cache.clone()),
            ..PlanOptions::default()
        };
        // A fresh client each time: no manifest kept in memory between runs.
        let t = Instant::now();
        let plan = client(&emu)
            .retention()
            .plan(&policy, &options)
            .await
            .expect("cold plan");
        cold.push(t.elapsed());
        assert_eq!(plan.totals.blocked, 0, "{:?}", plan.packages[0].blocked);
        reads = plan.totals.requests.registry_get;
        deletes = plan.totals.delete;
        versions = plan.packages[0].actions.len();
        eprintln!(
            "cold run {run}: {} ({reads} manifests read)",
            secs(t.elapsed())
        );
        if std::env::var_os("GHPKG_BENCH_BREAKDOWN").is_some() {
            let t = Instant::now();
            let n = client(&emu)
                .list_versions(
                    &ghpkg::Owner::org("bench"),
                    ghpkg::PackageType::Container,
                    "app",
                    Some(ghpkg::VersionState::Active),
                )
                .collect_all()
                .await
                .expect("listing")
                .len();
            eprintln!("  listing {n} versions alone: {}", secs(t.elapsed()));
        }
        let t = Instant::now();
        let again = client(&emu)
            .retention()
            .plan(&policy, &options)
            .await
            .expect("warm plan");
        warm.push(t.elapsed());
        assert_eq!(
            again.totals.requests.registry_get, 0,
            "every manifest from the cache"
        );
        assert_eq!(again.totals.delete, deletes, "the same plan");
        eprintln!("warm run {run}: {}", secs(t.elapsed()));
    }
    let _ = std::fs::remove_dir_all(&dir);
    emu.shutdown().await;
    let (cm, cmin, cmax) = median(cold);
    let (wm, wmin, wmax) = median(warm);
    let mut md = format!(
        "### Planning one package of {versions} versions ({IMAGES} multi-arch images), {} ms added latency per response\n\n\
         Median of {runs} runs. Cold reads every manifest ({reads} registry GETs, at most 8 in flight) and writes \
         the cache; warm reads the versions again and every manifest from that cache. The plan deletes {deletes} versions.\n\n",
        LATENCY.as_millis()
    );
    md.push_str("| run | median | min | max | goal |\n|---|---|---|---|---|\n");
    md.push_str(&format!(
        "| cold | {} | {} | {} | within 30 s |\n| warm | {} | {} | {} | within 2 s |\n\n",
        secs(cm),
        secs(cmin),
        secs(cmax),
        secs(wm),
        secs(wmin),
        secs(wmax)
    ));
    md
}

/// Applies a plan of `DELETES` deletes at `pace` a minute; the rate between
/// the first and the last delete's outcome, a minute.
async fn pace(pace: u32) -> (f64, usize) {
    let emu = Emulator::builder()
        .fixture(npm_package())
        .latency(LATENCY)
        .start()
        .await
        .expect("emulator");
    let c = client(&emu);
    let policy = Policy::from_json(&format!(
        r#"{{"owner": {{"org": "bench"}}, "package_type": "npm",
            "delete": [{{"id": "all", "older_than": "1d"}}],
            "keep": [{{"id": "newest", "latest": {}}}]}}"#,
        20
    ))
    .expect("policy");
    let plan = c
        .retention()
        .plan(&policy, &PlanOptions::default())
        .await
        .expect("plan");
    assert_eq!(plan.totals.delete, DELETES);
    let journal = std::env::temp_dir().join(format!(
        "ghpkg-bench-pace-{}-{pace}.jsonl",
        std::process::id()
    ));
    let mut events = c.retention().apply_events(
        plan,
        ApplyOptions {
            deletes_per_minute: Some(pace),
            verify: Some(false),
            ..ApplyOptions::new(&journal)
        },
    );
    let mut times = Vec::new();
    let mut waits = 0;
    while let Some(e) = events.next().await {
        match e.expect("event") {
            Event::Outcome(item) if item.outcome == Outcome::Deleted => times.push(Instant::now()),
            Event::Waiting { reason, .. } if reason != "pace" => waits += 1,
            _ => {}
        }
    }
    let _ = std::fs::remove_file(&journal);
    emu.shutdown().await;
    assert_eq!(times.len(), DELETES);
    let span = times[DELETES - 1] - times[0];
    ((DELETES - 1) as f64 / span.as_secs_f64() * 60.0, waits)
}

#[tokio::main]
async fn main() {
    let mut runs = 3usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            _ => {
                eprintln!("usage: retention [--runs N]");
                std::process::exit(2);
            }
        }
    }
    let mut md = planning(runs).await;
    md.push_str(&format!(
        "### Delete pace: {DELETES} deletes, {} ms added latency, GitHub's secondary limit on\n\n",
        LATENCY.as_millis()
    ));
    md.push_str("| asked | achieved | off by | rate-limit waits | goal |\n|---|---|---|---|---|\n");
    for p in [150u32, 180] {
        let (rate, waits) = pace(p).await;
        eprintln!("pace {p}: achieved {rate:.1}/min");
        md.push_str(&format!(
            "| {p}/min | {rate:.1}/min | {:+.1}% | {waits} | within 5% |\n",
            (rate / f64::from(p) - 1.0) * 100.0
        ));
    }
    println!("{md}");
}
