<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\Decision;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * maySend on real shop schemas (and the project's minimal one): every reason code from a scenario, the
 * precedence of denials, the lifting of objections by newer consent, and filterSendable's contract.
 */
final class DecisionTest extends TestCase
{
    private const SECRET = '979aa4bdf5c5274d3ceb000f4feb997a312c558d4ed2312d9985680c5fab12d9';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::kinds();
    }

    private function shop(string $fixture, string $preset, string $prefix): Shop
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        return Shop::create($fixture, $preset, $prefix);
    }

    /**
     * Puts an address on the suppression list the way erasure does (HMAC of the normalised address); an
     * entry of the address and type already there (e.g. the address objection optOut() records) becomes it.
     */
    public static function suppressAddress(Shop $shop, string $email, string $secret, string $reason = 'erased', string $type = '*'): void
    {
        $hmac = hash_hmac('sha256', "dsgvo.address.v1\0" . strtolower(trim($email)), $secret, true);
        $shop->db->pdo->prepare('INSERT INTO dsgvo_suppressions (email_hmac, key_id, type, reason, created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))
            ON DUPLICATE KEY UPDATE reason = VALUES(reason), created_at = VALUES(created_at)')
            ->execute([$hmac, Tokens::keyId($secret), $type, $reason]);
        $shop->db->pdo->exec("UPDATE dsgvo_counters SET value = value + 1 WHERE name = 'catalog'");
    }

    private function sentDaysAgo(Shop $shop, int $customerId, string $type, float $days): void
    {
        $shop->db->pdo->prepare('INSERT INTO dsgvo_send_log (customer_id, type, sent_at) VALUES (?, ?, UTC_TIMESTAMP(6) - INTERVAL ? SECOND)')
            ->execute([$customerId, $type, (int) ($days * 86400)]);
    }

    private function assertDecision(Decision $d, bool $allowed, string $reason, ?string $basis = null): void
    {
        $this->assertSame([$allowed, $reason], [$d->allowed, $d->reason], "expected $reason");
        if ($basis !== null || !$allowed) {
            $this->assertSame($basis, $d->basis);
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testEveryReasonCode(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('order.confirmation', 'transactional');
            $store->defineEmailType('newsletter', 'consent');
            $store->defineEmailType('winback', 'existing_customer', ['max_age_days' => 365, 'notice_since' => '2000-01-01']);
            $store->defineEmailType('review', 'consent', ['min_interval_days' => 7]);
            $store->defineEmailType('birthday', 'existing_customer', ['notice_since' => date('Y-m-d', time() + 86400 * 400)]);
            $seen = [];
            $check = function (int $customer, string $type, bool $allowed, string $reason, ?string $basis = null) use ($store, &$seen): Decision {
                $d = $store->maySend($customer, $type);
                $this->assertDecision($d, $allowed, $reason, $basis);
                $seen[$reason] = true;
                return $d;
            };

            $anna = $shop->addCustomer('anna@example.org');
            $shop->addOrder($anna, 'Anna@Example.org', 30);

            $check(999999, 'order.confirmation', true, 'transactional', 'transactional');
            $check(999999, 'newsletter', false, 'unknown_customer');
            $check($anna, 'newsletter', false, 'no_consent');
            $check($anna, 'winback', true, 'existing_customer', 'existing_customer');
            $check($anna, 'unknown.type', false, 'no_consent'); // undefined types need consent

            $grant = $store->grantConsent($anna, 'newsletter', ['source' => 'checkout']);
            $this->assertSame($grant, $check($anna, 'newsletter', true, 'consent', 'consent')->eventId);
            $revoke = $store->revokeConsent($anna, 'newsletter');
            $this->assertSame($revoke, $check($anna, 'newsletter', false, 'consent_revoked')->eventId);
            $store->requestConsent($anna, 'newsletter');
            $check($anna, 'newsletter', false, 'consent_pending');
            $store->revokeConsent($anna, 'winback');
            $check($anna, 'winback', false, 'consent_revoked'); // a revocation is an objection

            $ben = $shop->addCustomer('ben@example.org');
            $check($ben, 'winback', false, 'no_purchase');
            $shop->addOrder($ben, 'ben.old@example.org', 10);
            $check($ben, 'winback', false, 'email_changed');
            $shop->addOrder($ben, 'ben@example.org', 400);
            $check($ben, 'winback', false, 'purchase_too_old');
            $shop->addOrder($ben, 'BEN@example.org ', 364);
            $check($ben, 'winback', true, 'existing_customer');
            $check($ben, 'birthday', false, 'notice_missing');

            $store->grantConsent($ben, 'review');
            $check($ben, 'review', true, 'consent');
            $this->sentDaysAgo($shop, $ben, 'review', 2);
            $check($ben, 'review', false, 'too_frequent');
            $this->assertTrue($store->maySend($ben, 'order.confirmation')->allowed, 'transactional ignores the frequency cap');

            $this->assertTrue($store->optOut($ben, 'winback'));
            $check($ben, 'winback', false, 'opted_out');
            $this->assertTrue($store->optOut($ben));
            $check($ben, 'winback', false, 'opted_out_all');
            self::suppressAddress($shop, 'Ben@Example.org', self::SECRET);
            $check($ben, 'winback', false, 'suppressed');
            $check($ben, 'order.confirmation', true, 'transactional');

            $carl = $shop->addCustomer('carl@example.org');
            $shop->db->pdo->prepare("INSERT INTO dsgvo_suppressions (customer_id, type, reason, created_at) VALUES (?, '*', 'erased', UTC_TIMESTAMP(6))")->execute([$carl]);
            $shop->db->pdo->exec("UPDATE dsgvo_counters SET value = value + 1 WHERE name = 'catalog'");
            $check($carl, 'newsletter', false, 'suppressed'); // by customer id

            $codes = ['consent', 'existing_customer', 'transactional', 'opted_out', 'opted_out_all', 'suppressed', 'no_consent',
                'consent_revoked', 'consent_pending', 'no_purchase', 'purchase_too_old', 'email_changed', 'notice_missing',
                'too_frequent', 'unknown_customer'];
            $this->assertEqualsCanonicalizing($codes, array_keys($seen));
        } finally {
            $shop->drop();
        }
    }

    public function testPrecedenceAndLifting(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('review', 'consent', ['min_interval_days' => 30]);
            $doubleOptIn = function (int $id, string $purpose) use ($store): void {
                $store->confirmConsent($store->requestConsent($id, $purpose));
            };

            // Without a secret no address entry is written: a newer consent lifts the customer's objection.
            $plain = $shop->store();
            $olga = $shop->addCustomer('olga@example.org');
            $plain->grantConsent($olga, 'review');
            $plain->optOut($olga, 'review');
            $this->assertSame('opted_out', $plain->maySend($olga, 'review')->reason);
            $plain->grantConsent($olga, 'review');
            $this->assertSame('consent', $plain->maySend($olga, 'review')->reason, 'a newer consent lifts the customer\'s objection');

            $id = $shop->addCustomer('dora@example.org');
            $store->grantConsent($id, 'review');
            $store->optOut($id, 'review');
            $this->assertSame('opted_out', $store->maySend($id, 'review')->reason, 'the later objection wins');
            $store->grantConsent($id, 'review');
            $this->assertSame('opted_out', $store->maySend($id, 'review')->reason, 'a direct grant does not lift the address\'s objection');
            $doubleOptIn($id, 'review');
            $this->assertSame('consent', $store->maySend($id, 'review')->reason, 'a confirmed double opt-in lifts both');
            $this->assertFalse($store->isOptedOut($id, 'review'));
            $this->assertTrue($store->optOut($id, 'review'), 'objecting again after the consent is new');
            $this->assertFalse($store->optOut($id, 'review'), 'a repeat while it stands is not');
            $store->optOut($id, '*');
            $this->sentDaysAgo($shop, $id, 'review', 1);
            $this->assertSame('opted_out_all', $store->maySend($id, 'review')->reason, 'opted_out_all outranks opted_out and too_frequent');
            $doubleOptIn($id, 'review');
            $this->assertSame('too_frequent', $store->maySend($id, 'review')->reason, 'the double opt-in lifted both objections for its type');
            $this->assertSame('opted_out_all', $store->maySend($id, 'newsletter')->reason, 'but not for other types');
            $this->assertTrue($store->isOptedOut($id, '*'));
            $store->requestConsent($id, 'newsletter');
            $this->assertSame('opted_out_all', $store->maySend($id, 'newsletter')->reason, 'a pending request lifts nothing');
            self::suppressAddress($shop, 'dora@example.org', self::SECRET);
            $store->grantConsent($id, 'review');
            $this->assertSame('suppressed', $store->maySend($id, 'review')->reason, 'a suppression after the double opt-in stands');
            $this->assertTrue($store->isOptedOut($id, 'review'));
            $this->assertSame('unknown_customer', $store->maySend(4242, 'review')->reason);
        } finally {
            $shop->drop();
        }
    }

    public function testOptOutEmail(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $eva = $shop->addCustomer('eva@example.org');
            $this->assertTrue($store->optOutEmail(' EVA@example.org ', 'newsletter', ['source' => 'link']));
            $this->assertFalse($store->optOutEmail('eva@example.org', 'newsletter'), 'idempotent');
            $this->assertSame('opted_out', $store->maySend($eva, 'newsletter')->reason);
            $this->assertTrue($store->isOptedOut($eva, 'newsletter'));

            // An address nobody has an account with yet: the objection waits for the account.
            $this->assertTrue($store->optOutEmail('fritz@example.org'));
            $fritz = $shop->addCustomer('Fritz@Example.org');
            $store->grantConsent($fritz, 'newsletter', ['source' => 'import', 'occurred_at' => '2020-01-01T00:00:00Z']);
            $this->assertSame('opted_out_all', $store->maySend($fritz, 'newsletter')->reason, 'an older consent does not lift it');
            $store->grantConsent($fritz, 'newsletter');
            $this->assertSame('opted_out_all', $store->maySend($fritz, 'newsletter')->reason, 'nor does a newer direct grant');
            $store->confirmConsent($store->requestConsent($fritz, 'newsletter'));
            $this->assertSame('consent', $store->maySend($fritz, 'newsletter')->reason, 'a confirmed double opt-in for the address does');
            $this->assertTrue($store->optOutEmail('fritz@example.org'), 'objecting again counts');
            $this->assertSame('opted_out_all', $store->maySend($fritz, 'newsletter')->reason);

            // An address suppressed for good is left alone.
            self::suppressAddress($shop, 'gone@example.org', self::SECRET);
            $this->assertFalse($store->optOutEmail('gone@example.org'));

            foreach (['not an address', 'a@b', '', "x@example.org\r\nBcc: y@example.org"] as $bad) {
                try {
                    $store->optOutEmail($bad);
                    $this->fail("accepted $bad");
                } catch (InvalidInputException $e) {
                    $this->assertStringContainsString('email address', $e->getMessage());
                }
            }
            $this->expectException(ConfigException::class);
            (new Store(['dsn' => $shop->db->dsn]))->optOutEmail('eva@example.org');
        } finally {
            $shop->drop();
        }
    }

    public function testWithoutShopPresetConsentRulesAloneApply(): void
    {
        $db = TestDatabase::create('noshop');
        try {
            $store = new Store(['dsn' => $db->dsn, 'secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('winback', 'existing_customer');
            $this->assertSame('no_consent', $store->maySend(5, 'winback')->reason);
            $store->grantConsent(5, 'winback');
            $this->assertSame('consent', $store->maySend(5, 'winback')->reason);
            $this->assertTrue($store->optOutEmail('nobody@example.org'));
            $this->assertSame([5], $store->filterSendable([7, 5], 'winback'));
        } finally {
            $db->drop();
        }
    }

    public function testAKeyChangeNeverUnsuppressesAnyone(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $old = self::SECRET;
            $new = '453de6056b4420555e285ade2e07e5c18ce287752d723400fda519a5f0be6573';
            $store = $shop->store(['secret' => $old]);
            $store->migrate();
            $id = $shop->addCustomer('hanna@example.org');
            $store->grantConsent($id, 'newsletter');
            self::suppressAddress($shop, 'hanna@example.org', $old);
            $this->assertSame('suppressed', $store->maySend($id, 'newsletter')->reason);
            $rotated = $shop->store(['secret' => $new, 'previous_secrets' => "7a6188318d68a5c5cf412a283f3247f26753251725c0e5651d65a288791608b3, $old"]);
            $this->assertSame('suppressed', $rotated->maySend($id, 'newsletter')->reason);
            $this->assertSame([], $rotated->filterSendable([$id], 'newsletter'));
            try {
                $shop->store()->maySend($id, 'newsletter');
                $this->fail('a store without a secret must not decide while addresses are suppressed');
            } catch (ConfigException $e) {
                $this->assertStringContainsString('dsgvo.secret', $e->getMessage());
            }
        } finally {
            $shop->drop();
        }
    }

    public function testFilterSendable(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('order.confirmation', 'transactional');
            $ids = [];
            for ($i = 0; $i < 6; $i++) {
                $ids[] = $shop->addCustomer("c$i@example.org");
            }
            $store->grantConsent($ids[4], 'newsletter');
            $store->grantConsent($ids[1], 'newsletter');
            $store->grantConsent($ids[2], 'newsletter');
            $store->optOut($ids[2], 'newsletter');
            $this->assertSame([$ids[4], $ids[1]], $store->filterSendable([$ids[4], 99999, $ids[2], $ids[1], $ids[4], $ids[0]], 'newsletter'));
            $this->assertSame([5, 99999, 1], $store->filterSendable([5, 99999, 5, 1], 'order.confirmation'), 'transactional: all, each once');
            $this->assertSame([], $store->filterSendable([], 'newsletter'));
            $this->assertSame([$ids[1]], $store->filterSendable(['a' => $ids[1], 'b' => $ids[1]], 'newsletter'), 'keys are ignored');

            foreach ([['5'], [1.0], [null], [[1]], [0], [-3], [true]] as $bad) {
                try {
                    $store->filterSendable(array_merge([$ids[1]], $bad), 'newsletter');
                    $this->fail('accepted ' . var_export($bad, true));
                } catch (InvalidInputException $e) {
                    $this->assertStringContainsString('customer id', $e->getMessage());
                }
            }
            $this->expectException(InvalidInputException::class);
            $store->filterSendable([1], '*');
        } finally {
            $shop->drop();
        }
    }

    public function testMaySendIsOneRoundTrip(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        // The store connects as a user of its own, and the server's per-user statistics count that user's
        // statements alone: the global Questions counter also counts every other client of the server.
        $user = 'dsgvo_rt_' . getmypid();
        $admin = TestDatabase::pdo();
        $userstat = (int) $admin->query('SELECT @@GLOBAL.userstat')->fetchColumn();
        try {
            foreach (['%', 'localhost'] as $host) {
                $admin->exec("CREATE USER '$user'@'$host' IDENTIFIED BY 'Round-Trip-1'");
                $admin->exec("GRANT ALL ON `{$shop->db->name}`.* TO '$user'@'$host'");
            }
            $admin->exec('SET GLOBAL userstat = 1');
            $p = TestDatabase::parts(TestDatabase::baseDsn());
            $store = new Store(['dsn' => "mysql://$user:Round-Trip-1@{$p['host']}:{$p['port']}/{$shop->db->name}", 'shop' => 'oscommerce', 'secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('winback', 'existing_customer', ['min_interval_days' => 3, 'notice_since' => '2000-01-01']);
            $id = $shop->addCustomer('ida@example.org');
            $shop->addOrder($id, 'ida@example.org', 5);
            self::suppressAddress($shop, 'someone@example.org', self::SECRET);
            $store->maySend($id, 'winback'); // warm: statement prepared, suppression list loaded
            $statements = function () use ($admin, $user): int {
                $q = $admin->prepare('SELECT SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = ?');
                $q->execute([$user]);
                return (int) $q->fetchColumn();
            };
            $before = $statements();
            for ($i = 0; $i < 50; $i++) {
                $this->assertTrue($store->maySend($id, 'winback')->allowed);
            }
            // 50, or a statement or two more when the pool replaced a connection meanwhile (its session setup).
            $delta = $statements() - $before;
            $this->assertGreaterThanOrEqual(50, $delta);
            $this->assertLessThanOrEqual(52, $delta, "50 decisions took $delta statements");
        } finally {
            $admin->exec('SET GLOBAL userstat = ' . $userstat);
            foreach (['%', 'localhost'] as $host) {
                $admin->exec("DROP USER IF EXISTS '$user'@'$host'");
            }
            $shop->drop();
        }
    }

    public function testInvalidArguments(): void
    {
        $store = new Store(['dsn' => TestDatabase::baseDsn()]);
        foreach ([[0, 'newsletter'], [-1, 'newsletter'], [1, '*'], [1, 'News'], [1, '']] as [$id, $type]) {
            try {
                $store->maySend($id, $type);
                $this->fail("accepted $id/$type");
            } catch (InvalidInputException $e) {
                $this->assertNotSame('', $e->getMessage());
            }
        }
        foreach ([['news', 'opt_in', []], ['news', 'consent', ['max_age_days' => 5]], ['news', 'existing_customer', ['max_age_days' => '5']],
            ['news', 'existing_customer', ['notice_since' => '2024-13-01']], ['*', 'consent', []], ['news', 'consent', ['every' => 3]]] as [$t, $b, $o]) {
            try {
                $store->defineEmailType($t, $b, $o);
                $this->fail("defined $t/$b");
            } catch (InvalidInputException $e) {
                $this->assertNotSame('', $e->getMessage());
            }
        }
        $this->expectException(InvalidInputException::class);
        $store->optOut(1, 'All mail');
    }

    public function testProceduralAliasesUsePhpIni(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            ini_set('dsgvo.dsn', $shop->db->dsn);
            ini_set('dsgvo.shop', 'oscommerce');
            $store = new Store();
            $store->migrate();
            $id = $shop->addCustomer('jo@example.org');
            $store->grantConsent($id, 'newsletter');
            $this->assertTrue(\dsgvo_may_send($id, 'newsletter'));
            $this->assertTrue(\dsgvo_opt_out($id));
            $this->assertFalse(\dsgvo_opt_out($id));
            $this->assertFalse(\dsgvo_may_send($id, 'newsletter'));
            $this->assertTrue(\dsgvo_opt_out($id, 'review'));
        } finally {
            ini_restore('dsgvo.dsn');
            ini_restore('dsgvo.shop');
            $shop->drop();
        }
    }
}
