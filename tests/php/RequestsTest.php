<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\DatabaseException;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PHPUnit\Framework\TestCase;

/**
 * Data-subject requests registered when they arrive (Art. 12(3) GDPR): deadline, the one extension, overdue
 * requests, answers by exportTo()/erase() with request_id, requests closed by hand.
 */
final class RequestsTest extends TestCase
{
    private const SECRET = '3f0a9c41d27e58b6a1c4e09f7d2b35a8c6e1f4097b2d8a5c3e6f1b0a9d4c7e28';

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

    private static function daysAgo(int $days): string
    {
        return gmdate('Y-m-d', time() - $days * 86400);
    }

    /** @return array<int, array<string, mixed>> open requests by id */
    private function open(): array
    {
        return array_column($this->store->requestLog(['open' => true]), null, 'id');
    }

    private function entry(int $id): array
    {
        foreach ($this->store->requestLog(['limit' => 10000]) as $row) {
            if ($row['id'] === $id) {
                return $row;
            }
        }
        $this->fail("request $id not in the log");
    }

    public function testAnUnansweredRequestBecomesOverdueAndAnExtensionMovesItsDeadline(): void
    {
        $id = $this->shop->addCustomer('erika@example.org');
        $fresh = $this->store->registerRequest('access', $id, ['identity_verified' => true, 'note' => 'by mail, ticket 4711']);
        $late = $this->store->registerRequest('erasure', 'Someone@Example.org ', ['received_at' => self::daysAgo(40)]);
        $extended = $this->store->registerRequest('portability', $id, ['received_at' => self::daysAgo(25)]);

        $open = $this->open();
        $this->assertSame([$late, $extended, $fresh], array_keys($open), 'open requests, oldest first');
        $this->assertSame('open', $open[$fresh]['outcome']);
        $this->assertSame($id, $open[$fresh]['subject']);
        $this->assertTrue($open[$fresh]['identity_verified']);
        $this->assertSame('by mail, ticket 4711', $open[$fresh]['note']);
        $this->assertFalse($open[$fresh]['overdue']);
        $this->assertNull($open[$fresh]['in_time'], 'not answered yet');
        $this->assertSame([], $open[$fresh]['summary'], 'an array, empty until answered');
        $this->assertSame('someone@example.org', $open[$late]['subject'], 'an address, normalised');
        $this->assertTrue($open[$late]['overdue'], 'received 40 days ago, a month passed');
        $this->assertFalse($open[$late]['identity_verified']);

        $before = $open[$extended]['deadline'];
        $after = $this->store->extendRequest($extended, 'Many requests this month; we answer by the new date.');
        $this->assertSame(gmdate('Y-m-d', strtotime($before . ' +2 months')), substr($after['deadline'], 0, 10));
        $this->assertNotNull($after['extended_at']);
        $this->assertSame('Many requests this month; we answer by the new date.', $after['extension_reason']);
        $this->assertFalse($after['overdue']);

        foreach ([
            [$extended, 'again', 'one extension'],
            [$late, 'too late', 'past its deadline'],
            [$fresh, '', 'reason'],
            [99999, 'no such', 'no registered request'],
            [0, 'zero', 'positive integer'],
        ] as [$request, $reason, $message]) {
            try {
                $this->store->extendRequest($request, $reason);
                $this->fail("extended $request");
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($message, $e->getMessage());
            }
        }

        // An extended request is overdue once its new deadline has passed (the extension made in time).
        $this->shop->db->pdo->exec("UPDATE dsgvo_request_log SET received_at = UTC_TIMESTAMP() - INTERVAL 100 DAY,
            extended_at = UTC_TIMESTAMP() - INTERVAL 90 DAY WHERE id = $extended");
        $this->assertTrue($this->open()[$extended]['overdue']);
    }

    public function testAnExportAnswersItsRequestAndTheAnswerKeepsNoSubject(): void
    {
        $id = $this->shop->addCustomer('erika@example.org');
        $other = $this->shop->addCustomer('bertram@example.org');
        $access = $this->store->registerRequest('access', $id, ['received_at' => self::daysAgo(10)]);
        $erasure = $this->store->registerRequest('erasure', $id);
        $dir = sys_get_temp_dir() . '/dsgvo-requests-' . getmypid() . '-' . mt_rand();
        mkdir($dir, 0700);
        try {
            foreach ([
                [$other, $access, [], 'about customer'],
                [$id, $erasure, [], 'does not answer it'],
                [$id, 99999, [], 'no registered request'],
                [$id, $access, ['received_at' => self::daysAgo(3)], 'either'],
                [$id, -1, [], 'request_id'],
            ] as [$customer, $request, $more, $message]) {
                try {
                    $this->store->exportTo($customer, "$dir/refused.zip", 'zip', ['request_id' => $request] + $more);
                    $this->fail("answered request $request for customer $customer");
                } catch (InvalidInputException $e) {
                    $this->assertStringContainsString($message, $e->getMessage());
                }
                $this->assertFileDoesNotExist("$dir/refused.zip");
            }
            $this->assertCount(2, $this->open(), 'refused answers close nothing');
            $this->assertSame([], $this->store->requestLog(['kind' => 'export']), 'and log nothing');

            $manifest = $this->store->exportTo($id, "$dir/erika.zip", 'zip', ['request_id' => $access]);
            $this->assertSame($access, $manifest['request_id']);
            $this->assertSame([$erasure], array_keys($this->open()));
            $answered = $this->entry($access);
            $this->assertSame('ok', $answered['outcome']);
            $this->assertSame('access', $answered['kind']);
            $this->assertTrue($answered['in_time']);
            $this->assertFalse($answered['overdue']);
            $this->assertNull($answered['subject'], 'the answered request forgets whom it was about');
            $this->assertSame(self::daysAgo(10), substr($answered['received_at'], 0, 10), 'its receipt date counts');
            $this->assertSame($access, $answered['summary']['request_id']);
            $this->assertSame('zip', $answered['summary']['format']);

            try {
                $this->store->exportTo($id, "$dir/again.zip", 'zip', ['request_id' => $access]);
                $this->fail('answered a closed request');
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString('closed already', $e->getMessage());
            }
            $this->assertNull($this->store->exportTo($id, "$dir/plain.zip")['request_id']);
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            rmdir($dir);
        }
    }

    public function testAnErasureAnswersItsRequestAndADryRunDoesNot(): void
    {
        $id = $this->shop->addCustomer('erika@example.org');
        $request = $this->store->registerRequest('erasure', $id, ['identity_verified' => true]);

        $dry = $this->store->erase($id, ['dry_run' => true, 'shop_data' => true, 'request_id' => $request]);
        $this->assertSame($request, $dry['request_id']);
        $this->assertArrayHasKey($request, $this->open(), 'a dry run closes nothing');

        $report = $this->store->erase($id, ['shop_data' => true, 'request_id' => $request]);
        $this->assertSame($request, $report['request_id']);
        $this->assertSame([], $this->open());
        $answered = $this->entry($request);
        $this->assertSame('ok', $answered['outcome']);
        $this->assertSame('erasure', $answered['kind']);
        $this->assertNull($answered['subject']);
        $this->assertTrue($answered['identity_verified']);
        $this->assertSame(1, $answered['summary']['removed']['customers'] ?? null, json_encode($answered['summary']));
    }

    public function testAFailedAnswerLeavesTheRequestOpen(): void
    {
        $id = $this->shop->addCustomer('erika@example.org');
        $store = $this->shop->store(['secret' => self::SECRET, 'query_timeout_ms' => 300]);
        $store->logSend($id, 'newsletter');
        $request = $store->registerRequest('access', $id);
        $dir = sys_get_temp_dir() . '/dsgvo-requests-' . getmypid() . '-' . mt_rand();
        mkdir($dir, 0700);
        $lock = TestDatabase::pdo($this->shop->db->name);
        $lock->exec('LOCK TABLES dsgvo_send_log WRITE');
        try {
            $store->exportTo($id, "$dir/export.zip", 'zip', ['request_id' => $request]);
            $this->fail('exported through a locked table');
        } catch (DatabaseException $e) {
            $this->assertFileDoesNotExist("$dir/export.zip");
        } finally {
            $lock->exec('UNLOCK TABLES');
            @rmdir($dir);
        }
        $this->assertArrayHasKey($request, $this->open(), 'still open: nothing was answered');
        $failed = $store->requestLog(['kind' => 'export'])[0];
        $this->assertSame('failed', $failed['outcome']);
        $this->assertSame($request, $failed['summary']['request_id']);
        $this->assertNull($failed['in_time']);
    }

    public function testRequestsNoExportOrErasureAnswersAreClosedByHand(): void
    {
        $id = $this->shop->addCustomer('erika@example.org');
        $objection = $this->store->registerRequest('objection', $id);
        $rectification = $this->store->registerRequest('rectification', 'erika@example.org');
        $closed = $this->store->closeRequest($objection);
        $this->assertSame('answered', $closed['outcome']);
        $this->assertTrue($closed['in_time']);
        $this->assertNull($closed['subject']);
        $this->assertSame('refused', $this->store->closeRequest($rectification, 'refused')['outcome']);
        $this->assertSame([], $this->open());
        foreach ([[$objection, 'answered', 'closed already'], [$rectification, 'answered', 'closed already']] as [$request, $outcome, $message]) {
            try {
                $this->store->closeRequest($request, $outcome);
                $this->fail("closed $request twice");
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($message, $e->getMessage());
            }
        }
        $open = $this->store->registerRequest('restriction', $id);
        $this->expectException(InvalidInputException::class);
        $this->expectExceptionMessage("'answered' or 'refused'");
        $this->store->closeRequest($open, 'done');
    }

    public function testTheSameIdempotencyKeyRegistersOnce(): void
    {
        $id = $this->shop->addCustomer('erika@example.org');
        $first = $this->store->registerRequest('access', $id, ['idempotency_key' => 'req-7f3a']);
        $this->assertSame($first, $this->store->registerRequest('access', $id, ['idempotency_key' => 'req-7f3a']));
        $this->assertCount(1, $this->open());
        $this->assertNotSame($first, $this->store->registerRequest('access', $id, ['idempotency_key' => 'req-7f3b']));
        $this->store->grantConsent($id, 'newsletter', ['idempotency_key' => 'grant-1']);
        try {
            $this->store->registerRequest('erasure', $id, ['idempotency_key' => 'grant-1']);
            $this->fail('a key of another call was taken');
        } catch (InvalidInputException $e) {
            $this->assertStringContainsString('grantConsent', $e->getMessage());
        }
        $this->assertCount(2, $this->open(), 'nothing registered by the refused call');
    }

    public function testBadRegistrationsAreRefusedAndWriteNothing(): void
    {
        foreach ([
            ['export', 5, [], 'request kind'],
            ['Access', 5, [], 'request kind'],
            ['access', 0, [], 'customer id'],
            ['access', -4, [], 'customer id'],
            ['access', 'not an address', [], 'email address'],
            ['access', 1.5, [], 'customer id or an email address'],
            ['access', null, [], 'customer id or an email address'],
            ['access', [5], [], 'customer id or an email address'],
            ['access', 5, ['received_at' => gmdate('Y-m-d', time() + 3 * 86400)], 'future'],
            ['access', 5, ['note' => str_repeat('x', 256)], 'note'],
            ['access', 5, ['note' => "two\nlines"], 'note'],
            ['access', 5, ['identity_verified' => 'yes'], 'identity_verified'],
            ['access', 5, ['deadline' => '2027-01-01'], "unknown registerRequest option 'deadline'"],
            ['access', 5, ['idempotency_key' => 'with space'], 'idempotency_key'],
        ] as [$kind, $subject, $options, $message]) {
            try {
                $this->store->registerRequest($kind, $subject, $options);
                $this->fail('registered ' . json_encode([$kind, $subject, $options]));
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($message, $e->getMessage());
            }
        }
        $this->assertSame([], $this->store->requestLog());
        $this->expectException(InvalidInputException::class);
        $this->store->requestLog(['open' => 'yes']);
    }
}
