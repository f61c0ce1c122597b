<?php

// Served by a php-fpm worker (FpmWorkerTest): MODE=fatal-in-callback or
// timeout-in-callback starts a large send whose progress callback dies; MODE=send sends
// a small message. Every response starts with the worker's pid.

declare(strict_types=1);

echo 'pid=', getmypid(), "\n";
require_once __DIR__.'/../../Support/TestMail.php';
$mailer = new O365\Mailer(O365\Tests\Support\TestMail::config($_SERVER['O365_BASE']));
$mode = $_SERVER['O365_MODE'];
if ($mode === 'send') {
    $receipt = $mailer->sendMime(O365\Tests\Support\TestMail::mime($mode));
    echo "sent {$receipt['route']}\n";
    exit;
}
$mime = O365\Tests\Support\TestMail::mime($mode, 5 * 1024 * 1024);
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
