<?php

// Provokes every PHP trace that can hold the extension's config array and prints, per
// case, what a log could record: the exception as a string, its getTrace() and
// debug_backtrace() exported, and whether the config argument shows as
// SensitiveParameterValue. Usage: php secret-traces.php EMULATOR_URL SECRET

declare(strict_types=1);

[, $base, $secret] = $argv;
$config = [
    'tenant_id' => 'contoso.onmicrosoft.com',
    'client_id' => '00000000-0000-0000-0000-000000000001',
    'client_secret' => $secret,
    'login_endpoint' => $base,
    'graph_endpoint' => $base,
    'max_retries' => 1,
    // A secret too (the password); nothing listens on port 1, so the limiter falls back.
    'redis_url' => "redis://:$secret@127.0.0.1:1/0",
];
$mime = "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: x\r\n\r\nbody\r\n";

/** The frame of the extension's function or method in a trace, with what it shows for $config. */
function configArg(array $trace, string $function): string
{
    foreach ($trace as $frame) {
        if (($frame['function'] ?? '') === $function) {
            if (!array_key_exists('args', $frame)) {
                return 'no args';
            }
            $arg = $frame['args'][0] ?? null;

            return is_object($arg) ? get_class($arg) : get_debug_type($arg);
        }
    }

    return 'frame missing';
}

function report(\Throwable $e, string $function, ?array $backtrace = null): array
{
    return [
        'class' => get_class($e),
        'string' => (string) $e,
        'trace' => var_export($e->getTrace(), true),
        'print_r' => print_r($e->getTrace(), true),
        'config_arg' => configArg($e->getTrace(), $function),
        'backtrace' => $backtrace === null ? '' : var_export($backtrace, true),
        'backtrace_config_arg' => $backtrace === null ? '' : configArg($backtrace, $function),
    ];
}

$cases = [];
$cases['o365_send_mime: TypeError'] = static fn () => o365_send_mime($config, []);
$cases['o365_send_mime: ArgumentCountError'] = static fn () => o365_send_mime($config);
$cases['o365_send_mime: bad mailbox type'] = static fn () => o365_send_mime($config, $mime, []);
$cases['new O365\Mailer: ArgumentCountError'] = static fn () => new O365\Mailer($config, 1);
$cases['new O365\Mailer: ConfigurationException'] = static fn () => new O365\Mailer($config + ['no_such_key' => 1]);

$out = [];
foreach ($cases as $name => $case) {
    try {
        $case();
        $out[$name] = ['class' => 'none'];
    } catch (\Throwable $e) {
        $function = str_starts_with($name, 'new') ? '__construct' : 'o365_send_mime';
        $out[$name] = report($e, $function);
    }
}

// The progress callback's own exception: its trace includes o365_send_mime's frame.
$thrown = null;
$backtrace = null;
$receipt = o365_send_mime($config, $mime, null, [], function (array $p) use (&$thrown, &$backtrace): void {
    $backtrace = debug_backtrace();
    $thrown = new \RuntimeException('the callback failed');
    throw $thrown;
});
$out['progress callback exception'] = report($thrown, 'o365_send_mime', $backtrace) + ['receipt' => var_export($receipt, true)];

echo json_encode($out, JSON_THROW_ON_ERROR);
