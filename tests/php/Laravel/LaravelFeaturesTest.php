<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use Illuminate\Support\Facades\Notification;
use O365\Tests\Laravel\Fixtures\MarkdownMail;
use O365\Tests\Laravel\Fixtures\OrderShipped;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\LaravelTestCase;

/** Markdown Mailables, notifications, queues and Mail::fake() through the o365 mailer. */
final class LaravelFeaturesTest extends LaravelTestCase
{
    public function testMarkdownMailable(): void
    {
        Mail::to('ann@example.com')->send(new MarkdownMail('Ann'));

        $m = $this->onlyMessage();
        $this->assertSame('Your order shipped, Ann', $m['subject']);
        // Laravel renders markdown into themed HTML (inlined CSS) plus a text alternative.
        $this->assertMatchesRegularExpression('/<h1[^>]*>Hello Ann<\/h1>/', $m['body_html']);
        $this->assertStringContainsString('href="https://shop.example.com/orders/42"', $m['body_html']);
        $this->assertStringContainsString('style=', $m['body_html']);
        $this->assertStringContainsString('Your order is on its way.', $m['body_text']);
        $this->assertStringNotContainsString('<x-mail::', $m['mime']);
    }

    public function testNotificationThroughTheMailChannel(): void
    {
        Notification::route('mail', 'ann@example.com')->notify(new OrderShipped());

        $m = $this->onlyMessage();
        $this->assertSame('Order 42 shipped', $m['subject']);
        $this->assertSame(['ann@example.com'], $m['to']);
        $this->assertStringContainsString('Your order 42 is on its way.', $m['body_html']);
        $this->assertStringContainsString('https://shop.example.com/orders/42', $m['body_text']);
    }

    public function testQueuedMailWithTheSyncQueue(): void
    {
        $this->app['config']->set('queue.default', 'sync');
        Mail::to('ann@example.com')->queue(new WelcomeMail('Ann'));

        $this->assertSame('Welcome, Ann', $this->onlyMessage()['subject']);
    }

    public function testQueuedMailWithTheDatabaseQueue(): void
    {
        $this->useDatabaseQueue();

        Mail::to('ann@example.com')->bcc('audit@example.com')->queue(new WelcomeMail('Ann'));
        $this->assertSame(1, $this->app['db']->table('jobs')->count(), 'the mail waits in the jobs table');
        $this->assertSame([], $this->emulator->messages(), 'nothing is sent before a worker runs');

        [$code] = $this->artisan('queue:work', ['connection' => 'database', '--once' => true, '--stop-when-empty' => true]);
        $this->assertSame(0, $code);
        $this->assertSame(0, $this->app['db']->table('jobs')->count());
        $m = $this->onlyMessage();
        $this->assertSame('Welcome, Ann', $m['subject']);
        $this->assertSame(['audit@example.com'], $m['bcc']);
    }

    public function testMailFakeInTheHostAppsTestsSendsNothing(): void
    {
        Mail::fake();
        Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));

        Mail::assertSent(WelcomeMail::class, fn (WelcomeMail $mail) => $mail->hasTo('ann@example.com'));
        $this->assertSame([], $this->emulator->messages());
        $this->assertSame([], $this->emulator->requests(), 'not even a token request');
    }
}
