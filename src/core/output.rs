//! Results that become PHP arrays. The engine returns typed values (`core::results`); this module
//! turns each into an ordered key/value record, so every key PHP sees is spelled here and nowhere
//! else, and the binding layer converts records generically.

use crate::core::export::document::FORMAT;
use crate::core::export::package;
use crate::core::results::*;
use crate::core::rules::request::Subject;
use crate::core::time::Timestamp;

/// A scalar of a result record.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputValue {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    /// Bytes that need not be UTF-8 (an archived mail body).
    Bytes(Vec<u8>),
    /// A nested structure (a summary, a manifest): becomes nested PHP arrays.
    Json(serde_json::Value),
}

impl From<bool> for OutputValue {
    fn from(v: bool) -> Self {
        OutputValue::Bool(v)
    }
}

impl From<u64> for OutputValue {
    fn from(v: u64) -> Self {
        OutputValue::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<String> for OutputValue {
    fn from(v: String) -> Self {
        OutputValue::Str(v)
    }
}

impl From<&str> for OutputValue {
    fn from(v: &str) -> Self {
        OutputValue::Str(v.to_owned())
    }
}

impl<T: Into<OutputValue>> From<Option<T>> for OutputValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(OutputValue::Null, Into::into)
    }
}

/// One record: keys in the order PHP will see them.
pub type Record = Vec<(&'static str, OutputValue)>;

/// A typed result that PHP receives as an associative array. Every key PHP sees is spelled in this
/// module, in the `impl`s below and in the store's row readers that build records directly.
pub trait IntoFields {
    fn into_fields(self) -> Record;
}

impl IntoFields for Record {
    fn into_fields(self) -> Record {
        self
    }
}

impl IntoFields for Notice {
    fn into_fields(self) -> Record {
        vec![
            ("text", self.text.into()),
            ("html", self.html.into()),
            ("url", self.url.into()),
        ]
    }
}

impl IntoFields for Verification {
    fn into_fields(self) -> Record {
        vec![
            ("ok", self.ok.into()),
            ("events", self.events.into()),
            ("first_bad_id", self.first_bad_id.into()),
        ]
    }
}

impl IntoFields for Unsubscribe {
    fn into_fields(self) -> Record {
        vec![
            ("customer_id", self.customer_id.into()),
            ("type", self.email_type.into()),
            ("issued_at", self.issued_at.to_string().into()),
        ]
    }
}

/// Header name and value pairs (`unsubscribeHeaders`).
impl IntoFields for Vec<(&'static str, String)> {
    fn into_fields(self) -> Record {
        self.into_iter().map(|(k, v)| (k, v.into())).collect()
    }
}

/// What `unsubscribe()` recorded.
#[derive(Debug, Clone)]
pub struct Unsubscribed {
    pub customer_id: u64,
    pub email_type: String,
    pub new: bool,
}

impl IntoFields for Unsubscribed {
    fn into_fields(self) -> Record {
        vec![
            ("customer_id", self.customer_id.into()),
            ("type", self.email_type.into()),
            ("new", self.new.into()),
        ]
    }
}

/// Rows per table name, in the order given (`purgeExpired`).
#[derive(Debug, Clone)]
pub struct TableCounts(pub Vec<(String, u64)>);

impl TableCounts {
    fn json(&self) -> serde_json::Value {
        self.0
            .iter()
            .map(|(table, n)| (table.clone(), serde_json::json!(n)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

impl IntoFields for EraseReport {
    fn into_fields(self) -> Record {
        vec![
            (
                "removed",
                OutputValue::Json(TableCounts(self.removed).json()),
            ),
            (
                "anonymized",
                OutputValue::Json(TableCounts(self.anonymized).json()),
            ),
            (
                "retained",
                OutputValue::Json(
                    self.retained
                        .iter()
                        .map(|r| {
                            serde_json::json!({
                                "table": r.table,
                                "count": r.count,
                                "reason": r.reason,
                                "years": r.period.map(|p| p.years),
                                "norm": r.period.map(|p| p.norm),
                                "retained_until": r.until,
                            })
                        })
                        .collect::<Vec<_>>()
                        .into(),
                ),
            ),
            ("suppressed", self.suppressed.into()),
            (
                "skipped_other_owner",
                OutputValue::Json(TableCounts(self.skipped_other_owner).json()),
            ),
            ("dry_run", self.dry_run.into()),
        ]
    }
}

/// An export or erasure with the registered request it answered (option `request_id`), if any.
pub struct Answered<T> {
    pub result: T,
    pub request_id: Option<u64>,
}

impl<T: IntoFields> IntoFields for Answered<T> {
    fn into_fields(self) -> Record {
        let mut record = self.result.into_fields();
        record.push(("request_id", self.request_id.into()));
        record
    }
}

/// The request log's note of an erasure: tables and counts, nothing about the person.
pub fn erase_summary(report: &EraseReport, shop_data: bool) -> serde_json::Value {
    let sum = |t: &[(String, u64)]| t.iter().map(|(_, n)| n).sum::<u64>();
    serde_json::json!({
        "shop_data": shop_data,
        "removed": TableCounts(report.removed.clone()).json(),
        "anonymized": TableCounts(report.anonymized.clone()).json(),
        "retained": report.retained.iter().map(|r| (r.table.clone(), serde_json::json!(r.count))).collect::<serde_json::Map<_, _>>(),
        "rows_removed": sum(&report.removed),
        "rows_anonymized": sum(&report.anonymized),
        "suppressed": report.suppressed,
        "skipped_other_owner": report.skipped_other_owner.iter().map(|(_, n)| n).sum::<u64>(),
    })
}

/// The request log's outcome and note of an export: sections and counts, nothing about the person.
pub fn export_summary(outcome: &ExportOutcome, format: &str) -> (&'static str, serde_json::Value) {
    let incomplete: Vec<&str> = outcome
        .sections
        .iter()
        .filter(|s| s.error.is_some())
        .map(|s| s.id)
        .collect();
    let status = if incomplete.is_empty() {
        "ok"
    } else {
        "partial"
    };
    (
        status,
        serde_json::json!({
            "format": format,
            "sections": outcome.sections.len(),
            "rows": outcome.sections.iter().map(|s| s.rows).sum::<u64>(),
            "incomplete_sections": incomplete,
            "skipped_tables": outcome.skipped.len(),
        }),
    )
}

impl IntoFields for ExportManifest {
    fn into_fields(self) -> Record {
        let outcome = &self.outcome;
        let errors: serde_json::Map<String, serde_json::Value> = outcome
            .sections
            .iter()
            .filter_map(|s| {
                s.error
                    .as_ref()
                    .map(|e| (s.id.to_owned(), e.clone().into()))
            })
            .collect();
        let skipped: Vec<serde_json::Value> = outcome
            .skipped
            .iter()
            .map(|s| serde_json::json!({ "id": s.id, "table": s.table, "reason": s.reason }))
            .collect();
        vec![
            ("format", FORMAT.into()),
            ("file_format", self.file_format.into()),
            ("path", self.path.display().to_string().into()),
            ("bytes", self.bytes.into()),
            ("sha256", self.sha256.into()),
            ("files", OutputValue::Json(package::files_json(&self.files))),
            ("sections", (outcome.sections.len() as u64).into()),
            (
                "rows",
                outcome.sections.iter().map(|s| s.rows).sum::<u64>().into(),
            ),
            ("errors", OutputValue::Json(errors.into())),
            ("skipped", OutputValue::Json(skipped.into())),
        ]
    }
}

/// What `importConsents` recorded (or, dry, would record).
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub purpose: String,
    pub counts: Imported,
    pub dry_run: bool,
}

impl IntoFields for ImportReport {
    fn into_fields(self) -> Record {
        let n = self.counts;
        vec![
            ("purpose", self.purpose.into()),
            ("subscribed", n.subscribed.into()),
            ("granted", n.granted.into()),
            ("confirmed", n.confirmed.into()),
            ("already_in_ledger", n.already_in_ledger.into()),
            ("without_account", n.without_account.into()),
            ("not_confirmed", n.not_confirmed.into()),
            ("undated", n.undated.into()),
            ("seconds", seconds(n.seconds)),
            ("dry_run", self.dry_run.into()),
        ]
    }
}

/// What `importOptOuts` read and recorded.
#[derive(Debug, Clone)]
pub struct OptOutImportReport {
    pub source: &'static str,
    pub counts: OptOutsImported,
    pub dry_run: bool,
}

impl IntoFields for OptOutImportReport {
    fn into_fields(self) -> Record {
        let n = self.counts;
        let by_type: serde_json::Map<String, serde_json::Value> = n
            .by_type
            .into_iter()
            .map(|(t, count)| (t, serde_json::json!(count)))
            .collect();
        vec![
            ("source", self.source.into()),
            ("entries", n.entries.into()),
            ("imported", n.imported.into()),
            ("already_present", n.already_present.into()),
            ("already_objected", n.already_objected.into()),
            ("skipped_simulation", n.skipped_simulation.into()),
            ("skipped_no_customer", n.skipped_no_customer.into()),
            (
                "by_type",
                OutputValue::Json(serde_json::Value::Object(by_type)),
            ),
            ("dry_run", self.dry_run.into()),
        ]
    }
}

/// What `refreshRecommendations` counted and published.
#[derive(Debug, Clone)]
pub struct RefreshReport {
    pub stats: Refresh,
    pub min_customers: u32,
    pub dry_run: bool,
}

impl IntoFields for RefreshReport {
    fn into_fields(self) -> Record {
        let s = self.stats;
        vec![
            ("orders_read", s.orders.into()),
            ("lines_read", s.lines.into()),
            ("customers", s.customers.into()),
            ("customers_left_out", s.customers_left_out.into()),
            ("pairs_kept", s.pairs_kept.into()),
            ("pairs_dropped", s.pairs_dropped.into()),
            ("min_customers", u64::from(self.min_customers).into()),
            ("seconds", seconds(s.seconds)),
            ("dry_run", self.dry_run.into()),
        ]
    }
}

/// Seconds with millisecond precision, as a float.
fn seconds(s: f64) -> OutputValue {
    OutputValue::Json(serde_json::json!((s * 1000.0).round() / 1000.0))
}

fn time(t: Option<Timestamp>) -> OutputValue {
    t.map(|t| t.to_string()).into()
}

impl IntoFields for HistoryEvent {
    fn into_fields(self) -> Record {
        vec![
            ("id", self.id.into()),
            ("purpose", self.purpose.into()),
            ("action", self.action.into()),
            ("occurred_at", time(self.occurred_at)),
            ("recorded_at", time(self.recorded_at)),
            ("source", self.source.into()),
            ("text", self.text.into()),
            ("text_sha256", self.text_sha256.into()),
            ("text_version", self.text_version.into()),
            ("ip", self.ip.into()),
            ("user_agent", self.user_agent.into()),
            ("actor", self.actor.into()),
            ("email", self.email.into()),
            ("request_id", self.request_id.into()),
            ("confirmed_at", time(self.confirmed_at)),
        ]
    }
}

impl IntoFields for Account {
    fn into_fields(self) -> Record {
        vec![
            ("customer_id", self.customer_id.into()),
            ("email", self.email.into()),
            ("firstname", self.firstname.into()),
            ("lastname", self.lastname.into()),
        ]
    }
}

impl IntoFields for DefinedType {
    fn into_fields(self) -> Record {
        vec![
            ("type", self.name.into()),
            ("basis", self.basis.into()),
            ("max_age_days", self.max_age_days.map(u64::from).into()),
            ("notice_since", self.notice_since.into()),
            (
                "min_interval_days",
                self.min_interval_days.map(u64::from).into(),
            ),
            (
                "excluded_order_statuses",
                ids(self.more.excluded_order_statuses),
            ),
            ("similar_categories", ids(self.more.similar_categories)),
            ("consent", self.more.consent.name().into()),
            (
                "consent_max_idle_days",
                self.more.consent_max_idle_days.map(u64::from).into(),
            ),
            ("advertising_type", self.more.advertising_type.into()),
        ]
    }
}

/// A list of shop ids, or null.
fn ids(list: Option<Vec<u64>>) -> OutputValue {
    list.map_or(OutputValue::Null, |ids| OutputValue::Json(ids.into()))
}

impl IntoFields for AlsoBought {
    fn into_fields(self) -> Record {
        vec![
            ("product_id", self.product_id.into()),
            ("customers", self.customers.into()),
        ]
    }
}

impl IntoFields for Recommendation {
    fn into_fields(self) -> Record {
        vec![
            ("product_id", self.product_id.into()),
            ("score", self.score.into()),
        ]
    }
}

impl IntoFields for ArchivedEmail {
    fn into_fields(self) -> Record {
        vec![
            ("send_id", self.send_id.into()),
            ("customer_id", self.customer_id.into()),
            ("subject", self.subject.into()),
            ("body", OutputValue::Bytes(self.body)),
            ("archived_at", time(self.archived_at)),
        ]
    }
}

impl IntoFields for Tag {
    fn into_fields(self) -> Record {
        vec![
            ("name", self.name.into()),
            ("rule", self.rule.into()),
            ("set_by", self.set_by.into()),
            ("set_at", time(self.set_at)),
        ]
    }
}

impl IntoFields for TagRule {
    fn into_fields(self) -> Record {
        vec![
            ("rule", self.rule.into()),
            ("tag", self.tag.into()),
            (
                "conditions",
                OutputValue::Json(crate::core::rules::tag_rule::to_json(&self.conditions)),
            ),
            ("defined_at", time(self.defined_at)),
            ("last_run_at", time(self.last_run_at)),
            ("last_added", self.last_added.into()),
            ("last_removed", self.last_removed.into()),
            ("last_matching", self.last_matching.into()),
        ]
    }
}

/// A rule's run, under the rule's name in applyTagRules' answer.
impl IntoFields for RuleRun {
    fn into_fields(self) -> Record {
        vec![
            ("tag", self.tag.into()),
            ("added", self.added.into()),
            ("removed", self.removed.into()),
            ("matching", self.matching.into()),
        ]
    }
}

impl IntoFields for RestrictionEvent {
    fn into_fields(self) -> Record {
        vec![
            ("id", self.id.into()),
            ("action", self.action.into()),
            ("source", self.source.into()),
            ("actor", self.actor.into()),
            ("created_at", time(self.created_at)),
        ]
    }
}

impl IntoFields for Send {
    fn into_fields(self) -> Record {
        vec![
            ("id", self.id.into()),
            ("type", self.email_type.into()),
            ("email", self.email.into()),
            ("subject", self.subject.into()),
            ("message_id", self.message_id.into()),
            ("order_id", self.order_id.into()),
            ("sent_at", time(self.sent_at)),
            ("rating", self.rating.map(u64::from).into()),
            ("archived", self.archived.into()),
        ]
    }
}

impl IntoFields for Objection {
    fn into_fields(self) -> Record {
        vec![
            ("type", self.email_type.into()),
            ("source", self.source.into()),
            ("ip", self.ip.into()),
            ("user_agent", self.user_agent.into()),
            ("actor", self.actor.into()),
            ("created_at", time(self.created_at)),
        ]
    }
}

impl IntoFields for LoggedRequest {
    fn into_fields(self) -> Record {
        vec![
            ("id", self.id.into()),
            ("kind", self.kind.into()),
            ("outcome", self.outcome.into()),
            ("received_at", time(self.received_at)),
            ("deadline", time(self.deadline)),
            ("started_at", time(self.started_at)),
            ("finished_at", time(self.finished_at)),
            ("in_time", self.in_time.into()),
            ("overdue", self.overdue.into()),
            ("summary", OutputValue::Json(self.summary)),
            (
                "subject",
                match self.subject {
                    Some(Subject::Customer(id)) => id.into(),
                    Some(Subject::Address(email)) => email.into(),
                    None => OutputValue::Null,
                },
            ),
            ("identity_verified", self.identity_verified.into()),
            ("note", self.note.into()),
            ("extended_at", time(self.extended_at)),
            ("extension_reason", self.extension_reason.into()),
        ]
    }
}
