<?php

declare(strict_types=1);

namespace O365\Tests\Package;

use PHPUnit\Framework\TestCase;

/**
 * The README stays a user's page: what it is, install, configure, use, errors, limits, links.
 * Measurements and deep explanations live in bench/README.md and docs/ (issue 25).
 */
final class ReadmeTest extends TestCase
{
    private const ROOT = __DIR__.'/../../..';

    /** Room for the user's sections; what grows past it belongs in docs/ or bench/README.md. */
    private const MAX_LINES = 480;

    public function testItStaysShortEnoughToScan(): void
    {
        $lines = substr_count(self::readme(), "\n");
        $this->assertLessThanOrEqual(self::MAX_LINES, $lines, 'README.md has grown past '.self::MAX_LINES
            .' lines: move measurements to bench/README.md and explanations to docs/ (linked from the README)');
    }

    public function testTheContentsListEverySection(): void
    {
        $readme = self::readme();
        $this->assertSame(1, preg_match('/^## Contents\n(.*?)\n## /ms', $readme, $m), 'README.md has a "## Contents" list');
        preg_match_all('/\]\(#([^)]+)\)/', $m[1], $links);
        $missing = [];
        foreach (self::headings($readme) as $heading) {
            if ($heading !== 'contents' && !in_array($heading, $links[1], true)) {
                $missing[] = $heading;
            }
        }
        $this->assertSame([], $missing, 'sections of README.md that its Contents list does not link');
    }

    public function testTheKeyTableHasEveryConfigKeyAndNoOther(): void
    {
        preg_match('/^### Configuration keys\n(.*?)\n## /ms', self::readme(), $m);
        preg_match_all('/^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|/m', $m[1] ?? '', $rows);
        $named = [];
        foreach ($rows[1] as $cell) {
            preg_match_all('/`([a-z_]+)`/', $cell, $keys);
            $named = [...$named, ...$keys[1]];
        }
        $known = \O365\Mailer::configKeys();
        $this->assertContains('redis_url', $known);
        $this->assertSame([], array_values(array_diff($known, $named)), 'config keys missing from the README\'s key table');
        $this->assertSame([], array_values(array_diff($named, $known)), 'rows of the README\'s key table that are no config key');
    }

    public function testTheBenchmarkReportHasItsPlaceInBenchReadme(): void
    {
        // bench/run.sh writes the latest `make bench` report between these markers.
        $bench = (string) file_get_contents(self::ROOT.'/bench/README.md');
        $this->assertStringContainsString('<!-- bench:start -->', $bench);
        $this->assertStringContainsString('<!-- bench:end -->', $bench);
        $this->assertStringContainsString('bench/README.md', (string) file_get_contents(self::ROOT.'/bench/run.sh'));
        $this->assertStringNotContainsString('<!-- bench:start -->', self::readme());
    }

    private static function readme(): string
    {
        return (string) file_get_contents(self::ROOT.'/README.md');
    }

    /** The anchors of the README's `##` and `###` headings, as GitHub makes them. */
    private static function headings(string $markdown): array
    {
        $text = (string) preg_replace('/^(```|~~~).*?^\1\s*$/ms', '', $markdown);
        preg_match_all('/^#{2,3} (.+)$/m', $text, $m);

        return array_map(static fn (string $h): string => str_replace(' ', '-',
            (string) preg_replace('/[^\p{L}\p{N}_ -]/u', '', mb_strtolower($h))), $m[1]);
    }
}
