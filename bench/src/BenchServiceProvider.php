<?php

declare(strict_types=1);

namespace O365\Bench;

use Illuminate\Support\Facades\Mail;
use Illuminate\Support\Facades\Route;
use Illuminate\Support\ServiceProvider;

/** The bench route: GET /send/{mailer} sends one BenchMail through that mailer. */
final class BenchServiceProvider extends ServiceProvider
{
    public function boot(): void
    {
        // The pre-streaming transport, for the memory benchmark's before/after.
        $this->app['mail.manager']->extend('o365-string', fn (array $config) => new StringTransport(
            $this->app->make(\O365\Laravel\MailerFactory::class)->mailer($config),
        ));
        Route::get('/send/{mailer}', static function (string $mailer) {
            Mail::mailer($mailer)->to('customer@example.com')->send(new BenchMail());

            return response('sent', 200);
        })->whereIn('mailer', ['o365', 'baseline', 'array']);
    }
}
