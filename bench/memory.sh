#!/usr/bin/env bash
# Peak RSS of large sends through the real extension (release build) in PHP, against the
# message size: one fresh PHP process per attachment size (default 25 and 100 MiB), each
# sending to a local emulator. The figure that matters is `extra`: how far the process's
# peak RSS rose above its RSS just before the send, which already held the message.
# Writes bench/results/memory.md. Settings: BENCH_MEMORY_SIZES (MiB, "25 100"),
# BENCH_BIN_DIR (prebuilt libo365.so and o365-emulator; skips the build).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
SIZES=${BENCH_MEMORY_SIZES:-25 100}
BIN="${BENCH_BIN_DIR:-$ROOT/target/release}"
if [ -z "${BENCH_BIN_DIR:-}" ]; then
  say "building the extension and the emulator (release)"
  cargo build --release --locked -p o365 -p o365-emulator
fi
out="$ROOT/.build/bench/memory"; mkdir -p "$out"
coproc EMU { "$BIN/o365-emulator" --listen 127.0.0.1:0 --exit-on-stdin-eof; }
read -r url <&"${EMU[0]}"
trap 'exec {EMU[1]}>&-; wait "$EMU_PID" 2>/dev/null || true' EXIT
: > "$out/results.jsonl"
for mib in $SIZES; do
  say "sending a $mib MiB attachment"
  php -d extension="$BIN/libo365.so" -d memory_limit=-1 bench/memory.php "$mib" "$url" | tee -a "$out/results.jsonl"
  curl -s -X POST "$url/_emulator/reset" >/dev/null || true
done
mkdir -p bench/results
php -r '
$rows = array_map(fn ($l) => json_decode($l, true), array_filter(file($argv[1], FILE_IGNORE_NEW_LINES)));
$mb = fn ($b) => sprintf("%.1f MiB", $b / 1048576);
echo "| attachment | message (MIME) | route | RSS before send | peak during send | extra | extra / message | time |\n";
echo "|---|---|---|---|---|---|---|---|\n";
foreach ($rows as $r) {
    printf("| %s | %s | %s | %s | %s | %s | %.2f | %.1f s |\n", $mb($r["attachment_bytes"]), $mb($r["mime_bytes"]), $r["route"],
        $mb($r["rss_before"]), $mb($r["peak_during_send"]), $mb($r["extra"]), $r["extra_per_mime_byte"], $r["seconds"]);
}' "$out/results.jsonl" > bench/results/memory.md
cat bench/results/memory.md
