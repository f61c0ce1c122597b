<?php

declare(strict_types=1);

namespace O365\Tests\Package;

use O365\Symfony\Transport;
use PHPUnit\Framework\TestCase;

/** Secrets and config arrays never show in a stack trace's arguments (`#[\SensitiveParameter]`). */
final class SensitiveParameterTest extends TestCase
{
    /** Parameter names that hold a secret, a DSN (which holds one) or a config array. */
    private const SENSITIVE = '/^(config|mailerConfig|defaults|settings|dsns?|secret|password|clientSecret|redis)$/';

    public function testEverySecretOrConfigParameterOfThePackageIsMarked(): void
    {
        $checked = [];
        foreach ((new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator(dirname(__DIR__, 3).'/php/src', \FilesystemIterator::SKIP_DOTS))) as $file) {
            $class = 'O365\\'.str_replace(['/', '.php'], ['\\', ''], substr((string) $file, strlen(dirname(__DIR__, 3).'/php/src/')));
            $reflection = new \ReflectionClass($class);
            foreach ($reflection->getMethods() as $method) {
                if ($method->getDeclaringClass()->getName() !== $reflection->getName()) {
                    continue;
                }
                foreach ($method->getParameters() as $p) {
                    if (preg_match(self::SENSITIVE, $p->getName()) === 1) {
                        $where = "{$reflection->getName()}::{$method->getName()}(\${$p->getName()})";
                        $this->assertNotEmpty($p->getAttributes(\SensitiveParameter::class), "$where must be #[\\SensitiveParameter]");
                        $checked[] = $where;
                    }
                }
            }
        }
        $this->assertContains('O365\Laravel\MailerFactory::mailer($mailerConfig)', $checked);
        $this->assertContains('O365\Laravel\MailerFactory::__construct($defaults)', $checked);
        $this->assertContains('O365\Symfony\O365TransportFactory::create($dsn)', $checked);
        $this->assertContains('O365\Symfony\Transport::fromDsn($dsn)', $checked);
        $this->assertContains('O365\Laravel\RedisUrl::fromConnection($redis)', $checked);
    }

    public function testADsnFaultsTraceDoesNotShowTheSecret(): void
    {
        $ignoreArgs = ini_set('zend.exception_ignore_args', '0');
        try {
            Transport::fromDsn('o365://client:TOP-SECRET-VALUE@tenant:443');
            $this->fail('expected an InvalidArgumentException for the port');
        } catch (\InvalidArgumentException $e) {
            // Symfony's own frames (fromDsnObject) show its Dsn object; the package's must not.
            $ours = array_filter($e->getTrace(), static fn (array $f) => str_starts_with($f['class'] ?? '', 'O365\\Symfony\\'));
            $this->assertSame(['create', 'fromDsn'], array_values(array_column($ours, 'function')));
            $args = print_r(array_column($ours, 'args'), true);
            $this->assertStringContainsString('SensitiveParameterValue', $args, 'the arguments were recorded, and redacted');
            $this->assertStringNotContainsString('TOP-SECRET-VALUE', $args);
        } finally {
            ini_set('zend.exception_ignore_args', (string) $ignoreArgs);
        }
    }
}
