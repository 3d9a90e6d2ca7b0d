//! Records of sent mail: the send log, ratings, the archive, tags and the list of objections.

use super::Engine;
use crate::core::error::Result;
use crate::core::input::KeyValues;
use crate::core::rules::decision;
use crate::core::rules::{email_type, ident, mail_record};
use crate::core::store::decision::{Ids, Needs};
use crate::core::store::records::{self, ArchivedEmail, Objection, Send, Tag};
use crate::core::time::Timestamp;

impl Engine {
    /// Appends a send to the log; returns its id.
    pub fn log_send(&self, customer_id: i64, email_type: &str, meta: KeyValues) -> Result<u64> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name(email_type)?;
        let now = Timestamp::now();
        let meta = mail_record::send_meta(meta, now)?;
        self.session(async |session| {
            records::log_send(session, customer_id, email_type, &meta, now).await
        })
    }

    /// Rates a send (1..5); a second rating replaces the first and keeps it in the history.
    pub fn rate_email(&self, send_id: i64, rating: i64, comment: Option<&str>) -> Result<()> {
        let send_id = mail_record::send_id(send_id)?;
        let rating = mail_record::rating(rating)?;
        let comment = mail_record::comment(comment)?;
        let now = Timestamp::now();
        self.session(async |session| {
            records::rate_email(session, send_id, rating, comment.as_deref(), now).await
        })
    }

    /// Stores the copy of a sent mail (compressed), replacing an earlier one.
    pub fn archive_email(&self, send_id: i64, subject: &str, body: &[u8]) -> Result<()> {
        let send_id = mail_record::send_id(send_id)?;
        let subject = mail_record::subject(subject)?;
        let body = mail_record::body(body)?;
        let now = Timestamp::now();
        self.session(async |session| {
            records::archive_email(session, send_id, &subject, body, now).await
        })
    }

    /// The archived copy of a send, exactly as archived; None if there is none.
    pub fn archived_email(&self, send_id: i64) -> Result<Option<ArchivedEmail>> {
        let send_id = mail_record::send_id(send_id)?;
        self.session(async |session| records::archived_email(session, send_id).await)
    }

    /// Sets a tag on a customer by hand (again: updates the rule and time, and a tag a rule set becomes
    /// the hand's); true if set. False, and nothing written, while the customer objects to all mail or to
    /// `personalisation` (or is suppressed), or processing is restricted (Art. 18 GDPR).
    pub fn tag(&self, customer_id: i64, tag: &str, rule: Option<&str>) -> Result<bool> {
        let customer_id = ident::customer_id(customer_id)?;
        let tag = mail_record::tag("tag", tag)?;
        let rule = rule.map(|r| mail_record::tag("rule", r)).transpose()?;
        let now = Timestamp::now();
        if self.profiling_stopped(customer_id)? {
            return Ok(false);
        }
        self.session(async |session| {
            records::tag(session, customer_id, &tag, rule.as_deref(), now).await
        })?;
        Ok(true)
    }

    /// Whether tags and recommendations must stop for the customer: an objection to all mail or to
    /// `personalisation` (or a suppression) stands, or processing is restricted. One round trip.
    pub(super) fn profiling_stopped(&self, customer_id: u64) -> Result<bool> {
        let judged = self.judge(
            &[customer_id],
            records::PERSONALISATION,
            Some(Needs::OBJECTIONS),
            Ids::Each,
        )?;
        Ok(judged
            .facts
            .iter()
            .any(|(_, facts)| decision::profiling_stopped(facts)))
    }

    /// Removes a tag.
    pub fn untag(&self, customer_id: i64, tag: &str) -> Result<()> {
        let customer_id = ident::customer_id(customer_id)?;
        let tag = mail_record::tag("tag", tag)?;
        self.session(async |session| records::untag(session, customer_id, &tag).await)
    }

    /// The customer's sends, newest first (at most `limit`, 1 to 10000).
    pub fn send_log(&self, customer_id: i64, limit: i64) -> Result<Vec<Send>> {
        let customer_id = ident::customer_id(customer_id)?;
        let limit = ident::limit(limit, 10_000)?;
        self.session(async |session| records::sends(session, customer_id, limit).await)
    }

    /// The customer's recorded objections with their proof, oldest first.
    pub fn opt_outs(&self, customer_id: i64) -> Result<Vec<Objection>> {
        let customer_id = ident::customer_id(customer_id)?;
        self.session(async |session| records::objections(session, customer_id).await)
    }

    /// The customer's tags by name: name, rule, set_at.
    pub fn tags(&self, customer_id: i64) -> Result<Vec<Tag>> {
        let customer_id = ident::customer_id(customer_id)?;
        self.session(async |session| records::tags(session, customer_id).await)
    }
}
