#!/usr/bin/env bash
# Runs every test: cargo tests (core, emulator), then PHPUnit in the Laravel test beds
# with the real extension loaded. Installs what it needs first (scripts/setup.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
export O365_CI=${O365_CI:-1}  # PHPUnit tests that would be skipped fail instead (tests/php/Support/Skip.php); O365_CI=0 allows skips
# A log folder per run: concurrent runs in one checkout must not delete each other's logs.
mkdir -p "$ROOT/.build"; LOG=$(mktemp -d "$ROOT/.build/test-logs.XXXXXX")
scripts/setup.sh
say "building the extension and the emulator (debug)"
cargo build --locked -p o365 -p o365-emulator
composer dump-autoload --dev -q
status=0
say "cargo test"
cargo test --locked --workspace 2>&1 | tee "$LOG/cargo.log" || status=1
for bed in laravel10 laravel13; do
  say "PHPUnit in the $bed test bed"
  O365_TESTBED="$ROOT/.build/$bed/root" php -d extension="$ROOT/target/debug/libo365.so" /usr/bin/phpunit \
    2>&1 | tee "$LOG/phpunit-$bed.log" || status=1
done
echo
say "summary"
grep -h '^test result:' "$LOG/cargo.log" || echo "cargo test: no summary (build failed?)"
for f in "$LOG"/phpunit-*.log; do
  printf '%s: ' "$(basename "$f" .log)"; grep -E '^(OK|Tests:|FAILURES|ERRORS)' "$f" | tail -1 || echo "no summary"
done
exit $status
