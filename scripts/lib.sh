# Shared helpers of the project's scripts (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export COMPOSER_ALLOW_SUPERUSER=1
say() { printf '\033[1m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*"; }
die() { printf '\033[31m[%s] FAILED:\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }

# Starts the emulator binary $1 with the remaining args; sets EMULATOR_URL and
# EMULATOR_PID and stops it when the calling script exits.
start_emulator() {
  local bin="$1"; shift
  local out; out=$(mktemp)
  "$bin" --listen 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
  EMULATOR_PID=$!
  trap 'kill $EMULATOR_PID 2>/dev/null; wait $EMULATOR_PID 2>/dev/null; rm -f "'"$out"'" "'"$out"'.err"' EXIT
  for _ in $(seq 1 100); do
    EMULATOR_URL=$(head -n1 "$out" 2>/dev/null || true)
    [ -n "$EMULATOR_URL" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || die "the emulator exited: $(cat "$out.err")"
    sleep 0.1
  done
  [ -n "$EMULATOR_URL" ] || die "the emulator did not print its base URL within 10 s"
  export EMULATOR_URL
}
