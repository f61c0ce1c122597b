<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

/** The o365:* commands' way to fail: one line saying what failed, one saying the fix; never Laravel's exception box. */
trait ReportsFailures
{
    /** Exit 1: `$step` failed; the message and, when the exception knows it, the fix. */
    private function failWith(string $step, \Throwable $e): int
    {
        if ($e instanceof \O365\ExtensionMissingException) {
            $step = 'Loading the o365 extension';
        }
        $this->error("$step failed: ".$e->getMessage());
        if ($e instanceof \O365\Exception && $e->getHint() !== null && !str_contains($e->getMessage(), $e->getHint())) {
            $this->line('Fix: '.$e->getHint());
        }

        return self::FAILURE;
    }

    /** `--mailer` names no o365 mailer: an invalid argument (exit 2); no o365 mailer at all: exit 1. */
    private function invalidMailer(\InvalidArgumentException $e): int
    {
        $this->error($e->getMessage());

        return $this->option('mailer') !== null && $this->option('mailer') !== '' ? self::INVALID : self::FAILURE;
    }
}
