//! A tour of ghpkg.
//!
//! `ghpkg-demo` starts the built-in emulator and walks through a container
//! cleanup: preflight, listing, inspecting tags, deleting, restoring, and
//! what GitHub's rules refuse. `ghpkg-demo --github [--org ORG]` runs the
//! read-only part against api.github.com (or `GITHUB_API_URL`) with the token
//! from `GITHUB_TOKEN` or `GH_TOKEN`; it never deletes anything there.

use futures::TryStreamExt;
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
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--github" => github = true,
            "--org" => org = args.next(),
            "-h" | "--help" => {
                println!("usage: ghpkg-demo [--github [--org ORG]]");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    if github {
        let client = Client::from_env()?;
        let owner = org.map_or(Owner::AuthenticatedUser, Owner::Org);
        return read_only_tour(&client, &owner).await;
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
    let rows = client.catalog_select("github.packages.packages", &params).await?;
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
