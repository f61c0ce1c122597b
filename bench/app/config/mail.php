<?php

// The same emulator and credentials for both drivers; each trusts the emulator's CA
// the way its users would: the extension with `ca_file` (on top of the system roots),
// the baseline with Guzzle's `verify` pointing at PHP's CA bundle plus the emulator's CA.
// Timeouts stay at each driver's defaults except under callgrind (50x slower), where the
// bench raises them so that a slowed TLS handshake is measured instead of timing out.
$credentials = [
    'tenant_id' => env('O365_TENANT_ID'),
    'client_id' => env('O365_CLIENT_ID'),
    'client_secret' => env('O365_CLIENT_SECRET'),
    'login_endpoint' => env('O365_LOGIN_ENDPOINT'),
    'graph_endpoint' => env('O365_GRAPH_ENDPOINT'),
];

return [
    'default' => env('MAIL_MAILER', 'o365'),
    'mailers' => [
        'o365' => ['transport' => 'o365', 'ca_file' => env('O365_CA_FILE'), 'timeout' => env('O365_TIMEOUT')] + $credentials,
        'baseline' => ['transport' => 'graph-baseline', 'verify' => env('BASELINE_VERIFY', true), 'timeout' => env('BASELINE_TIMEOUT')] + $credentials,
        'o365-string' => ['transport' => 'o365-string', 'ca_file' => env('O365_CA_FILE'), 'timeout' => env('O365_TIMEOUT')] + $credentials,
        'array' => ['transport' => 'array'],
    ],
    'from' => ['address' => 'sender@contoso.com', 'name' => 'Contoso App'],
    'markdown' => ['theme' => 'default', 'paths' => [resource_path('views/vendor/mail')]],
];
