<?php

declare(strict_types=1);

namespace O365\Tests\Laravel\Fixtures;

use Illuminate\Notifications\Messages\MailMessage;
use Illuminate\Notifications\Notification;

/** A notification sent through the mail channel. */
final class OrderShipped extends Notification
{
    public function via(object $notifiable): array
    {
        return ['mail'];
    }

    public function toMail(object $notifiable): MailMessage
    {
        return (new MailMessage())
            ->subject('Order 42 shipped')
            ->greeting('Hello!')
            ->line('Your order 42 is on its way.')
            ->action('Track it', 'https://shop.example.com/orders/42');
    }
}
