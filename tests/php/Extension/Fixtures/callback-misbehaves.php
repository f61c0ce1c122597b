<?php

// A large send (draft path) whose progress callback misbehaves on its first upload
// report, then a second send in the same process from a shutdown function (shutdown
// functions run after fatal errors and exit() too). Prints one line per event.
// Usage: php callback-misbehaves.php EMULATOR_URL MODE

declare(strict_types=1);

[, $base, $mode] = $argv;
$mailer = new O365\Mailer([
    'tenant_id' => 'contoso.onmicrosoft.com',
    'client_id' => '00000000-0000-0000-0000-000000000001',
    'client_secret' => 'emulator-secret',
    'login_endpoint' => $base,
    'graph_endpoint' => $base,
    'max_retries' => 1,
    'timeout' => 20,
]);

function message(string $subject, int $attachmentBytes): string
{
    $mime = "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: $subject\r\nMIME-Version: 1.0\r\n";
    if ($attachmentBytes === 0) {
        return $mime."\r\nbody\r\n";
    }

    return $mime."Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        ."--B\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n"
        ."Content-Disposition: attachment; filename=big.bin\r\n\r\n"
        .chunk_split(base64_encode(random_bytes($attachmentBytes)), 76, "\r\n")."--B--\r\n";
}

register_shutdown_function(static function () use ($mailer): void {
    try {
        $receipt = $mailer->sendMime(message('second', 0));
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
                $mailer->sendMime(message('inner', 0));
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
        $receipt = $mailer->sendMime(message('first', 5 * 1024 * 1024), null, [], $callback);
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
