#!/usr/bin/env bash
# The fleet benchmark (bench/README.md, "A fleet of queue workers"): H simulated hosts (one process
# group each) x W Laravel `queue:work` workers on a Redis queue send N queued mails across
# M mailboxes through the emulator (--latency-ms 100, Exchange's limits per app and
# mailbox). Phases, one after the other in one run, each on a fresh emulator state and
# fresh Redis data:
#   without    per-process limits only (no redis_url)
#   with       the shared limiter (redis_connection => a Redis of its own)
#   kill       with, and one worker SIGKILLed mid-run
#   redis-down with, and the limiter's Redis stopped mid-run (the queue's Redis stays)
#   storm      with, and 429s injected for m1 for 10 s (fault rule, Retry-After 5)
#   cluster    with, the shared limiter on a loopback Redis Cluster of 3 primaries with a
#              replica each (redis-cli --cluster create; Laravel's `redis.clusters` entry,
#              redis+cluster://); the queue stays on its single Redis. Its goodput is given
#              as a ratio to the `with` phase of the same run (FLEET_PHASES="with cluster").
# Everything is measured at the emulator (429s per mailbox and cause, peak in flight,
# accepted times, Message-IDs). Writes bench/results/fleet.md and fleet.jsonl
# (FLEET_RESULTS=name: the tables go to name.md and name.jsonl in bench/results, for a run of some phases).
# Hosts: each host's workers run in a network namespace of their own (veth pair on a
# private bridge 10.213.0.1/16 where the emulator and Redis listen), when the machine
# allows it (root, `ip netns`); else in the host's network. FLEET_NETNS=0 forces the latter.
# Settings (env): FLEET_MAILS (3000), FLEET_MAILBOXES (3), FLEET_HOSTS (3),
# FLEET_WORKERS (8 per host: twice the slots, see README), FLEET_LATENCY_MS (100), FLEET_PHASES ("without with kill
# redis-down storm cluster"), FLEET_PROFILE (release; debug for the test build), FLEET_PHASE_TIMEOUT (seconds, 900), FLEET_DEADLINE (the mailer's
# `deadline`, 2 s), FLEET_TIMEOUT (its `timeout`, 5 s: the lease is twice it), FLEET_WINDOW
# (a test-scale request window, e.g. 300/30s, given to the emulator as --mailbox-window
# and to the limiter as O365_MAILBOX_WINDOW; default Exchange's 10000/10m), FLEET_ORDER (random: each
# mail's mailbox drawn at random, seeded; round-robin: m1, m2, m3, m1, ...).
# Installs (idempotent): redis-server (apt), php8.2-redis + php8.2-igbinary (apt-get
# download + dpkg -x into .build/fleet: the host's PHP is left alone).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$ROOT"

N=${FLEET_MAILS:-3000}; M=${FLEET_MAILBOXES:-3}; H=${FLEET_HOSTS:-3}; W=${FLEET_WORKERS:-8}
LAT=${FLEET_LATENCY_MS:-100}; PHASES=${FLEET_PHASES:-without with kill redis-down storm cluster}
PHASE_TIMEOUT=${FLEET_PHASE_TIMEOUT:-900}
BUILD="$ROOT/.build/fleet"; OUT="$ROOT/bench/results"; LOGS="$BUILD/logs"
mkdir -p "$BUILD" "$OUT" "$LOGS"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# --- what the bench needs ------------------------------------------------------------
if ! command -v redis-server >/dev/null; then
  say "installing redis-server (apt; its system service is not started)"
  $SUDO apt-get update -qq
  policy=""; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null; $SUDO chmod +x /usr/sbin/policy-rc.d; policy=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null || { [ -n "$policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d; die "apt-get install redis-server failed"; }
  [ -n "$policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
fi
phpredis=$(find "$BUILD/php-redis" -name redis.so 2>/dev/null | head -1 || true)
if [ -z "$phpredis" ]; then
  say "fetching php8.2-redis and php8.2-igbinary (apt-get download, dpkg -x into $BUILD/php-redis)"
  mkdir -p "$BUILD/debs" && (cd "$BUILD/debs" && apt-get download php8.2-redis php8.2-igbinary >/dev/null 2>&1) || die "apt-get download php8.2-redis php8.2-igbinary failed"
  for d in "$BUILD"/debs/*.deb; do dpkg -x "$d" "$BUILD/php-redis"; done
  phpredis=$(find "$BUILD/php-redis" -name redis.so | head -1)
fi
igbinary="$(dirname "$phpredis")/igbinary.so"
scripts/setup.sh laravel10 >/dev/null
# Release builds, as in production (FLEET_PROFILE=debug for the test build). A test-scale
# window (FLEET_WINDOW) reaches the limiter through O365_MAILBOX_WINDOW, which only a build
# with o365-core's test seams reads (docs/sender.md, "Test seams"): such a run builds the
# extension with them (with FLEET_NO_BUILD, the build in place must have them too).
PROFILE=${FLEET_PROFILE:-release}
if [ -z "${FLEET_NO_BUILD:-}" ]; then
  if [ "$PROFILE" = release ]; then
    seams=(); [ -n "${FLEET_WINDOW:-}" ] && seams=(--test-support)
    scripts/build-ext.sh --release "${seams[@]}" 8.2 >/dev/null && cargo build --release --locked -q -p o365-emulator
  else
    scripts/build-ext.sh 8.2 >/dev/null
  fi
fi
composer dump-autoload --dev -q
EXT="$ROOT/target/$PROFILE/php8.2/o365.so"
PHP=(php -d extension="$igbinary" -d extension="$phpredis" -d extension="$EXT" -d memory_limit=512M)
"${PHP[@]}" -r 'exit(class_exists("Redis") && extension_loaded("o365") ? 0 : 1);' || die "PHP cannot load php-redis and o365"

# --- servers -----------------------------------------------------------------------------
now_ms() { date +%s%3N; }
PIDS=(); NETNS=()
BRIDGE="flbr$$"; BRIDGE=${BRIDGE:0:15}
cleanup() {
  for p in "${HOST_PGIDS[@]:-}"; do [ -n "$p" ] && kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in "${NETNS[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
}
trap cleanup EXIT
# Network namespaces, one per host, on a bridge: the servers listen on SERVER_IP.
SERVER_IP=127.0.0.1; HOST_NS=()
if [ "${FLEET_NETNS:-1}" != 0 ] && [ "$(id -u)" = 0 ] && ip netns add "fleet$$-probe" 2>/dev/null; then
  ip netns del "fleet$$-probe"
  ip link add "$BRIDGE" type bridge && ip addr add 10.213.0.1/16 dev "$BRIDGE" && ip link set "$BRIDGE" up
  for h in $(seq "$H"); do
    ns="fleet$$-h$h"; a="fv$$h${h}"; a=${a:0:13}
    ip netns add "$ns"; NETNS+=("$ns")
    ip link add "${a}a" type veth peer name "${a}b"
    ip link set "${a}a" master "$BRIDGE" up
    ip link set "${a}b" netns "$ns"
    ip netns exec "$ns" ip addr add "10.213.1.$h/16" dev "${a}b"
    ip netns exec "$ns" ip link set "${a}b" up
    ip netns exec "$ns" ip link set lo up
    HOST_NS+=("$ns")
  done
  SERVER_IP=10.213.0.1
fi
start_redis() {  # port [redis-server arguments]
  # Protected mode refuses the namespaces' addresses; it listens on loopback and the private bridge only.
  local port=$1; shift
  redis-server --port "$port" --bind 127.0.0.1 "$SERVER_IP" --protected-mode no --save '' --appendonly no --logfile "$LOGS/redis-$port.log" "$@" >/dev/null &
  PIDS+=($!)
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "redis-server on port $port did not start"
}
QP=$(free_port); LP=$(free_port)
start_redis "$QP"; start_redis "$LP"
# The cluster phase's limiter: 6 nodes joined into 3 primaries with a replica each, every
# node announcing SERVER_IP (the address the hosts' namespaces reach in MOVED answers).
CLUSTER_PORTS=()
if [[ " $PHASES " == *" cluster "* ]]; then
  for _ in 1 2 3 4 5 6; do
    # A cluster node's bus listens on its port + 10000: ports up to 55535 only.
    p=$(free_port); while [ "$p" -gt 55535 ] || ! python3 -c 'import socket,sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' $((p + 10000)) 2>/dev/null; do p=$(free_port); done
    d="$BUILD/cluster/$p"; rm -rf "$d"; mkdir -p "$d"
    start_redis "$p" --dir "$d" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 1000 --cluster-announce-ip "$SERVER_IP"
    CLUSTER_PORTS+=("$p")
  done
  redis-cli --cluster create $(printf "$SERVER_IP:%s " "${CLUSTER_PORTS[@]}") --cluster-replicas 1 --cluster-yes >"$LOGS/cluster-create.log" 2>&1 </dev/null || die "redis-cli --cluster create failed: $LOGS/cluster-create.log"
  for _ in $(seq 150); do
    ok=0; for p in "${CLUSTER_PORTS[@]}"; do redis-cli -p "$p" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && ok=$((ok + 1)); done
    [ "$ok" -eq 6 ] && break; sleep 0.1
  done
  [ "$ok" -eq 6 ] || die "the Redis Cluster did not become ok: $LOGS/cluster-create.log"
  export FLEET_CLUSTER_NODES; FLEET_CLUSTER_NODES=$(printf "$SERVER_IP:%s," "${CLUSTER_PORTS[@]:0:3}"); FLEET_CLUSTER_NODES=${FLEET_CLUSTER_NODES%,}
fi
mailboxes=(); for i in $(seq "$M"); do mailboxes+=(--mailbox "m$i@contoso.com"); done
if [ -n "${FLEET_WINDOW:-}" ]; then mailboxes+=(--mailbox-window "$FLEET_WINDOW"); export O365_MAILBOX_WINDOW="$FLEET_WINDOW"; fi
coproc EMU { exec "target/$PROFILE/o365-emulator" --listen "$SERVER_IP:0" --latency-ms "$LAT" "${mailboxes[@]}" --exit-on-stdin-eof; }
PIDS+=("$EMU_PID")
read -r EMU_URL <&"${EMU[0]}"
say "emulator $EMU_URL (--latency-ms $LAT), queue Redis :$QP, limiter Redis :$LP${CLUSTER_PORTS:+, limiter cluster :${CLUSTER_PORTS[*]}}; $H hosts x $W workers, $N mails, $M mailboxes; request window ${FLEET_WINDOW:-10000/10m}; hosts in $([ ${#HOST_NS[@]} -gt 0 ] && echo "network namespaces ${HOST_NS[*]}" || echo "the host's network (process groups)")"

APP="$BUILD/app"; rm -rf "$APP"; cp -r bench/fleet/app "$APP"
mkdir -p "$APP"/bootstrap/cache "$APP"/storage/{logs,framework/views,framework/cache,app} "$APP"/resources/views
export FLEET_BASE="$APP" FLEET_EMULATOR="$EMU_URL" FLEET_REDIS_HOST="$SERVER_IP" FLEET_QUEUE_REDIS_PORT="$QP" FLEET_LIMITER_REDIS_PORT="$LP"
LEASE_MS=$(( 2 * ${FLEET_TIMEOUT:-5} * 1000 ))
# A queue worker's deadline: short, so that a mailbox on hold (Graph's Retry-After) or full
# fails the send at once with ThrottledException and the job waits on the queue, while the
# worker serves other mailboxes (README "Running many workers").
export FLEET_DEADLINE=${FLEET_DEADLINE:-2}

# --- one phase -------------------------------------------------------------------------
busy_idle() { awk '/^cpu /{print $2+$3+$4+$7+$8, $5+$6}' /proc/stat; }   # machine: busy and idle ticks
group_ticks() {  # CPU ticks (user + system) used so far by the processes of process group $1
  local t=0 pid; for pid in $(pgrep -g "$1"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0))); done; echo "$t"
}
remaining() {  # jobs waiting, delayed (released) or reserved (in a worker)
  redis-cli -p "$QP" eval "return redis.call('LLEN','queues:fleet') + redis.call('ZCARD','queues:fleet:delayed') + redis.call('ZCARD','queues:fleet:reserved')" 0
}
limiter_keys() {  # how many keys the shared limiter wrote, in the phase's limiter Redis (the cluster: its primaries)
  local ports=("$LP"); [ "$1" = cluster ] && ports=("${CLUSTER_PORTS[@]}")
  for p in "${ports[@]}"; do
    if redis-cli -p "$p" info replication 2>/dev/null | grep -q role:master; then redis-cli -p "$p" --scan --pattern 'o365:limit:*' 2>/dev/null || true; fi
  done | wc -l
}
cluster_spread() {  # the cluster's primaries: limiter keys and commands each served in the phase, as JSON
  local p role k c out=""
  for p in "${CLUSTER_PORTS[@]}"; do
    role=$(redis-cli -p "$p" info replication 2>/dev/null | tr -d '\r' | awk -F: '/^role:/{print $2}')
    [ "$role" = master ] || continue
    k=$( (redis-cli -p "$p" --scan --pattern 'o365:limit:*' 2>/dev/null || true) | wc -l)
    c=$(redis-cli -p "$p" info stats 2>/dev/null | tr -d '\r' | awk -F: '/^total_commands_processed:/{print $2}')
    out="$out${out:+, }\"$p\": {\"limiter_keys\": $k, \"commands\": ${c:-0}}"
  done
  echo "{\"cluster_primaries\": {$out}}"
}
leases() {  # "mailbox-key lease-id expiry-ms" of every lease in the limiter's Redis
  redis-cli -p "$LP" --scan --pattern 'o365:limit:*:leases' 2>/dev/null | while read -r k; do
    redis-cli -p "$LP" zrange "$k" 0 -1 withscores | paste - - | sed "s#^#$k #"
  done
}
fault() {  # phase t_start: the phase's fault, in the background; writes $LOGS/$phase.fault.json
  local phase=$1 t0=$2 f="$LOGS/$1.fault.json"
  case "$phase" in
    kill)
      sleep 3
      # SIGKILL a worker of host 1; if the emulator saw no request abandoned by it (the
      # worker was between two sends), the next one, until one dies mid-send (5 tries).
      local victim k tries=0 abandoned=0
      while [ "$tries" -lt 5 ] && [ "$abandoned" -eq 0 ]; do
        victim=$(pgrep -g "${HOST_PGIDS[0]}" -f 'artisan.php queue:work' | grep -vx "${HOST_PGIDS[0]}" | head -1)
        k=$(now_ms); kill -KILL "$victim"; tries=$((tries + 1))
        sleep 1
        abandoned=$(curl -s "$EMU_URL/_emulator/requests" | php -r '$a = json_decode(stream_get_contents(STDIN), true); echo count(array_filter($a, fn ($r) => $r["abandoned"] && $r["time_ms"] >= (int) $argv[1] - 1000));' "$k")
      done
      sleep 1.5
      # A lease granted before the kill and still held 2.5 s later (requests take ~0.1 s)
      # is the dead worker's: it expires at its score, at most the lease after the kill.
      local dead; dead=$(leases | awk -v k="$k" -v l="$LEASE_MS" '$3 ~ /^[0-9]+$/ && $3 - l < k {printf "%s%.0f", (n++ ? "," : ""), $3 - k}')
      echo "{\"workers_killed\": $tries, \"killed_mid_send_at_ms\": $((k - t0)), \"requests_abandoned\": $abandoned, \"dead_leases_expire_after_kill_ms\": [${dead}], \"lease_ms\": $LEASE_MS}" > "$f" ;;
    redis-down)
      sleep 3
      local k; k=$(now_ms); redis-cli -p "$LP" shutdown nosave >/dev/null 2>&1 || true
      echo "{\"limiter_redis_stopped_at_ms\": $((k - t0))}" > "$f" ;;
    storm)
      sleep 2
      curl -s -X POST "$EMU_URL/_emulator/faults" -H 'Content-Type: application/json' -d '{"match": {"mailbox": "m1@contoso.com"}, "status": 429, "retry_after": 5}' >/dev/null
      sleep 10
      curl -s -X DELETE "$EMU_URL/_emulator/faults" >/dev/null
      echo '{"storm": "m1@contoso.com, 429 Retry-After 5 from 2 s to 12 s"}' > "$f" ;;
    *) echo '{}' > "$f" ;;
  esac
}
run_phase() {
  local phase=$1 limiter=1; [ "$phase" = without ] && limiter=""; [ "$phase" = cluster ] && limiter=cluster
  local run; run="$phase-$(date +%s)"; local log="$LOGS/$phase.log"; : > "$log"
  redis-cli -p "$LP" ping >/dev/null 2>&1 || start_redis "$LP"
  redis-cli -p "$QP" flushall >/dev/null; redis-cli -p "$LP" flushall >/dev/null
  for p in "${CLUSTER_PORTS[@]:-}"; do [ -n "$p" ] && { redis-cli -p "$p" flushall >/dev/null 2>&1 || true; redis-cli -p "$p" config resetstat >/dev/null 2>&1 || true; }; done   # replicas refuse flushall: READONLY
  curl -s -X POST "$EMU_URL/_emulator/reset" >/dev/null
  export FLEET_LIMITER="$limiter" FLEET_LOG="$log"
  HOST_PGIDS=()
  for h in $(seq "$H"); do
    # A host: its own process group (session) of W workers, in its own network namespace.
    local netns=(); [ ${#HOST_NS[@]} -gt 0 ] && netns=(ip netns exec "${HOST_NS[$((h - 1))]}")
    FLEET_HOST="h$h" "${netns[@]}" setsid bash -c 'for w in $(seq '"$W"'); do "$@" & done; wait' fleet-host \
      "${PHP[@]}" bench/fleet/artisan.php queue:work redis --queue=fleet --sleep=0 --timeout=120 --memory=1024 2>>"$log" >/dev/null &
    HOST_PGIDS+=($!)
  done
  # Every worker connected to the queue's Redis: ready.
  for _ in $(seq 300); do
    [ "$(redis-cli -p "$QP" client list | grep -c 'cmd=blpop\|cmd=brpop\|cmd=eval' || true)" -ge $((H * W)) ] && break; sleep 0.1
  done
  local t0; t0=$(now_ms); local cpu0; cpu0=$(busy_idle)
  "${PHP[@]}" bench/fleet/dispatch.php "$run" "$N" "$M"
  fault "$phase" "$t0" & local fpid=$!
  local deadline=$(( $(date +%s) + PHASE_TIMEOUT ))
  sleep 1
  while [ "$(remaining)" -gt 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
  wait "$fpid" 2>/dev/null || true
  local t1; t1=$(now_ms); local cpu1; cpu1=$(busy_idle)
  # CPU: the whole machine's busy share during the phase (2 cores, shared with whatever
  # else runs), and the workers' own CPU time per mail (boot included).
  local ticks=0 p; for p in "${HOST_PGIDS[@]}"; do ticks=$((ticks + $(group_ticks "$p"))); done
  local busy; busy=$(echo "$cpu0 $cpu1" | awk '{b = $3 - $1; i = $4 - $2; printf "%d", 100 * b / (b + i)}')
  # Keys the shared limiter wrote (0: it was not used, or its Redis is down).
  local keys; keys=$(limiter_keys "$phase")
  if [ "$phase" = cluster ]; then cluster_spread > "$LOGS/$phase.fault.json"; fi   # its fault file is {}
  php -r '$f = json_decode(file_get_contents($argv[1]), true) ?: []; file_put_contents($argv[1], json_encode(["limiter_redis_keys" => (int) $argv[2], "machine_cpu_busy_percent" => (int) $argv[3], "worker_cpu_ms_per_mail" => round(10 * (int) $argv[4] / (int) $argv[5], 1)] + $f));' "$LOGS/$phase.fault.json" "$keys" "$busy" "$ticks" "$N"
  for p in "${HOST_PGIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${HOST_PGIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  HOST_PGIDS=()
  php bench/fleet/report.php "$phase" "$run" "$EMU_URL" "$N" "$M" "$LAT" "$t0" "$t1" "$log" "$(cat "$LOGS/$phase.fault.json")" | tee -a "$OUT/${RESULTS}.jsonl"
}

RESULTS=${FLEET_RESULTS:-fleet}   # bench/results/${RESULTS}.md and .jsonl
: > "$OUT/${RESULTS}.jsonl"
for phase in $PHASES; do
  say "phase $phase"
  run_phase "$phase"
done
php bench/fleet/table.php "$OUT/${RESULTS}.jsonl" "$H" "$W" "$LAT" "${FLEET_WINDOW:-10000/10m}" > "$OUT/${RESULTS}.md"
cat "$OUT/${RESULTS}.md"
