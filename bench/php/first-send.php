<?php

// Cold-start scenario: the first send of a fresh PHP process (a new php-fpm worker: no
// token, no connection), timed from `new O365\Mailer` to the receipt. MODE `overlapped`
// sends at once (the token is fetched while Graph's connection opens); `sequential`
// fetches the token first (diagnose()) and sends after, as the first send did before.
// Usage: php first-send.php MODE LOGIN_ENDPOINT GRAPH_ENDPOINT CA_FILE  → one JSON line

declare(strict_types=1);

[, $mode, $login, $graph, $ca] = $argv;
$mime = "From: Contoso App <sender@contoso.com>\r\nTo: customer@example.com\r\nSubject: Cold start\r\n"
    ."Message-ID: <".bin2hex(random_bytes(16))."@contoso.com>\r\nMIME-Version: 1.0\r\n"
    ."Content-Type: text/plain; charset=utf-8\r\n\r\n".str_repeat("Your invoice is ready.\r\n", 40);
$t0 = hrtime(true);
$mailer = new O365\Mailer([
    'tenant_id' => 'contoso.onmicrosoft.com', 'client_id' => '00000000-0000-0000-0000-000000000001',
    'client_secret' => 'emulator-secret', 'login_endpoint' => $login, 'graph_endpoint' => $graph, 'ca_file' => $ca,
]);
if ($mode === 'sequential') {
    $mailer->diagnose();
}
$receipt = $mailer->sendMime($mime, 'sender@contoso.com', ['customer@example.com']);
echo json_encode(['mode' => $mode, 'ms' => (hrtime(true) - $t0) / 1e6, 'request_id' => $receipt['request_id']]), "\n";
