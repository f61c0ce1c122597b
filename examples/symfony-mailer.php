<?php

// Sending with Symfony Mailer (no Laravel) through the o365 DSN:
//   php -d extension=o365 examples/symfony-mailer.php 'o365://CLIENT_ID:SECRET@TENANT_ID?mailbox=noreply@contoso.com' you@example.com
// URL-encode the secret. Query options are the extension's config keys (cloud, mailbox,
// login_endpoint, graph_endpoint, save_to_sent_items, timeout, max_retries, ca_file).
//
// Without a Microsoft 365 tenant, against the local emulator (built by `cargo build -p o365-emulator`):
//   target/debug/o365-emulator &          # listens on http://127.0.0.1:8365 (docs/emulator.md)
//   php -d extension=target/debug/libo365.so examples/symfony-mailer.php \
//     'o365://00000000-0000-0000-0000-000000000001:emulator-secret@contoso.onmicrosoft.com?mailbox=noreply@contoso.com&login_endpoint=http://127.0.0.1:8365&graph_endpoint=http://127.0.0.1:8365' you@example.com
//   curl -s http://127.0.0.1:8365/_emulator/messages     # what the emulator received

declare(strict_types=1);

// Symfony Mailer comes from your application's Composer autoloader (`composer require
// symfony/mailer o365-sendmail/o365-sendmail`). In a clone of this repository, where
// Packagist may be out of reach, the Symfony Mailer of the test bed that scripts/setup.sh
// extracts into .build/ stands in (Symfony Mailer alone, no Laravel).
$root = dirname(__DIR__);
if (is_file("$root/vendor/autoload.php")) {
    require "$root/vendor/autoload.php";
}
if (!class_exists(Symfony\Component\Mailer\Transport::class)) {
    // Else an OS-packaged Symfony Mailer (Debian's php-symfony-mailer, as in the forky test root).
    $found = [...(glob("$root/.build/laravel*/root/usr/share/php/Symfony/Component/Mailer/autoload.php") ?: []),
        ...(glob('/usr/share/php/Symfony/Component/Mailer/autoload.php') ?: [])];
    foreach ($found as $symfony) {
        require $symfony;
        break;
    }
}
if (!class_exists(Symfony\Component\Mailer\Transport::class) || !class_exists(O365\Symfony\Transport::class)) {
    fwrite(STDERR, "Symfony Mailer or the o365 package is not installed: run this inside your application after\n"
        ."`composer require symfony/mailer o365-sendmail/o365-sendmail`, or in this repository after\n"
        ."`scripts/setup.sh && composer dump-autoload` (which extract a Symfony Mailer into .build/).\n");
    exit(2);
}

use O365\Symfony\Transport;
use Symfony\Component\Mime\Email;

if ($argc !== 3) {
    fwrite(STDERR, "usage: php -d extension=o365 examples/symfony-mailer.php DSN RECIPIENT (see the comment at the top for the emulator)\n");
    exit(2);
}
[, $dsn, $to] = $argv;

try {
    $transport = Transport::fromDsn($dsn);      // o365://, and Symfony's own schemes, also in failover(...)
    $email = (new Email())
        ->from('noreply@contoso.com')
        ->to($to)
        ->subject('Hello from Symfony Mailer')
        ->text('Sent through Microsoft Graph.')
        ->html('<p>Sent through <b>Microsoft Graph</b>.</p>');
    // (new Symfony\Component\Mailer\Mailer($transport))->send($email) works too; the
    // transport's SentMessage carries Graph's request-id as its message id.
    $sent = $transport->send($email);
} catch (Throwable $e) {
    fprintf(STDERR, "%s: %s\n", get_class($e), $e->getMessage());
    exit(1);
}
echo 'Graph request-id: ', $sent?->getMessageId(), "\n";
