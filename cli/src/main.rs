//! `ghpkg`: GitHub Packages from the command line. Read packages and
//! versions, and clean up a registry safely: plan (reviewable, with a
//! reason for every keep and delete), apply (paced, journaled, verified),
//! undo within GitHub's 30-day restore window.
//!
//! Credentials come from the environment, as in every ghpkg front door:
//! `GITHUB_TOKEN`, `GH_TOKEN`, or `STACKQL_GITHUB_USERNAME` +
//! `STACKQL_GITHUB_PASSWORD`; `GITHUB_API_URL` for GitHub Enterprise Server.
//! The token is never printed.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod output;
mod read;
mod retention;

/// mimalloc, not the system allocator (musl's, in the static Linux build,
/// is the slow one): see the `mimalloc` feature in Cargo.toml.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes a CI job can tell apart.
pub(crate) mod exit {
    /// Done: every unit settled.
    pub const OK: u8 = 0;
    /// An error: bad input, refused credentials, an unreachable API.
    /// (2 is a usage error, from the argument parser.)
    pub const ERROR: u8 = 1;
    /// Partial: deferred or stopped units remain; the same command resumes.
    pub const PARTIAL: u8 = 3;
    /// Failed: a unit failed, GitHub refused the token, or a kept image
    /// no longer resolves.
    pub const FAILED: u8 = 4;
    /// Blocked: the plan blocked packages (nothing in them was deleted).
    pub const BLOCKED: u8 = 5;
}

const AFTER_HELP: &str = "\
Credentials come from GITHUB_TOKEN, GH_TOKEN, or STACKQL_GITHUB_USERNAME +
STACKQL_GITHUB_PASSWORD; the API root from GITHUB_API_URL (GitHub Enterprise
Server). The GitHub Packages API needs a classic token (ghp_) with
read:packages, plus delete:packages to delete and write:packages to restore.

Examples:
  ghpkg packages list --org acme --type container
  ghpkg versions list api/server --org acme --type container --format json
  ghpkg retention plan --policy policy.json --out plan.json
  ghpkg retention apply plan.json --journal journal.jsonl --deadline 25m --yes
  ghpkg retention undo --journal journal.jsonl

Exit codes: 0 complete, 1 error, 2 usage, 3 partial (run again to resume),
4 failed, 5 blocked (a package could not be planned safely).";

/// GitHub Packages from the command line: read, and clean up safely.
#[derive(Parser, Debug)]
#[command(name = "ghpkg", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(flatten)]
    conn: Connection,
    #[command(subcommand)]
    command: Command,
}

/// Where to connect; credentials come from the environment.
#[derive(Args, Debug, Clone)]
pub(crate) struct Connection {
    /// The API root (default: GITHUB_API_URL, else https://api.github.com).
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List and inspect packages.
    #[command(subcommand)]
    Packages(read::PackagesCommand),
    /// List and inspect package versions.
    #[command(subcommand)]
    Versions(read::VersionsCommand),
    /// Plan, apply, undo and recover retention runs.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
}

impl Connection {
    /// The client: explicit flags win, the environment fills the rest.
    pub(crate) fn client(&self) -> ghpkg::Result<ghpkg::Client> {
        ghpkg::ClientConfig {
            base_url: self.base_url.clone(),
            user_agent: Some(format!("ghpkg-cli/{}", env!("CARGO_PKG_VERSION"))),
            ..ghpkg::ClientConfig::default()
        }
        .build()
    }
}

/// An error for the user: the message, the hint, the request id.
pub(crate) fn report_error(e: &ghpkg::Error) {
    eprintln!("ghpkg: {}: {e}", e.kind().code());
}

#[tokio::main]
async fn main() -> ExitCode {
    // Like other command-line tools, stop quietly when the reader of stdout
    // goes away (`ghpkg ... | head`) instead of failing on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal at startup, before
    // any other thread could depend on the inherited one.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Packages(c) => read::packages(&cli.conn, c).await,
        Command::Versions(c) => read::versions(&cli.conn, c).await,
        Command::Retention(c) => retention::run(&cli.conn, c).await,
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report_error(&e);
            ExitCode::from(exit::ERROR)
        }
    }
}
