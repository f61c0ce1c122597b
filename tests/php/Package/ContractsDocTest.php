<?php

declare(strict_types=1);

namespace O365\Tests\Package;

use PHPUnit\Framework\TestCase;

/** docs/contracts.md names what the loaded extension has: every config key, class, Mailer method and function. */
final class ContractsDocTest extends TestCase
{
    private const DOC = __DIR__.'/../../../docs/contracts.md';

    public function testEveryConfigKeyOfTheExtensionHasARowInTheKeyTable(): void
    {
        try {
            new \O365\Mailer(['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => 's', 'no_such_key' => 1]);
            $this->fail('an unknown key was accepted');
        } catch (\O365\ConfigurationException $e) {
            $this->assertSame(1, preg_match('/known keys: ([a-z_, ]+)/', $e->getMessage(), $m), $e->getMessage());
        }
        $known = explode(', ', $m[1]);
        $this->assertContains('redis_url', $known);
        $doc = (string) file_get_contents(self::DOC);
        preg_match_all('/^\| `([a-z_]+)` \|/m', $doc, $rows);
        $this->assertSame([], array_values(array_diff($known, $rows[1])), 'keys the extension takes but docs/contracts.md does not list');
        $this->assertSame([], array_values(array_diff($rows[1], $known, ['mailbox', 'request_id', 'client_request_id', 'route', 'already_sent', 'warnings'])), 'rows of docs/contracts.md that are no key of the extension');
    }

    public function testEveryExceptionClassAndFunctionOfTheExtensionIsDocumented(): void
    {
        $doc = (string) file_get_contents(self::DOC);
        $classes = array_filter(get_declared_classes(), static fn (string $c): bool => str_starts_with($c, 'O365\\')
            && (new \ReflectionClass($c))->getExtensionName() === 'o365');
        $this->assertContains('O365\\Mailer', $classes);
        foreach ([...$classes, ...get_extension_funcs('o365')] as $name) {
            $named = preg_match('/(?<![\\\\\w])'.preg_quote($name, '/').'(?!\w)/', $doc) === 1;
            $this->assertTrue($named, "docs/contracts.md does not name $name");
        }
        foreach (get_class_methods(\O365\Mailer::class) as $method) {
            $this->assertStringContainsString("$method(", $doc, "docs/contracts.md does not describe O365\\Mailer::$method()");
        }
    }
}
