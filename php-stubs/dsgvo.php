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
 * dsn, table_prefix, shop, shop_table_prefix, secret, query_timeout_ms, connect_timeout_ms.
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
