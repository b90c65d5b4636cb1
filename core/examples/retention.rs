//! Plan, apply and (if needed) undo a retention policy: `cargo run -p ghpkg
//! --example retention -- retention.json` with `GITHUB_TOKEN` set. It asks
//! before deleting anything.

use futures::StreamExt;
use ghpkg::retention::{ApplyOptions, Event, Plan, PlanOptions, Policy, Render, UndoOptions};

#[tokio::main]
async fn main() -> ghpkg::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "retention.json".into());
    let text = std::fs::read_to_string(&path).map_err(|e| ghpkg::Error::invalid(e.to_string()))?;
    let client = ghpkg::Client::from_env()?;
    let policy = Policy::from_json(&text)?;
    let plan = client
        .retention()
        .plan(&policy, &PlanOptions::default())
        .await?;
    println!("{}", plan.render(Render::Table));
    std::fs::write("plan.json", plan.to_json())
        .map_err(|e| ghpkg::Error::invalid(e.to_string()))?;

    println!("apply plan.json? [y/N]");
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if answer.trim() != "y" {
        return Ok(());
    }
    let reviewed =
        std::fs::read_to_string("plan.json").map_err(|e| ghpkg::Error::invalid(e.to_string()))?;
    let plan = Plan::from_json(&reviewed)?; // refuses a hand-edited policy
    let mut events = client
        .retention()
        .apply_events(plan, ApplyOptions::new("journal.jsonl"));
    while let Some(event) = events.next().await {
        match event? {
            Event::Progress {
                done,
                total,
                rate_per_min,
                ..
            } => {
                eprintln!("{done}/{total} ({rate_per_min}/min)")
            }
            Event::Outcome(item) => eprintln!("{} {:?}", item.outcome.code(), item.version_id),
            Event::Report { report } => println!("{:?}: {:?}", report.status, report.counts),
            _ => {}
        }
    }
    // Within 30 days, if needed: every deletion of the run comes back.
    if std::env::var_os("UNDO").is_some() {
        let report = client
            .retention()
            .undo("journal.jsonl", &UndoOptions::default())
            .await?;
        println!("undo: {:?}", report.counts);
    }
    Ok(())
}
