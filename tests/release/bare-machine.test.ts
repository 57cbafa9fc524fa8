// The release promise: dist/flametui runs on a bare Debian (debootstrap --variant=minbase: no
// libbpf, no libelf, no bun) with only /proc, /sys (with /sys/kernel/btf) and /dev from the host,
// under chroot, and `fixed --ms 500 -o out.folded` captures resolved kernel frames.
//
// Slow (debootstrap downloads ~40 MB and takes a minute or two) and needs root, network to a
// Debian mirror and a built dist/flametui, so it only runs with FLAMETUI_RELEASE_TEST=1
// (.ci/run does this in its own step). Settings:
//   FLAMETUI_DEBOOTSTRAP_MIRROR  Debian mirror (default http://deb.debian.org/debian)
//   FLAMETUI_DEBOOTSTRAP_ROOT    reuse (or create and keep) this root instead of a temporary one
//   FLAMETUI_EXE                 the executable to test (default dist/flametui)

import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const enabled = process.env.FLAMETUI_RELEASE_TEST === "1";
const REPO = join(import.meta.dir, "..", "..");
const EXE = process.env.FLAMETUI_EXE ?? join(REPO, "dist", "flametui");
const MIRROR = process.env.FLAMETUI_DEBOOTSTRAP_MIRROR ?? "http://deb.debian.org/debian";
const KEEP_ROOT = process.env.FLAMETUI_DEBOOTSTRAP_ROOT;
const READY = ".flametui-debootstrap-ok";

let root = "";
const mounted: string[] = [];

function sh(cmd: string[], opts: { timeoutMs?: number } = {}) {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe", timeout: opts.timeoutMs });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function must(cmd: string[], timeoutMs?: number): string {
  const r = sh(cmd, { timeoutMs });
  if (r.code !== 0) throw new Error(`${cmd.join(" ")} failed (${r.code}):\n${r.stderr}${r.stdout}`.slice(0, 4000));
  return r.stdout;
}

function mount(args: string[], target: string): void {
  mkdirSync(target, { recursive: true });
  must(["mount", ...args, target]);
  mounted.push(target);
}

/** Runs a command inside the chroot with a clean environment (no host PATH tricks). */
function inRoot(cmd: string[], timeoutMs = 60_000) {
  return sh(["chroot", root, "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=dumb", ...cmd], { timeoutMs });
}

beforeAll(() => {
  if (!enabled) return;
  if (!existsSync(EXE)) throw new Error(`${EXE} is missing: run 'bun run build' first`);
  root = KEEP_ROOT ?? mkdtempSync("/var/tmp/flametui-bare-");
  if (!existsSync(join(root, READY))) {
    const t0 = performance.now();
    must(["debootstrap", "--variant=minbase", "bookworm", root, MIRROR], 15 * 60_000);
    writeFileSync(join(root, READY), "");
    console.log(`debootstrap --variant=minbase: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  // Only what a user's machine has from the kernel: /proc, /sys (BTF, CPUs), /dev.
  mount(["-t", "proc", "proc"], join(root, "proc"));
  mount(["--rbind", "/sys"], join(root, "sys"));
  must(["mount", "--make-rslave", join(root, "sys")]);
  mount(["--rbind", "/dev"], join(root, "dev"));
  must(["mount", "--make-rslave", join(root, "dev")]);
  mkdirSync(join(root, "opt"), { recursive: true });
  copyFileSync(EXE, join(root, "opt", "flametui"));
  must(["chmod", "755", join(root, "opt", "flametui")]);
}, 20 * 60_000);

afterAll(() => {
  for (const m of mounted.reverse()) sh(["umount", "-R", "-l", m]);
  if (root && !KEEP_ROOT) rmSync(root, { recursive: true, force: true });
});

test.skipIf(!enabled)("the bare root has no libbpf, libelf or bun", () => {
  const libs = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu"]
    .filter((d) => existsSync(join(root, d)))
    .flatMap((d) => readdirSync(join(root, d)));
  expect(libs.filter((f) => /^lib(bpf|elf)[.-]/.test(f))).toEqual([]);
  expect(inRoot(["sh", "-c", "command -v bun || echo none"]).stdout.trim()).toBe("none");
  expect(inRoot(["dpkg", "-s", "libbpf1"]).code).not.toBe(0);
  expect(inRoot(["dpkg", "-s", "libelf1"]).code).not.toBe(0);
});

test.skipIf(!enabled)("--version in the bare root reports the embedded libbpf", () => {
  const r = inRoot(["/opt/flametui", "--version"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const [first, second] = r.stdout.split("\n");
  expect(first).toMatch(/^flametui \d+\.\d+\.\d+ \([0-9a-f]{7,}(-dirty)?\)$/);
  expect(second).toMatch(/^libbpf 1\.\d+ \(embedded, built from libbpf /);
});

test.skipIf(!enabled)(
  "fixed --ms 500 -o out.folded in the bare root captures resolved kernel frames",
  () => {
    // A busy workload that spends its time in the kernel: dd copying /dev/zero to /dev/null.
    const r = inRoot(
      [
        "sh",
        "-c",
        "cd /root && rm -f out.folded; timeout 10 dd if=/dev/zero of=/dev/null bs=64k status=none </dev/null >/dev/null 2>&1 & " +
          "dd=$!; sleep 0.2; /opt/flametui fixed --ms 500 -o out.folded; rc=$?; kill $dd; echo exit=$rc",
      ],
      60_000,
    );
    expect(r.stdout).toContain("exit=0");
    const out = join(root, "root", "out.folded");
    expect(existsSync(out)).toBe(true);
    const folded = readFileSync(out, "utf8");
    const lines = folded.split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^.+ \d+$/);
    const samples = lines.reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    expect(samples).toBeGreaterThan(10);
    // Kernel frames resolved through /proc/kallsyms to names (not raw addresses).
    const ddLines = lines.filter((l) => l.startsWith("dd;"));
    expect(ddLines.length).toBeGreaterThan(0);
    expect(folded).toMatch(/;(do_syscall_64|entry_SYSCALL_64[a-z_]*|el0_svc[a-z_]*|invoke_syscall)[;\s]/);
    expect(ddLines.some((l) => /;(read_zero|__x64_sys_read|ksys_read|vfs_read|__arm64_sys_read|iov_iter_zero|clear_user[a-z_]*)[; ]/.test(l))).toBe(true);
    expect(statSync(out).size).toBeGreaterThan(0);
  },
  120_000,
);
