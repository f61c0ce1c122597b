<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use Illuminate\Support\Facades\Notification;
use O365\Tests\Laravel\Fixtures\PatientMail;
use O365\Tests\Laravel\Fixtures\QueuedNotice;
use O365\Tests\Support\LaravelTestCase;

/**
 * Queued mail that Graph throttles (429 with Retry-After, from the emulator's fault
 * rules) goes back onto Laravel's real database queue (sqlite) for Graph's delay, then is
 * delivered exactly once; the worker is Laravel's own `queue:work`.
 */
final class QueueThrottleTest extends LaravelTestCase
{
    /** What Graph asks for in these tests; long enough that no test outlives it by accident. */
    private const RETRY_AFTER = 30;

    protected function setUp(): void
    {
        parent::setUp();
        // No in-process retry: the first 429 reaches the queue.
        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365'] + $this->emulator->config(['max_retries' => 0]));
        $this->useDatabaseQueue();
        $this->emulator->addFaults([['match' => ['path' => 'sendMail'], 'status' => 429, 'retry_after' => self::RETRY_AFTER, 'times' => 1]]);
    }

    public function testAThrottledQueuedMailIsReleasedForGraphsDelayThenDeliveredOnce(): void
    {
        Mail::to('ann@example.com')->queue(new PatientMail('Ann'));
        $this->assertReleasedForGraphsDelay();
        $this->assertDeliveredOnceAfterTheDelay('Patience, Ann');
    }

    public function testWithoutTheMiddlewareAThrottledJobOutOfExceptionsStillFails(): void
    {
        // maxExceptions 1: Laravel fails the job on its first exception; the listener only
        // changes the delay of a release Laravel makes anyway, so the job is not kept.
        Mail::to('ann@example.com')->queue(new PatientMail('Ann', false, 1));
        $this->work();

        $this->assertSame(0, $this->app['db']->table('jobs')->count(), 'failed, not released');
        $this->assertSame([], $this->emulator->messages());
    }

    public function testTheMiddlewareReleasesWithoutSpendingMaxExceptions(): void
    {
        Mail::to('ann@example.com')->queue(new PatientMail('Ann', true, 1));
        $this->assertReleasedForGraphsDelay();
        $this->assertDeliveredOnceAfterTheDelay('Patience, Ann');
    }

    public function testAQueuedMailNotificationIsReleasedThenDeliveredOnce(): void
    {
        Notification::route('mail', 'ann@example.com')->notify(new QueuedNotice());
        $this->assertReleasedForGraphsDelay();
        $this->assertDeliveredOnceAfterTheDelay('Queued notice');
    }

    public function testOnTheSyncQueueTheMiddlewareLetsTheFailureThrough(): void
    {
        // The sync queue cannot hold a job back: releasing would lose the mail silently.
        $this->app['config']->set('queue.default', 'sync');
        try {
            Mail::to('ann@example.com')->queue(new PatientMail('Ann', true));
            $this->fail('the throttling must reach the caller');
        } catch (\Symfony\Component\Mailer\Exception\TransportException $e) {
            $this->assertInstanceOf(\O365\ThrottledException::class, $e->getPrevious());
            $this->assertEquals(self::RETRY_AFTER, $e->getPrevious()->getRetryAfter());
        }
        $this->assertSame([], $this->emulator->messages());
    }

    /** One worker pass: the job met the 429 and waits in the table for Graph's delay. */
    private function assertReleasedForGraphsDelay(): void
    {
        $before = time();
        $this->work();
        $after = time();

        $jobs = $this->app['db']->table('jobs')->get();
        $this->assertCount(1, $jobs, 'released back onto the queue, not failed');
        $this->assertSame(1, (int) $jobs[0]->attempts);
        $this->assertNull($jobs[0]->reserved_at);
        // Graph's Retry-After plus at most 20 % jitter.
        $this->assertGreaterThanOrEqual($before + self::RETRY_AFTER, (int) $jobs[0]->available_at);
        $this->assertLessThanOrEqual($after + self::RETRY_AFTER + intdiv(self::RETRY_AFTER, 5), (int) $jobs[0]->available_at);
        $this->assertSame([], $this->emulator->messages());
        $this->assertSame([429], $this->sendMailStatuses());

        // Until then a worker leaves it alone.
        $this->work();
        $this->assertSame([429], $this->sendMailStatuses(), 'not retried before Graph said');
    }

    /** Past the delay (the clock moved on: available_at rewound), one pass delivers it once. */
    private function assertDeliveredOnceAfterTheDelay(string $subject): void
    {
        $this->app['db']->table('jobs')->update(['available_at' => time() - 1]);
        $this->work();

        $this->assertSame(0, $this->app['db']->table('jobs')->count(), 'done and deleted');
        $this->assertSame($subject, $this->onlyMessage()['subject']);
        $this->assertSame([429, 202], $this->sendMailStatuses());
        $this->work();
        $this->assertCount(1, $this->emulator->messages(), 'delivered once');
    }

    private function work(): void
    {
        [$code] = $this->artisan('queue:work', ['connection' => 'database', '--once' => true, '--stop-when-empty' => true, '--sleep' => 0]);
        $this->assertSame(0, $code);
    }

    /** @return list<int> */
    private function sendMailStatuses(): array
    {
        $sends = array_filter($this->emulator->requests(), static fn (array $r) => str_ends_with($r['path'], '/sendMail'));
        usort($sends, static fn (array $a, array $b) => $a['time_ms'] <=> $b['time_ms']);

        return array_values(array_map(static fn (array $r) => (int) $r['status'], $sends));
    }
}
