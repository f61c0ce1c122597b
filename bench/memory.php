<?php

// Peak memory of one large send through the real extension, measured inside PHP:
// build a message with one attachment of the given size, let go of everything but the
// MIME string, reset the kernel's peak-RSS counter, send, and read the peak back.
// Usage: php -d extension=libo365.so bench/memory.php ATTACHMENT_MIB EMULATOR_URL
// Prints one JSON line.

declare(strict_types=1);

function status(string $key): int
{
    preg_match('/^'.$key.':\s+(\d+) kB/m', (string) file_get_contents('/proc/self/status'), $m);

    return (int) ($m[1] ?? 0) * 1024;
}

[$_, $mib, $url] = $argv + [null, '25', ''];
$size = (int) $mib * 1024 * 1024;

$mime = "From: Sender <sender@contoso.com>\r\nTo: ann@example.com\r\nSubject: memory benchmark\r\nMIME-Version: 1.0\r\n"
    ."Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n"
    ."--B\r\nContent-Type: application/octet-stream; name=data.bin\r\nContent-Transfer-Encoding: base64\r\n"
    ."Content-Disposition: attachment; filename=data.bin\r\n\r\n".chunk_split(base64_encode(random_bytes($size)), 76, "\r\n")."--B--\r\n";
gc_collect_cycles();
gc_mem_caches();

$mailer = new O365\Mailer([
    'tenant_id' => 'contoso.onmicrosoft.com',
    'client_id' => '00000000-0000-0000-0000-000000000001',
    'client_secret' => 'emulator-secret',
    'login_endpoint' => $url,
    'graph_endpoint' => $url,
    'timeout' => 120,
]);
// Warm up (runtime, HTTP pool, token) with a small message, so the figure is the send's own.
$mailer->sendMime("From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: warm-up\r\n\r\nhi\r\n");

$before = status('VmRSS');
file_put_contents('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
$started = microtime(true);
$receipt = $mailer->sendMime($mime);
$seconds = microtime(true) - $started;
$peak = status('VmHWM');

echo json_encode([
    'attachment_bytes' => $size,
    'mime_bytes' => strlen($mime),
    'route' => $receipt['route'],
    'rss_before' => $before,
    'peak_during_send' => $peak,
    'extra' => $peak - $before,
    'extra_per_mime_byte' => round(($peak - $before) / strlen($mime), 3),
    'seconds' => round($seconds, 2),
]), "\n";
