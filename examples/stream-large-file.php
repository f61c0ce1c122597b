<?php

// Sending a large file with the bare o365 extension without ever holding it in memory:
// the MIME message is produced by a generator, chunk by chunk, and handed to
// O365\Mailer::sendMimeStream(), which spools the attachment to an unlinked temp file and
// uploads it from there. PHP's memory stays at a few MB whatever the file size (≤ 150 MB).
//   php -d extension=o365 examples/stream-large-file.php you@example.com /path/to/file.zip
// Credentials from the environment as in bare-extension.php (O365_TENANT_ID, O365_CLIENT_ID,
// O365_CLIENT_SECRET, O365_MAILBOX, O365_LOGIN_ENDPOINT / O365_GRAPH_ENDPOINT for the emulator).
// Large messages go as a draft with upload sessions: the app needs Mail.ReadWrite too.

declare(strict_types=1);

// Usage errors go to stderr with exit code 2, as in bare-extension.php.
function usage(string $why): never
{
    fwrite(STDERR, "$why (see the comment at the top of examples/stream-large-file.php)\n");
    exit(2);
}
if ($argc !== 3) {
    usage('usage: php -d extension=o365 examples/stream-large-file.php RECIPIENT FILE');
}
[, $to, $path] = $argv;
$from = getenv('O365_MAILBOX') ?: usage('set O365_MAILBOX to the sending mailbox');
is_readable($path) || usage("cannot read $path");

$config = array_filter([
    'tenant_id' => getenv('O365_TENANT_ID') ?: null,
    'client_id' => getenv('O365_CLIENT_ID') ?: null,
    'client_secret' => getenv('O365_CLIENT_SECRET') ?: null,
    'login_endpoint' => getenv('O365_LOGIN_ENDPOINT') ?: null,
    'graph_endpoint' => getenv('O365_GRAPH_ENDPOINT') ?: null,
    // 'spool_dir' => '/var/spool/o365',   // default: sys_get_temp_dir()
], static fn ($v) => $v !== null);

/** The message, as strings of at most ~1 MB: headers, body, then the file in base64 lines. */
function message(string $from, string $to, string $path): Generator
{
    $boundary = 'b'.bin2hex(random_bytes(12));
    $name = basename($path);
    yield implode("\r\n", [
        "From: $from",
        "To: $to",
        'Subject: '.mb_encode_mimeheader("Your file $name"),
        'Date: '.date(DATE_RFC2822),
        'Message-ID: <'.bin2hex(random_bytes(8)).'@example.invalid>',
        'MIME-Version: 1.0',
        "Content-Type: multipart/mixed; boundary=\"$boundary\"",
        '',
        "--$boundary",
        'Content-Type: text/plain; charset=utf-8',
        '',
        "The file $name is attached.",
        "--$boundary",
        "Content-Type: application/octet-stream; name=\"$name\"",
        'Content-Transfer-Encoding: base64',
        "Content-Disposition: attachment; filename=\"$name\"",
        '',
        '',
    ]);
    $h = fopen($path, 'rb');
    try {
        // 57 × 13,797 bytes: whole 76-character base64 lines per chunk (~1 MB of text).
        while (($raw = fread($h, 57 * 13797)) !== '' && $raw !== false) {
            yield chunk_split(base64_encode($raw), 76, "\r\n");
        }
    } finally {
        fclose($h);
    }
    yield "--$boundary--\r\n";
}

try {
    $mailer = new O365\Mailer($config);
    $receipt = $mailer->sendMimeStream(message($from, $to, $path), $from, [$to], static function (array $p): void {
        if ($p['phase'] === 'upload' && $p['bytes_total'] > 0) {
            fprintf(STDERR, "\r%3d%%", intdiv(100 * $p['bytes_sent'], $p['bytes_total']));
        }
    });
    fprintf(STDERR, "\n");
    printf("sent via %s, request-id %s; PHP peak memory %.1f MB\n", $receipt['route'], $receipt['request_id'], memory_get_peak_usage(true) / 1e6);
} catch (O365\Exception $e) {
    fprintf(STDERR, "%s: %s\n", $e::class, $e->getMessage());
    exit(1);
}
