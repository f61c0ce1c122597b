<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\LaravelTestCase;

/** Several o365 mailers in one app, each with its own tenant, app and mailbox. */
final class SeveralMailersTest extends LaravelTestCase
{
    private const CONTOSO = ['tenant' => '11111111-1111-1111-1111-111111111111', 'client' => 'aaaaaaaa-0000-0000-0000-00000000000a', 'secret' => 'contoso-secret', 'mailbox' => 'noreply@contoso.com'];
    private const FABRIKAM = ['tenant' => '22222222-2222-2222-2222-222222222222', 'client' => 'bbbbbbbb-0000-0000-0000-00000000000b', 'secret' => 'fabrikam-secret', 'mailbox' => 'alerts@fabrikam.com'];

    private string $configFile = '';

    protected function emulatorArgs(): array
    {
        $app = static fn (array $t, string $domain) => [
            'tenant_id' => $t['tenant'], 'tenant_domains' => [$domain], 'client_id' => $t['client'],
            'client_secrets' => [$t['secret']], 'roles' => ['Mail.Send'], 'allowed_mailboxes' => [$t['mailbox']],
        ];
        $this->configFile = tempnam(sys_get_temp_dir(), 'o365-emu-').'.json';
        file_put_contents($this->configFile, json_encode([
            'apps' => [$app(self::CONTOSO, 'contoso.onmicrosoft.com'), $app(self::FABRIKAM, 'fabrikam.onmicrosoft.com')],
            'mailboxes' => [self::CONTOSO['mailbox'], self::FABRIKAM['mailbox']],
        ], JSON_THROW_ON_ERROR));

        return ['--config', $this->configFile];
    }

    protected function tearDown(): void
    {
        parent::tearDown();
        if ($this->configFile !== '') {
            @unlink($this->configFile);
        }
    }

    public function testTwoMailersUseTheirOwnTenantsAndMailboxes(): void
    {
        $mailer = fn (array $t, string $tenant) => ['transport' => 'o365', 'from' => ['address' => $t['mailbox'], 'name' => null]] + $this->emulator->config([
            'tenant_id' => $tenant, 'client_id' => $t['client'], 'client_secret' => $t['secret'], 'mailbox' => $t['mailbox'],
        ]);
        $this->app['config']->set('mail.mailers.contoso', $mailer(self::CONTOSO, 'contoso.onmicrosoft.com'));
        $this->app['config']->set('mail.mailers.fabrikam', $mailer(self::FABRIKAM, self::FABRIKAM['tenant']));

        Mail::mailer('contoso')->to('ann@example.com')->send(new WelcomeMail('Ann'));
        Mail::mailer('fabrikam')->to('bob@example.com')->send(new WelcomeMail('Bob'));
        Mail::mailer('contoso')->to('carl@example.com')->send(new WelcomeMail('Carl'));

        $messages = $this->emulator->messages();
        $this->assertCount(3, $messages);
        $byTo = array_column($messages, null, 'subject');
        foreach (['Welcome, Ann' => self::CONTOSO, 'Welcome, Bob' => self::FABRIKAM, 'Welcome, Carl' => self::CONTOSO] as $subject => $t) {
            $this->assertSame($t['mailbox'], $byTo[$subject]['mailbox'], $subject);
            $this->assertSame($t['client'], $byTo[$subject]['app'], $subject);
            $this->assertSame($t['tenant'], $byTo[$subject]['tenant'], $subject);
            $this->assertSame($t['mailbox'], $byTo[$subject]['from'], $subject);
        }
        $tokenPaths = array_values(array_unique(array_column(array_filter($this->emulator->requests(), static fn ($r) => str_ends_with($r['path'], '/oauth2/v2.0/token')), 'path')));
        sort($tokenPaths);
        $this->assertSame(['/'.self::FABRIKAM['tenant'].'/oauth2/v2.0/token', '/contoso.onmicrosoft.com/oauth2/v2.0/token'], $tokenPaths);
    }
}
