#!/usr/bin/env bash
# Release archives of the extension, one per PHP of the test beds, named the way PIE
# (the PHP Foundation's installer) looks for pre-packaged binaries on a release:
#   dist/php_o365-<version>_php<8.x>-<arch>-linux-glibc-nts.zip   (o365.so at its root)
#   dist/o365-emulator-<version>-<arch>-linux-gnu.tar.gz      the emulator, a ready binary
#   dist/SHA256SUMS
# Each archive is then checked: the emulator runs on the host and in the Debian forky
# root; each o365.so loads in its PHP and sends a mail to that emulator, and a PHP of
# another version refuses it with PHP's module API message.
# Usage: scripts/dist.sh [8.2] [8.4] [8.5]   (default: all three)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PHPS=("$@"); [ ${#PHPS[@]} -gt 0 ] || PHPS=(8.2 8.4 8.5)
version=$(awk -F'"' '/^version *=/ {print $2; exit}' Cargo.toml)
arch=$(uname -m)
[ "$arch" = x86_64 ] || [ "$arch" = aarch64 ] || die "unsupported architecture $arch"
emulator="o365-emulator-${version}-${arch}-linux-gnu"   # Rust's target triple naming
[ "$arch" = aarch64 ] && arch=arm64   # PIE's name for it
DIST="$ROOT/dist"

beds=()
for v in "${PHPS[@]}"; do case "$v" in 8.2) beds+=(laravel10);; *) beds+=("php$v");; esac; done
scripts/setup.sh "${beds[@]}"
# The emulator first, on the host (Debian 12's glibc 2.36, so it runs on that and every newer
# glibc), before the forky root builds anything the host could pick up.
cargo build --release --locked -p o365-emulator
scripts/build-ext.sh --release "${PHPS[@]}"

# How to run PHP $1: the host's for 8.2, the forky root's otherwise.
php_of() { if [ "$1" = 8.2 ]; then echo php8.2; else echo "$ROOT/scripts/root.sh run php$1"; fi; }

rm -rf "$DIST"; mkdir -p "$DIST"
names=()
for v in "${PHPS[@]}"; do
  # Thread safety and debug mode of that PHP are part of PIE's name; the beds are NTS.
  read -r zts debug < <($(php_of "$v") -n -r 'echo (int) PHP_ZTS, " ", (int) PHP_DEBUG, "\n";')
  [ "$debug" = 0 ] || die "PHP $v is a debug build: PIE names such archives -debug; not produced here"
  ts=nts; [ "$zts" = 1 ] && ts=zts
  name="php_o365-${version}_php${v}-${arch}-linux-glibc-${ts}.zip"
  stage=$(mktemp -d); cp "target/release/php$v/o365.so" "$stage/o365.so"
  cp LICENSE* "$stage/" 2>/dev/null || true
  (cd "$stage" && zip -q -X "$DIST/$name" ./*)
  rm -rf "$stage"
  names+=("$name")
done
# The emulator: the binary in a directory of the archive's name (as Rust tools ship).
stage=$(mktemp -d); mkdir "$stage/$emulator"
cp target/release/o365-emulator "$stage/$emulator/"
cp LICENSE* "$stage/$emulator/" 2>/dev/null || true
tar -C "$stage" --owner=0 --group=0 -czf "$DIST/$emulator.tar.gz" "$emulator"
rm -rf "$stage"
names+=("$emulator.tar.gz")
(cd "$DIST" && sha256sum "${names[@]}" > SHA256SUMS)
say "archives in dist/:"; (cd "$DIST" && ls -l "${names[@]}" SHA256SUMS | awk '{print "  " $5 "  " $9}')

# Checks, on the archives themselves (unzipped under .build/dist-check).
say "checking each archive in its PHP"
(cd "$DIST" && sha256sum --quiet -c SHA256SUMS) || die "SHA256SUMS does not match the archives"
CHECK="$ROOT/.build/dist-check"; rm -rf "$CHECK"; mkdir -p "$CHECK"
# The archived emulator: on the host it is the other end of the extensions' checks; in the
# forky root (a newer Debian) it must start and answer too.
tar -C "$CHECK" -xzf "$DIST/$emulator.tar.gz"
bin="$CHECK/$emulator/o365-emulator"
start_emulator "$bin"
say "  the emulator runs on the host: $("$bin" --version 2>/dev/null || echo "$emulator"), $EMULATOR_URL"
if [[ " ${PHPS[*]} " = *" 8.4 "* ]]; then
  scripts/root.sh run bash -c '"$1" --listen 127.0.0.1:0 > "$2/root-emulator.out" 2>&1 & pid=$!
    for _ in $(seq 1 100); do url=$(head -n1 "$2/root-emulator.out" 2>/dev/null); [ -n "$url" ] && break; sleep 0.1; done
    php8.4 -r "exit(json_decode((string) @file_get_contents(\$argv[1].\"/_emulator/messages\")) === [] ? 0 : 1);" "$url"; s=$?
    kill $pid; wait $pid 2>/dev/null; exit $s' _ "$bin" "$CHECK" \
    || die "the archived emulator does not start and answer in the Debian forky root: $(cat "$CHECK/root-emulator.out")"
  say "  the emulator runs in the Debian forky root: $(head -n1 "$CHECK/root-emulator.out")"
fi
for i in "${!PHPS[@]}"; do   # names[i] is PHPS[i]'s archive
  v="${PHPS[$i]}"; dir="$CHECK/php$v"
  unzip -q "$DIST/${names[$i]}" -d "$dir"
  before=$(curl -sf "$EMULATOR_URL/_emulator/messages" | php -r 'echo count(json_decode(stream_get_contents(STDIN), true));')
  $(php_of "$v") -n -d extension="$dir/o365.so" -r '
    $m = new O365\Mailer(["tenant_id" => "contoso.onmicrosoft.com", "client_id" => "00000000-0000-0000-0000-000000000001",
      "client_secret" => "emulator-secret", "login_endpoint" => $argv[1], "graph_endpoint" => $argv[1]]);
    $r = $m->sendMime("From: sender@contoso.com\r\nTo: dist@example.com\r\nSubject: dist check PHP ".PHP_VERSION."\r\n\r\nsent by the archived build\r\n",
      "sender@contoso.com", ["dist@example.com"]);
    echo "  PHP ", PHP_VERSION, ": sent, request-id ", $r["request_id"], "\n";' "$EMULATOR_URL" \
    || die "the archived o365.so for PHP $v could not send a mail to the emulator"
  after=$(curl -sf "$EMULATOR_URL/_emulator/messages" | php -r 'echo count(json_decode(stream_get_contents(STDIN), true));')
  [ "$after" -eq $((before + 1)) ] || die "the emulator did not receive the mail sent with PHP $v's archive"
done
# Every archive must be refused, with PHP's API message, by each other PHP version.
for i in "${!PHPS[@]}"; do
  for w in "${PHPS[@]}"; do
    v="${PHPS[$i]}"; [ "$w" = "$v" ] && continue
    out=$($(php_of "$w") -n -d display_startup_errors=1 -d extension="$CHECK/php$v/o365.so" -r 'echo extension_loaded("o365") ? "LOADED" : "refused";' 2>&1 || true)
    case "$out" in
      *LOADED*) die "PHP $w loaded the archive built for PHP $v";;
      *"Module compiled with module API="*"These options need to match"*) say "PHP $w refuses PHP $v's o365.so: $(printf '%s' "$out" | grep -o 'Module compiled with module API=[0-9]*' | head -1)";;
      *) die "PHP $w refused PHP $v's o365.so without the module API message: $out";;
    esac
  done
done
say "done: ${#PHPS[@]} extension archives, each loads and sends in its PHP and is refused by the others; the emulator runs on the host and in the forky root"
