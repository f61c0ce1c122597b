<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Mail\Message;
use Illuminate\Support\Facades\Mail;
use O365\Tests\Support\LaravelTestCase;

/** What a send could not do as asked reaches Laravel's log (the container's logger), never header values. */
final class LoggingTest extends LaravelTestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->app['config']->set('mail.mailers.o365.save_to_sent_items', false);
    }

    private function log(): string
    {
        return (string) @file_get_contents($this->app->storagePath('logs/laravel.log'));
    }

    public function testHeadersTheJsonFormDropsAreLogged(): void
    {
        Mail::raw('hello', function (Message $m): void {
            $m->to('ann@example.com')->subject('Dropped headers');
            $m->getSymfonyMessage()->getHeaders()->addTextHeader('List-Unsubscribe', '<mailto:leave-secret-token@example.com>');
        });

        $this->assertSame('json', $this->onlyMessage()['format']);
        $log = $this->log();
        $this->assertMatchesRegularExpression('/\.WARNING: o365: save_to_sent_items=false sends Graph\'s JSON form, which carries only x- headers; dropped: [^\n]*List-Unsubscribe/', $log);
        $this->assertStringContainsString('"mailbox":"sender@contoso.com"', $log);
        $this->assertStringNotContainsString('leave-secret-token', $log, 'header values are never logged');
    }

    public function testTheUnavoidableSentItemsCopyIsLogged(): void
    {
        Mail::raw('large', function (Message $m): void {
            $m->to('ann@example.com')->subject('Large')->attachData(random_bytes(5 * 1024 * 1024), 'large.bin');
        });

        $this->assertSame('draft', $this->onlyMessage()['via']);
        $this->assertMatchesRegularExpression('/\.WARNING: o365: save_to_sent_items=false cannot apply to this message: it is too large for one request/', $this->log());
    }

    public function testAnOrdinarySendLogsNothing(): void
    {
        $this->app['config']->set('mail.mailers.o365.save_to_sent_items', true);
        Mail::raw('hello', fn (Message $m) => $m->to('ann@example.com')->subject('Plain'));

        $this->assertSame('mime', $this->onlyMessage()['format']);
        $this->assertStringNotContainsString('o365:', $this->log());
    }
}
