<?php

declare(strict_types=1);

namespace O365\Tests\Package;

use PHPUnit\Framework\TestCase;

/** The Composer package: valid, requires the extension but not Laravel, auto-discovered, every file lints and loads. */
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

    public function testManifestRequiresSymfonyMailerButNotLaravel(): void
    {
        $json = json_decode((string) file_get_contents(self::ROOT.'/composer.json'), true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame('*', $json['require']['ext-o365']);
        foreach (['php', 'symfony/mailer', 'symfony/mime', 'psr/log'] as $package) {
            $this->assertArrayHasKey($package, $json['require']);
        }
        $this->assertSame([], preg_grep('#^(illuminate|laravel)/#', array_keys($json['require'])), 'a Symfony-only install gets no Laravel');
        $this->assertArrayHasKey('illuminate/mail', $json['suggest']);
        $this->assertArrayHasKey('illuminate/mail', $json['require-dev']);
        $this->assertSame([\O365\Laravel\O365ServiceProvider::class], $json['extra']['laravel']['providers']);
        foreach ($json['autoload']['psr-4'] as $dir) {
            $this->assertDirectoryExists(self::ROOT.'/'.$dir);
        }
    }

    public function testPhpConstraintAdmitsPhp82AndLater(): void
    {
        // Composer's own constraint matcher (Debian's composer package ships it).
        if (!is_file('/usr/share/php/Composer/Semver/autoload.php')) {
            \O365\Tests\Support\Skip::because('composer/semver is not installed at /usr/share/php/Composer/Semver (apt-get install composer)');
        }
        require_once '/usr/share/php/Composer/Semver/autoload.php';
        $constraint = json_decode((string) file_get_contents(self::ROOT.'/composer.json'), true, 512, JSON_THROW_ON_ERROR)['require']['php'];
        foreach (['8.2.0', '8.3.14', '8.4.27', '8.5.7'] as $php) {
            $this->assertTrue(\Composer\Semver\Semver::satisfies($php, $constraint), "PHP $php satisfies $constraint");
        }
        $this->assertFalse(\Composer\Semver\Semver::satisfies('8.1.31', $constraint), 'PHP 8.1 is refused');
        $pie = json_decode((string) file_get_contents(self::ROOT.'/pie/composer.json'), true, 512, JSON_THROW_ON_ERROR);
        $this->assertTrue(\Composer\Semver\Semver::satisfies('8.3.14', $pie['require']['php']), 'PIE may build the extension for PHP 8.3');
        $this->assertFalse($pie['php-ext']['support-zts'], 'ZTS stays unsupported (README, section 1)');
    }

    public function testSymfonyPartNamesNoLaravelClass(): void
    {
        foreach ([...glob(self::ROOT.'/php/src/Symfony/*.php'), ...glob(self::ROOT.'/php/src/*.php')] as $file) {
            $this->assertDoesNotMatchRegularExpression('/\bIlluminate\\\\/', (string) file_get_contents($file), "$file must work without Laravel");
        }
    }

    public function testEveryPackageFileLintsAndEveryClassLoads(): void
    {
        $src = (string) realpath(self::ROOT.'/php/src');
        $files = iterator_to_array(new \RegexIterator(new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator(self::ROOT.'/php')), '/\.php$/'));
        $classes = [];
        foreach ($files as $file) {
            $path = (string) realpath((string) $file);
            exec(sprintf('%s -l %s 2>&1', escapeshellarg(PHP_BINARY), escapeshellarg($path)), $out, $code);
            $this->assertSame(0, $code, implode("\n", $out));
            if (str_starts_with($path, $src.'/')) {
                $class = 'O365\\'.str_replace(['/', '.php'], ['\\', ''], substr($path, strlen($src) + 1));
                $this->assertTrue(class_exists($class) || trait_exists($class) || interface_exists($class), "$class autoloads from $path");
                $classes[] = $class;
            }
        }
        // Every file under php/src was checked: as many classes as `find` sees files there.
        exec('find '.escapeshellarg($src).' -name "*.php" -type f', $found);
        $this->assertCount(count($found), $classes);
        $this->assertContains(\O365\Laravel\O365ServiceProvider::class, $classes);
        $this->assertContains(\O365\Symfony\O365Transport::class, $classes);
        $this->assertContains('O365\Symfony\ExtensionMissing', $classes, 'the deprecated alias still loads');
    }
}
