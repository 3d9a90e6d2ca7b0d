<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

/**
 * The token format written down independently of the extension (see src/core/token.rs): base64url
 * without padding of version 1, kind, 4-byte key id, body, HMAC-SHA256 over all of it.
 */
final class Tokens
{
    public static function keyId(string $secret): string
    {
        return substr(hash('sha256', 'dsgvo.key-id.v1' . $secret, true), 0, 4);
    }

    public static function encode(string $bytes): string
    {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }

    public static function decode(string $token): string
    {
        return (string) base64_decode(strtr($token, '-_', '+/'), true);
    }

    /** A double opt-in confirmation token for request event $id, expiring at $expires (unix seconds). */
    public static function consentConfirmation(string $secret, int $id, int $expires): string
    {
        $payload = chr(1) . 'C' . self::keyId($secret) . pack('J', $id) . pack('J', $expires);
        return self::encode($payload . hash_hmac('sha256', $payload, $secret, true));
    }
}
