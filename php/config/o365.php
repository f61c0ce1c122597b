<?php

// Defaults for every `o365` mailer; a mailer entry in config/mail.php overrides them.
// Publish with: php artisan vendor:publish --tag=o365-config
// Coming from another Graph mail package? Its env names are read when the O365_* one is
// unset: innoge/laravel-msgraph-mail's MICROSOFT_GRAPH_* and o365-sendmail's O365SENDMAIL_*.
return [
    'tenant_id' => env('O365_TENANT_ID', env('MICROSOFT_GRAPH_TENANT_ID', env('O365SENDMAIL_TENANT'))),
    'client_id' => env('O365_CLIENT_ID', env('MICROSOFT_GRAPH_CLIENT_ID', env('O365SENDMAIL_CLIENT_ID'))),
    // Exactly one credential: a client secret, a certificate, a federated token file
    // (workload identity; AZURE_FEDERATED_TOKEN_FILE works too) or a managed identity
    // (true, or a user-assigned identity's client id; tenant_id is then not needed).
    'client_secret' => env('O365_CLIENT_SECRET', env('MICROSOFT_GRAPH_CLIENT_SECRET', env('O365SENDMAIL_CLIENT_SECRET'))),
    'client_certificate' => env('O365_CLIENT_CERTIFICATE'),
    'client_certificate_key' => env('O365_CLIENT_CERTIFICATE_KEY'),
    'client_certificate_password' => env('O365_CLIENT_CERTIFICATE_PASSWORD'),
    'federated_token_file' => env('O365_FEDERATED_TOKEN_FILE'),
    'managed_identity' => env('O365_MANAGED_IDENTITY'),
    'mailbox' => env('O365_MAILBOX'),
    'cloud' => env('O365_CLOUD', 'global'),
    'login_endpoint' => env('O365_LOGIN_ENDPOINT'),
    'graph_endpoint' => env('O365_GRAPH_ENDPOINT'),
    'save_to_sent_items' => env('O365_SAVE_TO_SENT_ITEMS', env('MICROSOFT_GRAPH_SAVE_TO_SENT_ITEMS', true)),
    'timeout' => env('O365_TIMEOUT', 30),
    'max_retries' => env('O365_MAX_RETRIES', 3),
    // Seconds for a whole send, retries and Retry-After waits included.
    'deadline' => env('O365_DEADLINE', 60),
    'ca_file' => env('O365_CA_FILE'),
    // Where large streamed messages spool their attachments (an unlinked temp file); default sys_get_temp_dir().
    'spool_dir' => env('O365_SPOOL_DIR'),
    // redis://[user:password@]host:port/db (rediss:// for TLS): per-mailbox limits shared by
    // every worker on every host that uses this Redis; unset: limits per process.
    'redis_url' => env('O365_REDIS_URL'),
    // Or name a Redis connection of config/database.php (e.g. 'default') instead: it becomes
    // redis_url (rediss:// when its scheme is tls). Set one of the two.
    'redis_connection' => env('O365_REDIS_CONNECTION'),
    // Every message as a draft, and a send whose answer was lost settled by deleting the
    // draft: never twice, never lost (needs Mail.ReadWrite). See README, "Exactly once".
    'exactly_once' => env('O365_EXACTLY_ONCE', false),
    // Seconds the send ledger remembers a message (its Message-ID): at least 86400.
    'ledger_ttl' => env('O365_LEDGER_TTL', 86400),
];
