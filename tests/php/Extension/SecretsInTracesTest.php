<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/**
 * The config array (with the client secret) never shows in a PHP trace, whatever
 * zend.exception_ignore_args says: the config parameters of O365\Mailer::__construct
 * and o365_send_mime are #[\SensitiveParameter] (crates/ext/src/sensitive.rs).
 */
final class SecretsInTracesTest extends TestCase
{
    private const SECRET = 'leak-canary-4b1d9e7f-secret';

    /** @return array<string, array{string}> */
    public static function ignoreArgs(): array
    {
        return ['zend.exception_ignore_args=0' => ['0'], 'zend.exception_ignore_args=1' => ['1']];
    }

    /** @dataProvider ignoreArgs */
    public function testNoTraceHoldsTheSecret(string $ignoreArgs): void
    {
        $emulator = new Emulator(['--client-secret', self::SECRET]);
        $run = ChildPhp::run('secret-traces.php', [$emulator->baseUrl, self::SECRET], ['zend.exception_ignore_args' => $ignoreArgs]);
        $this->assertSame(0, $run['code'], $run['err'].$run['out']);
        $this->assertStringNotContainsString(self::SECRET, $run['out'].$run['err']);
        $cases = json_decode($run['out'], true, 512, JSON_THROW_ON_ERROR);

        $expected = [
            'o365_send_mime: TypeError' => \TypeError::class,
            'o365_send_mime: ArgumentCountError' => \ArgumentCountError::class,
            'o365_send_mime: bad mailbox type' => \TypeError::class,
            'new O365\Mailer: ArgumentCountError' => \ArgumentCountError::class,
            'new O365\Mailer: ConfigurationException' => \O365\ConfigurationException::class,
            'progress callback exception' => \RuntimeException::class,
        ];
        $this->assertSame(array_keys($expected), array_keys($cases));
        foreach ($expected as $name => $class) {
            $case = $cases[$name];
            $this->assertSame($class, $case['class'], $name);
            foreach (['string', 'trace', 'print_r', 'backtrace'] as $view) {
                $this->assertStringNotContainsString(self::SECRET, $case[$view], "$name: $view");
                $this->assertStringNotContainsString("'client_secret' =>", $case[$view], "$name: $view");
                $this->assertStringNotContainsString('[client_secret] =>', $case[$view], "$name: $view");
            }
            if ($class === \O365\ConfigurationException::class) {
                // The extension's own exceptions never carry arguments.
                $this->assertSame('no args', $case['config_arg'], $name);
            } elseif ($ignoreArgs === '0') {
                $this->assertSame(\SensitiveParameterValue::class, $case['config_arg'], $name);
            } else {
                $this->assertSame('no args', $case['config_arg'], $name);
            }
        }
        // debug_backtrace() inside the callback is not subject to exception_ignore_args.
        $this->assertSame(\SensitiveParameterValue::class, $cases['progress callback exception']['backtrace_config_arg']);
        $this->assertStringContainsString('SensitiveParameterValue', $cases['progress callback exception']['backtrace']);
    }

    public function testAFatalErrorInTheCallbackPrintsNoSecret(): void
    {
        $emulator = new Emulator(['--client-secret', self::SECRET]);
        $run = ChildPhp::run('fatal-in-callback-trace.php', [$emulator->baseUrl, self::SECRET], ['zend.exception_ignore_args' => '0']);
        $this->assertSame(255, $run['code'], $run['err'].$run['out']);
        $this->assertStringContainsString('fatal in the progress callback', $run['err']);
        $this->assertStringContainsString('o365_send_mime(Object(SensitiveParameterValue)', $run['out'], 'debug_print_backtrace()');
        $this->assertStringNotContainsString(self::SECRET, $run['out'].$run['err']);
    }

    public function testTheConfigParametersAreMarkedSensitive(): void
    {
        $constructor = (new \ReflectionMethod(\O365\Mailer::class, '__construct'))->getParameters()[0];
        $function = (new \ReflectionFunction('o365_send_mime'))->getParameters()[0];
        foreach ([$constructor, $function] as $p) {
            $this->assertSame('config', $p->getName());
            $this->assertCount(1, $p->getAttributes(\SensitiveParameter::class), $p->getDeclaringFunction()->getName());
        }
    }
}
