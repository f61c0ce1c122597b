<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/**
 * A `redis_url` that cannot be reached never costs a mail: the sends go out with the
 * per-process limits, and the first receipt of the process says so (once) in
 * `warnings`, which the Laravel and Symfony transports log. Never with the password.
 */
final class RedisDownTest extends TestCase
{
    private const PASSWORD = 'redis-pw-canary-51b0';

    public function testSendsGoOnAndTheFirstReceiptWarnsOnce(): void
    {
        $emulator = new Emulator();
        $config = $emulator->config(['redis_url' => 'redis://worker:'.self::PASSWORD.'@127.0.0.1:1/0']);
        $run = ChildPhp::run('redis-down.php', [json_encode($config, JSON_THROW_ON_ERROR)]);
        $this->assertSame(0, $run['code'], $run['err'].$run['out']);
        $this->assertStringNotContainsString(self::PASSWORD, $run['out'].$run['err']);
        [$first, $second, $third] = json_decode($run['out'], true, 512, JSON_THROW_ON_ERROR);

        $this->assertCount(1, $first, 'the first receipt warns');
        $this->assertStringContainsString('redis_url', $first[0]);
        $this->assertStringContainsString('redis://127.0.0.1:1', $first[0]);
        $this->assertStringContainsString('connection refused', $first[0]);
        $this->assertSame([], $second, 'once per process');
        $this->assertSame([], $third, 'once per process, whichever mailer');
        $this->assertCount(3, $emulator->messages(), 'no mail lost');
    }
}
