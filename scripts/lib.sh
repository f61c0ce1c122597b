# Shared helpers of the project's scripts (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export COMPOSER_ALLOW_SUPERUSER=1
say() { printf '\033[1m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*"; }
die() { printf '\033[31m[%s] FAILED:\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }
# A TCP port free on loopback now (for servers the scripts start).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

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

# Prints the Debian mirror this machine's own apt sources use (deb822 *.sources or
# one-line *.list files; security and updates suites are skipped). The repository
# names no mirror host: a machine without a configured Debian source fails here.
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # One deb822 stanza per paragraph: take URIs of a stanza whose Suites are a release.
    uri=$(awk 'BEGIN{RS=""; FS="\n"}
      { u=""; s=""; t="";
        for (i=1;i<=NF;i++) { if ($i ~ /^URIs:/) u=$i; if ($i ~ /^Suites:/) s=$i; if ($i ~ /^Types:/) t=$i }
        if (t ~ /(^|[ \t])deb([ \t]|$)/ && s !~ /-security/ && u != "") { sub(/^URIs:[ \t]*/, "", u); split(u, a, /[ \t]+/); print a[1]; exit } }' "$f")
    [ -n "$uri" ] && { echo "${uri%/}"; return 0; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk '$1=="deb" { i=2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                           if ($(i+1) !~ /-security/) { print $i; exit } }' "$f")
    [ -n "$uri" ] && { echo "${uri%/}"; return 0; }
  done
  die "no Debian apt source is configured on this machine (looked in /etc/apt/sources.list and /etc/apt/sources.list.d/): add your Debian mirror there (e.g. a deb822 file with 'URIs: <mirror>/debian'), then run again"
}

# The systems the scripts can set up (the ones the project is tested on), each with its
# distribution's PHP. Sets PLATFORM (e.g. "Debian 13 (trixie)") and PLATFORM_PHP (8.2 or
# 8.4); anywhere else stops with what is supported and what to run instead.
# O365_OS_RELEASE names another os-release file (tests).
detect_platform() {
  local f="${O365_OS_RELEASE:-/etc/os-release}" id="" codename="" pretty=""
  [ -r "$f" ] && { id=$(. "$f"; echo "${ID:-}"); codename=$(. "$f"; echo "${VERSION_CODENAME:-}"); pretty=$(. "$f"; echo "${PRETTY_NAME:-}"); }
  case "$id:$codename" in
    debian:bookworm) PLATFORM="Debian 12 (bookworm)"; PLATFORM_PHP=8.2;;
    debian:trixie) PLATFORM="Debian 13 (trixie)"; PLATFORM_PHP=8.4;;
    debian:forky) PLATFORM="Debian forky (testing)"; PLATFORM_PHP=8.4;;
    *) die "$(basename "$0") sets up Debian 12 (PHP 8.2), Debian 13 trixie and Debian forky (PHP 8.4) only, and this is ${pretty:-an unknown system ($f)}: install the extension for your PHP with \`make install\` (or PIE / phpize, README section 1) and run the emulator from its release archive (README, Local development)";;
  esac
}

# The oldest Rust that builds the extension with Cargo.lock's crates: darling (ext-php-rs's
# macros) and time (x509-parser) declare rust-version 1.88. Debian 13's rustc 1.85 is older;
# forky's 1.97 builds it.
RUST_MIN=1.88

# Prints how to get cargo here: the distribution's cargo and rustc packages when apt
# offers them new enough (RUST_MIN), else rustup.
cargo_hint() {
  local need=$RUST_MIN cand minor
  cand=$(apt-cache policy rustc 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
  minor=$(printf '%s' "$cand" | sed -n 's/^\([0-9]*:\)\{0,1\}1\.\([0-9]*\)\..*/\2/p')
  if [ -n "$minor" ] && [ "$minor" -ge "${need#1.}" ]; then
    echo "install your distribution's Rust (apt-get install cargo rustc: $cand, new enough for the $need this needs) or rustup (https://rustup.rs)"
  else
    local old=""; [ -n "$cand" ] && old="; the rustc package here ($cand) is too old"
    echo "install the Rust toolchain, $need or newer, with rustup (https://rustup.rs: curl --proto '=https' -sSf https://sh.rustup.rs | sh)$old"
  fi
}
