<?php

declare(strict_types=1);

namespace O365\Tests\Package;

use PHPUnit\Framework\TestCase;

/**
 * Every document the repository points to is in the repository: relative Markdown links
 * (and their #anchors), `docs/….md`-style paths named in code and comments, and no design
 * document kept outside it (the DESIGN/GRAPH-FACTS notes a clone does not have).
 * Reads the working tree only (about 350 files); no extension call, no network.
 */
final class DocLinksTest extends TestCase
{
    private const ROOT = __DIR__.'/../../..';

    /** Without git: directories that hold no project text (build output, phpize's in pie/, caches). */
    private const SKIP = ['target', 'vendor', 'node_modules', 'dist', 'pie', 'tmp'];

    /** This file, which names missing documents on purpose. */
    private const SELF = 'tests/php/Package/DocLinksTest.php';

    /** Upper-case `.md` names that stand for an argument, not a file (bench/php/report.php's usage line). */
    private const PLACEHOLDERS = ['REPORT.md'];

    /** @var array<string, string>|null relative path => contents */
    private static ?array $files = null;

    public function testEveryRelativeMarkdownLinkResolves(): void
    {
        $broken = [];
        foreach (self::files('md') as $file => $text) {
            foreach (self::links(self::withoutCode($text)) as $target) {
                $problem = self::checkLink($file, $target);
                if ($problem !== null) {
                    $broken[] = "$file: ($target) $problem";
                }
            }
        }
        $this->assertSame([], $broken, 'dangling links in Markdown files');
    }

    public function testEveryDocumentPathNamedInTheTreeExists(): void
    {
        $missing = [];
        foreach (self::files('md', 'rs', 'php', 'sh') as $file => $text) {
            if ($file === self::SELF) {
                continue;
            }
            preg_match_all('#(?<![\w/.-])((?:docs|bench|crates|php|tests|examples|scripts|pie)/[\w./-]*\w\.md)\b#', $text, $m);
            foreach (array_unique($m[1]) as $path) {
                if (!is_file(self::ROOT.'/'.$path)) {
                    $missing[] = "$file names $path";
                }
            }
        }
        $this->assertSame([], $missing, 'paths of documents that are not in the repository');
    }

    public function testNoReferenceToADesignDocumentOutsideTheRepository(): void
    {
        $names = [...array_map('basename', array_keys(self::files('md'))), ...self::PLACEHOLDERS];
        $outside = [];
        foreach (self::files('md', 'rs', 'php', 'sh') as $file => $text) {
            if ($file === self::SELF) {
                continue;
            }
            // Upper-case document names (README.md, SECURITY.md) must be files of the tree;
            // the brief-style notes (GRAPH-FACTS, ../shared/) never are.
            preg_match_all('#\b([A-Z][A-Z0-9_-]*\.md)\b|\b(GRAPH-FACTS)\b|(\.\./shared/|/work/shared)#', $text, $m, PREG_SET_ORDER);
            foreach ($m as $hit) {
                $name = $hit[1] !== '' ? $hit[1] : ($hit[2] ?? '').($hit[3] ?? '');
                if ($hit[1] === '' || !in_array($name, $names, true)) {
                    $outside[] = "$file cites $name (point it to docs/)";
                }
            }
        }
        $this->assertSame([], array_values(array_unique($outside)), 'design documents cited but not in the repository');
    }

    public function testTheDesignDocumentsExistAndLinkMicrosoftsDocumentation(): void
    {
        foreach (['docs/architecture.md', 'docs/contracts.md', 'docs/graph-facts.md'] as $doc) {
            $this->assertFileExists(self::ROOT.'/'.$doc);
        }
        $facts = (string) file_get_contents(self::ROOT.'/docs/graph-facts.md');
        $this->assertGreaterThanOrEqual(10, preg_match_all('#\]\(https://learn\.microsoft\.com/#', $facts), 'graph-facts.md cites its sources');
    }

    public function testTheCheckerSeesABrokenLinkAndAnchor(): void
    {
        $this->assertSame('no such file: docs/nope.md', self::checkLink('README.md', 'docs/nope.md'));
        $this->assertSame('no heading #nope in docs/sender.md', self::checkLink('README.md', 'docs/sender.md#nope'));
        $this->assertNull(self::checkLink('README.md', 'docs/sender.md#the-shared-mailbox-limiter-limiter-test-shared_limiterrs'));
        $this->assertNull(self::checkLink('README.md', '#large-messages-and-save_to_sent_items--false'));
    }

    /** Why `$target`, linked from `$file`, does not resolve; null when it does. */
    private static function checkLink(string $file, string $target): ?string
    {
        if (preg_match('#^(?:[a-z][a-z0-9+.-]*:|//)#i', $target)) {
            return null; // http(s), mailto: checked by nobody here
        }
        [$path, $anchor] = array_pad(explode('#', $target, 2), 2, null);
        $resolved = $path === '' ? $file : self::normalize(dirname($file).'/'.rawurldecode($path));
        if ($resolved === null || !file_exists(self::ROOT.'/'.$resolved)) {
            return "no such file: $path";
        }
        if ($anchor === null || $anchor === '' || !str_ends_with($resolved, '.md')) {
            return null;
        }
        $slugs = self::anchors((string) file_get_contents(self::ROOT.'/'.$resolved));

        return in_array(strtolower($anchor), $slugs, true) ? null : "no heading #$anchor in $resolved";
    }

    /** The anchors GitHub gives a Markdown file's headings (and explicit `<a id>`s). */
    private static function anchors(string $markdown): array
    {
        $seen = [];
        $anchors = [];
        preg_match_all('/^#{1,6}\s+(.+?)\s*#*\s*$/m', self::withoutCodeBlocks($markdown), $m);
        foreach ($m[1] as $heading) {
            $slug = preg_replace('/[^\p{L}\p{N}_ -]/u', '', mb_strtolower(strip_tags($heading)));
            $slug = str_replace(' ', '-', (string) $slug);
            $n = $seen[$slug] ?? 0;
            $seen[$slug] = $n + 1;
            $anchors[] = $n === 0 ? $slug : "$slug-$n";
        }
        preg_match_all('/<a\s+(?:id|name)="([^"]+)"/', $markdown, $a);

        return [...$anchors, ...array_map('strtolower', $a[1])];
    }

    /** Inline link targets: `[text](target)` and `![alt](target "title")`. */
    private static function links(string $markdown): array
    {
        preg_match_all('/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/', $markdown, $m);

        return array_unique($m[1]);
    }

    /** Markdown without code blocks and inline code spans (a link there is only text). */
    private static function withoutCode(string $markdown): string
    {
        return (string) preg_replace('/`[^`\n]*`/', '', self::withoutCodeBlocks($markdown));
    }

    /** Markdown without fenced and indented code blocks (their `#` lines are no headings). */
    private static function withoutCodeBlocks(string $markdown): string
    {
        $text = preg_replace('/^(```|~~~).*?^\1\s*$/ms', '', $markdown);

        return (string) preg_replace('/^(?: {4}|\t).*$/m', '', (string) $text);
    }

    private static function normalize(string $path): ?string
    {
        $parts = [];
        foreach (explode('/', $path) as $part) {
            if ($part === '..') {
                if ($parts === []) {
                    return null; // above the repository
                }
                array_pop($parts);
            } elseif ($part !== '.' && $part !== '') {
                $parts[] = $part;
            }
        }

        return implode('/', $parts);
    }

    /** @return array<string, string> the tree's files with these extensions, by relative path */
    private static function files(string ...$extensions): array
    {
        if (self::$files === null) {
            self::$files = [];
            foreach (self::paths() as $path) {
                if (preg_match('/\.(md|rs|php|sh)$/', $path) && is_file(self::ROOT.'/'.$path)) {
                    self::$files[$path] = (string) file_get_contents(self::ROOT.'/'.$path);
                }
            }
        }

        return array_filter(self::$files, static fn (string $path): bool => in_array(pathinfo($path, PATHINFO_EXTENSION), $extensions, true), ARRAY_FILTER_USE_KEY);
    }

    /** The files git tracks or would track (.gitignore applies); without git, a walk that skips build output. */
    private static function paths(): array
    {
        exec('git -C '.escapeshellarg(self::ROOT).' ls-files -co --exclude-standard 2>/dev/null', $out, $code);
        if ($code === 0 && $out !== []) {
            return $out;
        }
        $root = (string) realpath(self::ROOT);
        $dirs = new \RecursiveDirectoryIterator($root, \FilesystemIterator::SKIP_DOTS);
        $filter = new \RecursiveCallbackFilterIterator($dirs, static fn (\SplFileInfo $f): bool => !$f->isDir()
            || ($f->getFilename()[0] !== '.' && !in_array($f->getFilename(), self::SKIP, true)));
        $paths = [];
        foreach (new \RecursiveIteratorIterator($filter) as $f) {
            $paths[] = substr($f->getPathname(), strlen($root) + 1);
        }

        return $paths;
    }
}
