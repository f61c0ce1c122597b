#!/usr/bin/env bash
# Installs the o365 extension into one PHP: builds a release for that PHP (or takes a
# prebuilt o365.so, e.g. from a `make dist` archive), copies it into the PHP's
# extension_dir, writes an o365.ini where that PHP reads its ini files (Debian/Ubuntu:
# mods-available + phpenmod, so the CLI and PHP-FPM both load it; elsewhere: the scan
# directory `php --ini` names) and prints `php --ri o365`.
#   scripts/install.sh                      the PHP of the php-config in PATH (`make install`)
#   PHP_CONFIG=/usr/bin/php-config8.4 scripts/install.sh
#   scripts/install.sh path/to/o365.so      install a prebuilt build (it must match this PHP)
#   scripts/install.sh php_o365-...zip      the same, straight from a `make dist` / release archive
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
prebuilt="${1:-}"

php_config="${PHP_CONFIG:-$(command -v php-config || true)}"
if [ -n "$php_config" ] && "$php_config" --version >/dev/null 2>&1; then
  php_config=$(command -v "$php_config")
  php=$("$php_config" --php-binary)
  [ -x "$php" ] || die "$php_config names PHP binary '$php', which does not exist: install that PHP's CLI"
elif [ -n "$prebuilt" ] && command -v "${PHP:-php}" >/dev/null; then
  # A prebuilt build needs no development files: the PHP in PATH (or PHP=...) takes it.
  php_config=""; php=$(command -v "${PHP:-php}")
else
  ver=$(php -r 'echo PHP_MAJOR_VERSION.".".PHP_MINOR_VERSION;' 2>/dev/null || echo "8.x")
  die "php-config not found: install the development files of your PHP (Debian/Ubuntu: apt-get install php$ver-dev; Fedora/RHEL: dnf install php-devel; Alpine: apk add php${ver/./}-dev), or point PHP_CONFIG at its php-config"
fi
ver=$("$php" -r 'echo PHP_MAJOR_VERSION.".".PHP_MINOR_VERSION;')
say "PHP $ver ($php)"

if [ -z "$prebuilt" ]; then
  command -v cargo >/dev/null || die "cargo not found: o365 is written in Rust; $(cargo_hint), then run again"
  if [ -z "${LIBCLANG_PATH:-}" ] && ! ldconfig -p 2>/dev/null | grep -q 'libclang[-.0-9]*\.so'; then
    die "libclang not found (ext-php-rs generates its PHP bindings with bindgen): install clang and libclang-dev (Debian/Ubuntu), clang-devel (Fedora/RHEL), or set LIBCLANG_PATH"
  fi
  say "building a release of the extension for PHP $ver"
  PHP="$php" PHP_CONFIG="$php_config" cargo build --release --locked -p o365
  mkdir -p "target/release/php$ver"
  cp target/release/libo365.so "target/release/php$ver/o365.so"
  prebuilt="target/release/php$ver/o365.so"
fi
[ -f "$prebuilt" ] || die "no such file: $prebuilt"
if [[ "$prebuilt" == *.zip ]]; then
  command -v unzip >/dev/null || die "unzip not found: install it (apt-get install unzip) or unzip $prebuilt yourself and pass its o365.so"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  unzip -q -o "$prebuilt" o365.so -d "$tmp" || die "$prebuilt holds no o365.so: is it a php_o365-<version>_php<8.x>-...zip release archive?"
  prebuilt="$tmp/o365.so"
fi
# Refuse a build for another PHP before installing it (PHP would refuse it at startup).
"$php" -n -d extension="$(realpath "$prebuilt")" -r 'exit(extension_loaded("o365") ? 0 : 1);' \
  || die "PHP $ver does not load $prebuilt (see PHP's message above): it was built for another PHP version; build it for this one (scripts/install.sh without an argument)"

ext_dir=$("$php" -r 'echo ini_get("extension_dir");')
[ -n "$ext_dir" ] || [ -z "$php_config" ] || ext_dir=$("$php_config" --extension-dir)
[ -n "$ext_dir" ] || die "PHP $ver names no extension_dir: set extension_dir in its php.ini"
$SUDO mkdir -p "$ext_dir"
$SUDO install -m 0644 "$prebuilt" "$ext_dir/o365.so"
say "installed $ext_dir/o365.so"

ini_line="extension=o365.so"
mods="/etc/php/$ver/mods-available"
if [ -d "$mods" ] && command -v phpenmod >/dev/null; then
  printf '; o365: Microsoft 365 mail through Microsoft Graph (https://github.com/o365-sendmail/o365-sendmail)\n; priority=20\n%s\n' "$ini_line" \
    | $SUDO tee "$mods/o365.ini" >/dev/null
  $SUDO phpenmod -v "$ver" o365
  say "enabled with phpenmod -v $ver o365 ($mods/o365.ini) for every SAPI of PHP $ver"
else
  scan=$("$php" -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')
  if [ -n "$scan" ]; then
    $SUDO mkdir -p "$scan"
    printf '%s\n' "$ini_line" | $SUDO tee "$scan/20-o365.ini" >/dev/null
    say "enabled in $scan/20-o365.ini"
  else
    say "this PHP scans no ini directory: add the line '$ini_line' to $("$php" -r 'echo php_ini_loaded_file() ?: "your php.ini";')"
  fi
fi
if "$php" -m 2>/dev/null | grep -x o365 >/dev/null; then
  "$php" --ri o365
  say "done; restart PHP-FPM (e.g. systemctl restart php$ver-fpm) so that its workers load it"
else
  die "PHP $ver does not list o365 after the install: check 'php --ini' and the line '$ini_line'"
fi
