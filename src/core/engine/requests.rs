//! Data-subject requests: registered requests with their deadlines (Art. 12(3)), the request log, and the
//! one wrapper that records every export and erasure in it, also when the answer failed (the shop must
//! be able to show it tried), closing the request it answers.

use super::Engine;
use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, KeyValues};
use crate::core::options::Options;
use crate::core::rules::request::{self, Kind, Subject};
use crate::core::rules::{email, ident};
use crate::core::store::request_log::{self, Entry, Filter, LoggedRequest, NewRequest};
use crate::core::time::Timestamp;

/// When a request arrived and which registered request an export or erasure answers: options
/// `received_at` and `request_id` (whose own receipt then counts; both together are refused).
#[derive(Debug, Default)]
pub(super) struct Answering {
    pub received: Option<Timestamp>,
    pub request_id: Option<u64>,
}

pub(super) fn answering(options: &mut Options, started: Timestamp) -> Result<Answering> {
    let received = options
        .take("received_at")
        .map(|v| request::received_at(&v, started))
        .transpose()?;
    let request_id = options
        .int("request_id", 1, i64::MAX)?
        .map(|id| id.unsigned_abs());
    if received.is_some() && request_id.is_some() {
        return Err(Error::invalid_input(
            "give either 'request_id' or 'received_at': a registered request already has its receipt date",
        ));
    }
    Ok(Answering {
        received,
        request_id,
    })
}

impl Engine {
    /// With option `request_id`: checks that the registered request is open, is about `customer_id`
    /// (when it names an account) and is of a kind an answer of `answer` (`export`, `erasure`) answers,
    /// and takes its receipt date. Before the work starts, so a wrong id changes nothing.
    pub(super) fn check_answering(
        &self,
        answering: &mut Answering,
        answer: &str,
        customer_id: u64,
    ) -> Result<()> {
        let Some(id) = answering.request_id else {
            return Ok(());
        };
        let request = self.registered(id, Timestamp::now())?;
        let kind = Kind::parse(&request.kind)?;
        if !kind.answered_by(answer) {
            return Err(Error::invalid_input(format!(
                "request {id} is a request for {}; {} does not answer it",
                kind.name(),
                if answer == "export" {
                    "an export"
                } else {
                    "an erasure"
                },
            )));
        }
        if let Some(Subject::Customer(subject)) = request.subject
            && subject != customer_id
        {
            return Err(Error::invalid_input(format!(
                "request {id} is about customer {subject}, not {customer_id}"
            )));
        }
        answering.received = request.received_at;
        Ok(())
    }

    /// Records `result` of answering a request of `kind` in the request log, then returns it. The
    /// summary says what was done in counts, never who it was about; a failure records `failed` and
    /// leaves a registered request open. Recorded in a session of its own: the one that failed may have
    /// lost its connection (a timeout leaves it in an unknown state), and the failure must be on record
    /// all the same.
    pub(super) fn logged<T>(
        &self,
        kind: &'static str,
        answering: &Answering,
        started: Timestamp,
        result: Result<T>,
        summary: impl FnOnce(&T) -> (&'static str, serde_json::Value),
        failed: serde_json::Value,
    ) -> Result<T> {
        let (outcome, mut summary) = match &result {
            Ok(value) => summary(value),
            Err(_) => ("failed", failed),
        };
        if let (Some(id), serde_json::Value::Object(map)) = (answering.request_id, &mut summary) {
            map.insert("request_id".into(), id.into());
        }
        let entry = Entry {
            kind,
            outcome,
            received_at: answering.received.unwrap_or(started),
            started_at: started,
            finished_at: Timestamp::now(),
            summary: &summary,
        };
        let answers = answering.request_id.filter(|_| result.is_ok());
        let recorded = self.session(async |session| match answers {
            // Answered by another process meanwhile: this answer is on record on its own.
            Some(id) if request_log::answer(session, id, &entry).await? => Ok(id),
            _ => request_log::record(session, &entry).await,
        });
        let value = result?;
        recorded?;
        Ok(value)
    }

    /// Registers a data-subject request when it arrives, so its deadline runs from then (Art. 12(3)).
    /// `subject`: a customer id or an address. Options: received_at, identity_verified, note,
    /// idempotency_key (the same key again returns the first id and registers nothing).
    pub fn register_request(
        &self,
        kind: &str,
        subject: InputValue,
        options: KeyValues,
    ) -> Result<u64> {
        let kind = Kind::parse(kind)?;
        let subject = match subject {
            InputValue::Int(id) => Subject::Customer(ident::customer_id(id)?),
            InputValue::Str(address) => Subject::Address(email::validate(&address)?),
            other => {
                return Err(Error::invalid_input(format!(
                    "a request's subject is a customer id or an email address, got {}",
                    other.type_name()
                )));
            }
        };
        let now = Timestamp::now();
        let mut options = Options::new("registerRequest", options);
        let received_at = options
            .take("received_at")
            .map(|v| request::received_at(&v, now))
            .transpose()?
            .unwrap_or(now);
        let identity_verified = options.flag("identity_verified")?;
        let note = options
            .string("note")?
            .map(|n| ident::one_line("option 'note'", &n, 255))
            .transpose()?;
        let idempotency_key = options
            .string("idempotency_key")?
            .map(|k| ident::idempotency_key("option 'idempotency_key'", &k))
            .transpose()?;
        options.finish()?;
        let new = NewRequest {
            kind,
            subject: &subject,
            received_at,
            identity_verified,
            note: note.as_deref(),
            idempotency_key: idempotency_key.as_deref(),
            now,
        };
        self.session(async |session| request_log::register(session, &new).await)
    }

    /// Extends the open request `id` once by two months (Art. 12(3)); `reason` is what the person is told.
    /// Only before the original deadline.
    pub fn extend_request(&self, id: i64, reason: &str) -> Result<LoggedRequest> {
        let id = request_id(id)?;
        let reason = ident::one_line("the reason of an extension", reason, 255)?;
        let now = Timestamp::now();
        let request = self.registered(id, now)?;
        if request.extended_at.is_some() {
            return Err(Error::invalid_input(format!(
                "request {id} was extended before; Art. 12(3) allows one extension"
            )));
        }
        if request.deadline.is_some_and(|d| now > d) {
            return Err(Error::invalid_input(format!(
                "request {id} is past its deadline: an extension must be made within the first month"
            )));
        }
        let extended =
            self.session(async |session| request_log::extend(session, id, &reason, now).await)?;
        if !extended {
            return Err(Error::invalid_input(format!(
                "request {id} was closed or extended meanwhile"
            )));
        }
        self.registered(id, now)
    }

    /// Closes the open request `id` that no export or erasure answers (an objection, a rectification, a
    /// refusal): `answered` or `refused`.
    pub fn close_request(&self, id: i64, outcome: &str) -> Result<LoggedRequest> {
        let id = request_id(id)?;
        let outcome = request::closing_outcome(outcome)?;
        let now = Timestamp::now();
        let request = self.registered(id, now)?;
        let summary = serde_json::json!({});
        let entry = Entry {
            kind: "",
            outcome,
            received_at: request.received_at.unwrap_or(now),
            started_at: now,
            finished_at: now,
            summary: &summary,
        };
        let closed =
            self.session(async |session| request_log::answer(session, id, &entry).await)?;
        if !closed {
            return Err(Error::invalid_input(format!(
                "request {id} is closed already"
            )));
        }
        self.session(async |session| request_log::find(session, id, now).await)?
            .ok_or_else(|| Error::invalid_input(format!("no registered request {id}")))
    }

    /// The open registered request `id`.
    fn registered(&self, id: u64, now: Timestamp) -> Result<LoggedRequest> {
        let found = self.session(async |session| request_log::find(session, id, now).await)?;
        match found {
            Some(r) if r.is_open() => Ok(r),
            Some(r) if Kind::parse(&r.kind).is_ok() => Err(Error::invalid_input(format!(
                "request {id} is closed already ({})",
                r.outcome
            ))),
            _ => Err(Error::invalid_input(format!("no registered request {id}"))),
        }
    }

    /// Exports and erasures done, newest first, without personal data.
    pub fn request_log(&self, filter: KeyValues) -> Result<Vec<LoggedRequest>> {
        let filter = request_filter(filter)?;
        let now = Timestamp::now();
        self.session(async |session| request_log::list(session, &filter, now).await)
    }
}

fn request_filter(filter: KeyValues) -> Result<Filter> {
    let mut options = Options::new("requestLog", filter);
    let kind = match options.take("kind") {
        None => None,
        Some(InputValue::Str(k)) if k == "export" || Kind::parse(&k).is_ok() => Some(k),
        Some(other) => {
            return Err(options.invalid(
                "kind",
                "'export', 'erasure' or another request kind",
                &other,
            ));
        }
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
    let open = options.flag("open")?;
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
        open,
    })
}

fn request_id(id: i64) -> Result<u64> {
    u64::try_from(id).ok().filter(|&id| id > 0).ok_or_else(|| {
        Error::invalid_input(format!("a request id is a positive integer, got {id}"))
    })
}
