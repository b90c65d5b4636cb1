//! The `ghpkg-emulator` binary prints one JSON line and serves.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use ghpkg_emulator::{Fixture, PackageSpec, TokenSpec, DEMO_TOKEN};
use serde_json::Value;

use crate::common::{client, read};

/// Kills the child even when an assertion fails.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Running, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ghpkg-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let ready: Value =
        serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    (running, ready)
}

#[tokio::test]
async fn prints_url_and_demo_token_then_serves() {
    let (_child, ready) = spawn(&[]);
    assert_eq!(ready["token"], DEMO_TOKEN);
    let registry = ready["registry_url"].as_str().unwrap();
    assert!(registry.starts_with("http://127.0.0.1:"), "{registry}");
    assert_ne!(ready["url"], ready["registry_url"]);
    let r = read(
        client()
            .get(format!("{registry}/v2/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .starts_with(&format!("Bearer realm=\"{registry}/token\"")));
    let url = ready["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with('/'),
        "{url}"
    );
    let r = client()
        .get(format!("{url}/orgs/acme/packages/container/api%2Fserver"))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    let r = read(r).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["name"], "api/server");
}

#[tokio::test]
async fn serves_a_fixture_file_with_latency() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ghpkg-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fixture.json");
    let fixture = Fixture::empty()
        .user("solo")
        .token(TokenSpec::fine_grained("github_pat_x", "solo"))
        .token(TokenSpec::classic("ghp_solo", "solo", &["read:packages"]))
        .package(PackageSpec::new("solo", "only", "npm"));
    std::fs::write(&file, fixture.to_json()).unwrap();
    let (_child, ready) = spawn(&[
        "--fixture",
        file.to_str().unwrap(),
        "--latency-ms",
        "100",
        "--port",
        "0",
    ]);
    assert_eq!(ready["token"], "ghp_solo", "the first classic token");
    let url = ready["url"].as_str().unwrap();
    let start = std::time::Instant::now();
    let r = read(
        client()
            .get(format!("{url}/user/packages/npm/only"))
            .bearer_auth("ghp_solo")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(start.elapsed() >= std::time::Duration::from_millis(100));

    std::fs::write(&file, "{}").unwrap();
    let (_child, ready) = spawn(&["--fixture", file.to_str().unwrap()]);
    assert_eq!(ready["token"], Value::Null);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_and_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_ghpkg-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--fixture FILE"));
    let out = Command::new(env!("CARGO_BIN_EXE_ghpkg-emulator"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_ghpkg-emulator"))
        .args(["--fixture", "/nonexistent/fixture.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn secondary_limit_flag_sets_the_points_budget() {
    // 2 points a minute: the first GET passes, the third is refused.
    let (_child, ready) = spawn(&["--secondary-points-per-minute", "2"]);
    let url = ready["url"].as_str().unwrap();
    let token = ready["token"].as_str().unwrap();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = client()
            .get(format!("{url}/orgs/acme/packages/container/only-tag"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        statuses.push((r.status().as_u16(), r.headers().contains_key("retry-after")));
    }
    assert_eq!(statuses[0], (200, false));
    assert_eq!(statuses[2].0, 403, "{statuses:?}");
    assert!(statuses[2].1, "a secondary limit says when to retry");
    let out = Command::new(env!("CARGO_BIN_EXE_ghpkg-emulator"))
        .args(["--secondary-points-per-minute", "many"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn fault_flags_apply_in_order_and_first_match_wins() {
    let (_child, ready) = spawn(&[
        "--fault",
        "status:502@/orgs/acme/packages/npm/ui-kitx2",
        "--fault",
        r#"{"kind":"secondary_rate_limit","retry_after_seconds":9,"path":"/orgs/acme/packages/npm/","times":null}"#,
        "--fault=malformed_json@/users/octocat",
    ]);
    let url = ready["url"].as_str().unwrap();
    let token = ready["token"].as_str().unwrap();
    let get = |path: &str| {
        let request = client()
            .get(format!("{url}{path}"))
            .bearer_auth(token)
            .send();
        async move { read(request.await.unwrap()).await }
    };
    // The first rule (twice), then the second, forever.
    for _ in 0..2 {
        assert_eq!(get("/orgs/acme/packages/npm/ui-kit").await.status, 502);
    }
    for _ in 0..3 {
        let r = get("/orgs/acme/packages/npm/ui-kit").await;
        assert_eq!(r.status, 403, "the secondary limit's default status");
        assert_eq!(r.header("retry-after").as_deref(), Some("9"));
        assert!(r.message().contains("secondary rate limit"));
    }
    // Without a count the shorthand applies once.
    let r = get("/users/octocat/packages/npm/hello-world").await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<Value>(&r.text).is_err());
    let r = get("/users/octocat/packages/npm/hello-world").await;
    assert_eq!(r.json()["name"], "hello-world");
    // Paths no rule names are untouched.
    let r = get("/orgs/acme/packages/container/only-tag").await;
    assert_eq!(r.status, 200);
}

#[test]
fn bad_fault_flags_are_refused_with_the_reason() {
    for (spec, reason) in [
        ("explode@/x", "unknown fault kind \"explode\""),
        ("status@/x", "needs `status`"),
        ("redirect:/y@/xx0", "at least 1"),
        ("status:500", "no '@'"),
        (r#"{"kind":"redirect","location":"/y","status":200}"#, "3xx"),
        (
            r#"{"kind":"status","status":500,"colour":"red"}"#,
            "unknown field `colour`",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ghpkg-emulator"))
            .args(["--fault", spec])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{spec}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(reason), "{spec}: {stderr}");
        assert!(out.stdout.is_empty(), "{spec}: no ready line");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_ghpkg-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--fault SPEC") && help.contains("KIND[:ARG]@PATH[xCOUNT]"));
}

#[tokio::test]
async fn registry_switches_from_flags() {
    let (_child, ready) = spawn(&[
        "--registry-token-seconds",
        "42",
        "--head-counts-as-download",
        "--no-restore-reattaches-tags",
        "--fault",
        "digest_mismatch@/manifests/x*",
    ]);
    let registry = ready["registry_url"].as_str().unwrap();
    let r = read(
        client()
            .get(format!(
                "{registry}/token?scope=repository:octocat/popular-image:pull"
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.json()["expires_in"], 42);
    let t = r.json()["token"].as_str().unwrap().to_owned();
    let manifest = |method: reqwest::Method| {
        client()
            .request(
                method,
                format!("{registry}/v2/octocat/popular-image/manifests/latest"),
            )
            .bearer_auth(&t)
            .send()
    };
    let r = read(manifest(reqwest::Method::GET).await.unwrap()).await;
    let digest = r.header("docker-content-digest").unwrap();
    assert_ne!(
        crate::common::sha256(&r.bytes),
        digest,
        "the fault from --fault"
    );
    read(manifest(reqwest::Method::HEAD).await.unwrap()).await;
    let url = ready["url"].as_str().unwrap();
    let v = read(
        client()
            .get(format!(
                "{url}/users/octocat/packages/container/popular-image/versions/10121"
            ))
            .bearer_auth(DEMO_TOKEN)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v.status, 200);
    // The REST API does not show downloads; the tags stay as they are until a restore.
    assert_eq!(
        v.json()["metadata"]["container"]["tags"],
        serde_json::json!(["1.0", "latest"])
    );
}
