<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/** Send log, ratings, archive and tags: every method and validation rule. */
final class RecordsTest extends TestCase
{
    /** @var TestDatabase */
    private $db;
    /** @var Store */
    private $store;

    protected function setUp(): void
    {
        $this->db = TestDatabase::create('records');
        $this->store = new Store(['dsn' => $this->db->dsn]);
        $this->store->migrate();
    }

    protected function tearDown(): void
    {
        $this->db->drop();
    }

    private function rows(string $table): int
    {
        return (int) $this->db->pdo->query("SELECT COUNT(*) FROM dsgvo_$table")->fetchColumn();
    }

    public function testLogSend(): void
    {
        $id = $this->store->logSend(7, 'review.request', [
            'email' => ' Kim@Example.org ', 'subject' => 'Wie war Ihre Bestellung?', 'message_id' => '<a1@shop.example>', 'order_id' => 1001,
        ]);
        $second = $this->store->logSend(7, 'newsletter');
        $this->assertGreaterThan($id, $second);
        $imported = $this->store->logSend(8, 'newsletter', ['sent_at' => '2021-03-04T05:06:07+01:00']);
        $row = $this->db->pdo->query("SELECT customer_id, type, email, subject, message_id, order_id FROM dsgvo_send_log WHERE id = $id")->fetch(PDO::FETCH_ASSOC);
        $this->assertEquals(['customer_id' => 7, 'type' => 'review.request', 'email' => 'kim@example.org',
            'subject' => 'Wie war Ihre Bestellung?', 'message_id' => '<a1@shop.example>', 'order_id' => 1001], $row);
        $this->assertSame('2021-03-04 04:06:07.000000', $this->db->pdo->query("SELECT sent_at FROM dsgvo_send_log WHERE id = $imported")->fetchColumn());
        $this->assertEqualsWithDelta(time(), strtotime($this->db->pdo->query("SELECT sent_at FROM dsgvo_send_log WHERE id = $second")->fetchColumn() . ' UTC'), 5);
    }

    public function testSendLogAndObjectionsAreListed(): void
    {
        $old = $this->store->logSend(7, 'newsletter', ['sent_at' => '2021-03-04T05:06:07Z', 'subject' => 'März']);
        $new = $this->store->logSend(7, 'review.request', ['email' => 'kim@example.org', 'subject' => 'Wie war es?', 'message_id' => '<r@shop>', 'order_id' => 1001]);
        $this->store->logSend(8, 'newsletter');
        $this->store->rateEmail($new, 4, 'gut');
        $this->store->archiveEmail($old, 'März', '<p>Hallo</p>');
        $log = $this->store->sendLog(7);
        $this->assertSame([$new, $old], array_column($log, 'id'), 'newest first, only this customer');
        $this->assertSame(['id' => $new, 'type' => 'review.request', 'email' => 'kim@example.org', 'subject' => 'Wie war es?',
            'message_id' => '<r@shop>', 'order_id' => 1001, 'sent_at' => $log[0]['sent_at'], 'rating' => 4, 'archived' => false], $log[0]);
        $this->assertSame(['2021-03-04T05:06:07.000000Z', null, true], [$log[1]['sent_at'], $log[1]['rating'], $log[1]['archived']]);
        $this->assertCount(1, $this->store->sendLog(7, 1));
        $this->assertSame([], $this->store->sendLog(9));

        $this->assertSame([], $this->store->optOuts(7));
        $this->store->optOut(7, 'review.request', ['source' => 'link', 'ip' => '192.0.2.9', 'user_agent' => 'Mail client']);
        $this->store->optOut(7);
        $objections = $this->store->optOuts(7);
        $this->assertSame(['review.request', '*'], array_column($objections, 'type'));
        $this->assertSame(['type' => 'review.request', 'source' => 'link', 'ip' => '192.0.2.9', 'user_agent' => 'Mail client', 'actor' => null,
            'created_at' => $objections[0]['created_at']], $objections[0]);
        foreach ([fn () => $this->store->sendLog(0), fn () => $this->store->sendLog(7, 0), fn () => $this->store->sendLog(7, 10001), fn () => $this->store->optOuts(-1)] as $bad) {
            try {
                $bad();
                $this->fail('accepted');
            } catch (InvalidInputException $e) {
                $this->assertMatchesRegularExpression('/customer id|limit/', $e->getMessage());
            }
        }
    }

    /** @return array<string, array{0: int, 1: string, 2: array<string, mixed>, 3: string}> */
    public static function invalidSends(): array
    {
        return [
            'customer 0' => [0, 'newsletter', [], 'customer id'],
            'type *' => [1, '*', [], 'email type'],
            'type upper' => [1, 'News', [], 'email type'],
            'unknown key' => [1, 'newsletter', ['to' => 'a@b.de'], "unknown meta key 'to'"],
            'bad email' => [1, 'newsletter', ['email' => 'kim at example'], 'email address'],
            'email header injection' => [1, 'newsletter', ['email' => "a@b.de\r\nBcc: c@d.de"], 'email address'],
            'subject too long' => [1, 'newsletter', ['subject' => str_repeat('s', 999)], 'subject'],
            'subject two lines' => [1, 'newsletter', ['subject' => "a\nb"], 'subject'],
            'message id too long' => [1, 'newsletter', ['message_id' => str_repeat('m', 256)], 'message_id'],
            'order id string' => [1, 'newsletter', ['order_id' => '12'], 'order_id'],
            'order id negative' => [1, 'newsletter', ['order_id' => -1], 'order_id'],
            'sent_at future' => [1, 'newsletter', ['sent_at' => '2999-01-01T00:00:00Z'], 'future'],
            'sent_at not rfc 3339' => [1, 'newsletter', ['sent_at' => '2024-01-01'], 'RFC 3339'],
            'subject array' => [1, 'newsletter', ['subject' => ['x']], "'subject' must be a string"],
        ];
    }

    /**
     * @dataProvider invalidSends
     * @param array<string, mixed> $meta
     */
    #[DataProvider('invalidSends')]
    public function testInvalidSendsWriteNothing(int $customer, string $type, array $meta, string $message): void
    {
        try {
            $this->store->logSend($customer, $type, $meta);
            $this->fail('expected Dsgvo\InvalidInputException');
        } catch (InvalidInputException $e) {
            $this->assertStringContainsString($message, $e->getMessage());
        }
        $this->assertSame(0, $this->rows('send_log'));
    }

    public function testRatingsReplaceAndKeepHistory(): void
    {
        $send = $this->store->logSend(3, 'review.request');
        $this->store->rateEmail($send, 2, 'zu früh');
        $this->store->rateEmail($send, 5);
        $this->store->rateEmail($send, 4, 'passt');
        $row = $this->db->pdo->query('SELECT send_id, customer_id, rating, comment, history FROM dsgvo_email_ratings')->fetchAll(PDO::FETCH_ASSOC);
        $this->assertCount(1, $row, 'one rating per send');
        $this->assertSame([$send, 3, 4, 'passt'], [(int) $row[0]['send_id'], (int) $row[0]['customer_id'], (int) $row[0]['rating'], $row[0]['comment']]);
        $history = json_decode($row[0]['history'], true, 8, JSON_THROW_ON_ERROR);
        $this->assertSame([2, 5], array_column($history, 'rating'));
        $this->assertSame(['zu früh', null], array_column($history, 'comment'));
        $this->assertArrayHasKey('replaced_at', $history[0]);

        foreach ([[$send, 0, null, 'rating'], [$send, 6, null, 'rating'], [$send, 3, str_repeat('c', 2001), 'comment'],
            [999, 3, null, 'unknown send id 999'], [0, 3, null, 'send id'], [-5, 3, null, 'send id']] as [$id, $rating, $comment, $message]) {
            try {
                $this->store->rateEmail($id, $rating, $comment);
                $this->fail("accepted $id/$rating");
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($message, $e->getMessage());
            }
        }
        $this->assertSame(1, $this->rows('email_ratings'));
        $this->store->rateEmail($send, 3, str_repeat('ü', 2000));
    }

    public function testArchiveRoundTripsBytesExactly(): void
    {
        $send = $this->store->logSend(9, 'newsletter');
        $body = random_bytes(10 * 1024 * 1024); // 10 MiB that do not compress
        $this->store->archiveEmail($send, 'Unser Angebot', $body);
        $copy = $this->store->archivedEmail($send);
        $this->assertSame(['send_id', 'customer_id', 'subject', 'body', 'archived_at'], array_keys($copy));
        $this->assertSame($send, $copy['send_id']);
        $this->assertSame(9, $copy['customer_id']);
        $this->assertSame('Unser Angebot', $copy['subject']);
        $this->assertTrue($copy['body'] === $body, 'byte-exact');

        $html = str_repeat("<p>Hallo Erika, \xe2\x82\xac 19,99 \0 \xff\xfe</p>\r\n", 200000); // compressible, not UTF-8
        $this->store->archiveEmail($send, 'Zweite Fassung', $html);
        $this->assertTrue($this->store->archivedEmail($send)['body'] === $html, 'a second archive replaces the first');
        $stored = (int) $this->db->pdo->query('SELECT SUM(LENGTH(data)) FROM dsgvo_email_archive_chunks')->fetchColumn();
        $this->assertLessThan(strlen($html) / 10, $stored, 'stored compressed');
        $this->assertSame(1, $this->rows('email_archive'));

        $this->store->archiveEmail($send, '', '');
        $this->assertSame('', $this->store->archivedEmail($send)['body']);
        $this->assertNull($this->store->archivedEmail($send + 1));
    }

    public function testArchiveLimitsAndUnknownSends(): void
    {
        $send = $this->store->logSend(9, 'newsletter');
        $this->store->archiveEmail($send, 'max', str_repeat('a', 16 * 1024 * 1024));
        foreach ([[$send, 'big', str_repeat('a', 16 * 1024 * 1024 + 1), '16 MiB'], [$send, str_repeat('s', 999), 'x', 'subject'],
            [$send, "two\nlines", 'x', 'subject'], [404, 'x', 'x', 'unknown send id 404']] as [$id, $subject, $body, $message]) {
            try {
                $this->store->archiveEmail($id, $subject, $body);
                $this->fail('accepted ' . $message);
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($message, $e->getMessage());
            }
        }
        $this->assertSame('max', $this->store->archivedEmail($send)['subject']);
    }

    public function testTags(): void
    {
        $this->assertSame([], $this->store->tags(4));
        $this->store->tag(4, 'vip', 'spent.over.1000');
        $this->store->tag(4, 'birthday-club');
        $this->store->tag(5, 'vip');
        $tags = $this->store->tags(4);
        $this->assertSame(['birthday-club', 'vip'], array_column($tags, 'name'));
        $this->assertSame([null, 'spent.over.1000'], array_column($tags, 'rule'));
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\dT[\d:.]+Z$/', $tags[0]['set_at']);
        $this->store->tag(4, 'vip', 'manual');
        $this->assertSame('manual', $this->store->tags(4)[1]['rule'], 'tagging again updates the rule');
        $this->store->untag(4, 'vip');
        $this->store->untag(4, 'never-set');
        $this->assertSame(['birthday-club'], array_column($this->store->tags(4), 'name'));
        $this->assertCount(1, $this->store->tags(5));

        foreach ([[4, 'VIP', null, 'tag'], [4, 'a b', null, 'tag'], [4, 'ok', 'Bad Rule', 'rule'], [0, 'ok', null, 'customer id']] as [$c, $t, $r, $m]) {
            try {
                $this->store->tag($c, $t, $r);
                $this->fail("accepted $t/$r");
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($m, $e->getMessage());
            }
        }
        $this->expectException(InvalidInputException::class);
        $this->store->untag(4, '');
    }

    public function testTooFrequentReadsTheSendLog(): void
    {
        $this->store->defineEmailType('review.request', 'consent', ['min_interval_days' => 14]);
        $this->store->grantConsent(11, 'review.request');
        $this->assertTrue($this->store->maySend(11, 'review.request')->allowed);
        $this->store->logSend(11, 'review.request', ['sent_at' => gmdate('Y-m-d\TH:i:s\Z', time() - 20 * 86400)]);
        $this->assertTrue($this->store->maySend(11, 'review.request')->allowed, '20 days ago is outside 14');
        $this->store->logSend(11, 'review.request');
        $this->assertSame('too_frequent', $this->store->maySend(11, 'review.request')->reason);
        $this->assertTrue($this->store->maySend(11, 'newsletter')->allowed === false);
    }
}
