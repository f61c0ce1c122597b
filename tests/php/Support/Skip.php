<?php

declare(strict_types=1);

namespace O365\Tests\Support;

use PHPUnit\Framework\Assert;

/** A test that cannot run here is skipped; in CI (O365_CI=1, set by scripts/test.sh) it fails instead, so nothing is silently left out there. */
final class Skip
{
    public static function because(string $reason): never
    {
        if (getenv('O365_CI') === '1') {
            Assert::fail("This test must run in CI but would be skipped: $reason");
        }
        Assert::markTestSkipped($reason);
    }

    /**
     * Skipped even in CI: for an optional integration that this test bed leaves out by
     * design (it is no dependency of the bed's framework) while another bed installs it
     * and runs the test (e.g. Symfony Messenger: the forky root has it, the Laravel 10 bed
     * not). A bed meant to have it calls because() instead, which fails in CI.
     */
    public static function notInThisBed(string $reason): never
    {
        Assert::markTestSkipped($reason);
    }
}
