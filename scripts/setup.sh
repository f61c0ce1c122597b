#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test o365-sendmail. Knows the systems
# the project is tested on and their PHP (scripts/lib.sh detect_platform): Debian 12
# (PHP 8.2), Debian 13 trixie and forky (PHP 8.4); elsewhere it stops and says what to run.
#   demo       what `make demo` needs: the distribution's PHP toolchain + clang (bindgen for
#              ext-php-rs) and Laravel: on Debian 12 the laravel10 bed below, on Debian 13 /
#              forky Debian's own php-laravel-framework (10 / 13), installed by apt
# The test beds of `make test` (Debian 12 host), under .build/:
#   laravel10  the host's PHP 8.2 toolchain and Laravel 10 / Symfony Mailer 6.4 extracted
#              (never installed) from Debian trixie's packages
#   php8.4     a Debian forky root with PHP 8.4, Laravel 13, Symfony Mailer and Messenger 7.4
#              installed natively (scripts/root.sh)
#   php8.5     PHP 8.5 from Debian experimental added to that root
# Idempotent: every step checks whether its result is already there. Packages come from
# the Debian mirror of this machine's own apt sources.
# Usage: scripts/setup.sh [demo] [laravel10] [php8.4] [php8.5]   (default: the three beds)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD="$ROOT/.build"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
detect_platform
V=$PLATFORM_PHP

# The demo's packages; the test beds add the tools of `make test` (Debian 12 host).
DEMO_PKGS="php$V-cli php$V-dev php$V-curl php$V-mbstring php$V-xml clang libclang-dev composer"
[ "$V" = 8.2 ] || DEMO_PKGS+=" php-laravel-framework ca-certificates"
TEST_PKGS="php$V-sqlite3 php$V-fpm phpunit valgrind openssl mmdebstrap zip unzip redis-server"
APT_PKGS="$DEMO_PKGS $TEST_PKGS"

install_apt() {
  local missing=()
  for p in $APT_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then say "apt packages present"; return; fi
  say "installing apt packages: ${missing[*]}"
  $SUDO apt-get update -qq || die "apt-get update failed (is the Debian mirror reachable?)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# Prints the closure of the given packages over Architecture: all php-* packages (the
# pure-PHP libraries; arch-specific PHP runtimes are never taken from newer suites).
# One recursive apt-cache query and one batch `apt-cache show`: per-package queries
# took minutes.
resolve_closure() {
  local -n o=$1; shift
  local -A deps=() arch=() seen=()
  local cur="" line p=""
  while IFS= read -r line; do
    if [[ "$line" != " "* ]]; then cur="${line//[<>]/}"; deps[$cur]="${deps[$cur]:-}"; continue; fi
    if [[ "$line" =~ Depends:\ \<?([^ >]+)\>? ]]; then deps[$cur]+=" ${BASH_REMATCH[1]}"; fi
  done < <(apt-cache depends "${o[@]}" --recurse --no-recommends --no-suggests --no-conflicts \
             --no-breaks --no-replaces --no-enhances "$@")
  local names=()
  for k in "${!deps[@]}"; do [[ "$k" == php-* ]] && names+=("$k"); done
  while IFS= read -r line; do
    case "$line" in
      "Package: "*) p="${line#Package: }";;
      "Architecture: "*) arch[$p]="${line#Architecture: }";;
    esac
  done < <(apt-cache show "${o[@]}" "${names[@]}" 2>/dev/null)
  local queue=("$@")
  while [ ${#queue[@]} -gt 0 ]; do
    local q="${queue[0]}"; queue=("${queue[@]:1}")
    [ -n "${seen[$q]:-}" ] && continue; seen[$q]=1
    [ "${arch[$q]:-}" = all ] || continue
    # Meta packages that only pull arch-specific PHP runtimes or docs.
    case "$q" in php-common|php-uuid|php-mbstring|php-xml|php-curl|php-json) continue;; esac
    printf '%s\n' "$q"
    for d in ${deps[$q]:-}; do [[ "$d" == php-* ]] && queue+=("$d"); done
  done
}

# Resolve the closure of php-laravel-framework over Architecture: all php-* packages
# in a private apt configuration for suite $1, download and extract into $2.
extract_testbed() {
  local suite="$1" dest="$2" extra="$3"
  if [ -f "$dest/.complete" ]; then say "test bed $dest present"; return; fi
  local tx="$BUILD/apt-$suite"
  mkdir -p "$tx/lists/partial" "$tx/cache/archives/partial"
  local mirror; mirror=$(debian_mirror)
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$tx/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$tx/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$tx/lists" -o "Dir::Cache=$tx/cache" -o Debug::NoLocking=1)
  say "apt index for $suite"
  apt-get update -qq "${opts[@]}" || die "apt-get update for $suite failed"
  say "resolving the php-laravel-framework closure in $suite"
  local pkgs=()
  mapfile -t pkgs < <(resolve_closure opts php-laravel-framework $extra)
  [ ${#pkgs[@]} -gt 10 ] || die "could not resolve php-laravel-framework in $suite (${#pkgs[@]} packages)"
  say "${#pkgs[@]} packages; downloading"
  rm -rf "$dest"; mkdir -p "$dest/debs"
  (cd "$dest/debs" && apt-get download -qq "${opts[@]}" "${pkgs[@]}") || die "apt-get download from $suite failed"
  for d in "$dest"/debs/*.deb; do dpkg -x "$d" "$dest/root" || die "dpkg -x $d failed"; done
  # Debian's autoloaders require absolute /usr/share/php paths; point them into the bed
  # so that bookworm's own Symfony 5.4 under /usr/share/php is never loaded.
  grep -rlZ "'/usr/share/php/" "$dest/root/usr/share/php" \
    | xargs -0 sed -i "s#'/usr/share/php/#'$dest/root/usr/share/php/#g"
  [ -f "$dest/root/usr/share/php/Illuminate/autoload.php" ] || die "Laravel autoloader missing in $dest"
  rm -rf "$dest/debs"
  printf '%s\n' "${pkgs[@]}" > "$dest/packages.txt"
  touch "$dest/.complete"
  say "test bed ready: $dest (${#pkgs[@]} packages)"
}

beds=("$@"); [ ${#beds[@]} -gt 0 ] || beds=(laravel10 php8.4 php8.5)
[ "${beds[*]}" = demo ] && APT_PKGS="$DEMO_PKGS"
command -v cargo >/dev/null || die "cargo not found: $(cargo_hint), then run again"
install_apt
# The polyfilled Laravel 13 bed on PHP 8.2 of earlier versions (plain files, no mounts).
rm -rf "$BUILD/laravel13" "$BUILD/apt-forky"
for b in "${beds[@]}"; do
  case "$b" in
    demo) if [ "$V" = 8.2 ]; then extract_testbed trixie "$BUILD/laravel10" ""; else say "Laravel: Debian's php-laravel-framework $(dpkg-query -W -f '${Version}' php-laravel-framework)"; fi;;
    laravel10)
      [ "$V" = 8.2 ] || die "the test beds of make test are set up on a Debian 12 host (PHP 8.2); on $PLATFORM run make demo, or make test on Debian 12"
      extract_testbed trixie "$BUILD/laravel10" "";;
    php8.4) "$ROOT/scripts/root.sh" ensure 8.4;;
    php8.5) "$ROOT/scripts/root.sh" ensure 8.4 8.5;;
    *) die "unknown test bed $b (demo, laravel10, php8.4, php8.5)";;
  esac
done
say "done"
