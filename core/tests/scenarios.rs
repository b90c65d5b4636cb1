//! The cross-language scenarios of `tests/scenarios.json`, replayed through
//! the Rust API. The Python, Node and Go suites replay the same file through
//! their bindings, so every front door is held to the same behaviour: each
//! scenario runs against a fresh demo emulator, and each step checks what
//! the call returned and, where the scenario says so, the request it sent
//! (or that it sent none). The format is described in `tests/README.md`.
//!
//! This binary owns the process environment: the `client` steps set the
//! variables a client reads, so nothing else runs in this process.

use std::path::PathBuf;
use std::time::Duration;

use ghpkg::{Client, Owner, PackageType, VersionState, Visibility};
use ghpkg_emulator::{
    Emulator, LoggedRequest, ACTIONS_TOKEN, APP_TOKEN, DEMO_TOKEN, FINE_GRAINED_TOKEN, HUBOT_TOKEN,
    NO_SCOPES_TOKEN, OAUTH_TOKEN, READ_ONLY_TOKEN, USER_TO_SERVER_TOKEN,
};
use serde_json::{Map, Value};

const PACKAGE_ARGS: &[&str] = &["owner", "package_type", "name"];
const VERSION_ARGS: &[&str] = &["owner", "package_type", "name", "version_id"];
/// Each operation with its required and optional args.
const OPS: &[(&str, &[&str], &[&str])] = &[
    ("list_packages", &["owner", "package_type"], &["visibility"]),
    ("get_package", PACKAGE_ARGS, &[]),
    ("delete_package", PACKAGE_ARGS, &[]),
    ("restore_package", PACKAGE_ARGS, &["token"]),
    ("list_versions", PACKAGE_ARGS, &["state"]),
    ("get_version", VERSION_ARGS, &[]),
    ("delete_version", VERSION_ARGS, &[]),
    ("restore_version", VERSION_ARGS, &[]),
    ("docker_conflicts", &["owner"], &[]),
    ("catalog_select", &["resource", "params"], &[]),
    ("catalog_delete", &["resource", "params"], &[]),
    ("catalog_exec", &["resource", "method", "params"], &[]),
    (
        "client",
        &[],
        &["token", "username", "anonymous", "base_url", "use_env"],
    ),
];
/// The variables a client may read, which a `client` step controls.
const ENV_VARS: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "STACKQL_GITHUB_USERNAME",
    "STACKQL_GITHUB_PASSWORD",
    "GITHUB_API_URL",
];
const SCENARIO_KEYS: &[&str] = &["name", "steps"];
const STEP_KEYS: &[&str] = &[
    "op",
    "args",
    "token",
    "expect",
    "wire",
    "sends_nothing",
    "env",
];
const CLIENT_KEYS: &[&str] = &["base_url", "token_kind", "authorization"];
const ERROR_KEYS: &[&str] = &["error", "status", "message"];
const SUCCESS_KEYS: &[&str] = &["ok", "fields", "count", "names", "ids", "tags"];
const WIRE_KEYS: &[&str] = &["method", "path", "query_contains", "requests"];
/// The field paths `fields` may name on a typed package or version; catalog
/// rows are JSON and take any dotted path into the row.
const PACKAGE_FIELDS: &[&str] = &[
    "id",
    "name",
    "package_type",
    "visibility",
    "version_count",
    "url",
    "html_url",
    "owner.login",
    "owner.type",
    "repository.full_name",
];
const VERSION_FIELDS: &[&str] = &[
    "id",
    "name",
    "url",
    "package_html_url",
    "html_url",
    "license",
    "description",
    "metadata.package_type",
];
const TOKEN_PREFIXES: &[&str] = &["ghp_", "gho_", "ghs_", "ghu_", "github_pat_"];

type Obj = Map<String, Value>;

fn scenario_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios.json")
}

/// Checks that `obj` has every required key and no key outside `allowed`.
fn keys(obj: &Obj, required: &[&str], allowed: &[&str], what: &str) -> Result<(), String> {
    if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("{what}: unknown key {k:?} (allowed: {allowed:?})"));
    }
    if let Some(k) = required.iter().find(|k| !obj.contains_key(**k)) {
        return Err(format!("{what}: missing key {k:?}"));
    }
    Ok(())
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Obj, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} must be an object, got {v}"))
}

fn string<'a>(obj: &'a Obj, key: &str) -> Result<&'a str, String> {
    obj.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{key} must be a string"))
}

/// Validates a whole step, so a typo fails before anything runs.
fn validate_step(step: &Value) -> Result<(), String> {
    let step = object(step, "step")?;
    keys(step, &["op", "args", "expect"], STEP_KEYS, "step")?;
    let op = string(step, "op")?;
    let (_, required, optional) = OPS
        .iter()
        .find(|(name, _, _)| *name == op)
        .ok_or_else(|| format!("unknown op {op:?}"))?;
    let allowed: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
    let args = object(&step["args"], "args")?;
    keys(args, required, &allowed, "args")?;
    if let Some(owner) = args.get("owner") {
        let owner = object(owner, "owner")?;
        keys(owner, &[], &["org", "user"], "owner")?;
        if owner.len() > 1 {
            return Err("owner: give org or user, not both".into());
        }
    }
    if let Some(t) = step.get("token") {
        let t = t.as_str().ok_or("token must be a string")?;
        token(t)?;
    }
    let expect = object(&step["expect"], "expect")?;
    if op == "client" {
        return validate_client_step(step, args, expect);
    }
    if step.contains_key("env") {
        return Err("env: only client steps take an environment".into());
    }
    if expect.contains_key("error") {
        keys(expect, &["error"], ERROR_KEYS, "expect (error)")?;
    } else {
        keys(expect, &[], SUCCESS_KEYS, "expect (success)")?;
        if expect.is_empty() {
            return Err("expect: empty; use {\"ok\": true} for a bare success".into());
        }
        if expect.get("ok").is_some_and(|v| v != &Value::Bool(true)) {
            return Err("expect: ok must be true".into());
        }
    }
    match (step.get("wire"), step.get("sends_nothing")) {
        (Some(_), Some(_)) => return Err("wire and sends_nothing exclude each other".into()),
        (Some(w), None) => keys(object(w, "wire")?, &[], WIRE_KEYS, "wire")?,
        (None, Some(v)) if v != &Value::Bool(true) => {
            return Err("sends_nothing must be true".into())
        }
        _ => {}
    }
    Ok(())
}

fn validate_client_step(step: &Obj, args: &Obj, expect: &Obj) -> Result<(), String> {
    for key in ["token", "wire", "sends_nothing"] {
        if step.contains_key(key) {
            return Err(format!("{key}: not taken by client steps"));
        }
    }
    let env = object(step.get("env").ok_or("client steps need env")?, "env")?;
    keys(env, &[], ENV_VARS, "env")?;
    for (k, v) in env {
        let v = v
            .as_str()
            .ok_or_else(|| format!("env.{k} must be a string"))?;
        if (k.ends_with("TOKEN") || k == "STACKQL_GITHUB_PASSWORD") && !v.is_empty() {
            token(v)?;
        }
    }
    if let Some(t) = args.get("token") {
        token(t.as_str().ok_or("args.token must be a string")?)?;
    }
    if expect.contains_key("error") {
        keys(expect, &["error"], ERROR_KEYS, "expect (error)")
    } else {
        keys(expect, &["base_url"], CLIENT_KEYS, "expect (client)")
    }
}

/// The token a step names: a demo token's name, `anonymous` (`None`), or
/// a literal token recognised by its prefix.
fn token(name: &str) -> Result<Option<&str>, String> {
    Ok(Some(match name {
        "demo" => DEMO_TOKEN,
        "read_only" => READ_ONLY_TOKEN,
        "no_scopes" => NO_SCOPES_TOKEN,
        "hubot" => HUBOT_TOKEN,
        "oauth" => OAUTH_TOKEN,
        "fine_grained" => FINE_GRAINED_TOKEN,
        "app" => APP_TOKEN,
        "actions" => ACTIONS_TOKEN,
        "user_to_server" => USER_TO_SERVER_TOKEN,
        "anonymous" => return Ok(None),
        literal if TOKEN_PREFIXES.iter().any(|p| literal.starts_with(p)) => literal,
        other => return Err(format!("unknown token name {other:?}")),
    }))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Package,
    Version,
    Row,
}

/// One object a call returned, as the core's JSON.
struct Item {
    kind: Kind,
    json: Value,
    tags: Vec<String>,
}

enum Got {
    Unit,
    One(Item),
    Many(Vec<Item>),
}

fn package(p: &ghpkg::Package) -> Item {
    Item {
        kind: Kind::Package,
        json: p.to_json(),
        tags: Vec::new(),
    }
}

fn version(v: &ghpkg::PackageVersion) -> Item {
    Item {
        kind: Kind::Version,
        json: v.to_json(),
        tags: v.tags().to_vec(),
    }
}

fn rows(rows: Vec<ghpkg::catalog::Row>) -> Got {
    Got::Many(
        rows.into_iter()
            .map(|r| Item {
                kind: Kind::Row,
                json: Value::Object(r),
                tags: Vec::new(),
            })
            .collect(),
    )
}

fn owner(args: &Obj) -> Owner {
    let o = &args["owner"];
    if let Some(org) = o.get("org").and_then(Value::as_str) {
        Owner::org(org)
    } else if let Some(user) = o.get("user").and_then(Value::as_str) {
        Owner::user(user)
    } else {
        Owner::AuthenticatedUser
    }
}

fn arg<'a>(args: &'a Obj, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

fn version_id(args: &Obj) -> u64 {
    args["version_id"].as_u64().expect("version_id is a number")
}

/// Runs one step's call through the Rust API.
async fn call(c: &Client, op: &str, args: &Obj) -> ghpkg::Result<Got> {
    if matches!(op, "catalog_select" | "catalog_delete" | "catalog_exec") {
        let resource = arg(args, "resource").unwrap_or_default();
        let empty = Obj::new();
        let params = args["params"].as_object().unwrap_or(&empty);
        return Ok(match op {
            "catalog_select" => rows(c.catalog_select(resource, params).await?),
            "catalog_delete" => c
                .catalog_delete(resource, params)
                .await
                .map(|()| Got::Unit)?,
            _ => {
                let method = arg(args, "method").unwrap_or_default();
                rows(c.catalog_exec(resource, method, params).await?)
            }
        });
    }
    let owner = owner(args);
    if op == "docker_conflicts" {
        let all = c.docker_conflicts(&owner).collect_all().await?;
        return Ok(Got::Many(all.iter().map(package).collect()));
    }
    let ty: PackageType = arg(args, "package_type").unwrap_or_default().parse()?;
    if op == "list_packages" {
        let vis: Option<Visibility> = arg(args, "visibility").map(str::parse).transpose()?;
        let all = c.list_packages(&owner, ty, vis).collect_all().await?;
        return Ok(Got::Many(all.iter().map(package).collect()));
    }
    let name = arg(args, "name").unwrap_or_default();
    Ok(match op {
        "get_package" => Got::One(package(&c.get_package(&owner, ty, name).await?)),
        "delete_package" => c
            .delete_package(&owner, ty, name)
            .await
            .map(|()| Got::Unit)?,
        "restore_package" => {
            let t = arg(args, "token");
            c.restore_package(&owner, ty, name, t).await?;
            Got::Unit
        }
        "list_versions" => {
            let state: Option<VersionState> = arg(args, "state").map(str::parse).transpose()?;
            let all = c
                .list_versions(&owner, ty, name, state)
                .collect_all()
                .await?;
            Got::Many(all.iter().map(version).collect())
        }
        "get_version" => Got::One(version(
            &c.get_version(&owner, ty, name, version_id(args)).await?,
        )),
        "delete_version" => {
            c.delete_version(&owner, ty, name, version_id(args)).await?;
            Got::Unit
        }
        "restore_version" => {
            c.restore_version(&owner, ty, name, version_id(args))
                .await?;
            Got::Unit
        }
        other => unreachable!("op {other} passed validation"),
    })
}

/// The value at a dotted path of an item; typed items only take the
/// documented paths (an absent optional field reads as null).
fn field(item: &Item, path: &str) -> Result<Value, String> {
    let allowed = match item.kind {
        Kind::Package => Some(PACKAGE_FIELDS),
        Kind::Version => Some(VERSION_FIELDS),
        Kind::Row => None,
    };
    if let Some(allowed) = allowed {
        if !allowed.contains(&path) {
            return Err(format!("fields: {path:?} is not one of {allowed:?}"));
        }
    }
    let mut cur = &item.json;
    for part in path.split('.') {
        match cur.get(part) {
            Some(v) => cur = v,
            None if cur.is_null() => return Ok(Value::Null),
            None if item.kind == Kind::Row => {
                return Err(format!("fields: the row has no {path:?}"))
            }
            None => return Ok(Value::Null),
        }
    }
    Ok(cur.clone())
}

fn many<'a>(got: &'a Got, key: &str) -> Result<&'a [Item], String> {
    match got {
        Got::Many(items) => Ok(items),
        _ => Err(format!("{key}: the result is not a listing")),
    }
}

fn check_success(expect: &Obj, got: &Got) -> Result<(), String> {
    for (key, want) in expect {
        match key.as_str() {
            "ok" => {}
            "count" => {
                let n = many(got, key)?.len();
                if want.as_u64() != Some(n as u64) {
                    return Err(format!("count: expected {want}, got {n}"));
                }
            }
            "names" | "ids" => {
                let field = if key == "names" { "name" } else { "id" };
                let have: Vec<Value> = many(got, key)?
                    .iter()
                    .map(|i| i.json[field].clone())
                    .collect();
                if Value::Array(have.clone()) != *want {
                    return Err(format!("{key}: expected {want}, got {}", Value::from(have)));
                }
            }
            "fields" => {
                let item = match got {
                    Got::One(i) => i,
                    Got::Many(items) => items.first().ok_or("fields: the listing is empty")?,
                    Got::Unit => return Err("fields: the call returns nothing".into()),
                };
                for (path, want) in object(want, "fields")? {
                    let have = field(item, path)?;
                    if have != *want {
                        return Err(format!("fields.{path}: expected {want}, got {have}"));
                    }
                }
            }
            "tags" => match got {
                Got::One(i) if i.kind == Kind::Version => {
                    if Value::from(i.tags.clone()) != *want {
                        return Err(format!("tags: expected {want}, got {:?}", i.tags));
                    }
                }
                _ => return Err("tags: the result is not a version".into()),
            },
            other => return Err(format!("unknown expectation {other:?}")),
        }
    }
    Ok(())
}

fn check_error(expect: &Obj, e: &ghpkg::Error) -> Result<(), String> {
    let code = e.kind().code();
    if expect["error"] != code {
        return Err(format!(
            "expected error {}, got {code}: {e}",
            expect["error"]
        ));
    }
    if let Some(want) = expect.get("status") {
        let have = e.status().map_or(Value::Null, Value::from);
        if have != *want {
            return Err(format!("status: expected {want}, got {have} ({e})"));
        }
    }
    if let Some(want) = expect.get("message") {
        if e.message() != want {
            return Err(format!("message: expected {want}, got {:?}", e.message()));
        }
    }
    Ok(())
}

fn check_wire(wire: &Obj, sent: &[LoggedRequest]) -> Result<(), String> {
    if let Some(n) = wire.get("requests") {
        if n.as_u64() != Some(sent.len() as u64) {
            return Err(format!("wire: expected {n} requests, got {}", sent.len()));
        }
    }
    let last = sent.last().ok_or("wire: the step sent no request")?;
    if let Some(m) = wire.get("method") {
        if last.method != *m {
            return Err(format!("wire.method: expected {m}, got {}", last.method));
        }
    }
    if let Some(p) = wire.get("path") {
        if last.path != *p {
            return Err(format!("wire.path: expected {p}, got {}", last.path));
        }
    }
    if let Some(q) = wire.get("query_contains") {
        let query = last.query.as_deref().unwrap_or("");
        let pairs: Vec<&str> = query.split('&').collect();
        for want in q.as_array().ok_or("wire.query_contains must be a list")? {
            if !want.as_str().is_some_and(|w| pairs.contains(&w)) {
                return Err(format!("wire.query_contains: {want} not in {query:?}"));
            }
        }
    }
    Ok(())
}

/// A value of a `client` step: a token name is the token, `emulator` the
/// emulator's URL, anything else itself.
fn resolve(emu: &Emulator, key: &str, value: &str) -> Result<String, String> {
    if value == "emulator" && key.ends_with("URL") {
        return Ok(emu.url());
    }
    if !value.is_empty()
        && (key.ends_with("TOKEN") || key == "STACKQL_GITHUB_PASSWORD" || key == "token")
    {
        return Ok(token(value)?.unwrap_or_default().to_owned());
    }
    Ok(value.to_owned())
}

/// Builds a client from a `client` step's options with exactly its
/// environment, then checks what it resolved to and what it sends.
async fn run_client_step(emu: &Emulator, step: &Obj) -> Result<(), String> {
    let env = object(&step["env"], "env")?;
    let args = object(&step["args"], "args")?;
    let expect = object(&step["expect"], "expect")?;
    for var in ENV_VARS {
        match env.get(*var).and_then(Value::as_str) {
            Some(v) => std::env::set_var(var, resolve(emu, var, v)?),
            None => std::env::remove_var(var),
        }
    }
    let mut config = ghpkg::ClientConfig::default();
    for (key, value) in args {
        match (key.as_str(), value) {
            ("token", Value::String(t)) => config.token = Some(resolve(emu, "token", t)?),
            ("username", Value::String(u)) => config.username = Some(u.clone()),
            ("base_url", Value::String(u)) => config.base_url = Some(resolve(emu, "base_URL", u)?),
            ("anonymous", Value::Bool(b)) => config.anonymous = *b,
            ("use_env", Value::Bool(b)) => config.use_env = *b,
            (k, v) => return Err(format!("args.{k}: unusable value {v}")),
        }
    }
    let built = config.build();
    for var in ENV_VARS {
        std::env::remove_var(var);
    }
    let client = match (built, expect.contains_key("error")) {
        (Err(e), true) => return check_error(expect, &e),
        (Ok(_), true) => return Err(format!("expected error {}, but it built", expect["error"])),
        (Err(e), false) => return Err(format!("expected a client, got {e}")),
        (Ok(c), false) => c,
    };
    let want_url = resolve(emu, "base_URL", string(expect, "base_url")?)?;
    if client.base_url() != want_url {
        return Err(format!(
            "base_url: expected {want_url}, got {}",
            client.base_url()
        ));
    }
    if let Some(kind) = expect.get("token_kind") {
        if client.token_kind().as_str() != kind {
            return Err(format!(
                "token_kind: expected {kind}, got {}",
                client.token_kind().as_str()
            ));
        }
    }
    if let Some(want) = expect.get("authorization") {
        let before = emu.requests().len();
        let _ = client
            .get_package(&Owner::org("acme"), PackageType::Container, "api/server")
            .await;
        let sent = emu.requests().split_off(before);
        let header = sent
            .last()
            .ok_or("authorization: no request reached the emulator")?
            .header("authorization")
            .map(str::to_owned);
        let want = match want.as_str() {
            None => None,
            Some(w) => Some(match w.split_once(' ') {
                Some(("Bearer", name)) => format!("Bearer {}", resolve(emu, "token", name)?),
                Some(("Basic", pair)) => {
                    let (user, name) = pair
                        .split_once(':')
                        .ok_or("authorization: Basic user:token")?;
                    let raw = format!("{user}:{}", resolve(emu, "token", name)?);
                    format!("Basic {}", base64(raw.as_bytes()))
                }
                _ => return Err(format!("authorization: cannot read {w:?}")),
            }),
        };
        if header != want {
            return Err(format!("authorization: expected {want:?}, got {header:?}"));
        }
    }
    Ok(())
}

/// Standard base64 with padding, to compare a Basic header.
fn base64(data: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                B64[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

async fn run_step(emu: &Emulator, step: &Obj) -> Result<(), String> {
    if step["op"] == "client" {
        return run_client_step(emu, step).await;
    }
    let token = token(step.get("token").and_then(Value::as_str).unwrap_or("demo"))?;
    let mut builder = Client::builder()
        .use_env(false)
        .base_url(emu.url())
        .timeout(Duration::from_secs(20));
    builder = match token {
        Some(t) => builder.token(t),
        None => builder.anonymous(),
    };
    let client = builder.build().map_err(|e| format!("client: {e}"))?;
    let op = string(step, "op")?;
    let args = object(&step["args"], "args")?;
    let expect = object(&step["expect"], "expect")?;
    let before = emu.requests().len();
    let result = call(&client, op, args).await;
    let sent = emu.requests().split_off(before);
    match (&result, expect.contains_key("error")) {
        (Ok(got), false) => check_success(expect, got)?,
        (Err(e), true) => check_error(expect, e)?,
        (Ok(_), true) => {
            return Err(format!(
                "expected error {}, but it succeeded",
                expect["error"]
            ))
        }
        (Err(e), false) => return Err(format!("expected success, got {}: {e}", e.kind().code())),
    }
    if step.contains_key("sends_nothing") && !sent.is_empty() {
        let shown: Vec<String> = sent
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        return Err(format!("expected no request, sent {shown:?}"));
    }
    if let Some(wire) = step.get("wire") {
        check_wire(object(wire, "wire")?, &sent)?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenarios() {
    let path = scenario_file();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the scenario file {}: {e}", path.display()));
    let all: Vec<Value> = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not a JSON list: {e}", path.display()));
    assert!(!all.is_empty(), "{} holds no scenario", path.display());

    // Validate everything first: a typo anywhere fails the run before it starts.
    let mut problems = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (i, s) in all.iter().enumerate() {
        let checked = object(s, "scenario").and_then(|s| {
            keys(s, SCENARIO_KEYS, SCENARIO_KEYS, "scenario")?;
            let name = string(s, "name")?;
            if !names.insert(name.to_owned()) {
                return Err(format!("duplicate scenario name {name:?}"));
            }
            let steps = s["steps"].as_array().ok_or("steps must be a list")?;
            if steps.is_empty() {
                return Err("no steps".into());
            }
            for (j, step) in steps.iter().enumerate() {
                validate_step(step).map_err(|e| format!("step {}: {e}", j + 1))?;
            }
            Ok(())
        });
        if let Err(e) = checked {
            problems.push(format!("scenario {}: {e}", i + 1));
        }
    }
    assert!(
        problems.is_empty(),
        "bad scenario file:\n{}",
        problems.join("\n")
    );

    let (mut failures, mut steps_passed) = (Vec::new(), 0);
    for s in &all {
        let name = s["name"].as_str().unwrap_or_default();
        let emu = Emulator::demo().await.expect("start the demo emulator");
        for (j, step) in s["steps"].as_array().into_iter().flatten().enumerate() {
            let step = step.as_object().expect("validated");
            if let Err(e) = run_step(&emu, step).await {
                failures.push(format!("[{name}] step {} ({}): {e}", j + 1, step["op"]));
                break; // later steps build on this one
            }
            steps_passed += 1;
        }
        emu.shutdown().await;
    }
    println!(
        "scenarios: {} of {} passed, {steps_passed} steps",
        all.len() - failures.len(),
        all.len()
    );
    assert!(failures.is_empty(), "failed:\n{}", failures.join("\n"));
}
