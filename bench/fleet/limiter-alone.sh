#!/usr/bin/env bash
# The shared limiter alone, without PHP or Laravel: P single-threaded processes (the test
# binary of crates/core/tests/shared_limiter.rs re-run as its "send" child) send through
# one Redis to one mailbox of the emulator (--latency-ms 100), each mail after the other,
# like queue workers. Reported: the steady-state rate (5th to 95th percentile request
# start) against the bound 4 / latency, the share of the 4 slots' time spent in requests,
# and the 429s (must be 0). What the fleet bench loses beyond this is the workers' own
# time (Laravel's job handling) and the mail mix (bench/README.md, "A fleet of queue workers").
# Settings (env): ALONE_PROCS ("8 12"), ALONE_MAILS (mails per process, 50),
# ALONE_LATENCY_MS (100). Writes bench/results/fleet-limiter-alone.md.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$ROOT"
PROCS=${ALONE_PROCS:-8 12}; MAILS=${ALONE_MAILS:-50}; LAT=${ALONE_LATENCY_MS:-100}
command -v redis-server >/dev/null || die "redis-server is missing (bench/fleet/run.sh installs it)"
cargo build --release --locked -q -p o365-emulator
BIN=$(cargo test --release --locked -p o365-core --test shared_limiter --no-run 2>&1 | grep -o 'target/release/deps/shared_limiter-[0-9a-f]*' | head -1)
[ -x "$BIN" ] || die "could not build the shared_limiter test binary"
OUT="$ROOT/bench/results/fleet-limiter-alone.md"
{
  echo "The shared limiter alone: P single-threaded Rust processes, one mailbox, emulator --latency-ms $LAT, $MAILS mails per process ($(date -u +%F))."
  echo
  echo "| processes | mails | 429s | steady-state rate, mails/s | / bound (4 / latency) | slot time in requests | mean sendMail time at the emulator, ms |"
  echo "|---|---|---|---|---|---|---|"
} > "$OUT"
for p in $PROCS; do
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >/dev/null &
  rpid=$!
  coproc EMU { exec target/release/o365-emulator --listen 127.0.0.1:0 --latency-ms "$LAT" --exit-on-stdin-eof; }
  read -r url <&"${EMU[0]}"
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  kids=()
  for i in $(seq "$p"); do
    O365_LIMITER_CHILD=send EMU="$url" REDIS="redis://127.0.0.1:$port" THREADS=1 MAILS="$MAILS" TAG="p$i" \
      "$BIN" child_process --exact --nocapture --test-threads=1 >/dev/null 2>&1 &
    kids+=($!)
  done
  for k in "${kids[@]}"; do wait "$k" || die "a sender process failed"; done
  curl -s "$url/_emulator/requests" | python3 -c '
import json, sys
p, lat = sys.argv[1], int(sys.argv[2])
r = sorted((x for x in json.load(sys.stdin) if x["path"].endswith("/sendMail")), key=lambda x: x["time_ms"])
n = len(r); a, b = r[n // 20]["time_ms"], r[n * 19 // 20]["time_ms"]
rate = (n * 19 // 20 - n // 20) / ((b - a) / 1000)
busy = sum(x["duration_ms"] for x in r)
span = max(x["time_ms"] + x["duration_ms"] for x in r) - r[0]["time_ms"]
bound = 4 / (lat / 1000)
print("| %s | %d | %d | %.1f | %.0f %% | %.0f %% | %.1f |" % (p, n, sum(1 for x in r if x["status"] == 429), rate, 100 * rate / bound, 100 * busy / span / 4, busy / n))
' "$p" "$LAT" >> "$OUT"
  kill "$rpid"; wait "$rpid" 2>/dev/null || true
  exec {EMU[1]}>&-; wait "$EMU_PID" 2>/dev/null || true
done
cat "$OUT"
