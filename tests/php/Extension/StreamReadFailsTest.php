<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/**
 * sendMimeStream() whose message source fails while it is read: nothing is sent, and the
 * exception names the source, not a config key (`mime` is none).
 */
final class StreamReadFailsTest extends TestCase
{
    private const MIME = "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: Hi\r\n\r\nHello\r\n";

    public function testAnIterableThatThrowsStopsTheSendWithItsOwnException(): void
    {
        $emulator = new Emulator();
        $chunks = (static function (): \Generator {
            yield self::MIME;
            throw new \RuntimeException('the attachment file vanished');
        })();
        try {
            (new \O365\Mailer($emulator->config()))->sendMimeStream($chunks);
            $this->fail('expected the send to stop');
        } catch (\RuntimeException $e) {
            // The caller's own exception wins over the extension's (no config to fix).
            $this->assertSame('the attachment file vanished', $e->getMessage());
        }
        $this->assertSame([], $emulator->messages());
    }

    public function testAStreamNotOpenForReadingNamesFopenRbAndNoConfigKey(): void
    {
        $emulator = new Emulator();
        $path = tempnam(sys_get_temp_dir(), 'o365-mime');
        $stream = fopen($path, 'wb');
        set_error_handler(static fn (): bool => true); // fread()'s own warning: not under test
        try {
            (new \O365\Mailer($emulator->config()))->sendMimeStream($stream);
            $this->fail('expected the read to fail');
        } catch (\O365\ConfigurationException $e) {
            $this->assertNull($e->getConfigKey(), 'the message argument is at fault, not a config key');
            $this->assertStringContainsString('fread() failed on the stream', $e->getMessage());
            $this->assertStringContainsString("fopen(\$path, 'rb')", $e->getMessage());
        } finally {
            restore_error_handler();
            fclose($stream);
            unlink($path);
        }
        $this->assertSame([], $emulator->messages());
    }
}
