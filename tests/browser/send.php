<?php
// Sends one MIME file through the real o365 extension to an emulator and prints the
// outcome as JSON: {"ok": true, "receipt": {...}} or {"ok": false, "class": ..., ...}.
// With `--check` for MIME_FILE it runs the mailbox check (what `o365:check` does) and
// prints {"ok": true, "check": {...}}.
// Usage: php -d extension=target/debug/libo365.so send.php BASE_URL MIME_FILE|--check [MAILBOX]
declare(strict_types=1);

[$self, $base, $file] = $argv + [null, null, null];
$mailbox = $argv[3] ?? null;
if (!$base || !$file) {
    fwrite(STDERR, "usage: php -d extension=libo365.so send.php BASE_URL MIME_FILE|--check [MAILBOX]\n");
    exit(2);
}
require_once __DIR__.'/../php/Support/TestMail.php';
$mailer = new O365\Mailer(O365\Tests\Support\TestMail::config($base, ['max_retries' => 0]));
try {
    if ($file === '--check') {
        echo json_encode(['ok' => true, 'check' => $mailer->checkMailbox($mailbox)]), "\n";
        exit(0);
    }
    $receipt = $mailer->sendMime((string) file_get_contents($file), $mailbox);
    echo json_encode(['ok' => true, 'receipt' => $receipt]), "\n";
} catch (O365\Exception $e) {
    echo json_encode([
        'ok' => false,
        'class' => get_class($e),
        'graph_code' => $e->getGraphCode(),
        'status' => $e->getStatusCode(),
        'request_id' => $e->getRequestId(),
        'message' => $e->getMessage(),
    ]), "\n";
}
