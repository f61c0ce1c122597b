#!/usr/bin/env bash
# Runs every test: cargo tests (core, emulator), then PHPUnit with the real extension in
# each PHP test bed:
#   PHP 8.2 + Laravel 10 / Symfony Mailer 6.4   on the host (Debian 12)
#   PHP 8.4 + Laravel 13 / Symfony Mailer 7.4   in the Debian forky root
#   PHP 8.5 + Laravel 13 / Symfony Mailer 7.4   in the same root (PHP from Debian experimental)
# Installs what it needs first (scripts/setup.sh). O365_TEST_PHP="8.2 8.4" runs a subset.
# Ends with the runners' own summary lines; fails if any step fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
export O365_CI=${O365_CI:-1}  # PHPUnit tests that would be skipped fail instead (tests/php/Support/Skip.php); O365_CI=0 allows skips
PHPS=(${O365_TEST_PHP:-8.2 8.4 8.5})
# A log folder per run: concurrent runs in one checkout must not delete each other's logs.
mkdir -p "$ROOT/.build"; LOG=$(mktemp -d "$ROOT/.build/test-logs.XXXXXX")
status=0
timings=()

# Runs one step, tees its output to $LOG/<name>.log and records its time; a failing
# step fails the run but the other steps still run. Add steps with `step NAME CMD...`.
step() {
  local name="$1"; shift
  local t0=$SECONDS
  say "$name"
  "$@" 2>&1 | tee "$LOG/$name.log" || status=1
  timings+=("$name $((SECONDS - t0)) s")
}

beds=()
for v in "${PHPS[@]}"; do
  case "$v" in 8.2) beds+=(laravel10);; 8.4|8.5) beds+=("php$v");; *) die "no test bed for PHP $v";; esac
done
t0=$SECONDS
scripts/setup.sh "${beds[@]}"
timings+=("setup $((SECONDS - t0)) s")
t0=$SECONDS
scripts/build-ext.sh "${PHPS[@]}"
timings+=("build $((SECONDS - t0)) s")
composer dump-autoload --dev -q

step cargo-test cargo test --locked --workspace

# PHPUnit 9.6 with one PHP and its own build of the extension.
phpunit_host() {
  O365_TESTBED="$ROOT/.build/laravel10/root" O365_EXTENSION="$ROOT/target/debug/php$1/o365.so" \
    php -d extension="$ROOT/target/debug/php$1/o365.so" /usr/bin/phpunit
}
# In the forky root the bed is the root's own /usr/share/php (Laravel 13 installed by
# apt); PHPUnit 9.6 comes from the host's packages (/opt/phpunit9, see scripts/root.sh).
phpunit_root() {
  scripts/root.sh run O365_CI="$O365_CI" O365_TESTBED=/ O365_EXTENSION="$ROOT/target/debug/php$1/o365.so" \
    "php$1" -d include_path=/opt/phpunit9:.:/usr/share/php -d extension="$ROOT/target/debug/php$1/o365.so" \
    /opt/phpunit9/phpunit
}
for v in "${PHPS[@]}"; do
  if [ "$v" = 8.2 ]; then step "phpunit-php$v" phpunit_host "$v"; else step "phpunit-php$v" phpunit_root "$v"; fi
done

step browser-test scripts/browser-test.sh  # the emulator's web inbox in Chromium (docs/emulator.md)
# `make demo` as a user runs it, in the forky root (PHP 8.4, Laravel 13 from apt) and on the
# host (PHP 8.2, Laravel 10). Debug builds: they reuse every crate of the build above, only
# ext-php-rs and the extension rebuild for the demo's PHP. The host's comes last, so that
# target/debug/libo365.so is the host PHP's build again afterwards.
if [[ " ${PHPS[*]} " = *" 8.4 "* ]]; then
  step demo-forky scripts/root.sh run O365_DEMO_PROFILE=debug scripts/demo.sh
fi
step demo-host env O365_DEMO_PROFILE=debug scripts/demo.sh
echo
say "summary (times: ${timings[*]})"
grep -h '^test result:' "$LOG/cargo-test.log" || echo "cargo test: no summary (build failed?)"
for v in "${PHPS[@]}"; do
  f="$LOG/phpunit-php$v.log"
  printf 'phpunit PHP %s: ' "$v"; grep -E '^(OK|Tests:|FAILURES|ERRORS)' "$f" | tail -1 || echo "no summary"
done
grep -h '^browser test:' "$LOG/browser-test.log" || echo "browser test: no summary (see $LOG/browser-test.log)"
for d in demo-forky demo-host; do
  [ -f "$LOG/$d.log" ] || continue
  printf '%s: ' "$d"; grep -h '^Graph accepted it' "$LOG/$d.log" || echo "FAILED (see $LOG/$d.log)"
done
exit $status
