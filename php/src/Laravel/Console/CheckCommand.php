<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

use Illuminate\Console\Command;
use O365\Laravel\MailerFactory;

/** `php artisan o365:check`: config, token, granted roles, sending mailbox; exit 1 with the fix. */
final class CheckCommand extends Command
{
    protected $signature = 'o365:check {--mailer= : A mailer of config/mail.php (default: the default mailer if it uses o365, else the first o365 mailer)}';

    protected $description = 'Check the o365 mailer: configuration, an Entra token, granted permissions and the sending mailbox';

    public function handle(): int
    {
        try {
            $name = MailerFactory::mailerName($this->laravel['config'], $this->option('mailer'));
            $settings = MailerFactory::settings((array) $this->laravel['config']->get("mail.mailers.$name"), (array) $this->laravel['config']->get('o365', []));
            $mailer = MailerFactory::make((array) $this->laravel['config']->get("mail.mailers.$name"), (array) $this->laravel['config']->get('o365', []));
        } catch (\InvalidArgumentException|\RuntimeException $e) {
            return $this->failWith('Configuration', $e);
        }
        $this->line("Mailer <info>$name</info> (transport o365)");
        $this->line('  tenant_id:  '.($settings['tenant_id'] ?? ''));
        $this->line('  client_id:  '.($settings['client_id'] ?? ''));
        $this->line('  credential: client secret (hidden)');

        try {
            $report = $mailer->diagnose();
        } catch (\O365\Exception $e) {
            return $this->failWith('Getting a token', $e);
        }
        $this->line("  cloud:      {$report['cloud']}");
        $this->line("  token endpoint: {$report['token_endpoint']}");
        $this->line("  graph endpoint: {$report['graph_endpoint']}");
        $this->line(sprintf('Token acquired from Entra; it expires at %s UTC.', gmdate('Y-m-d H:i:s', (int) $report['expires_at'])));
        $this->line('Granted application permissions (roles): '.($report['roles'] === [] ? 'none' : implode(', ', $report['roles'])));

        $problems = array_values($report['missing']);
        $mailbox = $this->mailbox($settings, $problems);
        if ($problems !== []) {
            $this->error('Not ready to send:');
            foreach ($problems as $problem) {
                $this->line("  - Fix: $problem");
            }

            return self::FAILURE;
        }
        if (!in_array('Mail.ReadWrite', $report['roles'], true)) {
            $this->warn('Note: messages over about 4 MB need the Mail.ReadWrite application permission too (upload sessions).');
        }
        $this->info("OK: ready to send as $mailbox through Microsoft Graph.");

        return self::SUCCESS;
    }

    /** The sending mailbox: `mailbox`, else the From address; appends a fix when unusable. */
    private function mailbox(array $settings, array &$problems): string
    {
        $fixed = $settings['mailbox'] ?? null;
        $from = $this->laravel['config']->get('mail.from.address');
        [$mailbox, $source] = $fixed !== null ? [(string) $fixed, 'the `mailbox` key'] : [(string) $from, 'mail.from.address (MAIL_FROM_ADDRESS), since `mailbox` is not set'];
        if ($mailbox === '') {
            $problems[] = 'no sending mailbox: set `mailbox` on the mailer (env O365_MAILBOX) or MAIL_FROM_ADDRESS to a mailbox of the tenant';

            return '';
        }
        $this->line("  mailbox:    $mailbox (from $source)");
        $isGuid = preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i', $mailbox) === 1;
        if (!$isGuid && filter_var($mailbox, FILTER_VALIDATE_EMAIL) === false) {
            $problems[] = "the mailbox `$mailbox` is not an email address (UPN) or user id: set it to a licensed mailbox of the tenant, e.g. noreply@contoso.com";
        }

        return $mailbox;
    }

    private function failWith(string $step, \Throwable $e): int
    {
        $this->error("$step failed: ".$e->getMessage());
        if ($e instanceof \O365\Exception && $e->getHint() !== null && !str_contains($e->getMessage(), $e->getHint())) {
            $this->line('Fix: '.$e->getHint());
        }

        return self::FAILURE;
    }
}
