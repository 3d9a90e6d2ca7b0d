<?php
/**
 * Hostile input: calls every public method of Dsgvo\Store (and the constructor and the procedural
 * functions) with random and adversarial arguments, a fixed number of times with a fixed seed.
 * Passes when only TypeError, ValueError or Dsgvo\Exception are thrown, and the database holds exactly
 * the rows the successful calls wrote.
 *   php -d extension=target/release/libdsgvo.so tests/robustness/fuzz.php DSN SEED CALLS
 * Prints a JSON report; exit code 0 when it passes.
 */
declare(strict_types=1);

[$_, $dsn, $seed, $calls] = $argv + [null, null, '1', '20000'];
mt_srand((int) $seed);
$secret = 'a3ce80d63af1dfed226f8409f7a306122f4d9b869d7221b0502be25956041ee4';
$store = new Dsgvo\Store(['dsn' => $dsn, 'secret' => $secret]);
$store->migrate();
$tmp = sys_get_temp_dir() . '/dsgvo-fuzz-' . getmypid();
@mkdir($tmp);
// Relative paths given to exportTo() land in the working directory: keep them in the scratch dir.
$home = getcwd();
chdir($tmp);

$tokens = ['x'];
$sends = [1];
$pick = function (array $xs) {
    return $xs[mt_rand(0, count($xs) - 1)];
};
$int = function () use ($pick, &$sends): int {
    return $pick([1, 2, 3, mt_rand(1, 50), mt_rand(1, 50), 0, -1, PHP_INT_MAX, PHP_INT_MIN, mt_rand(), -mt_rand(), $pick($sends)]);
};
$string = function () use ($pick, &$tokens, $tmp): string {
    return $pick([
        '', 'newsletter', 'review.request', '*', 'vip', 'a@example.org', ' A@Example.org ', 'not-an-email',
        str_repeat('a', mt_rand(60, 70)), str_repeat('x', 100000), "nul\0byte", "\xff\xfe\xfa", "\xc3\x28",
        '<script>alert(1)</script>', "' OR '1'='1", '`; DROP TABLE dsgvo_send_log; --', '%s%n%x', "line\r\nBcc: x@y.z",
        '2019-05-01T10:00:00Z', '2999-01-01T00:00:00Z', 'https://shop.example/u', 'http://shop.example/u',
        '😀🔥', 'zip', 'json', 'consent', 'existing_customer', 'transactional', '192.0.2.1', '::1',
        $pick($tokens), substr($pick($tokens), 0, 20), strrev($pick($tokens)), bin2hex(random_bytes(mt_rand(1, 40))),
        $tmp . '/export-' . mt_rand(1, 5) . '.zip', '/nonexistent/dir/x.zip', $tmp,
    ]);
};
$array = function (int $depth = 0) use (&$array, $pick, $string, $int): array {
    $keys = ['source', 'text', 'ip', 'user_agent', 'actor', 'occurred_at', 'text_version', 'email', 'subject', 'message_id',
        'order_id', 'sent_at', 'dry_run', 'shop_data', 'overwrite', 'max_age_days', 'notice_since', 'min_interval_days',
        'kind', 'since', 'until', 'limit', 'min_orders', 'min_rating', 'min_spent', 'rules', 'bogus', 0, 1, "\xff\xfe", "nul\0key"];
    $out = [];
    for ($i = mt_rand(0, 4); $i > 0; $i--) {
        $out[$pick($keys)] = $depth < 2 && mt_rand(0, 9) === 0 ? $array($depth + 1) : $pick([$string(), $int(), true, false, null, 1.5]);
    }
    if (mt_rand(0, 3) === 0) {
        $out['dry_run'] = true; // erase and purge stay previews, so the row model stays simple
    }
    if (mt_rand(0, 49) === 0) {
        $out[$pick(['text', 'email', 'bogus'])] = &$out; // an array that contains itself (last: it aliases $out)
    }
    return $out;
};
$value = function (?ReflectionType $type) use ($pick, $int, $string, $array) {
    // Mostly the declared type, sometimes anything at all.
    $name = $type instanceof ReflectionNamedType ? $type->getName() : 'mixed';
    if (mt_rand(0, 9) === 0) {
        return $pick([null, 1.5, [], new stdClass(), true, $int(), $string(), $array()]);
    }
    switch ($name) {
        case 'int':
            return $int();
        case 'string':
            return $string();
        case 'array':
            return mt_rand(0, 4) === 0 ? [$int(), $int(), $string()] : $array();
        default:
            return $string();
    }
};

$pdo = (function (string $dsn): PDO {
    $u = parse_url($dsn);
    return new PDO(sprintf('mysql:host=%s;port=%d;dbname=%s', $u['host'], $u['port'] ?? 3306, ltrim($u['path'], '/')), $u['user'] ?? 'root', $u['pass'] ?? '');
})($dsn);
$count = function (string $table) use ($pdo): int {
    return (int) $pdo->query("SELECT COUNT(*) FROM dsgvo_$table")->fetchColumn();
};
// What an objection or a confirmation writes depends on the state (revocations of the consents it covers,
// an address entry, lifts it ends or makes): measured around each successful call instead of modelled.
$measured = ['optOut', 'unsubscribe', 'optOutEmail', 'confirmConsent', 'dsgvo_opt_out'];
$snapshot = function () use ($count): array {
    return ['consent_events' => $count('consent_events'), 'opt_outs' => $count('opt_outs'), 'suppressions' => $count('suppressions')];
};

$methods = array_values(array_filter((new ReflectionClass(Dsgvo\Store::class))->getMethods(ReflectionMethod::IS_PUBLIC), function ($m) {
    return $m->getName() !== '__construct';
}));
$expected = ['consent_events' => 0, 'send_log' => 0, 'opt_outs' => 0, 'suppressions' => 0, 'restrictions' => 0];
$rated = $archived = $tags = $types = $restricted = $tagRules = [];
$thrown = [];
$unexpected = [];
for ($i = 0; $i < (int) $calls; $i++) {
    $r = mt_rand(0, 99);
    if ($r < 3) {
        $fn = function () use ($array, $string) {
            return new Dsgvo\Store(mt_rand(0, 1) ? $array() : ['dsn' => $string(), 'table_prefix' => $string()]);
        };
        $name = '__construct';
        $args = [];
    } elseif ($r < 5) {
        $name = $pick(['dsgvo_may_send', 'dsgvo_opt_out', 'dsgvo_export']);
        $fn = $name;
        $args = [$int(), $string()];
        if ($name === 'dsgvo_export') {
            array_pop($args);
        }
    } else {
        $method = $pick($methods);
        $name = $method->getName();
        $fn = [$store, $name];
        $args = [];
        foreach ($method->getParameters() as $p) {
            if ($p->isOptional() && mt_rand(0, 2) === 0) {
                break;
            }
            $args[] = $value($p->getType());
        }
        if (mt_rand(0, 30) === 0) {
            $args[] = 'one too many';
        }
        if (in_array($name, ['erase', 'purgeExpired'], true) && is_array($args[1] ?? $args[0] ?? null)) {
            // Previews only (see above); a call without options stays a preview via the forced key.
            $key = $name === 'erase' ? 1 : 0;
            $args[$key]['dry_run'] = true;
        }
        if (in_array($name, ['erase', 'purgeExpired'], true) && count($args) < ($name === 'erase' ? 2 : 1)) {
            $args = $name === 'erase' ? [$args[0] ?? 1, ['dry_run' => true]] : [['dry_run' => true]];
        }
    }
    $before = in_array($name, $measured, true) ? $snapshot() : null;
    try {
        $result = $fn(...$args);
    } catch (TypeError | ValueError | Dsgvo\Exception $e) {
        $thrown[get_class($e)] = ($thrown[get_class($e)] ?? 0) + 1;
        continue;
    } catch (Throwable $e) {
        $unexpected[] = "$name: " . get_class($e) . ': ' . substr($e->getMessage(), 0, 200);
        continue;
    }
    if ($before !== null) {
        $delta = array_map(function (int $after, int $was): int {
            return $after - $was;
        }, $snapshot(), $before);
        $delta = array_combine(array_keys($before), $delta);
        // A confirmation appends one event (and may lift an address entry); an objection that reports
        // nothing new wrote nothing (one that did may net to zero rows: a lift replaced by the objection).
        $new = $name === 'unsubscribe' ? $result['new'] : $result;
        $wrote = $delta !== array_fill_keys(array_keys($delta), 0);
        if ($name === 'confirmConsent' ? $delta['consent_events'] !== 1 : $new === false && $wrote) {
            $unexpected[] = "$name: returned " . json_encode($result) . ' but wrote ' . json_encode($delta);
        }
        foreach ($delta as $table => $n) {
            $expected[$table] += $n;
        }
        // An objection to all mail or to personalisation removes the customer's tags (Art. 21(3)): the
        // model keeps the tags still there; a tag the model does not know shows up in the count below.
        $present = [];
        foreach ($pdo->query('SELECT customer_id, tag FROM dsgvo_tags')->fetchAll(PDO::FETCH_NUM) as [$customer, $tag]) {
            $present["$customer/$tag"] = true;
        }
        $tags = array_intersect_key($tags, $present);
        continue;
    }
    // The model of what a successful call wrote.
    switch ($name) {
        case 'grantConsent':
        case 'revokeConsent':
            $expected['consent_events']++;
            break;
        case 'requestConsent':
            $expected['consent_events']++;
            $tokens[] = $result;
            break;
        case 'unsubscribeToken':
            $tokens[] = $result;
            break;
        case 'logSend':
            $expected['send_log']++;
            $sends[] = $result;
            break;
        case 'rateEmail':
            $rated[$args[0]] = true;
            break;
        case 'archiveEmail':
            $archived[$args[0]] = true;
            break;
        case 'tag':
            // false: the customer objects to all mail or to personalisation; nothing was written.
            if ($result === true) {
                $tags[$args[0] . '/' . $args[1]] = true;
            }
            break;
        case 'untag':
            unset($tags[$args[0] . '/' . $args[1]]);
            break;
        case 'defineEmailType':
            $types[$args[0]] = true;
            break;
        case 'restrict':
            // Restricting a restricted customer records nothing and answers the restriction in force.
            if (!isset($restricted[$args[0]])) {
                $expected['restrictions']++;
                $restricted[$args[0]] = true;
            }
            break;
        case 'unrestrict':
            // Succeeds only for a restricted customer (else InvalidInputException, nothing written).
            $expected['restrictions']++;
            unset($restricted[$args[0]]);
            break;
        case 'defineTagRule':
            $tagRules[$args[0]] = true;
            break;
        case 'dropTagRule':
            // Removes the rule and the tags it set (none here: applyTagRules needs a shop preset).
            unset($tagRules[$args[0]]);
            break;
    }
}

$rows = [];
foreach ($expected as $table => $n) {
    $rows[$table] = ['expected' => $n, 'actual' => $count($table)];
}
$rows['email_ratings'] = ['expected' => count($rated), 'actual' => $count('email_ratings')];
$rows['email_archive'] = ['expected' => count($archived), 'actual' => $count('email_archive')];
$rows['tags'] = ['expected' => count($tags), 'actual' => $count('tags')];
$rows['email_types'] = ['expected' => count($types), 'actual' => $count('email_types')];
$rows['tag_rules'] = ['expected' => count($tagRules), 'actual' => $count('tag_rules')];
$ledger = $store->verifyLedger();
chdir($home);
array_map("unlink", array_filter(glob("$tmp/{,.}*", GLOB_BRACE) ?: [], "is_file"));
@rmdir($tmp);

$mismatch = array_filter($rows, function ($r) {
    return $r['expected'] !== $r['actual'];
});
$report = ['calls' => (int) $calls, 'exceptions' => $thrown, 'unexpected' => array_slice($unexpected, 0, 20),
    'unexpected_count' => count($unexpected), 'rows' => $rows, 'ledger_ok' => $ledger['ok']];
echo json_encode($report, JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE), "\n";
exit($unexpected === [] && $mismatch === [] && $ledger['ok'] ? 0 : 1);
