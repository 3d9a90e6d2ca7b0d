<?php
// Fork scenario for ForkTest: the parent uses a Store, then forks N times. Each child uses the inherited
// Store (ping + migrate, several times) and exits; the parent uses it again after every fork, while the
// child may still be running. Prints a JSON report; exit 0 when every process did its calls.
declare(strict_types=1);

[$_, $dsn, $forks] = $argv;
$store = new Dsgvo\Store(['dsn' => $dsn, 'connect_timeout_ms' => 2000, 'query_timeout_ms' => 5000]);
$version = $store->migrate(); // the schema version this build migrates to
$store->ping();

$report = ['children_ok' => 0, 'children_failed' => 0, 'children_hung' => 0, 'parent_calls_after_fork' => 0];
for ($i = 0; $i < (int) $forks; $i++) {
    $pid = pcntl_fork();
    if ($pid === -1) {
        fwrite(STDERR, "fork failed\n");
        exit(1);
    }
    if ($pid === 0) {
        $ok = true;
        try {
            for ($j = 0; $j < 5; $j++) {
                $ok = $ok && $store->ping() && $store->migrate() === $version;
            }
        } catch (Throwable $e) {
            fwrite(STDERR, "child: " . get_class($e) . ': ' . $e->getMessage() . "\n");
            $ok = false;
        }
        exit($ok ? 0 : 3);
    }
    // Parent, concurrently with the child.
    if ($store->ping() && $store->migrate() === $version) {
        $report['parent_calls_after_fork']++;
    }
    $deadline = microtime(true) + 20;
    while (true) {
        $waited = pcntl_waitpid($pid, $status, WNOHANG);
        if ($waited === $pid) {
            pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0
                ? $report['children_ok']++
                : $report['children_failed']++;
            break;
        }
        if (microtime(true) > $deadline) {
            posix_kill($pid, SIGKILL);
            pcntl_waitpid($pid, $status);
            $report['children_hung']++;
            break;
        }
        usleep(2000);
    }
}
echo json_encode($report), "\n";
exit($report['children_ok'] === (int) $forks && $report['parent_calls_after_fork'] === (int) $forks ? 0 : 1);
