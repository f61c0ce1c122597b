<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use PHPUnit\Framework\TestCase;

/**
 * sendMimeStream() refuses an endless message while reading it, with the limit it
 * passed and what to do, instead of reading, spooling or holding it all (an endless
 * header line used to grow PHP's memory until it aborted). Each case runs a generator
 * that never ends through the real extension in a PHP process of its own.
 */
final class StreamLimitsTest extends TestCase
{
    private const MIB = 1048576;

    /** @return array{class: ?string, message: ?string, read: int, rss_growth_kib: int} */
    private function stream(string $case): array
    {
        // Nothing is sent: the endpoints are never reached.
        $config = ['tenant_id' => 'contoso.onmicrosoft.com', 'client_id' => '00000000-0000-0000-0000-000000000001',
            'client_secret' => 'emulator-secret', 'login_endpoint' => 'http://127.0.0.1:9', 'graph_endpoint' => 'http://127.0.0.1:9'];
        $run = ChildPhp::run('stream-endless.php', [$case, json_encode($config, JSON_THROW_ON_ERROR)], ['memory_limit' => '128M']);
        $this->assertSame(0, $run['code'], "PHP must not abort: {$run['err']}");

        return json_decode($run['out'], true, 512, JSON_THROW_ON_ERROR);
    }

    public function testAnEndlessHeaderLineIsRefusedAfterAFewMegabytes(): void
    {
        $r = $this->stream('header');
        $this->assertSame('O365\ConfigurationException', $r['class'], (string) $r['message']);
        $this->assertStringContainsString('header-block limit', (string) $r['message']);
        $this->assertStringContainsString('not a mail', (string) $r['message']);
        $this->assertLessThanOrEqual(16 * self::MIB, $r['read']);
        $this->assertLessThanOrEqual(64 * 1024, $r['rss_growth_kib']);
    }

    public function testEndlessLargeHeaderBlocksAreRefusedAtTheTotalHeaderLimit(): void
    {
        // Each header block under the 4 MiB block limit; header blocks stay in memory, so
        // their total is capped (16 MiB) instead of reaching the 209 MB MIME cap.
        $r = $this->stream('header-blocks');
        $this->assertSame('O365\ConfigurationException', $r['class'], (string) $r['message']);
        $this->assertStringContainsString('16 MB header limit', (string) $r['message']);
        $this->assertStringContainsString('Fix:', (string) $r['message']);
        $this->assertLessThanOrEqual(24 * self::MIB, $r['read']);
        $this->assertLessThanOrEqual(64 * 1024, $r['rss_growth_kib']);
    }

    public function testAnEndlessAttachmentIsRefusedAtGraphsMessageLimit(): void
    {
        $r = $this->stream('attachment');
        $this->assertSame('O365\ConfigurationException', $r['class'], (string) $r['message']);
        $this->assertStringContainsString("Graph's 150 MB message limit", (string) $r['message']);
        $this->assertStringContainsString('Set-Mailbox -MaxSendSize', (string) $r['message']);
        // 150 MiB of content, as base64 in lines: about 205 MiB read.
        $this->assertLessThanOrEqual(210 * self::MIB, $r['read']);
        $this->assertLessThanOrEqual(64 * 1024, $r['rss_growth_kib']);
    }

    public function testEndlessSmallPartsWaitInTheSpoolNotInMemory(): void
    {
        // 150 KiB attachments (about 205 KB of MIME each): the part-count limit or the
        // 209 MB MIME cap ends it; the parts read until then go to the spool past 4 MiB.
        $r = $this->stream('small-parts');
        $this->assertSame('O365\ConfigurationException', $r['class'], (string) $r['message']);
        $this->assertMatchesRegularExpression('/more than 1000 MIME parts|209 MB of MIME/', (string) $r['message']);
        $this->assertGreaterThan(190 * self::MIB, $r['read']);
        $this->assertLessThanOrEqual(64 * 1024, $r['rss_growth_kib']);
    }
}
