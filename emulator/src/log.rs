//! The request log: every request the emulator received, in arrival order.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::clock::lock;

/// The most entries kept; older ones are forgotten first, so a long-running
/// emulator does not grow without bound.
pub const MAX_LOGGED_REQUESTS: usize = 100_000;

/// One request as it arrived, with the status it was answered with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    /// The HTTP method, e.g. `GET`.
    pub method: String,
    /// The path exactly as received on the wire, still percent-encoded.
    pub path: String,
    /// The raw query string without `?`, if any.
    pub query: Option<String>,
    /// Request headers with lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The response status; 0 when the connection was dropped without an answer
    /// or the answer has not been sent yet.
    pub status: u16,
}

impl LoggedRequest {
    /// The first value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The shared log; entries are appended on arrival and completed with a status later.
/// At most [`MAX_LOGGED_REQUESTS`] entries are kept.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<VecDeque<(u64, LoggedRequest)>>,
    next: Mutex<u64>,
}

impl RequestLog {
    /// Appends an entry and returns a ticket for [`RequestLog::complete`].
    pub(crate) fn push(&self, req: LoggedRequest) -> u64 {
        let ticket = {
            let mut next = lock(&self.next);
            *next += 1;
            *next
        };
        let mut entries = lock(&self.entries);
        if entries.len() >= MAX_LOGGED_REQUESTS {
            entries.pop_front();
        }
        entries.push_back((ticket, req));
        ticket
    }

    /// Records the status a logged request was answered with.
    pub(crate) fn complete(&self, ticket: u64, status: u16) {
        let mut entries = lock(&self.entries);
        if let Some((_, e)) = entries.iter_mut().rev().find(|(t, _)| *t == ticket) {
            e.status = status;
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<LoggedRequest> {
        lock(&self.entries).iter().map(|(_, e)| e.clone()).collect()
    }

    pub(crate) fn clear(&self) {
        lock(&self.entries).clear();
    }
}
