#!/usr/bin/env bash
# Instructions per send with `ca_file` set to a large file (the system CA bundle plus the
# emulator's CA) against a one-certificate file (the emulator's CA alone), through a new
# O365\Mailer per send, as PHP-FPM builds one per request. Measured with callgrind
# (repeatable on a shared machine): each send is its own profile part, the first sends
# (token, TLS handshake, HTTP client) are skipped, the median of the rest is reported.
# The target (issue 27): the two within 15 % (ratio <= 1.15), i.e. the file's size does
# not matter once it was parsed.
# Usage: bench/ca-file.sh [SENDS]        (default 12)
#   EXT=path/to/o365.so      the extension (default: target/release/php8.X/o365.so, else debug)
#   EMULATOR=path            the emulator binary (default: target/release, else target/debug)
#   BUNDLE=path              the large CA file (default /etc/ssl/certs/ca-certificates.crt)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

SENDS=${1:-12}
SKIP=2
[ "$SENDS" -gt $((SKIP + 2)) ] || die "SENDS must be more than $((SKIP + 2))"
command -v valgrind >/dev/null || die "valgrind not found: apt-get install valgrind"
php_version=$(php -r 'echo PHP_MAJOR_VERSION.".".PHP_MINOR_VERSION;')
pick() { local f; for f in "$@"; do [ -f "$f" ] && { echo "$f"; return; }; done; }
EXT=${EXT:-$(pick "target/release/php$php_version/o365.so" "target/debug/php$php_version/o365.so")}
EMULATOR=${EMULATOR:-$(pick target/release/o365-emulator target/debug/o365-emulator)}
BUNDLE=${BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
[ -n "$EXT" ] || die "no extension: scripts/build-ext.sh --release (or set EXT)"
[ -n "$EMULATOR" ] || die "no emulator: cargo build --release -p o365-emulator (or set EMULATOR)"
[ -f "$BUNDLE" ] || die "no CA bundle at $BUNDLE: apt-get install ca-certificates (or set BUNDLE)"

tmp=$(mktemp -d)
start_emulator "$EMULATOR" --tls --ca-out "$tmp/emulator-ca.pem"
trap 'kill $EMULATOR_PID 2>/dev/null; wait $EMULATOR_PID 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 50); do [ -s "$tmp/emulator-ca.pem" ] && break; sleep 0.1; done
cp "$tmp/emulator-ca.pem" "$tmp/one.pem"
cat "$BUNDLE" "$tmp/emulator-ca.pem" > "$tmp/bundle.pem"

cat > "$tmp/loop.php" <<'PHP'
<?php
// SENDS sends, each through a new Mailer (its config, ca_file included, built anew).
[$url, $ca, $n] = [$argv[1], $argv[2], (int) $argv[3]];
$mime = "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: ca_file\r\n\r\nHello.\r\n";
$marker = fopen('php://memory', 'w');
for ($i = 0; $i < $n; $i++) {
    fflush($marker); // callgrind --dump-before=zif_fflush: one profile part per send
    $mailer = new O365\Mailer([
        'tenant_id' => 'contoso.onmicrosoft.com', 'client_id' => '00000000-0000-0000-0000-000000000001',
        'client_secret' => 'emulator-secret', 'login_endpoint' => $url, 'graph_endpoint' => $url,
        'ca_file' => $ca, 'timeout' => 120, 'deadline' => 300,
    ]);
    $mailer->sendMime($mime, 'sender@contoso.com');
}
fflush($marker);
echo "sent $n\n";
PHP

# Median instructions of the profile parts after the first SKIP sends.
per_send() {
  local name="$1" ca="$2"
  valgrind --tool=callgrind --dump-before=zif_fflush --callgrind-out-file="$tmp/$name.cg" \
    php -n -d extension="$EXT" "$tmp/loop.php" "$EMULATOR_URL" "$ca" "$SENDS" > "$tmp/$name.log" 2>&1 \
    || die "$name: $(tail -n 5 "$tmp/$name.log")"
  grep -q "^sent $SENDS" "$tmp/$name.log" || die "$name: $(tail -n 5 "$tmp/$name.log")"
  # Part k+1 holds send k (part 1: PHP's start-up until the first fflush).
  for i in $(seq $((SKIP + 2)) $((SENDS + 1))); do
    awk '/^(summary|totals):/ {print $2; exit}' "$tmp/$name.cg.$i"
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

say "$SENDS sends per file under callgrind (extension $EXT)"
one=$(per_send one "$tmp/one.pem")
bundle=$(per_send bundle "$tmp/bundle.pem")
printf 'ca_file with one certificate (%s bytes): %s instructions per send\n' "$(stat -c %s "$tmp/one.pem")" "$one"
printf 'ca_file with the system bundle (%s bytes): %s instructions per send\n' "$(stat -c %s "$tmp/bundle.pem")" "$bundle"
awk -v a="$bundle" -v b="$one" 'BEGIN {printf "ratio bundle / one certificate: %.2f (target <= 1.15)\n", a / b}'
