<?php

// Run by ExtensionMissingTest in a PHP without the o365 extension: boots the Laravel app
// (must work), then sends through the o365 mailer (must fail, saying how to install).

declare(strict_types=1);

require dirname(__DIR__, 2).'/bootstrap-testbed.php';

use Illuminate\Support\Facades\Mail;
use O365\Tests\Support\LaravelApp;

echo extension_loaded('o365') ? "extension loaded\n" : "extension not loaded\n";
$app = LaravelApp::create();
$app['config']->set('mail.mailers.o365', ['transport' => 'o365', 'tenant_id' => 't', 'client_id' => 'c', 'client_secret' => 's']);
echo "booted\n";
Mail::mailer('array')->raw('other mailers still work', fn ($m) => $m->to('ann@example.com'));
echo "array mailer sent\n";
try {
    Mail::mailer('o365')->raw('hello', fn ($m) => $m->to('ann@example.com'));
    echo "sent?!\n";
} catch (\Throwable $e) {
    echo get_class($e), "\n", 'previous: ', get_class($e->getPrevious() ?? $e), "\n", $e->getMessage(), "\n";
}
// The Artisan commands say it in one line, never with an exception box.
$output = new \Symfony\Component\Console\Output\BufferedOutput();
$code = $app->make(\Illuminate\Contracts\Console\Kernel::class)->call('o365:check', [], $output);
echo "o365:check exit $code: ", strtok($output->fetch(), "\n"), "\n";
// Code written against the old name still catches it.
try {
    throw \O365\ExtensionMissingException::create();
} catch (\O365\Symfony\ExtensionMissing $e) {
    echo "deprecated alias caught: yes\n";
}
$app->flush();
