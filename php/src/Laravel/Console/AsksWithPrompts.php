<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

/**
 * Questions through Laravel Prompts (Laravel 10.17+ ships it), else through the Console's
 * own ask/secret/choice/confirm, asked until the answer is valid.
 */
trait AsksWithPrompts
{
    /** Laravel Prompts (Laravel 10.17+), else the Console's own question, asked until valid. */
    private function promptText(string $label, string $default, callable $problem, string $hint, bool $required = true): string
    {
        $problem = static fn (string $v) => $v === '' ? ($required ? 'Required.' : null) : $problem($v);
        if (function_exists('Laravel\Prompts\text')) {
            return \Laravel\Prompts\text(label: $label, default: $default, validate: $problem, hint: $hint);
        }
        do {
            $value = trim((string) $this->ask("$label ($hint)", $default !== '' ? $default : null));
        } while (($why = $problem($value)) !== null && $this->error($why) === null);

        return $value;
    }

    private function promptSecret(string $label, callable $problem, string $hint): string
    {
        if (function_exists('Laravel\Prompts\password')) {
            return \Laravel\Prompts\password(label: $label, validate: $problem, hint: $hint);
        }
        do {
            $value = trim((string) $this->secret("$label ($hint)"));
        } while (($why = $problem($value)) !== null && $this->error($why) === null);

        return $value;
    }

    private function promptSelect(string $label, array $options, string $default): string
    {
        if (function_exists('Laravel\Prompts\select')) {
            return (string) \Laravel\Prompts\select(label: $label, options: $options, default: $default);
        }

        return (string) $this->choice($label, array_keys($options), $default);
    }

    private function promptConfirm(string $label): bool
    {
        return function_exists('Laravel\Prompts\confirm') ? \Laravel\Prompts\confirm(label: $label, default: true) : $this->confirm($label, true);
    }
}
