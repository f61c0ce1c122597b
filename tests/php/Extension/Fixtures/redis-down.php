<?php

// Sends three messages with a redis_url nothing answers (port 1) and prints each
// receipt's warnings as JSON. In a process of its own: the warning is once per process.
// Usage: php redis-down.php CONFIG_JSON

declare(strict_types=1);

$config = json_decode($argv[1], true, 512, JSON_THROW_ON_ERROR);
$mime = "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
    ."Content-Type: text/plain; charset=utf-8\r\n\r\nBody.\r\n";
$mailer = new \O365\Mailer($config);
$warnings = [];
foreach ([1, 2] as $i) {
    $warnings[] = $mailer->sendMime(sprintf($mime, "mailer $i"), 'sender@contoso.com')['warnings'];
}
$warnings[] = o365_send_mime($config, sprintf($mime, 'function'), 'sender@contoso.com')['warnings'];
echo json_encode($warnings, JSON_THROW_ON_ERROR);
