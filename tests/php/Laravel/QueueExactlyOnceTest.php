<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use Illuminate\Support\Facades\Notification;
use O365\Tests\Laravel\Fixtures\PatientMail;
use O365\Tests\Laravel\Fixtures\QueuedNotice;
use O365\Tests\Support\LaravelTestCase;

/**
 * Never twice through Laravel's real database queue (sqlite) and `queue:work`: a queued
 * mail keeps one Message-ID across attempts (the job's UUID and the mail's position), so
 * the sender's ledger recognises a retry; a send whose outcome is unknown (Graph accepted,
 * then answered 504) fails the job into failed_jobs instead of retrying it, unless
 * `exactly_once` is on, where the retry is settled and the mail is delivered once.
 */
final class QueueExactlyOnceTest extends LaravelTestCase
{
    /** Not the emulator's default `sender@...`: a `/send` fault rule would match `/users/sender@...`. */
    private const MAILBOX = 'desk@contoso.com';

    protected function setUp(): void
    {
        parent::setUp();
        $this->useDatabaseQueue();
        $this->app['config']->set('mail.from', ['address' => self::MAILBOX, 'name' => 'Desk']);
        $this->app['config']->set('queue.failed', ['driver' => 'database-uuids', 'database' => 'sqlite', 'table' => 'failed_jobs']);
        $this->app->forgetInstance('queue.failer');
        $this->app['db']->connection('sqlite')->getSchemaBuilder()->create('failed_jobs', function ($table): void {
            $table->id();
            $table->string('uuid')->unique();
            $table->text('connection');
            $table->text('queue');
            $table->longText('payload');
            $table->longText('exception');
            $table->timestamp('failed_at')->useCurrent();
        });
    }

    private function mailer(bool $exactlyOnce): void
    {
        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365']
            + $this->emulator->config(['max_retries' => 0, 'exactly_once' => $exactlyOnce]));
    }

    public function testAQueuedMailKeepsOneMessageIdFromTheJobsUuid(): void
    {
        $this->mailer(false);
        Mail::to('ann@example.com')->queue(new PatientMail('Ann'));
        $uuid = json_decode((string) $this->app['db']->table('jobs')->value('payload'), true)['uuid'];
        $this->work();

        $this->assertSame(sprintf('<o365.%s.1@contoso.com>', $uuid), self::header($this->onlyMessage()['mime'], 'Message-ID'));
    }

    public function testAJobRunAgainAfterGraphAcceptedItsMailDoesNotSendItTwice(): void
    {
        // A worker SIGKILLed after Graph accepted the mail, before it deleted the job: the
        // job comes back with the same payload (the same UUID).
        $this->mailer(false);
        Mail::to('ann@example.com')->queue(new PatientMail('Ann'));
        $job = (array) $this->app['db']->table('jobs')->first();
        $this->work();
        $this->assertCount(1, $this->emulator->messages());

        unset($job['id']);
        $this->app['db']->table('jobs')->insert(['attempts' => 1, 'reserved_at' => null] + $job);
        $before = count($this->graphRequests());
        $this->work();

        $this->assertSame(0, $this->app['db']->table('jobs')->count(), 'done: the ledger returned the first receipt');
        $this->assertSame(0, $this->app['db']->table('failed_jobs')->count());
        $this->assertCount(1, $this->emulator->messages(), 'delivered once');
        $this->assertCount($before, $this->graphRequests(), 'no request to Graph');
    }

    public function testWithoutExactlyOnceAnUnknownOutcomeFailsTheJobInsteadOfRetrying(): void
    {
        $this->mailer(false);
        $this->emulator->addFaults([['match' => ['path' => 'sendMail'], 'status' => 504, 'deliver' => true, 'times' => 1]]);
        Mail::to('ann@example.com')->queue(new PatientMail('Ann'));
        $this->work();
        $this->work();

        $this->assertSame(0, $this->app['db']->table('jobs')->count(), 'not released for another try');
        $failed = $this->app['db']->table('failed_jobs')->get();
        $this->assertCount(1, $failed);
        $this->assertStringContainsString('OutcomeUnknownTransportException', $failed[0]->exception);
        $this->assertStringContainsString('Sent Items', $failed[0]->exception, 'the fix is named');
        $this->assertCount(1, $this->emulator->messages(), 'delivered once (Graph had accepted it)');
    }

    public function testAQueuedMailNotificationRunAgainIsNotSentTwice(): void
    {
        $this->mailer(false);
        Notification::route('mail', 'ann@example.com')->notify(new QueuedNotice());
        $job = (array) $this->app['db']->table('jobs')->first();
        $this->work();
        unset($job['id']);
        $this->app['db']->table('jobs')->insert(['attempts' => 1, 'reserved_at' => null] + $job);
        $this->work();

        $this->assertSame(0, $this->app['db']->table('jobs')->count());
        $this->assertSame(0, $this->app['db']->table('failed_jobs')->count());
        $this->assertCount(1, $this->emulator->messages(), 'delivered once');
    }

    public function testWithExactlyOnceAnAcceptedThen504SendIsSettledInTheFirstAttempt(): void
    {
        $this->mailer(true);
        $this->emulator->addFaults([['match' => ['path' => '/send', 'method' => 'POST'], 'status' => 504, 'deliver' => true, 'times' => 1]]);
        Mail::to('ann@example.com')->queue(new PatientMail('Ann'));
        $this->work();

        $this->assertSame(0, $this->app['db']->table('jobs')->count(), 'done');
        $this->assertSame(0, $this->app['db']->table('failed_jobs')->count());
        $this->assertSame('Patience, Ann', $this->onlyMessage()['subject']);
    }

    public function testWithExactlyOnceAnUnsettledSendIsRetriedAndSettledByTheRetry(): void
    {
        $this->mailer(true);
        // Accepted, then 504; and the settling DELETE fails too: the outcome stays unknown.
        $this->emulator->addFaults([
            ['match' => ['path' => '/send', 'method' => 'POST'], 'status' => 504, 'deliver' => true, 'times' => 1],
            ['match' => ['path' => '/messages/', 'method' => 'DELETE'], 'status' => 503, 'times' => 1],
        ]);
        Mail::to('ann@example.com')->queue(new PatientMail('Ann'));
        $this->work();
        $this->assertSame(1, $this->app['db']->table('jobs')->count(), 'released for a retry: exactly_once makes it safe');
        $this->assertSame(0, $this->app['db']->table('failed_jobs')->count());

        $this->app['db']->table('jobs')->update(['available_at' => time() - 1]);
        $this->work();

        $this->assertSame(0, $this->app['db']->table('jobs')->count(), 'the retry found it sent');
        $this->assertSame(0, $this->app['db']->table('failed_jobs')->count());
        $this->assertCount(1, $this->emulator->messages(), 'delivered once');
        $sends = array_filter($this->graphRequests(), static fn (array $r) => $r['method'] === 'POST' && str_ends_with($r['path'], '/send'));
        $this->assertCount(1, $sends, 'the retry sent nothing');
    }

    private function work(): void
    {
        [$code] = $this->artisan('queue:work', ['connection' => 'database', '--once' => true, '--stop-when-empty' => true, '--sleep' => 0]);
        $this->assertSame(0, $code);
    }

    /** @return list<array> the requests that reached Graph */
    private function graphRequests(): array
    {
        return array_values(array_filter($this->emulator->requests(), static fn (array $r) => str_contains($r['path'], '/v1.0/')));
    }
}
