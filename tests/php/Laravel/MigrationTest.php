<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Mail\MailManager;
use Illuminate\Support\Facades\Mail;
use O365\Laravel\Migration;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\Emulator;
use O365\Tests\Support\LaravelApp;
use PHPUnit\Framework\TestCase;

/** README "Migrating from ...": other packages' mailer entries, transport names and env names keep working. */
final class MigrationTest extends TestCase
{
    private const README = __DIR__.'/../../../README.md';

    /** @var list<string> */
    private array $env = [];

    protected function tearDown(): void
    {
        foreach ($this->env as $name) {
            putenv($name);
            unset($_ENV[$name], $_SERVER[$name]);
        }
        \Illuminate\Support\Facades\Facade::clearResolvedInstances();
    }

    private function putenv(array $vars): void
    {
        foreach ($vars as $k => $v) {
            putenv("$k=$v");
            $this->env[] = $k;
        }
    }

    /** The emulator's endpoints (the only O365_* names set: the old packages had no such keys). */
    private function emulator(): Emulator
    {
        $emulator = new Emulator(['--mailbox', 'sender@contoso.com']);
        $this->putenv(['O365_LOGIN_ENDPOINT' => $emulator->baseUrl, 'O365_GRAPH_ENDPOINT' => $emulator->baseUrl, 'O365_MAX_RETRIES' => '0']);

        return $emulator;
    }

    public function testTheReadmesInnogeMailerEntrySendsUnchanged(): void
    {
        $emulator = $this->emulator();
        $this->putenv(['MICROSOFT_GRAPH_CLIENT_ID' => Emulator::CLIENT_ID, 'MICROSOFT_GRAPH_CLIENT_SECRET' => Emulator::CLIENT_SECRET,
            'MICROSOFT_GRAPH_TENANT_ID' => Emulator::TENANT_ID, 'MAIL_FROM_ADDRESS' => 'sender@contoso.com', 'MAIL_FROM_NAME' => 'Contoso']);
        $app = LaravelApp::create();
        preg_match('/<!-- migration:innoge -->\s*```php\n(.*?)```/s', (string) file_get_contents(self::README), $m);
        $this->assertNotEmpty($m[1] ?? null, 'README has the innoge mailer entry');
        $mailers = eval('return ['.$m[1].'];');
        $app['config']->set('mail.mailers.microsoft-graph', $mailers['microsoft-graph']);

        Mail::mailer('microsoft-graph')->to('ann@example.com')->send(new WelcomeMail('Ann'));

        $sent = $emulator->messages();
        $this->assertCount(1, $sent);
        $this->assertSame('sender@contoso.com', $sent[0]['mailbox']);
        $this->assertFalse($sent[0]['save_to_sent_items'], "innoge's save_to_sent_items=false is honoured");
        $app->flush();
    }

    public function testO365SendmailsTransportNameKeysAndEnvNames(): void
    {
        $emulator = $this->emulator();
        $this->putenv(['O365SENDMAIL_TENANT' => Emulator::TENANT_ID, 'O365SENDMAIL_CLIENT_ID' => Emulator::CLIENT_ID, 'O365SENDMAIL_CLIENT_SECRET' => Emulator::CLIENT_SECRET]);
        $app = LaravelApp::create();
        $this->assertSame(Emulator::TENANT_ID, $app['config']->get('o365.tenant_id'), 'O365SENDMAIL_TENANT is a fallback');
        // That package's own mailer entry: `tenant`, not `tenant_id`.
        $app['config']->set('mail.mailers.o365-sendmail', ['transport' => 'o365-sendmail', 'tenant' => env('O365SENDMAIL_TENANT', ''),
            'client_id' => env('O365SENDMAIL_CLIENT_ID', ''), 'client_secret' => env('O365SENDMAIL_CLIENT_SECRET', '')]);

        Mail::mailer('o365-sendmail')->to('ann@example.com')->send(new WelcomeMail('Ann'));

        $this->assertSame(['sender@contoso.com'], array_column($emulator->messages(), 'mailbox'));
        $app->flush();
    }

    public function testTheReadmesEnvTableIsWhatConfigO365Reads(): void
    {
        $readme = (string) file_get_contents(self::README);
        $section = substr($readme, (int) strpos($readme, '#### Migrating from'), 4000);
        preg_match_all('/`((?:MICROSOFT_GRAPH|O365SENDMAIL)_[A-Z_]+)`/', $section, $m);
        $this->assertCount(7, array_unique($m[1]));
        $config = (string) file_get_contents(__DIR__.'/../../../php/config/o365.php');
        foreach (array_unique($m[1]) as $name) {
            $this->assertStringContainsString("env('$name'", $config);
        }
    }

    public function testAnotherPackagesDriverKeepsItsName(): void
    {
        $manager = new MailManager(LaravelApp::create());
        $this->assertSame(['microsoft-graph', 'o365-sendmail'], Migration::aliasesToRegister($manager));
        $manager->extend('microsoft-graph', static fn () => new \Symfony\Component\Mailer\Transport\NullTransport());
        $this->assertSame(['o365-sendmail'], Migration::aliasesToRegister($manager), 'innoge still installed: its driver stays');
    }
}
