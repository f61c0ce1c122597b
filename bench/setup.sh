#!/usr/bin/env bash
# Installs what the benchmarks need on top of scripts/setup.sh (idempotent):
#  - Debian bookworm tools: wrk (load generator) and nginx-light (FastCGI front for php-fpm);
#  - a bench bed .build/bench/root: the Laravel 10 test bed plus Guzzle 7 and its PSR
#    packages from Debian trixie (extracted with dpkg -x, never installed), for the
#    PHP-userland baseline transport (Laravel's HTTP client needs Guzzle).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
BUILD="$ROOT/.build"
BED="$BUILD/bench"
L10="$BUILD/laravel10"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

scripts/setup.sh laravel10

missing=()
for p in wrk nginx-light php8.2-fpm valgrind time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing apt packages: ${missing[*]}"
  $SUDO apt-get update -qq || die "apt-get update failed"
  # Benchmarks start their own nginx and php-fpm on free ports: keep the system services
  # from starting on install (policy-rc.d 101 = "not allowed"), unless a policy exists.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d; policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { [ -n "$policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d; die "apt-get install ${missing[*]} failed"; }
  [ -n "$policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
else
  say "bench tools present (wrk, nginx, php-fpm, valgrind)"
fi

if [ -f "$BED/.complete" ] && [ "$BED/.complete" -nt "$L10/.complete" ]; then
  say "bench bed $BED present"; exit 0
fi

say "building the bench bed: Laravel 10 bed + Guzzle from trixie"
tx="$BUILD/apt-trixie"
[ -f "$tx/sources.list" ] || die "$tx/sources.list missing (scripts/setup.sh should have made it)"
opts=(-o "Dir::Etc::SourceList=$tx/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$tx/lists" -o "Dir::Cache=$tx/cache" -o Debug::NoLocking=1)
apt-cache show "${opts[@]}" php-guzzlehttp-guzzle >/dev/null 2>&1 || apt-get update -qq "${opts[@]}" \
  || die "apt-get update for trixie failed"

# Closure of php-guzzlehttp-guzzle over Architecture: all php-* packages, minus what the
# Laravel bed already has.
declare -A have=()
while read -r p; do have[$p]=1; done < "$L10/packages.txt"
declare -A seen=(); queue=(php-guzzlehttp-guzzle); pkgs=()
while [ ${#queue[@]} -gt 0 ]; do
  p="${queue[0]}"; queue=("${queue[@]:1}")
  [ -n "${seen[$p]:-}" ] && continue; seen[$p]=1
  [ -n "${have[$p]:-}" ] && continue
  arch=$(apt-cache show "${opts[@]}" "$p" 2>/dev/null | awk '/^Architecture:/ {print $2; exit}')
  [ "$arch" = all ] || continue
  case "$p" in php-common|php-json|php-curl|php-intl|php-mbstring|php-xml) continue;; esac
  pkgs+=("$p")
  while read -r dep; do
    case "$dep" in php-*) queue+=("$dep");; esac
  done < <(apt-cache depends "${opts[@]}" --no-recommends --no-suggests --no-conflicts \
             --no-breaks --no-replaces --no-enhances "$p" 2>/dev/null \
           | awk '/Depends:/ {gsub(/[<>]/,"",$2); print $2}')
done
say "${#pkgs[@]} extra packages: ${pkgs[*]}"
rm -rf "$BED"; mkdir -p "$BED/debs"
cp -a "$L10/root" "$BED/root"
(cd "$BED/debs" && apt-get download -qq "${opts[@]}" "${pkgs[@]}") || die "apt-get download failed"
for d in "$BED"/debs/*.deb; do dpkg -x "$d" "$BED/root" || die "dpkg -x $d failed"; done
rm -rf "$BED/debs"
# Re-root: the copied Laravel files name the laravel10 bed, the new ones /usr/share/php.
grep -rlZ -e "'$L10/root/usr/share/php/" -e "'/usr/share/php/" "$BED/root/usr/share/php" \
  | xargs -0 sed -i -e "s#'$L10/root/usr/share/php/#'$BED/root/usr/share/php/#g" \
                    -e "s#'/usr/share/php/#'$BED/root/usr/share/php/#g"
[ -f "$BED/root/usr/share/php/GuzzleHttp/autoload.php" ] || die "Guzzle autoloader missing in $BED"
{ cat "$L10/packages.txt"; printf '%s\n' "${pkgs[@]}"; } > "$BED/packages.txt"
touch "$BED/.complete"
say "bench bed ready: $BED"
