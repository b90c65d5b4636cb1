//! `ghpkg-fault-emulator`: the demo emulator with scripted faults, for the
//! C and Go suites. Like the `ghpkg-emulator` binary, it prints one JSON
//! line `{"url": ..., "token": ...}` when ready and serves until killed.
//!
//! Each `--fault KIND@PATH` applies forever to requests whose raw path
//! contains PATH. KIND is one of `status:CODE`, `malformed`, `drop`,
//! `truncated`, `linkloop`, `primary`, `secondary:SECONDS` or `latency:MS`.

use std::process::ExitCode;
use std::time::Duration;

use ghpkg_emulator::{Emulator, Fault, FaultRule, Fixture, DEMO_TOKEN};

fn fault(kind: &str) -> Result<Fault, String> {
    let (name, arg) = kind.split_once(':').unwrap_or((kind, ""));
    let num = || arg.parse::<u64>().map_err(|e| format!("{kind}: {e}"));
    Ok(match name {
        "status" => Fault::Status(u16::try_from(num()?).map_err(|e| e.to_string())?),
        "malformed" => Fault::MalformedJson,
        "drop" => Fault::DropConnection,
        "truncated" => Fault::TruncatedBody,
        "linkloop" => Fault::LinkLoop,
        "primary" => Fault::PrimaryRateLimitFor(Duration::from_secs(3600)),
        "secondary" => Fault::SecondaryRateLimit {
            retry_after: Some(num()?),
            status: 429,
        },
        "latency" => Fault::Latency(Duration::from_millis(num()?)),
        _ => return Err(format!("unknown fault {kind:?}")),
    })
}

fn rules() -> Result<Vec<FaultRule>, String> {
    let mut out = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg != "--fault" {
            return Err(format!(
                "unknown argument {arg:?}; usage: --fault KIND@PATH ..."
            ));
        }
        let spec = args.next().ok_or("--fault needs KIND@PATH")?;
        let (kind, path) = spec.split_once('@').ok_or("--fault needs KIND@PATH")?;
        out.push(FaultRule::new(fault(kind)?).path(path).forever());
    }
    Ok(out)
}

fn main() -> ExitCode {
    let rules = match rules() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ghpkg-fault-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::builder()
        .fixture(Fixture::demo())
        .start_blocking()
    {
        Ok(e) => e,
        Err(e) => {
            eprintln!("ghpkg-fault-emulator: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    for rule in rules {
        emulator.inject(rule);
    }
    println!(
        "{}",
        serde_json::json!({ "url": emulator.url(), "token": DEMO_TOKEN })
    );
    loop {
        std::thread::park();
    }
}
