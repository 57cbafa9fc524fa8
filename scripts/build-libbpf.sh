#!/usr/bin/env bash
# Builds libbpf, with libelf and zlib linked in, as ONE self-contained shared object that the
# flametui executable embeds and dlopen()s: its only DT_NEEDED entry is glibc (libc.so.6).
# Everything comes from Debian's source packages (apt-get source; needs deb-src and dpkg-dev).
#
#   scripts/build-libbpf.sh [--arch x64|arm64] [--out FILE] [--print-versions]
#
# --print-versions fetches the sources (or finds them fetched) and prints the versions chosen.
# Exit code 3: no source package could be fetched (build.ts falls back to the system libbpf).
# Default output: dist/libbpf/<arch>/libbpf-flametui.so. The result is cached: it is rebuilt only
# when the Debian source versions or this script change (stamp next to the output).
# Why not Debian's libelf.a: libelf-dev ships a non-PIC archive, which cannot go into a shared
# object; so libelf (elfutils) and zlib are compiled here with -fPIC into static archives and
# linked into libbpf's -fPIC objects with libbpf's own version script (only its API is exported).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ARCH="x64"
OUT=""
JOBS="$(nproc 2>/dev/null || echo 2)"
PRINT_VERSIONS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -j) JOBS="$2"; shift 2 ;;
    --print-versions) PRINT_VERSIONS=1; shift ;;
    *) echo "usage: $0 [--arch x64|arm64] [--out FILE] [-j N] [--print-versions]" >&2; exit 2 ;;
  esac
done

case "$ARCH" in
  x64) TRIPLE="x86_64-linux-gnu"; DEB_ARCH="amd64" ;;
  arm64) TRIPLE="aarch64-linux-gnu"; DEB_ARCH="arm64" ;;
  *) echo "build-libbpf: unsupported arch $ARCH (x64 or arm64)" >&2; exit 2 ;;
esac
HOST_TRIPLE="$(gcc -dumpmachine 2>/dev/null || echo unknown)"
if [ "$HOST_TRIPLE" = "$TRIPLE" ]; then
  CC="${CC:-gcc}"; AR="${AR:-ar}"; HOST_FLAG=()
else
  CC="${CC:-$TRIPLE-gcc}"; AR="${AR:-$TRIPLE-ar}"; HOST_FLAG=(--host="$TRIPLE")
  command -v "$CC" >/dev/null || {
    echo "build-libbpf: cross compiler $CC not found (apt install gcc-$TRIPLE libc6-dev-$DEB_ARCH-cross)" >&2; exit 1; }
fi

OUT="${OUT:-$ROOT/dist/libbpf/$ARCH/libbpf-flametui.so}"
WORK="${FLAMETUI_LIBBPF_WORK:-$ROOT/dist/.libbpf-build}/$ARCH"
SRC="${FLAMETUI_LIBBPF_WORK:-$ROOT/dist/.libbpf-build}/src"
mkdir -p "$WORK" "$SRC" "$(dirname "$OUT")"

# ---- source versions ------------------------------------------------------------------------
# A mirror can list a source version (a security update, say) that it answers 404 for, so each
# package is fetched by trying, in order: the source version of the installed binary package,
# then every version `apt-cache showsrc` lists, newest first. Exit code 3 means no source at all
# could be had (build.ts then builds with the system libbpf and says so).
NO_SOURCE=3
installed_src() { # binary package -> source version of the installed copy ("" if not installed)
  dpkg-query -W -f='${db:Status-Abbrev} ${source:Version}\n' "$1" 2>/dev/null | awk '$1 == "ii" {print $2}'
}
candidates() { # source package, binary package -> versions to try, one per line, no repeats
  { installed_src "$2"; apt-cache showsrc "$1" 2>/dev/null | awk '/^Version:/ {print $2}' | sort -Vru; } | awk 'NF && !seen[$0]++'
}
fetch() { # source package, binary package -> directory of the unpacked, Debian-patched source
  local pkg="$1" bin="$2" ver dir tried=() versions
  versions="$(candidates "$pkg" "$bin")"
  if [ -z "$versions" ]; then
    echo "build-libbpf: apt knows no source package $pkg (enable deb-src in /etc/apt/sources.list.d/ and run apt-get update)" >&2
    return "$NO_SOURCE"
  fi
  for ver in $versions; do
    dir="$SRC/$pkg-$ver"
    if [ ! -f "$dir/.unpacked" ]; then
      rm -rf "$dir"
      if ! (cd "$SRC" && apt-get source --download-only -qq "$pkg=$ver" >/dev/null 2>&1); then
        tried+=("$ver")
        echo "build-libbpf: apt-get source $pkg=$ver failed, trying the next version" >&2
        continue
      fi
      dpkg-source --no-check -x "$SRC/${pkg}_${ver#*:}.dsc" "$dir" >/dev/null || { tried+=("$ver (unpack failed)"); continue; }
      touch "$dir/.unpacked"
    fi
    echo "$ver $dir"
    return 0
  done
  echo "build-libbpf: no source of $pkg could be fetched; tried: ${tried[*]} (is the mirror reachable and dpkg-dev installed?)" >&2
  return "$NO_SOURCE"
}
read -r V_ZLIB D_ZLIB < <(fetch zlib zlib1g || echo FAIL) && [ "$V_ZLIB" != FAIL ] || exit "$NO_SOURCE"
read -r V_ELF D_ELF < <(fetch elfutils libelf1 || echo FAIL) && [ "$V_ELF" != FAIL ] || exit "$NO_SOURCE"
read -r V_LIBBPF D_LIBBPF < <(fetch libbpf libbpf1 || echo FAIL) && [ "$V_LIBBPF" != FAIL ] || exit "$NO_SOURCE"
if [ -n "$PRINT_VERSIONS" ]; then echo "libbpf=$V_LIBBPF elfutils=$V_ELF zlib=$V_ZLIB"; exit 0; fi

KEY="libbpf=$V_LIBBPF elfutils=$V_ELF zlib=$V_ZLIB arch=$ARCH cc=$($CC -dumpversion) script=$(sha256sum "$0" | cut -c1-16)"
STAMP="$OUT.stamp"
if [ -f "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ]; then
  echo "build-libbpf: up to date ($KEY)"
  exit 0
fi
echo "build-libbpf: building $OUT ($KEY)"
T0=$(date +%s)

PIC="$WORK/pic"         # static PIC archives and their headers
rm -rf "$PIC" && mkdir -p "$PIC/include" "$PIC/lib"
PIC_CFLAGS="-O2 -g -fPIC -fvisibility=hidden -fno-semantic-interposition"

# ---- zlib -> libz.a (-fPIC) ---------------------------------------------------------------
B="$WORK/zlib"; rm -rf "$B"; cp -a "$D_ZLIB" "$B"
(cd "$B" && CC="$CC" AR="$AR" CFLAGS="$PIC_CFLAGS" ./configure --static >/dev/null && make -s -j"$JOBS" libz.a >/dev/null)
cp "$B/libz.a" "$PIC/lib/"; cp "$B/zlib.h" "$B/zconf.h" "$PIC/include/"

# ---- elfutils: only libelf (and its helper lib libeu) -> libelf.a, libeu.a (-fPIC) -------
B="$WORK/elfutils"; rm -rf "$B"; cp -a "$D_ELF" "$B"
(cd "$B" && CC="$CC" CFLAGS="-O2 -g" CPPFLAGS="-I$PIC/include" LDFLAGS="-L$PIC/lib" \
  ./configure "${HOST_FLAG[@]}" --disable-debuginfod --disable-libdebuginfod --without-bzlib --without-lzma \
    --without-zstd --disable-nls --disable-symbol-versioning >"$WORK/elfutils-configure.log" 2>&1) || {
  echo "build-libbpf: elfutils configure failed, see $WORK/elfutils-configure.log" >&2; tail -20 "$WORK/elfutils-configure.log" >&2; exit 1; }
(cd "$B" && make -s -j"$JOBS" -C lib libeu.a >/dev/null && make -s -j"$JOBS" -C libelf libelf_pic.a >/dev/null)
cp "$B/libelf/libelf_pic.a" "$PIC/lib/libelf.a"; cp "$B/lib/libeu.a" "$PIC/lib/libeu.a"
cp "$B/libelf/libelf.h" "$B/libelf/gelf.h" "$B/libelf/nlist.h" "$PIC/include/"
[ -f "$B/libelf/elf.h" ] && cp "$B/libelf/elf.h" "$PIC/include/" || true

# ---- libbpf: its own -fPIC, -fvisibility=hidden objects (sharedobjs), then one link -------
B="$WORK/libbpf"; rm -rf "$B"; cp -a "$D_LIBBPF" "$B"
# (make also links its own libbpf.so against the PIC archives; only its objects are used here)
make -s -j"$JOBS" -C "$B/src" CC="$CC" AR="$AR" NO_PKG_CONFIG=1 OBJDIR="$B/obj" \
  EXTRA_CFLAGS="-I$PIC/include" EXTRA_LDFLAGS="-L$PIC/lib" >"$WORK/libbpf-make.log" 2>&1 || true
ls "$B"/obj/sharedobjs/*.o >/dev/null 2>&1 || { echo "build-libbpf: libbpf objects missing, see $WORK/libbpf-make.log" >&2; tail -20 "$WORK/libbpf-make.log" >&2; exit 1; }

# Identity of this build, readable from the loaded library (flametui --version shows it).
INFO="libbpf $V_LIBBPF, elfutils $V_ELF, zlib $V_ZLIB (Debian source packages, $ARCH)"
cat >"$WORK/flametui-info.c" <<EOF
__attribute__((visibility("default"))) const char *flametui_libbpf_build(void) { return "$INFO"; }
EOF
$CC $PIC_CFLAGS -c "$WORK/flametui-info.c" -o "$WORK/flametui-info.o"
# libbpf's version script (exports only its API, everything else local) plus our one symbol.
LAST_NODE="$(grep -Eo '^LIBBPF_[0-9.]+' "$B/src/libbpf.map" | tail -1)"
{ cat "$B/src/libbpf.map"; printf '\nFLAMETUI_1 {\n\tglobal:\n\t\tflametui_libbpf_build;\n} %s;\n' "$LAST_NODE"; } >"$WORK/libbpf-flametui.map"

TMP="$OUT.tmp"
$CC -shared -o "$TMP" "$B"/obj/sharedobjs/*.o "$WORK/flametui-info.o" \
  -Wl,--version-script="$WORK/libbpf-flametui.map" -Wl,-soname,libbpf-flametui.so \
  -Wl,-Bsymbolic -Wl,-z,defs -Wl,-z,now -Wl,-z,relro -Wl,--as-needed -static-libgcc \
  -L"$PIC/lib" -Wl,-Bstatic -lelf -leu -lz -Wl,-Bdynamic
"${TRIPLE}-strip" --strip-unneeded "$TMP" 2>/dev/null || strip --strip-unneeded "$TMP" 2>/dev/null || true

# Only glibc may be needed at run time.
NEEDED="$(readelf -d "$TMP" | awk '/NEEDED/ {gsub(/[\[\]]/, "", $5); print $5}' | sort -u | tr '\n' ' ')"
for lib in $NEEDED; do
  case "$lib" in
    libc.so.6|ld-linux-*) ;;
    *) echo "build-libbpf: unexpected DT_NEEDED $lib (need only glibc)" >&2; exit 1 ;;
  esac
done
mv "$TMP" "$OUT"
echo "$KEY" >"$STAMP"
echo "build-libbpf: $OUT ($(stat -c %s "$OUT") bytes, needs: $NEEDED) in $(( $(date +%s) - T0 )) s"
