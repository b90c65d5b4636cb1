//! The manifest cache: distilled manifests by digest. Content addressing
//! makes an entry correct forever, so the cache never expires anything; it
//! saves registry reads (which GitHub counts as downloads) and time.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::oci::Manifest;
use crate::error::{Error, ErrorKind, Result};

/// Where distilled manifests are kept between plans.
pub trait ManifestCache: Send + Sync {
    /// The manifest of `digest`, if cached.
    fn get(&self, digest: &str) -> Option<Manifest>;
    /// Records the manifest of `digest` (already checked against it).
    fn put(&self, digest: &str, manifest: &Manifest);
}

/// A cache in memory, for one process.
#[derive(Default)]
pub struct MemoryCache {
    entries: Mutex<HashMap<String, Manifest>>,
}

impl ManifestCache for MemoryCache {
    fn get(&self, digest: &str) -> Option<Manifest> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(digest)
            .cloned()
    }

    fn put(&self, digest: &str, manifest: &Manifest) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(digest.to_owned(), manifest.clone());
    }
}

#[derive(Serialize, Deserialize)]
struct Line {
    digest: String,
    manifest: Manifest,
}

/// A cache in a JSON Lines file (`{"digest": …, "manifest": …}` per line),
/// read whole when opened and appended to as manifests are read. Lines that
/// do not parse are skipped, so a torn last line costs one re-read.
pub struct FileCache {
    path: PathBuf,
    memory: MemoryCache,
    file: Mutex<File>,
}

impl FileCache {
    /// Opens (or creates) the cache file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<FileCache> {
        let path = path.as_ref().to_path_buf();
        let io = |e: std::io::Error| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("manifest cache {}: {e}", path.display()),
            )
        };
        let memory = MemoryCache::default();
        if path.exists() {
            let reader = BufReader::new(File::open(&path).map_err(io)?);
            for line in reader.lines() {
                let line = line.map_err(io)?;
                if let Ok(l) = serde_json::from_str::<Line>(&line) {
                    memory.put(&l.digest, &l.manifest);
                }
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        Ok(FileCache {
            path,
            memory,
            file: Mutex::new(file),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl ManifestCache for FileCache {
    fn get(&self, digest: &str) -> Option<Manifest> {
        self.memory.get(digest)
    }

    fn put(&self, digest: &str, manifest: &Manifest) {
        if self.memory.get(digest).is_some() {
            return;
        }
        self.memory.put(digest, manifest);
        let line = Line {
            digest: digest.to_owned(),
            manifest: manifest.clone(),
        };
        if let Ok(mut text) = serde_json::to_string(&line) {
            text.push('\n');
            let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
            // A cache that cannot be written only costs re-reads later.
            if let Err(e) = f.write_all(text.as_bytes()) {
                tracing::warn!(error = %e, "ghpkg: cannot write the manifest cache");
            }
        }
    }
}
