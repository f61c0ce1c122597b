<?php

declare(strict_types=1);

namespace O365\Tests\Symfony;

use O365\Symfony\Transport;
use O365\Tests\Support\Emulator;
use O365\Tests\Support\TestCerts;
use PHPUnit\Framework\TestCase;
use Symfony\Component\Mime\Email;

/** Certificate, federated and managed identity credentials as `o365://` DSN query options. */
final class CredentialDsnTest extends TestCase
{
    private static function email(string $subject): Email
    {
        return (new Email())->from('sender@contoso.com')->to('ann@example.com')->subject($subject)->text('hi');
    }

    private static function endpoints(Emulator $emulator): array
    {
        return ['login_endpoint' => $emulator->baseUrl, 'graph_endpoint' => $emulator->baseUrl, 'max_retries' => 0];
    }

    public function testCertificateDsn(): void
    {
        $emulator = new Emulator(['--certificate', TestCerts::path('app.crt')]);
        $query = http_build_query(['client_certificate' => TestCerts::path('app.pfx'), 'client_certificate_password' => 'test-password',
            'client_certificate_algorithm' => 'RS256'] + self::endpoints($emulator));
        Transport::fromDsn(sprintf('o365://%s@%s?%s', Emulator::CLIENT_ID, Emulator::TENANT_ID, $query))->send(self::email('cert dsn'));
        $this->assertSame('cert dsn', $emulator->messages()[0]['subject']);
    }

    public function testFederatedDsn(): void
    {
        $issuer = 'https://oidc.example.test/dsn';
        $emulator = new Emulator(['--federated-issuer', $issuer, '--federated-subject', 'dsn-sender', '--federated-key', TestCerts::path('issuer.pub')]);
        $file = TestCerts::path('dsn-token-'.bin2hex(random_bytes(4)));
        file_put_contents($file, TestCerts::federatedToken($issuer, 'dsn-sender'));
        $query = http_build_query(['federated_token_file' => $file] + self::endpoints($emulator));
        Transport::fromDsn(sprintf('o365://%s@%s?%s', Emulator::CLIENT_ID, Emulator::TENANT_ID, $query))->send(self::email('federated dsn'));
        $this->assertCount(1, $emulator->messages());
    }

    public function testManagedIdentityDsnNeedsNoIds(): void
    {
        $emulator = new Emulator();
        $query = http_build_query(['managed_identity' => 'true', 'managed_identity_endpoint' => $emulator->baseUrl.'/metadata/identity/oauth2/token',
            'graph_endpoint' => $emulator->baseUrl]);
        Transport::fromDsn("o365://default?$query")->send(self::email('mi dsn'));
        $this->assertCount(1, $emulator->messages());
        $this->assertContains('/metadata/identity/oauth2/token', array_column($emulator->requests(), 'path'));
    }

    public function testTwoCredentialsInADsnAreRefused(): void
    {
        $emulator = new Emulator();
        $dsn = sprintf('o365://%s:secret@%s?%s', Emulator::CLIENT_ID, Emulator::TENANT_ID, http_build_query(['managed_identity' => 'true'] + self::endpoints($emulator)));
        try {
            Transport::fromDsn($dsn);
            $this->fail('no exception');
        } catch (\O365\ConfigurationException $e) {
            $this->assertStringContainsString('more than one credential', $e->getMessage());
            $this->assertStringContainsString('`managed_identity`', $e->getMessage());
        }
    }
}
