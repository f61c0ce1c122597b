<?php

// bench/results/fleet.md from fleet.jsonl: the phases side by side.
// Usage: php table.php fleet.jsonl HOSTS WORKERS LATENCY_MS [WINDOW]

declare(strict_types=1);

[, $file, $hosts, $workers, $latency] = $argv;
$window = $argv[5] ?? '10000/10m';
$rows = array_map(static fn ($l) => json_decode($l, true), array_values(array_filter(file($file, FILE_IGNORE_NEW_LINES))));
if ($rows === []) {
    exit(0);
}
$mailboxes = array_keys($rows[0]['mailboxes']);
$sum = static fn (array $r, string $k) => array_sum(array_column($r['mailboxes'], $k));
// Goodput as a ratio to the single-node shared limiter (the `with` phase of the same run).
$with = array_values(array_filter($rows, static fn ($r) => $r['phase'] === 'with'))[0] ?? null;
$per = static fn (array $r, string $k) => implode(' / ', array_column($r['mailboxes'], $k));
$lines = [
    'mails delivered / queued' => static fn ($r) => "{$r['delivered']} / {$r['mails']}",
    'mails lost' => static fn ($r) => $r['lost'],
    'mails delivered twice (by Message-ID)' => static fn ($r) => $r['duplicates'],
    'failed jobs' => static fn ($r) => $r['failed_jobs'],
    'goodput, mails/s' => static fn ($r) => $r['goodput'],
    'bound min(4/latency, window) x M, mails/s' => static fn ($r) => $r['bound'],
    'goodput / bound' => static fn ($r) => sprintf('%d %%', round(100 * $r['goodput'] / $r['bound'])),
    'goodput / the `with` phase\'s (single-node limiter)' => static fn ($r) => $with === null ? '' : sprintf('%.2f', $r['goodput'] / $with['goodput']),
    'steady-state goodput (5th to 95th percentile accept), mails/s' => static fn ($r) => $r['steady_goodput'] ?? '',
    'steady-state goodput / bound' => static fn ($r) => isset($r['steady_goodput']) ? sprintf('%d %%', round(100 * $r['steady_goodput'] / $r['bound'])) : '',
    'sendMail time at the emulator, mean ms' => static fn ($r) => $r['request_ms'] ?? '',
    'slot time in requests (all mailboxes, whole run)' => static fn ($r) => isset($r['slot_use_percent']) ? "{$r['slot_use_percent']} %" : '',
    'goodput per mailbox ('.implode(' / ', $mailboxes).')' => static fn ($r) => $per($r, 'goodput'),
    'queue-to-accepted p50 / p99, s' => static fn ($r) => sprintf('%.1f / %.1f', $r['p50_ms'] / 1000, $r['p99_ms'] / 1000),
    '429s per mailbox' => static fn ($r) => $per($r, '429'),
    '429s for concurrency (all mailboxes)' => static fn ($r) => $sum($r, '429_concurrency'),
    '429s for the request window (all mailboxes)' => static fn ($r) => $sum($r, '429_window'),
    '429s injected (fault rule)' => static fn ($r) => $sum($r, '429_fault'),
    'peak in flight per mailbox (limit 4)' => static fn ($r) => $per($r, 'peak_in_flight'),
    'Graph requests' => static fn ($r) => $r['graph_requests'],
    'limiter warnings in the log' => static fn ($r) => $r['limiter_warnings'],
    'time to deliver all, s' => static fn ($r) => $r['seconds'],
];
echo "Fleet run: $hosts hosts x $workers queue:work workers, {$rows[0]['mails']} mails across ".count($mailboxes)." mailboxes, emulator --latency-ms $latency, request window $window per mailbox.\n\n";
echo '| | '.implode(' | ', array_column($rows, 'phase'))." |\n|---|".str_repeat('---|', count($rows))."\n";
foreach ($lines as $label => $f) {
    echo "| $label | ".implode(' | ', array_map(static fn ($r) => (string) $f($r), $rows))." |\n";
}
foreach ($rows as $r) {
    $fault = array_diff_key($r, array_flip(['phase', 'mails', 'mailboxes', 'delivered', 'lost', 'duplicates', 'seconds', 'goodput', 'steady_goodput', 'request_ms', 'slot_use_percent', 'bound', 'p50_ms', 'p99_ms', 'graph_requests', 'token_requests', 'failed_jobs', 'limiter_warnings', 'wall_seconds']));
    if ($fault !== []) {
        echo "\n{$r['phase']}: ".json_encode($fault, JSON_UNESCAPED_SLASHES);
    }
}
echo "\n";
