//! The golden plans of `tests/goldens/`: each case's policy, planned on a
//! fresh demo emulator at its pinned `now`, gives exactly the committed plan
//! JSON (after the normalization `tests/goldens/README.md` describes). The
//! other front doors replay the same files. `GHPKG_UPDATE_GOLDENS=1`
//! rewrites them.

use std::path::PathBuf;

use ghpkg::retention::{PlanOptions, Policy};
use serde_json::Value;

use crate::common::{client, demo};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/goldens")
}

/// The normalization every runner applies: the emulator's two origins and
/// the plan id (which hashes them) are replaced by fixed strings.
pub(crate) fn normalize(json: &str, api: &str, registry: &str, plan_id: &str) -> String {
    json.replace(api, "http://api.invalid")
        .replace(registry, "http://registry.invalid")
        .replace(plan_id, "pln_0000000000000000")
}

#[tokio::test]
async fn golden_plans() {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir().join("cases.json")).unwrap()).unwrap();
    assert!(cases.len() >= 5);
    let update = std::env::var_os("GHPKG_UPDATE_GOLDENS").is_some();
    let mut stale = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        for key in case.as_object().unwrap().keys() {
            assert!(
                ["name", "about", "now", "policy"].contains(&key.as_str()),
                "{name}: unknown key {key}"
            );
        }
        let emu = demo().await;
        let policy = Policy::from_json(&case["policy"].to_string()).unwrap();
        let options = PlanOptions {
            now: Some(case["now"].as_str().unwrap().parse().unwrap()),
            registry_url: Some(emu.registry_url()),
            manifest_cache: None,
        };
        let plan = client(&emu)
            .retention()
            .plan(&policy, &options)
            .await
            .unwrap();
        let got = normalize(&plan.to_json(), &emu.url(), &emu.registry_url(), &plan.id) + "\n";
        let path = dir().join(format!("{name}.plan.json"));
        if update {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if want != got {
            stale.push(name.to_owned());
        }
    }
    assert!(
        stale.is_empty(),
        "plans differ from their goldens: {stale:?} (GHPKG_UPDATE_GOLDENS=1 rewrites them; review the diff)"
    );
}
