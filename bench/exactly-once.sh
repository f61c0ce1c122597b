#!/usr/bin/env bash
# What `exactly_once` costs per small message: the latency of a send as a draft (create +
# /send) against the sendMail route, both in one run against one emulator that adds
# BENCH_LATENCY_MS (default 20) to every request, as a distant Graph would. Writes
# bench/results/exactly-once.md. Settings: BENCH_N (sends per route, default 40),
# BENCH_BIN_DIR (prebuilt libo365.so and o365-emulator; skips the release build).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
N=${BENCH_N:-40}
LATENCY=${BENCH_LATENCY_MS:-20}
BIN="${BENCH_BIN_DIR:-$ROOT/target/release}"
if [ -z "${BENCH_BIN_DIR:-}" ]; then
  say "building the extension and the emulator (release)"
  cargo build --release --locked -p o365 -p o365-emulator
fi
coproc EMU { "$BIN/o365-emulator" --listen 127.0.0.1:0 --latency-ms "$LATENCY" --exit-on-stdin-eof; }
read -r url <&"${EMU[0]}"
trap 'exec {EMU[1]}>&-; wait "$EMU_PID" 2>/dev/null || true' EXIT
line=$(php -d extension="$BIN/libo365.so" bench/exactly-once.php "$url" "$N")
echo "$line"
mkdir -p bench/results
php -r '
$r = json_decode($argv[1], true);
printf("| route | median per send | mean |\n|---|---|---|\n");
printf("| sendMail (MIME) | %.1f ms | %.1f ms |\n", $r["send_mail_median_ms"], $r["send_mail_mean_ms"]);
printf("| exactly_once (draft + /send) | %.1f ms | %.1f ms |\n", $r["exactly_once_median_ms"], $r["exactly_once_mean_ms"]);
printf("\nexactly_once / sendMail (medians): %.2f; %d sends each, alternating, emulator latency %s ms per request, binaries: %s.\n", $r["ratio_median"], $r["n"], $argv[2], $argv[3]);
' "$line" "$LATENCY" "$(basename "$BIN")" > bench/results/exactly-once.md
cat bench/results/exactly-once.md
