<?php

// PHPUnit bootstrap: the Laravel test bed and the autoloaders, then a check that the
// extension under test is loaded.

declare(strict_types=1);

require __DIR__.'/bootstrap-testbed.php';

if (!extension_loaded('o365')) {
    fwrite(STDERR, "the o365 extension is not loaded: run PHPUnit with -d extension=target/debug/libo365.so\n");
    exit(2);
}
