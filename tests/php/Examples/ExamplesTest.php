<?php

declare(strict_types=1);

namespace O365\Tests\Examples;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/** The documented examples run as written, against the emulator. */
final class ExamplesTest extends TestCase
{
    private const ROOT = __DIR__.'/../../..';

    /** @return array{int, string} exit code, stdout + stderr */
    private static function runPhp(array $args, array $env = []): array
    {
        $cmd = array_merge([PHP_BINARY, '-d', 'extension='.self::extensionPath()], $args);
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, self::ROOT, $env + getenv());
        $out = stream_get_contents($pipes[1]).stream_get_contents($pipes[2]);

        return [proc_close($proc), $out];
    }

    /** The extension under test (scripts/test.sh loads target/debug/libo365.so). */
    private static function extensionPath(): string
    {
        return getenv('O365_EXTENSION') ?: (string) realpath(self::ROOT.'/target/debug/libo365.so');
    }

    public function testBareExtensionExample(): void
    {
        $emulator = new Emulator();
        [$code, $out] = self::runPhp(['examples/bare-extension.php', 'ann@example.com'], [
            'O365_TENANT_ID' => Emulator::TENANT_ID, 'O365_CLIENT_ID' => Emulator::CLIENT_ID, 'O365_CLIENT_SECRET' => Emulator::CLIENT_SECRET,
            'O365_MAILBOX' => 'sender@contoso.com', 'O365_LOGIN_ENDPOINT' => $emulator->baseUrl, 'O365_GRAPH_ENDPOINT' => $emulator->baseUrl,
        ]);

        $this->assertSame(0, $code, $out);
        $m = $emulator->messages()[0];
        $this->assertStringContainsString("Graph accepted the message from sender@contoso.com (request-id {$m['request_id']}", $out);
        $this->assertSame(['ann@example.com'], $m['to']);
        $this->assertSame(['archive@example.com'], $m['bcc']);
        $this->assertSame('Hello from the o365 extension', $m['subject']);
    }

    public function testBareExtensionExampleReportsConfigErrors(): void
    {
        [$code, $out] = self::runPhp(['examples/bare-extension.php', 'ann@example.com'], ['O365_MAILBOX' => 'sender@contoso.com', 'O365_TENANT_ID' => 't', 'O365_CLIENT_ID' => '', 'O365_CLIENT_SECRET' => '']);

        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('Configuration error in `client_id`', $out);
    }

    public function testSymfonyMailerExample(): void
    {
        $emulator = new Emulator();
        $dsn = sprintf('o365://%s:%s@%s?mailbox=noreply@contoso.com&login_endpoint=%s&graph_endpoint=%s', Emulator::CLIENT_ID, Emulator::CLIENT_SECRET, Emulator::TENANT_ID, urlencode($emulator->baseUrl), urlencode($emulator->baseUrl));
        // The test bed's Symfony stands in for the application's Composer dependencies.
        [$code, $out] = self::runPhp(['-d', 'auto_prepend_file='.realpath(self::ROOT.'/tests/php/bootstrap-testbed.php'), 'examples/symfony-mailer.php', $dsn, 'ann@example.com']);

        $this->assertSame(0, $code, $out);
        $m = $emulator->messages()[0];
        $this->assertSame("Graph request-id: {$m['request_id']}\n", $out);
        $this->assertSame('Hello from Symfony Mailer', $m['subject']);
    }
}
