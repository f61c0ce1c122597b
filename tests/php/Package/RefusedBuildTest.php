<?php

declare(strict_types=1);

namespace O365\Tests\Package;

use O365\Tests\Support\Skip;
use PHPUnit\Framework\TestCase;

/**
 * An ini file enables o365 but PHP refused the .so at startup: ExtensionMissingException
 * names that ini and file, says why (the PHP API it was built for), and how to rebuild it
 * for this PHP. Run in a child PHP whose only ini file is that one.
 */
final class RefusedBuildTest extends TestCase
{
    private const ROOT = __DIR__.'/../../..';
    private const APIS = ['8.2' => '20220829', '8.4' => '20240924', '8.5' => '20250925'];

    private string $dir;

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir().'/o365-refused-'.getmypid();
        @mkdir("$this->dir/conf.d", 0o777, true);
        touch("$this->dir/php.ini");
    }

    protected function tearDown(): void
    {
        array_map('unlink', glob("$this->dir/conf.d/*") ?: []);
        @unlink("$this->dir/php.ini");
        @rmdir("$this->dir/conf.d");
        @rmdir($this->dir);
    }

    public function testABuildForAnotherPhpIsNamedWithItsApiAndTheRebuildCommand(): void
    {
        $here = PHP_MAJOR_VERSION.'.'.PHP_MINOR_VERSION;
        $other = null;
        foreach (glob(self::ROOT.'/target/*/php8.*/o365.so') ?: [] as $so) {
            $version = substr(basename(dirname($so)), 3);
            if ($version !== $here && isset(self::APIS[$version])) {
                [$other, $otherVersion] = [(string) realpath($so), $version];
                break;
            }
        }
        if ($other === null) {
            Skip::because("no build of the extension for a PHP other than $here under target/ (scripts/build-ext.sh 8.2 8.4 8.5)");
        }
        $ini = "$this->dir/conf.d/20-o365.ini";
        file_put_contents($ini, "; o365\nextension=$other\n");

        [$loaded, $message, $stderr] = $this->messageInChild();

        $this->assertSame('no', $loaded, 'PHP refuses a build for another PHP API');
        $this->assertStringContainsString("did not load the o365 extension that $ini enables ($other)", $message);
        $this->assertStringContainsString("it was built for PHP $otherVersion (module API ".self::APIS[$otherVersion].")", $message);
        $this->assertStringContainsString("this PHP's module API is ".self::APIS[$here], $message);
        $this->assertStringContainsString('Rebuild it for this PHP', $message);
        $this->assertMatchesRegularExpression('#`PHP_CONFIG=\S*php-config\S* make install`#', $message);
        $this->assertStringNotContainsString('is not loaded in this PHP', $message, 'not the generic install text');
        $this->assertLessThan(500, strlen($message), "one short answer:\n$message");
        $this->assertStringContainsString('Module compiled with module API='.self::APIS[$otherVersion], $stderr, "PHP's own startup warning says the same");
    }

    public function testAnIniNamingAMissingFileSaysSo(): void
    {
        $ini = "$this->dir/conf.d/20-o365.ini";
        file_put_contents($ini, "extension = \"o365-gone\" ; removed by hand\n");

        [$loaded, $message] = $this->messageInChild();

        $this->assertSame('no', $loaded);
        $this->assertStringContainsString("the o365 extension that $ini enables (`extension=o365-gone`): no such file in ", $message);
        $this->assertStringContainsString('make install', $message);
        $this->assertStringContainsString('or remove that line', $message);
    }

    public function testACommentedLineIsNotAnEnabledBuild(): void
    {
        file_put_contents("$this->dir/conf.d/20-o365.ini", ";extension=o365\n");

        [, $message] = $this->messageInChild();

        $this->assertStringContainsString('The o365 PHP extension is not loaded in this PHP', $message, 'the generic install text');
    }

    /** @return array{0: string, 1: string, 2: string} loaded yes/no, the exception's message, stderr */
    private function messageInChild(): array
    {
        $code = 'require $argv[1]; echo extension_loaded("o365") ? "yes" : "no", "\n", O365\ExtensionMissingException::create()->getMessage();';
        $proc = proc_open([PHP_BINARY, '-c', "$this->dir/php.ini", '-d', 'display_startup_errors=1', '-d', 'display_errors=stderr', '-r', $code, self::ROOT.'/vendor/autoload.php'],
            [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['PHP_INI_SCAN_DIR' => "$this->dir/conf.d"] + getenv());
        $out = (string) stream_get_contents($pipes[1]);
        $err = (string) stream_get_contents($pipes[2]);
        proc_close($proc);
        [$loaded, $message] = explode("\n", $out, 2) + [1 => ''];

        return [$loaded, $message, $err.$out];
    }
}
