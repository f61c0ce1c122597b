<?php

// The chaos run: N queued Laravel mails (database queue) on W worker processes; faults
// injected at random at the emulator (Graph accepts then answers 504, accepts then drops
// the connection, 504 before acting, 429) and workers SIGKILLed at random; then counts at
// the emulator: each mail's deliveries by its Message-ID, and failed_jobs.
// Usage: php run.php URL REDIS N W EXACTLY_ONCE(0|1); prints one JSON line.
declare(strict_types=1);

[, $url, $redis, $n, $w, $once] = $argv;
require __DIR__.'/app.php';
$base = O365\Tests\Support\LaravelApp::basePath();
putenv("CHAOS_BASE=$base");
putenv("CHAOS_URL=$url");
putenv("CHAOS_REDIS=$redis");
putenv("CHAOS_EXACTLY_ONCE=$once");
$app = chaos_app();
touch("$base/storage/database.sqlite");
$schema = $app['db']->connection('sqlite')->getSchemaBuilder();
$schema->create('jobs', function ($t): void {
    $t->bigIncrements('id'); $t->string('queue')->index(); $t->longText('payload'); $t->unsignedTinyInteger('attempts');
    $t->unsignedInteger('reserved_at')->nullable(); $t->unsignedInteger('available_at'); $t->unsignedInteger('created_at');
});
$schema->create('failed_jobs', function ($t): void {
    $t->id(); $t->string('uuid')->unique(); $t->text('connection'); $t->text('queue'); $t->longText('payload'); $t->longText('exception'); $t->timestamp('failed_at')->useCurrent();
});
for ($i = 1; $i <= (int) $n; $i++) {
    Illuminate\Support\Facades\Mail::to("r$i@example.com")->queue(new O365\Tests\Laravel\Fixtures\PatientMail("mail-$i"));
}
$emu = static function (string $method, string $path, $body = null) use ($url) {
    $ctx = stream_context_create(['http' => ['method' => $method, 'header' => "Content-Type: application/json\r\n", 'content' => $body === null ? '' : json_encode($body), 'ignore_errors' => true]]);

    return json_decode((string) file_get_contents($url.$path, false, $ctx), true);
};
$rules = [
    ['match' => ['path' => $once === '1' ? '/send' : 'sendMail', 'method' => 'POST'], 'status' => 504, 'deliver' => true, 'times' => 1],
    ['match' => ['path' => $once === '1' ? '/send' : 'sendMail', 'method' => 'POST'], 'drop' => 'after_body', 'deliver' => true, 'times' => 1],
    ['match' => ['path' => $once === '1' ? '/send' : 'sendMail', 'method' => 'POST'], 'status' => 504, 'times' => 1],
    ['match' => ['path' => '/v1.0/'], 'status' => 429, 'retry_after' => 1, 'times' => 1],
];
$spawn = static fn () => proc_open([PHP_BINARY, '-d', 'extension='.getenv('CHAOS_EXTENSION'), __DIR__.'/worker.php'], [1 => ['file', '/dev/null', 'w'], 2 => ['file', "$base/worker.log", 'a']], $pipes);
$workers = [];
for ($i = 0; $i < (int) $w; $i++) {
    $workers[] = $spawn();
}
$faults = $kills = 0;
$until = time() + 240;
mt_srand(42);
while (time() < $until) {
    usleep(150000);
    if (mt_rand(1, 6) === 1) {
        $emu('POST', '/_emulator/faults', [$rules[array_rand($rules)]]);
        $faults++;
    }
    foreach ($workers as $k => $p) {
        $status = proc_get_status($p);
        if ($status['running'] && mt_rand(1, 100) === 1) {
            posix_kill($status['pid'], SIGKILL);
            $kills++;
        }
        if (!proc_get_status($p)['running']) {
            proc_close($p);
            $workers[$k] = $spawn();
        }
    }
    if ($app['db']->table('jobs')->count() === 0) {
        break;
    }
}
foreach ($workers as $p) {
    proc_terminate($p, SIGKILL);
    proc_close($p);
}
$deliveries = [];
foreach ($emu('GET', '/_emulator/messages') as $m) {
    $deliveries[$m['subject']] = ($deliveries[$m['subject']] ?? 0) + 1;
}
$failed = $app['db']->table('failed_jobs')->pluck('exception')->all();
$counts = array_count_values($deliveries);
echo json_encode([
    'exactly_once' => $once === '1', 'mails' => (int) $n, 'workers' => (int) $w, 'faults_injected' => $faults, 'workers_killed' => $kills,
    'delivered_once' => $counts[1] ?? 0, 'delivered_twice_or_more' => array_sum(array_filter($counts, static fn ($k) => $k > 1, ARRAY_FILTER_USE_KEY)),
    'not_delivered' => (int) $n - count($deliveries), 'failed_jobs' => count($failed),
    'failed_jobs_outcome_unknown' => count(array_filter($failed, static fn ($e) => str_contains($e, 'OutcomeUnknown'))),
    'jobs_left' => $app['db']->table('jobs')->count(),
    'failure_kinds' => array_count_values(array_map(static fn ($e) => substr((string) strtok($e, "\n"), 0, 90), $failed)),
]), "\n";
