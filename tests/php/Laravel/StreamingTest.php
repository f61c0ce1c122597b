<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\FileMail;
use O365\Symfony\O365Transport;
use O365\Tests\Support\LaravelTestCase;
use Symfony\Component\Mailer\Exception\TransportException;

/**
 * The transport streams the message into the extension (`sendMimeStream`): a 100 MB
 * attachment goes through a PHP worker with memory_limit=128M, arrives intact, and its
 * spool (an unlinked file in `spool_dir`) is gone afterwards on every path.
 */
final class StreamingTest extends LaravelTestCase
{
    private const SIZE = 100 * 1024 * 1024;

    private static ?string $file = null;
    private static string $sha256 = '';
    private string $spoolDir = '';
    private string $memoryLimit = '';

    public static function setUpBeforeClass(): void
    {
        // Generated at test time, once for every test of the class.
        self::$file = tempnam(sys_get_temp_dir(), 'o365-stream-');
        $h = fopen(self::$file, 'wb');
        $ctx = hash_init('sha256');
        for ($i = 0; $i < self::SIZE / 1048576; $i++) {
            $chunk = random_bytes(1048576);
            fwrite($h, $chunk);
            hash_update($ctx, $chunk);
        }
        fclose($h);
        self::$sha256 = hash_final($ctx);
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$file !== null) {
            @unlink(self::$file);
        }
    }

    protected function setUp(): void
    {
        parent::setUp();
        $this->spoolDir = sys_get_temp_dir().'/o365-spool-'.bin2hex(random_bytes(4));
        mkdir($this->spoolDir);
        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365', 'spool_dir' => $this->spoolDir] + $this->emulator->config());
        $this->memoryLimit = (string) ini_get('memory_limit');
        gc_collect_cycles();
        // The worker's limit: the message (137 MB as MIME) could not fit as a string.
        ini_set('memory_limit', (string) max(128 * 1024 * 1024, memory_get_usage(true) + 64 * 1024 * 1024));
    }

    protected function tearDown(): void
    {
        ini_set('memory_limit', $this->memoryLimit);
        $this->assertSame([], $this->spoolFds(), 'no descriptor of a spool file may stay open');
        $this->assertSame([], array_values(array_diff((array) scandir($this->spoolDir), ['.', '..'])), 'the spool directory must be empty');
        rmdir($this->spoolDir);
        parent::tearDown();
    }

    /** The o365 mailer's transport, with a progress callable. */
    private function withProgress(callable $onProgress): void
    {
        $config = ['spool_dir' => $this->spoolDir] + $this->emulator->config();
        Mail::mailer('o365')->setSymfonyTransport(new O365Transport(new \O365\Mailer($config), null, null, $onProgress));
    }

    /** Open descriptors of this process on (unlinked) files in the spool directory. */
    private function spoolFds(): array
    {
        $found = [];
        foreach ((array) glob('/proc/self/fd/*') as $fd) {
            $target = @readlink($fd);
            if (is_string($target) && str_starts_with($target, $this->spoolDir.'/')) {
                $found[] = $target;
            }
        }

        return $found;
    }

    public function testAHundredMegabyteAttachmentArrivesIntactWithin128Megabytes(): void
    {
        $seen = [];
        $phases = [];
        $this->withProgress(function (array $p) use (&$seen, &$phases): void {
            $phases[$p['phase']] = true;
            if ($p['phase'] === 'upload' && $seen === []) {
                $seen = $this->spoolFds();
            }
        });
        $before = memory_get_usage(true);
        memory_reset_peak_usage();
        Mail::mailer('o365')->to('ann@example.com')->bcc('audit@example.com')->send(new FileMail(self::$file));
        $growth = memory_get_peak_usage(true) - $before;

        $this->assertLessThan(24 * 1024 * 1024, $growth, 'PHP memory must not grow with the attachment');
        $this->assertCount(1, $seen, 'the attachment is uploaded from one unlinked spool file in spool_dir');
        $this->assertStringEndsWith('(deleted)', $seen[0]);
        $this->assertArrayHasKey('prepare', $phases);
        $m = $this->onlyMessage();
        $this->assertSame('draft', $m['via']);
        $this->assertSame(['audit@example.com'], $m['bcc']);
        $this->assertCount(1, $m['attachments']);
        $this->assertSame('export.bin', $m['attachments'][0]['name']);
        $this->assertSame(self::SIZE, $m['attachments'][0]['size']);
        $this->assertSame(self::$sha256, $m['attachments'][0]['sha256']);
        $this->assertStringContainsString('The export is attached.', $m['mime']);
    }

    public function testAFailingUploadLeavesNoSpoolAndNoMessage(): void
    {
        $this->emulator->addFaults([['match' => ['path' => 'AttachmentSessions'], 'status' => 400, 'graph_code' => 'ErrorInvalidRequest', 'times' => 1000]]);
        try {
            Mail::mailer('o365')->to('ann@example.com')->send(new FileMail(self::$file));
            $this->fail('the send should have failed');
        } catch (TransportException $e) {
            $this->assertStringContainsString('add attachment `export.bin`', $e->getMessage());
            $this->assertStringContainsString('the draft was deleted', $e->getMessage());
        }
        $this->assertSame([], $this->emulator->messages());
    }

    public function testAnExceptionInTheProgressCallbackLeavesNoSpool(): void
    {
        $calls = 0;
        $this->withProgress(function (array $p) use (&$calls): void {
            if ($p['phase'] === 'upload' && ++$calls === 3) {
                throw new \RuntimeException('user code failed mid-upload');
            }
        });
        try {
            Mail::mailer('o365')->to('ann@example.com')->send(new FileMail(self::$file));
            $this->fail('the send should have failed');
        } catch (\Throwable $e) {
            $chain = [];
            for ($x = $e; $x !== null; $x = $x->getPrevious()) {
                $chain[] = get_class($x).': '.$x->getMessage();
            }
            $this->assertContains('RuntimeException: user code failed mid-upload', $chain, implode("\n", $chain));
        }
        $this->assertSame([], $this->emulator->messages());
    }
}
