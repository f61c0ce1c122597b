<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/** Mailer::diagnose(): roles, token expiry and endpoints, never the token; phpinfo() and var_dump() without secrets. */
final class DiagnoseTest extends TestCase
{
    public function testDiagnoseReportsRolesExpiryAndEndpoints(): void
    {
        $emulator = new Emulator(['--token-lifetime', '3000']);
        $report = (new \O365\Mailer($emulator->config()))->diagnose();

        $this->assertSame(['Mail.Send', 'Mail.ReadWrite'], $report['roles']);
        $this->assertSame([], $report['missing']);
        $this->assertEqualsWithDelta(time() + 3000, $report['expires_at'], 30);
        $this->assertSame($emulator->baseUrl.'/'.Emulator::TENANT_ID.'/oauth2/v2.0/token', $report['token_endpoint']);
        $this->assertSame($emulator->baseUrl, $report['graph_endpoint']);
        $this->assertSame('global', $report['cloud']);
        $dump = json_encode($report, JSON_THROW_ON_ERROR);
        $this->assertDoesNotMatchRegularExpression('/eyJ[\w-]+\.[\w-]+/', $dump, 'no JWT in the report');
        $this->assertStringNotContainsString(Emulator::CLIENT_SECRET, $dump);
        $this->assertSame([], $emulator->messages(), 'diagnose sends nothing');
    }

    public function testDiagnoseNamesMissingConsent(): void
    {
        $emulator = new Emulator(['--no-roles']);
        $report = (new \O365\Mailer($emulator->config()))->diagnose();
        $this->assertSame([], $report['roles']);
        $this->assertCount(1, $report['missing']);
        $this->assertStringContainsString('Mail.Send', $report['missing'][0]);
        $this->assertStringContainsString('admin consent', $report['missing'][0]);
    }

    public function testSecretsStayOutOfVarDumpPrintRVarExportAndPhpinfo(): void
    {
        $secret = 'sup3r-s3cret-'.bin2hex(random_bytes(4));
        $mailer = new \O365\Mailer(['tenant_id' => 'contoso.onmicrosoft.com', 'client_id' => 'app-id', 'client_secret' => $secret, 'mailbox' => 'noreply@contoso.com']);
        ob_start();
        var_dump($mailer);
        print_r($mailer);
        var_export($mailer);
        var_dump([$mailer]); // as loggers and debuggers hold it
        $out = (string) ob_get_clean();
        $this->assertStringNotContainsString($secret, $out);
        $this->assertStringContainsString('contoso.onmicrosoft.com', $out);
        $this->assertStringContainsString('noreply@contoso.com', $out);
        $this->assertStringContainsString('client secret', $out, 'the credential kind is shown, not its value');
    }

    public function testPhpinfoSection(): void
    {
        $secret = 'phpinfo-secret-'.bin2hex(random_bytes(4));
        $mailer = new \O365\Mailer(['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => $secret]);
        ob_start();
        phpinfo(INFO_MODULES);
        $info = (string) ob_get_clean();
        $this->assertMatchesRegularExpression('/^o365$/m', $info);
        $this->assertMatchesRegularExpression('/^o365 support => enabled$/m', $info);
        $this->assertMatchesRegularExpression('/^version => '.preg_quote(o365_version(), '/').'$/m', $info);
        $this->assertMatchesRegularExpression('/^build profile => (debug|release)$/m', $info);
        $this->assertMatchesRegularExpression('/^built for => \w+-\w+$/m', $info);
        $this->assertStringNotContainsString($secret, $info);
        unset($mailer);
    }
}

