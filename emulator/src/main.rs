//! The `ghpkg-emulator` binary: serves a fixture (the demo dataset by default)
//! on 127.0.0.1 and prints one JSON line, `{"url": …, "token": …}`, when ready.
//! It runs until killed (SIGINT or SIGTERM).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use ghpkg_emulator::{Emulator, Fixture, TokenKind, DEMO_TOKEN};

const USAGE: &str = "\
ghpkg-emulator: a GitHub Packages REST API emulator for tests

USAGE:
    ghpkg-emulator [--port N] [--fixture FILE] [--latency-ms N]
                   [--secondary-points-per-minute N]

OPTIONS:
    --port N         listen on 127.0.0.1:N (default 0: any free port)
    --fixture FILE   serve this JSON fixture instead of the demo dataset
    --latency-ms N   delay every response by N milliseconds
    --secondary-points-per-minute N
                     the secondary rate limit per token per endpoint
                     (default 900; GET costs 1 point, DELETE and POST 5)
    --help           print this help

When ready, prints one line to stdout: {\"url\":\"http://127.0.0.1:PORT\",\"token\":TOKEN}
where TOKEN is the demo token, or the first classic token of the fixture (or null).
";

struct Options {
    port: u16,
    fixture: Option<String>,
    latency_ms: u64,
    secondary_points_per_minute: Option<u32>,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut opts = Options {
        port: 0,
        fixture: None,
        latency_ms: 0,
        secondary_points_per_minute: None,
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
    let (fixture, token) = match &opts.fixture {
        None => (Fixture::demo(), Some(DEMO_TOKEN.to_owned())),
        Some(path) => match Fixture::from_file(path) {
            Ok(f) => {
                let token = f
                    .tokens
                    .iter()
                    .find(|t| t.kind == TokenKind::Classic)
                    .map(|t| t.token.clone());
                (f, token)
            }
            Err(e) => {
                eprintln!("ghpkg-emulator: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut builder = Emulator::builder()
        .fixture(fixture)
        .port(opts.port)
        .latency(Duration::from_millis(opts.latency_ms));
    if let Some(points) = opts.secondary_points_per_minute {
        builder = builder.secondary_points_per_minute(points);
    }
    let emulator = builder.start_blocking();
    let emulator = match emulator {
        Ok(e) => e,
        Err(e) => {
            eprintln!("ghpkg-emulator: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let line = serde_json::json!({ "url": emulator.url(), "token": token });
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
