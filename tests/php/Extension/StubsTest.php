<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\ApiSignature;
use PHPUnit\Framework\TestCase;

/** php/stubs/o365.stubs.php (for IDEs) describes exactly the API of the built extension. */
final class StubsTest extends TestCase
{
    private const STUBS = __DIR__.'/../../../php/stubs/o365.stubs.php';

    public function testStubsLint(): void
    {
        exec(sprintf('%s -l %s 2>&1', escapeshellarg(PHP_BINARY), escapeshellarg(self::STUBS)), $out, $code);
        $this->assertSame(0, $code, implode("\n", $out));
    }

    public function testStubsMatchTheLoadedExtension(): void
    {
        // Load the stubs in a PHP without the extension (same binary, no -d extension=).
        $script = (new \ReflectionClass(ApiSignature::class))->getFileName();
        exec(sprintf('%s %s %s 2>&1', escapeshellarg(PHP_BINARY), escapeshellarg($script), escapeshellarg(self::STUBS)), $out, $code);
        $this->assertSame(0, $code, implode("\n", $out));
        $stubs = json_decode(implode("\n", $out), true, 512, JSON_THROW_ON_ERROR);

        $extension = ApiSignature::of(static fn ($r) => $r->getExtensionName() === 'o365');

        $this->assertNotEmpty($extension['classes']);
        $this->assertArrayHasKey('O365\Mailer', $extension['classes']);
        $this->assertSame($extension, $stubs, 'php/stubs/o365.stubs.php is stale: run scripts/stubs.sh and commit the result');
    }
}
