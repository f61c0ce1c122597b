<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/** Upload progress of large messages reaches a PHP callable, on the PHP thread. */
final class ProgressCallbackTest extends TestCase
{
    private static function mime(int $bytes): string
    {
        $data = random_bytes($bytes);

        return "From: Sender <sender@contoso.com>\r\nTo: ann@example.com\r\nSubject: Large\r\nMIME-Version: 1.0\r\n"
            ."Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n"
            ."--B\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n"
            ."Content-Disposition: attachment; filename=big.bin\r\n\r\n".chunk_split(base64_encode($data), 76, "\r\n")."--B--\r\n";
    }

    public function testProgressIsReportedUntilDone(): void
    {
        $emulator = new Emulator();
        $mailer = new \O365\Mailer($emulator->config());
        $events = [];
        $receipt = $mailer->sendMime(self::mime(9 * 1024 * 1024), null, [], function (array $p) use (&$events): void {
            $events[] = $p;
        });

        $this->assertSame('draft', $receipt['route']);
        $this->assertSame([], $receipt['warnings']);
        $uploads = array_values(array_filter($events, static fn (array $e): bool => $e['phase'] === 'upload' && $e['attachment'] !== null));
        $this->assertGreaterThanOrEqual(3, count($uploads), 'one report per chunk of at most 4 MB');
        $this->assertSame('big.bin', $uploads[0]['attachment']);
        $sent = array_column($uploads, 'bytes_sent');
        $this->assertSame($sent, array_values(array_unique($sent)), 'bytes only grow');
        $last = end($uploads);
        $this->assertSame(9 * 1024 * 1024, $last['bytes_total']);
        $this->assertSame($last['bytes_total'], $last['bytes_sent']);
        $this->assertSame('done', end($events)['phase']);
        $this->assertSame(9 * 1024 * 1024, $emulator->messages()[0]['attachments'][0]['size']);
    }

    public function testReturningFalseStopsTheSendAndDeletesTheDraft(): void
    {
        $emulator = new Emulator();
        try {
            o365_send_mime($emulator->config(), self::mime(12 * 1024 * 1024), null, [], static fn (array $p): bool => $p['phase'] !== 'upload');
            $this->fail('expected the send to stop');
        } catch (\O365\Exception $e) {
            $this->assertStringContainsString('progress callback asked to stop', $e->getMessage());
            $this->assertNotInstanceOf(\O365\ConfigurationException::class, $e, 'cancelling is not a configuration error');
            $this->assertStringContainsString('the draft was deleted', $e->getMessage());
        }
        $this->assertSame([], $emulator->messages());
        $this->assertSame([], $emulator->json('GET', '/_emulator/drafts'));
    }

    public function testReturningFalseStopsAStreamedSendWhileItIsRead(): void
    {
        $emulator = new Emulator();
        $mailer = new \O365\Mailer($emulator->config());
        try {
            $mailer->sendMimeStream(str_split(self::mime(12 * 1024 * 1024), 1024 * 1024), null, [], static fn (array $p): bool => $p['phase'] !== 'prepare');
            $this->fail('expected the send to stop');
        } catch (\O365\Exception $e) {
            $this->assertStringContainsString('progress callback asked to stop', $e->getMessage());
            $this->assertNotInstanceOf(\O365\ConfigurationException::class, $e, 'cancelling is not a configuration error');
            $this->assertNull($e->getConfigKey());
        }
        $this->assertSame([], $emulator->messages());
    }

    public function testSmallMessagesStillReportSendAndDone(): void
    {
        $emulator = new Emulator();
        $phases = [];
        $receipt = o365_send_mime($emulator->config(), self::mime(1000), null, [], function (array $p) use (&$phases): void {
            $phases[] = $p['phase'];
        });
        $this->assertSame('mime', $receipt['route']);
        $this->assertSame(['prepare', 'send', 'done'], $phases);
    }
}
