<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use Dsgvo\TokenException;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/** The consent ledger: grant, revoke, double opt-in, history with proof, validation, tokens. */
final class ConsentTest extends TestCase
{
    private const SECRET = '83bb7fac53c12acc6524b3ac2e333cf9bceff83830d11d8ba02fd6410a8bc4e2';

    /** @var TestDatabase */
    private $db;
    /** @var Store */
    private $store;

    protected function setUp(): void
    {
        $this->db = TestDatabase::create('consent');
        $this->store = new Store(['dsn' => $this->db->dsn, 'secret' => self::SECRET]);
        $this->store->migrate();
    }

    protected function tearDown(): void
    {
        $this->db->drop();
    }

    private function rowCount(string $table): int
    {
        return (int) $this->db->pdo->query("SELECT COUNT(*) FROM dsgvo_$table")->fetchColumn();
    }

    /** @return array{int, int, int} events, texts, states */
    private function rows(): array
    {
        return [$this->rowCount('consent_events'), $this->rowCount('consent_texts'), $this->rowCount('consent_state')];
    }

    public function testGrantAndRevoke(): void
    {
        $this->assertFalse($this->store->hasConsent(7, 'newsletter'));
        $granted = $this->store->grantConsent(7, 'newsletter', ['source' => 'checkout']);
        $this->assertSame(1, $granted);
        $this->assertTrue($this->store->hasConsent(7, 'newsletter'));
        $this->assertFalse($this->store->hasConsent(7, 'review.request'), 'per purpose');
        $this->assertFalse($this->store->hasConsent(8, 'newsletter'), 'per customer');

        $revoked = $this->store->revokeConsent(7, 'newsletter', ['source' => 'account']);
        $this->assertSame(2, $revoked);
        $this->assertFalse($this->store->hasConsent(7, 'newsletter'));
        $this->assertSame(3, $this->store->grantConsent(7, 'newsletter'), 'granting again after a revocation');
        $this->assertTrue($this->store->hasConsent(7, 'newsletter'));
    }

    public function testEveryCallAppendsAndNothingIsUpdatedInPlace(): void
    {
        $this->store->grantConsent(1, 'newsletter');
        $first = $this->db->pdo->query('SELECT * FROM dsgvo_consent_events WHERE id = 1')->fetch(PDO::FETCH_ASSOC);
        $this->store->grantConsent(1, 'newsletter');
        $this->store->revokeConsent(1, 'newsletter');
        $this->assertSame(3, $this->rowCount('consent_events'));
        $this->assertSame($first, $this->db->pdo->query('SELECT * FROM dsgvo_consent_events WHERE id = 1')->fetch(PDO::FETCH_ASSOC));
        $this->assertSame(1, $this->rowCount('consent_state'));
    }

    public function testHistoryKeepsAllProofOldestFirst(): void
    {
        $text = "Ja, ich möchte den Newsletter erhalten. <b>Abmeldung jederzeit</b>.";
        $this->store->grantConsent(5, 'newsletter', [
            'source' => 'checkout', 'text' => $text, 'text_version' => 'v3', 'ip' => '192.0.2.10',
            'user_agent' => 'Mozilla/5.0 (X11)', 'actor' => null,
        ]);
        $this->store->revokeConsent(5, 'newsletter', ['source' => 'admin', 'actor' => 'admin:jane']);
        $this->store->grantConsent(6, 'newsletter');

        $history = $this->store->consentHistory(5);
        $this->assertCount(2, $history);
        [$grant, $revoke] = $history;
        $this->assertSame([
            'id', 'purpose', 'action', 'occurred_at', 'recorded_at', 'source', 'text', 'text_sha256',
            'text_version', 'ip', 'user_agent', 'actor', 'email', 'request_id', 'confirmed_at',
        ], array_keys($grant));
        $this->assertSame('granted', $grant['action']);
        $this->assertSame('newsletter', $grant['purpose']);
        $this->assertSame('checkout', $grant['source']);
        $this->assertSame($text, $grant['text']);
        $this->assertSame(hash('sha256', $text), $grant['text_sha256']);
        $this->assertSame('v3', $grant['text_version']);
        $this->assertSame('192.0.2.10', $grant['ip']);
        $this->assertSame('Mozilla/5.0 (X11)', $grant['user_agent']);
        $this->assertNull($grant['actor']);
        $this->assertNull($grant['email'], 'no shop preset and no proof email: no address known');
        $this->assertNull($grant['confirmed_at']);
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/', $grant['occurred_at']);
        $this->assertSame($grant['occurred_at'], $grant['recorded_at']);
        $this->assertSame('revoked', $revoke['action']);
        $this->assertSame('admin:jane', $revoke['actor']);
        $this->assertGreaterThan($grant['id'], $revoke['id']);
        $this->assertSame([], $this->store->consentHistory(99));
    }

    public function testTextsAreStoredOncePerHash(): void
    {
        $this->store->grantConsent(1, 'newsletter', ['text' => 'Same wording']);
        $this->store->grantConsent(2, 'newsletter', ['text' => 'Same wording']);
        $this->store->grantConsent(3, 'newsletter', ['text' => 'Other wording']);
        $this->assertSame(2, $this->rowCount('consent_texts'));
        $this->assertSame('Same wording', $this->store->consentHistory(2)[0]['text']);
    }

    public function testImportsKeepTheirOriginalTime(): void
    {
        $this->store->grantConsent(3, 'newsletter', ['source' => 'import', 'occurred_at' => '2019-05-01T12:00:00+02:00']);
        $event = $this->store->consentHistory(3)[0];
        $this->assertSame('2019-05-01T10:00:00.000000Z', $event['occurred_at']);
        $this->assertNotSame($event['occurred_at'], $event['recorded_at']);
    }

    public function testIpTruncationSetting(): void
    {
        $store = new Store(['dsn' => $this->db->dsn, 'truncate_ip' => true]);
        $store->grantConsent(1, 'newsletter', ['ip' => '198.51.100.77']);
        $store->grantConsent(2, 'newsletter', ['ip' => '2001:db8:abcd:12::1']);
        $this->assertSame('198.51.100.0', $store->consentHistory(1)[0]['ip']);
        $this->assertSame('2001:db8:abcd::', $store->consentHistory(2)[0]['ip']);
        $this->store->grantConsent(3, 'newsletter', ['ip' => '::ffff:198.51.100.77']);
        $this->assertSame('::ffff:198.51.100.77', $this->store->consentHistory(3)[0]['ip'], 'stored as given');
    }

    /** @return array<string, array{0: int, 1: string, 2: array<string, mixed>, 3: string}> */
    public static function invalidCalls(): array
    {
        return [
            'customer id zero' => [0, 'newsletter', [], 'customer id'],
            'customer id negative' => [-4, 'newsletter', [], 'customer id'],
            'purpose empty' => [1, '', [], 'purpose'],
            'purpose uppercase' => [1, 'Newsletter', [], 'purpose'],
            'purpose with space' => [1, 'news letter', [], 'purpose'],
            'purpose too long' => [1, str_repeat('p', 65), [], 'purpose'],
            'purpose sql' => [1, "x'; DROP TABLE y; --", [], 'purpose'],
            'unknown proof key' => [1, 'newsletter', ['ip_address' => '1.2.3.4'], "unknown proof key 'ip_address'"],
            'list as proof' => [1, 'newsletter', ['checkout'], "unknown proof key '0'"],
            'source unknown' => [1, 'newsletter', ['source' => 'email'], "'source'"],
            'ip invalid' => [1, 'newsletter', ['ip' => '999.1.1.1'], "'ip'"],
            'ip hostname' => [1, 'newsletter', ['ip' => 'localhost'], "'ip'"],
            'ip not a string' => [1, 'newsletter', ['ip' => 3232235777], "'ip' must be a string"],
            'text_version too long' => [1, 'newsletter', ['text_version' => str_repeat('v', 65)], "'text_version'"],
            'user_agent too long' => [1, 'newsletter', ['user_agent' => str_repeat('u', 513)], "'user_agent'"],
            'user_agent with newline' => [1, 'newsletter', ['user_agent' => "a\r\nX-Injected: 1"], "'user_agent'"],
            'actor empty' => [1, 'newsletter', ['actor' => ''], "'actor'"],
            'text empty' => [1, 'newsletter', ['text' => ''], "'text'"],
            'text array' => [1, 'newsletter', ['text' => ['a']], "'text' must be a string"],
            'occurred_at without import' => [1, 'newsletter', ['occurred_at' => '2019-05-01T10:00:00Z'], "'occurred_at'"],
            'occurred_at in the future' => [1, 'newsletter', ['source' => 'import', 'occurred_at' => '2999-01-01T00:00:00Z'], 'future'],
            'occurred_at not rfc 3339' => [1, 'newsletter', ['source' => 'import', 'occurred_at' => '01.05.2019'], 'RFC 3339'],
        ];
    }

    /**
     * @dataProvider invalidCalls
     * @param array<string, mixed> $proof
     */
    #[DataProvider('invalidCalls')]
    public function testInvalidInputRaisesAndWritesNothing(int $customerId, string $purpose, array $proof, string $message): void
    {
        $this->store->grantConsent(100, 'newsletter', ['text' => 'existing']);
        $before = $this->rows();
        foreach (['grantConsent', 'revokeConsent', 'requestConsent'] as $method) {
            try {
                $this->store->$method($customerId, $purpose, $proof);
                $this->fail("$method: expected Dsgvo\\InvalidInputException");
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($message, $e->getMessage(), $method);
            }
        }
        $this->assertSame($before, $this->rows());
        $this->assertTrue($this->store->verifyLedger()['ok']);
    }

    public function testReadsValidateToo(): void
    {
        $this->expectException(InvalidInputException::class);
        $this->store->hasConsent(1, 'NEWSLETTER');
    }

    public function testHistoryRefusesNonPositiveIds(): void
    {
        $this->expectException(InvalidInputException::class);
        $this->store->consentHistory(0);
    }

    public function testDoubleOptIn(): void
    {
        $token = $this->store->requestConsent(9, 'newsletter', ['source' => 'newsletter_form', 'ip' => '203.0.113.5', 'text' => 'Bitte bestätigen Sie.']);
        $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]+$/', $token, 'URL-safe');
        $this->assertFalse($this->store->hasConsent(9, 'newsletter'), 'not in force before confirmation');

        $confirmed = $this->store->confirmConsent($token, ['ip' => '203.0.113.6', 'user_agent' => 'Mail client']);
        $this->assertTrue($this->store->hasConsent(9, 'newsletter'));

        [$request, $confirmation] = $this->store->consentHistory(9);
        $this->assertSame('requested', $request['action']);
        $this->assertSame('confirmed', $confirmation['action']);
        $this->assertSame($confirmed, $confirmation['id']);
        $this->assertSame($request['id'], $confirmation['request_id']);
        $this->assertSame($confirmation['occurred_at'], $request['confirmed_at']);
        $this->assertSame($confirmation['occurred_at'], $confirmation['confirmed_at']);
        $this->assertSame('203.0.113.6', $confirmation['ip']);

        // The token carries the request's event id and is signed with the secret.
        $bytes = Tokens::decode($token);
        $this->assertSame(6 + 16 + 32, strlen($bytes));
        $this->assertSame(Tokens::keyId(self::SECRET), substr($bytes, 2, 4));
        $this->assertSame($request['id'], unpack('J', substr($bytes, 6, 8))[1]);
        $expires = unpack('J', substr($bytes, 14, 8))[1];
        $this->assertEqualsWithDelta(time() + 7 * 86400, $expires, 5, 'consent_token_ttl_days default 7');
    }

    public function testANewRequestDoesNotSuspendConsentInForce(): void
    {
        $this->store->grantConsent(4, 'newsletter');
        $token = $this->store->requestConsent(4, 'newsletter');
        $this->assertTrue($this->store->hasConsent(4, 'newsletter'));
        $this->store->confirmConsent($token);
        $this->assertTrue($this->store->hasConsent(4, 'newsletter'));
        // A request after a revocation leaves it pending until confirmed.
        $this->store->revokeConsent(4, 'newsletter');
        $this->store->requestConsent(4, 'newsletter');
        $this->assertFalse($this->store->hasConsent(4, 'newsletter'));
    }

    /** @return array<string, array{0: callable(string, int): string, 1: string}> */
    public static function badTokens(): array
    {
        return [
            'forged' => [function (string $valid, int $id): string {
                return Tokens::encode(random_bytes(54));
            }, 'invalid token'],
            'altered' => [function (string $valid, int $id): string {
                $bytes = Tokens::decode($valid);
                $bytes[13] = chr(ord($bytes[13]) ^ 1); // the request id
                return Tokens::encode($bytes);
            }, 'signature does not match'],
            'altered mac' => [function (string $valid, int $id): string {
                $bytes = Tokens::decode($valid);
                $bytes[53] = chr(ord($bytes[53]) ^ 0x80);
                return Tokens::encode($bytes);
            }, 'signature does not match'],
            'truncated' => [function (string $valid, int $id): string {
                return substr($valid, 0, -4);
            }, 'incomplete'],
            'empty' => [function (string $valid, int $id): string {
                return '';
            }, 'invalid token'],
            'garbage' => [function (string $valid, int $id): string {
                return "<script>alert(1)</script>\0";
            }, 'invalid token'],
            'other secret' => [function (string $valid, int $id): string {
                return Tokens::consentConfirmation('another-secret-of-at-least-32-bytes!!', $id, time() + 3600);
            }, 'key this shop does not have'],
            'expired' => [function (string $valid, int $id): string {
                return Tokens::consentConfirmation(self::SECRET, $id, time() - 1);
            }, 'expired'],
            'unknown request' => [function (string $valid, int $id): string {
                return Tokens::consentConfirmation(self::SECRET, 999999, time() + 3600);
            }, 'does not exist'],
            'not a request' => [function (string $valid, int $id): string {
                return Tokens::consentConfirmation(self::SECRET, 1, time() + 3600); // event 1 is a grant
            }, 'does not confirm a consent request'],
        ];
    }

    /**
     * @dataProvider badTokens
     * @param callable(string, int): string $make
     */
    #[DataProvider('badTokens')]
    public function testBadTokensRaiseTokenExceptionAndWriteNothing(callable $make, string $message): void
    {
        $this->store->grantConsent(1, 'newsletter');
        $valid = $this->store->requestConsent(2, 'newsletter');
        $requestId = $this->store->consentHistory(2)[0]['id'];
        $before = $this->rows();
        try {
            $this->store->confirmConsent($make($valid, $requestId), ['ip' => '192.0.2.1']);
            $this->fail('expected Dsgvo\TokenException');
        } catch (TokenException $e) {
            $this->assertStringContainsString($message, $e->getMessage());
        }
        $this->assertSame($before, $this->rows());
        $this->assertFalse($this->store->hasConsent(2, 'newsletter'));
        // The genuine token still works afterwards.
        $this->store->confirmConsent($valid);
        $this->assertTrue($this->store->hasConsent(2, 'newsletter'));
    }

    public function testAUsedTokenIsRefusedAndWritesNothing(): void
    {
        $token = $this->store->requestConsent(2, 'newsletter');
        $this->store->confirmConsent($token);
        $before = $this->rows();
        try {
            $this->store->confirmConsent($token);
            $this->fail('expected Dsgvo\TokenException');
        } catch (TokenException $e) {
            $this->assertStringContainsString('already used', $e->getMessage());
        }
        $this->assertSame($before, $this->rows());
    }

    public function testATokenOfAnotherStoreSecretIsRefused(): void
    {
        $token = $this->store->requestConsent(2, 'newsletter');
        $other = new Store(['dsn' => $this->db->dsn, 'secret' => 'f785dadf699f56ce1d8380f0144f5850fbf07836347d6829ae2c7c931b61fefc']);
        $this->expectException(TokenException::class);
        $other->confirmConsent($token);
    }

    public function testInvalidProofOnConfirmationWritesNothing(): void
    {
        $token = $this->store->requestConsent(2, 'newsletter');
        $before = $this->rows();
        try {
            $this->store->confirmConsent($token, ['ip' => 'not-an-ip']);
            $this->fail('expected Dsgvo\InvalidInputException');
        } catch (InvalidInputException $e) {
            $this->assertStringContainsString("'ip'", $e->getMessage());
        }
        $this->assertSame($before, $this->rows());
        $this->store->confirmConsent($token);
        $this->assertTrue($this->store->hasConsent(2, 'newsletter'));
    }

    public function testDoubleOptInNeedsASecretAndWritesNothingWithout(): void
    {
        $store = new Store(['dsn' => $this->db->dsn]);
        $before = $this->rows();
        try {
            $store->requestConsent(1, 'newsletter');
            $this->fail('expected Dsgvo\ConfigException');
        } catch (ConfigException $e) {
            $this->assertStringContainsString('dsgvo.secret', $e->getMessage());
        }
        $this->expectException(ConfigException::class);
        try {
            $store->confirmConsent('anything');
        } finally {
            $this->assertSame($before, $this->rows());
        }
    }

    public function testTokenTtlSetting(): void
    {
        $store = new Store(['dsn' => $this->db->dsn, 'secret' => self::SECRET, 'consent_token_ttl_days' => 2]);
        $expires = unpack('J', substr(Tokens::decode($store->requestConsent(1, 'newsletter')), 14, 8))[1];
        $this->assertEqualsWithDelta(time() + 2 * 86400, $expires, 5);
    }
}
