<?php

// Streams an endless message into sendMimeStream() and prints, as JSON, what it threw,
// how much the generator yielded and how much this process's peak RSS grew. In a
// process of its own: an abort (out of memory) shows as its exit code, and the peak is
// this case's alone.
// Usage: php stream-endless.php header|header-blocks|attachment|small-parts CONFIG_JSON

declare(strict_types=1);

function rss_kib(string $field): int
{
    preg_match('/^'.$field.':\s+(\d+)/m', (string) file_get_contents('/proc/self/status'), $m);

    return (int) $m[1];
}

$case = $argv[1];
$config = json_decode($argv[2], true, 512, JSON_THROW_ON_ERROR);
$read = 0;
$endless = function () use ($case, &$read): \Generator {
    $head = "From: sender@contoso.com\r\nTo: ann@example.com\r\nMIME-Version: 1.0\r\n";
    if ($case === 'header') {
        $head .= 'Subject: ';
        $chunk = str_repeat('a', 1 << 20);
    } elseif ($case === 'header-blocks') {
        // Parts without end, each with a 2 MiB header block (lines of 998 bytes) and a one-line body.
        $head .= "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
        $chunk = "--b\r\nContent-Type: text/plain\r\n".str_repeat('X-Pad: '.str_repeat('p', 990)."\r\n", 2118)."\r\nbody\r\n";
    } elseif ($case === 'small-parts') {
        // Attachments of 150 KiB each, without end: each one small enough to be kept as it came.
        $head .= "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
        $chunk = "--b\r\nContent-Type: application/octet-stream; name=small.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            .chunk_split(base64_encode(random_bytes(150 * 1024)), 76, "\r\n");
    } else {
        $head .= "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
            ."--b\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        $chunk = chunk_split(base64_encode(random_bytes(57 * 13800)), 76, "\r\n");
    }
    $read += strlen($head);
    yield $head;
    while (true) {
        $read += strlen($chunk);
        yield $chunk;
    }
};
$before = rss_kib('VmRSS');
$out = ['class' => null, 'message' => null];
try {
    (new \O365\Mailer($config))->sendMimeStream($endless(), 'sender@contoso.com');
} catch (\Throwable $e) {
    $out = ['class' => get_class($e), 'message' => $e->getMessage()];
}
$out['read'] = $read;
$out['rss_growth_kib'] = rss_kib('VmHWM') - $before;
echo json_encode($out, JSON_THROW_ON_ERROR);
