<?php

declare(strict_types=1);

namespace O365\Symfony;

// Deprecated name of \O365\ExtensionMissingException (the class left the Symfony
// namespace: Laravel raises it too). Loading the new class defines this name as an alias.
class_exists(\O365\ExtensionMissingException::class);

if (false) {
    /** @deprecated since 1.1, use \O365\ExtensionMissingException */
    final class ExtensionMissing extends \RuntimeException
    {
    }
}
