//! Lists 10,000 container packages from the emulator with 20 ms of added
//! latency per response, one page at a time and with read-ahead, and prints
//! (or writes) a Markdown table of medians.
//!
//! `cargo run --release -p ghpkg-bench -- [--runs N] [--out BENCHMARKS.md]`

use std::time::{Duration, Instant};

use ghpkg::{Client, Owner, PackageType};
use ghpkg_emulator::{Emulator, Fixture, PackageSpec, TokenSpec, VersionSpec};

const PACKAGES: usize = 10_000;
const LATENCY: Duration = Duration::from_millis(20);
const TOKEN: &str = "ghp_benchmarkbenchmarkbenchmarkbenchmark0";

fn fixture() -> Fixture {
    let mut f = Fixture::empty()
        .user("octocat")
        .org("bench", &["octocat"])
        .token(TokenSpec::classic(TOKEN, "octocat", &["read:packages"]).rate_limit(1_000_000));
    for i in 0..PACKAGES {
        f = f.package(
            PackageSpec::new("bench", &format!("service-{i:05}"), "container")
                .repository("bench/services")
                .version(VersionSpec::new(&format!("sha256:{i:064x}")).tags(&["latest"])),
        );
    }
    f
}

struct Row {
    label: String,
    median: Duration,
    min: Duration,
    max: Duration,
    requests: usize,
}

async fn measure(emu: &Emulator, read_ahead: usize, runs: usize) -> Row {
    let client = Client::builder()
        .base_url(emu.url())
        .token(TOKEN)
        .read_ahead(read_ahead)
        .build()
        .expect("client");
    let owner = Owner::org("bench");
    let mut times = Vec::with_capacity(runs);
    let mut requests = 0;
    for _ in 0..runs {
        emu.clear_requests();
        let t = Instant::now();
        let n = client
            .list_packages(&owner, PackageType::Container, None)
            .collect_all()
            .await
            .expect("listing")
            .len();
        times.push(t.elapsed());
        assert_eq!(n, PACKAGES, "every package listed");
        requests = emu.requests().len();
    }
    times.sort();
    let label = if read_ahead <= 1 {
        "sequential (read_ahead = 1)".to_owned()
    } else {
        format!("read-ahead {read_ahead}")
    };
    Row {
        label,
        median: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
        requests,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let mut runs = 5usize;
    let mut out: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            "--out" => out = args.next(),
            _ => {
                eprintln!("usage: ghpkg-bench [--runs N] [--out FILE]");
                std::process::exit(2);
            }
        }
    }
    let emu = Emulator::builder()
        .fixture(fixture())
        .latency(LATENCY)
        // GitHub's secondary limit (900 points a minute) would make the client
        // wait inside the measurement; the benchmark measures listing alone.
        .secondary_points_per_minute(u32::MAX)
        .start()
        .await
        .expect("emulator");

    let mut rows = Vec::new();
    for read_ahead in [1, 4, 8] {
        let row = measure(&emu, read_ahead, runs).await;
        eprintln!("{}: median {}", row.label, ms(row.median));
        rows.push(row);
    }
    let base = rows[0].median.as_secs_f64();
    let mut md = String::new();
    md.push_str(&format!(
        "### Listing {PACKAGES} packages ({} pages of 100), {} ms added latency per response\n\n",
        PACKAGES / 100,
        LATENCY.as_millis()
    ));
    md.push_str(&format!(
        "Median of {runs} runs; min and max show the spread.\n\n"
    ));
    md.push_str("| client | median | min | max | requests | speed-up vs sequential |\n");
    md.push_str("|---|---|---|---|---|---|\n");
    for r in &rows {
        md.push_str(&format!(
            "| ghpkg (Rust), {} | {} | {} | {} | {} | {:.1}x |\n",
            r.label,
            ms(r.median),
            ms(r.min),
            ms(r.max),
            r.requests,
            base / r.median.as_secs_f64()
        ));
    }
    println!("{md}");
    if let Some(path) = out {
        write_section(&path, &md).expect("write benchmarks file");
        eprintln!("wrote {path}");
    }
    emu.shutdown().await;
}

/// Replaces the generated section of `path` (between markers), keeping the rest.
fn write_section(path: &str, md: &str) -> std::io::Result<()> {
    const BEGIN: &str = "<!-- ghpkg-bench:begin -->";
    const END: &str = "<!-- ghpkg-bench:end -->";
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{BEGIN}\n{md}{END}");
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if e > b => format!("{}{}{}", &old[..b], section, &old[e + END.len()..]),
        _ => format!("{old}\n{section}\n"),
    };
    std::fs::write(path, new)
}
