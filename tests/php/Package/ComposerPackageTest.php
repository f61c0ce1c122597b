<?php

declare(strict_types=1);

namespace O365\Tests\Package;

use PHPUnit\Framework\TestCase;

/** The Composer package: valid, requires the extension, auto-discovered, every file lints and loads. */
final class ComposerPackageTest extends TestCase
{
    private const ROOT = __DIR__.'/../../..';

    public function testComposerValidateStrict(): void
    {
        $cmd = 'cd '.escapeshellarg(self::ROOT).' && COMPOSER_ALLOW_SUPERUSER=1 composer validate --strict --no-interaction 2>&1';
        exec($cmd, $out, $code);
        $this->assertSame(0, $code, implode("\n", $out));
        $this->assertStringContainsString('composer.json is valid', implode("\n", $out));
    }

    public function testManifest(): void
    {
        $json = json_decode((string) file_get_contents(self::ROOT.'/composer.json'), true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame('*', $json['require']['ext-o365']);
        foreach (['php', 'symfony/mailer', 'illuminate/mail', 'illuminate/support'] as $package) {
            $this->assertArrayHasKey($package, $json['require']);
        }
        $this->assertSame([\O365\Laravel\O365ServiceProvider::class], $json['extra']['laravel']['providers']);
        foreach ($json['autoload']['psr-4'] as $dir) {
            $this->assertDirectoryExists(self::ROOT.'/'.$dir);
        }
    }

    public function testEveryPackageFileLintsAndEveryClassLoads(): void
    {
        $files = new \RegexIterator(new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator(self::ROOT.'/php')), '/\.php$/');
        $count = 0;
        foreach ($files as $file) {
            exec(sprintf('%s -l %s 2>&1', escapeshellarg(PHP_BINARY), escapeshellarg((string) $file)), $out, $code);
            $this->assertSame(0, $code, implode("\n", $out));
            $relative = substr((string) $file, strlen(realpath(self::ROOT.'/php/src') ?: '') + 1);
            if (str_starts_with((string) $file, realpath(self::ROOT.'/php/src') ?: "\0")) {
                $class = 'O365\\'.str_replace(['/', '.php'], ['\\', ''], $relative);
                $this->assertTrue(class_exists($class), "$class autoloads from $file");
            }
            ++$count;
        }
        $this->assertGreaterThan(8, $count);
    }
}
