#!/usr/bin/env bash
# Builds the extension once per PHP version (a .so is bound to one PHP API: 8.4's is
# refused by 8.5) and the emulator:
#   target/<profile>/php8.X/o365.so    the extension for PHP 8.X
#   target/debug/libo365.so            cargo's own output, left as the host PHP's build
#   target/debug/o365-emulator         (debug builds only: the tests' emulator)
# The host's PHP (8.2 on Debian 12) builds on the host; 8.4 and 8.5 build in the forky
# root (scripts/root.sh) with the same checkout, target dir and toolchain mounted at the
# same paths, so every crate compiled on the host is reused there: only ext-php-rs
# (bindings to that PHP's headers, chosen by the PHP / PHP_CONFIG variables its build
# script reads) and the extension itself are rebuilt per version.
# Debug builds are test builds: they carry o365-core's test seams (the `test-support`
# feature: the limiter's test-scale environment, docs/sender.md "Test seams"), as
# `cargo test` builds o365-core, so both share its compiled units. Release builds are
# for users and have none, unless --test-support asks (benchmarks at test scale).
# Usage: scripts/build-ext.sh [--release [--test-support]] [8.2] [8.4] [8.5]   (default: the host's PHP)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# Debug builds (make test) build the extension and the emulator in one cargo call, with
# the feature set `cargo test` needs most of; release builds (make dist) build the
# extension alone, as phpize, PIE and `make install` do, so those share compiled crates.
profile=debug; flags=(--features o365-core/test-support); pkgs=(-p o365 -p o365-emulator)
if [ "${1:-}" = --release ]; then profile=release; flags=(--release); pkgs=(-p o365); shift; fi
if [ "${1:-}" = --test-support ]; then flags+=(--features o365-core/test-support); shift; fi
host=$(php-config --version 2>/dev/null | cut -d. -f1,2) \
  || die "php-config not found: install your PHP's development package (on Debian/Ubuntu: php$(php -r 'echo PHP_MAJOR_VERSION.".".PHP_MINOR_VERSION;' 2>/dev/null)-dev)"
versions=("$@"); [ ${#versions[@]} -gt 0 ] || versions=("$host")
out="$ROOT/target/$profile"

# Copies cargo's output to the per-version path and checks that this PHP loads it.
publish() {
  local v="$1"; shift   # remaining args: how to run that PHP
  mkdir -p "$out/php$v"
  cp "$out/libo365.so" "$out/php$v/o365.so.tmp" && mv "$out/php$v/o365.so.tmp" "$out/php$v/o365.so"
  "$@" -n -d extension="$out/php$v/o365.so" -r 'exit(extension_loaded("o365") ? 0 : 1);' \
    || die "PHP $v does not load $out/php$v/o365.so"
  say "PHP $v: target/$profile/php$v/o365.so"
}

# The host build comes first, always: units built in the root link against forky's newer
# glibc, so the host must never pick up a build script or proc macro compiled there.
host_build() {
  cargo build --locked "${flags[@]}" "${pkgs[@]}"
}

say "building the extension for PHP ${versions[*]} ($profile)"
host_build
rebuilt_elsewhere=0
for v in "${versions[@]}"; do
  if [ "$v" = "$host" ]; then
    publish "$v" php
    continue
  fi
  case "$v" in 8.4|8.5) ;; *) die "no build environment for PHP $v (host: $host; forky root: 8.4, 8.5)";; esac
  "$ROOT/scripts/root.sh" ensure "$v"
  # Same package set as the host build, so that feature resolution and every unit's
  # fingerprint match: only the units depending on the PHP variables rebuild.
  "$ROOT/scripts/root.sh" run PHP="/usr/bin/php$v" PHP_CONFIG="/usr/bin/php-config$v" \
    cargo build --locked "${flags[@]}" "${pkgs[@]}"
  publish "$v" "$ROOT/scripts/root.sh" run "php$v"
  rebuilt_elsewhere=1
done
# Leave cargo's own target/debug/libo365.so as the host PHP's build (the tests and the
# PHPUnit commands of docs/development.md use it). Release builds skip this: it would cost another
# LTO link, and release users take target/release/php8.X/o365.so.
if [ $rebuilt_elsewhere = 1 ] && [ "$profile" = debug ]; then host_build; fi
