//! The journal: an append-only JSON Lines file that records a run. An
//! `intent` is written and flushed to disk before every mutating request, an
//! `outcome` after it, so a run that stops (a crash, Ctrl-C, a job timeout)
//! can be resumed, and every deletion can be undone within 30 days. It
//! never holds a token.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::plan::{Role, Target};
use super::policy::PolicyOwner;
use crate::error::{Error, ErrorKind, Result};
use crate::models::PackageType;

/// The journal format this ghpkg writes and reads.
pub const JOURNAL_VERSION: u32 = 1;

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// Applying a plan: deletes.
    Apply,
    /// Undoing a run: restores.
    Undo,
}

/// The mutating request of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// `DELETE …/versions/{id}`.
    DeleteVersion,
    /// `DELETE …/packages/{type}/{name}`.
    DeletePackage,
    /// `POST …/versions/{id}/restore`.
    RestoreVersion,
    /// `POST …/packages/{type}/{name}/restore`.
    RestorePackage,
    /// Removing tags from an image that stays: a placeholder pushed under
    /// them, then its version deleted (`tags` are the tags removed).
    Untag,
    /// Pushing an untagged image under its removed tags again (undo).
    Retag,
}

/// The package a record is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageRef {
    /// The owner, as the policy names it.
    pub owner: PolicyOwner,
    /// The registry.
    pub package_type: PackageType,
    /// The package name.
    pub name: String,
}

/// One line of a journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "record", rename_all = "snake_case", deny_unknown_fields)]
pub enum Record {
    /// The first line: what the run is.
    Header {
        /// The format; 1.
        journal_version: u32,
        /// The run.
        run_id: String,
        /// Apply or undo.
        kind: RunKind,
        /// The plan applied (for an apply).
        #[serde(default)]
        plan_id: Option<String>,
        /// The plan's policy hash (for an apply).
        #[serde(default)]
        policy_hash: Option<String>,
        /// Where the plan was made.
        #[serde(default)]
        target: Option<Target>,
        /// The journal undone (for an undo).
        #[serde(default)]
        undoes: Option<String>,
        /// The ghpkg that wrote it.
        ghpkg_version: String,
        /// When the run started.
        at: DateTime<Utc>,
    },
    /// Written before a request that changes something.
    Intent {
        /// The unit, counted from 1 within the run (and across resumes).
        seq: u64,
        /// The request.
        op: Op,
        /// The package.
        package: PackageRef,
        /// The version (absent for package operations).
        #[serde(default)]
        version_id: Option<u64>,
        /// The version name (a digest for containers).
        #[serde(default)]
        digest: Option<String>,
        /// The tags at deletion (for an untag or retag: the tags it moves).
        #[serde(default)]
        tags: Vec<String>,
        /// Its place in the image graph.
        #[serde(default)]
        role: Option<Role>,
        /// The indexes that listed it.
        #[serde(default)]
        parents: Vec<String>,
        /// The manifest it refers to.
        #[serde(default)]
        subject: Option<String>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Written after the request.
    Outcome {
        /// The unit.
        seq: u64,
        /// What happened (the report's outcome codes).
        outcome: String,
        /// The HTTP status, when a response came.
        #[serde(default)]
        http_status: Option<u16>,
        /// `x-github-request-id`.
        #[serde(default)]
        request_id: Option<String>,
        /// When.
        at: DateTime<Utc>,
        /// Until when a deletion can be restored.
        #[serde(default)]
        restorable_until: Option<DateTime<Utc>>,
        /// More about it.
        #[serde(default)]
        detail: Option<String>,
    },
    /// The last line of a run that ended (a resumed run appends another).
    Footer {
        /// The report's status.
        status: String,
        /// When.
        at: DateTime<Utc>,
    },
}

/// A journal being written: every record is flushed to disk before the
/// call returns.
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Opens `path` for appending, creating it if needed. A last record cut
    /// short by a crash (no final newline) is dropped first, so the next
    /// record starts on a line of its own.
    pub fn append(path: impl AsRef<Path>) -> Result<Journal> {
        let path = path.as_ref().to_path_buf();
        let io = |e: std::io::Error| io_error(&path, &e);
        if let Ok(bytes) = std::fs::read(&path) {
            if !bytes.is_empty() && !bytes.ends_with(b"\n") {
                let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                let f = OpenOptions::new().write(true).open(&path).map_err(io)?;
                f.set_len(keep as u64).map_err(io)?;
                f.sync_data().map_err(io)?;
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        Ok(Journal { path, file })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` and waits until it is on disk.
    pub fn write(&mut self, record: &Record) -> Result<()> {
        let mut line = serde_json::to_string(record).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!("cannot encode a journal record: {e}"),
            )
        })?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| io_error(&self.path, &e))
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("journal {}: {e}", path.display()),
    )
}

/// Every record of the journal at `path`. A missing file is an empty
/// journal; a file that is not a ghpkg journal is `InvalidArgument`. A torn
/// last line (the run stopped while writing it) is ignored.
pub fn read(path: impl AsRef<Path>) -> Result<Vec<Record>> {
    let path = path.as_ref();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(path, &e)),
    };
    let lines: Vec<String> = BufReader::new(file)
        .lines()
        .collect::<std::io::Result<_>>()
        .map_err(|e| io_error(path, &e))?;
    let mut out = Vec::new();
    let last = lines.len().saturating_sub(1);
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(line) {
            Ok(r) => out.push(r),
            // A record cut short by a crash: only ever the last line, and
            // it starts as every record does.
            Err(_) if n == last && !line.ends_with('}') && line.starts_with("{\"record\":") => {}
            Err(e) => {
                return Err(Error::invalid(format!(
                    "{} is not a ghpkg journal (line {}: {e})",
                    path.display(),
                    n + 1
                )))
            }
        }
    }
    match out.first() {
        None => Ok(out),
        Some(Record::Header {
            journal_version, ..
        }) if *journal_version == JOURNAL_VERSION => Ok(out),
        Some(Record::Header {
            journal_version, ..
        }) => Err(Error::invalid(format!(
            "{} has journal_version {journal_version}; this ghpkg reads {JOURNAL_VERSION}",
            path.display()
        ))),
        Some(_) => Err(Error::invalid(format!(
            "{} is not a ghpkg journal: it does not start with a header",
            path.display()
        ))),
    }
}

/// A unit as the journal knows it: its intent and, if it came back, its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The intent record.
    pub intent: Record,
    /// The last outcome written for it.
    pub outcome: Option<Record>,
}

impl Entry {
    /// The outcome code, if any.
    pub fn outcome_code(&self) -> Option<&str> {
        match &self.outcome {
            Some(Record::Outcome { outcome, .. }) => Some(outcome),
            _ => None,
        }
    }
}

/// The units of a journal, in order, each with its last outcome.
pub fn entries(records: &[Record]) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for r in records {
        match r {
            Record::Intent { seq, .. } => {
                out.retain(|e| !matches!(&e.intent, Record::Intent { seq: s, .. } if s == seq));
                out.push(Entry {
                    intent: r.clone(),
                    outcome: None,
                });
            }
            Record::Outcome { seq, .. } => {
                if let Some(e) = out
                    .iter_mut()
                    .rev()
                    .find(|e| matches!(&e.intent, Record::Intent { seq: s, .. } if s == seq))
                {
                    e.outcome = Some(r.clone());
                }
            }
            _ => {}
        }
    }
    out
}

/// A new run id: `run_` and 16 hex digits.
pub(crate) fn new_run_id() -> String {
    format!("run_{:016x}", fastrand::u64(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory, removed with what it holds when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new() -> Scratch {
            let d = std::env::temp_dir().join(format!("ghpkg-journal-test-{}", fastrand::u64(..)));
            std::fs::create_dir_all(&d).unwrap();
            Scratch(d)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn header() -> Record {
        Record::Header {
            journal_version: 1,
            run_id: "run_1".into(),
            kind: RunKind::Apply,
            plan_id: Some("pln_1".into()),
            policy_hash: None,
            target: None,
            undoes: None,
            ghpkg_version: "0.1.0".into(),
            at: Utc::now(),
        }
    }

    fn intent(seq: u64) -> Record {
        Record::Intent {
            seq,
            op: Op::DeleteVersion,
            package: PackageRef {
                owner: PolicyOwner::Org { org: "acme".into() },
                package_type: PackageType::Container,
                name: "api/server".into(),
            },
            version_id: Some(seq),
            digest: None,
            tags: vec![],
            role: Some(Role::Root),
            parents: vec![],
            subject: None,
            at: Utc::now(),
        }
    }

    fn outcome(seq: u64, code: &str) -> Record {
        Record::Outcome {
            seq,
            outcome: code.into(),
            http_status: Some(204),
            request_id: None,
            at: Utc::now(),
            restorable_until: None,
            detail: None,
        }
    }

    #[test]
    fn writes_reads_and_pairs_records() {
        let dir = Scratch::new();
        let path = dir.0.join("j.jsonl");
        let mut j = Journal::append(&path).unwrap();
        for r in [header(), intent(1), outcome(1, "deleted"), intent(2)] {
            j.write(&r).unwrap();
        }
        // A torn last line (a crash while writing) is ignored.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"record\":\"outc")
            .unwrap();
        let records = read(&path).unwrap();
        assert_eq!(records.len(), 4);
        let es = entries(&records);
        assert_eq!(es.len(), 2);
        assert_eq!(es[0].outcome_code(), Some("deleted"));
        assert_eq!(es[1].outcome_code(), None);
        assert!(read(dir.0.join("absent.jsonl")).unwrap().is_empty());
        // Appending again drops the torn line first.
        let mut j = Journal::append(&path).unwrap();
        j.write(&outcome(2, "deleted")).unwrap();
        let records = read(&path).unwrap();
        assert_eq!(records.len(), 5);
        assert_eq!(entries(&records)[1].outcome_code(), Some("deleted"));
    }

    #[test]
    fn refuses_what_is_not_a_journal() {
        let dir = Scratch::new();
        let path = dir.0.join("x.jsonl");
        std::fs::write(&path, "{\"hello\": 1}\n{}\n").unwrap();
        assert_eq!(read(&path).unwrap_err().kind(), ErrorKind::InvalidArgument);
        // One line of text is not a torn record.
        std::fs::write(&path, "this is not a journal\n").unwrap();
        assert!(read(&path)
            .unwrap_err()
            .message()
            .contains("not a ghpkg journal"));
        std::fs::write(&path, "this is not a journal").unwrap();
        assert!(read(&path).is_err());
        std::fs::write(&path, serde_json::to_string(&intent(1)).unwrap() + "\n").unwrap();
        assert!(read(&path).unwrap_err().message().contains("header"));
        let text = serde_json::to_string(&header())
            .unwrap()
            .replace("\"journal_version\":1", "\"journal_version\":9");
        std::fs::write(&path, text + "\n").unwrap();
        assert!(read(&path)
            .unwrap_err()
            .message()
            .contains("journal_version 9"));
    }
}
