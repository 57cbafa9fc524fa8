// A program whose call-frame information is hostile (every .eh_frame entry claims a 64-bit length
// of 2^63, or points its CIE at itself) must not hang, blow up or mislead a root flametui that
// unwinds it: the run ends in time, the program's own frames are still named from its symbols,
// and its stacks end where unwinding could not go on.

import { afterAll, expect, test } from "bun:test";
import { chownSync, copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bufferSource } from "../../src/symbolize/elf.ts";
import { findSection, readSectionTable } from "../../src/symbolize/elf-section-table.ts";
import { attacker, attackerDir, haveExe, isRoot, runAsAttacker } from "./attacker.ts";
import { buildHostileWorkload, runExe, share, startProcess } from "../symbolize/hostile-helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of hostile-spin, owned by the attacker, whose .eh_frame is overwritten by `fill`. */
function plant(name: string, fill: (eh: DataView) => void): string {
  const dir = attackerDir("flametui-hostile-cfi-");
  dirs.push(dir);
  const prog = join(dir, name);
  copyFileSync(buildHostileWorkload("hostile-spin"), prog);
  const bytes = new Uint8Array(readFileSync(prog));
  const eh = findSection(readSectionTable(bufferSource(bytes))!, ".eh_frame")!;
  fill(new DataView(bytes.buffer, eh.offset, eh.size));
  writeFileSync(prog, bytes, { mode: 0o755 });
  chownSync(prog, attacker().uid, attacker().gid);
  return prog;
}

const cases: [string, (eh: DataView) => void][] = [
  [
    "every entry a 64-bit length of 2^63",
    (eh) => {
      for (let o = 0; o + 12 <= eh.byteLength; o += 12) {
        eh.setUint32(o, 0xffffffff, true);
        eh.setBigUint64(o + 4, 1n << 63n, true);
      }
    },
  ],
  [
    "FDEs whose CIE pointer points at themselves, with runaway instructions",
    (eh) => {
      for (let o = 0; o + 16 <= eh.byteLength; o += 16) {
        eh.setUint32(o, 12, true); // length
        eh.setUint32(o + 4, 4, true); // CIE pointer: back to this very entry's id field
        eh.setUint32(o + 8, 0x0e0e0e0e, true); // DW_CFA_def_cfa_offset, over and over
        eh.setUint32(o + 12, 0x0b0b0b0b, true); // DW_CFA_restore_state with nothing remembered
      }
    },
  ],
];

for (const [what, fill] of cases) {
  test.skipIf(!isRoot || !haveExe)(`.eh_frame with ${what}: the run ends in time and names the program's frames`, async () => {
    const prog = plant("cfi-bomb", fill);
    const w = await startProcess([prog, "4"]);
    try {
      expect(w.firstLine).toBe("ready");
      const r = await runExe(["fixed", "--unwind", "dwarf", "--hz", "499", "--ms", "800", "--pid", String(w.pid), "-o", "-"], 10000);
      expect(r.timedOut).toBe(false);
      expect(r.exitCode).toBe(0);
      const all = share(r.stdout, /./);
      expect(all.total).toBeGreaterThan(50);
      // Named from .symtab; with no usable unwind information the stack says so instead of guessing.
      expect(share(r.stdout, /hostile_spin_inner/).matching / all.total).toBeGreaterThan(0.8);
      // No table could be read: dwarf mode says so rather than inventing callers.
      expect(share(r.stdout, /\[no unwind info\];hostile_spin_inner/).matching / all.total).toBeGreaterThan(0.8);
      console.log(`cfi bomb (${what}): ${r.ms.toFixed(0)} ms for 800 ms of sampling, ${all.total} samples`);
    } finally {
      w.proc.kill();
    }
  }, 20000);
}

/**
 * The same bombs as the .debug_frame of a separate debug file (unwinding reads it for code its
 * program does not describe): the attacker's program, its .eh_frame bombed too, has a
 * .gnu_debuglink to a debug file next to it whose .debug_frame is the bomb.
 */
for (const [what, fill] of cases) {
  test.skipIf(!isRoot || !haveExe)(`a debug file's .debug_frame with ${what}: the run ends in time and names the program's frames`, async () => {
    const prog = plant("cfi-debug-bomb", cases[0]![1]);
    const dir = prog.slice(0, prog.lastIndexOf("/"));
    const bomb = new DataView(new ArrayBuffer(64 * 1024));
    fill(bomb);
    writeFileSync(join(dir, "bomb.bin"), new Uint8Array(bomb.buffer));
    chownSync(join(dir, "bomb.bin"), attacker().uid, attacker().gid);
    const made = runAsAttacker([
      "sh",
      "-c",
      `cd '${dir}' && objcopy --only-keep-debug cfi-debug-bomb cfi-debug-bomb.debug && objcopy --add-section .debug_frame=bomb.bin cfi-debug-bomb.debug && objcopy --add-gnu-debuglink=cfi-debug-bomb.debug cfi-debug-bomb`,
    ]);
    expect(made.stderr).toBe("");
    expect(made.exitCode).toBe(0);
    const w = await startProcess([prog, "4"]);
    try {
      expect(w.firstLine).toBe("ready");
      const r = await runExe(["fixed", "--unwind", "dwarf", "--hz", "499", "--ms", "800", "--pid", String(w.pid), "-o", "-"], 10000);
      expect(r.timedOut).toBe(false);
      expect(r.exitCode).toBe(0);
      const all = share(r.stdout, /./);
      expect(all.total).toBeGreaterThan(50);
      expect(share(r.stdout, /hostile_spin_inner/).matching / all.total).toBeGreaterThan(0.8);
      expect(share(r.stdout, /\[no unwind info\];hostile_spin_inner/).matching / all.total).toBeGreaterThan(0.8);
      console.log(`debug-file cfi bomb (${what}): ${r.ms.toFixed(0)} ms for 800 ms of sampling, ${all.total} samples`);
    } finally {
      w.proc.kill();
    }
  }, 20000);
}
