<?php

// Sending with the bare o365 extension: no Composer, no framework.
//   php -d extension=o365 examples/bare-extension.php you@example.com
// Credentials come from the environment: O365_TENANT_ID, O365_CLIENT_ID, O365_CLIENT_SECRET,
// O365_MAILBOX (the sending mailbox); O365_LOGIN_ENDPOINT / O365_GRAPH_ENDPOINT point it
// at the emulator instead of Microsoft:
//   target/debug/o365-emulator &          # listens on http://127.0.0.1:8365 (docs/emulator.md)
//   O365_TENANT_ID=contoso.onmicrosoft.com O365_CLIENT_ID=00000000-0000-0000-0000-000000000001 \
//   O365_CLIENT_SECRET=emulator-secret O365_MAILBOX=sender@contoso.com \
//   O365_LOGIN_ENDPOINT=http://127.0.0.1:8365 O365_GRAPH_ENDPOINT=http://127.0.0.1:8365 \
//     php -d extension=target/debug/libo365.so examples/bare-extension.php you@example.com
// Exit codes: 0 sent, 1 refused (the message names the fix), 2 usage or configuration error.

declare(strict_types=1);

if (!extension_loaded('o365')) {
    fwrite(STDERR, "the o365 extension is not loaded: run with `php -d extension=/path/to/libo365.so` (README.md, section 1)\n");
    exit(2);
}
if ($argc !== 2) {
    fwrite(STDERR, "usage: php -d extension=o365 examples/bare-extension.php RECIPIENT (see the comment at the top of examples/bare-extension.php)\n");
    exit(2);
}
$to = $argv[1];
$from = getenv('O365_MAILBOX');
if ($from === false || $from === '') {
    fwrite(STDERR, "set O365_MAILBOX to the sending mailbox (see the comment at the top of examples/bare-extension.php)\n");
    exit(2);
}

// Keys as in docs/contracts.md; null means "not set" (the cloud's default endpoints).
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
