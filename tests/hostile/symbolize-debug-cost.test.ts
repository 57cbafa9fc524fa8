// Files an unprivileged user plants to make root's symbolizer read for a long time, run
// synchronously in the sampling worker: a sparse 4 GiB .gnu_debuglink target cost ~11 s of
// CRC per candidate and per new inode (and a stop then lost the profile), a big real one
// ~1 s, and a sparse executable whose .symtab lies in a 1 GiB hole a 1 GiB read. Sparse files
// are refused, reads of files not owned by root share one budget per run, and what was found
// about a debug file is kept by identity; the run stays fast and names what it can.

import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attackerDir, haveExe, isRoot, runAsAttacker } from "./attacker.ts";
import { buildHostileWorkload, plantDebugLinkProgram, runExe, share, startProcess, type Started } from "../symbolize/hostile-helpers.ts";

const skip = !isRoot || !haveExe || process.arch !== "x64";
const dirs: string[] = [];
const running: Started[] = [];
afterAll(() => {
  for (const w of running) w.proc.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const HOLE = 2 ** 31;
const SYMTAB_SIZE = 24 * Math.floor(2 ** 30 / 24);

/** hostile-spin (with its .symtab) whose .symtab header points into a 1 GiB hole past the end. */
function sparseExecutable(work: string): string {
  const elf = readFileSync(buildHostileWorkload("hostile-spin"));
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = Number(dv.getBigUint64(40, true));
  const shentsize = dv.getUint16(58, true);
  const shnum = dv.getUint16(60, true);
  let patched = false;
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    if (dv.getUint32(h + 4, true) !== 2) continue; // SHT_SYMTAB
    dv.setBigUint64(h + 24, BigInt(HOLE), true);
    dv.setBigUint64(h + 32, BigInt(SYMTAB_SIZE), true);
    patched = true;
  }
  if (!patched) throw new Error("hostile-spin has no .symtab");
  const out = join(work, "fat");
  writeFileSync(out, elf);
  truncateSync(out, HOLE + SYMTAB_SIZE);
  chmodSync(out, 0o755);
  return out;
}

/** A stripped hostile-spin and its real debug file (by .gnu_debuglink), owned by the attacker. */
function plantGoodProgram(work: string): string {
  const spin = buildHostileWorkload("hostile-spin");
  const debug = join(work, "good.debug");
  const good = join(work, "good");
  for (const argv of [
    ["objcopy", "--only-keep-debug", spin, debug],
    ["objcopy", "--strip-all", `--add-gnu-debuglink=${debug}`, spin, good],
  ]) {
    const r = Bun.spawnSync(argv);
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
  }
  Bun.spawnSync(["chmod", "-R", "a+rX", work]);
  const dir = attackerDir();
  dirs.push(dir);
  expect(runAsAttacker(["cp", good, debug, dir]).exitCode).toBe(0);
  return join(dir, "good");
}

test.skipIf(skip)("sparse and huge planted files are refused or budgeted: the run stays fast and names what it can", async () => {
  const work = mkdtempSync(join(tmpdir(), "flametui-cost-"));
  dirs.push(work);
  chmodSync(work, 0o755);
  const { dir, prog } = plantDebugLinkProgram(new TextEncoder().encode("prog.debug"), dirs);
  const prog2 = join(dir, "prog2"); // another inode, the same debuglink candidates
  const fat = join(dir, "fat");
  for (const argv of [
    ["cp", prog, prog2],
    ["truncate", "-s", "4G", join(dir, "prog.debug")],
    ["mkdir", join(dir, ".debug")],
    ["fallocate", "-l", "300M", join(dir, ".debug", "prog.debug")],
    ["cp", "--sparse=always", sparseExecutable(work), fat],
  ]) {
    const r = runAsAttacker(argv);
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  }
  const good = plantGoodProgram(work);

  for (const p of [prog, prog2, fat, good]) running.push(await startProcess([p, "6"]));
  const pids = running.map((w) => w.pid).join(",");
  const r = await runExe(["fixed", "--hz", "499", "--ms", "800", "--pid", pids, "-o", "-", "--verbose"], 15000);
  if (r.exitCode !== 0) console.error(`exit ${r.exitCode} after ${r.ms.toFixed(0)} ms: ${r.stderr}`);
  expect(r.timedOut).toBe(false);
  expect(r.exitCode).toBe(0);
  expect(r.ms).toBeLessThan(5000);

  expect(r.log).toContain(`${dir}/prog.debug: sparse (4294967296 bytes, 0 allocated), refused`);
  expect(r.log).toContain(`${dir}/.debug/prog.debug: 314572800 bytes to read would pass the 256 MiB budget for files not owned by root`);
  expect(r.log.match(/budget for files not owned by root/g)?.length).toBe(1);
  expect(r.log).toMatch(new RegExp(`no symbols for ${fat}: sparse \\(\\d+ bytes, \\d+ allocated\\), refused`));

  // Stripped ones unnamed (one frame per file, or by file offset in older builds), the sparse one
  // too (no symbols read), the good one by name.
  expect(share(r.stdout, /;(prog\+0x|\[prog\](;|$))/).matching).toBeGreaterThan(50);
  expect(share(r.stdout, /;(prog2\+0x|\[prog2\](;|$))/).matching).toBeGreaterThan(50);
  expect(share(r.stdout, /;(fat\+0x|\[fat\](;|$))/).matching).toBeGreaterThan(50);
  expect(share(r.stdout, /;hostile_spin_inner/).matching).toBeGreaterThan(50);
}, 30000);
