//! The `ghpkg-emulator` binary: serves a fixture (the demo dataset by default)
//! on 127.0.0.1 and prints one JSON line, `{"url": …, "token": …,
//! "registry_url": …}`, when ready. It runs until killed (SIGINT or SIGTERM).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use ghpkg_emulator::{Emulator, FaultRule, Fixture};

const USAGE: &str = "\
ghpkg-emulator: a GitHub Packages REST API emulator for tests

USAGE:
    ghpkg-emulator [--port N] [--registry-port N] [--fixture FILE] [--latency-ms N]
                   [--secondary-points-per-minute N] [--registry-token-seconds N]
                   [--head-counts-as-download] [--no-restore-reattaches-tags]
                   [--fault SPEC]...

OPTIONS:
    --port N         listen on 127.0.0.1:N (default 0: any free port)
    --registry-port N
                     serve the container registry on 127.0.0.1:N (default 0)
    --fixture FILE   serve this JSON fixture instead of the demo dataset
    --latency-ms N   delay every response by N milliseconds
    --secondary-points-per-minute N
                     the secondary rate limit per token per endpoint
                     (default 900; GET costs 1 point, DELETE and POST 5)
    --registry-token-seconds N
                     how long registry tokens live (default 300)
    --head-counts-as-download
                     a registry manifest HEAD adds a download like a GET
    --no-restore-reattaches-tags
                     restored container versions come back untagged
    --fault SPEC     make matching requests misbehave (repeatable; rules are
                     checked in order and the first match wins). SPEC is a
                     JSON rule such as
                       {\"kind\":\"status\",\"status\":502,\"path\":\"/orgs/acme\",\"times\":2}
                     or the shorthand KIND[:ARG]@PATH[xCOUNT]:
                       KIND   status, latency, primary_rate_limit,
                              secondary_rate_limit, drop_connection,
                              truncated_body, malformed_json, redirect,
                              link_loop, link_header, digest_mismatch,
                              foreign_realm, token_expired
                       ARG    the status for status, milliseconds for latency,
                              seconds for primary_rate_limit (the reset,
                              default 1) and secondary_rate_limit (retry-after,
                              default none; the answer is 403), the location
                              for redirect (302), the header for link_header,
                              the realm for foreign_realm (default: the API
                              origin's /token); the other kinds take none
                       PATH   a substring of the raw, percent-encoded path
                              (registry paths too: /v2/..., /token); empty
                              matches every request
                       COUNT  how many matching requests, or * for all;
                              without xCOUNT the rule applies once
                     e.g. status:500@/orgs/acme/packages/npm/ui-kitx*
                          secondary_rate_limit:42@/docker/x3
    --help           print this help

When ready, prints one line to stdout:
  {\"url\":\"http://127.0.0.1:PORT\",\"token\":TOKEN,\"registry_url\":\"http://127.0.0.1:PORT2\"}
where TOKEN is the fixture's default token: the demo token for the demo dataset,
else the fixture's first classic token, else null, and registry_url is the
container registry origin (/v2/..., /token).
";

struct Options {
    port: u16,
    registry_port: u16,
    fixture: Option<String>,
    latency_ms: u64,
    secondary_points_per_minute: Option<u32>,
    registry_token_seconds: Option<u64>,
    head_counts_as_download: bool,
    restore_reattaches_tags: bool,
    faults: Vec<FaultRule>,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut opts = Options {
        port: 0,
        registry_port: 0,
        fixture: None,
        latency_ms: 0,
        secondary_points_per_minute: None,
        registry_token_seconds: None,
        head_counts_as_download: false,
        restore_reattaches_tags: true,
        faults: Vec::new(),
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--help" | "-h" => return Ok(None),
            "--port" => {
                opts.port = value("--port")?
                    .parse()
                    .map_err(|e| format!("--port: {e}"))?
            }
            "--registry-port" => {
                opts.registry_port = value("--registry-port")?
                    .parse()
                    .map_err(|e| format!("--registry-port: {e}"))?
            }
            "--registry-token-seconds" => {
                opts.registry_token_seconds = Some(
                    value("--registry-token-seconds")?
                        .parse()
                        .map_err(|e| format!("--registry-token-seconds: {e}"))?,
                )
            }
            "--head-counts-as-download" => opts.head_counts_as_download = true,
            "--no-restore-reattaches-tags" => opts.restore_reattaches_tags = false,
            "--fixture" => opts.fixture = Some(value("--fixture")?),
            "--latency-ms" => {
                opts.latency_ms = value("--latency-ms")?
                    .parse()
                    .map_err(|e| format!("--latency-ms: {e}"))?
            }
            "--secondary-points-per-minute" => {
                opts.secondary_points_per_minute = Some(
                    value("--secondary-points-per-minute")?
                        .parse()
                        .map_err(|e| format!("--secondary-points-per-minute: {e}"))?,
                )
            }
            "--fault" => {
                let spec = value("--fault")?;
                let rule =
                    FaultRule::from_cli(&spec).map_err(|e| format!("--fault {spec:?}: {e}"))?;
                opts.faults.push(rule);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(opts))
}

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("ghpkg-emulator: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let fixture = match &opts.fixture {
        None => Fixture::demo(),
        Some(path) => match Fixture::from_file(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("ghpkg-emulator: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let token = fixture.default_token().map(str::to_owned);
    let mut builder = Emulator::builder()
        .fixture(fixture)
        .port(opts.port)
        .registry_port(opts.registry_port)
        .latency(Duration::from_millis(opts.latency_ms))
        .head_counts_as_download(opts.head_counts_as_download)
        .restore_reattaches_tags(opts.restore_reattaches_tags);
    if let Some(points) = opts.secondary_points_per_minute {
        builder = builder.secondary_points_per_minute(points);
    }
    if let Some(seconds) = opts.registry_token_seconds {
        builder = builder.registry_token_lifetime(Duration::from_secs(seconds));
    }
    let emulator = builder.start_blocking();
    let emulator = match emulator {
        Ok(e) => e,
        Err(e) => {
            eprintln!("ghpkg-emulator: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    for rule in opts.faults {
        emulator.inject(rule);
    }
    let line = serde_json::json!({
        "url": emulator.url(),
        "token": token,
        "registry_url": emulator.registry_url(),
    });
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}")
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    // Serve until the process is killed; the default SIGINT/SIGTERM action ends it.
    loop {
        std::thread::park();
    }
}
