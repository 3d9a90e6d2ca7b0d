//! The extension's own tables, as numbered migrations. `{p}` stands for the validated `table_prefix`.
//!
//! A released migration is never edited: a change of schema is a new entry at the end. Every statement
//! is idempotent (IF NOT EXISTS, INSERT IGNORE), because DDL commits on its own in MySQL: a migration
//! interrupted half-way is completed by the next `migrate()`. A new column is added with
//! `ALTER TABLE ... ADD COLUMN IF NOT EXISTS <name> ...`, at the end of the table (instant in InnoDB);
//! `migrate.rs` looks the column up first, so the statement also runs on MySQL, which lacks that clause.
//! An index is added likewise with `ALTER TABLE ... ADD KEY IF NOT EXISTS <name> (...)`.
//!
//! Conventions: InnoDB, utf8mb4; times are UTC `DATETIME(6)` written with UTC_TIMESTAMP(6); identifiers
//! (purposes, email types, tags) are ASCII and compared exactly; hashes are raw `BINARY(32)`.

pub struct Migration {
    pub version: u32,
    pub statements: &'static [&'static str],
}

const TABLE_OPTIONS: &str = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

/// The table that records which migrations ran; created before any migration is looked up.
pub const SCHEMA_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS `{p}schema_version` (
  version INT UNSIGNED NOT NULL PRIMARY KEY,
  applied_at DATETIME(6) NOT NULL,
  extension_version VARCHAR(32) NOT NULL
) {options}";

pub const MIGRATIONS: &[Migration] = &[V1, V2, V3, V4, V5, V6, V7];

const V1: Migration = Migration {
    version: 1,
    statements: &[
        // Consent texts, stored once per SHA-256 and referenced by the events.
        "CREATE TABLE IF NOT EXISTS `{p}consent_texts` (
  text_hash BINARY(32) NOT NULL PRIMARY KEY,
  text MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL
) {options}",
        // The append-only, hash-chained consent ledger (see core/ledger.rs). The chain hashes
        // `personal_digest` (a salted digest of ip, user agent and actor) instead of those fields, so
        // erasure can blank them and the salt and the chain still verifies. Ids are consecutive.
        "CREATE TABLE IF NOT EXISTS `{p}consent_events` (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT UNSIGNED NOT NULL,
  purpose VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  action VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_id BIGINT UNSIGNED NULL,
  source VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  text_hash BINARY(32) NULL,
  text_version VARCHAR(64) NULL,
  ip VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NULL,
  user_agent VARCHAR(512) NULL,
  actor VARCHAR(128) NULL,
  personal_salt BINARY(16) NULL,
  personal_digest BINARY(32) NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  recorded_at DATETIME(6) NOT NULL,
  blanked_at DATETIME(6) NULL,
  prev_hash BINARY(32) NOT NULL,
  hash BINARY(32) NOT NULL,
  KEY customer_purpose (customer_id, purpose, id),
  KEY customer (customer_id, id),
  KEY request (request_id)
) {options}",
        // One row: the end of the chain. Appends lock it (SELECT ... FOR UPDATE), which keeps the chain
        // one line when several PHP workers append at once.
        "CREATE TABLE IF NOT EXISTS `{p}consent_chain_head` (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  last_event_id BIGINT UNSIGNED NOT NULL,
  last_hash BINARY(32) NOT NULL
) {options}",
        "INSERT IGNORE INTO `{p}consent_chain_head` (id, last_event_id, last_hash) VALUES (1, 0, REPEAT(CHAR(0), 32))",
        // Current consent per customer and purpose: what `hasConsent` and `maySend` read, one lookup.
        // status: granted | revoked | pending; event_id: the last event for the purpose;
        // grant_event_id / granted_at: the latest grant or confirmation.
        "CREATE TABLE IF NOT EXISTS `{p}consent_state` (
  customer_id BIGINT UNSIGNED NOT NULL,
  purpose VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  event_id BIGINT UNSIGNED NOT NULL,
  grant_event_id BIGINT UNSIGNED NULL,
  granted_at DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (customer_id, purpose)
) {options}",
        // Objections per customer and email type ('*' = all marketing mail), with their proof. Rows are
        // only added: the latest per customer and type is the one in force.
        "CREATE TABLE IF NOT EXISTS `{p}opt_outs` (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT UNSIGNED NOT NULL,
  type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  source VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ip VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NULL,
  user_agent VARCHAR(512) NULL,
  actor VARCHAR(128) NULL,
  created_at DATETIME(6) NOT NULL,
  KEY customer_type (customer_id, type, created_at)
) {options}",
        // Addresses (HMAC-SHA256(key, normalised address) with the key's id) or customers never to mail
        // again, or not for one type: reason `opt_out` (an objection by address, which a newer consent
        // lifts), `erased` and others (never lifted). Kept after erasure.
        "CREATE TABLE IF NOT EXISTS `{p}suppressions` (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email_hmac BINARY(32) NULL,
  key_id BINARY(4) NULL,
  customer_id BIGINT UNSIGNED NULL,
  type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '*',
  reason VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  source VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ip VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NULL,
  user_agent VARCHAR(512) NULL,
  actor VARCHAR(128) NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY address (email_hmac, key_id, type),
  KEY customer (customer_id)
) {options}",
        // Change counters: `catalog` moves with every change of the email types or the suppression
        // list, so a process reloads its in-memory copy of both only after a change (store/cache.rs).
        "CREATE TABLE IF NOT EXISTS `{p}counters` (
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  value BIGINT UNSIGNED NOT NULL
) {options}",
        "INSERT IGNORE INTO `{p}counters` (name, value) VALUES ('catalog', 0)",
        // Email types and the legal basis each is sent on; an undefined type needs explicit consent.
        "CREATE TABLE IF NOT EXISTS `{p}email_types` (
  type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  basis VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  max_age_days INT UNSIGNED NULL,
  notice_since DATETIME NULL,
  min_interval_days INT UNSIGNED NULL,
  updated_at DATETIME(6) NOT NULL
) {options}",
        "CREATE TABLE IF NOT EXISTS `{p}send_log` (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT UNSIGNED NOT NULL,
  type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  email VARCHAR(254) NULL,
  subject VARCHAR(998) NULL,
  message_id VARCHAR(255) NULL,
  order_id BIGINT UNSIGNED NULL,
  sent_at DATETIME(6) NOT NULL,
  KEY customer_type_sent (customer_id, type, sent_at),
  KEY customer (customer_id, id),
  KEY sent (sent_at)
) {options}",
        "CREATE TABLE IF NOT EXISTS `{p}email_ratings` (
  send_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  customer_id BIGINT UNSIGNED NOT NULL,
  rating TINYINT UNSIGNED NOT NULL,
  comment TEXT NULL,
  history MEDIUMTEXT NULL,
  rated_at DATETIME(6) NOT NULL,
  KEY customer (customer_id, send_id)
) {options}",
        // Copies of sent mails. The compressed body is split into chunks of at most 1 MiB
        // (`email_archive_chunks`), so a 16 MiB body never meets the server's max_allowed_packet.
        "CREATE TABLE IF NOT EXISTS `{p}email_archive` (
  send_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  customer_id BIGINT UNSIGNED NOT NULL,
  subject VARCHAR(998) NOT NULL,
  body_length INT UNSIGNED NOT NULL,
  compression VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  chunks INT UNSIGNED NOT NULL,
  archived_at DATETIME(6) NOT NULL,
  KEY customer (customer_id, send_id),
  KEY archived (archived_at)
) {options}",
        "CREATE TABLE IF NOT EXISTS `{p}email_archive_chunks` (
  send_id BIGINT UNSIGNED NOT NULL,
  seq INT UNSIGNED NOT NULL,
  data MEDIUMBLOB NOT NULL,
  PRIMARY KEY (send_id, seq)
) {options}",
        "CREATE TABLE IF NOT EXISTS `{p}tags` (
  customer_id BIGINT UNSIGNED NOT NULL,
  tag VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  rule VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  set_at DATETIME(6) NOT NULL,
  PRIMARY KEY (customer_id, tag)
) {options}",
        // Product pairs bought by at least `recommend_min_customers` distinct customers, both directions
        // (refreshRecommendations builds a new table and swaps it in).
        "CREATE TABLE IF NOT EXISTS `{p}recommendations` (
  product_id BIGINT UNSIGNED NOT NULL,
  other_id BIGINT UNSIGNED NOT NULL,
  customers INT UNSIGNED NOT NULL,
  PRIMARY KEY (product_id, other_id),
  KEY ranked (product_id, customers)
) {options}",
        // Exports and erasures done, without personal data: proof that requests were answered in time.
        "CREATE TABLE IF NOT EXISTS `{p}request_log` (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  outcome VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  received_at DATETIME(6) NOT NULL,
  started_at DATETIME(6) NOT NULL,
  finished_at DATETIME(6) NULL,
  summary TEXT NULL,
  KEY started (started_at)
) {options}",
    ],
};

const V2: Migration = Migration {
    version: 2,
    statements: &[
        // Consent is bound to the address it was given for: the normalised address of each event (the
        // account's current address when written, or proof key `email`; a confirmation carries its
        // request's). Personal data: the chain covers it through `personal_digest`, erasure and
        // retention blank it. NULL for the events written before this version.
        "ALTER TABLE `{p}consent_events` ADD COLUMN IF NOT EXISTS email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL",
        // The address of the grant or confirmation in force (NULL: none recorded, e.g. granted before
        // this version; such a consent keeps counting whatever the account's address).
        "ALTER TABLE `{p}consent_state` ADD COLUMN IF NOT EXISTS email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL",
    ],
};

const V3: Migration = Migration {
    version: 3,
    statements: &[
        // The type options added after the first columns (§ 7(3) order statuses and similar goods,
        // consent quality, the advertising type of a transactional mail), as one JSON object; NULL: none.
        "ALTER TABLE `{p}email_types` ADD COLUMN IF NOT EXISTS options TEXT NULL",
    ],
};

const V4: Migration = Migration {
    version: 4,
    statements: &[
        // Registered requests (registerRequest): whom one is about while it is open — the answer
        // clears both, so an answered request keeps no personal data, as the log always did.
        "ALTER TABLE `{p}request_log` ADD COLUMN IF NOT EXISTS subject_customer_id BIGINT UNSIGNED NULL",
        "ALTER TABLE `{p}request_log` ADD COLUMN IF NOT EXISTS subject_email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL",
        // Whether the shop checked who asked (Art. 12(6)), and a note without personal data.
        "ALTER TABLE `{p}request_log` ADD COLUMN IF NOT EXISTS identity_verified TINYINT(1) NULL",
        "ALTER TABLE `{p}request_log` ADD COLUMN IF NOT EXISTS note VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL",
        // The one extension by two months (Art. 12(3)): when, and the reason told to the person.
        "ALTER TABLE `{p}request_log` ADD COLUMN IF NOT EXISTS extended_at DATETIME(6) NULL",
        "ALTER TABLE `{p}request_log` ADD COLUMN IF NOT EXISTS extension_reason VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL",
    ],
};

const V5: Migration = Migration {
    version: 5,
    statements: &[
        // Idempotency keys (store/idempotency.rs): the key a write was given, the call and its result
        // (an id, or 0/1 for the calls that answer a bool), written in the write's own transaction.
        "CREATE TABLE IF NOT EXISTS `{p}idempotency_keys` (
  idem_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  call_name VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  result BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL,
  KEY created (created_at)
) {options}",
        // Recommendations by generation: a refresh writes its pairs under a new generation number and
        // publishes it by moving `counters.recommend.published`; readers take the published one in the
        // same statement. No DDL at run time (a RENAME swap is node-local trouble on a cluster), and a
        // reader never meets a missing table. Older generations are deleted after publishing.
        "CREATE TABLE IF NOT EXISTS `{p}recommendation_pairs` (
  generation BIGINT UNSIGNED NOT NULL,
  product_id BIGINT UNSIGNED NOT NULL,
  other_id BIGINT UNSIGNED NOT NULL,
  customers INT UNSIGNED NOT NULL,
  PRIMARY KEY (generation, product_id, other_id),
  KEY ranked (generation, product_id, customers)
) {options}",
        "INSERT IGNORE INTO `{p}counters` (name, value) VALUES ('recommend.published', 0), ('recommend.next', 0)",
        // The pairs published before this version become generation 0, the published one.
        "INSERT IGNORE INTO `{p}recommendation_pairs` (generation, product_id, other_id, customers)
 SELECT 0, product_id, other_id, customers FROM `{p}recommendations`",
    ],
};

const V6: Migration = Migration {
    version: 6,
    statements: &[
        // Erased customers whose retained rows (orders: § 147 AO) wait for the end of their legal
        // period: purgeExpired(['erasures' => true]) finishes them. The addresses find the guest
        // orders again once the account's own rows are gone; the row goes when nothing waits.
        "CREATE TABLE IF NOT EXISTS `{p}pending_erasures` (
  customer_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  emails TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  erased_at DATETIME(6) NOT NULL,
  retained_until DATE NULL,
  KEY due (retained_until)
) {options}",
    ],
};

const V7: Migration = Migration {
    version: 7,
    statements: &[
        // Restriction of processing (Art. 18 GDPR): every restrict/unrestrict with its proof, only added.
        // The newest row per customer says whether the customer is restricted now.
        "CREATE TABLE IF NOT EXISTS `{p}restrictions` (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT UNSIGNED NOT NULL,
  action VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  source VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ip VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NULL,
  user_agent VARCHAR(512) NULL,
  actor VARCHAR(128) NULL,
  created_at DATETIME(6) NOT NULL,
  KEY customer (customer_id, id)
) {options}",
        // Tag rules (defineTagRule): the tag each sets, its conditions as a JSON object, and the counts of
        // its last run (NULL before the first).
        "CREATE TABLE IF NOT EXISTS `{p}tag_rules` (
  rule VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  tag VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  conditions TEXT NOT NULL,
  defined_at DATETIME(6) NOT NULL,
  last_run_at DATETIME(6) NULL,
  last_added BIGINT UNSIGNED NULL,
  last_removed BIGINT UNSIGNED NULL,
  last_matching BIGINT UNSIGNED NULL
) {options}",
        // Who set a tag: 'hand' (tag(), and every tag from before this version) or 'rule' (applyTagRules;
        // `rule` then names the tag rule). A rule run removes only its own 'rule' tags.
        "ALTER TABLE `{p}tags` ADD COLUMN IF NOT EXISTS set_by VARCHAR(8) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'hand'",
        // A rule run finds its own tags by rule, and the holders of a tag name by tag, without reading
        // every customer's tags.
        "ALTER TABLE `{p}tags` ADD KEY IF NOT EXISTS by_rule (rule, tag)",
        "ALTER TABLE `{p}tags` ADD KEY IF NOT EXISTS by_tag (tag)",
    ],
};

/// The newest schema version this build knows.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// A statement with the table prefix and table options filled in. The prefix must be a validated
/// identifier (`Config` guarantees `[A-Za-z0-9_]{1,32}`).
pub fn render(statement: &str, prefix: &str) -> String {
    statement
        .replace("{p}", prefix)
        .replace("{options}", TABLE_OPTIONS)
}

/// A statement that adds a column: (table with `{p}`, column). `migrate.rs` runs it only when the
/// column is missing, without `IF NOT EXISTS` (MySQL does not know the clause; MariaDB does).
pub fn added_column(statement: &str) -> Option<(&str, &str)> {
    let rest = statement.strip_prefix("ALTER TABLE `")?;
    let (table, rest) = rest.split_once('`')?;
    let rest = rest.strip_prefix(" ADD COLUMN IF NOT EXISTS ")?;
    let (column, _) = rest.split_once(' ')?;
    Some((table, column))
}

/// A statement that adds an index: (table with `{p}`, key name). `migrate.rs` runs it only when the
/// key is missing, without `IF NOT EXISTS` (MySQL does not know the clause; MariaDB does).
pub fn added_key(statement: &str) -> Option<(&str, &str)> {
    let rest = statement.strip_prefix("ALTER TABLE `")?;
    let (table, rest) = rest.split_once('`')?;
    let rest = rest.strip_prefix(" ADD KEY IF NOT EXISTS ")?;
    let (key, _) = rest.split_once(' ')?;
    Some((table, key))
}

/// The own tables, as created by all migrations (for tests, the demo and erasure checks).
pub fn own_tables() -> Vec<&'static str> {
    let mut names = vec!["schema_version"];
    for migration in MIGRATIONS {
        for statement in migration.statements {
            if let Some(rest) = statement.strip_prefix("CREATE TABLE IF NOT EXISTS `{p}") {
                if let Some(end) = rest.find('`') {
                    names.push(&rest[..end]);
                }
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_ascend_without_gaps() {
        for (i, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version as usize, i + 1);
        }
        assert_eq!(latest_version() as usize, MIGRATIONS.len());
    }

    #[test]
    fn every_statement_is_idempotent_and_prefixed() {
        for migration in MIGRATIONS {
            for statement in migration.statements {
                assert!(
                    statement.starts_with("CREATE TABLE IF NOT EXISTS `{p}")
                        || statement.starts_with("INSERT IGNORE INTO `{p}")
                        || added_column(statement).is_some_and(|(t, _)| t.starts_with("{p}"))
                        || added_key(statement).is_some_and(|(t, _)| t.starts_with("{p}")),
                    "{statement}"
                );
                if statement.starts_with("CREATE") {
                    assert!(statement.ends_with("{options}"), "{statement}");
                }
            }
        }
    }

    #[test]
    fn added_keys_are_recognised() {
        assert_eq!(
            added_key("ALTER TABLE `{p}tags` ADD KEY IF NOT EXISTS by_tag (tag)"),
            Some(("{p}tags", "by_tag"))
        );
        assert_eq!(
            added_key("ALTER TABLE `{p}tags` ADD KEY by_tag (tag)"),
            None
        );
    }

    #[test]
    fn added_columns_are_recognised() {
        assert_eq!(
            added_column(
                "ALTER TABLE `{p}consent_state` ADD COLUMN IF NOT EXISTS email VARCHAR(254) NULL"
            ),
            Some(("{p}consent_state", "email"))
        );
        assert_eq!(
            added_column("ALTER TABLE `{p}x` ADD COLUMN email VARCHAR(254) NULL"),
            None
        );
        assert_eq!(
            added_column("CREATE TABLE IF NOT EXISTS `{p}x` (a INT)"),
            None
        );
    }

    #[test]
    fn lists_the_tables_the_foundation_promises() {
        let tables = own_tables();
        for expected in [
            "schema_version",
            "consent_events",
            "consent_state",
            "opt_outs",
            "suppressions",
            "send_log",
            "email_ratings",
            "email_archive",
            "tags",
            "request_log",
        ] {
            assert!(tables.contains(&expected), "{expected} missing");
        }
    }
}
