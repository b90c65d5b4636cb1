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
    // Cargo's scratch directory for integration tests, in target/.
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
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

/// `--format ndjson` prints a listing page by page as the pages arrive:
/// the same objects as `--format json`, one per line; a listing that fails
/// after its first page leaves that page's lines and exits 1, where JSON
/// prints nothing.
#[tokio::test(flavor = "multi_thread")]
async fn ndjson_listings_print_page_by_page() {
    use ghpkg_emulator::{Fault, FaultRule, Fixture, PackageSpec, TokenSpec};
    let mut fixture = Fixture::empty()
        .user("octocat")
        .org("big", &["octocat"])
        .token(TokenSpec::classic(
            DEMO_TOKEN,
            "octocat",
            &["read:packages"],
        ));
    for i in 1..=250 {
        fixture = fixture.package(PackageSpec::new("big", &format!("pkg-{i:03}"), "npm"));
    }
    let emu = Emulator::start(fixture).await.unwrap();
    let list = |format: &str| {
        ghpkg(
            &emu,
            &[
                "packages", "list", "--org", "big", "--type", "npm", "--format", format,
            ],
            &[],
        )
    };
    let lines = |out: &Output| -> Vec<serde_json::Value> {
        text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };

    let ndjson = list("ndjson");
    assert!(ndjson.status.success(), "{}", text(&ndjson.stderr));
    let json = list("json");
    assert!(json.status.success(), "{}", text(&json.stderr));
    let all: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(all.len(), 250);
    assert_eq!(lines(&ndjson), all);

    // The first page's link is not a URL: the page arrives, then the error.
    let broken = || {
        FaultRule::new(Fault::link_header("<<not a url>>; rel=next"))
            .path("/orgs/big/packages")
            .times(1)
    };
    emu.inject(broken());
    let ndjson = list("ndjson");
    assert_eq!(ndjson.status.code(), Some(1), "{}", text(&ndjson.stderr));
    assert!(text(&ndjson.stderr).starts_with("ghpkg: "));
    assert_eq!(lines(&ndjson), all[..100]);
    emu.inject(broken());
    let json = list("json");
    assert_eq!(json.status.code(), Some(1), "{}", text(&json.stderr));
    assert!(json.stdout.is_empty());
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

/// A run killed mid-delete (SIGKILL, no chance to clean up) is finished by
/// applying the same plan with the same journal: nothing is deleted twice,
/// nothing outside the plan is deleted, every kept image stays whole.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_apply_resumes_from_its_journal() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    use ghpkg_emulator::{Fault, FaultRule};

    let emu = Emulator::demo().await.unwrap();
    let d = dir();
    let policy = d.join("policy.json");
    std::fs::write(
        &policy,
        r#"{"owner": {"org": "acme"}, "package_type": "container",
            "packages": {"include": ["api/server"]},
            "delete": [{"tags": ["1.1.0", "1.0.0"]}, {"index": "ghost"}, {"index": "partial"},
                       {"orphaned_referrer": true}]}"#,
    )
    .unwrap();
    let plan = d.join("plan.json");
    let registry = emu.registry_url();
    let out = ghpkg(
        &emu,
        &[
            "retention",
            "plan",
            "--policy",
            policy.to_str().unwrap(),
            "--out",
            plan.to_str().unwrap(),
            "--registry-url",
            &registry,
            "--format",
            "json",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let planned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    let mut to_delete: Vec<u64> = planned["packages"][0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "delete")
        .map(|a| a["version_id"].as_u64().unwrap())
        .collect();
    to_delete.sort();
    assert_eq!(to_delete.len(), 7);

    // Deletes answer slowly, so the kill lands while one is in flight.
    emu.inject(
        FaultRule::new(Fault::latency(std::time::Duration::from_millis(600)))
            .method("DELETE")
            .forever(),
    );
    let journal = d.join("journal.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ghpkg"))
        .args([
            "retention",
            "apply",
            plan.to_str().unwrap(),
            "--journal",
            journal.to_str().unwrap(),
            "--yes",
            "--events",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GITHUB_API_URL", emu.url())
        .env("GITHUB_TOKEN", DEMO_TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Keep reading its events (a closed pipe would stop it another way).
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let event: serde_json::Value = serde_json::from_str(&line).unwrap();
            if event["type"] == "outcome" {
                let _ = tx.send(());
            }
        }
    });
    for _ in 0..2 {
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("an outcome event");
    }
    // Wait until the third delete is on the wire, then kill.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while emu
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count()
        < 3
    {
        assert!(std::time::Instant::now() < deadline, "no third delete");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let lines = std::fs::read_to_string(&journal).unwrap();
    let intents = lines.matches(r#""record":"intent""#).count();
    let outcomes_written = lines.matches(r#""record":"outcome""#).count();
    assert_eq!(intents, 3, "{lines}");
    assert_eq!(
        outcomes_written, 2,
        "the killed delete has no outcome: {lines}"
    );
    assert!(!lines.contains(r#""record":"footer""#));

    emu.clear_faults();
    let out = ghpkg(
        &emu,
        &[
            "retention",
            "apply",
            plan.to_str().unwrap(),
            "--journal",
            journal.to_str().unwrap(),
            "--yes",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let last: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "report");
    let report = &last["report"];
    assert_eq!(report["status"], "complete");
    assert_eq!(report["counts"]["deleted"], 7, "{report:#}");

    // Each planned version got exactly one DELETE; nothing else got any.
    let mut deleted: Vec<u64> = emu
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.rsplit('/').next().unwrap().parse().unwrap())
        .collect();
    deleted.sort();
    assert_eq!(deleted, to_delete, "each planned version deleted once");
    let still_active = emu.with_state(|s| {
        s.packages()
            .iter()
            .find(|p| p.id == 2001)
            .unwrap()
            .versions
            .iter()
            .filter(|v| !v.is_deleted())
            .count()
    });
    assert_eq!(still_active, 19 - 7);
    // The kept multi-arch image is whole: verify ran and found nothing broken.
    assert_eq!(report["verify"]["broken"], serde_json::json!([]));
    assert_eq!(report["verify"]["checked_tags"], 3);
}

/// The README's policy (`examples/retention/policy.json`) plans against the
/// demo: the semver-tagged releases are protected, the broken leftovers go.
#[tokio::test(flavor = "multi_thread")]
async fn the_readme_policy_plans() {
    let emu = Emulator::demo().await.unwrap();
    let policy = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/retention/policy.json"
    );
    let registry = emu.registry_url();
    let out = ghpkg(
        &emu,
        &[
            "retention",
            "plan",
            "--policy",
            policy,
            "--registry-url",
            &registry,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pkg = &plan["packages"][0];
    assert_eq!(pkg["name"], "api/server");
    assert_eq!(pkg["status"], "ok");
    let verdict = |id: u64| {
        pkg["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["version_id"] == id)
            .unwrap()["action"]
            .clone()
    };
    for release in [5_000_000_001u64, 20015, 20016] {
        assert_eq!(verdict(release), "keep", "{release}");
    }
    for leftover in [200140u64, 200150, 200151, 200160] {
        assert_eq!(verdict(leftover), "delete", "{leftover}");
    }
}

/// The golden plans of `tests/goldens/`, made by the command line: the
/// file `--out` writes is the golden, byte for byte, once normalized.
#[tokio::test(flavor = "multi_thread")]
async fn golden_plans() {
    let goldens = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/goldens");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(goldens.join("cases.json")).unwrap())
            .unwrap();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let emu = Emulator::demo().await.unwrap();
        let d = dir();
        let policy = d.join("policy.json");
        std::fs::write(&policy, case["policy"].to_string()).unwrap();
        let out = d.join("plan.json");
        let registry = emu.registry_url();
        let run = ghpkg(
            &emu,
            &[
                "retention",
                "plan",
                "--policy",
                policy.to_str().unwrap(),
                "--now",
                case["now"].as_str().unwrap(),
                "--registry-url",
                &registry,
                "--out",
                out.to_str().unwrap(),
                "--format",
                "json",
            ],
            &[],
        );
        assert_eq!(run.status.code(), Some(0), "{name}: {}", text(&run.stderr));
        let written = std::fs::read_to_string(&out).unwrap();
        let id: serde_json::Value = serde_json::from_str(&written).unwrap();
        let got = written
            .replace(&emu.url(), "http://api.invalid")
            .replace(&registry, "http://registry.invalid")
            .replace(id["id"].as_str().unwrap(), "pln_0000000000000000");
        let want = std::fs::read_to_string(goldens.join(format!("{name}.plan.json"))).unwrap();
        assert!(
            got == want,
            "{name}: the command line's plan differs from the golden"
        );
    }
}

/// A reader that goes away (`ghpkg ... | head`) ends the command quietly.
#[cfg(unix)]
#[test]
fn a_closed_stdout_is_not_a_panic() {
    use std::os::fd::FromRawFd;
    use std::process::Stdio;
    // A pipe whose read end is closed before ghpkg starts: its first write fails.
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned here.
    let (read_end, write_end) = unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    };
    drop(read_end);
    let out = Command::new(env!("CARGO_BIN_EXE_ghpkg"))
        .args(["retention", "schema", "plan"])
        .stdout(Stdio::from(write_end))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{:?}", out.status);
}
