//! Helpers shared by the integration tests: a tiny HTTP client over reqwest.

use ghpkg_emulator::Emulator;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

/// The User-Agent every test request sends (unless a test leaves it out on purpose).
pub const UA: &str = "ghpkg-emulator-tests/1.0";

/// A response, read completely.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body exactly as received.
    pub bytes: Vec<u8>,
}

impl Resp {
    /// The body parsed as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    /// A header value as a string.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// The `message` of an error body.
    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The names in a JSON array of packages or versions.
    pub fn names(&self) -> Vec<String> {
        self.json()
            .as_array()
            .expect("array")
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The URL with the given rel in the `link` header.
    pub fn link(&self, rel: &str) -> Option<String> {
        let link = self.header("link")?;
        link.split(", ").find_map(|part| {
            let (url, r) = part.split_once("; ")?;
            (r == format!("rel=\"{rel}\""))
                .then(|| url.trim_matches(|c| c == '<' || c == '>').to_owned())
        })
    }
}

/// A client that sends a User-Agent and never follows redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(UA)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Sends `method` to `emu.url() + path` with a bearer token (if any).
pub async fn call(emu: &Emulator, method: &str, path: &str, token: Option<&str>) -> Resp {
    let mut req = client().request(
        Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{}{path}", emu.url()),
    );
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    read(req.send().await.expect("request failed")).await
}

/// Reads a response completely.
pub async fn read(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let bytes = r.bytes().await.expect("body").to_vec();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Resp {
        status,
        headers,
        text,
        bytes,
    }
}

pub async fn get(emu: &Emulator, path: &str, token: Option<&str>) -> Resp {
    call(emu, "GET", path, token).await
}

pub async fn delete(emu: &Emulator, path: &str, token: Option<&str>) -> Resp {
    call(emu, "DELETE", path, token).await
}

pub async fn post(emu: &Emulator, path: &str, token: Option<&str>) -> Resp {
    call(emu, "POST", path, token).await
}

/// Percent-encodes a path segment the way a careful client does (all but unreserved characters).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET {registry}/token?service=…&scope=SCOPE`, with HTTP Basic `ghpkg:TOKEN`
/// when a GitHub token is given.
pub async fn token_request(emu: &Emulator, scope: &str, github_token: Option<&str>) -> Resp {
    let service = emu.registry_addr().to_string();
    let mut req = client()
        .get(format!("{}/token", emu.registry_url()))
        .query(&[("service", service.as_str()), ("scope", scope)]);
    if let Some(t) = github_token {
        req = req.basic_auth("ghpkg", Some(t));
    }
    read(req.send().await.expect("request failed")).await
}

/// A registry token for `scope`, panicking unless `/token` answers 200.
pub async fn registry_token(emu: &Emulator, scope: &str, github_token: Option<&str>) -> String {
    let r = token_request(emu, scope, github_token).await;
    assert_eq!(r.status, 200, "{scope}: {}", r.text);
    r.json()["token"].as_str().unwrap().to_owned()
}

/// A pull token for repository `name` with the given GitHub token.
pub async fn pull_token(emu: &Emulator, name: &str, github_token: Option<&str>) -> String {
    registry_token(emu, &format!("repository:{name}:pull"), github_token).await
}

/// Sends `method` to `emu.registry_url() + path`, with a registry bearer token if any.
pub async fn reg(emu: &Emulator, method: &str, path: &str, bearer: Option<&str>) -> Resp {
    let mut req = client().request(
        Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{}{path}", emu.registry_url()),
    );
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    read(req.send().await.expect("request failed")).await
}

/// The `code` of a registry error body (`{"errors":[{"code":…}]}`).
pub fn registry_code(r: &Resp) -> String {
    r.json()["errors"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// `sha256:` of `bytes`, computed here with `sha2` (not by the emulator).
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
