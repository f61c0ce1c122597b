<?php

// A fatal error inside the progress callback of o365_send_mime (PHP 8.5 prints a
// backtrace with fatal errors). Usage: php fatal-in-callback-trace.php EMULATOR_URL SECRET

declare(strict_types=1);

[, $base, $secret] = $argv;
$config = ['tenant_id' => 'contoso.onmicrosoft.com', 'client_id' => '00000000-0000-0000-0000-000000000001',
    'client_secret' => $secret, 'login_endpoint' => $base, 'graph_endpoint' => $base];
o365_send_mime($config, "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: x\r\n\r\nbody\r\n", null, [],
    static function (): void {
        debug_print_backtrace();
        trigger_error('fatal in the progress callback', E_USER_ERROR);
    });
