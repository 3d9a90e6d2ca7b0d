<?php
declare(strict_types=1);

// A TCP proxy to a MySQL server that lets the first COMMIT through to the server and then swallows
// the server's answer on that connection: the commit happens, the client never learns it did.
// The COMMIT is a COM_QUERY of its own, or (MariaDB) the end of a compound statement the client
// prepares (COM_STMT_PREPARE with "COMMIT; END") and then executes (COM_STMT_EXECUTE, 0x17): the
// answer swallowed is the execution's.
// Every other byte, and every later connection, is relayed as is.
// Usage: php commit_blackhole.php <server host> <server port>; prints its own port, then relays
// until it is terminated.

[$host, $port] = [$argv[1], (int) $argv[2]];
$listen = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
if ($listen === false) {
    fwrite(STDERR, "listen: $errstr\n");
    exit(1);
}
echo substr(strrchr((string) stream_socket_get_name($listen, false), ':'), 1), "\n";

$armed = true;
/** @var list<array{client: resource, server: resource, swallow: bool, commit_prepared: bool}> $pairs */
$pairs = [];
while (true) {
    $read = [$listen];
    foreach ($pairs as $p) {
        $read[] = $p['client'];
        $read[] = $p['server'];
    }
    $write = $except = null;
    if (stream_select($read, $write, $except, 1) === false) {
        break;
    }
    foreach ($read as $r) {
        if ($r === $listen) {
            $client = stream_socket_accept($listen);
            $server = stream_socket_client("tcp://$host:$port");
            if ($client !== false && $server !== false) {
                $pairs[] = ['client' => $client, 'server' => $server, 'swallow' => false, 'commit_prepared' => false];
            }
            continue;
        }
        foreach ($pairs as $i => $p) {
            $fromClient = $r === $p['client'];
            if (!$fromClient && $r !== $p['server']) {
                continue;
            }
            $data = fread($r, 65536);
            if ($data === '' || $data === false) {
                fclose($p['client']);
                fclose($p['server']);
                unset($pairs[$i]);
                $pairs = array_values($pairs);
                break;
            }
            if ($fromClient) {
                // A COM_QUERY packet (0x03) with the text COMMIT.
                if ($armed && strpos($data, "\x03COMMIT") !== false) {
                    $armed = false;
                    $pairs[$i]['swallow'] = true;
                } elseif ($armed && strpos($data, "\x16BEGIN NOT ATOMIC") !== false && strpos($data, 'COMMIT; END') !== false) {
                    $pairs[$i]['commit_prepared'] = true;
                } elseif ($armed && $p['commit_prepared'] && strlen($data) > 4 && $data[4] === "\x17") {
                    $armed = false;
                    $pairs[$i]['swallow'] = true;
                }
                fwrite($p['server'], $data);
            } elseif (!$p['swallow']) {
                fwrite($p['client'], $data);
            }
            break;
        }
    }
}
