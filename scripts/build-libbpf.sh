#!/usr/bin/env bash
# Builds libbpf, with libelf and zlib linked in, as ONE self-contained shared object that the
# flametui executable embeds and dlopen()s: its only DT_NEEDED entry is glibc (libc.so.6).
# Everything comes from Debian's source packages (apt-get source; needs deb-src and dpkg-dev).
#
#   scripts/build-libbpf.sh [--arch x64|arm64] [--out FILE]
#
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
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -j) JOBS="$2"; shift 2 ;;
    *) echo "usage: $0 [--arch x64|arm64] [--out FILE] [-j N]" >&2; exit 2 ;;
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

# Source package versions: the candidate versions apt would fetch (policy of the configured mirror).
srcver() { apt-cache showsrc "$1" 2>/dev/null | awk '/^Version:/ {print $2}' | sort -V | tail -1; }
V_LIBBPF="$(srcver libbpf)"; V_ELF="$(srcver elfutils)"; V_ZLIB="$(srcver zlib)"
if [ -z "$V_LIBBPF" ] || [ -z "$V_ELF" ] || [ -z "$V_ZLIB" ]; then
  echo "build-libbpf: apt has no source packages (enable deb-src in /etc/apt/sources.list.d/ and run apt-get update)" >&2
  exit 1
fi
KEY="libbpf=$V_LIBBPF elfutils=$V_ELF zlib=$V_ZLIB arch=$ARCH cc=$($CC -dumpversion) script=$(sha256sum "$0" | cut -c1-16)"
STAMP="$OUT.stamp"
if [ -f "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ]; then
  echo "build-libbpf: up to date ($KEY)"
  exit 0
fi
echo "build-libbpf: building $OUT ($KEY)"
T0=$(date +%s)

# ---- sources (download once, shared by all architectures) ---------------------------------
fetch() { # package version -> directory of the unpacked, Debian-patched source
  local pkg="$1" ver="$2" dir="$SRC/$1-$2"
  if [ ! -f "$dir/.unpacked" ]; then
    rm -rf "$dir"
    (cd "$SRC" && apt-get source --download-only -qq "$pkg=$ver" >/dev/null 2>&1) || {
      echo "build-libbpf: apt-get source $pkg=$ver failed (is dpkg-dev installed and deb-src enabled?)" >&2; exit 1; }
    local dsc; dsc="$(ls "$SRC/${pkg}_${ver#*:}.dsc")"
    dpkg-source --no-check -x "$dsc" "$dir" >/dev/null
    touch "$dir/.unpacked"
  fi
  echo "$dir"
}
D_ZLIB="$(fetch zlib "$V_ZLIB")"
D_ELF="$(fetch elfutils "$V_ELF")"
D_LIBBPF="$(fetch libbpf "$V_LIBBPF")"

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
