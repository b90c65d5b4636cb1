//! The published JSON Schemas in `schemas/` are what the core generates.
//! `GHPKG_UPDATE_SCHEMAS=1 cargo test -p ghpkg --test it schemas` rewrites them.

use std::path::PathBuf;

#[test]
fn published_schemas_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let update = std::env::var_os("GHPKG_UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (name, schema) in ghpkg::retention::schemas() {
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "schemas/{stale:?} differ from what the core generates; run \
         GHPKG_UPDATE_SCHEMAS=1 cargo test -p ghpkg --test it schemas and commit them"
    );
}
