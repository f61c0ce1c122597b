<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use O365\Tests\Support\Emulator;
use O365\Tests\Support\LaravelTestCase;

/** `php artisan o365:restrict`: the Exchange PowerShell for both ways, filled in for this app; it changes nothing. */
final class RestrictCommandTest extends LaravelTestCase
{
    private const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

    public function testRbacUsesTheServicePrincipalObjectIdFromTheToken(): void
    {
        [$code, $out] = $this->artisan('o365:restrict', ['--mailbox' => ['noreply@contoso.com', 'Billing@contoso.com']]);

        $this->assertSame(0, $code, $out);
        $oid = (new \O365\Mailer($this->emulator->config()))->diagnose()['oid'];
        $this->assertMatchesRegularExpression('/^'.self::GUID.'$/', $oid, 'the emulator\'s tokens carry the service principal\'s object id');
        $this->assertNotSame(Emulator::CLIENT_ID, $oid);
        $id = Emulator::CLIENT_ID;
        $scope = "'o365-sendmail 00000000'";
        $this->assertStringContainsString('Exchange RBAC for Applications (recommended)', $out);
        $this->assertStringContainsString("New-ServicePrincipal -AppId $id -ObjectId $oid -DisplayName 'o365 test app (o365-sendmail)'", $out);
        $this->assertStringContainsString("New-ManagementScope -Name $scope -RecipientRestrictionFilter \"PrimarySmtpAddress -eq 'noreply@contoso.com' -or PrimarySmtpAddress -eq 'billing@contoso.com'\"", $out);
        $this->assertStringContainsString("New-ManagementRoleAssignment -App $oid -Role 'Application Mail.Send' -CustomResourceScope $scope", $out);
        // The emulator's app has Mail.ReadWrite (large messages): it is scoped too.
        $this->assertStringContainsString("New-ManagementRoleAssignment -App $oid -Role 'Application Mail.ReadWrite' -CustomResourceScope $scope", $out);
        $this->assertStringContainsString("Test-ServicePrincipalAuthorization -Identity $oid -Resource noreply@contoso.com", $out);
        $this->assertStringContainsString("Test-ServicePrincipalAuthorization -Identity $oid -Resource billing@contoso.com", $out);
        $this->assertStringContainsString('Mail.Send and Mail.ReadWrite > Remove permission', $out);
        $this->assertStringContainsString('30 minutes to 2 hours', $out);
        $this->assertStringContainsString('This command changed nothing.', $out);
        $this->assertStringNotContainsString('ApplicationAccessPolicy', $out);
        $this->assertStringNotContainsString(Emulator::CLIENT_SECRET, $out);
        $this->assertSame([], $this->emulator->messages(), 'nothing is sent');
    }

    public function testRbacWithAGroupScopesByMembership(): void
    {
        [$code, $out] = $this->artisan('o365:restrict', ['--rbac' => true, '--group' => 'senders@contoso.com']);

        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString("\$group = (Get-Group -Identity 'senders@contoso.com').DistinguishedName", $out);
        $this->assertStringContainsString("-RecipientRestrictionFilter \"MemberOfGroup -eq '\$group'\"", $out);
        $this->assertStringContainsString("Get-DistributionGroupMember -Identity 'senders@contoso.com' | ForEach-Object { Test-ServicePrincipalAuthorization", $out);
    }

    public function testPolicyCreatesAGroupAndTheAccessPolicy(): void
    {
        [$code, $out] = $this->artisan('o365:restrict', ['--policy' => true, '--mailbox' => ['noreply@contoso.com']]);

        $this->assertSame(0, $code, $out);
        $id = Emulator::CLIENT_ID;
        $this->assertStringContainsString('Application access policy (the older way', $out);
        $this->assertStringContainsString("New-DistributionGroup -Name 'o365-sendmail 00000000' -Alias o365-sendmail-00000000 -Type Security -Members 'noreply@contoso.com'", $out);
        $this->assertStringContainsString("New-ApplicationAccessPolicy -AppId $id -PolicyScopeGroupId 'o365-sendmail-00000000' -AccessRight RestrictAccess", $out);
        $this->assertStringContainsString("Test-ApplicationAccessPolicy -Identity noreply@contoso.com -AppId $id", $out);
        $this->assertStringContainsString('more than an hour', $out);
        $this->assertStringNotContainsString('New-ServicePrincipal', $out);
    }

    public function testPolicyWithAnExistingGroupAddsTheMailboxes(): void
    {
        [$code, $out] = $this->artisan('o365:restrict', ['--policy' => true, '--group' => 'senders@contoso.com', '--mailbox' => ['noreply@contoso.com']]);

        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString("Add-DistributionGroupMember -Identity 'senders@contoso.com' -Member noreply@contoso.com", $out);
        $this->assertStringContainsString("-PolicyScopeGroupId 'senders@contoso.com' -AccessRight RestrictAccess", $out);
        $this->assertStringNotContainsString('New-DistributionGroup', $out);
    }

    public function testNationalCloudConnectsToItsExchange(): void
    {
        $this->app['config']->set('mail.mailers.o365.cloud', 'usgov');
        [$code, $out] = $this->artisan('o365:restrict', ['--policy' => true, '--mailbox' => ['noreply@contoso.com']]);

        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('Connect-ExchangeOnline -ExchangeEnvironmentName O365USGovGCCHigh', $out);
    }

    public function testWithoutATokenThePlaceholderAndWhereToFindTheObjectId(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_secret', 'wrong-secret');
        [$code, $out] = $this->artisan('o365:restrict', ['--mailbox' => ['noreply@contoso.com']]);

        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('Could not get a token', $out);
        $this->assertStringContainsString('AADSTS7000215', $out);
        $this->assertStringContainsString('-ObjectId <SERVICE-PRINCIPAL-OBJECT-ID>', $out);
        $this->assertStringContainsString('Enterprise applications', $out);
        $this->assertStringNotContainsString('wrong-secret', $out);

        [$code, $out] = $this->artisan('o365:restrict', ['--mailbox' => ['noreply@contoso.com'], '--object-id' => '6233FBA6-0198-4277-892F-9275BF728BCC']);
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('-ObjectId 6233fba6-0198-4277-892f-9275bf728bcc', $out);
        $this->assertStringNotContainsString('Could not get a token', $out);
    }

    public function testManagedIdentityTakesTheClientIdFromItsToken(): void
    {
        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365', 'managed_identity' => true,
            'managed_identity_endpoint' => $this->emulator->baseUrl.'/metadata/identity/oauth2/token', 'graph_endpoint' => $this->emulator->baseUrl]);
        [$code, $out] = $this->artisan('o365:restrict', ['--mailbox' => ['noreply@contoso.com']]);

        $this->assertSame(0, $code, $out);
        $this->assertMatchesRegularExpression('/New-ServicePrincipal -AppId 00000000-0000-0000-0000-0000000000a1 -ObjectId '.self::GUID.' /', $out);
        $this->assertStringNotContainsString('<SERVICE-PRINCIPAL-OBJECT-ID>', $out);
    }

    public function testInvalidArguments(): void
    {
        foreach ([
            [[], 'Name the mailboxes the app may send as'],
            [['--mailbox' => ['not-an-address']], '--mailbox=not-an-address is not a mailbox address'],
            [['--mailbox' => ["o'brien@contoso.com"]], 'is not a mailbox address'],
            [['--rbac' => true, '--policy' => true, '--mailbox' => ['a@contoso.com']], 'Choose one: --rbac'],
            [['--mailbox' => ['a@contoso.com'], '--object-id' => 'nope'], '--object-id=nope is not a GUID'],
        ] as [$args, $message]) {
            [$code, $out] = $this->artisan('o365:restrict', $args);
            $this->assertSame(2, $code, $out);
            $this->assertStringContainsString($message, $out);
        }
    }

    public function testAClientIdThatIsNotAGuid(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_id', 'my-app');
        [$code, $out] = $this->artisan('o365:restrict', ['--mailbox' => ['a@contoso.com']]);

        $this->assertSame(1, $code, $out);
        $this->assertStringContainsString('O365_CLIENT_ID', $out);
    }
}
