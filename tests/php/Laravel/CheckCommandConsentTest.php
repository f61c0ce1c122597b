<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use O365\Tests\Support\LaravelTestCase;

/** `o365:check` against an app whose Mail.Send permission lacks admin consent. */
final class CheckCommandConsentTest extends LaravelTestCase
{
    protected function emulatorArgs(): array
    {
        return ['--no-roles'];
    }

    public function testMissingAdminConsent(): void
    {
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(1, $code, $out);
        $this->assertStringContainsString('Granted application permissions (roles): none', $out);
        $this->assertStringContainsString('Not ready to send', $out);
        $this->assertStringContainsString('Fix: the token has no Mail.Send role', $out);
        $this->assertStringContainsString('(Graph: 403 ErrorAccessDenied', $out, 'the mailbox check confirms it');
        $this->assertStringContainsString("click 'Grant admin consent'", $out);
        $this->assertStringNotContainsString('Test-ApplicationAccessPolicy', $out, 'no access policy is involved');
    }
}
