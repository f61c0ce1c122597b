<?php

// Latency of one small send with `exactly_once` (draft + /send) against the sendMail route,
// in the same run against the same emulator: N sends each, alternating, after a warm-up
// (token, connections). Prints one JSON line. Usage: php exactly-once.php URL N
declare(strict_types=1);

[, $url, $n] = $argv + [null, null, '40'];
$base = ['tenant_id' => 'contoso.onmicrosoft.com', 'client_id' => '00000000-0000-0000-0000-000000000001',
    'client_secret' => 'emulator-secret', 'login_endpoint' => $url, 'graph_endpoint' => $url];
$mailers = ['send_mail' => new O365\Mailer($base), 'exactly_once' => new O365\Mailer($base + ['exactly_once' => true])];
$mime = static fn (string $id): string => "From: desk@contoso.com\r\nTo: ann@example.com\r\nSubject: bench\r\n"
    ."Message-ID: <$id@bench>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello.\r\n";
$times = ['send_mail' => [], 'exactly_once' => []];
foreach ($mailers as $name => $mailer) {
    $mailer->sendMime($mime("warm-$name"));
}
for ($i = 0; $i < (int) $n; $i++) {
    foreach ($mailers as $name => $mailer) {
        $t = hrtime(true);
        $receipt = $mailer->sendMime($mime("$name-$i-".bin2hex(random_bytes(4))));
        $times[$name][] = (hrtime(true) - $t) / 1e6;
        if ($receipt['already_sent']) {
            throw new RuntimeException('a fresh Message-ID came back already_sent');
        }
    }
}
$median = static function (array $v): float {
    sort($v);
    $m = intdiv(count($v), 2);

    return count($v) % 2 ? $v[$m] : ($v[$m - 1] + $v[$m]) / 2;
};
$out = ['n' => (int) $n];
foreach ($times as $name => $v) {
    $out[$name.'_median_ms'] = round($median($v), 1);
    $out[$name.'_mean_ms'] = round(array_sum($v) / count($v), 1);
}
$out['ratio_median'] = round($out['exactly_once_median_ms'] / $out['send_mail_median_ms'], 2);
echo json_encode($out), "\n";
