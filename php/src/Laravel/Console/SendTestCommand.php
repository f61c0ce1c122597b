<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

use Illuminate\Console\Command;
use Illuminate\Mail\Message;
use Illuminate\Support\HtmlString;
use O365\Laravel\MailerFactory;
use O365\Symfony\O365Transport;

/** `php artisan o365:send-test you@example.com`: sends one message through an o365 mailer. */
final class SendTestCommand extends Command
{
    protected $signature = 'o365:send-test
        {to : The recipient}
        {--mailer= : A mailer of config/mail.php (default: the default mailer if it uses o365, else the first o365 mailer)}
        {--from= : The From address (default: mail.from.address); the sending mailbox unless `mailbox` is set}';

    protected $description = 'Send a test message through Microsoft Graph with an o365 mailer';

    public function handle(): int
    {
        $to = (string) $this->argument('to');
        $from = $this->option('from');
        foreach (['recipient' => $to, '--from' => $from] as $what => $address) {
            if ($address !== null && filter_var($address, FILTER_VALIDATE_EMAIL) === false) {
                $this->error("The $what `$address` is not an email address.");

                return self::INVALID;
            }
        }
        try {
            $name = MailerFactory::mailerName($this->laravel['config'], $this->option('mailer'));
        } catch (\InvalidArgumentException $e) {
            $this->error($e->getMessage());

            return self::FAILURE;
        }

        $app = (string) $this->laravel['config']->get('app.name', 'Laravel');
        try {
            $sent = $this->laravel['mail.manager']->mailer($name)->send(
                ['html' => new HtmlString("<p>This is a test message from <b>".e($app)."</b>, sent through Microsoft Graph by the <code>$name</code> mailer.</p>"),
                    'raw' => "This is a test message from $app, sent through Microsoft Graph by the $name mailer."],
                [],
                function (Message $m) use ($to, $from, $app): void {
                    $m->to($to)->subject("o365 test message from $app");
                    if ($from !== null) {
                        $m->from($from);
                    }
                },
            );
        } catch (\Throwable $e) {
            $cause = $e->getPrevious() instanceof \O365\Exception ? $e->getPrevious() : $e;
            $this->error("Sending through the `$name` mailer failed: ".$cause->getMessage());

            return self::FAILURE;
        }
        $requestId = $sent?->getOriginalMessage()->getHeaders()->get(O365Transport::REQUEST_ID_HEADER)?->getBodyAsString() ?? 'unknown';
        $this->info("Sent a test message to $to with the `$name` mailer. Graph request-id: $requestId");
        $this->line('Graph accepted it (202); delivery happens in Exchange Online. If it does not arrive, check the recipient\'s junk folder and the sending mailbox\'s Sent Items.');

        return self::SUCCESS;
    }
}
