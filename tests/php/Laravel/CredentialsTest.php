<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\Emulator;
use O365\Tests\Support\LaravelApp;
use O365\Tests\Support\LaravelTestCase;
use O365\Tests\Support\TestCerts;

/** Certificate, federated token and managed identity through the Laravel mailer entry, config/o365.php's env and o365:check. */
final class CredentialsTest extends LaravelTestCase
{
    private const ISSUER = 'https://oidc.example.test/laravel';
    private const SUBJECT = 'system:serviceaccount:web:laravel';
    private const ENV = ['O365_TENANT_ID', 'O365_CLIENT_ID', 'O365_CLIENT_SECRET', 'O365_CLIENT_CERTIFICATE', 'O365_CLIENT_CERTIFICATE_KEY',
        'O365_CLIENT_CERTIFICATE_PASSWORD', 'O365_FEDERATED_TOKEN_FILE', 'O365_MANAGED_IDENTITY', 'O365_LOGIN_ENDPOINT', 'O365_GRAPH_ENDPOINT'];

    protected function emulatorArgs(): array
    {
        return ['--certificate', TestCerts::path('app.crt'), '--certificate', TestCerts::path('expiring.crt'),
            '--federated-issuer', self::ISSUER, '--federated-subject', self::SUBJECT, '--federated-key', TestCerts::path('issuer.pub')];
    }

    protected function tearDown(): void
    {
        foreach (self::ENV as $name) {
            putenv($name);
            unset($_ENV[$name], $_SERVER[$name]);
        }
        parent::tearDown();
    }

    /** The o365 mailer entry with `$credential` instead of the client secret. */
    private function useCredential(array $credential): void
    {
        $entry = ['transport' => 'o365'] + $this->emulator->config();
        unset($entry['client_secret']);
        $this->app['config']->set('mail.mailers.o365', $credential + $entry);
    }

    public function testCertificateMailerEntrySendsAndCheckShowsThumbprints(): void
    {
        $this->useCredential(['client_certificate' => TestCerts::path('app.crt'), 'client_certificate_key' => TestCerts::path('app-enc.key'),
            'client_certificate_password' => 'test-password']);
        Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));
        $this->assertSame('Welcome, Ann', $this->onlyMessage()['subject']);

        [$code, $out] = $this->artisan('o365:check');
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('credential: certificate', $out);
        $this->assertMatchesRegularExpression('#certificate:\s+'.preg_quote(TestCerts::path('app.crt'), '#').'\n#', $out);
        $this->assertMatchesRegularExpression('/thumbprint sha1:\s+[0-9A-F]{40}/', $out);
        $this->assertMatchesRegularExpression('/thumbprint sha256:\s+[0-9A-F]{64}/', $out);
        $this->assertStringNotContainsString('test-password', $out);
        $this->assertStringNotContainsString(TestCerts::keyLine('app.key'), $out);
    }

    public function testCheckWarnsAboutAnExpiringCertificate(): void
    {
        $this->useCredential(['client_certificate' => TestCerts::path('expiring.pem')]);
        [$code, $out] = $this->artisan('o365:check');
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('Warning: the certificate', $out);
        $this->assertStringContainsString('days left', $out);
    }

    public function testCheckExplainsAnExpiredCertificate(): void
    {
        $this->useCredential(['client_certificate' => TestCerts::path('expired.pem')]);
        [$code, $out] = $this->artisan('o365:check');
        $this->assertSame(1, $code);
        $this->assertStringContainsString('Configuration failed', $out);
        $this->assertStringContainsString('expired on 2020-02-01', $out);
        $this->assertStringContainsString('Certificates & secrets', $out);
    }

    public function testFederatedTokenFileMailerEntry(): void
    {
        $file = TestCerts::path('laravel-token-'.bin2hex(random_bytes(4)));
        file_put_contents($file, TestCerts::federatedToken(self::ISSUER, self::SUBJECT));
        $this->useCredential(['federated_token_file' => $file]);
        Mail::to('ann@example.com')->send(new WelcomeMail('Fed'));
        $this->assertSame('Welcome, Fed', $this->onlyMessage()['subject']);
        [$code, $out] = $this->artisan('o365:check');
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('credential: federated token', $out);
        $this->assertMatchesRegularExpression('#federated token file:\s+'.preg_quote($file, '#').' \(from #', $out);
        $this->assertStringContainsString('token subject:', $out);
    }

    public function testManagedIdentityMailerEntryNeedsNoTenantOrSecret(): void
    {
        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365', 'managed_identity' => true,
            'managed_identity_endpoint' => $this->emulator->baseUrl.'/metadata/identity/oauth2/token', 'graph_endpoint' => $this->emulator->baseUrl]);
        Mail::to('ann@example.com')->send(new WelcomeMail('MI'));
        $this->assertSame('Welcome, MI', $this->onlyMessage()['subject']);
        [$code, $out] = $this->artisan('o365:check');
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('credential: managed identity', $out);
        $this->assertStringContainsString('managed identity protocol: IMDS', $out);
    }

    public function testConfigFileEnvVariablesForEachKind(): void
    {
        $token = TestCerts::path('env-token-'.bin2hex(random_bytes(4)));
        file_put_contents($token, TestCerts::federatedToken(self::ISSUER, self::SUBJECT));
        $kinds = [
            ['O365_CLIENT_CERTIFICATE' => TestCerts::path('app.crt'), 'O365_CLIENT_CERTIFICATE_KEY' => TestCerts::path('app-enc.key'), 'O365_CLIENT_CERTIFICATE_PASSWORD' => 'test-password'],
            ['O365_FEDERATED_TOKEN_FILE' => $token],
            ['O365_MANAGED_IDENTITY' => 'true'],
        ];
        foreach ($kinds as $i => $vars) {
            foreach (self::ENV as $name) {
                putenv($name);
            }
            $vars += ['O365_TENANT_ID' => Emulator::TENANT_ID, 'O365_CLIENT_ID' => Emulator::CLIENT_ID,
                'O365_LOGIN_ENDPOINT' => $this->emulator->baseUrl, 'O365_GRAPH_ENDPOINT' => $this->emulator->baseUrl];
            foreach ($vars as $k => $v) {
                putenv("$k=$v");
            }
            $app = LaravelApp::create();
            $app['config']->set('mail.mailers.o365', ['transport' => 'o365']);
            if (isset($vars['O365_MANAGED_IDENTITY'])) {
                $app['config']->set('mail.mailers.o365.managed_identity_endpoint', $this->emulator->baseUrl.'/metadata/identity/oauth2/token');
            }
            Mail::mailer('o365')->to('ann@example.com')->send(new WelcomeMail("env $i"));
            $app->flush();
        }
        $this->assertSame(['Welcome, env 0', 'Welcome, env 1', 'Welcome, env 2'], array_column($this->emulator->messages(), 'subject'));
    }
}
