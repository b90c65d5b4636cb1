//! `ghpkg retention …`: plan, apply, undo, recover, import, schema.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};
use futures::StreamExt;
use ghpkg::retention::{
    ApplyOptions, Event, Inputs, PackageStatus, Plan, PlanOptions, Policy, PolicyOwner, Render,
    Report, Span, Status, UndoOptions, VerifyFailure,
};
use ghpkg::{Error, PackageType};
use indicatif::{ProgressBar, ProgressStyle};

use crate::read::OwnerArgs;
use crate::{exit, Connection};

#[derive(Subcommand, Debug)]
pub(crate) enum RetentionCommand {
    /// Make a plan from a policy (reads only). Prints it; --out saves the
    /// JSON to apply later; in a GitHub Actions job the Markdown rendering
    /// also goes to the job summary ($GITHUB_STEP_SUMMARY).
    Plan {
        /// The policy (JSON).
        #[arg(long, value_name = "FILE")]
        policy: PathBuf,
        /// Where to write the plan's JSON.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// How to print it.
        #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
        format: PlanFormat,
        /// Judge ages at this instant (RFC 3339) instead of now.
        #[arg(long, value_name = "TIME")]
        now: Option<DateTime<Utc>>,
        /// The container registry (default: the API host's, e.g. https://ghcr.io).
        #[arg(long, value_name = "URL")]
        registry_url: Option<String>,
        /// A file that keeps manifests between plans (JSON Lines).
        #[arg(long, value_name = "FILE")]
        manifest_cache: Option<PathBuf>,
    },
    /// Apply a reviewed plan: re-check, delete what still should go, paced
    /// and journaled, then verify kept images.
    Apply {
        /// The plan (JSON, from `plan --out`).
        plan: PathBuf,
        /// The journal: every delete is recorded before it is sent. Give the
        /// same journal again to resume a partial run.
        #[arg(long, value_name = "FILE")]
        journal: PathBuf,
        /// Stop starting deletes after this long (e.g. 25m); the rest is deferred.
        #[arg(long, value_name = "DURATION")]
        deadline: Option<Span>,
        /// Delete at most this many versions now; the rest is deferred.
        #[arg(long, value_name = "N")]
        max_deletes: Option<usize>,
        /// Deletes a minute at most (default 150, GitHub allows 180).
        #[arg(long, value_name = "N")]
        deletes_per_minute: Option<u32>,
        /// Refuse plans older than this (default 1h).
        #[arg(long, value_name = "DURATION")]
        max_plan_age: Option<Span>,
        /// Skip checking that kept images still resolve afterwards.
        #[arg(long)]
        no_verify: bool,
        /// Undo the run if a kept image no longer resolves afterwards.
        #[arg(long)]
        undo_on_verify_failure: bool,
        /// Do not ask before deleting (required without a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        /// Print NDJSON events on stdout (the default without a terminal).
        #[arg(long)]
        events: bool,
        /// The container registry (default: the plan's).
        #[arg(long, value_name = "URL")]
        registry_url: Option<String>,
    },
    /// Restore what a run deleted (within 30 days): children first, then
    /// images, then signatures.
    Undo {
        /// The run's journal.
        #[arg(long, value_name = "FILE")]
        journal: PathBuf,
        /// Only show what would be restored.
        #[arg(long)]
        dry_run: bool,
        /// The undo's own journal (default: JOURNAL.undo.jsonl).
        #[arg(long, value_name = "FILE")]
        undo_journal: Option<PathBuf>,
        /// The container registry to push removed tags back to (default:
        /// the plan's).
        #[arg(long, value_name = "URL")]
        registry_url: Option<String>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Without a journal: build one from GitHub's deleted versions of a
    /// package, for `undo` to restore.
    Recover {
        /// The package name.
        #[arg(long)]
        package: String,
        #[command(flatten)]
        owner: OwnerArgs,
        #[arg(long = "type", value_name = "TYPE")]
        package_type: PackageType,
        /// Versions deleted since this long ago (e.g. 2d) or this instant (RFC 3339).
        #[arg(long, value_name = "WHEN")]
        since: String,
        /// The journal to write.
        #[arg(long, value_name = "FILE")]
        journal: PathBuf,
    },
    /// Translate another cleanup tool's inputs into a ghpkg policy.
    Import {
        /// The tool.
        #[arg(long, value_enum)]
        from: Tool,
        /// An input, as NAME=VALUE (repeat).
        #[arg(long = "input", value_name = "NAME=VALUE")]
        inputs: Vec<String>,
    },
    /// Print a JSON Schema: policy, plan, event, report, journal, plan-options,
    /// apply-options or undo-options.
    Schema {
        /// Which one.
        #[arg(default_value = "policy")]
        name: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(crate) enum PlanFormat {
    Markdown,
    Table,
    Json,
    Ndjson,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(crate) enum ReportFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(crate) enum Tool {
    /// snok/container-retention-policy
    Crp,
    /// dataaxiom/ghcr-cleanup-action
    Dataaxiom,
    /// actions/delete-package-versions
    Dpv,
    /// vlaurin/action-ghcr-prune
    Vlaurin,
}

fn read_file(path: &PathBuf, what: &str) -> ghpkg::Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::invalid(format!("cannot read the {what} {}: {e}", path.display())))
}

pub(crate) async fn run(conn: &Connection, cmd: RetentionCommand) -> ghpkg::Result<u8> {
    match cmd {
        RetentionCommand::Plan {
            policy,
            out,
            format,
            now,
            registry_url,
            manifest_cache,
        } => {
            let policy = Policy::from_json(&read_file(&policy, "policy")?)?;
            let client = conn.client()?;
            let plan = client
                .retention()
                .plan(
                    &policy,
                    &PlanOptions {
                        now,
                        registry_url,
                        manifest_cache,
                    },
                )
                .await?;
            if let Some(out) = out {
                std::fs::write(&out, plan.to_json() + "\n").map_err(|e| {
                    Error::invalid(format!("cannot write the plan to {}: {e}", out.display()))
                })?;
            }
            let how = match format {
                PlanFormat::Markdown => Render::Markdown,
                PlanFormat::Table => Render::Table,
                PlanFormat::Json => Render::Json,
                PlanFormat::Ndjson => Render::Ndjson,
            };
            print!("{}", plan.render(how));
            if how == Render::Json {
                println!();
            }
            step_summary(&plan.render(Render::Markdown));
            Ok(if plan.totals.blocked > 0 {
                exit::BLOCKED
            } else {
                exit::OK
            })
        }
        RetentionCommand::Apply {
            plan,
            journal,
            deadline,
            max_deletes,
            deletes_per_minute,
            max_plan_age,
            no_verify,
            undo_on_verify_failure,
            yes,
            events,
            registry_url,
        } => {
            let plan = Plan::from_json(&read_file(&plan, "plan")?)?;
            confirm(&plan, yes)?;
            let opts = ApplyOptions {
                deadline,
                max_deletes,
                deletes_per_minute,
                max_plan_age,
                verify: no_verify.then_some(false),
                on_verify_failure: if undo_on_verify_failure {
                    VerifyFailure::UndoRun
                } else {
                    VerifyFailure::Report
                },
                registry_url,
                ..ApplyOptions::new(journal)
            };
            let blocked = plan.totals.blocked > 0;
            let client = conn.client()?;
            let report = drive(
                &client,
                plan,
                opts,
                events || !std::io::stdout().is_terminal(),
            )
            .await?;
            step_summary(&summary(&report));
            Ok(match report.status {
                Status::Failed => exit::FAILED,
                Status::Partial => exit::PARTIAL,
                Status::Complete if blocked => exit::BLOCKED,
                Status::Complete => exit::OK,
            })
        }
        RetentionCommand::Undo {
            journal,
            dry_run,
            undo_journal,
            registry_url,
            format,
        } => {
            let client = conn.client()?;
            let report = client
                .retention()
                .undo(
                    &journal,
                    &UndoOptions {
                        dry_run,
                        journal: undo_journal,
                        registry_url,
                        ..UndoOptions::default()
                    },
                )
                .await?;
            match format {
                ReportFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                ),
                ReportFormat::Table => print!("{}", report_table(&report)),
            }
            Ok(match report.status {
                Status::Failed => exit::FAILED,
                Status::Partial => exit::PARTIAL,
                Status::Complete => exit::OK,
            })
        }
        RetentionCommand::Recover {
            package,
            owner,
            package_type,
            since,
            journal,
        } => {
            let since = Span::since(&since, Utc::now())?;
            let owner = PolicyOwner::from_owner(&owner.owner()?);
            let client = conn.client()?;
            let n = client
                .retention()
                .recover(&owner, package_type, &package, since, &journal)
                .await?;
            println!(
                "{n} version(s) of {package} deleted since {since} are in {}; restore them with: ghpkg retention undo --journal {}",
                journal.display(),
                journal.display()
            );
            Ok(exit::OK)
        }
        RetentionCommand::Import { from, inputs } => {
            let mut map = Inputs::new();
            for kv in inputs {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| Error::invalid(format!("--input {kv:?} is not NAME=VALUE")))?;
                map.insert(k.to_owned(), v.to_owned());
            }
            let tool = match from {
                Tool::Crp => "crp",
                Tool::Dataaxiom => "dataaxiom",
                Tool::Dpv => "dpv",
                Tool::Vlaurin => "vlaurin",
            };
            let policy = Policy::import(tool, &map)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&policy.to_json()).unwrap_or_default()
            );
            Ok(exit::OK)
        }
        RetentionCommand::Schema { name } => {
            let file = format!("{name}.schema.json");
            let (_, schema) = ghpkg::retention::schemas()
                .into_iter()
                .find(|(n, _)| *n == file)
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "no schema {name:?}; there are policy, plan, event, report and journal"
                    ))
                })?;
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            Ok(exit::OK)
        }
    }
}

/// Asks before deleting, unless `--yes`; without a terminal `--yes` is required.
fn confirm(plan: &Plan, yes: bool) -> ghpkg::Result<()> {
    let n = plan.totals.delete + plan.totals.untag;
    if yes || n == 0 {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid(format!(
            "the plan deletes or untags {n} version(s); pass --yes to apply it without a terminal"
        )));
    }
    eprint!(
        "Delete {} and untag {} version(s) in {} package(s) (plan {})? [y/N] ",
        plan.totals.delete,
        plan.totals.untag,
        plan.packages
            .iter()
            .filter(|p| p.status == PackageStatus::Ok)
            .count(),
        plan.id
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Error::invalid("not confirmed; nothing was deleted"))
    }
}

/// Runs the apply, showing NDJSON events or a progress bar.
async fn drive(
    client: &ghpkg::Client,
    plan: Plan,
    opts: ApplyOptions,
    ndjson: bool,
) -> ghpkg::Result<Report> {
    let total = (plan.totals.delete + plan.totals.untag) as u64;
    let bar = if !ndjson && std::io::stderr().is_terminal() {
        let b = ProgressBar::new(total);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} {wide_bar} {pos}/{len} deletes · {msg} · eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let mut events = client.retention().apply_events(plan, opts);
    let mut report = None;
    while let Some(event) = events.next().await {
        let event = event?;
        if ndjson {
            println!("{}", serde_json::to_string(&event).unwrap_or_default());
        }
        match event {
            Event::Progress {
                done, rate_per_min, ..
            } => {
                bar.set_position(done as u64);
                bar.set_message(format!("{rate_per_min:.0}/min"));
            }
            Event::Waiting { reason, until, .. } => bar.set_message(format!(
                "waiting ({reason}) until {}",
                until.format("%H:%M:%S")
            )),
            Event::Phase { phase, package } => bar.set_message(match package {
                Some(p) => format!("{phase} {p}"),
                None => phase,
            }),
            Event::Report { report: r } => report = Some(*r),
            Event::Outcome(_) => {}
        }
    }
    bar.finish_and_clear();
    let report = report.ok_or_else(|| Error::invalid("the run ended without a report"))?;
    if !ndjson {
        print!("{}", report_table(&report));
    }
    Ok(report)
}

fn report_table(r: &Report) -> String {
    let mut s = String::new();
    for i in &r.items {
        s.push_str(&format!(
            "{:<18} {:<28} {:<12} {}{}\n",
            i.outcome.code(),
            i.package,
            i.version_id
                .map(|v| v.to_string())
                .unwrap_or_else(|| "(package)".into()),
            i.tags.join(","),
            i.detail
                .as_deref()
                .map(|d| format!("  {d}"))
                .unwrap_or_default()
        ));
    }
    let counts: Vec<String> = r.counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    s.push_str(&format!(
        "\n{}: {} ({})\n",
        r.kind,
        serde_json::to_value(r.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        counts.join(", ")
    ));
    if let Some(v) = &r.verify {
        s.push_str(&format!(
            "verify: {} tags checked, {} broken\n",
            v.checked_tags,
            v.broken.len()
        ));
    }
    if let Some(resume) = &r.resume {
        s.push_str(&format!(
            "{} left: run the same command again (journal {}) to resume\n",
            resume.remaining, resume.journal
        ));
    }
    s
}

fn summary(r: &Report) -> String {
    let counts: Vec<String> = r.counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    format!(
        "## ghpkg retention {} `{}`\n\n**{}**: {}\n",
        r.kind,
        r.run_id,
        serde_json::to_value(r.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        counts.join(", ")
    )
}

/// Appends Markdown to the GitHub Actions job summary, when there is one.
fn step_summary(markdown: &str) {
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(markdown.as_bytes()));
        if let Err(e) = written {
            eprintln!("ghpkg: cannot write the job summary: {e}");
        }
    }
}
