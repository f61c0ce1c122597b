<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\LaravelTestCase;

/** A Laravel Mailable through the streaming transport keeps the Message-ID of its sent message. */
final class MessageIdTest extends LaravelTestCase
{
    public function testGraphGetsTheMessageIdLaravelsSentMessageCarries(): void
    {
        $sent = Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));

        $m = $this->onlyMessage();
        $id = self::header($m['mime'], 'Message-ID');
        $this->assertMatchesRegularExpression('/^<[0-9a-f]{32}@contoso\.com>$/', (string) $id);
        $this->assertSame($id, self::header($sent->toString(), 'Message-ID'));
        $this->assertSame($m['request_id'], $sent->getMessageId(), 'the transport reports Graph\'s request-id');
    }
}
