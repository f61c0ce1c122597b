<?php

// Sending with the bare o365 extension: no Composer, no framework.
//   php -d extension=o365 examples/bare-extension.php you@example.com
// Credentials come from the environment: O365_TENANT_ID, O365_CLIENT_ID, O365_CLIENT_SECRET,
// O365_MAILBOX (the sending mailbox); O365_LOGIN_ENDPOINT / O365_GRAPH_ENDPOINT point it
// at the emulator (`o365-emulator --listen 127.0.0.1:8025`) instead of Microsoft.

declare(strict_types=1);

$to = $argv[1] ?? exit("usage: php examples/bare-extension.php RECIPIENT\n");
$from = getenv('O365_MAILBOX') ?: exit("set O365_MAILBOX to the sending mailbox\n");

// Keys as in DESIGN.md; null means "not set" (the cloud's default endpoints).
$config = array_filter([
    'tenant_id' => getenv('O365_TENANT_ID') ?: null,
    'client_id' => getenv('O365_CLIENT_ID') ?: null,
    'client_secret' => getenv('O365_CLIENT_SECRET') ?: null,
    'login_endpoint' => getenv('O365_LOGIN_ENDPOINT') ?: null,
    'graph_endpoint' => getenv('O365_GRAPH_ENDPOINT') ?: null,
], static fn ($v) => $v !== null);

// Any RFC 5322 message works: this one is written by hand.
$mime = implode("\r\n", [
    "From: $from",
    "To: $to",
    'Subject: Hello from the o365 extension',
    'Date: '.date(DATE_RFC2822),
    'Message-ID: <'.bin2hex(random_bytes(8)).'@example.invalid>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Sent through Microsoft Graph by the o365 PHP extension.',
    '',
]);

try {
    $mailer = new O365\Mailer($config);          // validates the config; no network yet
    // Envelope recipients (To, Cc and Bcc); here one, plus a blind copy for the archive.
    $receipt = $mailer->sendMime($mime, $from, [$to, 'archive@example.com']);
    printf("Graph accepted the message from %s (request-id %s, client-request-id %s)\n",
        $receipt['mailbox'], $receipt['request_id'], $receipt['client_request_id']);
} catch (O365\ConfigurationException $e) {
    fprintf(STDERR, "Configuration error in `%s`: %s\n", $e->getConfigKey(), $e->getMessage());
    exit(2);
} catch (O365\Exception $e) {
    // GraphException / ThrottledException / AuthenticationException / OutcomeUnknownException / TransportException
    fprintf(STDERR, "%s: %s\n", get_class($e), $e->getMessage());
    exit(1);
}
