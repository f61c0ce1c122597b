<?php

declare(strict_types=1);

namespace O365\Tests\Package;

use PHPUnit\Framework\TestCase;

/** `make demo` / scripts/setup.sh on a system they cannot set up: one sentence with what is supported and what to run instead, before anything is installed. */
final class PlatformTest extends TestCase
{
    private const ROOT = __DIR__.'/../../..';

    public function testUnsupportedSystemGetsOneSentence(): void
    {
        $osRelease = tempnam(sys_get_temp_dir(), 'os-release-');
        file_put_contents($osRelease, "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nID=ubuntu\nVERSION_CODENAME=noble\n");
        foreach (['scripts/setup.sh', 'scripts/demo.sh'] as $script) {
            exec('O365_OS_RELEASE='.escapeshellarg($osRelease).' '.escapeshellarg(self::ROOT."/$script").' demo 2>&1', $out, $code);
            $text = implode("\n", $out);
            $out = [];

            $this->assertSame(1, $code, $text);
            $this->assertStringContainsString('sets up Debian 12 (PHP 8.2), Debian 13 trixie and Debian forky (PHP 8.4) only, and this is Ubuntu 24.04.1 LTS: install the extension for your PHP with `make install`', $text);
            $this->assertStringContainsString('run the emulator from its release archive', $text);
            $this->assertSame(1, substr_count($text, "\n") + 1, "one line, nothing installed first:\n$text");
        }
        unlink($osRelease);
    }
}
