<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/**
 * PHP-FPM forks workers after the extension is loaded: a process that used the sender
 * and then forked must keep working in the parent and the child (the child builds its
 * own runtime and connection pool instead of touching the inherited ones, which hang).
 */
final class ForkTest extends TestCase
{
    private const MIME = "From: Sender <sender@contoso.com>\r\nTo: Ann <ann@example.com>\r\nSubject: %s\r\n"
        ."MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody.\r\n";

    public function testParentSendsForksAndBothSend(): void
    {
        if (!function_exists('pcntl_fork') || !function_exists('posix_kill')) {
            \O365\Tests\Support\Skip::because('needs pcntl and posix');
        }
        $emulator = new Emulator();
        $mailer = new \O365\Mailer($emulator->config());
        $mailer->sendMime(sprintf(self::MIME, 'before fork'), 'sender@contoso.com');

        $result = tempnam(sys_get_temp_dir(), 'o365-fork-');
        $pid = pcntl_fork();
        $this->assertNotSame(-1, $pid, 'fork failed');
        if ($pid === 0) {
            // The child: send with the inherited Mailer and a new one, report, and leave
            // without running PHPUnit's shutdown or the Emulator's destructor.
            try {
                $r = $mailer->sendMime(sprintf(self::MIME, 'from the child'), 'sender@contoso.com');
                o365_send_mime($emulator->config(), sprintf(self::MIME, 'child, new mailer'), 'sender@contoso.com');
                file_put_contents($result, 'ok '.$r['client_request_id']);
            } catch (\Throwable $e) {
                file_put_contents($result, 'error '.get_class($e).': '.$e->getMessage());
            }
            posix_kill(posix_getpid(), SIGKILL);
        }

        $mailer->sendMime(sprintf(self::MIME, 'parent after fork'), 'sender@contoso.com');
        $status = 0;
        $deadline = microtime(true) + 20;
        while (pcntl_waitpid($pid, $status, WNOHANG) === 0) {
            if (microtime(true) > $deadline) {
                posix_kill($pid, SIGKILL);
                pcntl_waitpid($pid, $status);
                @unlink($result);
                $this->fail('the forked child hung while sending');
            }
            usleep(20000);
        }
        $childSaid = (string) file_get_contents($result);
        @unlink($result);
        $this->assertStringStartsWith('ok ', $childSaid, $childSaid);

        $subjects = array_column($emulator->messages(), 'subject');
        sort($subjects);
        $this->assertSame(['before fork', 'child, new mailer', 'from the child', 'parent after fork'], $subjects);
        // The token cache is plain data: the child reuses the parent's token.
        $this->assertSame(1, $emulator->stats()['token_requests']);
    }
}
