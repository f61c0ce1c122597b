<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/**
 * A real php-fpm worker (one, pm = static) survives fatal errors inside the progress
 * callback: the same worker's next request sends (before: every later request of the
 * worker failed with "called from inside an async runtime"), and each interrupted
 * draft was deleted.
 */
final class FpmWorkerTest extends TestCase
{
    /** @var resource|null */
    private $fpm = null;
    private string $dir = '';

    protected function tearDown(): void
    {
        if (is_resource($this->fpm)) {
            proc_terminate($this->fpm);
            proc_close($this->fpm);
        }
        if ($this->dir !== '') {
            array_map('unlink', glob($this->dir.'/*') ?: []);
            rmdir($this->dir);
        }
    }

    public function testTheWorkerSendsAgainAfterFatalErrorsInTheCallback(): void
    {
        $socket = $this->startFpm();
        $emulator = new Emulator();

        $fatal = self::request($socket, 'fatal-in-callback', $emulator->baseUrl);
        $timeout = self::request($socket, 'timeout-in-callback', $emulator->baseUrl);
        $send = self::request($socket, 'send', $emulator->baseUrl);

        $this->assertMatchesRegularExpression('/^pid=\d+$/m', $fatal);
        preg_match('/^pid=(\d+)$/m', $fatal, $pid);
        foreach ([$timeout, $send] as $response) {
            $this->assertStringContainsString("pid={$pid[1]}\n", $response, 'one worker served every request');
        }
        $this->assertStringContainsString('fatal in the callback', $fatal);
        $this->assertStringContainsString('Maximum execution time', $timeout);
        $this->assertStringNotContainsString('not reached', $fatal.$timeout);
        $this->assertStringContainsString("sent mime\n", $send, $send);

        $deletes = array_filter($emulator->requests(), static fn (array $r): bool => $r['method'] === 'DELETE');
        $this->assertCount(2, $deletes, 'both interrupted drafts were deleted');
        $this->assertSame([], $emulator->json('GET', '/_emulator/drafts'));
        $this->assertSame(['send'], array_column($emulator->messages(), 'subject'));
    }

    /** Starts php-fpm with one worker and the extension under test; returns its socket. */
    private function startFpm(): string
    {
        $fpm = sprintf('/usr/sbin/php-fpm%d.%d', PHP_MAJOR_VERSION, PHP_MINOR_VERSION);
        if (!is_executable($fpm)) {
            // scripts/setup.sh installs php8.2-fpm on the host, scripts/root.sh php8.4-fpm and
            // php8.5-fpm in the forky root: in CI a missing one is a failure, not a skip.
            \O365\Tests\Support\Skip::because(sprintf('%s is missing: install php%d.%d-fpm (scripts/setup.sh, scripts/root.sh)', $fpm, PHP_MAJOR_VERSION, PHP_MINOR_VERSION));
        }
        $this->dir = sys_get_temp_dir().'/o365-fpm-'.bin2hex(random_bytes(4));
        mkdir($this->dir);
        $socket = $this->dir.'/fpm.sock';
        $user = function_exists('posix_getpwuid') ? (posix_getpwuid(posix_geteuid())['name'] ?? 'root') : 'root';
        file_put_contents($this->dir.'/fpm.conf', implode("\n", [
            '[global]', 'daemonize = no', "error_log = {$this->dir}/fpm.log",
            '[test]', "user = $user", "listen = $socket", 'pm = static', 'pm.max_children = 1',
            'catch_workers_output = yes', 'php_admin_value[display_errors] = stdout', 'php_admin_value[log_errors] = 0',
            'php_admin_value[html_errors] = 0', '',
        ]));
        $this->fpm = proc_open(
            [$fpm, '-F', '-R', '-y', $this->dir.'/fpm.conf', '-d', 'extension='.ChildPhp::extension()],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', $this->dir.'/stderr', 'w']],
            $pipes,
        );
        for ($i = 0; $i < 200 && !file_exists($socket); $i++) {
            usleep(50_000);
        }
        $this->assertFileExists($socket, 'php-fpm did not start: '.@file_get_contents($this->dir.'/stderr').@file_get_contents($this->dir.'/fpm.log'));

        return $socket;
    }

    /** One FastCGI request (responder role) for the fixture; returns its stdout. */
    private static function request(string $socket, string $mode, string $base): string
    {
        $script = __DIR__.'/Fixtures/fpm-request.php';
        $params = ['SCRIPT_FILENAME' => $script, 'SCRIPT_NAME' => '/fpm-request.php', 'REQUEST_METHOD' => 'GET',
            'SERVER_PROTOCOL' => 'HTTP/1.1', 'GATEWAY_INTERFACE' => 'CGI/1.1', 'O365_MODE' => $mode, 'O365_BASE' => $base];
        $pairs = '';
        foreach ($params as $k => $v) {
            $pairs .= self::length(strlen($k)).self::length(strlen($v)).$k.$v;
        }
        $record = static fn (int $type, string $body): string => pack('CCnnCC', 1, $type, 1, strlen($body), 0, 0).$body;
        $conn = stream_socket_client("unix://$socket", $errno, $error, 10);
        if ($conn === false) {
            throw new \RuntimeException("cannot connect to php-fpm: $error");
        }
        stream_set_timeout($conn, 60);
        fwrite($conn, $record(1, pack('nCx5', 1, 0)).$record(4, $pairs).$record(4, '').$record(5, ''));
        $out = '';
        while (!feof($conn)) {
            $header = fread($conn, 8);
            if ($header === false || strlen($header) < 8) {
                break;
            }
            $h = unpack('Cversion/Ctype/nid/nlength/Cpadding/Creserved', $header);
            $body = $h['length'] > 0 ? stream_get_contents($conn, $h['length']) : '';
            if ($h['padding'] > 0) {
                stream_get_contents($conn, $h['padding']);
            }
            if ($h['type'] === 6) {
                $out .= $body;
            } elseif ($h['type'] === 3) {
                break;
            }
        }
        fclose($conn);

        return $out;
    }

    private static function length(int $n): string
    {
        return $n < 128 ? chr($n) : pack('N', $n | 0x80000000);
    }
}
