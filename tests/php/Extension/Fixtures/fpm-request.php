<?php

// Served by a php-fpm worker (FpmWorkerTest): MODE=fatal-in-callback or
// timeout-in-callback starts a large send whose progress callback dies; MODE=send sends
// a small message. Every response starts with the worker's pid.

declare(strict_types=1);

echo 'pid=', getmypid(), "\n";
$mailer = new O365\Mailer([
    'tenant_id' => 'contoso.onmicrosoft.com',
    'client_id' => '00000000-0000-0000-0000-000000000001',
    'client_secret' => 'emulator-secret',
    'login_endpoint' => $_SERVER['O365_BASE'],
    'graph_endpoint' => $_SERVER['O365_BASE'],
    'max_retries' => 1,
]);
$mode = $_SERVER['O365_MODE'];
$mime = "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: $mode\r\nMIME-Version: 1.0\r\n";
if ($mode === 'send') {
    $receipt = $mailer->sendMime($mime."\r\nbody\r\n");
    echo "sent {$receipt['route']}\n";
    exit;
}
$mime .= "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
    ."--B\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n"
    ."Content-Disposition: attachment; filename=big.bin\r\n\r\n"
    .chunk_split(base64_encode(random_bytes(5 * 1024 * 1024)), 76, "\r\n")."--B--\r\n";
$mailer->sendMime($mime, null, [], static function (array $p) use ($mode): void {
    if ($p['phase'] !== 'upload') {
        return;
    }
    if ($mode === 'fatal-in-callback') {
        trigger_error('fatal in the callback', E_USER_ERROR);
    }
    set_time_limit(1);
    while (true) {
        hash('sha256', 'spin');
    }
});
echo "not reached\n";
