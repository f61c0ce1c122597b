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
        {--from= : The From address (default: mail.from.address); the sending mailbox unless `mailbox` is set}
        {--attach=* : Attach a file (repeatable); large files show upload progress}';

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

        $attach = (array) $this->option('attach');
        foreach ($attach as $path) {
            if (!is_file($path) || !is_readable($path)) {
                $this->error("Cannot read the file `$path` to attach.");

                return self::INVALID;
            }
        }
        $bar = $attach === [] ? null : $this->progressBar($name);

        $app = (string) $this->laravel['config']->get('app.name', 'Laravel');
        try {
            $sent = $this->laravel['mail.manager']->mailer($name)->send(
                ['html' => new HtmlString("<p>This is a test message from <b>".e($app)."</b>, sent through Microsoft Graph by the <code>$name</code> mailer.</p>"),
                    'raw' => "This is a test message from $app, sent through Microsoft Graph by the $name mailer."],
                [],
                function (Message $m) use ($to, $from, $app, $attach): void {
                    $m->to($to)->subject("o365 test message from $app");
                    foreach ($attach as $path) {
                        $m->attach($path);
                    }
                    if ($from !== null) {
                        $m->from($from);
                    }
                },
            );
        } catch (\Throwable $e) {
            $bar?->clear();
            $this->stopProgress($name);
            $cause = $e->getPrevious() instanceof \O365\Exception ? $e->getPrevious() : $e;
            $this->error("Sending through the `$name` mailer failed: ".$cause->getMessage());

            return self::FAILURE;
        }
        if ($bar !== null) {
            $bar->finish();
            $this->newLine();
            $this->stopProgress($name);
        }
        $requestId = $sent?->getOriginalMessage()->getHeaders()->get(O365Transport::REQUEST_ID_HEADER)?->getBodyAsString() ?? 'unknown';
        $this->info("Sent a test message to $to with the `$name` mailer. Graph request-id: $requestId");
        $this->line('Graph accepted it (202); delivery happens in Exchange Online. If it does not arrive, check the recipient\'s junk folder and the sending mailbox\'s Sent Items.');

        return self::SUCCESS;
    }

    private function stopProgress(string $mailer): void
    {
        $transport = $this->laravel['mail.manager']->mailer($mailer)->getSymfonyTransport();
        if ($transport instanceof O365Transport) {
            $transport->onProgress(null);
        }
    }

    /** A progress bar fed by the transport's upload progress (messages over ~3 MB go in chunks). */
    private function progressBar(string $mailer): ?\Symfony\Component\Console\Helper\ProgressBar
    {
        $transport = $this->laravel['mail.manager']->mailer($mailer)->getSymfonyTransport();
        if (!$transport instanceof O365Transport) {
            return null;
        }
        $bar = $this->output->createProgressBar();
        $bar->setFormat(' %message% %current%/%max% KiB [%bar%] %percent:3s%%');
        $bar->setMessage('preparing');
        $transport->onProgress(static function (array $p) use ($bar): void {
            $bar->setMessage($p['phase'].($p['attachment'] !== null ? ' '.$p['attachment'] : ''));
            if ($p['bytes_total'] > 0) {
                $bar->setMaxSteps(intdiv($p['bytes_total'], 1024));
                $bar->setProgress(intdiv($p['bytes_sent'], 1024));
            } else {
                $bar->display();
            }
        });

        return $bar;
    }
}
