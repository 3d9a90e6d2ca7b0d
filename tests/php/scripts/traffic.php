<?php
// Live shop traffic for RetentionTest: logSend and maySend in a loop until the stop file appears.
// Prints {"calls": N, "sends": S, "max_ms": slowest call}.
declare(strict_types=1);

[$_, $dsn, $secret, $stop] = $argv;
$store = new Dsgvo\Store(['dsn' => $dsn, 'secret' => $secret]);
$calls = $sends = 0;
$max = 0.0;
while (!file_exists($stop)) {
    $customer = mt_rand(1, 50000);
    $t = hrtime(true);
    $store->logSend($customer, 'review', ['email' => "c$customer@example.org"]);
    $max = max($max, (hrtime(true) - $t) / 1e6);
    $sends++;
    $t = hrtime(true);
    $store->maySend($customer, 'review');
    $max = max($max, (hrtime(true) - $t) / 1e6);
    $calls += 2;
}
echo json_encode(['calls' => $calls, 'sends' => $sends, 'max_ms' => round($max, 1)]), "\n";
