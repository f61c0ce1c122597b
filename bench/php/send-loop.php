<?php

// CPU scenario: N sends, each in a fresh Laravel application (one PHP process, as one
// php-fpm worker lives), through mailer $argv[2]. Run under callgrind by bench/run.sh;
// the `array` mailer run is subtracted to leave the cost of the transport itself.
// Usage: php send-loop.php BASE_PATH MAILER [N]

declare(strict_types=1);

require __DIR__.'/../bootstrap.php';

[$base, $mailer, $n] = [$argv[1], $argv[2], (int) ($argv[3] ?? 50)];
$marker = fopen('php://memory', 'w');
for ($i = 0; $i < $n; $i++) {
    fflush($marker); // callgrind --dump-before=zif_fflush: one profile part per iteration
    $app = O365\Bench\App::console($base);
    Illuminate\Support\Facades\Mail::mailer($mailer)->to('customer@example.com')->send(new O365\Bench\BenchMail());
    $app->flush();
}
fflush($marker);
echo "sent $n through $mailer\n";
