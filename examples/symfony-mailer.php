<?php

// Sending with Symfony Mailer (no Laravel) through the o365 DSN:
//   php -d extension=o365 examples/symfony-mailer.php 'o365://CLIENT_ID:SECRET@TENANT_ID?mailbox=noreply@contoso.com' you@example.com
// URL-encode the secret. Query options are the extension's config keys (cloud, mailbox,
// login_endpoint, graph_endpoint, save_to_sent_items, timeout, max_retries, ca_file).

declare(strict_types=1);

require __DIR__.'/../vendor/autoload.php'; // your application's Composer autoloader

use O365\Symfony\Transport;
use Symfony\Component\Mime\Email;

[$dsn, $to] = [$argv[1] ?? exit("usage: symfony-mailer.php DSN RECIPIENT\n"), $argv[2] ?? exit("usage: symfony-mailer.php DSN RECIPIENT\n")];

$transport = Transport::fromDsn($dsn);          // o365://, and Symfony's own schemes, also in failover(...)
$email = (new Email())
    ->from('noreply@contoso.com')
    ->to($to)
    ->subject('Hello from Symfony Mailer')
    ->text('Sent through Microsoft Graph.')
    ->html('<p>Sent through <b>Microsoft Graph</b>.</p>');
// (new Symfony\Component\Mailer\Mailer($transport))->send($email) works too; the
// transport's SentMessage carries Graph's request-id as its message id.
$sent = $transport->send($email);
echo 'Graph request-id: ', $sent?->getMessageId(), "\n";
