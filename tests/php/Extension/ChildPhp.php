<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

/**
 * Runs a fixture script in a new PHP process with the extension this test run loaded:
 * for what must happen in a process of its own (fatal errors, exit(), ini settings
 * that apply at startup).
 */
final class ChildPhp
{
    /**
     * The loaded extension file, read from this process's memory map: cargo's libo365.so or
     * a per-PHP build's o365.so (scripts/build-ext.sh), whichever this run loaded.
     */
    public static function extension(): string
    {
        foreach (file('/proc/self/maps', FILE_IGNORE_NEW_LINES) ?: [] as $line) {
            if (preg_match('#\s(/\S*/(?:lib)?o365\.so)$#', $line, $m)) {
                return $m[1];
            }
        }
        throw new \RuntimeException('the o365 extension is loaded but its file is not in /proc/self/maps');
    }

    /**
     * @param array<string, string> $ini  -d settings
     * @param list<string>          $args script arguments
     * @return array{code: int, out: string, err: string}
     */
    public static function run(string $fixture, array $args = [], array $ini = []): array
    {
        $cmd = [PHP_BINARY, '-d', 'extension='.self::extension(), '-d', 'display_errors=stderr', '-d', 'log_errors=0'];
        foreach ($ini as $k => $v) {
            array_push($cmd, '-d', "$k=$v");
        }
        $cmd = array_merge($cmd, [__DIR__.'/Fixtures/'.$fixture], $args);
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException('could not start '.PHP_BINARY);
        }
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);

        return ['code' => proc_close($proc), 'out' => (string) $out, 'err' => (string) $err];
    }
}
