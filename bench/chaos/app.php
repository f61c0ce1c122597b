<?php

// The chaos run's Laravel app (one base path shared by every process): the test bed's
// Laravel, the o365 mailer on the emulator at CHAOS_URL with the ledger in CHAOS_REDIS,
// Laravel's database queue on CHAOS_BASE/storage/database.sqlite, failed jobs kept.
declare(strict_types=1);

require dirname(__DIR__, 2).'/tests/php/bootstrap-testbed.php';

function chaos_app(): Illuminate\Foundation\Application
{
    $app = O365\Tests\Support\LaravelApp::create((string) getenv('CHAOS_BASE'));
    $config = $app['config'];
    $config->set('mail.default', 'o365');
    $config->set('mail.from', ['address' => 'desk@contoso.com', 'name' => 'Desk']);
    $config->set('mail.mailers.o365', ['transport' => 'o365'] + O365\Tests\Support\TestMail::config((string) getenv('CHAOS_URL'), [
        'redis_url' => (string) getenv('CHAOS_REDIS'), 'exactly_once' => getenv('CHAOS_EXACTLY_ONCE') === '1',
        'max_retries' => 1, 'timeout' => 5, 'deadline' => 10,
    ]));
    $config->set('database.connections.sqlite.database', getenv('CHAOS_BASE').'/storage/database.sqlite');
    $config->set('database.connections.sqlite.busy_timeout', 5000);
    $config->set('queue.default', 'database');
    $config->set('queue.connections.database.retry_after', 30);
    $config->set('queue.failed', ['driver' => 'database-uuids', 'database' => 'sqlite', 'table' => 'failed_jobs']);

    return $app;
}
