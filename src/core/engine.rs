//! The engine behind `Dsgvo\Store`: one validated configuration and the operations on it, free of any
//! PHP type, so Rust tests drive it directly and the binding layer only converts.
//!
//! Each operation validates all of its input first and only then touches the database, so bad input
//! never leaves a partial write.

use crate::core::config::{Config, Shop};
use crate::core::error::{DatabaseErrorKind, Error, Result};
use crate::core::export::document::{FanOut, Writer as ExportWriter};
use crate::core::export::html::HtmlWriter;
use crate::core::export::json::JsonWriter;
use crate::core::export::package;
use crate::core::input::{InputValue, KeyValues};
use crate::core::output::{OutputValue, Record};
use crate::core::rules::consent::Action;
use crate::core::rules::decision::{self, Decision};
use crate::core::rules::email_type;
use crate::core::rules::proof::Source;
use crate::core::rules::{email, ident, proof, records, request};
use crate::core::store::consent::{self, NewEvent, Verification};
use crate::core::store::decision::{self as decision_store, Judged, Needs};
use crate::core::store::erase as erase_store;
use crate::core::store::export::{self as export_store, Context as ExportContext};
use crate::core::store::import as import_store;
use crate::core::store::objection::ShopTables;
use crate::core::store::recommend as recommend_store;
use crate::core::store::records as records_store;
use crate::core::store::request_log;
use crate::core::store::{customers, email_types, migrate, objection, retention};
use crate::core::time::Timestamp;
use crate::core::token;
use crate::runtime;

#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
}

impl Engine {
    pub fn new(config: Config) -> Self {
        Engine { config }
    }

    fn prefix(&self) -> &str {
        &self.config.table_prefix
    }

    /// Creates or upgrades the own tables; returns the schema version.
    pub fn migrate(&self) -> Result<u32> {
        runtime::with_session(&self.config, async |session| {
            migrate::migrate(session, self.prefix()).await
        })
    }

    /// True when the database answers. False when it cannot be reached or does not answer in time;
    /// a server that answers with an error (wrong password, unknown database) is a configuration
    /// problem and raises it.
    pub fn ping(&self) -> Result<bool> {
        let answered = runtime::with_session(&self.config, async |session| session.ping().await);
        match answered {
            Ok(()) => Ok(true),
            Err(Error::Database(e)) if e.code == 0 && e.kind != DatabaseErrorKind::Schema => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    // --- consent ----------------------------------------------------------------------------------

    fn append(
        &self,
        customer_id: i64,
        purpose: &str,
        action: Action,
        proof: KeyValues,
    ) -> Result<u64> {
        let customer_id = ident::customer_id(customer_id)?;
        let purpose = ident::purpose(purpose)?;
        let now = Timestamp::now();
        let proof = proof::validate(proof, now, self.config.truncate_ip)?;
        let event = NewEvent {
            customer_id,
            purpose,
            action,
            request_id: None,
            proof: &proof,
            recorded_at: now,
        };
        runtime::with_session(&self.config, async |session| {
            consent::append(session, self.prefix(), &event).await
        })
    }

    /// Records a consent given directly; returns the event id.
    pub fn grant_consent(&self, customer_id: i64, purpose: &str, proof: KeyValues) -> Result<u64> {
        self.append(customer_id, purpose, Action::Granted, proof)
    }

    /// Records a withdrawal; returns the event id.
    pub fn revoke_consent(&self, customer_id: i64, purpose: &str, proof: KeyValues) -> Result<u64> {
        self.append(customer_id, purpose, Action::Revoked, proof)
    }

    /// Starts double opt-in: records the request and returns the signed confirmation token.
    pub fn request_consent(
        &self,
        customer_id: i64,
        purpose: &str,
        proof: KeyValues,
    ) -> Result<String> {
        // Checked before anything is written: without a secret no token can be made.
        let secret = self.config.require_secret()?;
        let now = Timestamp::now();
        let id = self.append(customer_id, purpose, Action::Requested, proof)?;
        let ttl = i64::from(self.config.consent_token_ttl_days) * 86_400;
        let expires = Timestamp::from_unix_seconds(now.unix_seconds() + ttl).unwrap_or(now);
        token::consent_confirmation(id, expires, secret)
    }

    /// Confirms a double opt-in request by its token; returns the `confirmed` event id.
    pub fn confirm_consent(&self, token: &str, proof: KeyValues) -> Result<u64> {
        self.config.require_secret()?;
        let now = Timestamp::now();
        let proof = proof::validate(proof, now, self.config.truncate_ip)?;
        let request_id = token::open_consent_confirmation(token, now, &self.config.keyring())?;
        runtime::with_session(&self.config, async |session| {
            consent::confirm(session, self.prefix(), request_id, &proof, now).await
        })
    }

    /// Whether consent for the purpose is in force (granted, or confirmed after double opt-in).
    pub fn has_consent(&self, customer_id: i64, purpose: &str) -> Result<bool> {
        let customer_id = ident::customer_id(customer_id)?;
        let purpose = ident::purpose(purpose)?;
        runtime::with_session(&self.config, async |session| {
            consent::has_consent(session, self.prefix(), customer_id, purpose).await
        })
    }

    /// The customer's consent events, oldest first, with their proof.
    pub fn consent_history(&self, customer_id: i64) -> Result<Vec<Record>> {
        let customer_id = ident::customer_id(customer_id)?;
        runtime::with_session(&self.config, async |session| {
            consent::history(session, self.prefix(), customer_id).await
        })
    }

    /// Walks the hash chain.
    pub fn verify_ledger(&self) -> Result<Verification> {
        runtime::with_session(&self.config, async |session| {
            consent::verify(session, self.prefix()).await
        })
    }

    // --- objection --------------------------------------------------------------------------------

    fn shop_tables(&self) -> Option<ShopTables<'_>> {
        (self.config.shop != Shop::None).then(|| ShopTables {
            shop: self.config.shop,
            prefix: &self.config.shop_table_prefix,
        })
    }

    /// Records an objection of the customer to a type (`*`: all marketing mail); true if new.
    pub fn opt_out(&self, customer_id: i64, email_type: &str, proof: KeyValues) -> Result<bool> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name_or_all(email_type)?;
        let now = Timestamp::now();
        let proof = proof::validate(proof, now, self.config.truncate_ip)?;
        runtime::with_session(&self.config, async |session| {
            objection::opt_out(session, self.prefix(), customer_id, email_type, &proof, now).await
        })
    }

    /// Records an objection by address: for the shop's accounts with it and for the address itself.
    pub fn opt_out_email(&self, address: &str, email_type: &str, proof: KeyValues) -> Result<bool> {
        let normal = email::validate(address)?;
        let email_type = email_type::name_or_all(email_type)?;
        let now = Timestamp::now();
        let proof = proof::validate(proof, now, self.config.truncate_ip)?;
        self.config.require_secret()?;
        let keyring = self.config.keyring();
        let shop = self.shop_tables();
        runtime::with_session(&self.config, async |session| {
            objection::opt_out_email(
                session,
                self.prefix(),
                shop.as_ref(),
                &keyring,
                &normal,
                email_type,
                &proof,
                now,
            )
            .await
        })
    }

    /// Whether an objection (or a suppression) stands against the type for the customer.
    pub fn is_opted_out(&self, customer_id: i64, email_type: &str) -> Result<bool> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name_or_all(email_type)?;
        let judged = self.judge(&[customer_id], email_type, Some(Needs::OBJECTIONS))?;
        Ok(judged
            .facts
            .iter()
            .any(|(_, facts)| decision::objection(facts).is_some()))
    }

    /// A one-click unsubscribe token for the customer and type.
    pub fn unsubscribe_token(&self, customer_id: i64, email_type: &str) -> Result<String> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name_or_all(email_type)?;
        token::unsubscribe(
            customer_id,
            email_type,
            Timestamp::now(),
            self.config.require_secret()?,
        )
    }

    /// What a valid unsubscribe token says, without recording anything (for a confirmation page).
    pub fn read_unsubscribe_token(&self, token: &str) -> Result<token::Unsubscribe> {
        self.config.require_secret()?;
        let content = token::open_unsubscribe(token, &self.config.keyring())?;
        email_type::name_or_all(&content.email_type).map_err(|_| {
            crate::core::error::Error::Token("invalid token: malformed content".into())
        })?;
        Ok(content)
    }

    /// Records the objection a token carries; (customer id, type, newly recorded).
    pub fn unsubscribe(&self, token: &str, proof: KeyValues) -> Result<(u64, String, bool)> {
        let now = Timestamp::now();
        let mut proof = proof::validate(proof, now, self.config.truncate_ip)?;
        let content = self.read_unsubscribe_token(token)?;
        let email_type = content.email_type;
        proof.source.get_or_insert(Source::Link);
        let customer_id = content.customer_id;
        let new = runtime::with_session(&self.config, async |session| {
            objection::opt_out(
                session,
                self.prefix(),
                customer_id,
                &email_type,
                &proof,
                now,
            )
            .await
        })?;
        Ok((customer_id, email_type, new))
    }

    /// The RFC 8058 header pair for a mail to the customer.
    pub fn unsubscribe_headers(
        &self,
        customer_id: i64,
        email_type: &str,
        endpoint_url: &str,
        mailto: Option<&str>,
    ) -> Result<Vec<(&'static str, String)>> {
        let endpoint = crate::core::rules::unsubscribe::endpoint(endpoint_url)?;
        let mailto = mailto
            .map(crate::core::rules::unsubscribe::mailto)
            .transpose()?;
        let token = self.unsubscribe_token(customer_id, email_type)?;
        Ok(crate::core::rules::unsubscribe::headers(
            &endpoint,
            mailto.as_deref(),
            &token,
        ))
    }

    // --- decisions --------------------------------------------------------------------------------

    /// Creates or replaces an email type definition.
    pub fn define_email_type(
        &self,
        type_name: &str,
        basis: &str,
        options: KeyValues,
    ) -> Result<()> {
        let definition = email_type::define(type_name, basis, options)?;
        let now = Timestamp::now();
        runtime::with_session(&self.config, async |session| {
            email_types::define(session, self.prefix(), &definition, now).await
        })
    }

    /// Records the shop's existing newsletter subscriptions in the ledger, once (source `import`).
    /// Options: purpose (default `newsletter`), dry_run, text, text_version. Returns the counts.
    pub fn import_consents(&self, options: KeyValues) -> Result<Record> {
        let mut purpose = "newsletter".to_owned();
        let mut dry_run = false;
        let mut wording: KeyValues =
            vec![("source".to_owned(), InputValue::Str("import".to_owned()))];
        for (key, value) in options {
            match (key.as_str(), value) {
                (_, InputValue::Null) => {}
                ("purpose", InputValue::Str(p)) => purpose = ident::purpose(&p)?.to_owned(),
                ("dry_run", InputValue::Bool(b)) => dry_run = b,
                ("text" | "text_version", v) => wording.push((key.clone(), v)),
                ("purpose" | "dry_run", other) => {
                    return Err(Error::invalid_input(format!(
                        "option '{key}' got {}; purpose is a string, dry_run a bool",
                        other.type_name()
                    )));
                }
                (other, _) => {
                    return Err(crate::core::input::unknown_option(
                        "importConsents",
                        other,
                        &["purpose", "dry_run", "text", "text_version"],
                    ));
                }
            }
        }
        let now = Timestamp::now();
        let wording = proof::validate(wording, now, false)?;
        let shop = self.require_shop("importConsents")?;
        let request = import_store::ImportRequest {
            purpose: &purpose,
            dry_run,
            text: wording.text.as_deref(),
            text_version: wording.text_version.as_deref(),
            truncate_ip: self.config.truncate_ip,
            now,
        };
        let n = runtime::with_session(&self.config, async |session| {
            import_store::import(session, self.prefix(), &shop, &request).await
        })?;
        Ok(vec![
            ("purpose", purpose.into()),
            ("subscribed", n.subscribed.into()),
            ("granted", n.granted.into()),
            ("confirmed", n.confirmed.into()),
            ("already_in_ledger", n.already_in_ledger.into()),
            ("without_account", n.without_account.into()),
            ("not_confirmed", n.not_confirmed.into()),
            ("undated", n.undated.into()),
            (
                "seconds",
                OutputValue::Json(serde_json::json!((n.seconds * 1000.0).round() / 1000.0)),
            ),
            ("dry_run", dry_run.into()),
        ])
    }

    /// Every defined email type with its basis and options, by name.
    pub fn email_types(&self) -> Result<Vec<Record>> {
        runtime::with_session(&self.config, async |session| {
            email_types::list(session, self.prefix()).await
        })
    }

    /// Shop accounts by id or exact address (admin search).
    pub fn find_customers(&self, query: &str, limit: i64) -> Result<Vec<Record>> {
        let lookup = ident::lookup(query)?;
        let limit = ident::limit(limit, 1000)?;
        let shop = self.require_shop("findCustomers")?;
        runtime::with_session(&self.config, async |session| {
            customers::find(session, &shop, &lookup, limit).await
        })
    }

    fn judge(&self, ids: &[u64], email_type: &str, needs: Option<Needs>) -> Result<Judged> {
        let keyring = self.config.keyring();
        let shop = self.shop_tables();
        runtime::with_session(&self.config, async |session| {
            decision_store::judge(
                session,
                self.prefix(),
                shop.as_ref(),
                &keyring,
                ids,
                email_type,
                self.config.existing_customer_max_age_days,
                needs,
            )
            .await
        })
    }

    /// May this type of mail go to this customer now, and why. One database round trip.
    pub fn may_send(&self, customer_id: i64, email_type: &str) -> Result<Decision> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name(email_type)?;
        let judged = self.judge(&[customer_id], email_type, None)?;
        let facts = judged
            .facts
            .first()
            .map(|(_, f)| f.clone())
            .unwrap_or_default();
        Ok(decision::decide(&judged.rules, &facts, judged.clocks))
    }

    /// The ids among `ids` that may receive the type now, in input order, each once. One statement
    /// per chunk of ids.
    pub fn filter_sendable(&self, ids: Vec<i64>, email_type: &str) -> Result<Vec<i64>> {
        let email_type = email_type::name(email_type)?;
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        let mut unique: Vec<u64> = Vec::with_capacity(ids.len());
        for id in ids {
            let id = ident::customer_id(id)?;
            if seen.insert(id) {
                unique.push(id);
            }
        }
        let mut allowed = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(FILTER_CHUNK) {
            let judged = self.judge(chunk, email_type, None)?;
            allowed.extend(
                judged
                    .facts
                    .iter()
                    .filter(|(_, facts)| {
                        decision::decide(&judged.rules, facts, judged.clocks).allowed
                    })
                    .map(|(id, _)| i64::try_from(*id).unwrap_or(i64::MAX)),
            );
        }
        Ok(allowed)
    }

    // --- records ----------------------------------------------------------------------------------

    /// Appends a send to the log; returns its id.
    pub fn log_send(&self, customer_id: i64, email_type: &str, meta: KeyValues) -> Result<u64> {
        let customer_id = ident::customer_id(customer_id)?;
        let email_type = email_type::name(email_type)?;
        let now = Timestamp::now();
        let meta = records::send_meta(meta, now)?;
        runtime::with_session(&self.config, async |session| {
            records_store::log_send(session, self.prefix(), customer_id, email_type, &meta, now)
                .await
        })
    }

    /// Rates a send (1..5); a second rating replaces the first and keeps it in the history.
    pub fn rate_email(&self, send_id: i64, rating: i64, comment: Option<&str>) -> Result<()> {
        let send_id = records::send_id(send_id)?;
        let rating = records::rating(rating)?;
        let comment = records::comment(comment)?;
        let now = Timestamp::now();
        runtime::with_session(&self.config, async |session| {
            records_store::rate_email(
                session,
                self.prefix(),
                send_id,
                rating,
                comment.as_deref(),
                now,
            )
            .await
        })
    }

    /// Stores the copy of a sent mail (compressed), replacing an earlier one.
    pub fn archive_email(&self, send_id: i64, subject: &str, body: &[u8]) -> Result<()> {
        let send_id = records::send_id(send_id)?;
        let subject = records::subject(subject)?;
        let body = records::body(body)?;
        let now = Timestamp::now();
        runtime::with_session(&self.config, async |session| {
            records_store::archive_email(session, self.prefix(), send_id, &subject, body, now).await
        })
    }

    /// The archived copy of a send, exactly as archived; None if there is none.
    pub fn archived_email(&self, send_id: i64) -> Result<Option<Record>> {
        let send_id = records::send_id(send_id)?;
        runtime::with_session(&self.config, async |session| {
            records_store::archived_email(session, self.prefix(), send_id).await
        })
    }

    /// Sets a tag on a customer (again: updates the rule and time).
    pub fn tag(&self, customer_id: i64, tag: &str, rule: Option<&str>) -> Result<()> {
        let customer_id = ident::customer_id(customer_id)?;
        let tag = records::tag("tag", tag)?;
        let rule = rule.map(|r| records::tag("rule", r)).transpose()?;
        let now = Timestamp::now();
        runtime::with_session(&self.config, async |session| {
            records_store::tag(
                session,
                self.prefix(),
                customer_id,
                &tag,
                rule.as_deref(),
                now,
            )
            .await
        })
    }

    pub fn untag(&self, customer_id: i64, tag: &str) -> Result<()> {
        let customer_id = ident::customer_id(customer_id)?;
        let tag = records::tag("tag", tag)?;
        runtime::with_session(&self.config, async |session| {
            records_store::untag(session, self.prefix(), customer_id, &tag).await
        })
    }

    /// The customer's sends, newest first (at most `limit`, 1 to 10000).
    pub fn send_log(&self, customer_id: i64, limit: i64) -> Result<Vec<Record>> {
        let customer_id = ident::customer_id(customer_id)?;
        let limit = ident::limit(limit, 10_000)?;
        runtime::with_session(&self.config, async |session| {
            records_store::sends(session, self.prefix(), customer_id, limit).await
        })
    }

    /// The customer's recorded objections with their proof, oldest first.
    pub fn opt_outs(&self, customer_id: i64) -> Result<Vec<Record>> {
        let customer_id = ident::customer_id(customer_id)?;
        runtime::with_session(&self.config, async |session| {
            records_store::objections(session, self.prefix(), customer_id).await
        })
    }

    /// The customer's tags by name: name, rule, set_at.
    pub fn tags(&self, customer_id: i64) -> Result<Vec<Record>> {
        let customer_id = ident::customer_id(customer_id)?;
        runtime::with_session(&self.config, async |session| {
            records_store::tags(session, self.prefix(), customer_id).await
        })
    }

    /// Deletes (or counts, with `dry_run`) what the retention settings let go; rows per table name.
    pub fn purge_expired(
        &self,
        options: KeyValues,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<Vec<(String, u64)>> {
        let mut scope = retention::Scope {
            dry_run: false,
            limit: None,
        };
        for (key, value) in options {
            match (key.as_str(), value) {
                (_, InputValue::Null) => {}
                ("dry_run", InputValue::Bool(b)) => scope.dry_run = b,
                ("limit", InputValue::Int(n)) if n > 0 => scope.limit = Some(n.unsigned_abs()),
                ("dry_run" | "limit", other) => {
                    return Err(Error::invalid_input(format!(
                        "option '{key}' got {}; dry_run is a bool, limit a positive integer",
                        other.type_name()
                    )));
                }
                (other, _) => {
                    return Err(crate::core::input::unknown_option(
                        "purgeExpired",
                        other,
                        &["dry_run", "limit"],
                    ));
                }
            }
        }
        let now = Timestamp::now();
        let counts = runtime::with_session(&self.config, async |session| {
            retention::purge(
                session,
                self.prefix(),
                self.config.retention,
                self.config.consent_token_ttl_days,
                now,
                scope,
                progress,
            )
            .await
        })?;
        Ok(retention::TABLES
            .iter()
            .zip(counts)
            .map(|(table, n)| (format!("{}{table}", self.prefix()), n))
            .collect())
    }

    // --- data-subject rights ----------------------------------------------------------------------

    fn export_context(&self) -> ExportContext<'_> {
        ExportContext {
            prefix: self.prefix(),
            shop: self.config.shop,
            shop_prefix: &self.config.shop_table_prefix,
            keyring: &[],
        }
    }

    /// Runs an export into `writer` and records it in the request log (also when it fails).
    fn run_export(
        &self,
        customer_id: u64,
        writer: &mut dyn ExportWriter,
        format: &str,
        received: Option<Timestamp>,
    ) -> Result<export_store::Outcome> {
        let keyring = self.config.keyring();
        let ctx = ExportContext {
            keyring: &keyring,
            ..self.export_context()
        };
        let started = Timestamp::now();
        runtime::with_session(&self.config, async |session| {
            let result = export_store::export(session, &ctx, customer_id, started, writer).await;
            let (outcome, summary) = match &result {
                Ok(o) => (
                    if o.sections.iter().any(|s| s.error.is_some()) {
                        "partial"
                    } else {
                        "ok"
                    },
                    serde_json::json!({
                        "format": format,
                        "sections": o.sections.len(),
                        "rows": o.sections.iter().map(|s| s.rows).sum::<u64>(),
                        "incomplete_sections": o.sections.iter().filter(|s| s.error.is_some()).map(|s| s.id).collect::<Vec<_>>(),
                        "skipped_tables": o.skipped.len(),
                    }),
                ),
                Err(_) => ("failed", serde_json::json!({ "format": format })),
            };
            let logged = request_log::record(
                session,
                self.prefix(),
                &request_log::Entry {
                    kind: "export",
                    outcome,
                    received_at: received.unwrap_or(started),
                    started_at: started,
                    finished_at: Timestamp::now(),
                    summary: &summary,
                },
            )
            .await;
            let outcome = result?;
            logged?;
            Ok(outcome)
        })
    }

    /// Everything the shop holds about the customer, as the JSON document `dsgvo-export/1`.
    pub fn export(&self, customer_id: i64) -> Result<String> {
        let customer_id = ident::customer_id(customer_id)?;
        let mut writer = JsonWriter::new(Vec::new());
        self.run_export(customer_id, &mut writer, "json", None)?;
        String::from_utf8(writer.into_inner())
            .map_err(|_| crate::core::error::Error::File("the export is not valid UTF-8".into()))
    }

    /// Writes the export to `path` as a ZIP (export.json, one CSV per section, index.html,
    /// manifest.json) or as JSON; atomically, never leaving a partial file. Returns the manifest.
    pub fn export_to(
        &self,
        customer_id: i64,
        path: &str,
        format: &str,
        options: KeyValues,
    ) -> Result<Record> {
        let customer_id = ident::customer_id(customer_id)?;
        let zip = match format {
            "zip" => true,
            "json" => false,
            other => {
                return Err(crate::core::error::Error::invalid_input(format!(
                    "format must be 'zip' or 'json', got {}",
                    ident::shown(other)
                )));
            }
        };
        let mut overwrite = false;
        let mut received = None;
        for (key, value) in options {
            match (key.as_str(), value) {
                (_, InputValue::Null) => {}
                ("overwrite", InputValue::Bool(b)) => overwrite = b,
                ("received_at", v) => received = Some(request::received_at(&v, Timestamp::now())?),
                ("overwrite", other) => {
                    return Err(Error::invalid_input(format!(
                        "option 'overwrite' must be a bool, got {}",
                        other.type_name()
                    )));
                }
                (other, _) => {
                    return Err(crate::core::input::unknown_option(
                        "exportTo",
                        other,
                        &["overwrite", "received_at"],
                    ));
                }
            }
        }
        let target = export_target(path, overwrite)?;
        let work = package::WorkDir::beside(&target).map_err(|e| file_error(&target, e))?;
        let io = |e| file_error(&target, e);

        let json_path = work.path().join("export.json");
        let mut json = JsonWriter::new(std::io::BufWriter::new(
            std::fs::File::create(&json_path).map_err(io)?,
        ));
        let (outcome, finished) = if zip {
            let mut html = HtmlWriter::new(std::io::BufWriter::new(
                std::fs::File::create(work.path().join("index.html")).map_err(io)?,
            ));
            let mut csv = package::CsvFiles::new(work.path()).map_err(io)?;
            let outcome = self.run_export(
                customer_id,
                &mut FanOut(vec![&mut json, &mut html, &mut csv]),
                "zip",
                received,
            )?;
            drop(json);
            drop(html);
            let mut names = vec!["export.json".to_owned()];
            names.extend(csv.files.iter().cloned());
            names.push("index.html".to_owned());
            let zip_path = work.path().join("export.zip");
            let files = package::zip(
                work.path(),
                &names,
                &zip_path,
                &Timestamp::now().to_string(),
            )
            .map_err(io)?;
            (outcome, (zip_path, files))
        } else {
            let outcome = self.run_export(customer_id, &mut json, "json", received)?;
            drop(json);
            let (sha256, bytes) = package::sha256_of(&json_path).map_err(io)?;
            (
                outcome,
                (
                    json_path.clone(),
                    vec![package::Packed {
                        name: "export.json".into(),
                        sha256,
                        bytes,
                    }],
                ),
            )
        };
        let (finished, files) = finished;
        let (sha256, bytes) = package::sha256_of(&finished).map_err(io)?;
        package::publish(&finished, &target, overwrite).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                crate::core::error::Error::invalid_input(format!(
                    "{} exists; pass ['overwrite' => true] to replace it",
                    target.display()
                ))
            } else {
                io(e)
            }
        })?;
        Ok(manifest(&target, format, bytes, sha256, &files, &outcome))
    }

    /// Erases the customer (Art. 17): own tables always, the shop's with `shop_data`; every address
    /// goes on the suppression list first. Options: dry_run, shop_data. Returns the report.
    pub fn erase(&self, customer_id: i64, options: KeyValues) -> Result<Record> {
        let customer_id = ident::customer_id(customer_id)?;
        let mut dry_run = false;
        let mut shop_data = false;
        let mut received = None;
        for (key, value) in options {
            match (key.as_str(), value) {
                (_, InputValue::Null) => {}
                ("received_at", v) => received = Some(request::received_at(&v, Timestamp::now())?),
                ("dry_run", InputValue::Bool(b)) => dry_run = b,
                ("shop_data", InputValue::Bool(b)) => shop_data = b,
                ("dry_run" | "shop_data", other) => {
                    return Err(Error::invalid_input(format!(
                        "erase option '{key}' must be a bool, got {}",
                        other.type_name()
                    )));
                }
                (other, _) => {
                    return Err(crate::core::input::unknown_option(
                        "erase",
                        other,
                        &["dry_run", "shop_data", "received_at"],
                    ));
                }
            }
        }
        if shop_data && self.config.shop == Shop::None {
            return Err(crate::core::error::Error::config(
                "erase with shop_data needs a shop preset: set dsgvo.shop (oscommerce, zencart, modified, gambio)",
            ));
        }
        let secret = self.config.require_secret()?;
        let keyring = self.config.keyring();
        let ctx = ExportContext {
            keyring: &keyring,
            ..self.export_context()
        };
        let started = Timestamp::now();
        let request = erase_store::Request {
            customer_id,
            shop_data,
            dry_run,
            strategies: &self.config.erase_strategies,
            secret,
            now: started,
        };
        let report = runtime::with_session(&self.config, async |session| {
            let result = erase_store::erase(session, &ctx, &request).await;
            if dry_run {
                return result;
            }
            let (outcome, summary) = match &result {
                Ok(r) => ("ok", erase_summary(r, shop_data)),
                Err(_) => ("failed", serde_json::json!({ "shop_data": shop_data })),
            };
            let logged = request_log::record(
                session,
                self.prefix(),
                &request_log::Entry {
                    kind: "erasure",
                    outcome,
                    received_at: received.unwrap_or(started),
                    started_at: started,
                    finished_at: Timestamp::now(),
                    summary: &summary,
                },
            )
            .await;
            let report = result?;
            logged?;
            Ok(report)
        })?;
        Ok(vec![
            ("removed", OutputValue::Json(counts(&report.removed))),
            ("anonymized", OutputValue::Json(counts(&report.anonymized))),
            (
                "retained",
                OutputValue::Json(
                    report
                        .retained
                        .iter()
                        .map(|(table, count, reason)| serde_json::json!({ "table": table, "count": count, "reason": reason }))
                        .collect::<Vec<_>>()
                        .into(),
                ),
            ),
            ("suppressed", report.suppressed.into()),
            ("dry_run", report.dry_run.into()),
        ])
    }

    // --- recommendations --------------------------------------------------------------------------

    fn require_shop(&self, call: &str) -> Result<ShopTables<'_>> {
        self.shop_tables().ok_or_else(|| {
            crate::core::error::Error::config(format!(
                "{call} reads the shop's tables: set dsgvo.shop (oscommerce, zencart, modified, gambio)"
            ))
        })
    }

    /// Counts, for every product pair, the distinct customers who bought both, and publishes the
    /// pairs with at least `recommend_min_customers`. Options: since (shop-local date), dry_run,
    /// timeout_ms (the one long read of all order lines; default 10 minutes).
    pub fn refresh_recommendations(&self, options: KeyValues) -> Result<Record> {
        let mut since = None;
        let mut dry_run = false;
        let mut limit = std::time::Duration::from_secs(600);
        for (key, value) in options {
            match (key.as_str(), value) {
                (_, InputValue::Null) => {}
                ("since", v) => {
                    // The shop's wall clock, compared with its own DATETIME columns as is.
                    let text = email_type::shop_date("since", &v)?;
                    since = Some(
                        Timestamp::parse_rfc3339(&format!("{}Z", text.replace(' ', "T")))
                            .ok_or_else(|| {
                                Error::invalid_input(format!(
                                    "option 'since' is not a date: {text}"
                                ))
                            })?,
                    );
                }
                ("dry_run", InputValue::Bool(b)) => dry_run = b,
                ("timeout_ms", InputValue::Int(ms)) if (1000..=86_400_000).contains(&ms) => {
                    limit = std::time::Duration::from_millis(ms.unsigned_abs());
                }
                ("dry_run" | "timeout_ms", other) => {
                    return Err(crate::core::error::Error::invalid_input(format!(
                        "option '{key}' got {}; dry_run is a bool, timeout_ms an integer from 1000 to 86400000",
                        other.type_name()
                    )));
                }
                (other, _) => {
                    return Err(crate::core::input::unknown_option(
                        "refreshRecommendations",
                        other,
                        &["since", "dry_run", "timeout_ms"],
                    ));
                }
            }
        }
        let shop = self.require_shop("refreshRecommendations")?;
        let keyring = self.config.keyring();
        let request = recommend_store::RefreshRequest {
            since,
            min_customers: self.config.recommend_min_customers,
            dry_run,
            keyring: &keyring,
            limit,
        };
        let stats = runtime::with_session(&self.config, async |session| {
            recommend_store::refresh(session, self.prefix(), &shop, &request).await
        })?;
        Ok(vec![
            ("orders_read", stats.orders.into()),
            ("lines_read", stats.lines.into()),
            ("customers", stats.customers.into()),
            ("customers_left_out", stats.customers_left_out.into()),
            ("pairs_kept", stats.pairs_kept.into()),
            ("pairs_dropped", stats.pairs_dropped.into()),
            (
                "min_customers",
                u64::from(self.config.recommend_min_customers).into(),
            ),
            (
                "seconds",
                OutputValue::Json(serde_json::json!((stats.seconds * 1000.0).round() / 1000.0)),
            ),
            ("dry_run", dry_run.into()),
        ])
    }

    /// Products bought together with `product_id` by at least k customers, best first.
    pub fn also_bought(&self, product_id: i64, limit: i64) -> Result<Vec<Record>> {
        let product = u64::try_from(product_id)
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| {
                crate::core::error::Error::invalid_input(format!(
                    "product id must be a positive integer, got {product_id}"
                ))
            })?;
        let limit = ident::limit(limit, 100)?;
        runtime::with_session(&self.config, async |session| {
            recommend_store::also_bought(session, self.prefix(), product, limit).await
        })
    }

    /// What the customer's own purchases lead to, without what they bought; nothing for a customer
    /// who objected to personalisation (or to all marketing).
    pub fn recommend_for(&self, customer_id: i64, limit: i64) -> Result<Vec<Record>> {
        let customer = ident::customer_id(customer_id)?;
        let limit = ident::limit(limit, 100)?;
        let shop = self.require_shop("recommendFor")?;
        if self.is_opted_out(customer_id, recommend_store::PURPOSE)? {
            return Ok(Vec::new());
        }
        runtime::with_session(&self.config, async |session| {
            recommend_store::recommend_for(session, self.prefix(), &shop, customer, limit).await
        })
    }

    /// The data map for this store's shop preset: every table with personal data, how a customer's
    /// rows are found, which columns are secrets, and what erasure does.
    pub fn data_map(&self) -> Vec<serde_json::Value> {
        let ctx = self.export_context();
        crate::core::datamap::entries(self.config.shop)
            .into_iter()
            .map(|e| e.describe(ctx.table(e)))
            .collect()
    }

    /// Exports and erasures done, newest first, without personal data.
    pub fn request_log(&self, filter: KeyValues) -> Result<Vec<Record>> {
        let filter = request_filter(filter)?;
        runtime::with_session(&self.config, async |session| {
            request_log::list(session, self.prefix(), &filter).await
        })
    }
}

fn counts(tables: &[(String, u64)]) -> serde_json::Value {
    tables
        .iter()
        .map(|(table, n)| (table.clone(), serde_json::json!(n)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The request log's note of an erasure: tables and counts, nothing about the person.
fn erase_summary(report: &erase_store::Report, shop_data: bool) -> serde_json::Value {
    let sum = |t: &[(String, u64)]| t.iter().map(|(_, n)| n).sum::<u64>();
    serde_json::json!({
        "shop_data": shop_data,
        "removed": counts(&report.removed),
        "anonymized": counts(&report.anonymized),
        "retained": report.retained.iter().map(|(t, n, _)| (t.clone(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
        "rows_removed": sum(&report.removed),
        "rows_anonymized": sum(&report.anonymized),
        "suppressed": report.suppressed,
    })
}

fn manifest(
    target: &std::path::Path,
    format: &str,
    bytes: u64,
    sha256: String,
    files: &[package::Packed],
    outcome: &export_store::Outcome,
) -> Record {
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
        ("format", crate::core::export::document::FORMAT.into()),
        ("file_format", format.into()),
        ("path", target.display().to_string().into()),
        ("bytes", bytes.into()),
        ("sha256", sha256.into()),
        ("files", OutputValue::Json(package::files_json(files))),
        ("sections", (outcome.sections.len() as u64).into()),
        (
            "rows",
            outcome.sections.iter().map(|s| s.rows).sum::<u64>().into(),
        ),
        ("errors", OutputValue::Json(errors.into())),
        ("skipped", OutputValue::Json(skipped.into())),
    ]
}

/// The file an export goes to: a path in an existing directory, not a directory itself.
fn export_target(path: &str, overwrite: bool) -> Result<std::path::PathBuf> {
    let invalid = |why: &str| {
        crate::core::error::Error::invalid_input(format!(
            "export path {}: {why}",
            ident::shown(path)
        ))
    };
    if path.is_empty() || path.contains('\0') {
        return Err(invalid("must be a file path"));
    }
    let target = std::path::PathBuf::from(path);
    if target.is_dir() {
        return Err(invalid("is a directory; name the file to write"));
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if !parent.is_dir() {
        return Err(invalid("its directory does not exist"));
    }
    if target.exists() && !overwrite {
        return Err(invalid("exists; pass ['overwrite' => true] to replace it"));
    }
    Ok(target)
}

fn file_error(target: &std::path::Path, e: std::io::Error) -> crate::core::error::Error {
    crate::core::error::Error::File(format!(
        "cannot write the export to {}: {e}",
        target.display()
    ))
}

fn request_filter(filter: KeyValues) -> Result<request_log::Filter> {
    let mut out = request_log::Filter {
        limit: 100,
        ..Default::default()
    };
    let invalid = |m: String| crate::core::error::Error::invalid_input(m);
    for (key, value) in filter {
        match (key.as_str(), value) {
            (_, InputValue::Null) => {}
            ("kind", InputValue::Str(k)) if k == "export" || k == "erasure" => out.kind = Some(k),
            ("since" | "until", InputValue::Str(t)) => {
                let at = Timestamp::parse_rfc3339(&t).ok_or_else(|| {
                    invalid(format!(
                        "filter '{key}' must be an RFC 3339 time, got {}",
                        ident::shown(&t)
                    ))
                })?;
                if key == "since" {
                    out.since = Some(at)
                } else {
                    out.until = Some(at)
                }
            }
            ("limit", InputValue::Int(n)) => out.limit = ident::limit(n, 10_000)?,
            ("kind" | "since" | "until" | "limit", other) => {
                return Err(invalid(format!(
                    "filter '{key}' got {}; kind is 'export' or 'erasure', since/until RFC 3339 times, limit 1 to 10000",
                    other.type_name()
                )));
            }
            (other, _) => {
                return Err(crate::core::input::unknown_option(
                    "requestLog",
                    other,
                    &["kind", "since", "until", "limit"],
                ));
            }
        }
    }
    Ok(out)
}

/// Ids per statement of `filterSendable`: large enough to amortise the round trip, small enough to
/// keep one statement well under the query timeout.
const FILTER_CHUNK: usize = 1000;
