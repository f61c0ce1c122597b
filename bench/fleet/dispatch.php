<?php

// Queues N mails across M mailboxes (m1@contoso.com ...) on the Redis queue: each mail's
// mailbox drawn at random (seeded: the same sequence every run), as an app's mail comes,
// or round robin with FLEET_ORDER=round-robin (which spreads the mailboxes evenly over the
// workers: the kindest case for workers without a shared limiter).
// Usage: php dispatch.php RUN N M

declare(strict_types=1);

[, $run, $n, $m] = $argv;
$app = require __DIR__.'/bootstrap.php';
$app->make(Illuminate\Contracts\Console\Kernel::class)->bootstrap();
mt_srand(14);
$roundRobin = getenv('FLEET_ORDER') === 'round-robin';
for ($i = 0; $i < (int) $n; $i++) {
    $mailbox = 'm'.(($roundRobin ? $i % (int) $m : mt_rand(0, (int) $m - 1)) + 1).'@contoso.com';
    Illuminate\Support\Facades\Mail::to("rcpt$i@example.com")->queue(new O365\Bench\Fleet\FleetMail($run, $i, $mailbox, microtime(true)));
}
