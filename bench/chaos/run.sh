#!/usr/bin/env bash
# The chaos run (bench/README.md, "Exactly once: cost and the chaos run"): CHAOS_MAILS (200) queued Laravel mails on
# CHAOS_WORKERS (4) `queue:work` processes (database queue), Graph faults injected at
# random (accepted-then-504, accepted-then-reset, 504 before acting, 429) and workers
# SIGKILLed at random, once without and once with `exactly_once`; the ledger in a
# redis-server of its own. Counted at the emulator. Writes bench/results/chaos.jsonl.
# Needs the debug build (scripts/build-ext.sh 8.2, cargo build -p o365-emulator) and redis-server.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$ROOT"
N=${CHAOS_MAILS:-200}; W=${CHAOS_WORKERS:-4}
export CHAOS_EXTENSION="$ROOT/target/debug/php8.2/o365.so"
export O365_TESTBED="${O365_TESTBED:-$ROOT/.build/laravel10/root}"
port=$(free_port)
dir=$(mktemp -d); redis-server --port "$port" --bind 127.0.0.1 --save '' --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" >/dev/null
trap 'kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; rm -rf "$dir"' EXIT
mkdir -p bench/results; : > bench/results/chaos.jsonl
for once in 0 1; do
  coproc EMU { "$ROOT/target/debug/o365-emulator" --listen 127.0.0.1:0 --exit-on-stdin-eof; }
  read -r url <&"${EMU[0]}"
  php -d extension="$CHAOS_EXTENSION" bench/chaos/run.php "$url" "redis://127.0.0.1:$port/$once" "$N" "$W" "$once" | tee -a bench/results/chaos.jsonl
  exec {EMU[1]}>&-; wait "$EMU_PID" 2>/dev/null || true
done
