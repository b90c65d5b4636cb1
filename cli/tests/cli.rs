//! The `ghpkg` binary against the emulator: read commands, and a whole
//! retention loop with exit codes, NDJSON events and the job summary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ghpkg_emulator::{Emulator, DEMO_TOKEN};

fn ghpkg(emu: &Emulator, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ghpkg"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GITHUB_API_URL", emu.url())
        .env("GITHUB_TOKEN", DEMO_TOKEN);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run ghpkg");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(DEMO_TOKEN), "the token was printed");
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "ghpkg-cli-{}",
        std::process::id() as u64 * 1000 + fastrand_like()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn fastrand_like() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
        % 1000
}

#[tokio::test(flavor = "multi_thread")]
async fn read_commands() {
    let emu = Emulator::demo().await.unwrap();
    let out = ghpkg(
        &emu,
        &["packages", "list", "--org", "acme", "--type", "npm"],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.starts_with("ID  "), "{table}");
    assert!(table.contains("ui-kit"));
    let out = ghpkg(
        &emu,
        &[
            "versions",
            "list",
            "api/server",
            "--org",
            "acme",
            "--type",
            "container",
            "--format",
            "json",
        ],
        &[],
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.as_array().unwrap().len() >= 6);
    let out = ghpkg(
        &emu,
        &[
            "packages", "get", "ui-kit", "--org", "acme", "--type", "npm", "--format", "ndjson",
        ],
        &[],
    );
    let one: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(one["name"], "ui-kit");
    // Errors: a code, the message, exit 1; a bad flag is a usage error (2).
    let out = ghpkg(
        &emu,
        &["packages", "get", "nope", "--org", "acme", "--type", "npm"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("ghpkg: NOT_FOUND: "),
        "{}",
        text(&out.stderr)
    );
    let out = ghpkg(&emu, &["packages", "list", "--type", "nope"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown package type"));
    let out = ghpkg(
        &emu,
        &[
            "packages", "list", "--org", "a", "--user", "b", "--type", "npm",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_apply_undo() {
    let emu = Emulator::demo().await.unwrap();
    let d = dir();
    let policy = d.join("policy.json");
    std::fs::write(
        &policy,
        r#"{"owner": {"org": "acme"}, "package_type": "npm", "packages": {"include": ["ui-kit"]},
            "delete": [{"semver": "<3.0.0"}]}"#,
    )
    .unwrap();
    let plan = d.join("plan.json");
    let summary = d.join("summary.md");
    let out = ghpkg(
        &emu,
        &[
            "retention",
            "plan",
            "--policy",
            policy.to_str().unwrap(),
            "--out",
            plan.to_str().unwrap(),
            "--format",
            "markdown",
        ],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("| ui-kit | 3 | 1 | 2 | 0 | ok |"));
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .contains("## ghpkg retention plan"));
    let journal = d.join("journal.jsonl");
    // Without a terminal, applying needs --yes.
    let out = ghpkg(
        &emu,
        &[
            "retention",
            "apply",
            plan.to_str().unwrap(),
            "--journal",
            journal.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--yes"));
    assert!(emu.requests().iter().all(|r| r.method != "DELETE"));
    // A partial run (max 1 delete) exits 3, then the same command resumes.
    let apply = |extra: &[&str]| {
        let mut args = vec![
            "retention",
            "apply",
            plan.to_str().unwrap(),
            "--journal",
            journal.to_str().unwrap(),
            "--yes",
        ];
        args.extend_from_slice(extra);
        ghpkg(&emu, &args, &[])
    };
    let out = apply(&["--max-deletes", "1"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let events: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.last().unwrap()["type"], "report");
    assert!(events
        .iter()
        .any(|e| e["type"] == "outcome" && e["outcome"] == "deleted"));
    let out = apply(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let deletes = emu
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deletes, 2);
    let out = ghpkg(
        &emu,
        &[
            "retention",
            "undo",
            "--journal",
            journal.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["counts"]["restored"], 2);
    // A hand-edited plan is refused.
    let edited = std::fs::read_to_string(&plan)
        .unwrap()
        .replace("<3.0.0", "<9.0.0");
    std::fs::write(&plan, edited).unwrap();
    let out = apply(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("edited by hand"));
}

#[tokio::test(flavor = "multi_thread")]
async fn import_and_schema() {
    let emu = Emulator::demo().await.unwrap();
    let out = ghpkg(
        &emu,
        &[
            "retention",
            "import",
            "--from",
            "vlaurin",
            "--input",
            "organization=acme",
            "--input",
            "container=web",
            "--input",
            "prune-untagged=true",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(policy["delete"][0]["untagged"], true);
    let out = ghpkg(&emu, &["retention", "schema", "plan"], &[]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Plan");
    let out = ghpkg(&emu, &["--help"], &[]);
    assert!(text(&out.stdout).contains("Exit codes"));
}
