<?php

// Defaults for every `o365` mailer; a mailer entry in config/mail.php overrides them.
// Publish with: php artisan vendor:publish --tag=o365-config
return [
    'tenant_id' => env('O365_TENANT_ID'),
    'client_id' => env('O365_CLIENT_ID'),
    'client_secret' => env('O365_CLIENT_SECRET'),
    'mailbox' => env('O365_MAILBOX'),
    'cloud' => env('O365_CLOUD', 'global'),
    'login_endpoint' => env('O365_LOGIN_ENDPOINT'),
    'graph_endpoint' => env('O365_GRAPH_ENDPOINT'),
    'save_to_sent_items' => env('O365_SAVE_TO_SENT_ITEMS', true),
    'timeout' => env('O365_TIMEOUT', 30),
    'max_retries' => env('O365_MAX_RETRIES', 3),
    'ca_file' => env('O365_CA_FILE'),
];
