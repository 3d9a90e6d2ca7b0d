<?php
// Reader of RecommendTest's atomic-refresh test: asks alsoBought() for products 1..101 over and over until the
// stop file appears. Prints {"reads": N, "counts": {rows returned: times}}.
declare(strict_types=1);

[$_, $dsn, $stop] = $argv;
$store = new Dsgvo\Store(['dsn' => $dsn]);
$counts = [];
$reads = 0;
$deadline = microtime(true) + 60;
while (!file_exists($stop) && microtime(true) < $deadline) {
    $n = count($store->alsoBought(1 + $reads % 101, 100));
    $counts[$n] = ($counts[$n] ?? 0) + 1;
    $reads++;
}
echo json_encode(['reads' => $reads, 'counts' => $counts]), "\n";
