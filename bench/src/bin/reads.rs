//! ghpkg's Rust core alone making concurrent package reads against a
//! running emulator: what a read costs with no binding in the way. The Go
//! benchmark (`bindings-go/bench`) runs it beside the Go binding and
//! go-github, against the same server, so the floor under the binding's
//! reads shows in the same table.
//!
//! `reads --url URL --token TOKEN --org ORG --packages N --count C --rounds R [--server-pid PID]`
//!
//! Reads `pkg-00001`... (`C` of them, cycling through `N`), all at once (the
//! client keeps 100 in flight), checks every answer, and prints one JSON line
//! per timed round: `{"wall_ms": .., "cpu_ms": .., "server_cpu_ms": ..}`,
//! CPU being on-CPU time of every thread of this process and of the server's
//! (Linux `/proc/<pid>/task/*/schedstat`). A first, untimed round opens the
//! connections.

use std::time::Instant;

use ghpkg::{Client, Owner, PackageType};

struct Args {
    url: String,
    token: String,
    org: String,
    packages: usize,
    count: usize,
    rounds: usize,
    server_pid: Option<u32>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        url: String::new(),
        token: String::new(),
        org: String::new(),
        packages: 10_000,
        count: 1_000,
        rounds: 5,
        server_pid: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--url" => a.url = value.clone(),
            "--token" => a.token = value.clone(),
            "--org" => a.org = value.clone(),
            "--packages" => a.packages = number()?,
            "--count" => a.count = number()?,
            "--rounds" => a.rounds = number()?,
            "--server-pid" => a.server_pid = Some(number()? as u32),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.url.is_empty() || a.token.is_empty() || a.org.is_empty() || a.packages == 0 {
        return Err("needs --url, --token, --org and --packages >= 1".into());
    }
    Ok(a)
}

/// On-CPU time, in ms, of every live thread of process `pid` ("self" for
/// this one).
fn cpu_ms(pid: &str) -> f64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0.0;
    };
    let ns: u64 = tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e6
}

async fn round(client: &Client, a: &Args) -> Result<(), String> {
    let owner = Owner::org(&a.org);
    let tasks: Vec<_> = (0..a.count)
        .map(|i| {
            let (client, owner) = (client.clone(), owner.clone());
            let name = format!("pkg-{:05}", i % a.packages + 1);
            tokio::spawn(async move {
                let got = client
                    .get_package(&owner, PackageType::Container, &name)
                    .await;
                match got {
                    Ok(p) if p.name == name => Ok(()),
                    Ok(p) => Err(format!("read {name} as {}", p.name)),
                    Err(e) => Err(format!("{name}: {e}")),
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let a = args().unwrap_or_else(|e| {
        eprintln!("reads: {e}");
        std::process::exit(2)
    });
    let server = a.server_pid.map(|p| p.to_string());
    let client = Client::builder()
        .base_url(&a.url)
        .token(&a.token)
        .use_env(false)
        .build()
        .unwrap_or_else(|e| {
            eprintln!("reads: {e}");
            std::process::exit(2)
        });
    for r in 0..=a.rounds {
        let (cpu0, server0) = (cpu_ms("self"), server.as_deref().map_or(0.0, cpu_ms));
        let start = Instant::now();
        if let Err(e) = round(&client, &a).await {
            eprintln!("reads: {e}");
            std::process::exit(1)
        }
        let wall = start.elapsed().as_secs_f64() * 1e3;
        let (cpu, server_cpu) = (
            cpu_ms("self") - cpu0,
            server.as_deref().map_or(0.0, cpu_ms) - server0,
        );
        if r > 0 {
            println!("{{\"wall_ms\": {wall:.3}, \"cpu_ms\": {cpu:.3}, \"server_cpu_ms\": {server_cpu:.3}}}");
        }
    }
}
