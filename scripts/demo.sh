#!/usr/bin/env bash
# The main job: builds everything, starts the Graph emulator on a free port, sends a
# Laravel Mailable through the `o365` driver (the real extension in real PHP), prints
# what the emulator received, and stops the emulator.
# Try a misconfiguration: O365_CLIENT_SECRET=wrong scripts/demo.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
scripts/setup.sh laravel10
say "building the extension and the emulator (release)"
cargo build --release --locked -p o365 -p o365-emulator
composer dump-autoload --dev -q
start_emulator target/release/o365-emulator
say "emulator listening at $EMULATOR_URL"
status=0
php -d extension="$ROOT/target/release/libo365.so" scripts/demo.php "$EMULATOR_URL" || status=$?
say "stopping the emulator"
exit $status
