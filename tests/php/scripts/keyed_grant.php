<?php
// One call of ScalingTest's deadlock test: grantConsent with an idempotency key, in its own process so
// the test's own connection can take part in the deadlock. Prints {"id": N} or {"error": "...", "code": N}.
declare(strict_types=1);

[$_, $dsn, $key] = $argv;
$store = new Dsgvo\Store(['dsn' => $dsn, 'query_timeout_ms' => 8000]);
try {
    echo json_encode(['id' => $store->grantConsent(7, 'newsletter', ['idempotency_key' => $key])]), "\n";
} catch (Dsgvo\Exception $e) {
    echo json_encode(['error' => get_class($e) . ': ' . $e->getMessage(), 'code' => $e->getCode()]), "\n";
}
