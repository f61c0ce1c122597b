<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

use Illuminate\Console\Command;
use O365\Laravel\MailerFactory;
use O365\Laravel\MailerSelection;

/** `php artisan o365:check`: config, token, granted roles and the sending mailbox, as a send would use them; exit 1 with the fix. */
final class CheckCommand extends Command
{
    use ReportsFailures;

    protected $signature = 'o365:check {--mailer= : A mailer of config/mail.php (default: the default mailer if it uses o365, else the first o365 mailer)}';

    protected $description = 'Check the o365 mailer: configuration, an Entra token, granted permissions and the sending mailbox (sends nothing)';

    public function handle(): int
    {
        $config = $this->laravel['config'];
        try {
            $name = MailerSelection::mailerName($config, $this->option('mailer'));
        } catch (\InvalidArgumentException $e) {
            return $this->invalidMailer($e);
        }
        $entry = (array) $config->get("mail.mailers.$name");
        $factory = $this->laravel->make(MailerFactory::class);
        try {
            $settings = $factory->settings($entry);
            $mailer = $factory->mailer($entry);
        } catch (\RuntimeException $e) {
            return $this->failWith('Configuration', $e);
        }
        $this->line("Mailer <info>$name</info> (transport o365)");
        $this->line('  tenant_id:  '.($settings['tenant_id'] ?? ''));
        $this->line('  client_id:  '.($settings['client_id'] ?? ''));
        // The extension's own reading of the credential (which key, or an AZURE_* default, won).
        $this->line('  credential: '.$mailer->__debugInfo()['credential']);

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
        foreach ($report['credential_details'] ?? [] as $key => $value) {
            $this->line(sprintf('  %-18s %s', str_replace('_', ' ', (string) $key).':', $value));
        }
        foreach ($report['warnings'] ?? [] as $warning) {
            $this->warn("Warning: $warning");
        }

        [$mailbox, $source] = MailerSelection::mailbox($config, $name, $settings);
        if ($mailbox === '') {
            return $this->notReady(['no sending mailbox: set `mailbox` on the mailer (env O365_MAILBOX), the mailer\'s `from`, or MAIL_FROM_ADDRESS to a mailbox of the tenant']);
        }
        $this->line("  mailbox:    $mailbox (from $source)");
        try {
            $check = $mailer->checkMailbox($mailbox);
        } catch (\O365\Exception $e) {
            return $this->failWith('Checking the mailbox', $e);
        }
        $verdict = MailboxVerdict::explain($check, (string) ($settings['client_id'] ?? ''), array_values($report['missing']));
        if ($verdict !== null) {
            return $this->notReady([$verdict]);
        }
        $this->line("  Graph accepted `$mailbox` as a sending mailbox of this app (checked with a sendMail without recipients: nothing was sent).");
        if (!in_array('Mail.Send', $report['roles'], true)) {
            $this->line('  The token has no Mail.Send role, yet the mailbox may send: Exchange RBAC for Applications grants it.');
        }
        $readWrite = in_array('Mail.ReadWrite', $report['roles'], true);
        if (filter_var($settings['exactly_once'] ?? false, FILTER_VALIDATE_BOOLEAN)) {
            if (!$readWrite) {
                return $this->notReady(['`exactly_once` is on: every message is sent as a draft, which needs the Mail.ReadWrite application permission, and the token has no Mail.ReadWrite role. Add Mail.ReadWrite (Microsoft Graph, Application) to the app and grant admin consent in Entra, or turn `exactly_once` off (env O365_EXACTLY_ONCE)']);
            }
            $this->line('  exactly_once: on; Mail.ReadWrite is granted (drafts).');
        } elseif (!$readWrite) {
            $this->warn('Note: messages over about 4 MB need the Mail.ReadWrite application permission too (upload sessions).');
        }
        $this->info("OK: ready to send as $mailbox through Microsoft Graph.");

        return self::SUCCESS;
    }

    /** @param list<string> $problems */
    private function notReady(array $problems): int
    {
        $this->error('Not ready to send:');
        foreach ($problems as $problem) {
            $this->line("  - Fix: $problem");
        }

        return self::FAILURE;
    }
}
