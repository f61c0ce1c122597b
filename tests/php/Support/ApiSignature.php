<?php

declare(strict_types=1);

namespace O365\Tests\Support;

/**
 * The PHP-visible API of a set of classes and functions as plain data, so that the
 * extension and its IDE stubs (loaded in a PHP without the extension) can be compared.
 * Also run as a script: `php ApiSignature.php STUBS_FILE` prints the stubs' signature.
 */
final class ApiSignature
{
    /** @param callable(\ReflectionClass|\ReflectionFunction): bool $belongs */
    public static function of(callable $belongs): array
    {
        $api = ['classes' => [], 'functions' => []];
        foreach (get_declared_classes() as $name) {
            $class = new \ReflectionClass($name);
            if (!$belongs($class)) {
                continue;
            }
            $methods = [];
            foreach ($class->getMethods() as $m) {
                if ($m->getDeclaringClass()->getName() === $class->getName()) {
                    $methods[$m->getName()] = self::callable($m) + ['static' => $m->isStatic(), 'public' => $m->isPublic()];
                }
            }
            ksort($methods);
            $api['classes'][$class->getName()] = [
                'final' => $class->isFinal(),
                'abstract' => $class->isAbstract(),
                'parent' => $class->getParentClass() ? $class->getParentClass()->getName() : null,
                'methods' => $methods,
            ];
        }
        foreach (array_merge(...array_values(get_defined_functions())) as $name) {
            $f = new \ReflectionFunction($name);
            if ($belongs($f)) {
                $api['functions'][$f->getName()] = self::callable($f);
            }
        }
        ksort($api['classes']);
        ksort($api['functions']);

        return $api;
    }

    private static function callable(\ReflectionFunctionAbstract $f): array
    {
        $params = [];
        foreach ($f->getParameters() as $p) {
            $params[] = [
                'name' => $p->getName(),
                'type' => (string) $p->getType(),
                'optional' => $p->isOptional(),
                'nullable' => $p->allowsNull(),
                'variadic' => $p->isVariadic(),
                'by_ref' => $p->isPassedByReference(),
                'sensitive' => $p->getAttributes(\SensitiveParameter::class) !== [],
            ];
        }

        return ['params' => $params, 'return' => (string) $f->getReturnType()];
    }
}

if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    if (extension_loaded('o365')) {
        fwrite(STDERR, "run this without the o365 extension\n");
        exit(2);
    }
    $stubs = realpath($argv[1]);
    require $stubs;
    echo json_encode(ApiSignature::of(static fn ($r) => $r->getFileName() === $stubs), JSON_THROW_ON_ERROR);
}
