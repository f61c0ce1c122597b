<?php

// Figures of one fleet phase, measured at the emulator, as one JSON line.
// Usage: php report.php PHASE RUN EMULATOR_URL N M LATENCY_MS T_START_MS T_END_MS LOG [EXTRA_JSON]

declare(strict_types=1);

[, $phase, $run, $emu, $n, $m, $latencyMs, $tStart, $tEnd, $log] = $argv;
$extra = json_decode($argv[10] ?? '{}', true) ?: [];
[$n, $m, $latencyMs, $tStart, $tEnd] = [(int) $n, (int) $m, (int) $latencyMs, (int) $tStart, (int) $tEnd];
$get = static fn (string $path) => json_decode((string) file_get_contents($emu.$path), true, 512, JSON_THROW_ON_ERROR);

$requests = [];
foreach ($get('/_emulator/requests') as $r) {
    $requests[$r['request_id']] = $r;
}
$deliveries = [];   // Message-ID => [[accepted ms, queued ms, mailbox], ...]
foreach ($get('/_emulator/messages') as $msg) {
    $headers = array_column($msg['headers'], 'value', 'name');
    $id = trim((string) ($headers['Message-ID'] ?? ''), '<>');
    if (!str_starts_with($id, "fleet-$run-")) {
        continue;
    }
    $r = $requests[$msg['request_id']] ?? null;
    $accepted = $r === null ? null : $r['time_ms'] + $r['duration_ms'];
    $deliveries[$id][] = [$accepted, (int) round(1000 * (float) ($headers['X-Fleet-Queued-At'] ?? 0)), strtolower($msg['mailbox'])];
}
$stats = $get('/_emulator/stats');

$latencies = [];
$perMailbox = [];
foreach ($deliveries as $list) {
    [$accepted, $queued, $mailbox] = $list[0];
    $latencies[] = $accepted - $queued;
    $perMailbox[$mailbox]['delivered'] = ($perMailbox[$mailbox]['delivered'] ?? 0) + 1;
    $perMailbox[$mailbox]['last'] = max($perMailbox[$mailbox]['last'] ?? 0, $accepted);
}
sort($latencies);
$pct = static fn (float $p) => $latencies === [] ? null : $latencies[min(count($latencies) - 1, (int) floor($p * count($latencies)))];
$last = max([0, ...array_map(static fn ($l) => $l[0][0], $deliveries)]);
$seconds = max(0.001, ($last - $tStart) / 1000);

// Where the time goes. The whole-run goodput above counts from before the first mail is
// queued to the last accept, so it includes the workers' start and the drain at the end
// (the last mails of the run keep fewer workers busy). The steady state: the mails
// accepted between the 5th and the 95th percentile accept time, over that time.
$accepts = array_map(static fn ($l) => $l[0][0], $deliveries);
sort($accepts);
$steady = null;
if (count($accepts) >= 20) {
    [$a, $b] = [(int) floor(0.05 * count($accepts)), (int) floor(0.95 * count($accepts))];
    $steady = round(($b - $a) / max(0.001, ($accepts[$b] - $accepts[$a]) / 1000), 1);
}
// The Graph side: how long the emulator took per sendMail (its latency plus its own
// work), and the share of the mailboxes' slot time (4 x M x run) spent in requests.
$durations = array_column(array_filter($requests, static fn ($r) => str_ends_with((string) $r['path'], '/sendMail')), 'duration_ms');
$requestMs = $durations === [] ? null : round(array_sum($durations) / count($durations), 1);
$slotUse = $durations === [] ? null : round(100 * array_sum($durations) / (4 * $m * ($last - $tStart)), 1);

// The bound: each mailbox takes 4 requests at once of `latency` each, and no more than its
// request window allows (binding only when a mailbox gets more mails than the window holds).
// FLEET_WINDOW: the run's request window (N/DURATION, as --mailbox-window), else Exchange's.
[$windowRequests, $windowSecs] = [10000, 600];
if (preg_match('#^(\d+)/(\d+)([smh]?)$#', (string) getenv('FLEET_WINDOW'), $w)) {
    [$windowRequests, $windowSecs] = [(int) $w[1], (int) $w[2] * ['' => 1, 's' => 1, 'm' => 60, 'h' => 3600][$w[3]]];
}
$perMailboxBound = 4 / ($latencyMs / 1000);
if ($n / $m > $windowRequests) {
    $perMailboxBound = min($perMailboxBound, $windowRequests / $windowSecs);
}
$mailboxes = [];
for ($i = 1; $i <= $m; $i++) {
    $mb = "m$i@contoso.com";
    $s = $stats['mailboxes'][$mb] ?? [];
    $d = $perMailbox[$mb] ?? ['delivered' => 0, 'last' => $tStart];
    $mailboxes[$mb] = [
        'delivered' => $d['delivered'],
        'goodput' => round($d['delivered'] / max(0.001, ($d['last'] - $tStart) / 1000), 1),
        '429' => $s['throttled'] ?? 0,
        '429_concurrency' => $s['throttled_concurrency'] ?? 0,
        '429_window' => $s['throttled_window'] ?? 0,
        '429_fault' => $s['throttled_fault'] ?? 0,
        'peak_in_flight' => $s['peak_in_flight'] ?? 0,
        'requests' => $s['requests'] ?? 0,
    ];
}
$logText = is_file($log) ? (string) file_get_contents($log) : '';
$deliveredTotal = array_sum(array_map('count', $deliveries));
echo json_encode([
    'phase' => $phase,
    'mails' => $n,
    'mailboxes' => $mailboxes,
    'delivered' => count($deliveries),
    'lost' => $n - count($deliveries),
    'duplicates' => $deliveredTotal - count($deliveries),
    'seconds' => round($seconds, 1),
    'goodput' => round(count($deliveries) / $seconds, 1),
    'bound' => round($perMailboxBound * $m, 1),
    'steady_goodput' => $steady,
    'request_ms' => $requestMs,
    'slot_use_percent' => $slotUse,
    'p50_ms' => $pct(0.50),
    'p99_ms' => $pct(0.99),
    'graph_requests' => $stats['graph_requests'],
    'token_requests' => $stats['token_requests'],
    'failed_jobs' => substr_count($logText, 'fleet: job failed'),
    'limiter_warnings' => preg_match_all('/o365: .*[Rr]edis/', $logText),
    'wall_seconds' => round(($tEnd - $tStart) / 1000, 1),
] + $extra, JSON_UNESCAPED_SLASHES)."\n";
