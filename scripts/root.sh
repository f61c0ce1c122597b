#!/usr/bin/env bash
# The Debian forky root under .build/forky/root: real PHP 8.4 + Laravel 13 + Symfony
# Mailer 7.4 from Debian packages (installed natively, no polyfills), Symfony Messenger
# 7.4 (MessengerRetryTest: Messenger's retry of an unknown outcome) and, on request,
# PHP 8.5 from Debian experimental. The extension is built and tested there for the PHP
# versions the host (Debian 12, PHP 8.2) lacks.
#
#   scripts/root.sh ensure [8.5]   build the root if missing (cached; a half-made root is rebuilt)
#   scripts/root.sh run CMD...     run CMD in the root, in the current directory, with the checkout,
#                                  the Rust toolchain and /proc mounted at the host's paths
#   scripts/root.sh remove         delete the root (refuses while anything is mounted in it)
#
# Safety: the checkout, ~/.cargo and ~/.rustup are bind-mounted into the root while a
# command runs. Removing the root with those mounts live would delete them on the host,
# so every mount is undone in an EXIT trap (reverse order) and nothing under the root is
# ever deleted before findmnt shows no mount there.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FORKY="$ROOT/.build/forky"
CHROOT="$FORKY/root"
RUSTUP_DIR="${RUSTUP_HOME:-$HOME/.rustup}"
CARGO_DIR="${CARGO_HOME:-$HOME/.cargo}"
# What the root holds; changing it changes the cache key, which rebuilds the root.
PACKAGES="php8.4-cli,php8.4-dev,php8.4-fpm,php8.4-curl,php8.4-mbstring,php8.4-xml,php8.4-sqlite3,clang,libclang-dev,gcc,libc6-dev,php-laravel-framework,php-symfony-messenger,ca-certificates,composer,openssl,make"
PHP85_PACKAGES="php8.5-cli php8.5-dev php8.5-fpm php8.5-curl php8.5-mbstring php8.5-xml php8.5-sqlite3 php8.5-intl"
# mmdebstrap ignores the host's apt.conf.d: forky's Release would count as expired.
APTOPTS=(--aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Check-Date "false"'
         --aptopt='APT::Install-Recommends "false"')
# The base root is rebuilt when this key changes; packages added to PACKAGES later are
# installed into an existing root (ensure_packages) without rebuilding it.
KEY="forky|${APTOPTS[*]}|phpunit9-v1"

# Mount points under the root, deepest last (the order they are mounted in).
mounts_under() { findmnt -rn -o TARGET | awk -v p="$1/" 'index($0, p) == 1' | sort; }

unmount_all() {
  local m
  # Reverse order: nested mounts go first.
  for m in $(mounts_under "$1" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || die "could not unmount $m"
  done
  [ -z "$(mounts_under "$1")" ] || die "mounts remain under $1: $(mounts_under "$1" | tr '\n' ' ')"
}

# Deletes a root directory, only once nothing is mounted in it. --one-file-system is a
# second guard (it does not see same-filesystem bind mounts, hence the findmnt check).
remove_dir() {
  local dir="$1"
  [ -e "$dir" ] || return 0
  unmount_all "$dir"
  rm -rf --one-file-system "$dir"
}

with_lock() { exec 9>"$FORKY/.lock"; flock 9; }

# Bookworm's PHPUnit 9.6 (the suite's PHPUnit; forky's PHPUnit 13 rejects annotation-style
# tests), copied from the host's installed packages into /opt/phpunit9 of the root.
install_phpunit9() {
  local dest="$1/opt/phpunit9" pkgs
  [ -x /usr/bin/phpunit ] || die "the host's phpunit is missing: run scripts/setup.sh"
  mkdir -p "$dest"
  pkgs=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
           --no-breaks --no-replaces --no-enhances phpunit | grep -E '^(php-|phpunit)' | sort -u)
  # shellcheck disable=SC2086
  dpkg -L $pkgs 2>/dev/null | grep '^/usr/share/php/' | while read -r f; do
    [ -f "$f" ] && printf '%s\n' "${f#/usr/share/php/}"
  done | tar -C /usr/share/php -cf - -T - | tar -C "$dest" -xf -
  cp /usr/bin/phpunit "$dest/phpunit"
  [ -f "$dest/PHPUnit/Autoload.php" ] || die "could not copy PHPUnit 9 into the root"
}

# Prints those of the given packages that the root has not installed, one per line.
missing_packages() {
  local p
  for p in "$@"; do
    chroot "$CHROOT" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

# mmdebstrap leaves /etc/hosts out; every installed Debian has one, and `localhost` must
# resolve in the root as on a user's machine (the emulator's upload URLs use it).
ensure_hosts() {
  [ -s "$CHROOT/etc/hosts" ] && return
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$CHROOT/etc/hosts"
}

# Installs the packages of PACKAGES that an existing root lacks.
ensure_packages() {
  local missing
  # shellcheck disable=SC2086
  mapfile -t missing < <(missing_packages ${PACKAGES//,/ })
  [ ${#missing[@]} -eq 0 ] && return
  say "installing into the forky root: ${missing[*]}"
  run_in_root sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null" \
    || die "apt-get install ${missing[*]} in the forky root failed (see above)"
  chroot "$CHROOT" dpkg-query -W > "$FORKY/root.versions"
}

ensure_root() {
  mkdir -p "$FORKY"
  if [ -f "$FORKY/root.ok" ] && [ "$(cat "$FORKY/root.key" 2>/dev/null)" = "$KEY" ] && [ -x "$CHROOT/usr/bin/php8.4" ]; then
    ensure_packages
    ensure_hosts
    say "forky root present ($CHROOT)"
    return
  fi
  command -v mmdebstrap >/dev/null || die "mmdebstrap is missing: run scripts/setup.sh (apt-get install mmdebstrap)"
  local mirror; mirror=$(debian_mirror)
  # A root without its marker is half-made (interrupted build, or an older package set).
  rm -f "$FORKY/root.ok"
  remove_dir "$CHROOT"; remove_dir "$FORKY/root.partial"
  say "building the Debian forky root (PHP 8.4, Laravel 13) from $mirror (a few minutes, once)"
  local t0=$SECONDS
  mmdebstrap --quiet --variant=apt --mode=root "${APTOPTS[@]}" --include="$PACKAGES" \
    forky "$FORKY/root.partial" \
    "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror forky main" \
    || die "mmdebstrap of Debian forky from $mirror failed (see above)"
  install_phpunit9 "$FORKY/root.partial"
  mv "$FORKY/root.partial" "$CHROOT"
  printf '%s\n' "$KEY" > "$FORKY/root.key"
  chroot "$CHROOT" dpkg-query -W > "$FORKY/root.versions"
  ensure_hosts
  touch "$FORKY/root.ok"
  say "forky root ready in $((SECONDS - t0)) s: $(chroot "$CHROOT" php8.4 -r 'echo PHP_VERSION;'), Laravel $(chroot "$CHROOT" dpkg-query -W -f '${Version}' php-laravel-framework)"
}

# PHP 8.5 from Debian experimental, into the root (forky stops at 8.4). Afterwards the
# root's default `php` is 8.5: callers name php8.4 / php8.5 explicitly.
ensure_php85() {
  local missing
  # shellcheck disable=SC2086
  mapfile -t missing < <(missing_packages $PHP85_PACKAGES)
  if [ -f "$CHROOT/.o365-php85.ok" ] && [ ${#missing[@]} -eq 0 ]; then say "PHP 8.5 present in the forky root"; return; fi
  local mirror; mirror=$(debian_mirror) t0=$SECONDS
  say "installing PHP 8.5 from Debian experimental into the forky root: ${missing[*]}"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror experimental main" \
    > "$CHROOT/etc/apt/sources.list.d/experimental.list"
  # shellcheck disable=SC2086
  run_in_root sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t experimental --no-install-recommends ${missing[*]} >/dev/null" \
    || die "installing PHP 8.5 from Debian experimental failed (see above)"
  touch "$CHROOT/.o365-php85.ok"
  say "PHP 8.5 ready in $((SECONDS - t0)) s: $(chroot "$CHROOT" php8.5 -r 'echo PHP_VERSION;')"
}

# Runs a command in the root with everything a build and the tests need mounted at the
# host's paths; unmounts on every exit path.
run_in_root() {
  [ -f "$FORKY/root.ok" ] || die "the forky root is missing: run scripts/root.sh ensure"
  with_lock
  unmount_all "$CHROOT"           # left over by a killed run (we hold the lock)
  trap 'unmount_all "$CHROOT"' EXIT
  trap 'exit 130' INT TERM
  mount -t proc proc "$CHROOT/proc"
  [ -e "$CHROOT/dev/null" ] && [ -c "$CHROOT/dev/urandom" ] || mount --bind /dev "$CHROOT/dev"
  local d
  for d in "$ROOT" "$CARGO_DIR" "$RUSTUP_DIR"; do
    [ -d "$d" ] || continue
    mkdir -p "$CHROOT$d"
    mount --bind "$d" "$CHROOT$d"
  done
  [ -d "$CHROOT$RUSTUP_DIR" ] && mount -o remount,bind,ro "$CHROOT$RUSTUP_DIR"
  local status=0
  chroot "$CHROOT" /usr/bin/env -i -C "$PWD" \
    PATH="$CARGO_DIR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    HOME="$HOME" CARGO_HOME="$CARGO_DIR" RUSTUP_HOME="$RUSTUP_DIR" LANG=C.UTF-8 \
    TERM="${TERM:-dumb}" SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt "$@" || status=$?
  unmount_all "$CHROOT"
  trap - EXIT INT TERM
  return $status
}

[ "$(id -u)" = 0 ] || die "the forky root needs root privileges (mmdebstrap --mode=root, chroot, mount): run as root, or test the host's PHP only (O365_TEST_PHP=8.2 make test)"
cmd="${1:-}"; shift || true
case "$cmd" in
  ensure)
    mkdir -p "$FORKY"; ensure_root
    for v in "$@"; do
      case "$v" in 8.4) ;; 8.5) ensure_php85;; *) die "no PHP $v in the forky root (8.4, 8.5)";; esac
    done;;
  run) mkdir -p "$FORKY"; run_in_root "$@";;
  remove) mkdir -p "$FORKY"; with_lock; rm -f "$FORKY/root.ok"; remove_dir "$CHROOT"; remove_dir "$FORKY/root.partial"; say "forky root removed";;
  *) die "usage: scripts/root.sh ensure [8.5] | run CMD... | remove";;
esac
