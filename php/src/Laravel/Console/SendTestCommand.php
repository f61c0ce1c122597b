<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

use Illuminate\Console\Command;
use Illuminate\Mail\Message;
use Illuminate\Support\HtmlString;
use O365\Laravel\MailerFactory;
use O365\Laravel\MailerSelection;
use O365\Laravel\MisconfiguredTransport;
use O365\Symfony\O365Transport;
use Symfony\Component\Console\Helper\ProgressBar;

/** `php artisan o365:send-test you@example.com`: sends one message through an o365 mailer. */
final class SendTestCommand extends Command
{
    use ReportsFailures;

    protected $signature = 'o365:send-test
        {to : The recipient}
        {--mailer= : A mailer of config/mail.php (default: the default mailer if it uses o365, else the first o365 mailer)}
        {--from= : The From address (default: the mailer\'s from, else mail.from.address); the sending mailbox unless `mailbox` is set}
        {--attach=* : Attach a file (repeatable); uploads of large messages show a progress bar}';

    protected $description = 'Send a test message through Microsoft Graph with an o365 mailer';

    private ?ProgressBar $bar = null;

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
        $attach = (array) $this->option('attach');
        foreach ($attach as $path) {
            if (!is_file($path) || !is_readable($path)) {
                $this->error("Cannot read the file `$path` to attach.");

                return self::INVALID;
            }
        }
        try {
            $name = MailerSelection::mailerName($this->laravel['config'], $this->option('mailer'));
        } catch (\InvalidArgumentException $e) {
            return $this->invalidMailer($e);
        }

        // Its own transport (the shared one stays untouched), reporting progress to this command.
        $transport = $this->laravel->make(MailerFactory::class)->transport((array) $this->laravel['config']->get("mail.mailers.$name"), $this->progress(...));
        if ($transport instanceof MisconfiguredTransport) {
            return $this->failWith('Configuration', $transport->problem());
        }
        $mailer = clone $this->laravel['mail.manager']->mailer($name);
        $mailer->setSymfonyTransport($transport);

        $app = (string) $this->laravel['config']->get('app.name', 'Laravel');
        try {
            $sent = $mailer->send(
                ['html' => new HtmlString('<p>This is a test message from <b>'.e($app)."</b>, sent through Microsoft Graph by the <code>$name</code> mailer.</p>"),
                    'raw' => "This is a test message from $app, sent through Microsoft Graph by the $name mailer."],
                [],
                function (Message $m) use ($to, $from, $app, $attach): void {
                    $m->to($to)->subject("o365 test message from $app");
                    array_map($m->attach(...), $attach);
                    if ($from !== null) {
                        $m->from($from);
                    }
                },
            );
        } catch (\Throwable $e) {
            $this->bar?->clear();

            return $this->failWith("Sending through the `$name` mailer", $e->getPrevious() instanceof \O365\Exception ? $e->getPrevious() : $e);
        }
        if ($this->bar !== null) {
            $this->bar->finish();
            $this->newLine();
        }
        $requestId = $sent?->getOriginalMessage()->getHeaders()->get(O365Transport::REQUEST_ID_HEADER)?->getBodyAsString() ?? 'unknown';
        $this->info("Sent a test message to $to with the `$name` mailer. Graph request-id: $requestId");
        $this->line('Graph accepted it (202); delivery happens in Exchange Online. If it does not arrive, check the recipient\'s junk folder and the sending mailbox\'s Sent Items.');

        return self::SUCCESS;
    }

    /** Upload progress of large messages (sent in chunks); small messages show no bar. */
    private function progress(array $p): void
    {
        if ($p['phase'] !== 'upload' || $p['bytes_total'] <= 0) {
            return;
        }
        if ($this->bar === null) {
            $this->bar = $this->output->createProgressBar(intdiv($p['bytes_total'], 1024));
            $this->bar->setFormat(' %message% %current%/%max% KiB [%bar%] %percent:3s%%');
        }
        $this->bar->setMessage('upload'.($p['attachment'] !== null ? ' '.$p['attachment'] : ''));
        $this->bar->setMaxSteps(intdiv($p['bytes_total'], 1024));
        $this->bar->setProgress(intdiv($p['bytes_sent'], 1024));
    }
}
