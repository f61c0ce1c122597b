<?php

declare(strict_types=1);

namespace O365\Tests\Package;

use O365\Tests\Support\Skip;
use PHPUnit\Framework\AssertionFailedError;
use PHPUnit\Framework\SkippedTestError;
use PHPUnit\Framework\TestCase;

/**
 * Conditional skips (no pcntl, extension enabled in ini) fail in CI instead of passing unnoticed;
 * only an integration a bed leaves out by design (Skip::notInThisBed) is skipped there.
 */
final class CiSkipTest extends TestCase
{
    private string|false $saved;

    protected function setUp(): void
    {
        $this->saved = getenv('O365_CI');
    }

    protected function tearDown(): void
    {
        putenv($this->saved === false ? 'O365_CI' : "O365_CI={$this->saved}");
    }

    public function testInCiASkipIsAFailure(): void
    {
        putenv('O365_CI=1');
        try {
            Skip::because('needs pcntl');
            $this->fail('Skip::because returned');
        } catch (AssertionFailedError $e) {
            $this->assertNotInstanceOf(SkippedTestError::class, $e);
            $this->assertStringContainsString('must run in CI but would be skipped: needs pcntl', $e->getMessage());
        }
    }

    public function testOutsideCiItSkips(): void
    {
        putenv('O365_CI=0');
        $this->expectException(SkippedTestError::class);
        Skip::because('needs pcntl');
    }

    public function testAnIntegrationThisBedLeavesOutIsSkippedEvenInCi(): void
    {
        putenv('O365_CI=1');
        $this->expectException(SkippedTestError::class);
        $this->expectExceptionMessage('not part of the Laravel 10 bed');
        Skip::notInThisBed('Symfony Messenger is not part of the Laravel 10 bed');
    }

    public function testScriptsTestShSetsIt(): void
    {
        $this->assertMatchesRegularExpression('/^export O365_CI=\$\{O365_CI:-1\}/m', (string) file_get_contents(dirname(__DIR__, 3).'/scripts/test.sh'));
    }
}
