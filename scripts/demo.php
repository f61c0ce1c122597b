<?php

// Sends one Laravel Mailable through the `o365` mailer to the emulator at $argv[1] and
// prints what the emulator received. Part of scripts/demo.sh.

declare(strict_types=1);

use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\LaravelApp;

require __DIR__.'/../tests/php/bootstrap.php';

$base = $argv[1] ?? exit("usage: demo.php EMULATOR_URL\n");
$app = LaravelApp::create();
$app['config']->set('mail.mailers.o365', [
    'transport' => 'o365',
    'tenant_id' => 'contoso.onmicrosoft.com',
    'client_id' => getenv('O365_CLIENT_ID') ?: '00000000-0000-0000-0000-000000000001',
    'client_secret' => getenv('O365_CLIENT_SECRET') ?: 'emulator-secret',
    'login_endpoint' => $base,
    'graph_endpoint' => $base,
]);

echo "Sending a Laravel Mailable through the o365 mailer (extension ", o365_version(), ")\n";
try {
    $sent = Mail::to('ann@example.com')->cc('carl@example.com')->bcc('audit@example.com')->send(new WelcomeMail('Ann'));
} catch (\Throwable $e) {
    $root = $e->getPrevious() ?? $e;
    fprintf(STDERR, "\nSending failed: %s\n  %s\n", get_class($root), $root->getMessage());
    exit(1);
}
echo "Graph accepted it: ", trim(explode("\n", $sent->getDebug())[0]), "\n\n";

$messages = json_decode((string) file_get_contents("$base/_emulator/messages"), true, 512, JSON_THROW_ON_ERROR);
echo "The emulator received ", count($messages), " message(s):\n";
foreach ($messages as $m) {
    printf("  mailbox:  %s\n  subject:  %s\n  to:       %s\n  cc:       %s\n  bcc:      %s\n  format:   %s (%d bytes of MIME)\n",
        $m['mailbox'], $m['subject'], implode(', ', $m['to']), implode(', ', $m['cc']), implode(', ', $m['bcc']),
        $m['format'], strlen($m['mime'] ?? ''));
    $headerEnd = strpos($m['mime'], "\r\n\r\n");
    echo "  headers:\n    ", str_replace("\r\n", "\r\n    ", substr($m['mime'], 0, $headerEnd === false ? 600 : $headerEnd)), "\n";
}
