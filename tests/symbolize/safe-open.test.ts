// safe-open.ts: only regular files are opened for reading; FIFOs, devices, directories and
// sockets are refused without blocking; paths resolve inside a root (symlinks cannot leave it),
// with openat2 and with the fallback for kernels without it. Also the perf map's entry cap and
// the debuglink name rules.

import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { closeSync, mkdirSync, mkdtempSync, readSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { badDebugLinkName } from "../../src/symbolize/debug-files.ts";
import { PERF_MAP_ENTRIES, PerfMap } from "../../src/symbolize/perf-map.ts";
import { RefusedFile, openRegular, useOpenat2 } from "../../src/symbolize/safe-open.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-safeopen-"));
const root = join(dir, "root");
mkdirSync(join(root, "etc"), { recursive: true });
writeFileSync(join(dir, "outside"), "outside the root");
writeFileSync(join(root, "etc", "inside"), "inside the root");
symlinkSync("/etc/inside", join(root, "abs-link")); // absolute: means <root>/etc/inside
symlinkSync("../../../../outside", join(root, "dotdot-link")); // clamped at the root
symlinkSync(join(dir, "outside"), join(root, "host-link")); // a host path: <root><dir>/outside
Bun.spawnSync(["mkfifo", join(dir, "fifo")]);
symlinkSync("/dev/zero", join(dir, "zero"));
writeFileSync(join(dir, "plain"), "plain text");
const server = createServer().listen(join(dir, "sock"));
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => useOpenat2(true));

function contents(path: string, where = {}): string {
  const f = openRegular(path, where);
  try {
    const b = Buffer.alloc(64);
    return b.subarray(0, readSync(f.fd, b)).toString();
  } finally {
    closeSync(f.fd);
  }
}

function refusal(path: string, where = {}): string {
  try {
    closeSync(openRegular(path, where).fd);
    return "opened";
  } catch (e) {
    return e instanceof RefusedFile ? e.reason : `error ${(e as NodeJS.ErrnoException).code}`;
  }
}

for (const openat2 of [true, false]) {
  describe(openat2 ? "with openat2" : "without openat2 (older kernels)", () => {
    test("FIFOs, devices, directories and sockets are refused at once", () => {
      useOpenat2(openat2);
      const t0 = performance.now();
      expect(refusal(join(dir, "fifo"))).toBe("a FIFO");
      expect(refusal(join(dir, "zero"))).toBe("a character device");
      expect(refusal("/dev/null")).toBe("a character device");
      expect(refusal(dir)).toBe("a directory");
      expect(["a socket", "error ENXIO"]).toContain(refusal(join(dir, "sock"))); // open(2) of a socket: ENXIO
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(contents(join(dir, "plain"))).toBe("plain text");
      expect(refusal(join(dir, "missing"))).toBe("error ENOENT");
    });

    test("a final symlink is refused when asked", () => {
      useOpenat2(openat2);
      expect(refusal(join(dir, "zero"), { noFollow: true })).toMatch(/symbolic link|error ELOOP/);
    });

    test("inside a root, no symlink leads out of it", () => {
      useOpenat2(openat2);
      expect(contents("/etc/inside", { root })).toBe("inside the root");
      for (const link of ["/dotdot-link", "/host-link"]) {
        const r = refusal(link, { root });
        expect(r).not.toBe("opened");
      }
      if (openat2) expect(contents("/abs-link", { root })).toBe("inside the root"); // resolved in the root
    });
  });
}

test("/proc/PID/map_files-style magic links are followed only when marked so", () => {
  expect(contents("/proc/self/exe", { magicLink: true }).slice(1, 4)).toBe("ELF");
  expect(refusal("/proc/self/exe")).toBe("error ELOOP");
});

test("a perf map keeps at most PERF_MAP_ENTRIES distinct entries", () => {
  const lines: string[] = [];
  for (let i = 0; i < PERF_MAP_ENTRIES + 10; i++) lines.push(`${(0x100000 + i * 16).toString(16)} 10 f${i}`);
  lines.push(`${(0x100000).toString(16)} 10 replaced`); // replacing an entry is still allowed
  const pm = new PerfMap(lines.join("\n"));
  expect(pm.starts.length).toBe(PERF_MAP_ENTRIES);
  expect(pm.names[pm.lookup(0x100004)]).toBe("replaced");
});

test("debuglink names: plain file names only", () => {
  expect(badDebugLinkName("libc.so.6.debug")).toBeNull();
  expect(badDebugLinkName("")).toBe("is empty");
  expect(badDebugLinkName(".")).toBe("is a directory name");
  expect(badDebugLinkName("..")).toBe("is a directory name");
  expect(badDebugLinkName("../x.debug")).toBe("contains '/'");
  expect(badDebugLinkName("/dev/zero")).toBe("contains '/'");
  expect(badDebugLinkName("a\nb")).toMatch(/control/);
  expect(badDebugLinkName("a\u202eb")).toMatch(/control/);
  expect(badDebugLinkName("bad\ufffdutf8")).toMatch(/UTF-8/);
});
