<?php

// A large send (draft path) whose progress callback misbehaves on its first upload
// report, then a second send in the same process from a shutdown function (shutdown
// functions run after fatal errors and exit() too). Prints one line per event.
// Usage: php callback-misbehaves.php EMULATOR_URL MODE

declare(strict_types=1);

require_once __DIR__.'/../../Support/TestMail.php';

use O365\Tests\Support\TestMail;

[, $base, $mode] = $argv;
$mailer = new O365\Mailer(TestMail::config($base, ['timeout' => 20]));

register_shutdown_function(static function () use ($mailer): void {
    try {
        $receipt = $mailer->sendMime(TestMail::mime('second'));
        echo "second: sent {$receipt['route']}\n";
    } catch (\Throwable $e) {
        echo 'second: failed ', get_class($e), ': ', $e->getMessage(), "\n";
    }
});

$callback = static function (array $p) use ($mode, $mailer) {
    if ($p['phase'] !== 'upload') {
        return null;
    }
    echo "callback: $mode\n";
    switch ($mode) {
        case 'user-error':
            trigger_error('fatal in the callback', E_USER_ERROR);
            // no break: not reached
        case 'timeout':
            set_time_limit(1);
            while (true) {
                hash('sha256', 'spin');
            }
            // no break: not reached
        case 'memory':
            ini_set('memory_limit', (string) (memory_get_usage() + 8 * 1024 * 1024));
            $big = str_repeat('x', 64 * 1024 * 1024);

            return strlen($big) > 0;
        case 'exit':
            exit(3);
        case 'throw':
            throw new \DomainException('the callback failed');
        case 'send-again':
            try {
                $mailer->sendMime(TestMail::mime('inner'));
                echo "inner: sent\n";
            } catch (\Throwable $e) {
                echo 'inner: ', get_class($e), ': ', $e->getMessage(), "\n";
                throw $e;
            }
            return null;
        case 'fiber-suspend':
            \Fiber::suspend('from the callback');
            echo "callback: resumed\n";

            return null;
    }

    return null;
};

$first = static function () use ($mailer, $callback): void {
    try {
        $receipt = $mailer->sendMime(TestMail::mime('first', 5 * 1024 * 1024), null, [], $callback);
        echo "first: sent {$receipt['route']}\n";
    } catch (\Throwable $e) {
        echo 'first: threw ', get_class($e), ': ', $e->getMessage(), "\n";
    }
};
if ($mode === 'fiber-suspend') {
    $fiber = new \Fiber($first);
    $suspended = $fiber->start();
    echo 'fiber: ', $fiber->isTerminated() ? 'terminated' : 'suspended with '.var_export($suspended, true), "\n";
} else {
    $first();
}
echo "script: end\n";
