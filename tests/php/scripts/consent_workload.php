<?php
// One worker of ConsentConcurrencyTest: waits for the start file, then makes N random grants, revokes
// and double opt-in requests over 20 customers and 3 purposes; after some requests it also confirms one
// of its own open tokens (an extra event, unless the request went stale). Prints {"ops": N, "confirms": C}.
declare(strict_types=1);

[$_, $dsn, $secret, $seed, $ops, $go] = $argv;
mt_srand((int) $seed);
$store = new Dsgvo\Store(['dsn' => $dsn, 'secret' => $secret]);
$purposes = ['newsletter', 'review.request', 'birthday'];
$open = [];
$confirms = 0;

$deadline = microtime(true) + 30;
while (!file_exists($go) && microtime(true) < $deadline) {
    usleep(1000);
}
for ($i = 0; $i < (int) $ops; $i++) {
    $customer = mt_rand(1, 20);
    $purpose = $purposes[mt_rand(0, 2)];
    $proof = ['source' => 'api', 'ip' => sprintf('192.0.2.%d', mt_rand(1, 254))];
    switch (mt_rand(0, 2)) {
        case 0:
            $store->grantConsent($customer, $purpose, $proof);
            break;
        case 1:
            $store->revokeConsent($customer, $purpose, $proof);
            break;
        default:
            $open[] = $store->requestConsent($customer, $purpose, $proof);
    }
    if ($open && mt_rand(0, 3) === 0) {
        $token = array_splice($open, mt_rand(0, count($open) - 1), 1)[0];
        try {
            $store->confirmConsent($token, ['ip' => '198.51.100.1']);
            $confirms++;
        } catch (Dsgvo\TokenException $e) {
            // Refused, writing nothing, when the purpose was revoked after the request (by any worker).
            if (strpos($e->getMessage(), 'no longer valid') === false) {
                throw $e;
            }
        }
    }
}
echo json_encode(['ops' => (int) $ops, 'confirms' => $confirms]), "\n";
