<?php

// Floor scenario, preparation: renders the bench mail exactly as the o365 driver sends
// it (Laravel → Symfony MIME, base64 as Graph's MIME sendMail wants) and writes the
// request body to $argv[2]. Usage: php floor-prep.php BASE_PATH BODY_FILE

declare(strict_types=1);

require __DIR__.'/../bootstrap.php';

$app = O365\Bench\App::console($argv[1]);
$mailer = Illuminate\Support\Facades\Mail::mailer('array');
$mailer->to('customer@example.com')->send(new O365\Bench\BenchMail());
$mime = $mailer->getSymfonyTransport()->messages()->last()->toString();
file_put_contents($argv[2], base64_encode($mime));
echo strlen($mime)."\n";
