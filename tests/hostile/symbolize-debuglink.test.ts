// .gnu_debuglink targets planted by an unprivileged user: a FIFO or a symlink to /dev/zero where
// the debug file would be hung the profiler (open blocked, CRC read forever); a link name with
// "/" reached any file, and one with control characters forged log lines. Each is refused,
// logged once (escaped), and the run finishes with the samples named as well as it can.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { attackerDir, haveExe, isRoot, runAsAttacker } from "./attacker.ts";
import { buildHostileWorkload, runExe, share, startProcess } from "../symbolize/hostile-helpers.ts";

const skip = !isRoot || !haveExe;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** .gnu_debuglink contents: name, NUL, padding to 4 bytes, CRC32. */
function debuglink(name: Uint8Array, crc: number): Uint8Array {
  const at = (name.length + 4) & ~3;
  const b = new Uint8Array(at + 4);
  b.set(name);
  new DataView(b.buffer).setUint32(at, crc >>> 0, true);
  return b;
}

/** A stripped hostile-spin with a crafted .gnu_debuglink, copied by the attacker into their own directory. */
function plantProgram(linkName: Uint8Array): { dir: string; prog: string } {
  const work = mkdtempSync(join(tmpdir(), "flametui-dlink-"));
  dirs.push(work);
  const section = join(work, "link");
  writeFileSync(section, debuglink(linkName, crc32(Buffer.from("not the debug file"))));
  const stripped = join(work, "prog");
  const r = Bun.spawnSync(["objcopy", "--strip-all", `--add-section=.gnu_debuglink=${section}`, buildHostileWorkload("hostile-spin"), stripped]);
  if (r.exitCode !== 0) throw new Error(`objcopy: ${r.stderr.toString()}`);
  Bun.spawnSync(["chmod", "-R", "a+rX", work]);
  const dir = attackerDir();
  dirs.push(dir);
  const prog = join(dir, "prog");
  expect(runAsAttacker(["cp", stripped, prog]).exitCode).toBe(0);
  return { dir, prog };
}

async function profileAsAttacker(prog: string) {
  const w = await startProcess([prog, "4"]);
  try {
    const r = await runExe(["fixed", "--hz", "499", "--ms", "800", "--pid", String(w.pid), "-o", "-", "--verbose"], 8000);
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    // Named from the binary itself (file offsets: it is stripped), not lost.
    expect(share(r.stdout, /prog\+0x/).matching).toBeGreaterThan(50);
    return r;
  } finally {
    w.proc.kill();
  }
}

test.skipIf(skip)("a debuglink target that is a FIFO or a symlink to /dev/zero is refused, not read", async () => {
  const { dir, prog } = plantProgram(new TextEncoder().encode("prog.debug"));
  expect(runAsAttacker(["mkfifo", join(dir, "prog.debug")]).exitCode).toBe(0);
  expect(runAsAttacker(["mkdir", join(dir, ".debug")]).exitCode).toBe(0);
  expect(runAsAttacker(["ln", "-s", "/dev/zero", join(dir, ".debug", "prog.debug")]).exitCode).toBe(0);
  const r = await profileAsAttacker(prog);
  expect(r.log).toContain(`${dir}/prog.debug: a FIFO, refused`);
  expect(r.log).toContain(`${dir}/.debug/prog.debug: a character device, refused`);
}, 10000);

test.skipIf(skip)("a debuglink name with '/' is rejected (it reached /dev/zero)", async () => {
  const { prog } = plantProgram(new TextEncoder().encode("../../../../../../../../../dev/zero"));
  const r = await profileAsAttacker(prog);
  expect(r.log).toContain(`.gnu_debuglink name "../../../../../../../../../dev/zero" contains '/', ignored`);
}, 10000);

test.skipIf(skip)("a debuglink name with control characters is rejected and logged escaped", async () => {
  const { prog } = plantProgram(new TextEncoder().encode("x\n2026-01-01T00:00:00.000Z forged line\x1b[2J"));
  const r = await profileAsAttacker(prog);
  expect(r.log).toContain(`.gnu_debuglink name "x\\n2026-01-01T00:00:00.000Z forged line\\x1b[2J" contains control characters`);
  expect(r.log).not.toMatch(/^2026-01-01T00:00:00.000Z forged/m);
  expect(r.log).not.toContain("\x1b");
}, 10000);
