//! Data-subject requests: the request log, and the one wrapper that records every export and erasure
//! in it, also when the answer failed (the shop must be able to show it tried).

use super::Engine;
use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, KeyValues};
use crate::core::options::Options;
use crate::core::rules::{ident, request};
use crate::core::store::request_log::{self, Entry, Filter, LoggedRequest};
use crate::core::time::Timestamp;

/// When a request arrived: the option `received_at` if given, else when answering started.
pub(super) fn received_at(options: &mut Options, started: Timestamp) -> Result<Option<Timestamp>> {
    options
        .take("received_at")
        .map(|v| request::received_at(&v, started))
        .transpose()
}

impl Engine {
    /// Records `result` of answering a request of `kind` in the request log, then returns it. The
    /// summary says what was done in counts, never who it was about; a failure records `failed`.
    /// Recorded in a session of its own: the one that failed may have lost its connection (a timeout
    /// leaves it in an unknown state), and the failure must be on record all the same.
    pub(super) fn logged<T>(
        &self,
        kind: &'static str,
        received: Option<Timestamp>,
        started: Timestamp,
        result: Result<T>,
        summary: impl FnOnce(&T) -> (&'static str, serde_json::Value),
        failed: serde_json::Value,
    ) -> Result<T> {
        let (outcome, summary) = match &result {
            Ok(value) => summary(value),
            Err(_) => ("failed", failed),
        };
        let entry = Entry {
            kind,
            outcome,
            received_at: received.unwrap_or(started),
            started_at: started,
            finished_at: Timestamp::now(),
            summary: &summary,
        };
        let recorded = self.session(async |session| request_log::record(session, &entry).await);
        let value = result?;
        recorded?;
        Ok(value)
    }

    /// Exports and erasures done, newest first, without personal data.
    pub fn request_log(&self, filter: KeyValues) -> Result<Vec<LoggedRequest>> {
        let filter = request_filter(filter)?;
        self.session(async |session| request_log::list(session, &filter).await)
    }
}

fn request_filter(filter: KeyValues) -> Result<Filter> {
    let mut options = Options::new("requestLog", filter);
    let kind = match options.take("kind") {
        None => None,
        Some(InputValue::Str(k)) if k == "export" || k == "erasure" => Some(k),
        Some(other) => return Err(options.invalid("kind", "'export' or 'erasure'", &other)),
    };
    let time = |options: &mut Options, key: &'static str| -> Result<Option<Timestamp>> {
        options
            .string(key)?
            .map(|t| {
                Timestamp::parse_rfc3339(&t).ok_or_else(|| {
                    Error::invalid_input(format!(
                        "requestLog filter '{key}' must be an RFC 3339 time, got {}",
                        ident::shown(&t)
                    ))
                })
            })
            .transpose()
    };
    let since = time(&mut options, "since")?;
    let until = time(&mut options, "until")?;
    let limit = match options.int("limit", 1, 10_000)? {
        Some(n) => ident::limit(n, 10_000)?,
        None => 100,
    };
    options.finish()?;
    Ok(Filter {
        kind,
        since,
        until,
        limit,
    })
}
