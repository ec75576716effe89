#!/bin/sh
# Builds espy's inert sample ESP DLLs with Debian's mingw-w64 (x86_64-w64-mingw32-gcc 12,
# binutils dlltool/windres) into scripts/samples/dlls/out/. The binaries are committed
# (CI has no cross compiler); `npm run samples` copies them into the sample hosts.
# Deterministic: fixed flags, no PE timestamp, fixed image base (auto image base hashes the
# output path), no build paths, stripped; run twice and
# compare (`sh build.sh --check` does exactly that).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC="$HERE/src"
OUT="${OUT:-$HERE/out}"
CC=x86_64-w64-mingw32-gcc
DLLTOOL=x86_64-w64-mingw32-dlltool
WINDRES=x86_64-w64-mingw32-windres

if [ "${1:-}" = "--check" ]; then
  A=$(mktemp -d); B=$(mktemp -d)
  OUT="$A" sh "$0"; OUT="$B" sh "$0"
  if cmp -s "$A/maggie-like.dll" "$B/maggie-like.dll" && diff -r "$A" "$B" >/dev/null && diff -r -x '*.signed.dll' "$A" "$HERE/out" >/dev/null; then
    echo "deterministic: two builds are byte-identical and match out/"; rm -rf "$A" "$B"; exit 0
  fi
  echo "NOT deterministic or out/ is stale: compare $A $B $HERE/out" >&2; exit 1
fi

mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
cp "$SRC"/* .
# Import library for opends60.dll from our .def (no Microsoft files needed).
$DLLTOOL --input-def opends60.def --dllname opends60.dll --output-lib libopends60.a

CFLAGS="-O2 -s -shared -fno-ident -Wall -Wextra -Werror -Wno-cast-qual -ffile-prefix-map=$WORK=. \
  -Wl,--no-insert-timestamp -Wl,--disable-auto-image-base -Wl,--enable-stdcall-fixup -Wl,--kill-at"

# build <out name> <description> <major> <minor> <build> <rev> <c source> [defines...]
# Optional environment: COMPANY and PRODUCT (version-resource claims), ORIGINAL (original file name).
build() {
  name=$1; desc=$2; maj=$3; min=$4; bld=$5; rev=$6; src=$7; shift 7
  company=${COMPANY:-espy sample fixture (not Microsoft)}; product=${PRODUCT:-espy sample hosts}; original=${ORIGINAL:-$name}
  $WINDRES -DVER_MAJ="$maj" -DVER_MIN="$min" -DVER_BLD="$bld" -DVER_REV="$rev" \
    -DVER_NAME="\\\"$original\\\"" -DVER_DESC="\\\"$desc\\\"" \
    -DVER_COMPANY="\\\"$company\\\"" -DVER_PRODUCT="\\\"$product\\\"" -i version.rc -o "ver-$name.o"
  # shellcheck disable=SC2086
  $CC $CFLAGS "$@" -o "$OUT/$name" "$src" "ver-$name.o" -L. -lopends60
}

build maggie-like.dll "Extended stored procedure (espy sample, inert)" 1 0 0 1 maggie-like.c
build dbmaint64.dll "Database maintenance helper (espy sample, inert)" 2 1 7 0 renamed.c
build xpstar.dll "SQL Server XP star stand-in (espy sample, inert)" 2017 140 1000 169 benign.c -DESPY_XPSTAR
build xplog70.dll "SQL Server XP log stand-in (espy sample, inert)" 2017 140 1000 169 benign.c -DESPY_XPLOG70
build xpsqlbot.dll "SQL Server XP bot stand-in (espy sample, inert)" 2017 140 1000 169 benign.c -DESPY_XPSQLBOT
build xpstar-2016.dll "SQL Server XP star stand-in (espy sample, inert)" 2015 130 1601 5 benign.c -DESPY_XPSTAR
build xplog70-2016.dll "SQL Server XP log stand-in (espy sample, inert)" 2015 130 1601 5 benign.c -DESPY_XPLOG70
build xpsqlbot-2016.dll "SQL Server XP bot stand-in (espy sample, inert)" 2015 130 1601 5 benign.c -DESPY_XPSQLBOT
# Evasion samples, built unsigned here; signing/sign.sh signs them into out/*.signed.dll.
# The trojan claims Microsoft in its version resource, as a replaced Binn DLL would.
COMPANY='Microsoft Corporation' PRODUCT='Microsoft SQL Server' ORIGINAL=xpstar.dll \
  build xpstar-trojan.dll "SQL Server XP star (espy sample trojan, inert)" 2017 140 1000 169 benign.c -DESPY_XPSTAR
COMPANY='Contoso Ltd.' PRODUCT='Contoso SQL Audit' \
  build ctxaudit.dll "Contoso SQL audit extended procedures (espy sample, inert)" 3 2 0 11 vendor.c
ls -l "$OUT"
