#!/usr/bin/env bash
# Installs what flametui needs on a Debian 12 machine (as root), then builds dist/flametui.
# Usage: bash install.sh && sudo ./dist/flametui fixed
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
pkgs=()
for p in clang llvm libbpf1 libbpf-dev bpftool linux-perf gcc libc6-dev tmux git ca-certificates npm; do
  dpkg -s "$p" >/dev/null 2>&1 || pkgs+=("$p")
done
if [ ${#pkgs[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
fi
command -v bun >/dev/null 2>&1 || npm i -g bun
bun install --frozen-lockfile
bun run build
echo "built dist/flametui: try  sudo ./dist/flametui fixed"
