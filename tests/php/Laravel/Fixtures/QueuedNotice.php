<?php

declare(strict_types=1);

namespace O365\Tests\Laravel\Fixtures;

use Illuminate\Bus\Queueable;
use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Notifications\Messages\MailMessage;
use Illuminate\Notifications\Notification;
use O365\Laravel\Queue\ReleaseWhenThrottled;

/** A queued mail notification with the throttling middleware and at most one exception. */
final class QueuedNotice extends Notification implements ShouldQueue
{
    use Queueable;

    public $tries = 3;

    public $maxExceptions = 1;

    public function via(object $notifiable): array
    {
        return ['mail'];
    }

    public function middleware(object $notifiable, string $channel): array
    {
        return $channel === 'mail' ? [new ReleaseWhenThrottled()] : [];
    }

    public function toMail(object $notifiable): MailMessage
    {
        return (new MailMessage())->subject('Queued notice')->line('It waited for Graph.');
    }
}
