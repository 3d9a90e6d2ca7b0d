<?php
/**
 * IDE and static-analysis stubs for the dsgvo extension. Not loaded at runtime.
 * tests/php/StubsTest.php checks this file against the loaded extension.
 */

namespace Dsgvo {

    /**
     * A shop's connection to its consent, objection and data-subject records.
     *
     * Settings come from php.ini (dsgvo.*); options of the same name without the prefix override them:
     * dsn, table_prefix, shop, shop_table_prefix, secret (at least 32 random bytes as 64+ hex characters or
     * base64, e.g. bin2hex(random_bytes(32)); placeholders and low-entropy values are refused, also in
     * previous_secrets), query_timeout_ms, connect_timeout_ms,
     * consent_token_ttl_days, truncate_ip, existing_customer_max_age_days, previous_secrets,
     * retention_send_log_days, retention_archive_days, retention_pending_consent_days, retention_idempotency_days,
     * erase_strategies (option: [shop table => 'delete'|'anonymize'|'retain']; php.ini: "table=strategy,..."),
     * recommend_min_customers (k of the recommendations, 2 to 1000000, default 5),
     * export_information (the shop's Art. 15 text in every export; option: [key => string] with the keys
     * controller, contact, dpo, purposes, recipients, authority; php.ini: a JSON object of the same; unknown
     * keys and non-strings throw ConfigException; a key not given is listed under not_provided),
     * retention_years (legal retention period in years, 1 to 30, of a retained shop table that has one: orders,
     * orders_products, orders_total, orders_status_history, ...; option: [table => years]; php.ini:
     * "table=years,..."; default 8 years, § 147 Abs. 1 Nr. 4 AO),
     * read_your_writes (bool, default off: on a Galera cluster every session sets wsrep_sync_wait=1, on MySQL
     * Group Replication group_replication_consistency='BEFORE', where the server has the variable, so a
     * decision on any node sees every write acknowledged before it; see docs/scaling.md).
     *
     * Conflicts with other writers (deadlocks, Galera certification conflicts: error 1213; MariaDB 11.6+
     * snapshot isolation conflicts: 1020; lock wait timeouts: 1205) are retried inside the call, bounded and with random pauses, within query_timeout_ms;
     * only then does a DatabaseException reach the caller. A commit whose answer was lost throws
     * OutcomeUnknownException: repeat the call with the same idempotency_key.
     *
     * Proof arrays (all keys optional; unknown keys are refused):
     *   source       checkout|account|newsletter_form|admin|import|api|link
     *   text         the consent wording shown (stored once per SHA-256)
     *   text_version at most 64 characters
     *   ip           IPv4 or IPv6 address (shortened when truncate_ip is on)
     *   user_agent   at most 512 characters, one line
     *   actor        the admin user who acted, at most 128 characters
     *   occurred_at  RFC 3339 time, only with source=import, never in the future
     *   email        the email address the consent was given for (stored normalised: trimmed, lowercased).
     *                Consent calls only (grant, request, revoke); default: the account's current address in
     *                the shop's customers table (with a shop preset). confirmConsent, optOut, optOutEmail and
     *                unsubscribe refuse it: a confirmation is for the address its request was mailed to, an
     *                objection for the account's current address.
     *   idempotency_key  1 to 64 printable ASCII characters without spaces (e.g. a UUID), no personal data.
     *                grantConsent, requestConsent, revokeConsent, optOut and optOutEmail (and logSend, as a meta
     *                key): the same key again returns the first call's result and writes nothing (a key used by
     *                another call is refused). confirmConsent and unsubscribe refuse it: their token already
     *                makes them safe to repeat.
     *
     * Consent is bound to its address: every consent event records the address it was given for (personal
     * data: erasure and retention blank it; the hash chain covers it through its salted personal digest). With
     * a shop preset, a consent in force given for another address than the account's current one does not
     * count (maySend: consent_other_address, hasConsent: false) until a new grant or a confirmed double opt-in
     * for the current address. Consents recorded before schema version 2 carry no address and keep counting.
     */
    final class Store
    {
        /**
         * Validates the settings and options; connects to nothing (the first call that needs the
         * database does).
         *
         * @param array<string, string|int> $options
         * @throws ConfigException an option is unknown or invalid; the message names it
         */
        public function __construct(array $options = []) {}

        /**
         * Creates or upgrades the extension's own tables. Idempotent; concurrent callers all succeed, also on
         * several nodes of a cluster at once (no lock: every step is idempotent and a lost race is run again).
         * Schema version 2 adds the address of each consent event and of the consent in force; version 3 the
         * idempotency keys and the recommendations by generation.
         *
         * @return int the schema version (3)
         * @throws DatabaseException
         */
        public function migrate(): int {}

        /**
         * True when the database answers; false when it cannot be reached within connect_timeout_ms.
         *
         * @throws DatabaseException the server answered with an error (wrong credentials, unknown database)
         */
        public function ping(): bool {}

        /**
         * Records a consent given directly (checkbox at checkout, account page, import), for proof key
         * 'email' or else the account's current address. A direct grant does not lift an objection or
         * suppression of the address (only a confirmed double opt-in does); it lifts the customer's own
         * older objection by id when no address entry stands.
         *
         * An import (proof 'source' => 'import', 'occurred_at') with proof 'confirmed_at' (RFC 3339, not before
         * occurred_at) is recorded as a confirmed double opt-in: its request and its confirmation.
         *
         * @param array<string, string|null> $proof
         * @return int the event id (of the confirmation, for an import with confirmed_at)
         * @throws InvalidInputException customer id not positive, purpose not [a-z0-9_.-]{1,64}, invalid proof
         * @throws DatabaseException
         */
        public function grantConsent(int $customerId, string $purpose, array $proof = []): int {}

        /**
         * Starts double opt-in: records a request and returns the token for the confirmation link.
         * Consent is in force only after confirmConsent(); a consent already in force stays in force.
         * The request records the address the link is mailed to: proof key 'email', else the account's
         * current address.
         *
         * @param array<string, string|null> $proof
         * @return string URL-safe token, valid for consent_token_ttl_days
         * @throws ConfigException no secret configured
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function requestConsent(int $customerId, string $purpose, array $proof = []): string {}

        /**
         * Confirms a double opt-in request by the token from its link. The confirmation is for the address
         * the request was mailed to; it lifts that address's objection or post-erasure suppression for this
         * purpose only (the address owner's new consent).
         *
         * @param array<string, string|null> $proof proof of the confirmation (ip, user_agent of the click; no 'email')
         * @return int the event id of the confirmation
         * @throws TokenException expired, forged, altered, truncated or already used; or stale: the request is
         *   older than a revocation of the purpose or an objection to it or to all mail ('*'), by the customer
         *   or by the request's address, or it was blanked by erasure; nothing was written
         * @throws ConfigException no secret configured
         * @throws InvalidInputException invalid proof, or proof key 'email'
         * @throws DatabaseException
         */
        public function confirmConsent(string $token, array $proof = []): int {}

        /**
         * Records a withdrawal of consent.
         *
         * @param array<string, string|null> $proof
         * @return int the event id
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function revokeConsent(int $customerId, string $purpose, array $proof = []): int {}

        /**
         * Whether consent for the purpose is in force (granted, or confirmed after double opt-in) and, with
         * a shop preset, was given for the account's current address (or for no recorded address).
         *
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function hasConsent(int $customerId, string $purpose): bool {}

        /**
         * The customer's consent events, oldest first.
         *
         * @return list<array{id: int, purpose: string, action: string, occurred_at: string, recorded_at: string,
         *   source: ?string, text: ?string, text_sha256: ?string, text_version: ?string, ip: ?string,
         *   user_agent: ?string, actor: ?string, email: ?string, request_id: ?int, confirmed_at: ?string}>
         *   action: granted|revoked|requested|confirmed; times RFC 3339 UTC with microseconds;
         *   email: the normalised address the event was given for (null: recorded before schema version 2,
         *   none known, or blanked by erasure or retention); a confirmation carries its request's;
         *   confirmed_at on a request that was confirmed and on its confirmation
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function consentHistory(int $customerId): array {}

        /**
         * Walks the consent ledger's hash chain and reports the first event that was altered, removed,
         * inserted or reordered behind the extension's back.
         *
         * @return array{ok: bool, events: int, first_bad_id: ?int}
         * @throws DatabaseException
         */
        public function verifyLedger(): array {}

        /**
         * Creates or replaces an email type. Types persist in the database; an undefined type needs consent.
         *
         * @param string $basis consent | existing_customer (§ 7 Abs. 3 UWG) | transactional (always allowed)
         * @param array{max_age_days?: int, notice_since?: string, min_interval_days?: int, excluded_order_statuses?: list<int>, similar_categories?: list<int>, consent?: string, consent_max_idle_days?: int, advertising_type?: string} $options
         *   max_age_days (existing_customer; default dsgvo.existing_customer_max_age_days), notice_since
         *   (existing_customer; 'YYYY-MM-DD' shop-local: the day from which the objection notice was given when
         *   addresses were collected; without it every customer answers notice_missing, and older orders do not count),
         *   excluded_order_statuses (existing_customer; shop status ids of orders that are no sale; default
         *   dsgvo.excluded_order_statuses, else the statuses whose name in any language contains cancel, storn, void,
         *   refund, erstatt or abgebrochen; [] excludes nothing), similar_categories (existing_customer; shop category
         *   ids, subcategories included: only orders with such a product count, else no_similar_purchase),
         *   consent ('any' | 'double_opt_in': only a confirmed double opt-in counts, else consent_unconfirmed),
         *   consent_max_idle_days (a consent with no grant, confirmation or logged send of the type within that many
         *   days answers consent_stale), advertising_type (transactional; a defined type that may advertise: the
         *   Decision's mayAdvertise follows it), min_interval_days (any basis: at most one mail of the type per this
         *   many days, from the send log)
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function defineEmailType(string $type, string $basis, array $options = []): void {}

        /**
         * Records the shop's existing newsletter subscriptions in the ledger (source 'import'), once, when dsgvo is
         * introduced: customers.customers_newsletter = '1' becomes a 'granted' event dated at the account's creation
         * (customers_info); a confirmed entry of newsletter_recipients (modified, xtcModified, Gambio; mail_status 1)
         * a 'granted' event at its date_added, or, where the shop kept date_confirmed (modified 3.x), a 'requested'
         * event at date_added with ip_date_added and its 'confirmed' event at date_confirmed with ip_date_confirmed.
         * List entries without an account id count for the account of the same address. Customers who already have
         * any event for the purpose are left alone (checked under the ledger's lock): a second run adds nothing, and
         * a revocation since is never undone. Writes in batches of 200 customers per transaction.
         *
         * @param array{purpose?: string, dry_run?: bool, text?: string, text_version?: string} $options purpose: default
         *   'newsletter'; dry_run: count only; text/text_version: the wording the shop showed, stored as proof (the
         *   default text_version names the shop column the evidence came from)
         * @return array{purpose: string, subscribed: int, granted: int, confirmed: int, already_in_ledger: int,
         *   without_account: int, not_confirmed: int, undated: int, seconds: float, dry_run: bool}
         *   granted: customers recorded with one grant; confirmed: with a request and its confirmation;
         *   without_account: confirmed list entries of addresses without an account (not importable: the ledger is
         *   per customer); not_confirmed: list entries never confirmed (no consent); undated: events the shop had no
         *   date for (recorded with the import time)
         * @throws ConfigException no shop preset (dsgvo.shop) configured
         * @throws InvalidInputException unknown or invalid option
         * @throws DatabaseException
         */
        public function importConsents(array $options = []): array {}

        /**
         * Turns another system's opt-out list into objections, each entry once. Source 'mailbeez': every row of
         * MailBeez's mailbeez_block (with shop_table_prefix) becomes an objection of its customers_id, recorded as
         * optOut() records one (for the customer id, for the account's current address, and as a withdrawal of the
         * consents it covers), with source 'import'. The entry's module becomes the objection's type when an email
         * type of that name is defined, else '*' (all marketing mail); type_map overrides per module. Entries with
         * simulation <> 0 (MailBeez test runs) and entries without a customer id are skipped and counted. Each entry
         * carries an idempotency key of its own ('mailbeez_block:<autoemail_id>:<customers_id>'): a second run, also
         * after the customer has since subscribed again, records nothing for it.
         *
         * @param array{source: 'mailbeez', dry_run?: bool, type_map?: array<string, string>} $options type_map:
         *   module => email type name or '*'
         * @return array{source: string, entries: int, imported: int, already_present: int, already_objected: int,
         *   skipped_simulation: int, skipped_no_customer: int, by_type: array<string, int>, dry_run: bool}
         *   entries: rows read; imported: entries recorded as a new objection (in a dry run: entries not imported
         *   before, which a run would record or find already objected); already_present: entries an earlier run
         *   imported; already_objected: entries whose objection already stood (nothing added; marked as imported);
         *   by_type: imported entries per objection type
         * @throws ConfigException no shop preset, no secret, or the shop has no mailbeez_block table
         * @throws InvalidInputException missing or unknown source, invalid type_map, unknown option
         * @throws DatabaseException
         */
        public function importOptOuts(array $options = []): array {}

        /**
         * Every defined email type, by name (for admin pages: the decision for each type).
         *
         * @return list<array{type: string, basis: string, max_age_days: ?int, notice_since: ?string, min_interval_days: ?int}>
         *   notice_since as given ('YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS', shop-local)
         * @throws DatabaseException
         */
        public function emailTypes(): array {}

        /**
         * Shop accounts by id or exact e-mail address (no partial matches: a search must not list strangers).
         *
         * @param string $query digits: a customer id; with an '@': an address, matched exactly after trimming and
         *   lowercasing both sides (never through the column's collation: 'müller@' does not find 'muller@')
         * @param int $limit 1 to 1000
         * @return list<array{customer_id: int, email: string, firstname: string, lastname: string}>
         * @throws ConfigException no shop preset (dsgvo.shop) configured
         * @throws InvalidInputException neither an id nor an address, limit out of range
         * @throws DatabaseException
         */
        public function findCustomers(string $query, int $limit = 20): array {}

        /**
         * Records the customer's objection to a type of mail ('*': all marketing mail), with its proof, in one
         * transaction: for the customer id; for the account's current address (an address entry as
         * optOutEmail() writes, so every account with that address, now or later, is covered; skipped without
         * a secret or without a known address); and, for a type whose basis is consent (or an undefined type),
         * as a revocation in the consent ledger (for '*': of every purpose granted). Idempotent: while the same
         * objection stands, a repeat records nothing and returns false. A consent in force that is newer lifts
         * the customer's own objection for the consented type; the address's objection is lifted only by a
         * confirmed double opt-in for that address and purpose.
         *
         * @param array<string, string|null> $proof
         * @return bool true if newly recorded
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function optOut(int $customerId, string $type = '*', array $proof = []): bool {}

        /**
         * Records an objection by address: for every shop account with the address (with the revocations
         * optOut() appends), and for the address itself (it then also holds for accounts made later with it).
         * Needs dsgvo.secret: the address is kept only as HMAC-SHA256. An address suppressed for good (erased)
         * is left alone, unless a double opt-in had lifted it for a purpose: the objection ends that lift.
         *
         * @param array<string, string|null> $proof
         * @return bool true if something was newly recorded
         * @throws InvalidInputException not an email address, bad type or proof
         * @throws ConfigException no secret configured
         * @throws DatabaseException
         */
        public function optOutEmail(string $email, string $type = '*', array $proof = []): bool {}

        /**
         * Whether an objection (or a suppression) stands against the type for the customer.
         *
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function isOptedOut(int $customerId, string $type): bool {}

        /**
         * A signed, URL-safe one-click unsubscribe token: customer id, type, issue time and key id; never
         * the address. It does not expire.
         *
         * @throws ConfigException no secret configured
         * @throws InvalidInputException
         */
        public function unsubscribeToken(int $customerId, string $type = '*'): string {}

        /**
         * What a valid unsubscribe token says, recording nothing: for the confirmation page a GET request
         * shows (link scanners must not unsubscribe anyone).
         *
         * @return array{customer_id: int, type: string, issued_at: string}
         * @throws TokenException forged, altered, truncated or signed with an unknown key
         * @throws ConfigException no secret configured
         */
        public function readUnsubscribeToken(string $token): array {}

        /**
         * Records the objection a token carries, as optOut() does (proof source defaults to 'link', also for
         * the revocation it appends). Idempotent.
         *
         * @param array<string, string|null> $proof
         * @return array{customer_id: int, type: string, new: bool}
         * @throws TokenException forged, altered, truncated or signed with an unknown key; nothing written
         * @throws ConfigException no secret configured
         * @throws DatabaseException
         */
        public function unsubscribe(string $token, array $proof = []): array {}

        /**
         * The RFC 8058 header pair for a mail to the customer. The endpoint receives the token as query
         * parameter t; with $mailto the header also offers mailto:$mailto?subject=unsubscribe%20<token>.
         *
         * @return array{'List-Unsubscribe': string, 'List-Unsubscribe-Post': string}
         * @throws InvalidInputException the endpoint is not an https:// URL, or $mailto not an address
         * @throws ConfigException no secret configured
         */
        public function unsubscribeHeaders(int $customerId, string $type, string $endpointUrl, ?string $mailto = null): array {}

        /**
         * The notice every advertising mail must carry (§ 7 Abs. 3 Nr. 4 UWG, Art. 21(4) GDPR): that the customer
         * may object at any time to the use of the address for advertising (for $type '*': all advertising;
         * otherwise mail of that type) without costs other than the transmission costs at the basic rates, with the
         * signed one-click link (the URL of the same form as unsubscribeHeaders()' List-Unsubscribe URL).
         *
         * @param string $lang de or en
         * @return array{text: string, html: string, url: string} html: one escaped <p> element
         * @throws InvalidInputException the endpoint is not an https:// URL, $lang is not de or en
         * @throws ConfigException no secret configured
         */
        public function objectionNotice(int $customerId, string $type, string $endpointUrl, string $lang = 'de'): array {}

        /**
         * May this type of mail go to this customer now, and why. One database round trip.
         *
         * @throws InvalidInputException customer id not positive, type not [a-z0-9_.-]{1,64}
         * @throws ConfigException the suppression list holds addresses but no secret is configured
         * @throws DatabaseException
         */
        public function maySend(int $customerId, string $type): Decision {}

        /**
         * The ids among $customerIds for which maySend() allows the type, in input order, each once; with null,
         * every customer of the shop for which it does, in the order of their ids. A list is judged by one set
         * statement in the database per 8,192 ids, which returns only the allowed ids. Everyone (null, or a list of
         * at least a quarter of the shop) is read by plain table scans, on a second connection at once from
         * customer id 5,000 on (closed after the call; refused, the scans run on one), and judged in the process by
         * maySend's own rules; while it runs, about 100 MB per million customers for an existing-customer type (35 MB
         * for a consent-based one). Without a shop preset, null means every customer with a consent on record for
         * the type (the only ones that can be allowed).
         *
         * @param list<int>|null $customerIds
         * @return list<int>
         * @throws InvalidInputException an element is not an integer or not positive
         * @throws ConfigException
         * @throws DatabaseException
         */
        public function filterSendable(?array $customerIds, string $type): array {}

        /**
         * Appends a send to the log (it feeds min_interval_days, the export and erasure).
         *
         * @param array{email?: string, subject?: string, message_id?: string, order_id?: int, sent_at?: string, notice?: bool, idempotency_key?: string} $meta
         *   email: the address sent to (stored normalised); subject: one line, at most 998 characters;
         *   message_id: at most 255 characters; order_id: positive; sent_at: RFC 3339, imports only, never in the future;
         *   notice: the mail carried objectionNotice() (required, true, for a type of the basis existing_customer);
         *   idempotency_key: as in proof arrays: the same key again returns the first send id and logs nothing
         * @return int the send id
         * @throws InvalidInputException invalid meta; an existing_customer type without 'notice' => true (nothing written)
         * @throws DatabaseException
         */
        public function logSend(int $customerId, string $type, array $meta = []): int {}

        /**
         * Rates a send 1 (worst) to 5 (best), comment at most 2,000 characters. One rating per send: a second
         * replaces the first, which is kept in the record's history.
         *
         * @throws InvalidInputException unknown send id, rating out of range, comment too long
         * @throws DatabaseException
         */
        public function rateEmail(int $sendId, int $rating, ?string $comment = null): void {}

        /**
         * Stores the copy of a sent mail (body: any bytes, up to 16 MiB), compressed; replaces an earlier copy.
         *
         * @throws InvalidInputException unknown send id, subject not one line of at most 998 characters, body too large
         * @throws DatabaseException
         */
        public function archiveEmail(int $sendId, string $subject, string $body): void {}

        /**
         * The archived copy of a send, byte for byte as archived; null if there is none.
         *
         * @return array{send_id: int, customer_id: int, subject: string, body: string, archived_at: string}|null
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function archivedEmail(int $sendId): ?array {}

        /**
         * Tags the customer by hand (tagging again updates rule and time; a tag a tag rule set becomes the hand's,
         * so rule runs no longer remove it). Tag and rule are [a-z0-9_.-]{1,64}. While the customer objects to all
         * mail or to 'personalisation' (or is suppressed), or processing is restricted (restrict()), nothing is
         * written; such an objection deletes the customer's tags.
         *
         * @return bool true if the tag was set
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function tag(int $customerId, string $tag, ?string $rule = null): bool {}

        /**
         * Restricts processing of the customer's data (Art. 18 GDPR) until unrestrict(): every decision except
         * transactional mail answers 'restricted' (ranked right after 'unknown_customer'), tag() and the tag rules
         * set nothing (rule tags go on the next run), recommendFor() answers [] and refreshRecommendations() leaves
         * the customer out. Consents, objections and export stay as they are. Restricting a restricted customer
         * records nothing and returns the id of the restriction in force.
         *
         * @param array{source?: string, ip?: string, user_agent?: string, actor?: string} $proof
         * @return int the id of the restriction event
         * @throws InvalidInputException bad id or proof (consent keys, idempotency_key and email are refused)
         * @throws DatabaseException
         */
        public function restrict(int $customerId, array $proof = []): int {}

        /**
         * Lifts the customer's restriction.
         *
         * @param array{source?: string, ip?: string, user_agent?: string, actor?: string} $proof
         * @return int the id of the event recorded
         * @throws InvalidInputException when the customer is not restricted (nothing is written), bad id or proof
         * @throws DatabaseException
         */
        public function unrestrict(int $customerId, array $proof = []): int {}

        /**
         * Whether processing of the customer's data is restricted now.
         *
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function isRestricted(int $customerId): bool {}

        /**
         * The customer's restriction events, oldest first (the export shows them too).
         *
         * @return list<array{id: int, action: string, source: ?string, actor: ?string, created_at: string}>
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function restrictions(int $customerId): array {}

        /**
         * Defines (or redefines, replacing its conditions) a tag rule: applyTagRules() sets $tag on every customer
         * meeting ALL conditions. Conditions (at least one): min_orders (int), min_spent (decimal: the sum of the
         * counted orders' grand totals, ot_total, in the shop's default currency), bought_categories (category ids,
         * subcategories included, any of them), ordered_within_days (int), no_order_for_days (int: at least one
         * counted order and none within N days), account_age_days (int, at least), min_rating (1-5: an email
         * rating of at least N). Orders count as in § 7(3) UWG: the account's own, status not excluded
         * (dsgvo.excluded_order_statuses, else the statuses named like a cancellation). Rule and tag are
         * [a-z0-9_.-]{1,64}. Nothing is tagged until applyTagRules().
         *
         * @param array<string, mixed> $conditions
         * @throws InvalidInputException unknown condition key, bad value, no condition
         * @throws DatabaseException
         */
        public function defineTagRule(string $rule, string $tag, array $conditions): void {}

        /**
         * The tag rules by name, with the counts of their last run (null before the first).
         *
         * @return list<array{rule: string, tag: string, conditions: array<string, mixed>, defined_at: string,
         *   last_run_at: ?string, last_added: ?int, last_removed: ?int, last_matching: ?int}>
         * @throws DatabaseException
         */
        public function tagRules(): array {}

        /**
         * Removes the rule and the tags it set (tags set by hand or by another rule stay).
         *
         * @return int the number of tags removed
         * @throws InvalidInputException no rule of that name
         * @throws DatabaseException
         */
        public function dropTagRule(string $rule): int {}

        /**
         * Applies the tag rules as set statements over the shop's customers, one rule after the other, each in its
         * own transaction: removes the rule's own tags where it no longer matches, adds its tag where it now matches
         * and the customer has no tag of that name (a tag set by hand or by another rule is never touched or taken
         * over). Customers who object to all mail or to 'personalisation', restricted and erased customers are
         * never tagged and lose rule tags. matching: the customers the rule matches now (also those holding the tag
         * by hand or from another rule). Options: rules (names; default all), dry_run (counts only, writes
         * nothing), timeout_ms (each statement's limit, default 600000).
         *
         * @param array{rules?: list<string>, dry_run?: bool, timeout_ms?: int} $options
         * @return array<string, array{tag: string, added: int, removed: int, matching: int}> by rule name
         * @throws ConfigException without a shop preset
         * @throws InvalidInputException unknown option or rule name
         * @throws DatabaseException
         */
        public function applyTagRules(array $options = []): array {}

        /**
         * Removes a tag (no error if it was not set).
         *
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function untag(int $customerId, string $tag): void {}

        /**
         * The customer's tags, by name. set_by: 'hand' (tag()) or 'rule' (applyTagRules(); rule names the tag rule).
         *
         * @return list<array{name: string, rule: ?string, set_by: string, set_at: string}>
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function tags(int $customerId): array {}

        /**
         * The customer's sends, newest first (for admin pages; reading it is not an export and is not logged).
         *
         * @param int $limit 1 to 10000
         * @return list<array{id: int, type: string, email: ?string, subject: ?string, message_id: ?string, order_id: ?int,
         *   sent_at: string, rating: ?int, archived: bool}>
         * @throws InvalidInputException customer id not positive, limit out of range
         * @throws DatabaseException
         */
        public function sendLog(int $customerId, int $limit = 100): array {}

        /**
         * The customer's recorded objections with their proof, oldest first ('*': all marketing mail). Whether one
         * still stands (a newer consent lifts it) is what isOptedOut() and maySend() answer.
         *
         * @return list<array{type: string, source: ?string, ip: ?string, user_agent: ?string, actor: ?string, created_at: string}>
         * @throws InvalidInputException customer id not positive
         * @throws DatabaseException
         */
        public function optOuts(int $customerId): array {}

        /**
         * Deletes what the retention settings let go, in small batches (shop traffic goes on): sends older than
         * dsgvo.retention_send_log_days with their ratings and archived copies, archived copies older than
         * dsgvo.retention_archive_days; and blanks the personal fields of unconfirmed double opt-in requests older
         * than dsgvo.retention_pending_consent_days (and than the token lifetime); and deletes idempotency keys older
         * than dsgvo.retention_idempotency_days (default 30). Consent grants, revocations and
         * opt-outs are proof and stay. 0 days keeps everything of a kind.
         *
         * With erasures, also finishes the pending erasures: for every customer erased with shop_data whose retained
         * rows (orders and what belongs to them) were still within their legal period, the retained rows are read
         * again and those whose period has ended (end of the calendar year of the order's date plus the years) are
         * deleted; when nothing is kept any more the customer is no longer pending. A customer id that the shop has
         * given to an account again is left alone (erasures_skipped).
         *
         * @param array{dry_run?: bool, limit?: int, erasures?: bool} $options dry_run: count only, change nothing;
         *   limit: at most this many archived copies, sends and unconfirmed requests in this call (a send's ratings
         *   and copy go with it), to purge in steps: call again until nothing is left; erasures: finish pending
         *   erasures too (needs a shop preset)
         * @return array<string, int> table name => rows purged (or that would be); with erasures also the shop's
         *   tables (as named in the database) => rows erased, and erasures_completed, erasures_pending,
         *   erasures_skipped (customers)
         * @throws ConfigException erasures without a shop preset
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function purgeExpired(array $options = []): array {}

        /**
         * Everything the shop holds about the customer (Art. 15, 20 GDPR), from the data map: the JSON document
         * format dsgvo-export/1 with `format`, `generated_at`, `generator`, `shop`, `subject` (customer_id, every
         * address the customer used), `information` (Art. 15(1)(a)-(h) GDPR: controller, contact, dpo, purposes,
         * categories, recipients, storage (period per table from the data map: legal years and norm of retained
         * tables, else until erasure), rights, complaint, source, automated_decisions, and not_provided: the keys of
         * the option export_information the shop has not set; index.html shows the same and names what is missing,
         * manifest.json carries it too), `sections` (id, label {de, en}, table, times, items, error) and `skipped`
         * (mapped tables this database lacks, with the reason). Rows are found by customer id and by the
         * customer's addresses (the account's and those on the customer's own rows, compared exactly after trimming
         * and lowercasing, never through a case- or accent-insensitive collation). A row found by address is the
         * customer's only when its customer-id column is empty, 0 or this customer; an address that is now another
         * account's current address is that account's, so guest rows with it are left out. Secrets (password hashes, tokens, card
         * data, session ids) appear only as "(present, not exported)". Recorded in the request log.
         *
         * @throws InvalidInputException
         * @throws DatabaseException the database failed; a table it refuses to read is a section with an error instead
         */
        public function export(int $customerId): string {}

        /**
         * Writes the export to a file, atomically (a private 0700 working directory beside it, then published;
         * nothing is left on failure). The file is 0600 whatever the umask. Without overwrite the target is
         * created exclusively: of concurrent exports to one path one wins, the others get InvalidInputException,
         * and anything at the path, a dangling symlink included, is left as it was; with overwrite the file is
         * renamed over the target (a symlink there is replaced, never written through). 'zip': export.json, sections/NN-id.csv (RFC 4180, UTF-8 with BOM), index.html (German and
         * English, self-contained), manifest.json (SHA-256 of each file). 'json': export.json only. Respects
         * open_basedir. Rows stream from the database to the files: memory does not grow with the history.
         *
         * @param 'zip'|'json' $format
         * @param array{overwrite?: bool, received_at?: string, request_id?: int} $options received_at: when the
         *   request arrived ('YYYY-MM-DD' or RFC 3339, not in the future; default now), for the deadline in
         *   requestLog(); request_id: the registered access or portability request this answers (checked before
         *   anything is written: open, and about this customer when it names an account (a request registered by
         *   address is not compared); closed by the export, with its receipt date)
         * @return array{format: string, file_format: string, path: string, bytes: int, sha256: string,
         *   files: array<string, array{sha256: string, bytes: int}>, sections: int, rows: int,
         *   errors: array<string, string>, skipped: list<array{id: string, table: string, reason: string}>,
         *   request_id: ?int}
         * @throws InvalidInputException bad format or option, path outside open_basedir, missing directory, existing file
         * @throws DatabaseException
         * @throws Exception the file could not be written (disk full, permissions)
         */
        public function exportTo(int $customerId, string $path, string $format = 'zip', array $options = []): array {}

        /**
         * Erases the customer (Art. 17 GDPR), walking the same data map as the export (and finding rows the same
         * way: another customer's rows are never touched, whatever their address). First every address of the
         * customer (account, own orders, send log, newsletter list; not one that is now another account's current
         * address) goes on the suppression list for good (HMAC of
         * the normalised address, reason 'erased'; the customer id when no address is known), so maySend() answers
         * 'suppressed' for any account with such an address from then on, also for accounts made later (the erased
         * id itself answers 'unknown_customer' once shop_data removed its account). Own records always: send log, ratings,
         * archive, tags, consent state and opt-outs are removed; consent events keep their hash chain with ip,
         * user agent and actor blanked. With shop_data, the shop's tables by the data map: account data deleted,
         * reviews anonymised (a review text that names the person — last name, street name without house number,
         * an address, or the phone number's digits, 6 or more, case-insensitively — becomes '[removed]' and is counted
         * under anonymized; the other texts are retained with the review), MailBeez's tables (where they exist)
         * deleted, the customer's sessions deleted and Zen Cart admin-log rows about the customer cleared, orders
         * retained for tax law (dsgvo.erase_strategies can choose per table) until the
         * end of their legal period: 8 years from the end of the calendar year of the order's date_purchased
         * (§ 147 Abs. 1 Nr. 4, Abs. 3, 4 AO; dsgvo.retention_years overrides per table; a table the shop sets to
         * retain with dsgvo.erase_strategies is kept without an end); the order's products,
         * totals and history follow their order. Rows whose period has ended are deleted now (counted in removed);
         * for the rest each retained entry says until when (retained_until) and the customer stays a pending
         * erasure that purgeExpired(['erasures' => true]) finishes. Idempotent:
         * an interrupted erasure is completed by running it again. Shop administrators are refused.
         *
         * @param array{dry_run?: bool, shop_data?: bool, received_at?: string, request_id?: int} $options dry_run:
         *   count only, change nothing; received_at: when the request arrived ('YYYY-MM-DD' or RFC 3339; default
         *   now); request_id: the registered erasure request this answers (checked first; closed by the erasure,
         *   not by a dry run)
         * @return array{removed: array<string, int>, anonymized: array<string, int>,
         *   retained: list<array{table: string, count: int, reason: string, years: ?int, norm: ?string,
         *   retained_until: ?string}>, suppressed: int,
         *   skipped_other_owner: array<string, int>, dry_run: bool, request_id: ?int}
         *   table names as in the database; skipped_other_owner counts the rows per table that one of the customer's
         *   addresses finds but another customer owns, left untouched (no one is named)
         * @throws ConfigException no secret configured; shop_data without a shop preset
         * @throws InvalidInputException bad option, or the customer is a shop administrator
         * @throws DatabaseException nothing of an InnoDB table changed; run it again to complete it
         */
        public function erase(int $customerId, array $options = []): array {}

        /**
         * Recounts "customers also bought" from the shop's orders: for every product pair, the distinct customers
         * (account id, or normalised address for guests) who bought both. Publishes only pairs of at least
         * recommend_min_customers customers (k-anonymity: one or two buyers of a pair would tell who bought what).
         * Leaves out erased and suppressed customers and those who objected to type 'personalisation' (or to all
         * mail) without a newer consent. Streams the order lines; holds only the pair counts. The pairs are written
         * as a new generation and published in one step: readers see the old set or the new one, never a half-built
         * one, and never fail for it. Refreshes running at once (also on several cluster nodes) each succeed; the
         * newest generation stays published.
         *
         * @param array{since?: string, dry_run?: bool, timeout_ms?: int} $options since: shop-local date
         *   'YYYY-MM-DD[ HH:MM:SS]', only orders from then on; dry_run: count, publish nothing; timeout_ms: limit of
         *   the read, 1000 to 86400000, default 600000
         * @return array{orders_read: int, lines_read: int, customers: int, customers_left_out: int, pairs_kept: int,
         *   pairs_dropped: int, min_customers: int, seconds: float, dry_run: bool}
         * @throws ConfigException no shop preset (dsgvo.shop) configured
         * @throws InvalidInputException unknown or invalid option
         * @throws DatabaseException
         */
        public function refreshRecommendations(array $options = []): array {}

        /**
         * Products bought together with this product by at least k customers, most customers first. Empty until
         * refreshRecommendations() has run.
         *
         * @param int $limit 1 to 100
         * @return list<array{product_id: int, customers: int}>
         * @throws InvalidInputException product id not positive, limit out of range
         * @throws DatabaseException
         */
        public function alsoBought(int $productId, int $limit = 5): array {}

        /**
         * Products for the customer: the published pairs of the customer's own purchases combined (score: the
         * sum of their shared-customer counts), without what the customer already bought. Empty for a customer
         * who objected to 'personalisation' (or to all mail) or is suppressed.
         *
         * @param int $limit 1 to 100
         * @return list<array{product_id: int, score: int}>
         * @throws ConfigException no shop preset (dsgvo.shop) configured
         * @throws InvalidInputException customer id not positive, limit out of range
         * @throws DatabaseException
         */
        public function recommendFor(int $customerId, int $limit = 5): array {}

        /**
         * The data map of this store's shop preset: every table with personal data, how a customer's rows are
         * found (customer id column, address columns, through a parent table, or by reading the row's content:
         * find 'scan' names the content kind — php_session, zencart_admin_log, log_text), its secret columns and what
         * erasure does with it. Export and erasure walk exactly this list.
         *
         * @return list<array{id: string, table: string, label: array{de: string, en: string}, owner: string,
         *   find: array<string, mixed>, condition: ?string, secrets: list<string>, erase: array<string, mixed>}>
         */
        public function dataMap(): array {}

        /**
         * The request log, newest first: requests registered with registerRequest() and every export and erasure
         * done, so the shop can show it answered each request in time (Art. 12(3) GDPR). An answered entry holds
         * no personal data; an open request names its subject (customer id or address) until it is answered.
         *
         * @param array{kind?: string, open?: bool, since?: string, until?: string, limit?: int} $filter
         *   kind: 'export', or a request kind; open: only open requests, oldest first; since/until: RFC 3339 (of
         *   started_at: when the request was registered or the answer began); limit 1 to 10000, default 100
         * @return list<array{id: int, kind: string, outcome: string, received_at: string, deadline: string,
         *   started_at: string, finished_at: ?string, in_time: ?bool, overdue: bool, summary: array<string, mixed>,
         *   subject: int|string|null, identity_verified: ?bool, note: ?string, extended_at: ?string,
         *   extension_reason: ?string}>
         *   outcome: 'open' until answered, then 'ok', 'partial', 'answered' or 'refused'; 'failed' for an attempt
         *   that failed (the request stays open); deadline: the end of the day one month after received_at, two
         *   months later after an extension; in_time: answered by then (null while open or for a failed attempt);
         *   overdue: open and past the deadline
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function requestLog(array $filter = []): array {}

        /**
         * Registers a data-subject request when it arrives, so its deadline (one month, Art. 12(3) GDPR) runs from
         * then and an unanswered request shows as overdue in requestLog(['open' => true]). Answer it with
         * exportTo()/erase() and option request_id, or close it with closeRequest().
         *
         * @param 'access'|'portability'|'erasure'|'restriction'|'objection'|'rectification' $kind
         * @param int|string $subject a customer id, or an email address (someone without an account)
         * @param array{received_at?: string, identity_verified?: bool, note?: string, idempotency_key?: string} $options
         *   received_at: 'YYYY-MM-DD' or RFC 3339, not in the future (default now); identity_verified: the shop
         *   checked who asked (Art. 12(6)); note: one line, up to 255 characters, without personal data;
         *   idempotency_key: as in proof arrays: the same key again returns the first id and registers nothing
         * @return int the request's id in requestLog()
         * @throws InvalidInputException
         * @throws DatabaseException
         */
        public function registerRequest(string $kind, mixed $subject, array $options = []): int {}

        /**
         * Extends an open request once by two further months (Art. 12(3) GDPR: where necessary, taking into
         * account the complexity and number of requests; the person must be told within the first month, with
         * the reason). Only before the original deadline.
         *
         * @param string $reason what the person is told; one line, up to 255 characters
         * @return array the request as requestLog() lists it, with its new deadline
         * @throws InvalidInputException unknown or closed request, extended before, past the deadline, no reason
         * @throws DatabaseException
         */
        public function extendRequest(int $requestId, string $reason): array {}

        /**
         * Closes an open request that no export or erasure answers (an objection, a rectification, a restriction)
         * or that the shop refuses (Art. 12(5)).
         *
         * @param 'answered'|'refused' $outcome
         * @return array the request as requestLog() lists it
         * @throws InvalidInputException unknown or closed request, bad outcome
         * @throws DatabaseException
         */
        public function closeRequest(int $requestId, string $outcome = 'answered'): array {}
    }

    /**
     * The answer of Store::maySend(). Read-only; made only by the extension.
     */
    final class Decision
    {
        /** @var bool true if the mail may be sent @readonly */
        public $allowed;

        /**
         * @var string stable reason code. Allowed: consent, existing_customer, transactional. Denied: opted_out,
         *   opted_out_all, suppressed, no_consent, consent_revoked, consent_pending, consent_other_address,
         *   consent_unconfirmed, consent_stale, no_purchase, purchase_too_old, email_changed, notice_missing,
         *   no_similar_purchase, too_frequent, unknown_customer, restricted.
         *   restricted: processing is restricted (Art. 18 GDPR, restrict()); ranked right after unknown_customer.
         *   consent_other_address: the consent in force was given for another address than the account's
         *   current one (shop preset set); ranked where no_consent is
         * @readonly
         */
        public $reason;

        /** @var string|null the legal basis relied on (consent|existing_customer|transactional); null when denied @readonly */
        public $basis;

        /** @var int|null the consent event the decision rests on (grant in force, revocation, pending request) @readonly */
        public $eventId;

        /**
         * @var bool the mail may carry advertising (recommendations, offers): every allowed mail that is not
         *   transactional; a transactional mail only when its type's advertising_type is allowed for the customer now
         * @readonly
         */
        public $mayAdvertise;

        /**
         * @var bool the mail must carry objectionNotice(): allowed and (not transactional, or mayAdvertise); false
         *   when denied
         * @readonly
         */
        public $noticeRequired;

        /** Not constructible from PHP: throws. */
        public function __construct() {}
    }

    /** Base of every exception the extension throws. */
    class Exception extends \RuntimeException {}

    /** A setting or option is invalid or missing. Raised before any connection. */
    class ConfigException extends Exception {}

    /** The database could not be reached, timed out, or refused a statement. Code: the server's error number, if any. */
    class DatabaseException extends Exception {}

    /**
     * COMMIT was sent but its answer never came (a timeout, or the connection or the database node was
     * lost): the write may or may not have been recorded. Retry the call with the same `idempotency_key`,
     * which records it at most once and returns the first result. Conflicts with other writers (errors
     * 1213, 1020, 1205) are retried inside the call and never end here.
     */
    class OutcomeUnknownException extends DatabaseException {}

    /** An argument is invalid; nothing was written. */
    class InvalidInputException extends Exception {}

    /** A signed token is forged, altered, expired or already used; nothing was written. */
    class TokenException extends Exception {}
}

namespace {
    /**
     * Store::maySend($customerId, $type)->allowed, with a Store built from the php.ini settings.
     *
     * @throws \Dsgvo\Exception
     */
    function dsgvo_may_send(int $customerId, string $type): bool {}

    /**
     * Store::optOut($customerId, $type), with a Store built from the php.ini settings.
     *
     * @throws \Dsgvo\Exception
     */
    function dsgvo_opt_out(int $customerId, string $type = '*'): bool {}

    /**
     * Store::export($customerId), with a Store built from the php.ini settings.
     *
     * @throws \Dsgvo\Exception
     */
    function dsgvo_export(int $customerId): string {}
}
