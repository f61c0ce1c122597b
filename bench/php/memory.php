<?php

// Memory scenario: one mail with a large attachment through mailer $argv[2], in a fresh
// PHP process. Reports peak RSS (VmHWM: PHP + the extension's native buffers and
// threads) and PHP's own peak, both reset after boot so that they measure the send.
// With `data`, the file is read into a PHP string before the peaks are reset and attached
// with attachData() (the message is in memory by the user's choice; growth must not be
// worse than the string path's).
// Usage: php memory.php BASE_PATH MAILER ATTACHMENT_PATH [data]  → one JSON line

declare(strict_types=1);

require __DIR__.'/../bootstrap.php';

function status_kb(string $field): int
{
    preg_match('/^'.$field.':\s+(\d+) kB/m', (string) file_get_contents('/proc/self/status'), $m);

    return (int) ($m[1] ?? 0);
}

[$base, $mailer, $path] = [$argv[1], $argv[2], $argv[3]];
$data = ($argv[4] ?? '') === 'data' ? (string) file_get_contents($path) : null;
$app = O365\Bench\App::console($base);
$mail = Illuminate\Support\Facades\Mail::mailer($mailer);
gc_collect_cycles();
$rssBefore = status_kb('VmRSS');
$phpBefore = memory_get_usage(true);
file_put_contents('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
memory_reset_peak_usage();
$started = hrtime(true);
$error = null;
try {
    $mail->to('customer@example.com')->send(new O365\Bench\BenchMail($path, $data));
} catch (Throwable $e) {
    $error = get_class($e).': '.$e->getMessage();
    for ($p = $e->getPrevious(); $p !== null; $p = $p->getPrevious()) {
        $error .= ' <- '.get_class($p).': '.$p->getMessage();
    }
}
echo json_encode([
    'mailer' => $mailer,
    'attach' => $data === null ? 'path' : 'data',
    'attachment_bytes' => filesize($path),
    'ok' => $error === null,
    'error' => $error === null ? null : mb_substr(preg_replace('/\s+/', ' ', $error), 0, 400),
    'seconds' => (hrtime(true) - $started) / 1e9,
    'rss_before_kb' => $rssBefore,
    'peak_rss_kb' => status_kb('VmHWM'),
    'php_before_bytes' => $phpBefore,
    'php_peak_bytes' => memory_get_peak_usage(true),
], JSON_THROW_ON_ERROR)."\n";
