dnl config.m4 of the o365 extension, for `phpize && ./configure && make && make install`
dnl (the path PIE and PECL-style tools take). The extension is the Rust crate crates/ext:
dnl configure finds cargo and the PHP whose phpize/php-config is used, and `make` runs
dnl cargo against that PHP (ext-php-rs reads the PHP and PHP_CONFIG variables) and puts
dnl the result at modules/o365.so, where `make install` and PIE expect it.

PHP_ARG_ENABLE([o365],
  [whether to enable o365 (Microsoft 365 mail through Microsoft Graph)],
  [AS_HELP_STRING([--enable-o365], [Build the o365 extension (default: yes)])],
  [yes], [no])

PHP_ARG_WITH([cargo],
  [for an explicit cargo (--with-cargo)],
  [AS_HELP_STRING([--with-cargo=PATH], [cargo of the Rust toolchain (default: cargo in PATH, then ~/.cargo/bin/cargo)])],
  [no], [no])

if test "$PHP_O365" != "no"; then
  o365_srcdir=`cd "$srcdir" && pwd`
  o365_workspace=`cd "$o365_srcdir/.." && pwd`
  if test ! -f "$o365_workspace/crates/ext/Cargo.toml"; then
    AC_MSG_ERROR([the o365 sources are not next to this config.m4 (expected $o365_workspace/crates/ext/Cargo.toml)])
  fi

  dnl The oldest Rust that builds Cargo.lock's crates (darling, time: rust-version 1.88).
  o365_rust_min=88
  dnl Where to get it: the distribution's packages when apt offers them new enough
  dnl (Debian forky: 1.97; Debian 13's 1.85 is too old), else rustup.
  o365_rust_hint="install the Rust toolchain, 1.$o365_rust_min or newer, with rustup (https://rustup.rs: curl --proto '=https' -sSf https://sh.rustup.rs | sh)"
  o365_apt_rustc=`apt-cache policy rustc 2>/dev/null | $AWK '/Candidate:/ {print $2; exit}'`
  o365_apt_minor=`echo "$o365_apt_rustc" | sed -n 's/^1\.\([[0-9]]*\)\..*/\1/p'`
  if test -n "$o365_apt_minor" && test "$o365_apt_minor" -ge "$o365_rust_min"; then
    o365_rust_hint="install your distribution's Rust (apt-get install cargo rustc: $o365_apt_rustc is new enough) or rustup (https://rustup.rs)"
  fi

  AC_MSG_CHECKING([for cargo (Rust toolchain)])
  O365_CARGO=""
  if test "$PHP_CARGO" != "no" && test "$PHP_CARGO" != "yes"; then
    O365_CARGO="$PHP_CARGO"
  elif command -v cargo >/dev/null 2>&1; then
    O365_CARGO=`command -v cargo`
  elif test -x "$HOME/.cargo/bin/cargo"; then
    O365_CARGO="$HOME/.cargo/bin/cargo"
  fi
  if test -z "$O365_CARGO" || ! "$O365_CARGO" --version >/dev/null 2>&1; then
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([o365 is written in Rust and needs cargo: $o365_rust_hint; or name cargo with --with-cargo=PATH; then run ./configure again])
  fi
  AC_MSG_RESULT([$O365_CARGO])

  AC_MSG_CHECKING([for Rust 1.$o365_rust_min or newer])
  o365_rustc=`dirname "$O365_CARGO"`/rustc
  test -x "$o365_rustc" || o365_rustc=rustc
  o365_rust_version=`"$o365_rustc" --version 2>/dev/null | $AWK '{print $2}'`
  o365_rust_minor=`echo "$o365_rust_version" | $AWK -F. '{print $2}'`
  if test -z "$o365_rust_minor" || test "$o365_rust_minor" -lt "$o365_rust_min"; then
    AC_MSG_RESULT([no ($o365_rust_version)])
    AC_MSG_ERROR([o365 needs Rust 1.$o365_rust_min or newer (found '$o365_rust_version'): with rustup run `rustup update stable`, else $o365_rust_hint])
  fi
  AC_MSG_RESULT([$o365_rust_version])

  dnl ext-php-rs generates its PHP bindings with bindgen, which loads libclang.
  AC_MSG_CHECKING([for libclang (bindgen)])
  if test -n "$LIBCLANG_PATH" || ldconfig -p 2>/dev/null | grep -q 'libclang[[-.0-9]]*\.so'; then
    AC_MSG_RESULT([yes])
  else
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([building o365 needs libclang (ext-php-rs generates its PHP bindings with bindgen): install clang and libclang-dev (Debian/Ubuntu: apt-get install clang libclang-dev; Fedora/RHEL: dnf install clang-devel), or set LIBCLANG_PATH])
  fi

  dnl ext-php-rs wants absolute paths to this PHP's php-config and binary.
  O365_PHP_CONFIG=`command -v "$PHP_CONFIG"`
  O365_PHP=`$PHP_CONFIG --php-binary 2>/dev/null`
  if test -z "$O365_PHP" || test ! -x "$O365_PHP"; then
    AC_MSG_ERROR([$PHP_CONFIG --php-binary names no PHP binary: install the PHP CLI of this PHP version])
  fi
  O365_CARGO_PROFILE=release
  O365_WORKSPACE="$o365_workspace"
  PHP_ADD_BUILD_DIR([modules])
  dnl No C sources: modules/o365.so is produced by the rule in Makefile.frag.
  PHP_MODULES="\$(phplibdir)/o365.so"
  PHP_SUBST(O365_CARGO)
  PHP_SUBST(O365_PHP)
  PHP_SUBST(O365_PHP_CONFIG)
  PHP_SUBST(O365_CARGO_PROFILE)
  PHP_SUBST(O365_WORKSPACE)
  PHP_ADD_MAKEFILE_FRAGMENT([$o365_srcdir/Makefile.frag], [$o365_srcdir], [`pwd`])
fi
