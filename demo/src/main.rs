//! A tour of ghpkg.
//!
//! `ghpkg-demo` starts the built-in emulator and walks through a container
//! cleanup: preflight, listing, inspecting tags, deleting, restoring, and
//! what GitHub's rules refuse, then the retention loop: a policy, its plan,
//! apply with progress, the kept multi-arch image still whole, and undo.
//! `ghpkg-demo --github [--org ORG] [--policy FILE]` runs the read-only part
//! against api.github.com (or `GITHUB_API_URL`) with the token from
//! `GITHUB_TOKEN` or `GH_TOKEN`, and with a policy prints its plan; it never
//! deletes anything there.

use futures::{StreamExt, TryStreamExt};
use ghpkg::retention::{ApplyOptions, Event, PlanOptions, Policy, Render, UndoOptions};
use ghpkg::{Client, Owner, PackageType, VersionState};
use ghpkg_emulator::{Emulator, DEMO_TOKEN};

type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Res {
    let mut github = false;
    let mut org: Option<String> = None;
    let mut policy: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--github" => github = true,
            "--org" => org = args.next(),
            "--policy" => policy = args.next(),
            "-h" | "--help" => {
                println!("usage: ghpkg-demo [--github [--org ORG] [--policy FILE]]");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    if github {
        let client = Client::from_env()?;
        let owner = org.map_or(Owner::AuthenticatedUser, Owner::Org);
        read_only_tour(&client, &owner).await?;
        if let Some(path) = policy {
            println!("\n== retention: the plan for {path} (nothing is applied)");
            let policy = Policy::from_json(&std::fs::read_to_string(&path)?)?;
            let plan = client
                .retention()
                .plan(&policy, &PlanOptions::default())
                .await?;
            println!("{}", plan.render(Render::Table));
        }
        return Ok(());
    }
    let emu = Emulator::demo().await?;
    println!("emulator listening on {}", emu.url());
    let client = Client::builder()
        .base_url(emu.url())
        .token(DEMO_TOKEN)
        .build()?;
    let acme = Owner::org("acme");
    read_only_tour(&client, &acme).await?;
    cleanup_tour(&client, &acme).await?;
    retention_tour(&client, &emu).await?;
    catalog_tour(&client).await?;
    println!("\n{} requests served by the emulator", emu.requests().len());
    emu.shutdown().await;
    Ok(())
}

async fn read_only_tour(client: &Client, owner: &Owner) -> Res {
    println!("\n== preflight: what can this token do?");
    let scopes = client.scopes().await?;
    println!(
        "token kind {}, scopes {:?}: read {}, delete {}, restore {}",
        scopes.token_kind.as_str(),
        scopes.scopes.clone().unwrap_or_default(),
        scopes.can_read,
        scopes.can_delete,
        scopes.can_restore
    );
    if let Some(p) = &scopes.problem {
        println!("problem: {p}");
    }

    println!("\n== container packages of {owner} (lazy, paged with read-ahead)");
    let packages = client
        .list_packages(owner, PackageType::Container, None)
        .collect_all()
        .await?;
    println!("{} packages", packages.len());
    for p in packages.iter().take(5) {
        println!(
            "  {:<24} {:<8} {:>3} versions  created {}",
            p.name,
            p.visibility,
            p.version_count,
            p.created_at.date_naive()
        );
    }
    if let Some(rl) = client.rate_limit() {
        println!("rate limit: {}/{} left", rl.remaining, rl.limit);
    }
    let Some(first) = packages
        .iter()
        .find(|p| p.name.contains('/'))
        .or(packages.first())
    else {
        return Ok(());
    };
    println!("\n== versions of {}", first.name);
    let mut versions = client.list_versions(owner, PackageType::Container, &first.name, None);
    while let Some(v) = versions.try_next().await? {
        let tags = if v.is_untagged() {
            "(untagged)".to_owned()
        } else {
            v.tags().join(", ")
        };
        println!(
            "  {:>10}  {}…  {}",
            v.id,
            &v.name[..v.name.len().min(19)],
            tags
        );
    }
    Ok(())
}

async fn cleanup_tour(client: &Client, acme: &Owner) -> Res {
    let c = PackageType::Container;
    println!("\n== delete an old tagged version, see it in state=deleted, restore it");
    client.delete_version(acme, c, "api/server", 20016).await?;
    let deleted: Vec<_> = client
        .list_versions(acme, c, "api/server", Some(VersionState::Deleted))
        .try_collect()
        .await?;
    for v in &deleted {
        println!("  deleted: {} {:?} at {:?}", v.id, v.tags(), v.deleted_at);
    }
    client.restore_version(acme, c, "api/server", 20016).await?;
    println!("  restored 20016");

    println!("\n== GitHub's rules, as typed errors");
    match client.delete_version(acme, c, "only-tag", 20081).await {
        Err(e) => println!("  {:?}: {}", e.kind(), e),
        Ok(()) => println!("  unexpectedly deleted"),
    }
    match client.get_package(acme, c, "../../user").await {
        Err(e) => println!("  {:?}: {}", e.kind(), e.message()),
        Ok(p) => println!("  unexpectedly found {}", p.name),
    }
    Ok(())
}

/// The policy the retention tour plans: old releases and a registry's broken
/// leftovers go, whatever a kept image still uses stays.
const POLICY: &str = r#"{
  "owner": {"org": "acme"},
  "package_type": "container",
  "packages": {"include": ["api/server"]},
  "protect": {"tags": ["latest"]},
  "delete": [
    {"id": "old-releases", "tags": ["1.1.0", "1.0.0"]},
    {"id": "ghosts", "index": "ghost"},
    {"id": "partials", "index": "partial"},
    {"id": "orphaned-signatures", "orphaned_referrer": true}
  ]
}"#;

async fn retention_tour(client: &Client, emu: &Emulator) -> Res {
    println!("\n== retention: the policy");
    println!("{POLICY}");
    let policy = Policy::from_json(POLICY)?;
    let plan = client
        .retention()
        .plan(
            &policy,
            &PlanOptions {
                registry_url: Some(emu.registry_url()),
                ..PlanOptions::default()
            },
        )
        .await?;
    println!("\n== retention: the plan (nothing deleted yet)");
    println!("{}", plan.render(Render::Markdown));

    println!("== retention: apply, with progress");
    let journal = std::env::temp_dir().join(format!("ghpkg-demo-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&journal);
    let mut events = client
        .retention()
        .apply_events(plan, ApplyOptions::new(&journal));
    let mut report = None;
    while let Some(event) = events.next().await {
        match event? {
            Event::Phase { phase, package } => {
                println!(
                    "  phase {phase}{}",
                    package.map(|p| format!(" ({p})")).unwrap_or_default()
                )
            }
            Event::Progress {
                done,
                total,
                rate_per_min,
                eta_seconds,
                ..
            } => println!("  {done}/{total} at {rate_per_min:.0}/min, about {eta_seconds} s left"),
            Event::Waiting { reason, until, .. } if reason != "pace" => {
                println!("  waiting ({reason}) until {until}")
            }
            Event::Outcome(item) => println!(
                "  {:<8} {} {} {:?}",
                item.outcome.code(),
                item.version_id.unwrap_or_default(),
                item.digest.as_deref().map(|d| &d[..19]).unwrap_or(""),
                item.tags
            ),
            Event::Report { report: r } => report = Some(r),
            _ => {}
        }
    }
    let report = report.ok_or("the run ended without a report")?;
    println!("  status {:?}: {:?}", report.status, report.counts);
    if let Some(v) = &report.verify {
        println!(
            "\n== retention: verify: {} kept tags resolve, {} broken (latest still has every child)",
            v.checked_tags,
            v.broken.len()
        );
    }

    println!("\n== retention: undo (within GitHub's 30 days)");
    let undo = client
        .retention()
        .undo(&journal, &UndoOptions::default())
        .await?;
    println!("  status {:?}: {:?}", undo.status, undo.counts);
    let _ = std::fs::remove_file(&journal);
    let _ = std::fs::remove_file(format!("{}.undo.jsonl", journal.display()));
    Ok(())
}

async fn catalog_tour(client: &Client) -> Res {
    println!("\n== the StackQL view");
    for r in ghpkg::catalog::resources() {
        println!("  {:<40} {} methods", r.id, r.methods.len());
    }
    let params = serde_json::json!({
        "org": "acme", "package_type": "container", "visibility": "private", "name": "api/server"
    });
    let params = params.as_object().cloned().unwrap_or_default();
    let packages = ghpkg::catalog::resource("github.packages.packages")?;
    let method = ghpkg::catalog::choose(packages, ghpkg::catalog::Verb::Select, &params)?;
    let rows = client
        .catalog_select("github.packages.packages", &params)
        .await?;
    println!(
        "  SELECT * FROM github.packages.packages WHERE org='acme' AND package_type='container'"
    );
    println!(
        "    AND visibility='private' AND name='api/server'  -- runs {}",
        method.name
    );
    for row in &rows {
        println!("  {} {} {}", row["id"], row["name"], row["version_count"]);
    }
    Ok(())
}
