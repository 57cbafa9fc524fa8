#!/usr/bin/env bash
# Release build, the same steps .github/workflows/release.yml runs, runnable locally on Debian 12
# as root:  scripts/release.sh [--arch x64|arm64] [--out DIR] [--install-deps] [--sums-only]
#
#   --arch          target architecture (default: this machine's); arm64 on an x64 host is a
#                   cross-build: bun's bun-linux-arm64 target, libbpf built with aarch64-linux-gnu-gcc,
#                   the BPF object with -D__TARGET_ARCH_arm64, OpenTUI's @opentui/core-linux-arm64.
#   --out           where the release files go (default release/)
#   --install-deps  apt-get install the build packages (and enable deb-src) first
#   --sums-only     only (re)write DIR/SHA256SUMS over the files already in DIR
#
# Produces DIR/flametui-linux-<arch> and DIR/SHA256SUMS (over every flametui-* file in DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

HOST_ARCH="$(case "$(uname -m)" in x86_64) echo x64 ;; aarch64) echo arm64 ;; *) uname -m ;; esac)"
ARCH="$HOST_ARCH"; OUT="release"; DEPS=0; SUMS_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --install-deps) DEPS=1; shift ;;
    --sums-only) SUMS_ONLY=1; shift ;;
    *) echo "usage: $0 [--arch x64|arm64] [--out DIR] [--install-deps] [--sums-only]" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"

write_sums() {
  (cd "$OUT" && ls flametui-* >/dev/null 2>&1 && sha256sum flametui-* >SHA256SUMS && cat SHA256SUMS)
}
if [ "$SUMS_ONLY" = 1 ]; then write_sums; exit 0; fi

step() { printf '\n=== %s\n' "$*"; }
export DEBIAN_FRONTEND=noninteractive

if [ "$DEPS" = 1 ]; then
  step "build packages"
  pkgs=(clang llvm libbpf-dev gcc libc6-dev make dpkg-dev bzip2 xz-utils git ca-certificates curl unzip npm)
  [ "$ARCH" != "$HOST_ARCH" ] && [ "$ARCH" = arm64 ] && pkgs+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu)
  if [ -z "$(apt-cache showsrc libbpf 2>/dev/null | head -1)" ]; then
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed -n '/^Types:/s/.*/Types: deb-src/;p' /etc/apt/sources.list.d/debian.sources >/etc/apt/sources.list.d/flametui-deb-src.sources
    else
      sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/flametui-deb-src.list
    fi
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  command -v bun >/dev/null || npm i -g "bun@$(cat .bun-version 2>/dev/null || echo 1.4.5)" >/dev/null
fi

step "dependencies"
bun install --frozen-lockfile

if [ "$ARCH" != "$HOST_ARCH" ]; then
  # bun install only fetches OpenTUI's native package for this machine; add the target's.
  step "OpenTUI native package for $ARCH"
  OT_VERSION="$(bun -e 'console.log(require("@opentui/core/package.json").version)')"
  OT_PKG="@opentui/core-linux-$ARCH"
  if [ ! -f "node_modules/$OT_PKG/package.json" ] || [ "$(bun -e "console.log(require('$OT_PKG/package.json').version)")" != "$OT_VERSION" ]; then
    if ! npm view "$OT_PKG@$OT_VERSION" version >/dev/null 2>&1; then
      echo "release: $OT_PKG@$OT_VERSION is not on the npm registry (it has: $(npm view "$OT_PKG" versions --json 2>/dev/null | tr -d '\n ' | tail -c 80))." >&2
      echo "release: an $ARCH build needs OpenTUI's $ARCH package at the pinned @opentui/core version $OT_VERSION." >&2
      exit 3
    fi
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack -q "$OT_PKG@$OT_VERSION" >/dev/null)
    rm -rf "node_modules/$OT_PKG" && mkdir -p "node_modules/$OT_PKG"
    tar -xzf "$tmp"/*.tgz -C "node_modules/$OT_PKG" --strip-components=1
    rm -rf "$tmp"
  fi
fi

step "build ($ARCH)"
EXE="$OUT/flametui-linux-$ARCH"
bun run build.ts --arch "$ARCH" --outfile "$EXE"

step "check"
file "$EXE" 2>/dev/null || true
if [ "$ARCH" = "$HOST_ARCH" ]; then
  "$EXE" --version
  "$EXE" --version | grep -q "^libbpf .*(embedded" || { echo "release: the executable does not use its embedded libbpf" >&2; exit 1; }
fi
# The BPF object the executable embeds was built for $ARCH; rebuild the host's for tests.
[ "$ARCH" != "$HOST_ARCH" ] && bun run build.ts --bpf-only >/dev/null

step "SHA256SUMS"
write_sums
