#!/usr/bin/env bash
# The main job: builds everything, starts the Graph emulator on a free port, sends a
# Laravel Mailable through the `o365` driver (the real extension in real PHP), prints
# what the emulator received, and stops the emulator.
# Runs on Debian 12 (PHP 8.2, Laravel 10 extracted into .build/) and on Debian 13 / forky
# (PHP 8.4 and Debian's own Laravel 10 / 13); elsewhere it says what to run instead.
# Try a misconfiguration: O365_CLIENT_SECRET=wrong scripts/demo.sh
# O365_DEMO_PROFILE=debug builds a debug build instead (make test's demo steps: it shares
# the compiled crates of the test build instead of compiling a release).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
detect_platform
V=$PLATFORM_PHP
scripts/setup.sh demo
profile=${O365_DEMO_PROFILE:-release}; flags=(); [ "$profile" = release ] && flags=(--release)
say "$PLATFORM, PHP $V: building the extension and the emulator ($profile)"
# ext-php-rs builds for the PHP and php-config it is given (else those in PATH: in a root
# with PHP 8.5 from experimental, `php` is 8.5).
phpenv=(); [ "$(php-config --version 2>/dev/null | cut -d. -f1,2)" = "$V" ] || phpenv=(PHP="/usr/bin/php$V" PHP_CONFIG="/usr/bin/php-config$V")
env "${phpenv[@]}" cargo build --locked "${flags[@]}" -p o365 -p o365-emulator
# cargo's libo365.so is for the PHP just built against; keep it under that PHP's name.
mkdir -p "target/$profile/php$V"
cp "target/$profile/libo365.so" "target/$profile/php$V/o365.so"
composer dump-autoload --dev -q
start_emulator "target/$profile/o365-emulator"
say "emulator listening at $EMULATOR_URL"
# The Laravel the tests' bootstrap loads: the extracted bed on Debian 12, the system's elsewhere.
bed="$ROOT/.build/laravel10/root"; [ "$V" = 8.2 ] || bed=/
status=0
O365_TESTBED="$bed" "php$V" -d extension="$ROOT/target/$profile/php$V/o365.so" scripts/demo.php "$EMULATOR_URL" || status=$?
say "stopping the emulator"
exit $status
