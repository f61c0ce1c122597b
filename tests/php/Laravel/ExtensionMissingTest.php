<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use PHPUnit\Framework\TestCase;

/** Without the extension the app boots; the first use of the o365 mailer says how to install it. */
final class ExtensionMissingTest extends TestCase
{
    public function testFirstUseExplainsHowToInstall(): void
    {
        // The same PHP binary and ini files, but without `-d extension=...libo365.so`.
        $cmd = [PHP_BINARY, __DIR__.'/Fixtures/without-extension.php'];
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['O365_TESTBED' => getenv('O365_TESTBED') ?: ''] + getenv());
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        $code = proc_close($proc);
        if (str_starts_with($out, 'extension loaded')) {
            \O365\Tests\Support\Skip::because('the o365 extension is enabled in this PHP\'s ini files');
        }

        $this->assertSame(0, $code, $out.$err);
        $this->assertStringContainsString("extension not loaded\nbooted\narray mailer sent\n", $out, 'booting and other mailers are unaffected');
        $this->assertStringContainsString("Symfony\\Component\\Mailer\\Exception\\TransportException\n", $out, 'a send-time TransportException, so failover can move on');
        $this->assertStringContainsString("previous: O365\\ExtensionMissingException\n", $out);
        $this->assertStringContainsString("deprecated alias caught: yes\n", $out);
        $this->assertStringContainsString("o365:check exit 1: Loading the o365 extension failed: The o365 PHP extension is not loaded", $out);
        $this->assertStringContainsString('The o365 PHP extension is not loaded', $out);
        $this->assertStringContainsString('cargo build --release -p o365', $out);
        $this->assertStringContainsString('extension=o365', $out);
        $this->assertStringContainsString((string) ini_get('extension_dir'), $out);
        $this->assertStringContainsString('php -m | grep o365', $out);
    }
}
