<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use Dsgvo\TokenException;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/** Signed one-click unsubscribe: tokens, RFC 8058 headers, and examples/unsubscribe.php over HTTP. */
final class UnsubscribeTest extends TestCase
{
    private const SECRET = '09b5c0f3c79ce3c0dd45f221f193bdc945a02f19d5d9569774d5dd078b6ef9b7';

    /** @var Shop */
    private $shop;
    /** @var Store */
    private $store;

    protected function setUp(): void
    {
        $this->shop = Shop::create('minimal', 'oscommerce', '');
        $this->store = $this->shop->store(['secret' => self::SECRET]);
        $this->store->migrate();
    }

    protected function tearDown(): void
    {
        $this->shop->drop();
    }

    private function optOuts(): int
    {
        return (int) $this->shop->db->pdo->query('SELECT COUNT(*) FROM dsgvo_opt_outs')->fetchColumn();
    }

    public function testTokenRoundTripIsIdempotentAndKeepsProof(): void
    {
        $id = $this->shop->addCustomer('kim@example.org');
        $token = $this->store->unsubscribeToken($id, 'review');
        $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]+$/', $token);
        $this->assertStringNotContainsString('kim', Tokens::decode($token), 'never the address');
        $info = $this->store->readUnsubscribeToken($token);
        $this->assertSame($id, $info['customer_id']);
        $this->assertSame('review', $info['type']);
        $this->assertSame(0, $this->optOuts(), 'reading writes nothing');

        $this->assertSame(['customer_id' => $id, 'type' => 'review', 'new' => true], $this->store->unsubscribe($token, ['ip' => '192.0.2.44']));
        $this->assertSame(['customer_id' => $id, 'type' => 'review', 'new' => false], $this->store->unsubscribe($token));
        $this->assertSame(1, $this->optOuts());
        $row = $this->shop->db->pdo->query('SELECT source, ip FROM dsgvo_opt_outs')->fetch(\PDO::FETCH_ASSOC);
        $this->assertSame(['source' => 'link', 'ip' => '192.0.2.44'], $row);
        $this->assertSame('opted_out', $this->store->maySend($id, 'review')->reason);
        $all = $this->store->unsubscribeToken($id);
        $this->assertSame('*', $this->store->unsubscribe($all)['type']);
        $this->assertSame('opted_out_all', $this->store->maySend($id, 'newsletter')->reason);
    }

    /** @return array<string, array{0: callable(string): string}> */
    public static function badTokens(): array
    {
        return [
            'forged' => [function (string $t): string {
                return Tokens::encode(random_bytes(70));
            }],
            'altered customer id' => [function (string $t): string {
                $b = Tokens::decode($t);
                $b[13] = chr(ord($b[13]) ^ 2);
                return Tokens::encode($b);
            }],
            'altered type' => [function (string $t): string {
                $b = Tokens::decode($t);
                $b[23] = 'X';
                return Tokens::encode($b);
            }],
            'truncated' => [function (string $t): string {
                return substr($t, 0, -5);
            }],
            'wrong key' => [function (string $t): string {
                $b = Tokens::decode($t);
                $payload = substr($b, 0, -32);
                $other = 'another-secret-0123456789abcdef-0123456789';
                $payload = substr($payload, 0, 2) . Tokens::keyId($other) . substr($payload, 6);
                return Tokens::encode($payload . hash_hmac('sha256', $payload, $other, true));
            }],
            'consent token' => [function (string $t): string {
                return Tokens::consentConfirmation(self::SECRET, 1, time() + 60);
            }],
            'empty' => [function (string $t): string {
                return '';
            }],
        ];
    }

    /**
     * @dataProvider badTokens
     * @param callable(string): string $make
     */
    #[DataProvider('badTokens')]
    public function testBadTokensRaiseAndWriteNothing(callable $make): void
    {
        $id = $this->shop->addCustomer('lea@example.org');
        $bad = $make($this->store->unsubscribeToken($id, 'review'));
        foreach (['readUnsubscribeToken', 'unsubscribe'] as $method) {
            try {
                $this->store->$method($bad);
                $this->fail("$method accepted a bad token");
            } catch (TokenException $e) {
                $this->assertStringContainsString('invalid token', $e->getMessage());
            }
        }
        $this->assertSame(0, $this->optOuts());
    }

    public function testRotatedKeysStillVerify(): void
    {
        $token = $this->store->unsubscribeToken(7, 'review');
        $rotated = $this->shop->store(['secret' => '0e15a351290c8e33bc1e88dcee2874f8643c16f46e7d05d2e75da09ef15a0e68', 'previous_secrets' => self::SECRET]);
        $this->assertTrue($rotated->unsubscribe($token)['new']);
        $forgotten = $this->shop->store(['secret' => '0e15a351290c8e33bc1e88dcee2874f8643c16f46e7d05d2e75da09ef15a0e68']);
        $this->expectException(TokenException::class);
        $forgotten->unsubscribe($token);
    }

    public function testHeaders(): void
    {
        $headers = $this->store->unsubscribeHeaders(12, 'newsletter', 'https://shop.example/unsubscribe.php', 'abmelden@shop.example');
        $this->assertSame(['List-Unsubscribe', 'List-Unsubscribe-Post'], array_keys($headers));
        $this->assertSame('List-Unsubscribe=One-Click', $headers['List-Unsubscribe-Post']);
        $this->assertMatchesRegularExpression(
            '~^<https://shop\.example/unsubscribe\.php\?t=([A-Za-z0-9_-]+)>, <mailto:abmelden@shop\.example\?subject=unsubscribe%20\1>$~',
            $headers['List-Unsubscribe']
        );
        preg_match('~\?t=([A-Za-z0-9_-]+)>~', $headers['List-Unsubscribe'], $m);
        $this->assertSame(['customer_id' => 12, 'type' => 'newsletter'], array_slice($this->store->readUnsubscribeToken($m[1]), 0, 2));

        $plain = $this->store->unsubscribeHeaders(12, '*', 'https://shop.example/u?lang=de');
        $this->assertMatchesRegularExpression('~^<https://shop\.example/u\?lang=de&t=[A-Za-z0-9_-]+>$~', $plain['List-Unsubscribe']);

        foreach (['http://shop.example/u', 'https://shop.example/u>, <https://evil.example/', 'ftp://x', '/relative'] as $bad) {
            try {
                $this->store->unsubscribeHeaders(12, 'newsletter', $bad);
                $this->fail("accepted $bad");
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString('endpoint URL', $e->getMessage());
            }
        }
        $this->expectException(InvalidInputException::class);
        $this->store->unsubscribeHeaders(12, 'newsletter', 'https://shop.example/u', 'no address');
    }

    /**
     * @param array<string, string> $post
     * @return array{status: int, body: string, headers: list<string>}
     */
    private function request(int $port, string $method, string $query, ?array $post = null, string $rawBody = ''): array
    {
        $body = $post !== null ? http_build_query($post) : $rawBody;
        $context = stream_context_create(['http' => [
            'method' => $method,
            'ignore_errors' => true,
            'follow_location' => 0,
            'header' => "Content-Type: application/x-www-form-urlencoded\r\nUser-Agent: dsgvo-test\r\n",
            'content' => $body,
            'timeout' => 10,
        ]]);
        $response = file_get_contents("http://127.0.0.1:$port/unsubscribe.php$query", false, $context);
        $headers = $http_response_header ?? [];
        preg_match('~^HTTP/\S+ (\d{3})~', $headers[0] ?? '', $m);
        return ['status' => (int) ($m[1] ?? 0), 'body' => (string) $response, 'headers' => $headers];
    }

    public function testExampleEndpointOverHttp(): void
    {
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $examples = dirname(__DIR__, 2) . '/examples';
        [$proc, $pipes] = Php::start('-S', ["127.0.0.1:$port", '-t', $examples], true, [
            '-d', 'dsgvo.dsn=' . $this->shop->db->dsn, '-d', 'dsgvo.secret=' . self::SECRET, '-d', 'dsgvo.shop=oscommerce',
        ]);
        try {
            for ($i = 0; $i < 100 && @fsockopen('127.0.0.1', $port) === false; $i++) {
                usleep(50000);
            }
            $id = $this->shop->addCustomer('max@example.org');
            $token = $this->store->unsubscribeToken($id, 'newsletter');

            $get = $this->request($port, 'GET', '?t=' . $token);
            $this->assertSame(200, $get['status'], $get['body']);
            $this->assertStringContainsString('<form method="post"', $get['body']);
            $this->assertStringContainsString('newsletter', $get['body']);
            $this->assertSame(0, $this->optOuts(), 'GET changes nothing');

            $oneClick = $this->request($port, 'POST', '?t=' . $token, null, 'List-Unsubscribe=One-Click');
            $this->assertSame(200, $oneClick['status'], $oneClick['body']);
            $this->assertEmpty(preg_grep('/^Location:/i', $oneClick['headers']), 'no redirect');
            $this->assertSame(1, $this->optOuts());
            $this->assertSame('opted_out', $this->store->maySend($id, 'newsletter')->reason);

            $button = $this->request($port, 'POST', '', ['t' => $token]);
            $this->assertSame(200, $button['status']);
            $this->assertStringContainsString('bereits', $button['body']);
            $this->assertSame(1, $this->optOuts(), 'idempotent');

            foreach (['?t=' . substr($token, 0, -6), '?t=%3Cscript%3E', '', '?t=%FF%FE%FA', '?t=' . substr($token, 0, 10) . '%C3%28' . substr($token, 10), '?t=%00abc'] as $query) {
                $bad = $this->request($port, 'POST', $query);
                $this->assertSame(400, $bad['status'], $query . ': ' . $bad['body']);
                $this->assertNotEmpty(preg_grep('~^Content-Type: text/plain~i', $bad['headers']));
                $this->assertStringContainsString('Invalid unsubscribe link', $bad['body']);
                $this->assertStringNotContainsString('TypeError', $bad['body']);
                $badGet = $this->request($port, 'GET', $query);
                $this->assertSame(400, $badGet['status'], $query . ': ' . $badGet['body']);
            }
            // A non-UTF-8 token in the form body (the page's button) is refused the same way.
            $badButton = $this->request($port, 'POST', '', null, 't=%FF' . $token);
            $this->assertSame(400, $badButton['status'], $badButton['body']);
            $this->assertSame(1, $this->optOuts());
        } finally {
            proc_terminate($proc);
            Php::finish($proc, $pipes, 5);
        }
    }
}
