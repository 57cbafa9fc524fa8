#!/usr/bin/env bash
# Installs everything flametui needs on a Debian 12 machine (as root) and builds dist/flametui:
# the build tools (clang, llvm, and Debian's source packages of libbpf, elfutils and zlib, which
# are built into the embedded libbpf), bun, the locked npm dependencies, and the tools the tests
# use (perf, bpftool, tmux, g++, rustc, debootstrap, GNU time, chromium for the SVG browser test,
# golang-go for the pprof tests, nodejs for the Chrome profile tests).  Usage: bash install.sh && sudo ./dist/flametui fixed
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive

pkgs=()
for p in clang llvm libbpf1 libbpf-dev gcc libc6-dev git ca-certificates \
  dpkg-dev make bzip2 xz-utils \
  bpftool linux-perf tmux g++ rustc debootstrap time chromium \
  golang-go nodejs; do
  dpkg -s "$p" >/dev/null 2>&1 || pkgs+=("$p")
done
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "installing: ${pkgs[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

# apt-get source (for the embedded libbpf) needs deb-src entries.
if [ -z "$(apt-cache showsrc libbpf 2>/dev/null | head -1)" ]; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -n '/^Types:/s/.*/Types: deb-src/;p' /etc/apt/sources.list.d/debian.sources >/etc/apt/sources.list.d/flametui-deb-src.sources
  elif [ -f /etc/apt/sources.list ]; then
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/flametui-deb-src.list
  fi
  apt-get update -qq
fi
apt-cache showsrc libbpf | grep -q '^Version:' ||
  echo "install.sh: WARNING: apt has no deb-src entries for libbpf; the build will use the system libbpf instead of embedding one" >&2

# bun comes from the npm registry (the machine has Node.js and npm).
command -v bun >/dev/null 2>&1 || npm i -g bun >/dev/null 2>&1
bun --version >/dev/null
bun install --frozen-lockfile
bun run build
./dist/flametui --version
echo "built dist/flametui: try  sudo ./dist/flametui fixed"
