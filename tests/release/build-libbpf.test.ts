// scripts/build-libbpf.sh picks Debian source versions the mirror can actually serve: a fake
// apt-get on PATH refuses chosen versions (as a mirror that lists a security update but answers
// 404 for it does), and the script must fall back, name every version it tried, and exit 3
// ("no source") when nothing can be fetched, which build.ts turns into a system-libbpf build.
// Needs apt with deb-src entries and network to the mirror (install.sh sets both up).

import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = join(import.meta.dir, "..", "..");
const SCRIPT = join(REPO, "scripts", "build-libbpf.sh");
const work = mkdtempSync(join(tmpdir(), "flametui-build-libbpf-"));
const fakeBin = join(work, "bin");
const srcCache = join(work, "cache"); // shared by the cases: each source is downloaded once

function listed(pkg: string): string[] {
  const out = Bun.spawnSync(["apt-cache", "showsrc", pkg]).stdout.toString();
  const versions = [...out.matchAll(/^Version: (\S+)$/gm)].map((m) => m[1]!);
  const sorted = Bun.spawnSync(["sort", "-Vru"], { stdin: Buffer.from(versions.join("\n") + "\n") }).stdout.toString();
  return sorted.split("\n").filter(Boolean);
}

const haveSources = Bun.which("apt-get") !== null && listed("zlib").length > 0 && listed("libbpf").length > 0;

// apt-get that refuses `source PKG=VER` for every PKG=VER in FAKE_APT_REFUSE (as a 404 would);
// dpkg-query that knows no installed package when FAKE_DPKG_NONE=1.
mkdirSync(fakeBin, { recursive: true });
writeFileSync(join(fakeBin, "apt-get"), `#!/bin/bash
if [ "$1" = source ] || [ "$2" = source ] || [ "$3" = source ]; then
  for a in "$@"; do
    for r in $FAKE_APT_REFUSE; do
      if [ "$a" = "$r" ]; then echo "E: Failed to fetch $a  404  Not Found [fake]" >&2; exit 100; fi
    done
  done
fi
exec /usr/bin/apt-get "$@"
`);
writeFileSync(join(fakeBin, "dpkg-query"), `#!/bin/bash
[ "$FAKE_DPKG_NONE" = 1 ] && exit 1
exec /usr/bin/dpkg-query "$@"
`);
chmodSync(join(fakeBin, "apt-get"), 0o755);
chmodSync(join(fakeBin, "dpkg-query"), 0o755);

function printVersions(env: Record<string, string>, cache = srcCache) {
  const r = Bun.spawnSync(["bash", SCRIPT, "--print-versions", "--out", join(work, "out", "libbpf.so")], {
    env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, FLAMETUI_LIBBPF_WORK: cache, ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 300_000,
  });
  const versions = Object.fromEntries([...r.stdout.toString().matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  return { code: r.exitCode, versions, stderr: r.stderr.toString() };
}

function installedSource(binary: string): string {
  return Bun.spawnSync(["dpkg-query", "-W", "-f=${source:Version}", binary]).stdout.toString().trim();
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

test.skipIf(!haveSources)("the newest listed version refused: the installed binary's source version is fetched", () => {
  const newest = listed("zlib")[0]!;
  const installed = installedSource("zlib1g");
  const r = printVersions({ FAKE_APT_REFUSE: `zlib=${newest}` });
  expect(r.stderr).not.toContain("no source");
  expect(r.code).toBe(0);
  expect(r.versions.zlib).not.toBe(newest);
  if (installed && installed !== newest) expect(r.versions.zlib).toBe(installed);
  expect(listed("zlib")).toContain(r.versions.zlib!);
}, 300_000);

test.skipIf(!haveSources || listed("zlib").length < 2)("nothing installed known and the newest refused: the next listed version is fetched", () => {
  const [newest, next] = listed("zlib");
  const r = printVersions({ FAKE_APT_REFUSE: `zlib=${newest}`, FAKE_DPKG_NONE: "1" });
  expect(r.code).toBe(0);
  expect(r.versions.zlib).toBe(next!);
  expect(r.stderr).toContain(`apt-get source zlib=${newest} failed`);
}, 300_000);

// An empty cache, so nothing fetched by the cases above can stand in for a refused download.
const emptyCache = join(work, "empty-cache");
const refuseAllZlib = () => listed("zlib").map((v) => `zlib=${v}`).join(" ");

test.skipIf(!haveSources)("no version can be fetched: exit 3 and every version tried is named", () => {
  const all = listed("zlib");
  const r = printVersions({ FAKE_APT_REFUSE: refuseAllZlib() }, emptyCache);
  expect(r.code).toBe(3);
  const line = r.stderr.split("\n").find((l) => l.includes("no source of zlib could be fetched"));
  expect(line).toBeDefined();
  for (const v of all) expect(line).toContain(v);
}, 300_000);

test.skipIf(!haveSources || process.getuid?.() !== 0)("build.ts without any libbpf source builds with the system libbpf and says so", () => {
  const out = join(work, "flametui-system");
  const r = Bun.spawnSync([process.execPath, join(REPO, "build.ts"), "--outfile", out], {
    cwd: REPO,
    env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, FLAMETUI_LIBBPF_WORK: emptyCache, FAKE_APT_REFUSE: refuseAllZlib() },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 300_000,
  });
  const stderr = r.stderr.toString();
  expect(r.exitCode).toBe(0);
  expect(stderr).toContain("NOT EMBEDDING libbpf");
  const version = Bun.spawnSync([out, "--version"], { env: { ...process.env, FLAMETUI_LIBBPF: "" } }).stdout.toString();
  expect(version).toMatch(/libbpf \d+\.\d+ \(system/);
}, 300_000);
