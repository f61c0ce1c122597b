<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

/**
 * The Exchange Online PowerShell that limits one app to some mailboxes, both ways:
 * RBAC for Applications (a management scope + the "Application Mail.Send" role) and the
 * older application access policy (a mail-enabled security group + RestrictAccess).
 * Values are validated by the caller and still quoted the PowerShell way.
 */
final class RestrictScript
{
    public const OBJECT_ID_PLACEHOLDER = '<SERVICE-PRINCIPAL-OBJECT-ID>';

    /** @param list<string> $mailboxes */
    public function __construct(
        private readonly string $clientId,
        private readonly array $mailboxes,
        private readonly ?string $group,
        private readonly string $appName,
        private readonly string $cloud = 'global',
    ) {
    }

    /** @return list<string> */
    public function rbac(string $objectId, bool $readWrite): array
    {
        $scope = $this->name(' ');
        $filters = array_map(static fn (string $m) => "PrimarySmtpAddress -eq '$m'", $this->mailboxes);
        $lines = [
            "Exchange RBAC for Applications (recommended): app {$this->clientId} may send only as {$this->who()}.",
            ...$this->preamble(),
            '# 1. Exchange\'s pointer to the app\'s service principal (once per app). ObjectId is the Enterprise',
            '#    application\'s Object ID (the `oid` claim of the app\'s tokens), not the App registration\'s.',
            "New-ServicePrincipal -AppId {$this->clientId} -ObjectId $objectId -DisplayName ".self::quote(($this->appName !== '' ? $this->appName : 'Laravel').' (o365-sendmail)'),
            '',
            '# 2. The mailboxes the app may use, as a management scope',
        ];
        if ($this->group !== null) {
            $lines[] = '$group = (Get-Group -Identity '.self::quote($this->group).').DistinguishedName   # only direct members count';
            array_unshift($filters, "MemberOfGroup -eq '\$group'");
        }
        $lines[] = 'New-ManagementScope -Name '.self::quote($scope).' -RecipientRestrictionFilter "'.implode(' -or ', $filters).'"';
        $lines[] = '';
        $lines[] = '# 3. Mail.Send on those mailboxes only';
        $lines[] = "New-ManagementRoleAssignment -App $objectId -Role 'Application Mail.Send' -CustomResourceScope ".self::quote($scope);
        if ($readWrite) {
            $lines[] = "New-ManagementRoleAssignment -App $objectId -Role 'Application Mail.ReadWrite' -CustomResourceScope ".self::quote($scope).'   # messages over ~4 MB';
        }
        $lines[] = '';
        $lines[] = '# 4. Check: InScope must be True';
        foreach ($this->mailboxes as $mailbox) {
            $lines[] = "Test-ServicePrincipalAuthorization -Identity $objectId -Resource $mailbox | Format-Table";
        }
        if ($this->group !== null) {
            $lines[] = 'Get-DistributionGroupMember -Identity '.self::quote($this->group)." | ForEach-Object { Test-ServicePrincipalAuthorization -Identity $objectId -Resource \$_.PrimarySmtpAddress | Format-Table }";
        }

        return [...$lines,
            '',
            'Then remove the unscoped grant: Entra admin center > Identity > Applications > App registrations > (this app) > API permissions >',
            'Mail.Send'.($readWrite ? ' and Mail.ReadWrite' : '').' > Remove permission. Exchange adds its grants to Entra\'s: while Entra\'s Mail.Send stays, the app can still send as every mailbox.',
            'Exchange caches app permissions for 30 minutes to 2 hours: Test-ServicePrincipalAuthorization sees a change at once, Graph later.',
            'Afterwards the app\'s tokens carry no Mail.Send role (the grant lives in Exchange); `php artisan o365:check` says so, and a mailbox outside the scope gets 403 ErrorAccessDenied "Access to OData is disabled."',
        ];
    }

    /** @return list<string> */
    public function policy(): array
    {
        $lines = [
            "Application access policy (the older way; RBAC for Applications replaces it): app {$this->clientId} may send only as {$this->who()}.",
            ...$this->preamble(),
        ];
        if ($this->group === null) {
            $group = $this->name('-');
            $members = implode(',', array_map(self::quote(...), $this->mailboxes));
            $lines[] = '# 1. A mail-enabled security group holding the mailboxes';
            $lines[] = 'New-DistributionGroup -Name '.self::quote($this->name(' ')).' -Alias '.$group.' -Type Security -Members '.$members;
        } else {
            $group = $this->group;
            $lines[] = '# 1. The mail-enabled security group that holds the mailboxes'.($this->mailboxes === [] ? ' (exists)' : '');
            foreach ($this->mailboxes as $mailbox) {
                $lines[] = 'Add-DistributionGroupMember -Identity '.self::quote($group).' -Member '.$mailbox;
            }
        }
        $lines[] = '';
        $lines[] = '# 2. The policy: the app\'s Entra permissions apply to that group\'s members only';
        $lines[] = "New-ApplicationAccessPolicy -AppId {$this->clientId} -PolicyScopeGroupId ".self::quote($group).' -AccessRight RestrictAccess -Description '
            .self::quote('o365-sendmail: '.($this->appName !== '' ? $this->appName : 'Laravel').' sends only as members of '.$group);
        $lines[] = '';
        $lines[] = '# 3. Check: AccessCheckResult must be Granted';
        foreach ($this->mailboxes as $mailbox) {
            $lines[] = "Test-ApplicationAccessPolicy -Identity $mailbox -AppId {$this->clientId}";
        }
        if ($this->mailboxes === []) {
            $lines[] = 'Get-DistributionGroupMember -Identity '.self::quote($group)." | ForEach-Object { Test-ApplicationAccessPolicy -Identity \$_.PrimarySmtpAddress -AppId {$this->clientId} }";
        }

        return [...$lines,
            '',
            'Keep the Mail.Send application permission and its admin consent in Entra: the policy narrows it.',
            'Changes can take more than an hour to reach Graph, even when Test-ApplicationAccessPolicy already says Granted.',
            'A mailbox outside the group then gets 403 ErrorAccessDenied "Access to OData is disabled."; `php artisan o365:check` tells that apart from missing consent.',
        ];
    }

    /** @return list<string> */
    private function preamble(): array
    {
        return [
            'Run these in Exchange Online PowerShell as an Exchange administrator (Organization Management). This command changed nothing.',
            '',
            'Connect-ExchangeOnline'.$this->environment().'   # Install-Module ExchangeOnlineManagement once',
            '',
        ];
    }

    /** Exchange Online PowerShell's name of the national cloud, as a parameter. */
    private function environment(): string
    {
        $name = ['usgov' => 'O365USGovGCCHigh', 'usgov-dod' => 'O365USGovDoD', 'china' => 'O365China'][$this->cloud] ?? null;

        return $name === null ? '' : " -ExchangeEnvironmentName $name";
    }

    private function who(): string
    {
        $who = $this->mailboxes;
        if ($this->group !== null) {
            $who[] = "the members of {$this->group}";
        }

        return implode(', ', $who);
    }

    /** A name for the scope or group, unique per app: "o365-sendmail 1a2b3c4d". */
    private function name(string $separator): string
    {
        return 'o365-sendmail'.$separator.substr($this->clientId, 0, 8);
    }

    private static function quote(string $value): string
    {
        return "'".str_replace("'", "''", $value)."'";
    }
}
