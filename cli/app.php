<?php
/**
 * The dsgvo command-line tool: global options, the store they configure, dispatch to the commands in
 * cli/commands/, help texts and exit codes (0 done, 1 failed, 2 usage or configuration error).
 */
declare(strict_types=1);

namespace DsgvoCli;

use Dsgvo\ConfigException;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** Options every command takes (they override php.ini's dsgvo.* settings). */
const GLOBAL_OPTIONS = [
    'dsn' => [true, 'mysql://user@host:port/database (default: env DSGVO_DSN, else php.ini dsgvo.dsn; a password belongs in DSGVO_DSN, not in the arguments ps shows)'],
    'shop' => [true, 'shop preset: oscommerce, zencart, modified, gambio, none (default: env DSGVO_SHOP, else dsgvo.shop)'],
    'shop-table-prefix' => [true, "prefix of the shop's tables, e.g. zen_ (default: env DSGVO_SHOP_TABLE_PREFIX, else php.ini)"],
    'table-prefix' => [true, "prefix of dsgvo's own tables (default: php.ini dsgvo.table_prefix, dsgvo_)"],
    'secret-file' => [true, 'file holding the HMAC secret (default: env DSGVO_SECRET, else dsgvo.secret; never give it as an argument)'],
    'json' => [false, 'print the result as JSON (for scripts)'],
    'help' => [false, 'show the help of the command'],
];

/** What a command gets to work with. */
final class Context
{
    /** @var Store|null */
    private $store;

    /**
     * @param array<string, string|true> $options
     * @param list<string> $args
     */
    public function __construct(public array $options, public array $args)
    {
    }

    public function option(string $name): ?string
    {
        $value = $this->options[$name] ?? null;
        return is_string($value) ? $value : null;
    }

    public function flag(string $name): bool
    {
        return ($this->options[$name] ?? false) === true;
    }

    public function json(): bool
    {
        return $this->flag('json');
    }

    /** The store, built from the global options and the environment on first use. */
    public function store(): Store
    {
        if ($this->store === null) {
            $options = [];
            $env = ['dsn' => 'DSGVO_DSN', 'shop' => 'DSGVO_SHOP', 'shop-table-prefix' => 'DSGVO_SHOP_TABLE_PREFIX'];
            foreach (['dsn' => 'dsn', 'shop' => 'shop', 'shop-table-prefix' => 'shop_table_prefix', 'table-prefix' => 'table_prefix'] as $cli => $name) {
                $value = $this->option($cli) ?? (isset($env[$cli]) && getenv($env[$cli]) !== false ? (string) getenv($env[$cli]) : null);
                if ($value !== null) {
                    $options[$name] = $value;
                }
            }
            $file = $this->option('secret-file');
            if ($file !== null) {
                $secret = @file_get_contents($file);
                if ($secret === false) {
                    throw new UsageError("cannot read the secret file $file");
                }
                $options['secret'] = rtrim($secret, "\r\n");
            } elseif (getenv('DSGVO_SECRET') !== false && getenv('DSGVO_SECRET') !== '') {
                $options['secret'] = (string) getenv('DSGVO_SECRET');
            }
            $this->store = new Store($options);
        }
        return $this->store;
    }

    /** A customer given as an id or an exact address (looked up in the shop's accounts). */
    public function customer(string $value): int
    {
        if (preg_match('/^[1-9][0-9]{0,17}$/', $value)) {
            return (int) $value;
        }
        if (strpos($value, '@') === false) {
            throw new UsageError("give the customer as an id or an email address, got '$value'");
        }
        $found = $this->store()->findCustomers($value, 2);
        if ($found === []) {
            throw new UsageError("no shop account has the address $value");
        }
        if (count($found) > 1) {
            throw new UsageError("several accounts have the address $value (ids " . implode(', ', array_column($found, 'customer_id')) . '); give the id');
        }
        return $found[0]['customer_id'];
    }
}

/**
 * A command: one line of summary, usage, its own options (name => [takes a value, help]), a description and
 * what it does.
 */
final class Command
{
    /**
     * @param array<string, array{0: bool, 1: string}> $options
     * @param callable(Context): int $run
     */
    public function __construct(
        public string $name,
        public string $summary,
        public string $usage,
        public array $options,
        public string $description,
        public $run
    ) {
    }

    public function help(): string
    {
        $lines = ["Usage: dsgvo {$this->usage}", '', $this->summary, ''];
        foreach (explode("\n", $this->description) as $line) {
            $lines[] = $line;
        }
        $lines[] = '';
        $lines[] = 'Options:';
        $all = $this->options + GLOBAL_OPTIONS;
        $width = max(array_map(fn ($n, $o) => strlen($n) + ($o[0] ? 8 : 0), array_keys($all), $all));
        foreach ($all as $name => [$takesValue, $help]) {
            $lines[] = sprintf("  --%-{$width}s  %s", $name . ($takesValue ? '=' . placeholder($this->usage, $name) : ''), $help);
        }
        $lines[] = '';
        $lines[] = 'Exit codes: 0 done, 1 failed (database, file, ledger check), 2 usage or configuration error (nothing done).';
        return implode("\n", $lines);
    }
}

/** The value's name as the usage line spells it (`--batch=N` gives N), else VALUE. */
function placeholder(string $usage, string $option): string
{
    $global = ['dsn' => 'URL', 'shop' => 'PRESET', 'shop-table-prefix' => 'PREFIX', 'table-prefix' => 'PREFIX', 'secret-file' => 'FILE'];
    return preg_match('/--' . preg_quote($option, '/') . '=([A-Za-z|_-]+)/', $usage, $m) ? $m[1] : ($global[$option] ?? 'VALUE');
}

/** @return array<string, Command> */
function commands(): array
{
    static $commands = null;
    if ($commands === null) {
        $commands = [];
        foreach (['export', 'erase', 'purge', 'verify_ledger', 'import_consents', 'import_opt_outs', 'requests', 'request', 'tags'] as $file) {
            $command = require __DIR__ . "/commands/$file.php";
            $commands[$command->name] = $command;
        }
    }
    return $commands;
}

function overview(): string
{
    $lines = ['Usage: dsgvo <command> [options]', '', 'GDPR records of the shop, from the command line (the dsgvo PHP extension).', '', 'Commands:'];
    foreach (commands() as $name => $command) {
        $lines[] = sprintf('  %-16s %s', $name, $command->summary);
    }
    $lines[] = '';
    $lines[] = "'dsgvo <command> --help' tells the options of a command. Settings come from php.ini (dsgvo.*), the";
    $lines[] = 'environment (DSGVO_DSN, DSGVO_SHOP, DSGVO_SHOP_TABLE_PREFIX, DSGVO_SECRET) and the options, in rising order.';
    $lines[] = '';
    $lines[] = 'Exit codes: 0 done, 1 failed (database, file, ledger check), 2 usage or configuration error (nothing done).';
    return implode("\n", $lines);
}

/** @param list<string> $argv */
function main(array $argv): int
{
    $name = $argv[1] ?? null;
    if ($name === null || $name === '--help' || $name === '-h' || $name === 'help') {
        $topic = $name === 'help' ? ($argv[2] ?? null) : null;
        if ($topic !== null) {
            if (!isset(commands()[$topic])) {
                err("dsgvo: unknown command '$topic'");
                return EXIT_USAGE;
            }
            out(commands()[$topic]->help());
            return EXIT_OK;
        }
        ($name === null ? 'DsgvoCli\err' : 'DsgvoCli\out')(overview());
        return $name === null ? EXIT_USAGE : EXIT_OK;
    }
    $command = commands()[$name] ?? null;
    if ($command === null) {
        err("dsgvo: unknown command '$name'");
        err(overview());
        return EXIT_USAGE;
    }
    try {
        $spec = array_map(fn ($o) => $o[0], $command->options + GLOBAL_OPTIONS);
        [$options, $args] = parse_args(array_slice($argv, 2), $spec);
        $context = new Context($options, $args);
        if ($context->flag('help')) {
            out($command->help());
            return EXIT_OK;
        }
        return ($command->run)($context);
    } catch (UsageError $e) {
        err("dsgvo $name: " . $e->getMessage());
        err("'dsgvo $name --help' shows the usage.");
        return EXIT_USAGE;
    } catch (ConfigException | InvalidInputException $e) {
        err("dsgvo $name: " . $e->getMessage());
        return EXIT_USAGE;
    } catch (\Dsgvo\Exception $e) {
        err("dsgvo $name: " . $e->getMessage());
        return EXIT_FAILED;
    }
}
