<?php
// Waits until the file named by argv[2] exists, then migrates the database of argv[1] and prints the version.
declare(strict_types=1);

[$_, $dsn, $go] = $argv;
$deadline = microtime(true) + 30;
while (!file_exists($go) && microtime(true) < $deadline) {
    usleep(1000);
}
echo (new Dsgvo\Store(['dsn' => $dsn]))->migrate(), "\n";
