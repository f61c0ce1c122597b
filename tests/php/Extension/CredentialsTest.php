<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use O365\Tests\Support\TestCerts;
use PHPUnit\Framework\TestCase;

/** Certificate, federated token and managed identity credentials through `new O365\Mailer([...])`, errors and output hygiene. */
final class CredentialsTest extends TestCase
{
    private const ISSUER = 'https://oidc.example.test/cluster-1';
    private const SUBJECT = 'system:serviceaccount:mail:sender';

    private static function mime(string $subject): string
    {
        return "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: $subject\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHi.\r\n";
    }

    /** Config for the emulator without the client secret. */
    private static function config(Emulator $emulator, array $credential): array
    {
        $config = $emulator->config();
        unset($config['client_secret']);

        return array_merge($config, $credential);
    }

    protected function tearDown(): void
    {
        foreach (['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_AUTHORITY_HOST'] as $name) {
            putenv($name);
        }
    }

    public function testCertificateInEveryFormatSendsAMail(): void
    {
        $emulator = new Emulator(['--certificate', TestCerts::path('app.crt')]);
        $variants = [
            ['client_certificate' => TestCerts::path('app.pem')],
            ['client_certificate' => TestCerts::path('app.crt'), 'client_certificate_key' => TestCerts::path('app-enc.key'), 'client_certificate_password' => 'test-password'],
            ['client_certificate' => TestCerts::path('app.pfx'), 'client_certificate_password' => 'test-password'],
            ['client_certificate' => TestCerts::path('app.pem'), 'client_certificate_algorithm' => 'RS256'],
        ];
        foreach ($variants as $i => $credential) {
            $receipt = (new \O365\Mailer(self::config($emulator, $credential)))->sendMime(self::mime("cert $i"));
            $this->assertSame('sender@contoso.com', $receipt['mailbox']);
        }
        $this->assertCount(4, $emulator->messages());
        $this->assertSame(2, $emulator->stats()['token_requests'], 'one token per certificate + algorithm, cached in the process');
    }

    public function testCertificateDiagnoseShowsThumbprintsAndExpiryWarning(): void
    {
        $emulator = new Emulator(['--certificate', TestCerts::path('expiring.crt')]);
        $report = (new \O365\Mailer(self::config($emulator, ['client_certificate' => TestCerts::path('expiring.pem')])))->diagnose();
        $this->assertSame('certificate', $report['credential']);
        $this->assertMatchesRegularExpression('/^[0-9A-F]{40}$/', $report['credential_details']['thumbprint_sha1']);
        $this->assertMatchesRegularExpression('/^[0-9A-F]{64}$/', $report['credential_details']['thumbprint_sha256']);
        $this->assertCount(1, $report['warnings']);
        $this->assertStringContainsString('days left', $report['warnings'][0]);
        $this->assertStringNotContainsString(TestCerts::keyLine('expiring.pem'), json_encode($report));
    }

    public function testCertificateErrorsNameTheFileAndTheFix(): void
    {
        $emulator = new Emulator(['--certificate', TestCerts::path('app.crt')]);
        $cases = [
            [['client_certificate' => TestCerts::path('expired.pem')], 'expired on', 'Certificates & secrets'],
            [['client_certificate' => TestCerts::path('app.crt'), 'client_certificate_key' => TestCerts::path('other.key')], 'does not belong', 'other.key'],
            [['client_certificate' => TestCerts::path('app.pfx'), 'client_certificate_password' => 'wrong-pw'], 'wrong password', 'O365_CLIENT_CERTIFICATE_PASSWORD'],
            [['client_certificate' => '/nonexistent/app.pem'], '/nonexistent/app.pem', 'readable'],
            [['client_certificate' => TestCerts::path('app.pem'), 'client_secret' => 'also-a-secret'], 'more than one credential', '`client_certificate`'],
        ];
        foreach ($cases as [$credential, $what, $fix]) {
            try {
                new \O365\Mailer(self::config($emulator, $credential));
                $this->fail("no exception for $what");
            } catch (\O365\ConfigurationException $e) {
                $this->assertStringContainsString($what, $e->getMessage());
                $this->assertStringContainsString($fix, $e->getMessage());
                foreach (['app.pem', 'other.key', 'expired.pem'] as $file) {
                    $this->assertStringNotContainsString(TestCerts::keyLine($file), $e->getMessage().$e->getTraceAsString());
                }
                $this->assertStringNotContainsString('wrong-pw', $e->getMessage());
                $this->assertStringNotContainsString('also-a-secret', $e->getMessage());
            }
        }
    }

    public function testUnregisteredCertificateShowsThumbprints(): void
    {
        $emulator = new Emulator(['--certificate', TestCerts::path('leaf.crt')]);
        $mailer = new \O365\Mailer(self::config($emulator, ['client_certificate' => TestCerts::path('app.pem')]));
        try {
            $mailer->sendMime(self::mime('unregistered'));
            $this->fail('no exception');
        } catch (\O365\AuthenticationException $e) {
            $this->assertSame('AADSTS700027', $e->getGraphCode());
            $der = base64_decode(preg_replace('/-----[^-]+-----|\s/', '', (string) file_get_contents(TestCerts::path('app.crt'))));
            $this->assertStringContainsString(strtoupper(sha1($der)), $e->getMessage());
            $this->assertStringContainsString(strtoupper(hash('sha256', $der)), $e->getMessage());
            $this->assertStringContainsString('Certificates & secrets', $e->getMessage());
        }
    }

    public function testKeyNeverInVarDumpOrPhpinfo(): void
    {
        $mailer = new \O365\Mailer(['tenant_id' => 't', 'client_id' => 'c', 'client_certificate' => TestCerts::path('app.crt'),
            'client_certificate_key' => TestCerts::path('app-enc.key'), 'client_certificate_password' => 'test-password']);
        ob_start();
        var_dump($mailer);
        print_r($mailer);
        phpinfo();
        $out = (string) ob_get_clean();
        $this->assertStringContainsString('certificate', $out);
        $this->assertStringNotContainsString('test-password', $out);
        $this->assertStringNotContainsString(TestCerts::keyLine('app.key'), $out);
        $this->assertStringNotContainsString(TestCerts::keyLine('app-enc.key'), $out);
    }

    public function testFederatedTokenFileIsReadOnEveryTokenRequest(): void
    {
        $emulator = new Emulator(['--federated-issuer', self::ISSUER, '--federated-subject', self::SUBJECT, '--federated-key', TestCerts::path('issuer.pub')]);
        $file = TestCerts::path('php-token-'.bin2hex(random_bytes(4)));
        file_put_contents($file, TestCerts::federatedToken(self::ISSUER, self::SUBJECT, -7200));
        $mailer = new \O365\Mailer(self::config($emulator, ['federated_token_file' => $file]));
        try {
            $mailer->sendMime(self::mime('expired'));
            $this->fail('an expired federated token must fail');
        } catch (\O365\AuthenticationException $e) {
            $this->assertSame('AADSTS700024', $e->getGraphCode());
            $this->assertStringContainsString($file, $e->getMessage());
        }
        file_put_contents($file, TestCerts::federatedToken(self::ISSUER, self::SUBJECT));
        $mailer->sendMime(self::mime('rotated'));
        $this->assertCount(1, $emulator->messages());

        unlink($file);
        try {
            new \O365\Mailer(self::config($emulator, ['federated_token_file' => $file]));
            $this->fail('a missing file must fail');
        } catch (\O365\ConfigurationException $e) {
            $this->assertStringContainsString($file, $e->getMessage());
            $this->assertStringContainsString('AZURE_FEDERATED_TOKEN_FILE', $e->getMessage());
            $this->assertSame('federated_token_file', $e->getConfigKey());
        }
    }

    public function testFederatedFromAzureWorkloadIdentityEnv(): void
    {
        $emulator = new Emulator(['--federated-issuer', self::ISSUER, '--federated-subject', self::SUBJECT, '--federated-key', TestCerts::path('issuer.pub')]);
        $file = TestCerts::path('php-env-token-'.bin2hex(random_bytes(4)));
        file_put_contents($file, TestCerts::federatedToken(self::ISSUER, self::SUBJECT));
        putenv("AZURE_FEDERATED_TOKEN_FILE=$file");
        putenv('AZURE_CLIENT_ID='.Emulator::CLIENT_ID);
        putenv('AZURE_TENANT_ID='.Emulator::TENANT_ID);
        putenv('AZURE_AUTHORITY_HOST='.$emulator->baseUrl);
        $mailer = new \O365\Mailer(['graph_endpoint' => $emulator->baseUrl]);
        $mailer->sendMime(self::mime('workload identity'));
        $this->assertCount(1, $emulator->messages());
    }

    public function testManagedIdentityImdsAndAppService(): void
    {
        $emulator = new Emulator(['--user-assigned-identity', '5b1ee1f2-0000-4000-8000-00000000beef']);
        $mailer = new \O365\Mailer(['graph_endpoint' => $emulator->baseUrl, 'managed_identity' => true,
            'managed_identity_endpoint' => $emulator->baseUrl.'/metadata/identity/oauth2/token']);
        $mailer->sendMime(self::mime('imds'));
        $this->assertSame('managed identity (system-assigned)', $mailer->diagnose()['credential']);

        putenv('IDENTITY_ENDPOINT='.$emulator->baseUrl.'/msi/token');
        putenv('IDENTITY_HEADER='.'emulator-identity-header');
        $mailer = new \O365\Mailer(['graph_endpoint' => $emulator->baseUrl, 'managed_identity' => '5b1ee1f2-0000-4000-8000-00000000beef']);
        $mailer->sendMime(self::mime('app service'));
        $this->assertCount(2, $emulator->messages());
        $paths = array_column($emulator->requests(), 'path');
        $this->assertContains('/metadata/identity/oauth2/token', $paths);
        $this->assertContains('/msi/token', $paths);
        ob_start();
        var_dump($mailer);
        $this->assertStringNotContainsString('emulator-identity-header', (string) ob_get_clean());
    }

    public function testManagedIdentityUnavailable(): void
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $closed = stream_socket_get_name($socket, false);
        fclose($socket);
        $mailer = new \O365\Mailer(['graph_endpoint' => 'http://127.0.0.1:9', 'managed_identity' => true,
            'managed_identity_endpoint' => "http://$closed/metadata/identity/oauth2/token"]);
        try {
            $mailer->sendMime(self::mime('no imds'));
            $this->fail('no exception');
        } catch (\O365\TransportException $e) {
            $this->assertStringContainsString('no managed identity endpoint answers', $e->getMessage());
            $this->assertStringContainsString('managed_identity_endpoint', $e->getMessage());
        }
    }
}
