<?php
/**
 * IDE and static-analysis stubs for the dsgvo extension. Not loaded at runtime.
 * tests/php/StubsTest.php checks this file against the loaded extension.
 */

namespace Dsgvo;

/**
 * A shop's connection to its consent, objection and data-subject records.
 *
 * Settings come from php.ini (dsgvo.*); options of the same name without the prefix override them:
 * dsn, table_prefix, shop, shop_table_prefix, secret, query_timeout_ms, connect_timeout_ms,
 * consent_token_ttl_days, truncate_ip.
 *
 * Proof arrays (all keys optional; unknown keys are refused):
 *   source       checkout|account|newsletter_form|admin|import|api|link
 *   text         the consent wording shown (stored once per SHA-256)
 *   text_version at most 64 characters
 *   ip           IPv4 or IPv6 address (shortened when truncate_ip is on)
 *   user_agent   at most 512 characters, one line
 *   actor        the admin user who acted, at most 128 characters
 *   occurred_at  RFC 3339 time, only with source=import, never in the future
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
     * Creates or upgrades the extension's own tables. Idempotent; concurrent callers all succeed.
     *
     * @return int the schema version
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
     * Records a consent given directly (checkbox at checkout, account page, import).
     *
     * @param array<string, string|null> $proof
     * @return int the event id
     * @throws InvalidInputException customer id not positive, purpose not [a-z0-9_.-]{1,64}, invalid proof
     * @throws DatabaseException
     */
    public function grantConsent(int $customerId, string $purpose, array $proof = []): int {}

    /**
     * Starts double opt-in: records a request and returns the token for the confirmation link.
     * Consent is in force only after confirmConsent(); a consent already in force stays in force.
     *
     * @param array<string, string|null> $proof
     * @return string URL-safe token, valid for consent_token_ttl_days
     * @throws ConfigException no secret configured
     * @throws InvalidInputException
     * @throws DatabaseException
     */
    public function requestConsent(int $customerId, string $purpose, array $proof = []): string {}

    /**
     * Confirms a double opt-in request by the token from its link.
     *
     * @param array<string, string|null> $proof proof of the confirmation (ip, user_agent of the click)
     * @return int the event id of the confirmation
     * @throws TokenException expired, forged, altered, truncated or already used; nothing was written
     * @throws ConfigException no secret configured
     * @throws InvalidInputException
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
     * Whether consent for the purpose is in force (granted, or confirmed after double opt-in).
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
     *   user_agent: ?string, actor: ?string, request_id: ?int, confirmed_at: ?string}>
     *   action: granted|revoked|requested|confirmed; times RFC 3339 UTC with microseconds;
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
}

/** Base of every exception the extension throws. */
class Exception extends \RuntimeException {}

/** A setting or option is invalid or missing. Raised before any connection. */
class ConfigException extends Exception {}

/** The database could not be reached, timed out, or refused a statement. Code: the server's error number, if any. */
class DatabaseException extends Exception {}

/** An argument is invalid; nothing was written. */
class InvalidInputException extends Exception {}

/** A signed token is forged, altered, expired or already used; nothing was written. */
class TokenException extends Exception {}
