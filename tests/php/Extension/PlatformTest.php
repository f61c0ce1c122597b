<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/** What ties a build to its platform: the PHP API it targets, and the machine's CA store. */
final class PlatformTest extends TestCase
{
    public function testPhpinfoNamesThePhpApiOfTheRunningPhp(): void
    {
        ob_start();
        (new \ReflectionExtension('o365'))->info();
        $info = (string) ob_get_clean();

        $this->assertMatchesRegularExpression('/PHP API => (\d{8}) \(PHP (\d+\.\d+)\)/', $info);
        preg_match('/PHP API => (\d{8}) \(PHP (\d+\.\d+)\)/', $info, $m);
        $this->assertSame(PHP_MAJOR_VERSION.'.'.PHP_MINOR_VERSION, $m[2], 'the build targets the PHP that loaded it');
    }

    public function testAMachineWithoutCaCertificatesGetsAnErrorNamingTheFix(): void
    {
        $emulator = new Emulator();
        $empty = sys_get_temp_dir().'/o365-no-ca-'.bin2hex(random_bytes(4));
        mkdir($empty);
        $code = 'try { (new O365\Mailer(json_decode($argv[1], true)))->sendMime("From: sender@contoso.com\r\nTo: a@example.com\r\nSubject: s\r\n\r\nb\r\n", "sender@contoso.com", ["a@example.com"]); echo "SENT"; }'
            .' catch (Throwable $e) { echo get_class($e), "\n", $e->getMessage(); }';
        $cmd = [PHP_BINARY, '-n', '-d', 'extension='.self::extensionPath(), '-r', $code, json_encode($emulator->config(), JSON_THROW_ON_ERROR)];
        // rustls-native-certs reads only SSL_CERT_FILE / SSL_CERT_DIR when they are set:
        // pointing them at nothing is a machine without a CA store, for this process.
        $env = ['SSL_CERT_FILE' => $empty.'/none.pem', 'SSL_CERT_DIR' => $empty] + getenv();
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        $out = stream_get_contents($pipes[1]).stream_get_contents($pipes[2]);
        proc_close($proc);
        rmdir($empty);

        $this->assertStringStartsWith("O365\\TransportException\n", $out, 'even a plain-HTTP endpoint needs the trust store');
        $this->assertStringContainsString('no CA certificates', $out);
        $this->assertStringContainsString('apt-get install ca-certificates', $out);
        $this->assertStringContainsString('`ca_file`', $out);
        $this->assertSame([], $emulator->messages());
    }

    /** The build under test (scripts/test.sh names each PHP's build in O365_EXTENSION). */
    private static function extensionPath(): string
    {
        return getenv('O365_EXTENSION') ?: (string) realpath(dirname(__DIR__, 3).'/target/debug/libo365.so');
    }
}
