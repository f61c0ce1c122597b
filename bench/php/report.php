<?php

// Turns the raw results of bench/run.sh into one markdown report and writes it to
// $argv[2] and between the bench markers of $argv[3] (bench/README.md).
// Usage: php report.php RUN_DIR REPORT.md bench/README.md

declare(strict_types=1);

[$run, $reportFile, $readme] = [$argv[1], $argv[2], $argv[3]];
$meta = json_decode((string) file_get_contents("$run/meta.json"), true, 512, JSON_THROW_ON_ERROR);

function load(string $file): ?array
{
    if (!is_file($file)) {
        return null;
    }
    $line = trim((string) file_get_contents($file));

    return $line === '' ? null : json_decode(strtok($line, "\n"), true, 512, JSON_THROW_ON_ERROR);
}

/** Counts between two emulator snapshots; the second snapshot's own connection is not the client's. */
function delta(?array $before, ?array $after): ?array
{
    if ($before === null || $after === null) {
        return null;
    }

    return [
        'tokens' => $after['token_requests'] - $before['token_requests'],
        'connections' => $after['connections'] - $before['connections'] - 1,
        'mails' => $after['messages'] - $before['messages'],
        'graph' => $after['graph_requests'] - $before['graph_requests'],
    ];
}

function percentile(array $sorted, float $p): float
{
    return $sorted[max(0, (int) ceil($p / 100 * count($sorted)) - 1)];
}

function ms(?float $us): string
{
    return $us === null ? 'n/a' : sprintf('%.1f ms', $us / 1000);
}

function ratio(?float $a, ?float $b): string
{
    return ($a === null || $b === null || $b == 0.0) ? 'n/a' : sprintf('%.2f', $a / $b);
}

function per1000(?array $d, string $key): string
{
    return ($d === null || $d['mails'] <= 0) ? 'n/a' : sprintf('%.1f', 1000 * $d[$key] / $d['mails']);
}

function verdict(bool $ok): string
{
    return $ok ? '**met**' : '**missed**';
}

function mib(float $bytes): string
{
    return sprintf('%.1f MiB', $bytes / 1048576);
}

// ---- FPM ----------------------------------------------------------------------------
$fpm = [];
foreach (['o365', 'baseline', 'array'] as $d) {
    foreach ([1, 4] as $c) {
        $w = load("$run/fpm-$d/wrk-c$c.json");
        $fpm[$d][$c] = $w === null ? null : $w + [
            'rps' => $w['requests'] / ($w['duration_us'] / 1e6),
            'counts' => delta(load("$run/fpm-$d/stats-c$c-before.json"), load("$run/fpm-$d/stats-c$c-after.json")),
        ];
    }
    $fpm[$d]['cold'] = delta(load("$run/fpm-$d/stats-cold-before.json"), load("$run/fpm-$d/stats-cold-after.json"));
}
// ---- Floor --------------------------------------------------------------------------
$floor = [];
foreach ([1, 4] as $c) {
    $times = [];
    $bad = 0;
    foreach (glob("$run/floor/c$c-*.txt") ?: [] as $f) {
        if (str_ends_with($f, '-wall.txt')) {
            continue;
        }
        foreach (file($f, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
            [$code, $t] = explode(' ', $line);
            $code === '202' ? $times[] = (float) $t * 1e6 : $bad++;
        }
    }
    if ($times === []) {
        $floor[$c] = null;
        continue;
    }
    sort($times);
    [$t0, $t1] = array_map('floatval', explode(' ', trim((string) file_get_contents("$run/floor/c$c-wall.txt"))));
    $floor[$c] = [
        'p50_us' => percentile($times, 50), 'p99_us' => percentile($times, 99), 'requests' => count($times),
        'rps' => count($times) / ($t1 - $t0), 'failed' => $bad,
        'counts' => delta(load("$run/floor/stats-c$c-before.json"), load("$run/floor/stats-c$c-after.json")),
    ];
}

$o = [];
$o[] = sprintf('Run of %s (commit %s), %d s in all. Emulator: TLS, %d ms per request, %d ms per new connection. '
    .'php-fpm: static pool of %d workers behind nginx; wrk for %d s per phase after a 3 s warm-up.',
    $meta['date'], $meta['commit'], $meta['seconds'], $meta['latency_ms'], $meta['connect_latency_ms'], $meta['workers'], $meta['duration_s']);
$o[] = '';
$o[] = '**1 + 4. FPM: one ~20 KB mail per request (Laravel route), against the floor (curl, one kept-alive connection)**';
$o[] = '';
$o[] = '| figure | native (o365) | baseline (PHP userland) | floor (curl keep-alive) | native/baseline | native/floor | target | Laravel alone (`array` mailer, no network) |';
$o[] = '|---|---:|---:|---:|---:|---:|---|---:|';
foreach ([1, 4] as $c) {
    $n = $fpm['o365'][$c] ?? null;
    $b = $fpm['baseline'][$c] ?? null;
    $f = $floor[$c] ?? null;
    $a = $fpm['array'][$c] ?? null;
    $rN = $n && $b ? $n['p50_us'] / $b['p50_us'] : null;
    $rF = $n && $f ? $n['p50_us'] / $f['p50_us'] : null;
    $target = $c === 1 && $rN !== null && $rF !== null
        ? sprintf('native/floor ≤ 1.10: %s; native/baseline ≤ 0.40: %s', verdict($rF <= 1.10), verdict($rN <= 0.40))
        : 'same targets (reported at c=1): '.($rN !== null && $rF !== null ? sprintf('%s, %s', verdict($rF <= 1.10), verdict($rN <= 0.40)) : 'n/a');
    $o[] = sprintf('| median latency, c=%d | %s | %s | %s | %s | %s | %s | %s |', $c, ms($n['p50_us'] ?? null), ms($b['p50_us'] ?? null), ms($f['p50_us'] ?? null),
        ratio($n['p50_us'] ?? null, $b['p50_us'] ?? null), ratio($n['p50_us'] ?? null, $f['p50_us'] ?? null), $target, ms($a['p50_us'] ?? null));
    // Only at c=1: at c=4 the pools are CPU-bound on 2 cores and a difference of medians means little.
    if ($c === 1 && $a !== null && $n !== null && $b !== null) {
        $mn = $n['p50_us'] - $a['p50_us'];
        $mb = $b['p50_us'] - $a['p50_us'];
        $o[] = sprintf('| mail part of the median, c=%d (median minus Laravel alone) | %s | %s | %s | %s | %s | | |', $c, ms($mn), ms($mb), ms($f['p50_us'] ?? null),
            ratio($mn, $mb), ratio($mn, $f['p50_us'] ?? null));
    }
    $o[] = sprintf('| p99 latency, c=%d | %s | %s | %s | %s | %s | | %s |', $c, ms($n['p99_us'] ?? null), ms($b['p99_us'] ?? null), ms($f['p99_us'] ?? null),
        ratio($n['p99_us'] ?? null, $b['p99_us'] ?? null), ratio($n['p99_us'] ?? null, $f['p99_us'] ?? null), ms($a['p99_us'] ?? null));
    $o[] = sprintf('| throughput, c=%d (mails/s) | %.1f | %.1f | %.1f | %s | %s | | %s |', $c, $n['rps'] ?? 0, $b['rps'] ?? 0, $f['rps'] ?? 0,
        ratio($n['rps'] ?? null, $b['rps'] ?? null), ratio($n['rps'] ?? null, $f['rps'] ?? null), $a ? sprintf('%.1f req/s', $a['rps']) : 'n/a');
}
foreach ([1, 4] as $c) {
    $nc = $fpm['o365'][$c]['counts'] ?? null;
    $bc = $fpm['baseline'][$c]['counts'] ?? null;
    $fc = $floor[$c]['counts'] ?? null;
    $o[] = sprintf('| token requests per 1,000 mails, c=%d (mails counted by the emulator) | %s (%s mails) | %s (%s mails) | 0 (token fetched once, before) | | | 1 per worker per token lifetime: %s | |',
        $c, per1000($nc, 'tokens'), $nc['mails'] ?? 'n/a', per1000($bc, 'tokens'), $bc['mails'] ?? 'n/a',
        $nc === null ? 'n/a' : verdict($nc['tokens'] <= $meta['workers']));
    $o[] = sprintf('| new connections per 1,000 mails, c=%d | %s | %s | %s | | | ≤ 1 per 1,000 mails per worker: %s | |',
        $c, per1000($nc, 'connections'), per1000($bc, 'connections'), per1000($fc, 'connections'),
        $nc === null ? 'n/a' : verdict($nc['mails'] > 0 && 1000 * $nc['connections'] / $nc['mails'] <= $meta['workers']));
}
$nC = $fpm['o365']['cold'];
$bC = $fpm['baseline']['cold'];
$o[] = sprintf('| cold start (3 s warm-up of fresh workers): token requests / new connections / mails | %s | %s | 1 / 1 per client | | | | |',
    $nC ? "{$nC['tokens']} / {$nC['connections']} / {$nC['mails']}" : 'n/a', $bC ? "{$bC['tokens']} / {$bC['connections']} / {$bC['mails']}" : 'n/a');
$o[] = sprintf('| failed requests (errors + non-2xx), c=1 / c=4 | %s | %s | %s | | | | %s |',
    implode(' / ', array_map(static fn ($c) => isset($fpm['o365'][$c]) ? $fpm['o365'][$c]['errors'] + $fpm['o365'][$c]['non_2xx'] : 'n/a', [1, 4])),
    implode(' / ', array_map(static fn ($c) => isset($fpm['baseline'][$c]) ? $fpm['baseline'][$c]['errors'] + $fpm['baseline'][$c]['non_2xx'] : 'n/a', [1, 4])),
    implode(' / ', array_map(static fn ($c) => $floor[$c]['failed'] ?? 'n/a', [1, 4])),
    implode(' / ', array_map(static fn ($c) => isset($fpm['array'][$c]) ? $fpm['array'][$c]['errors'] + $fpm['array'][$c]['non_2xx'] : 'n/a', [1, 4])));

$ran = static fn (string $s): bool => in_array($s, preg_split('/\s+/', (string) $meta['scenarios']), true);
foreach (['fpm', 'floor', 'cpu', 'memory', 'coldstart', 'cafile'] as $s) {
    if (!$ran($s)) {
        $o[] = '';
        $o[] = "(Scenario `$s` was not run: BENCH_SCENARIOS=\"{$meta['scenarios']}\".)";
    }
}
// ---- CPU ----------------------------------------------------------------------------
/** Instruction counts of one callgrind loop: total, and per profile part (1 = PHP startup, 2..N+1 = the sends, then shutdown). */
$parts = static function (string $name) use ($run): ?array {
    $byPart = [];
    foreach (glob("$run/cpu/$name.callgrind*") ?: [] as $f) {
        $text = (string) file_get_contents($f, false, null, 0, 4096);
        if (preg_match('/^part: (\d+)/m', $text, $p) && preg_match('/^(?:summary|totals): (\d+)/m', $text, $m)) {
            $byPart[(int) $p[1]] = (int) $m[1];
        } elseif (preg_match('/^(?:summary|totals): (\d+)/m', (string) file_get_contents($f), $m)) {
            $byPart[1] = (int) $m[1];
        }
    }
    if ($byPart === []) {
        return null;
    }
    ksort($byPart);

    return ['total' => array_sum($byPart), 'iterations' => array_values(array_slice($byPart, 1, -1))];
};
$median = static function (array $xs): float {
    sort($xs);
    $n = count($xs);

    return $n === 0 ? 0.0 : ($n % 2 ? (float) $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2);
};
$sends = (int) $meta['cpu_sends'];
if ($ran('cpu')) {
$array = $parts('array');
$o[] = '';
$o[] = sprintf('**2. CPU: instructions per send in the PHP process** (callgrind, all threads; a loop of %d sends, each in a fresh Laravel application, minus the same loop with the `array` mailer: %s instructions in all, %s per steady-state iteration)',
    $sends, $array === null ? 'n/a' : number_format($array['total']), $array === null ? 'n/a' : number_format($median(array_slice($array['iterations'], 1))));
$o[] = '';
$o[] = '| trust store | figure | native (o365) | baseline (PHP userland) | native/baseline | target |';
$o[] = '|---|---|---:|---:|---:|---|';
foreach (['system' => ['system CA bundle (+ emulator CA)', 0.05], 'emulator' => ['emulator\'s CA only', 0.25]] as $k => [$label, $t]) {
    $n = $parts("native-$k");
    $b = $parts("baseline-$k");
    $per = static fn (?array $x): ?float => $x !== null && $array !== null ? ($x['total'] - $array['total']) / $sends : null;
    $steady = static fn (?array $x): ?float => $x !== null && $array !== null && count($x['iterations']) > 1
        ? $median(array_slice($x['iterations'], 1)) - $median(array_slice($array['iterations'], 1)) : null;
    $first = static fn (?array $x): ?float => $x !== null && $array !== null && $x['iterations'] !== [] && $array['iterations'] !== []
        ? (float) ($x['iterations'][0] - $array['iterations'][0]) : null;
    $fmt = static fn (?float $v): string => $v === null ? 'n/a' : number_format($v, 0);
    [$pn, $pb] = [$per($n), $per($b)];
    $o[] = sprintf('| %s | **per send, average of the %d-send loop** | %s | %s | %s | ≤ %.2f: %s |', $label, $sends, $fmt($pn), $fmt($pb), ratio($pn, $pb), $t,
        ($pn !== null && $pb) ? verdict($pn / $pb <= $t) : 'n/a');
    $o[] = sprintf('| %s | steady state: median of sends 2..%d | %s | %s | %s | (≤ %.2f: %s) |', $label, $sends, $fmt($steady($n)), $fmt($steady($b)),
        ratio($steady($n), $steady($b)), $t, ($steady($n) !== null && $steady($b)) ? verdict($steady($n) / $steady($b) <= $t) : 'n/a');
    $o[] = sprintf('| %s | first send of the process (one-time costs included) | %s | %s | %s | |', $label, $fmt($first($n)), $fmt($first($b)), ratio($first($n), $first($b)));
}
// The streaming transport against the string path (toString() + sendMime), same trust store.
$stream = $parts('native-system');
$string = $parts('native-string-system');
if ($stream !== null && $string !== null && $array !== null) {
    $cost = static fn (array $x): array => [
        'average' => ($x['total'] - $array['total']) / $sends,
        'steady' => $median(array_slice($x['iterations'], 1)) - $median(array_slice($array['iterations'], 1)),
        'first' => (float) ($x['iterations'][0] - $array['iterations'][0]),
    ];
    [$a, $b] = [$cost($stream), $cost($string)];
    $o[] = '';
    $o[] = '**2b. The streaming transport against the string path** (system CA bundle; the same loops, minus the `array` mailer; target: streaming ≤ 1.05 × string path per small send, steady state)';
    $o[] = '';
    $o[] = '| figure | streaming transport (sendMimeStream) | string path (toString() + sendMime) | streaming/string | target |';
    $o[] = '|---|---:|---:|---:|---|';
    foreach (['average' => sprintf('per send, average of the %d-send loop', $sends), 'steady' => sprintf('steady state: median of sends 2..%d', $sends), 'first' => 'first send of the process'] as $k => $label) {
        $o[] = sprintf('| %s | %s | %s | %s | %s |', $label, number_format($a[$k]), number_format($b[$k]), ratio($a[$k], $b[$k]),
            $k === 'steady' ? '≤ 1.05: '.verdict($b[$k] > 0 && $a[$k] / $b[$k] <= 1.05) : '');
    }
}
}
// ---- Memory -------------------------------------------------------------------------
if ($ran('memory')) {
$o[] = '';
$o[] = '**3. Memory: one Laravel Mailable with `attach($path)` of a large file** (fresh PHP process each; peaks reset after Laravel booted, so "growth" is what the send itself added; SHA-256 of the attachment checked at the emulator; MB/s = attachment MB / send time)';
$o[] = '';
$o[] = '| attachment | driver | memory_limit | result | peak RSS growth | PHP peak growth (memory_get_peak_usage(true)) | attachment SHA-256 at the emulator | MB/s | target: delivered, growth ≤ 24 MiB |';
$o[] = '|---|---|---|---|---:|---:|---|---:|---|';
$sizes = [];
foreach ((array) glob("$run/memory/*mb.sha256") as $f) {
    $sizes[] = (int) basename((string) $f);
}
sort($sizes);
$speed = [];
// One table row over a driver's repeats (memory/NAME-MBmb-rN.*): the largest peaks (the
// claim is a bound), the median MB/s; delivered only if every repeat delivered intact.
// Returns [peak RSS growth, PHP peak growth], or null when a repeat crashed or failed.
$memoryRow = static function (int $mb, string $file, string $label, string $limit, bool $sent, ?callable $target) use ($run, &$o, &$speed): ?array {
    $want = trim((string) @file_get_contents("$run/memory/{$mb}mb.sha256"));
    $runs = glob("$run/memory/$file-{$mb}mb-r*.json") ?: [];
    sort($runs);
    [$rss, $php, $secs, $shas, $errors] = [0, 0, [], [], []];
    foreach ($runs as $json) {
        $base = substr($json, 0, -5);
        $m = load($json);
        if ($m === null) {
            $err = is_file("$base.err") ? trim((string) file_get_contents("$base.err")) : '';
            $errors[] = 'crashed: '.($err === '' ? 'no output' : mb_substr($err, 0, 200));
            continue;
        }
        $rss = max($rss, ($m['peak_rss_kb'] - $m['rss_before_kb']) * 1024);
        $php = max($php, $m['php_peak_bytes'] - $m['php_before_bytes']);
        if (!$m['ok']) {
            $errors[] = 'failed: '.mb_substr((string) $m['error'], 0, 160);
            continue;
        }
        $secs[] = $m['seconds'];
        $got = trim((string) @file_get_contents("$base.delivered-sha256"));
        $shas[] = $got === $want ? 'identical' : ($got === '' ? 'not delivered' : 'DIFFERENT');
    }
    if ($runs === []) {
        return null;
    }
    sort($secs);
    $median = $secs === [] ? null : $secs[intdiv(count($secs), 2)];
    $shaSet = array_unique($shas);
    $sha = !$sent ? 'n/a' : ($errors !== [] ? 'not delivered' : (count($shaSet) === 1 ? $shaSet[0] : implode(', ', $shaSet)));
    $ok = $errors === [] && (!$sent || $sha === 'identical');
    $mbs = $median !== null && $median > 0 ? $mb * 1048576 / 1e6 / $median : null;
    $speed[$file][$mb] = $ok ? $mbs : null;
    $result = $ok ? sprintf('delivered %d/%d (median %.1f s)', count($secs), count($runs), $median)
        : str_replace('|', '\\|', $errors[0] ?? 'not delivered');
    $o[] = sprintf('| %d MB | %s | %s | %s | %s | %s | %s | %s | %s |', $mb, $label, $limit, $result, mib($rss), mib($php), $sha,
        $mbs === null ? '' : sprintf('%.1f', $mbs), $target === null ? '' : verdict($ok && $target($rss, $php)));

    return $ok ? [$rss, $php] : null;
};
$within24 = static fn (int $rss, int $php): bool => $rss <= 24 * 1048576 && $php <= 24 * 1048576;
foreach ($sizes as $mb) {
    $memoryRow($mb, 'o365', 'streaming transport (sendMimeStream)', '128M', true, $within24);
    $memoryRow($mb, 'o365-string', 'toString() + sendMime (before)', '2G', true, null);
    $memoryRow($mb, 'array', 'Laravel `array` mailer (no transport)', '2G', false, null);
}
$dataSizes = array_values(array_filter($sizes, static fn (int $mb): bool => glob("$run/memory/o365-data-{$mb}mb-r*.json") !== []));
if ($dataSizes !== []) {
    $o[] = '';
    $o[] = '**3b. The same with `attachData($string)`**: the file is read into a PHP string before the peaks are reset (the message is in memory by the user\'s choice); target: the streaming transport\'s PHP peak grows no more than the string path\'s (+1 MiB), its RSS no more than +4 MiB (the extension\'s chunk buffers).';
    $o[] = '';
    $o[] = '| attachment | driver | memory_limit | result | peak RSS growth | PHP peak growth (memory_get_peak_usage(true)) | attachment SHA-256 at the emulator | MB/s | target: not worse than the string path |';
    $o[] = '|---|---|---|---|---:|---:|---|---:|---|';
    foreach ($dataSizes as $mb) {
        // The string path's row is computed first (printed second) so the target can use it.
        $before = $memoryRow($mb, 'o365-string-data', 'toString() + sendMime (before)', '2G', true, null);
        $stringLine = array_pop($o);
        $memoryRow($mb, 'o365-data', 'streaming transport (sendMimeStream)', '2G', true,
            static fn (int $rss, int $php): bool => $before !== null && $php <= $before[1] + 1048576 && $rss <= $before[0] + 4 * 1048576);
        $o[] = $stringLine;
    }
}
$ratios = [];
foreach ($sizes as $mb) {
    if (($speed['o365'][$mb] ?? null) && ($speed['o365-string'][$mb] ?? null)) {
        $ratios[] = sprintf('%d MB: %.2f', $mb, $speed['o365'][$mb] / $speed['o365-string'][$mb]);
    }
    if (($speed['o365-data'][$mb] ?? null) && ($speed['o365-string-data'][$mb] ?? null)) {
        $ratios[] = sprintf('%d MB attachData: %.2f', $mb, $speed['o365-data'][$mb] / $speed['o365-string-data'][$mb]);
    }
}
if ($ratios !== []) {
    $o[] = '';
    $o[] = 'Throughput, streaming / string path (target ≥ 0.90): '.implode(', ', $ratios).'.';
}
}
// ---- Cold start ---------------------------------------------------------------------
if ($ran('coldstart')) {
    $firstMs = static function (string $file): ?float {
        $ms = [];
        foreach (is_file($file) ? file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) : [] as $line) {
            $ms[] = (float) json_decode($line, true, 512, JSON_THROW_ON_ERROR)['ms'];
        }
        sort($ms);

        return $ms === [] ? null : $ms[intdiv(count($ms), 2)];
    };
    // The floor's first request opened its connection (the token was fetched before).
    $floorLine = is_file("$run/floor/c1-1.txt") ? strtok((string) file_get_contents("$run/floor/c1-1.txt"), "\n") : false;
    $floorFirst = $floorLine === false ? null : 1000 * (float) explode(' ', $floorLine)[1];
    $allowed = $floorFirst === null ? null : $floorFirst + $meta['connect_latency_ms'] + 2 * $meta['latency_ms'];
    $o[] = '';
    $o[] = sprintf('**5. Cold start: the first send of a fresh process** (a new php-fpm worker: `new O365\\Mailer` to the receipt, a 1 KB message, median of %d fresh processes each; before = the token fetched first, then the send, as the first send did before it opened Graph\'s connection while fetching; the floor\'s first send, curl\'s first request on a new connection with the token in hand: %s)',
        $meta['coldstart_runs'] ?? 0, $floorFirst === null ? 'n/a' : sprintf('%.1f ms', $floorFirst));
    $o[] = '';
    $o[] = sprintf('| token endpoint and Graph | token, then Graph (before) | overlapped (after) | after/before | target: ≤ the floor\'s first send + 1 connection + 2 requests (%s) |',
        $allowed === null ? 'n/a' : sprintf('%.0f ms', $allowed));
    $o[] = '|---|---:|---:|---:|---|';
    foreach (['two' => 'two origins (`localhost` and `127.0.0.1`, as Entra and Graph at Microsoft)', 'one' => 'one origin (the emulator\'s default)'] as $k => $label) {
        [$before, $after] = [$firstMs("$run/coldstart/$k-sequential.jsonl"), $firstMs("$run/coldstart/$k-overlapped.jsonl")];
        $o[] = sprintf('| %s | %s | %s | %s | %s |', $label, $before === null ? 'n/a' : sprintf('%.1f ms', $before),
            $after === null ? 'n/a' : sprintf('%.1f ms', $after), ratio($after, $before),
            $after === null || $allowed === null ? 'n/a' : verdict($after <= $allowed));
    }
}
// ---- ca_file ------------------------------------------------------------------------
if ($ran('cafile') && is_file("$run/cafile.txt")) {
    $text = (string) file_get_contents("$run/cafile.txt");
    $count = static fn (string $label): ?array => preg_match('/ca_file with '.$label.' \((\d+) bytes\): (\d+) instructions per send/', $text, $m) ? [(int) $m[1], (int) $m[2]] : null;
    [$one, $bundle] = [$count('one certificate'), $count('the system bundle')];
    $o[] = '';
    $o[] = '**6. `ca_file`: instructions per send through a new `O365\Mailer` per send** (as PHP-FPM builds one per request; callgrind, median of 10 sends after 2; `bench/ca-file.sh`; target: the bundle ≤ 1.15 × one certificate)';
    $o[] = '';
    $o[] = '| ca_file | size | instructions per send |';
    $o[] = '|---|---:|---:|';
    foreach (['one certificate (the emulator\'s CA)' => $one, 'the system CA bundle plus the emulator\'s CA' => $bundle] as $label => $v) {
        $o[] = sprintf('| %s | %s | %s |', $label, $v === null ? 'n/a' : number_format($v[0]).' bytes', $v === null ? 'n/a' : number_format($v[1]));
    }
    $o[] = '';
    $o[] = sprintf('Bundle / one certificate: %s %s.', $one && $bundle ? sprintf('%.2f', $bundle[1] / $one[1]) : 'n/a',
        $one && $bundle ? verdict($bundle[1] <= 1.15 * $one[1]) : '');
}
// ---- Machine ------------------------------------------------------------------------
$sh = static fn (string $cmd): string => trim((string) shell_exec($cmd.' 2>/dev/null'));
$o[] = '';
$o[] = sprintf('Machine: %s, %s cores, %s RAM, %s, kernel %s; PHP %s (php-fpm, OPcache on), %s; %s; %s; %s; %s.',
    $sh("lscpu | sed -n 's/^Model name: *//p'") ?: 'unknown CPU', $sh('nproc'),
    $sh("free -g | awk '/^Mem:/ {print \$2\" GiB\"}'"), $sh('. /etc/os-release; echo $PRETTY_NAME'), $sh('uname -r'), PHP_VERSION,
    $sh("curl --version | head -1 | awk '{print \$1, \$2, \$4, \$5}'") ?: 'curl',
    $sh("nginx -v 2>&1 | sed 's/^nginx version: //'"), $sh("wrk -v 2>&1 | head -1 | awk '{print \$1, \$2}'"),
    $sh('valgrind --version'), $sh('rustc --version | cut -d" " -f1-2'));
$o[] = sprintf('Shared machine: other work was running (load average at the end: %s); latencies are noisy, instruction counts are not.', $sh("cut -d' ' -f1-3 /proc/loadavg"));
$o[] = '';
$o[] = sprintf('Command: `%s` (settings: BENCH_LATENCY_MS=%d BENCH_CONNECT_LATENCY_MS=%d BENCH_DURATION=%d BENCH_WORKERS=%d BENCH_CPU_SENDS=%d BENCH_FLOOR_REQUESTS=%d).',
    $meta['command'], $meta['latency_ms'], $meta['connect_latency_ms'], $meta['duration_s'], $meta['workers'], $meta['cpu_sends'], $meta['floor_requests']);

$md = implode("\n", $o)."\n";
@mkdir(dirname($reportFile), 0777, true);
file_put_contents($reportFile, "# Benchmark results (latest run)\n\nGenerated by `make bench` (bench/run.sh); see bench/README.md, \"The latest `make bench` run\".\n\n".$md);
$text = (string) @file_get_contents($readme);
$start = '<!-- bench:start -->';
$end = '<!-- bench:end -->';
if (($a = strpos($text, $start)) !== false && ($b = strpos($text, $end)) !== false && $b > $a) {
    file_put_contents($readme, substr($text, 0, $a + strlen($start))."\n".$md.substr($text, $b));
}
echo $md;
