// FLAMETUI_CACHE_DIR pointing into a directory another user controls: a kernel symbol table
// planted there under the right key (boot id and modules are public) renamed every kernel frame,
// and an unwind table filed under libc's key (the hash of its public CFI) would break stacks.
// A cache is trusted only when it and its directory are ours and nobody else can write them.

import { afterAll, expect, test } from "bun:test";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kallsyms } from "../../src/symbolize/kallsyms.ts";
import { cacheKey } from "../../src/symbolize/kallsyms-cache.ts";
import { fdSource } from "../../src/symbolize/elf.ts";
import { CFA_NONE, tableFromInputs, unwindInputs } from "../../src/unwind/cfi-table.ts";
import { inputKey, serializeTable } from "../../src/unwind/table-cache.ts";
import { attackerDir, haveExe, isRoot, runAsAttacker } from "./attacker.ts";
import { runExe, share, startProcess } from "../symbolize/hostile-helpers.ts";

const LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.skipIf(!isRoot || !haveExe)("a planted kernel symbol cache in another user's directory renames no kernel frame", async () => {
  const dir = attackerDir();
  dirs.push(dir);
  // Every kernel symbol renamed, serialized as the cache would be.
  const text = readFileSync("/proc/kallsyms", "utf8").replace(/^(\S+ \S) \S+/gm, "$1 attacker_named_kernel");
  const staged = join(dir, "staged");
  writeFileSync(staged, new Kallsyms(new TextEncoder().encode(text)).serialize(), { mode: 0o644 });
  const file = join(dir, `kallsyms-${cacheKey("/proc", "/proc/kallsyms")}.bin`);
  expect(runAsAttacker(["cp", staged, file]).exitCode).toBe(0);

  // Mostly in the kernel: tiny reads and writes.
  const w = await startProcess(["sh", "-c", "echo ready; exec dd if=/dev/zero of=/dev/null bs=1 count=50000000"]);
  try {
    const r = await runExe(["fixed", "--hz", "499", "--ms", "800", "--pid", String(w.pid), "-o", "-", "--verbose"], 8000, { FLAMETUI_CACHE_DIR: dir });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(share(r.stdout, /./).total).toBeGreaterThan(100);
    expect(r.stdout).not.toContain("attacker_named_kernel");
    expect(share(r.stdout, /;(vfs_read|vfs_write|read_zero|__x64_sys_read|__x64_sys_write|ksys_read|ksys_write)(;|$)/).matching).toBeGreaterThan(20);
    expect(r.log).toMatch(/kernel symbol cache directory .* owned by uid \d+, not 0: not used/);
    expect(readFileSync(file)).toEqual(readFileSync(staged)); // not replaced either
  } finally {
    w.proc.kill();
  }
}, 10000);

test.skipIf(!isRoot || !haveExe || !existsSync(LIBC))("a planted unwind table for libc in another user's cache directory breaks no stack", async () => {
  const dir = attackerDir();
  dirs.push(dir);
  // libc's own table with every row emptied, filed under libc's key (its CFI bytes are public).
  const fd = openSync(LIBC, "r");
  let inputs;
  try {
    inputs = unwindInputs(fdSource(fd, Bun.file(LIBC).size, LIBC))!;
  } finally {
    closeSync(fd);
  }
  const poisoned = tableFromInputs(inputs)!;
  poisoned.cfaKind.fill(CFA_NONE);
  const staged = join(dir, "staged-table");
  writeFileSync(staged, serializeTable(poisoned), { mode: 0o644 });
  const file = join(dir, `unwind-${inputKey(inputs)}.bin`);
  expect(runAsAttacker(["cp", staged, file]).exitCode).toBe(0);

  // Mostly inside libc's read and write: a poisoned libc table would end these stacks there.
  const w = await startProcess(["sh", "-c", "echo ready; exec dd if=/dev/zero of=/dev/null bs=1 count=50000000"]);
  try {
    const r = await runExe(["fixed", "--unwind", "dwarf", "--hz", "499", "--ms", "800", "--pid", String(w.pid), "-o", "-", "--verbose"], 8000, { FLAMETUI_CACHE_DIR: dir });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    const all = share(r.stdout, /./).total;
    expect(all).toBeGreaterThan(100);
    expect(share(r.stdout, /\[no unwind info\]|\[bad frame\]/).matching / all).toBeLessThan(0.05);
    expect(r.log).toMatch(/unwind table cache directory .* owned by uid \d+, not 0: not used/);
    expect(r.log).toMatch(/tables: \d+ built \(0 read from the cache, 0 written to it/);
    expect(readFileSync(file)).toEqual(readFileSync(staged)); // not replaced either
  } finally {
    w.proc.kill();
  }
}, 10000);
