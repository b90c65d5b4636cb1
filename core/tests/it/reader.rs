//! A plain registry reader for tests: a pull token from the emulator's
//! `/token`, then manifests by tag or digest, followed down every index.
//! It shares no code with the engine, so what it sees is independent.

use ghpkg_emulator::{Emulator, DEMO_TOKEN};
use serde_json::Value;

/// A plain registry reader: a pull token from `/token`, then manifests.
pub struct Reader {
    repo: String,
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Reader {
    pub async fn new(emu: &Emulator, repo: &str) -> Reader {
        let http = reqwest::Client::new();
        let base = emu.registry_url();
        let body: Value = http
            .get(format!("{base}/token?scope=repository:{repo}:pull"))
            .basic_auth("octocat", Some(DEMO_TOKEN))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap();
        Reader {
            repo: repo.to_owned(),
            http,
            base,
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    /// The manifest `reference` names, with its digest, or `None` (404).
    pub async fn get(&self, reference: &str) -> Option<(String, Value)> {
        let resp = self
            .http
            .get(format!("{}/v2/{}/manifests/{reference}", self.base, self.repo))
            .bearer_auth(&self.token)
            .header("accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json")
            .send()
            .await
            .unwrap();
        if resp.status() == 404 {
            return None;
        }
        assert_eq!(resp.status(), 200, "GET {reference}");
        let digest = resp.headers()["docker-content-digest"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = resp.bytes().await.unwrap();
        Some((digest, serde_json::from_slice(&body).unwrap()))
    }

    /// Every digest `tag` reaches that the registry does not serve; `None`
    /// when the tag itself is gone.
    pub async fn missing_under(&self, tag: &str) -> Option<Vec<String>> {
        let (_, root) = self.get(tag).await?;
        let mut missing = Vec::new();
        let mut queue: Vec<Value> = vec![root];
        while let Some(m) = queue.pop() {
            for child in m["manifests"].as_array().into_iter().flatten() {
                let d = child["digest"].as_str().unwrap();
                match self.get(d).await {
                    Some((_, c)) => queue.push(c),
                    None => missing.push(d.to_owned()),
                }
            }
        }
        Some(missing)
    }
}
