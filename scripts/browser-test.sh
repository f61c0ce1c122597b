#!/usr/bin/env bash
# The emulator's web inbox in a real browser: Debian's Chromium driven by playwright-core
# (tests/browser/inbox.test.mjs), mail sent through the real extension in PHP.
# Installs what it needs when missing (idempotent): apt `chromium`, tests/browser's npm
# packages (npm ci from the committed lock file); builds the extension and the emulator.
# Screenshots go to .build/browser; SCREENSHOTS=docs/images refreshes the committed ones.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
t0=$(date +%s)

if [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium (headless browser for the inbox test)"
  $SUDO apt-get update -qq || die "apt-get update failed (is the Debian mirror reachable?)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || die "apt-get install chromium failed"
fi
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (Node.js 20 or newer)"
want=$(node -p "require('./tests/browser/package-lock.json').packages['node_modules/playwright-core'].version")
have=$(node -p "try { require('./tests/browser/node_modules/playwright-core/package.json').version } catch { '' }")
if [ "$want" != "$have" ]; then
  say "npm ci in tests/browser (playwright-core $want; it downloads no browser)"
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefer-offline --no-audit --no-fund --loglevel=error) \
    || die "npm ci in tests/browser failed (is the npm registry reachable?)"
fi
# The debug build of scripts/build-ext.sh (with the test seams), so nothing rebuilds.
cargo build --locked -q -p o365 -p o365-emulator --features o365-core/test-support

say "browser test: inbox, message view, downloads, search, delete, Requests (setup took $(( $(date +%s) - t0 )) s)"
EMULATOR="$ROOT/target/debug/o365-emulator" EXTENSION="$ROOT/target/debug/libo365.so" CHROMIUM=/usr/bin/chromium \
  SCREENSHOTS="${SCREENSHOTS:-$ROOT/.build/browser}" timeout 300 node tests/browser/inbox.test.mjs
