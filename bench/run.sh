#!/usr/bin/env bash
# `make bench`: the native o365 driver against the PHP-userland baseline (bench/src/Baseline)
# and the keep-alive floor, side by side in one run against one TLS emulator with simulated
# distance. Writes bench/results/latest.md and the latest-run section of bench/README.md.
# Settings (environment): BENCH_LATENCY_MS (20), BENCH_CONNECT_LATENCY_MS (40),
# BENCH_DURATION seconds per FPM phase (15), BENCH_WORKERS php-fpm workers (4),
# BENCH_CPU_SENDS sends per callgrind loop (50), BENCH_FLOOR_REQUESTS (200),
# BENCH_SCENARIOS (fpm cpu memory floor coldstart), BENCH_MEMORY_MB ("25 100 149"), BENCH_MEMORY_REPEAT (3),
# BENCH_COLDSTART_RUNS fresh processes per cold-start case (7),
# BENCH_MEMORY_DATA_MAX_MB (100), BENCH_BIN_DIR (prebuilt binaries; skips the build),
# BENCH_PUBLISH=0 (write the report under .build/bench/run only, not bench/README.md or bench/results).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
LATENCY_MS=${BENCH_LATENCY_MS:-20}
CONNECT_MS=${BENCH_CONNECT_LATENCY_MS:-40}
DURATION=${BENCH_DURATION:-15}
WORKERS=${BENCH_WORKERS:-4}
CPU_SENDS=${BENCH_CPU_SENDS:-50}
FLOOR_REQUESTS=${BENCH_FLOOR_REQUESTS:-200}
SCENARIOS=${BENCH_SCENARIOS:-fpm cpu memory floor coldstart cafile}
COLDSTART_RUNS=${BENCH_COLDSTART_RUNS:-7}
RUN="$ROOT/.build/bench/run"
RES="$RUN/results"
BIN="${BENCH_BIN_DIR:-$ROOT/target/release}"   # BENCH_BIN_DIR: use prebuilt binaries, skip the build
EXT="$BIN/libo365.so"
started=$(date +%s)

bench/setup.sh
if [ -z "${BENCH_BIN_DIR:-}" ]; then
  say "building the extension and the emulator (release)"
  cargo build --release --locked -p o365 -p o365-emulator
fi
composer dump-autoload --dev -q

rm -rf "$RUN"; mkdir -p "$RES" "$RUN/empty-certs"
start_emulator "$BIN/o365-emulator" --tls --ca-out "$RUN/ca.pem" \
  --latency-ms "$LATENCY_MS" --connect-latency-ms "$CONNECT_MS" --window-requests 1000000000 --upload-budget 1000GB/5m
PIDS=()
CPU_PID=""
cleanup() {
  [ -n "$CPU_PID" ] && { kill -- "-$CPU_PID" 2>/dev/null || true; }
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  kill "$EMULATOR_PID" 2>/dev/null || true; wait 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 50); do [ -s "$RUN/ca.pem" ] && break; sleep 0.1; done
say "emulator at $EMULATOR_URL (TLS, latency ${LATENCY_MS} ms per request, ${CONNECT_MS} ms per new connection)"

SYSTEM_BUNDLE=/etc/ssl/certs/ca-certificates.crt
cat "$SYSTEM_BUNDLE" "$RUN/ca.pem" > "$RUN/php-bundle-plus-emulator.pem"
TENANT=contoso.onmicrosoft.com
CLIENT_ID=00000000-0000-0000-0000-000000000001
SECRET=emulator-secret
# A second emulator, same settings, serves only the callgrind loops: they run in the
# background at nice 19 while the latency scenarios run, and must not show up in the
# main emulator's counts. Instruction counts do not depend on load or on which emulator.
CPU_EMULATOR_URL=""
if [[ " $SCENARIOS " == *" cpu "* ]]; then
  "$BIN/o365-emulator" --listen 127.0.0.1:0 --tls --ca-out "$RUN/cpu-ca.pem" --latency-ms "$LATENCY_MS" \
    --connect-latency-ms "$CONNECT_MS" --window-requests 1000000000 --upload-budget 1000GB/5m >"$RUN/cpu-emulator.out" 2>&1 &
  CPU_EMULATOR_PID=$!
  for _ in $(seq 1 100); do CPU_EMULATOR_URL=$(head -n1 "$RUN/cpu-emulator.out" 2>/dev/null || true); [ -n "$CPU_EMULATOR_URL" ] && [ -s "$RUN/cpu-ca.pem" ] && break; sleep 0.1; done
  [ -n "$CPU_EMULATOR_URL" ] || die "the CPU scenario's emulator did not start: $(cat "$RUN/cpu-emulator.out")"
  cat "$SYSTEM_BUNDLE" "$RUN/cpu-ca.pem" > "$RUN/cpu-php-bundle-plus-emulator.pem"
fi

# App base paths, identical but for the emulator, what the baseline trusts (PHP's CA bundle
# plus the emulator's CA, or the emulator's CA only) and, under callgrind, raised timeouts.
APP="$RUN/app"; APP_CPU="$RUN/app-cpu"; APP_CPU_EMU="$RUN/app-cpu-emulator-ca"
prepare_app() {
  local base="$1" url="$2" ca="$3"; shift 3
  php bench/php/prepare.php "$base" O365_TENANT_ID=$TENANT O365_CLIENT_ID=$CLIENT_ID O365_CLIENT_SECRET=$SECRET \
    O365_LOGIN_ENDPOINT="$url" O365_GRAPH_ENDPOINT="$url" O365_CA_FILE="$ca" "$@"
}
prepare_app "$APP" "$EMULATOR_URL" "$RUN/ca.pem" BASELINE_VERIFY="$RUN/php-bundle-plus-emulator.pem"
if [ -n "$CPU_EMULATOR_URL" ]; then
  prepare_app "$APP_CPU" "$CPU_EMULATOR_URL" "$RUN/cpu-ca.pem" BASELINE_VERIFY="$RUN/cpu-php-bundle-plus-emulator.pem" \
    O365_TIMEOUT=600 BASELINE_TIMEOUT=600
  prepare_app "$APP_CPU_EMU" "$CPU_EMULATOR_URL" "$RUN/cpu-ca.pem" BASELINE_VERIFY="$RUN/cpu-ca.pem" \
    O365_TIMEOUT=600 BASELINE_TIMEOUT=600
fi

stats() { curl -sS --cacert "$RUN/ca.pem" "$EMULATOR_URL/_emulator/stats"; echo; }
clear_messages() { curl -sS --cacert "$RUN/ca.pem" -X DELETE "$EMULATOR_URL/_emulator/messages" -o /dev/null; }
wait_for() { for _ in $(seq 1 100); do [ -e "$1" ] && return 0; sleep 0.1; done; die "$2"; }

# ---- 1. FPM: nginx → php-fpm (static pool) → Laravel route → one ~20 KB mail -------------
fpm_driver() {
  local driver="$1" dir="$RUN/fpm-$1" port; port=$(free_port)
  mkdir -p "$dir"; rm -rf "$APP/storage/framework/cache/data"/*
  local root_opts=() user_line=""
  if [ "$(id -u)" = 0 ]; then root_opts=(-R); user_line="user = root"; fi
  cat > "$dir/fpm.conf" <<CONF
[global]
pid = $dir/fpm.pid
error_log = $dir/fpm.log
daemonize = no
[bench]
$user_line
listen = $dir/fpm.sock
listen.mode = 0666
pm = static
pm.max_children = $WORKERS
clear_env = no
env[O365_BENCH_BASE] = $APP
catch_workers_output = yes
CONF
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp; proxy_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  server {
    listen 127.0.0.1:$port;
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $ROOT/bench/app/public/index.php;
      fastcgi_pass unix:$dir/fpm.sock;
    }
  }
}
CONF
  mkdir -p "$dir/tmp"
  php-fpm8.2 -F "${root_opts[@]}" -y "$dir/fpm.conf" -d extension="$EXT" -d opcache.enable=1 >"$dir/fpm.out" 2>&1 &
  PIDS+=($!); local fpm=$!
  wait_for "$dir/fpm.sock" "php-fpm did not start: $(cat "$dir/fpm.log" "$dir/fpm.out" 2>/dev/null)"
  nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log" >"$dir/nginx.out" 2>&1 &
  PIDS+=($!); local ngx=$!
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  local url="http://127.0.0.1:$port/send/$driver"
  stats > "$dir/stats-cold-before.json"
  local check; check=$(curl -s "$url")   # proves the route works before timing it
  [ "$check" = sent ] || die "FPM $driver: GET $url answered: ${check:0:600}"
  wrk -t1 -c"$WORKERS" -d3s "$url" >/dev/null     # warm-up: every worker gets its token, opcache, connection
  stats > "$dir/stats-cold-after.json"; clear_messages
  for c in 1 4; do
    say "FPM $driver: concurrency $c for ${DURATION}s"
    stats > "$dir/stats-c$c-before.json"
    wrk -t1 -c"$c" -d"${DURATION}s" --timeout 10s -s bench/wrk-json.lua "$url" > "$dir/wrk-c$c.txt"
    stats > "$dir/stats-c$c-after.json"; clear_messages
    grep '^{' "$dir/wrk-c$c.txt" > "$dir/wrk-c$c.json"
  done
  kill "$ngx" "$fpm"; wait "$ngx" "$fpm" 2>/dev/null || true
}

# ---- 2. CPU: callgrind, 50 sends each in a fresh Laravel app, minus the array mailer -----
cpu_job() {
  local name="$1" mailer="$2" ca="$3" out="$RUN/cpu"
  local env=(env) base="$APP_CPU"
  # Emulator's CA only: the extension's system roots (rustls-native-certs reads SSL_CERT_FILE
  # and SSL_CERT_DIR) and the baseline's Guzzle `verify` hold just the emulator's CA.
  [ "$ca" = emulator ] && { env+=(SSL_CERT_FILE="$RUN/cpu-ca.pem" SSL_CERT_DIR="$RUN/empty-certs"); base="$APP_CPU_EMU"; }
  # send-loop.php calls fflush() once before each iteration: --dump-before makes every
  # iteration its own profile part, so the first send and the steady state show apart.
  "${env[@]}" valgrind --tool=callgrind --dump-before=zif_fflush --callgrind-out-file="$out/$name.callgrind" \
    php -d extension="$EXT" bench/php/send-loop.php "$base" "$mailer" "$CPU_SENDS" >"$out/$name.log" 2>&1 \
    && grep -q "^sent $CPU_SENDS through" "$out/$name.log" \
    || { echo "FAILED" >> "$out/$name.log"; return 1; }
}
cpu_start() {   # sets CPU_PID; the loops get their own process group so cleanup can stop them all
  mkdir -p "$RUN/cpu"
  export -f cpu_job; export RUN EXT APP_CPU APP_CPU_EMU CPU_SENDS
  printf '%s\n' "baseline-system baseline system" "native-system o365 system" "array array system" \
    "native-string-system o365-string system" \
    "baseline-emulator baseline emulator" "native-emulator o365 emulator" > "$RUN/cpu/jobs.txt"
  setsid nice -n 19 xargs -P 2 -L 1 -a "$RUN/cpu/jobs.txt" bash -c 'cpu_job "$@"' _ > "$RUN/cpu.log" 2>&1 &
  CPU_PID=$!
}

# ---- 3. Memory: one mail with a 25, 100 and 149 MB attachment (attach($path)) -----------
# Drivers: o365 (the streaming transport, in a worker with memory_limit=128M), o365-string
# (the pre-streaming transport: toString() + sendMime), array (Laravel's array mailer: the
# cost of building the mail, no transport). The attachment's SHA-256 is checked at the emulator.
delivered_sha256() {
  curl -sS --cacert "$RUN/ca.pem" "$EMULATOR_URL/_emulator/messages" \
    | php -r '$m = json_decode(stream_get_contents(STDIN), true); echo $m[0]["attachments"][0]["sha256"] ?? "";' || true
}
# One send in a fresh PHP process: memory_send NAME MB RUN MEMORY_LIMIT DRIVER [data]
# writes memory/NAME-MBmb-rRUN.{json,err,delivered-sha256}.
memory_send() {
  local name="$1" mb="$2" r="$3" limit="$4" driver="$5" mode="${6:-}" f
  f="$RUN/memory/$name-${mb}mb-r$r"
  clear_messages
  php -d extension="$EXT" -d memory_limit="$limit" bench/php/memory.php "$APP" "$driver" "$RUN/attachment-${mb}mb.bin" $mode \
    > "$f.json" 2>"$f.err" || true
  delivered_sha256 > "$f.delivered-sha256"
}
# Peaks are the largest of the repeats, MB/s their median; streaming and string sends
# alternate so that load on this shared machine hits both alike.
memory() {
  mkdir -p "$RUN/memory"
  local repeat=${BENCH_MEMORY_REPEAT:-3}
  for mb in ${BENCH_MEMORY_MB:-25 100 149}; do
    head -c $((mb * 1024 * 1024)) /dev/urandom > "$RUN/attachment-${mb}mb.bin"
    sha256sum "$RUN/attachment-${mb}mb.bin" | cut -d' ' -f1 > "$RUN/memory/${mb}mb.sha256"
    say "memory: ${mb} MB attachment: streaming (memory_limit=128M) and string path, $repeat times each; array mailer once"
    for r in $(seq 1 "$repeat"); do
      memory_send o365 "$mb" "$r" 128M o365
      memory_send o365-string "$mb" "$r" 2G o365-string
    done
    memory_send array "$mb" 1 2G array
    # attachData(): the attachment is a PHP string already (read before the peaks reset);
    # streaming must not be worse than the string path there.
    if [ "$mb" -le "${BENCH_MEMORY_DATA_MAX_MB:-100}" ]; then
      say "memory: ${mb} MB attachment with attachData(), memory_limit=2G, $repeat times each"
      for r in $(seq 1 "$repeat"); do
        memory_send o365-data "$mb" "$r" 2G o365 data
        memory_send o365-string-data "$mb" "$r" 2G o365-string data
      done
    fi
    rm -f "$RUN/attachment-${mb}mb.bin"
  done
  clear_messages
}

# ---- 4. Floor: the same request from curl over one kept-alive connection ----------------
floor() {
  mkdir -p "$RUN/floor"
  php bench/php/floor-prep.php "$APP" "$RUN/floor/body.b64" > "$RUN/floor/mime-bytes.txt"
  local token
  token=$(curl -sS --cacert "$RUN/ca.pem" -d grant_type=client_credentials -d client_id=$CLIENT_ID \
    -d client_secret=$SECRET --data-urlencode scope=https://graph.microsoft.com/.default \
    "$EMULATOR_URL/$TENANT/oauth2/v2.0/token" | php -r 'echo json_decode(stream_get_contents(STDIN))->access_token;')
  for c in 1 4; do
    local n=$(( c == 1 ? FLOOR_REQUESTS : FLOOR_REQUESTS / 2 )) cfg="$RUN/floor/c$c.cfg"; : > "$cfg"
    for i in $(seq 1 "$n"); do
      [ "$i" -gt 1 ] && echo next >> "$cfg"
      printf 'url = "%s/v1.0/users/sender%%40contoso.com/sendMail"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: text/plain"\ndata-binary = "@%s"\ncacert = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{time_total}\\n"\n' \
        "$EMULATOR_URL" "$token" "$RUN/floor/body.b64" "$RUN/ca.pem" >> "$cfg"
    done
    say "floor: curl keep-alive, concurrency $c, $n requests per connection"
    stats > "$RUN/floor/stats-c$c-before.json"
    local t0 t1 pids=(); t0=$(date +%s.%N)
    for k in $(seq 1 "$c"); do curl -sS -K "$cfg" > "$RUN/floor/c$c-$k.txt" & pids+=($!); done
    wait "${pids[@]}"; t1=$(date +%s.%N)
    stats > "$RUN/floor/stats-c$c-after.json"; clear_messages
    echo "$t0 $t1" > "$RUN/floor/c$c-wall.txt"
  done
}

# ---- 5. Cold start: the first send of a fresh process (a new php-fpm worker) -------------
# Token endpoint and Graph as one origin (the emulator's default) and as two (as at
# Microsoft: the emulator under the names localhost and 127.0.0.1); each sent at once
# (`overlapped`) and with the token fetched first (`sequential`, what the first send did
# before it opened Graph's connection while fetching), alternating, in fresh processes.
coldstart() {
  mkdir -p "$RUN/coldstart"
  local two="${EMULATOR_URL/127.0.0.1/localhost}"
  say "cold start: $COLDSTART_RUNS fresh processes per case (one and two origins, overlapped and sequential)"
  for r in $(seq 1 "$COLDSTART_RUNS"); do
    for origins in one two; do
      local login="$EMULATOR_URL"; [ "$origins" = two ] && login="$two"
      for mode in overlapped sequential; do
        php -d extension="$EXT" bench/php/first-send.php "$mode" "$login" "$EMULATOR_URL" "$RUN/ca.pem" \
          >> "$RUN/coldstart/$origins-$mode.jsonl" 2>>"$RUN/coldstart/errors.log" \
          || die "cold start ($origins origin(s), $mode) failed: $(tail -n 3 "$RUN/coldstart/errors.log")"
      done
    done
  done
  clear_messages
}

# ---- 6. ca_file: instructions per send with the system bundle vs one certificate ---------
# bench/ca-file.sh (its own emulator, a new Mailer per send as PHP-FPM builds one per request).
cafile() {
  say "ca_file: instructions per send, the system bundle against one certificate (callgrind)"
  EXT="$EXT" EMULATOR="$BIN/o365-emulator" bench/ca-file.sh 12 > "$RUN/cafile.txt" 2>&1 \
    || die "bench/ca-file.sh failed: $(tail -n 3 "$RUN/cafile.txt")"
}

if [ -n "$CPU_EMULATOR_URL" ]; then
  say "CPU: 6 callgrind loops of $CPU_SENDS sends, 2 at a time, at nice 19 in the background"
  cpu_start; PIDS+=("$CPU_EMULATOR_PID")
fi
for s in $SCENARIOS; do
  case "$s" in
    fpm) fpm_driver o365; fpm_driver baseline; fpm_driver array;;
    cpu) ;;
    memory) memory;;
    floor) floor;;
    coldstart) coldstart;;
    cafile) cafile;;
    *) die "unknown scenario $s";;
  esac
done
if [ -n "$CPU_PID" ]; then
  # The latency scenarios are over: let the callgrind loops have the machine (root only).
  renice -n 0 -g "$CPU_PID" >/dev/null 2>&1 || true
  say "waiting for the callgrind loops"
  wait "$CPU_PID" || { CPU_PID=""; die "a callgrind loop failed: $(tail -n 5 "$RUN"/cpu/*.log)"; }
  CPU_PID=""
fi

cat > "$RUN/meta.json" <<JSON
{"command": "make bench$( [ -n "${BENCH_ARGS:-}" ] && echo " $BENCH_ARGS")",
 "latency_ms": $LATENCY_MS, "connect_latency_ms": $CONNECT_MS, "duration_s": $DURATION, "workers": $WORKERS,
 "cpu_sends": $CPU_SENDS, "floor_requests": $FLOOR_REQUESTS, "coldstart_runs": $COLDSTART_RUNS, "scenarios": "$SCENARIOS",
 "seconds": $(( $(date +%s) - started )),
 "commit": "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates php Cargo.toml Cargo.lock || echo ' + uncommitted changes in crates/php')",
 "date": "$(date -u +%Y-%m-%dT%H:%MZ)"}
JSON
if [ "${BENCH_PUBLISH:-1}" = 1 ]; then
  php bench/php/report.php "$RUN" bench/results/latest.md bench/README.md
  say "done in $(( $(date +%s) - started ))s: bench/results/latest.md and bench/README.md (the latest make bench run)"
else
  php bench/php/report.php "$RUN" "$RUN/report.md" /dev/null
  say "done in $(( $(date +%s) - started ))s: $RUN/report.md (BENCH_PUBLISH=0)"
fi
