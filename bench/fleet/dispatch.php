<?php

// Queues N mails across M mailboxes (m1@contoso.com ... round robin) on the Redis queue.
// Usage: php dispatch.php RUN N M

declare(strict_types=1);

[, $run, $n, $m] = $argv;
$app = require __DIR__.'/bootstrap.php';
$app->make(Illuminate\Contracts\Console\Kernel::class)->bootstrap();
for ($i = 0; $i < (int) $n; $i++) {
    $mailbox = 'm'.($i % (int) $m + 1).'@contoso.com';
    Illuminate\Support\Facades\Mail::to("rcpt$i@example.com")->queue(new O365\Bench\Fleet\FleetMail($run, $i, $mailbox, microtime(true)));
}
