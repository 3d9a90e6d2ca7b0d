//! `Dsgvo\Store`: converts PHP arguments, calls the engine, maps its errors. No rules and no SQL here.

// Parameter names are PHP API (named arguments: `grantConsent(customerId: 5, ...)`), and ext-php-rs
// takes them from the Rust identifiers, so they are camelCase here.
#![allow(non_snake_case)]

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use crate::core::config::Config;
use crate::core::engine::Engine;
use crate::php::args::{self, ArrayArg};
use crate::php::decision::Decision;
use crate::php::{files, ini, values};

/// A shop's connection to its consent, objection and data-subject records.
#[php_class]
#[php(name = "Dsgvo\\Store")]
// Final and closed: its state lives in Rust, and a typo in a property name should fail loudly.
#[php(flags = ext_php_rs::flags::ClassFlags::Final.union(ext_php_rs::flags::ClassFlags::NoDynamicProperties))]
pub struct Store {
    engine: Engine,
}

#[php_impl]
impl Store {
    /// Options override the php.ini `dsgvo.*` settings of the same name. Validates everything and
    /// connects to nothing: the first call that needs the database connects.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn __construct(options: ArrayArg) -> PhpResult<Self> {
        let config = Config::resolve(|setting| ini::value(setting, false), options.0)?;
        Ok(Store {
            engine: Engine::new(config),
        })
    }

    /// Creates or upgrades the extension's own tables; idempotent. Returns the schema version.
    pub fn migrate(&self) -> PhpResult<i64> {
        Ok(i64::from(self.engine.migrate()?))
    }

    /// True when the database answers, false when it cannot be reached in time.
    pub fn ping(&self) -> PhpResult<bool> {
        Ok(self.engine.ping()?)
    }

    /// Records a consent given directly; returns the event id.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn grant_consent(&self, customerId: i64, purpose: &str, proof: ArrayArg) -> PhpResult<i64> {
        Ok(id(self
            .engine
            .grant_consent(customerId, purpose, proof.0)?))
    }

    /// Starts double opt-in; returns the token for the confirmation link.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn request_consent(
        &self,
        customerId: i64,
        purpose: &str,
        proof: ArrayArg,
    ) -> PhpResult<String> {
        Ok(self.engine.request_consent(customerId, purpose, proof.0)?)
    }

    /// Confirms a double opt-in request by its token; returns the event id.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn confirm_consent(&self, token: &str, proof: ArrayArg) -> PhpResult<i64> {
        Ok(id(self.engine.confirm_consent(token, proof.0)?))
    }

    /// Records a withdrawal of consent; returns the event id.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn revoke_consent(
        &self,
        customerId: i64,
        purpose: &str,
        proof: ArrayArg,
    ) -> PhpResult<i64> {
        Ok(id(self
            .engine
            .revoke_consent(customerId, purpose, proof.0)?))
    }

    /// Whether consent for the purpose is in force.
    pub fn has_consent(&self, customerId: i64, purpose: &str) -> PhpResult<bool> {
        Ok(self.engine.has_consent(customerId, purpose)?)
    }

    /// The customer's consent events, oldest first, with proof and consent text.
    pub fn consent_history(&self, customerId: i64) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.consent_history(customerId)?)
    }

    /// Walks the consent ledger's hash chain: `['ok' => bool, 'events' => int, 'first_bad_id' => ?int]`.
    pub fn verify_ledger(&self) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(self.engine.verify_ledger()?)
    }

    /// Creates or replaces an email type: basis consent, existing_customer or transactional.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn define_email_type(&self, r#type: &str, basis: &str, options: ArrayArg) -> PhpResult<()> {
        Ok(self.engine.define_email_type(r#type, basis, options.0)?)
    }

    /// Records the shop's existing newsletter subscriptions in the ledger, once: counts of what was
    /// (or, with `dry_run`, would be) imported.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn import_consents(&self, options: ArrayArg) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(self.engine.import_consents(options.0)?)
    }

    /// Turns another system's opt-out list into objections, each entry once: `source` `mailbeez`
    /// (its `mailbeez_block`), `dry_run`, `type_map` (module => type or `*`). Returns the counts.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn import_opt_outs(&self, options: ArrayArg) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(self.engine.import_opt_outs(options.0)?)
    }

    /// Every defined email type: `[['type', 'basis', 'max_age_days', 'notice_since', 'min_interval_days'], ...]`.
    pub fn email_types(&self) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.email_types()?)
    }

    /// Shop accounts by id (digits) or exact address: `[['customer_id', 'email', 'firstname', 'lastname'], ...]`.
    #[php(defaults(limit = 20))]
    pub fn find_customers(&self, query: &str, limit: i64) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.find_customers(query, limit)?)
    }

    /// Records an objection to a type (`*`: all marketing mail); true if newly recorded.
    #[php(defaults(r#type = "\"*\"", proof = ArrayArg::default()))]
    pub fn opt_out(&self, customerId: i64, r#type: &str, proof: ArrayArg) -> PhpResult<bool> {
        Ok(self.engine.opt_out(customerId, r#type, proof.0)?)
    }

    /// Records an objection by address; true if newly recorded.
    #[php(defaults(r#type = "\"*\"", proof = ArrayArg::default()))]
    pub fn opt_out_email(&self, email: &str, r#type: &str, proof: ArrayArg) -> PhpResult<bool> {
        Ok(self.engine.opt_out_email(email, r#type, proof.0)?)
    }

    /// Whether an objection or suppression stands against the type.
    pub fn is_opted_out(&self, customerId: i64, r#type: &str) -> PhpResult<bool> {
        Ok(self.engine.is_opted_out(customerId, r#type)?)
    }

    /// A signed one-click unsubscribe token (no address inside).
    #[php(defaults(r#type = "\"*\""))]
    pub fn unsubscribe_token(&self, customerId: i64, r#type: &str) -> PhpResult<String> {
        Ok(self.engine.unsubscribe_token(customerId, r#type)?)
    }

    /// What a valid unsubscribe token says, writing nothing:
    /// `['customer_id' => int, 'type' => string, 'issued_at' => string]`.
    pub fn read_unsubscribe_token(&self, token: &str) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(self.engine.read_unsubscribe_token(token)?)
    }

    /// Records the objection a token carries: `['customer_id' => int, 'type' => string, 'new' => bool]`.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn unsubscribe(&self, token: &str, proof: ArrayArg) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(self.engine.unsubscribe(token, proof.0)?)
    }

    /// The RFC 8058 pair: `['List-Unsubscribe' => ..., 'List-Unsubscribe-Post' => 'List-Unsubscribe=One-Click']`.
    pub fn unsubscribe_headers(
        &self,
        customerId: i64,
        r#type: &str,
        endpointUrl: &str,
        mailto: Option<&str>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let headers = self
            .engine
            .unsubscribe_headers(customerId, r#type, endpointUrl, mailto)?;
        values::record(headers)
    }

    /// The notice that the customer may object, for every mail that advertises (§ 7 Abs. 3 Nr. 4 UWG,
    /// Art. 21(4) GDPR): `['text' => ..., 'html' => ..., 'url' => signed unsubscribe URL]`, de or en.
    #[php(defaults(lang = "\"de\""))]
    pub fn objection_notice(
        &self,
        customerId: i64,
        r#type: &str,
        endpointUrl: &str,
        lang: &str,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(
            self.engine
                .objection_notice(customerId, r#type, endpointUrl, lang)?,
        )
    }

    /// May this type of mail go to this customer now, and why.
    pub fn may_send(&self, customerId: i64, r#type: &str) -> PhpResult<Decision> {
        Ok(self.engine.may_send(customerId, r#type)?.into())
    }

    /// Appends a send to the log; returns its id. Meta: email, subject, message_id, order_id, sent_at.
    #[php(defaults(meta = ArrayArg::default()))]
    pub fn log_send(&self, customerId: i64, r#type: &str, meta: ArrayArg) -> PhpResult<i64> {
        Ok(id(self.engine.log_send(customerId, r#type, meta.0)?))
    }

    /// Rates a send 1..5; a second rating replaces the first (kept in the history).
    pub fn rate_email(&self, sendId: i64, rating: i64, comment: Option<&str>) -> PhpResult<()> {
        Ok(self.engine.rate_email(sendId, rating, comment)?)
    }

    /// Stores the copy of a sent mail (up to 16 MiB, compressed), replacing an earlier one.
    pub fn archive_email(
        &self,
        sendId: i64,
        subject: &str,
        body: BinarySlice<u8>,
    ) -> PhpResult<()> {
        Ok(self.engine.archive_email(sendId, subject, body.into())?)
    }

    /// The archived copy of a send, byte for byte; null if there is none.
    pub fn archived_email(&self, sendId: i64) -> PhpResult<Option<ZBox<ZendHashTable>>> {
        self.engine
            .archived_email(sendId)?
            .map(values::record)
            .transpose()
    }

    /// Tags the customer; `rule` names the rule that set it. False, and nothing written, while the
    /// customer objects to all mail or to `personalisation`.
    pub fn tag(&self, customerId: i64, tag: &str, rule: Option<&str>) -> PhpResult<bool> {
        Ok(self.engine.tag(customerId, tag, rule)?)
    }

    /// Restricts processing of the customer's data (Art. 18 GDPR): until unrestrict(), every decision but
    /// transactional mail answers 'restricted', tag() and the tag rules set nothing, recommendations stop.
    /// Returns the id of the restriction event; restricting again records nothing and returns the id of the
    /// restriction in force. Proof keys: source, ip, user_agent, actor.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn restrict(&self, customerId: i64, proof: ArrayArg) -> PhpResult<i64> {
        Ok(id(self.engine.restrict(customerId, proof.0)?))
    }

    /// Lifts the customer's restriction; returns the id of the event. InvalidInputException when the
    /// customer is not restricted.
    #[php(defaults(proof = ArrayArg::default()))]
    pub fn unrestrict(&self, customerId: i64, proof: ArrayArg) -> PhpResult<i64> {
        Ok(id(self.engine.unrestrict(customerId, proof.0)?))
    }

    /// Whether processing of the customer's data is restricted now.
    pub fn is_restricted(&self, customerId: i64) -> PhpResult<bool> {
        Ok(self.engine.is_restricted(customerId)?)
    }

    /// The customer's restriction events, oldest first: id, action (restrict|unrestrict), source, actor,
    /// created_at.
    pub fn restrictions(&self, customerId: i64) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.restrictions(customerId)?)
    }

    /// Defines (or redefines, replacing its conditions) a rule that sets `tag` on every customer meeting
    /// all conditions: min_orders, min_spent, bought_categories, ordered_within_days, no_order_for_days,
    /// account_age_days, min_rating (at least one; unknown keys are refused).
    pub fn define_tag_rule(&self, rule: &str, tag: &str, conditions: ArrayArg) -> PhpResult<()> {
        Ok(self.engine.define_tag_rule(rule, tag, conditions.0)?)
    }

    /// The defined rules by name: rule, tag, conditions, defined_at and the counts of the last run
    /// (last_run_at, last_added, last_removed, last_matching; null before the first).
    pub fn tag_rules(&self) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.tag_rules()?)
    }

    /// Removes the rule and the tags it set (tags set by hand stay); returns how many tags it removed.
    pub fn drop_tag_rule(&self, rule: &str) -> PhpResult<i64> {
        Ok(id(self.engine.drop_tag_rule(rule)?))
    }

    /// Applies the tag rules as set statements over the shop's customers. Options: rules (names; default
    /// all), dry_run, timeout_ms. Returns `[rule => ['tag', 'added', 'removed', 'matching']]`.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn apply_tag_rules(&self, options: ArrayArg) -> PhpResult<ZBox<ZendHashTable>> {
        let runs = self.engine.apply_tag_rules(options.0, &mut |_| {})?;
        values::keyed(runs.into_iter().map(|r| (r.rule.clone(), r)).collect())
    }

    /// Removes a tag.
    pub fn untag(&self, customerId: i64, tag: &str) -> PhpResult<()> {
        Ok(self.engine.untag(customerId, tag)?)
    }

    /// The customer's tags by name: `[['name' => ..., 'rule' => ?string, 'set_at' => ...], ...]`.
    pub fn tags(&self, customerId: i64) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.tags(customerId)?)
    }

    /// The customer's sends, newest first: id, type, email, subject, message_id, order_id, sent_at,
    /// rating, archived.
    #[php(defaults(limit = 100))]
    pub fn send_log(&self, customerId: i64, limit: i64) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.send_log(customerId, limit)?)
    }

    /// The customer's recorded objections with their proof: type, source, ip, user_agent, actor, created_at.
    pub fn opt_outs(&self, customerId: i64) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.opt_outs(customerId)?)
    }

    /// Deletes what the retention settings let go (`dry_run`: counts only): `[table => rows]`.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn purge_expired(&self, options: ArrayArg) -> PhpResult<ZBox<ZendHashTable>> {
        let counts = self.engine.purge_expired(options.0, &mut |_, _| {})?;
        let mut array = ZendHashTable::new();
        for (table, n) in counts.0 {
            array.insert(table.as_str(), i64::try_from(n).unwrap_or(i64::MAX))?;
        }
        Ok(array)
    }

    /// Everything the shop holds about the customer, as a JSON document (`dsgvo-export/1`).
    pub fn export(&self, customerId: i64) -> PhpResult<String> {
        Ok(self.engine.export(customerId)?)
    }

    /// Writes the export to a file: 'zip' (export.json, CSV per section, index.html, manifest.json)
    /// or 'json'. Atomic; an existing file is replaced only with `['overwrite' => true]`.
    #[php(defaults(format = "\"zip\"", options = ArrayArg::default()))]
    pub fn export_to(
        &self,
        customerId: i64,
        path: &str,
        format: &str,
        options: ArrayArg,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        files::check_open_basedir(path)?;
        values::record(self.engine.export_to(customerId, path, format, options.0)?)
    }

    /// Erases the customer: own records always (opt-outs turned into suppression entries, consent
    /// proof blanked), the shop's with `['shop_data' => true]`; `['dry_run' => true]` only counts.
    /// Returns `['removed' => [table => n], 'anonymized' => [...], 'retained' => [[table, count, reason]],
    /// 'suppressed' => n, 'dry_run' => bool]`.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn erase(&self, customerId: i64, options: ArrayArg) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(self.engine.erase(customerId, options.0)?)
    }

    /// Recounts "customers also bought" from the shop's orders (k-anonymous: only pairs of at least
    /// `recommend_min_customers` distinct customers). Options: since, dry_run, timeout_ms.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn refresh_recommendations(&self, options: ArrayArg) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(self.engine.refresh_recommendations(options.0)?)
    }

    /// Products bought together with the product: `[['product_id' => int, 'customers' => int], ...]`.
    #[php(defaults(limit = 5))]
    pub fn also_bought(&self, productId: i64, limit: i64) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.also_bought(productId, limit)?)
    }

    /// Recommendations from the customer's purchases: `[['product_id' => int, 'score' => int], ...]`.
    #[php(defaults(limit = 5))]
    pub fn recommend_for(&self, customerId: i64, limit: i64) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.recommend_for(customerId, limit)?)
    }

    /// The data map of this store's shop preset: `[['id', 'table', 'label', 'owner', 'find', 'condition',
    /// 'secrets', 'erase'], ...]`, the tables export and erasure walk.
    pub fn data_map(&self) -> PhpResult<ZBox<ZendHashTable>> {
        values::list(self.engine.data_map())
    }

    /// Exports and erasures done, newest first: id, kind, outcome, started_at, finished_at, summary.
    #[php(defaults(filter = ArrayArg::default()))]
    pub fn request_log(&self, filter: ArrayArg) -> PhpResult<ZBox<ZendHashTable>> {
        values::records(self.engine.request_log(filter.0)?)
    }

    /// Registers a data-subject request when it arrives; its deadline runs from then. Returns its id.
    #[php(defaults(options = ArrayArg::default()))]
    pub fn register_request(
        &self,
        kind: &str,
        subject: &Zval,
        options: ArrayArg,
    ) -> PhpResult<i64> {
        Ok(id(self.engine.register_request(
            kind,
            args::value(subject),
            options.0,
        )?))
    }

    /// Extends an open request once by two months (Art. 12(3)), before its first deadline.
    pub fn extend_request(&self, requestId: i64, reason: &str) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(self.engine.extend_request(requestId, reason)?)
    }

    /// Closes an open request that no export or erasure answers: 'answered' or 'refused'.
    #[php(defaults(outcome = "\"answered\""))]
    pub fn close_request(&self, requestId: i64, outcome: &str) -> PhpResult<ZBox<ZendHashTable>> {
        values::record(self.engine.close_request(requestId, outcome)?)
    }

    /// The ids that may receive the type now, in input order, each once; null: every customer of the
    /// shop that may, by id.
    pub fn filter_sendable(
        &self,
        customerIds: Option<&ZendHashTable>,
        r#type: &str,
    ) -> PhpResult<Vec<i64>> {
        let ids = customerIds
            .map(|ids| values::int_list(ids, "customer ids"))
            .transpose()?;
        Ok(self.engine.filter_sendable(ids, r#type)?)
    }
}

/// Event ids are AUTO_INCREMENT values, far below i64::MAX.
fn id(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
