<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/**
 * Whatever the progress callback of a large send does (fatal error, time or memory
 * limit, exit(), an exception, a send of its own, Fiber::suspend), the draft is deleted
 * and the next send in the same process works: a php-fpm worker must not be left unable
 * to send (before: "the blocking o365 API was called from inside an async runtime" on
 * every later send, and the draft left in the mailbox). Each case runs in its own PHP
 * process (tests/php/Extension/Fixtures/callback-misbehaves.php).
 */
final class CallbackMisbehavesTest extends TestCase
{
    /** @return array<string, array{string, int, string}> mode, exit code, what the first send's caller saw */
    public static function misbehaviours(): array
    {
        return [
            'E_USER_ERROR' => ['user-error', 255, 'fatal in the callback'],
            'max_execution_time' => ['timeout', 255, 'Maximum execution time of 1 second exceeded'],
            'memory_limit' => ['memory', 255, 'Allowed memory size of'],
            'exit()' => ['exit', 3, ''],
            'exception' => ['throw', 0, 'first: threw DomainException: the callback failed'],
            'send from the callback' => ['send-again', 0, 'inner: O365\Exception: cannot send a message from inside a progress callback'],
            'Fiber::suspend()' => ['fiber-suspend', 0, 'first: threw FiberError: Cannot switch fibers'],
        ];
    }

    /** @dataProvider misbehaviours */
    public function testTheDraftIsDeletedAndTheProcessSendsAgain(string $mode, int $exitCode, string $seen): void
    {
        $emulator = new Emulator();
        $run = ChildPhp::run('callback-misbehaves.php', [$emulator->baseUrl, $mode]);
        $output = $run['out'].$run['err'];

        $this->assertSame($exitCode, $run['code'], $output);
        $this->assertStringContainsString("callback: $mode\n", $run['out']);
        $this->assertStringContainsString($seen, $output);
        $this->assertStringNotContainsString('callback: resumed', $output);
        $this->assertStringContainsString("second: sent mime\n", $run['out'], $output);

        $requests = $emulator->requests();
        $drafts = array_values(array_filter($requests, static fn (array $r): bool => $r['method'] === 'POST' && str_ends_with($r['path'], '/messages')));
        $deletes = array_values(array_filter($requests, static fn (array $r): bool => $r['method'] === 'DELETE'));
        $this->assertCount(1, $drafts, 'one draft was created');
        $this->assertCount(1, $deletes, 'and deleted');
        $this->assertSame([], $emulator->json('GET', '/_emulator/drafts'));
        $this->assertSame(['second'], array_column($emulator->messages(), 'subject'), 'only the second message was sent');
    }
}
