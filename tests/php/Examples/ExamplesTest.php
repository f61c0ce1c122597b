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

    public function testStreamLargeFileExampleSendsAFileLargerThanItsMemoryLimit(): void
    {
        $emulator = new Emulator();
        $file = tempnam(sys_get_temp_dir(), 'o365-example-');
        file_put_contents($file, random_bytes(40 * 1024 * 1024));
        try {
            [$code, $out] = self::runPhp(['-d', 'memory_limit=24M', 'examples/stream-large-file.php', 'ann@example.com', $file], [
                'O365_TENANT_ID' => Emulator::TENANT_ID, 'O365_CLIENT_ID' => Emulator::CLIENT_ID, 'O365_CLIENT_SECRET' => Emulator::CLIENT_SECRET,
                'O365_MAILBOX' => 'sender@contoso.com', 'O365_LOGIN_ENDPOINT' => $emulator->baseUrl, 'O365_GRAPH_ENDPOINT' => $emulator->baseUrl,
            ]);
            $this->assertSame(0, $code, $out);
            $this->assertStringContainsString('sent via draft', $out);
            $m = $emulator->messages()[0];
            $this->assertSame(basename($file), $m['attachments'][0]['name']);
            $this->assertSame(hash_file('sha256', $file), $m['attachments'][0]['sha256']);
        } finally {
            unlink($file);
        }
    }

    public function testStreamLargeFileExampleUsageErrorsExitTwo(): void
    {
        [$code, $out] = self::runPhp(['examples/stream-large-file.php', 'ann@example.com']);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('usage: php -d extension=o365 examples/stream-large-file.php RECIPIENT FILE', $out);
        self::assertNamedFilesExist($out);
        [$code, $out] = self::runPhp(['examples/stream-large-file.php', 'ann@example.com', __FILE__], ['O365_MAILBOX' => '']);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('set O365_MAILBOX', $out);
        [$code, $out] = self::runPhp(['examples/stream-large-file.php', 'ann@example.com', '/nonexistent/file.zip'], ['O365_MAILBOX' => 'sender@contoso.com']);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('cannot read /nonexistent/file.zip', $out);
    }

    public function testBareExtensionExampleReportsConfigErrors(): void
    {
        [$code, $out] = self::runPhp(['examples/bare-extension.php', 'ann@example.com'], ['O365_MAILBOX' => 'sender@contoso.com', 'O365_TENANT_ID' => 't', 'O365_CLIENT_ID' => '', 'O365_CLIENT_SECRET' => '']);

        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('Configuration error in `client_id`', $out);
    }

    public function testBareExtensionExampleUsageErrorExitsTwoAndPointsToFilesThatExist(): void
    {
        [$code, $out] = self::runPhp(['examples/bare-extension.php']);

        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('usage: php -d extension=o365 examples/bare-extension.php RECIPIENT', $out);
        self::assertNamedFilesExist($out);
        [$code, $out] = self::runPhp(['examples/bare-extension.php', 'ann@example.com'], ['O365_MAILBOX' => '']);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('set O365_MAILBOX', $out);
    }

    public function testSymfonyMailerExampleFromACleanClone(): void
    {
        $emulator = new Emulator();
        $dsn = sprintf('o365://%s:%s@%s?mailbox=noreply@contoso.com&login_endpoint=%s&graph_endpoint=%s', Emulator::CLIENT_ID, Emulator::CLIENT_SECRET, Emulator::TENANT_ID, urlencode($emulator->baseUrl), urlencode($emulator->baseUrl));
        // As a user runs it: no test bootstrap, so no Laravel; the example finds Symfony Mailer itself.
        [$code, $out] = self::runPhp(['examples/symfony-mailer.php', $dsn, 'ann@example.com']);

        $this->assertSame(0, $code, $out);
        $m = $emulator->messages()[0];
        $this->assertSame("Graph request-id: {$m['request_id']}\n", $out);
        $this->assertSame('Hello from Symfony Mailer', $m['subject']);
    }

    public function testSymfonyMailerExampleSaysHowToReachTheEmulator(): void
    {
        [$code, $out] = self::runPhp(['examples/symfony-mailer.php']);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('see the comment at the top for the emulator', $out);
        $source = (string) file_get_contents(self::ROOT.'/examples/symfony-mailer.php');
        $this->assertStringContainsString('o365-emulator &          # listens on http://127.0.0.1:8365', $source);
        $this->assertStringContainsString('login_endpoint=http://127.0.0.1:8365&graph_endpoint=http://127.0.0.1:8365', $source);
        self::assertNamedFilesExist($source);
    }

    /** Every repository file a message names (examples/x.php, README.md, target/debug/...) exists. */
    private static function assertNamedFilesExist(string $text): void
    {
        preg_match_all('#(?<![\w/.])((?:examples|target|tests|scripts|docs)/[\w./-]+\w|README\.md)#', $text, $m);
        self::assertNotEmpty($m[1], 'the message points to a file');
        foreach (array_unique($m[1]) as $path) {
            self::assertFileExists(self::ROOT.'/'.$path, "named in: $text");
        }
    }
}
