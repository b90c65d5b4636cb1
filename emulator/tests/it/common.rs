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
    let text = r.text().await.expect("body");
    Resp {
        status,
        headers,
        text,
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
