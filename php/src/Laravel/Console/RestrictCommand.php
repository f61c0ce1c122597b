<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

use Illuminate\Console\Command;
use O365\Laravel\MailerFactory;
use O365\Laravel\MailerSelection;

/**
 * `php artisan o365:restrict`: prints the Exchange Online PowerShell commands that limit
 * this app to some mailboxes (Mail.Send alone lets it send as anyone). It changes nothing:
 * Exchange admin rights are the admin's. See docs/microsoft-365-setup.md.
 */
final class RestrictCommand extends Command
{
    protected $signature = 'o365:restrict
        {--mailbox=* : A mailbox the app may send as (repeatable)}
        {--group= : A mail-enabled security group (its address or name) whose members the app may send as}
        {--rbac : Exchange RBAC for Applications (the default, recommended)}
        {--policy : The older application access policy}
        {--object-id= : The service principal object id, when the app cannot get a token (RBAC only)}
        {--mailer= : A mailer of config/mail.php (default: the default mailer if it uses o365, else the first o365 mailer)}';

    protected $description = 'Print the Exchange PowerShell commands that restrict this app to some mailboxes (changes nothing)';

    public function handle(): int
    {
        $mailboxes = array_values(array_unique(array_map('strtolower', (array) $this->option('mailbox'))));
        $group = $this->option('group');
        $group = is_string($group) && trim($group) !== '' ? trim($group) : null;
        $problem = $this->invalid($mailboxes, $group);
        if ($problem !== null) {
            $this->error($problem);

            return self::INVALID;
        }
        try {
            $name = MailerSelection::mailerName($this->laravel['config'], $this->option('mailer'));
        } catch (\InvalidArgumentException $e) {
            $this->error($e->getMessage());

            return self::FAILURE;
        }
        $entry = (array) $this->laravel['config']->get("mail.mailers.$name");
        try {
            $settings = $this->laravel->make(MailerFactory::class)->settings($entry);
        } catch (\RuntimeException $e) {
            $this->error($e->getMessage());

            return self::FAILURE;
        }
        $clientId = (string) ($settings['client_id'] ?? '');
        $report = null;
        if (!Format::isGuid($clientId)) { // a managed identity has no client_id configured: its token names it
            $report = $this->diagnose($entry);
            $clientId = (string) ($report['app_id'] ?? '');
        }
        if (!Format::isGuid($clientId)) {
            $this->error("The mailer `$name` has no client_id that is an Application (client) ID (a GUID): set O365_CLIENT_ID first (php artisan o365:install).");

            return self::FAILURE;
        }
        $script = new RestrictScript($clientId, $mailboxes, $group, (string) $this->laravel['config']->get('app.name', ''), (string) ($settings['cloud'] ?? 'global'));
        if ($this->option('policy')) {
            $this->print($script->policy());

            return self::SUCCESS;
        }
        [$objectId, $roles] = $this->servicePrincipal($report ?? $this->diagnose($entry));
        $this->print($script->rbac($objectId ?? RestrictScript::OBJECT_ID_PLACEHOLDER, in_array('Mail.ReadWrite', $roles, true)));
        if ($objectId === null) {
            $this->warn('Replace '.RestrictScript::OBJECT_ID_PLACEHOLDER.' with the Object ID shown in the Entra admin center under Identity > Applications > Enterprise applications > (this app) > Overview (not the App registration\'s Object ID), or pass --object-id.');
        }

        return self::SUCCESS;
    }

    /** @param list<string> $lines */
    private function print(array $lines): void
    {
        foreach ($lines as $line) {
            $this->line($line);
        }
    }

    /** @param list<string> $mailboxes */
    private function invalid(array $mailboxes, ?string $group): ?string
    {
        if ($this->option('rbac') && $this->option('policy')) {
            return 'Choose one: --rbac (Exchange RBAC for Applications, recommended) or --policy (application access policy).';
        }
        if ($mailboxes === [] && $group === null) {
            return 'Name the mailboxes the app may send as: --mailbox=noreply@contoso.com (repeatable) and/or --group=senders@contoso.com.';
        }
        foreach ($mailboxes as $mailbox) {
            if (!Format::isPlainEmail($mailbox)) {
                return "--mailbox=$mailbox is not a mailbox address (letters, digits and . _ % + - before the @).";
            }
        }
        if ($group !== null && preg_match('/^[A-Za-z0-9 ._%+@-]+$/', $group) !== 1) {
            return "--group=$group: use the group's address or name (letters, digits, spaces and . _ % + - @).";
        }
        $objectId = $this->option('object-id');

        return $objectId !== null && !Format::isGuid((string) $objectId) ? "--object-id=$objectId is not a GUID." : null;
    }

    /** The token's facts (diagnose()), or null after a warning when no token can be had. */
    private function diagnose(array $entry): ?array
    {
        try {
            return $this->laravel->make(MailerFactory::class)->mailer($entry)->diagnose();
        } catch (\RuntimeException $e) {
            if ($this->option('object-id') === null) {
                $this->warn('Could not get a token to read the service principal\'s object id: '.$e->getMessage());
            }

            return null;
        }
    }

    /**
     * The service principal's object id (`--object-id`, else the token's `oid` claim) and
     * the granted roles; [null, []] without either (the commands still print).
     *
     * @return array{0: ?string, 1: list<string>}
     */
    private function servicePrincipal(?array $report): array
    {
        $oid = $this->option('object-id') ?? ($report['oid'] ?? null);

        return [is_string($oid) && Format::isGuid($oid) ? strtolower($oid) : null, array_values((array) ($report['roles'] ?? []))];
    }
}
