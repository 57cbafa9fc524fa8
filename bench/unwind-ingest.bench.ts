// Where the worker's time goes per stack-copy sample, without the kernel in the loop: samples of
// a deep workload without frame pointers are recorded here with the real sampler (root), once as
// stack copies and once as frame-pointer walks, and replayed stage by stage: decode, + unwind,
// + symbolize (with the raw-stack cache), + merge into the trie (as the live worker does: a stack
// seen before goes to its remembered leaf). The workload stays alive during
// the replay, so its real maps and files are read. Usage: bun bench/unwind-ingest.bench.ts [seconds=4]

import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildBpf } from "../build.ts";
import { F_OFFCPU, F_USER_REGS, OFFCPU_EXTRA_BYTES, OFF_FRAMES, REGS_WORDS, type RawSample, SampleDecoder } from "../src/collect/records.ts";
import { StackBuilder } from "../src/collect/stack-builder.ts";
import { FrameTable } from "../src/profile/frames.ts";
import { StackInterner } from "../src/profile/stack-interner.ts";
import { StackTrie } from "../src/profile/trie.ts";
import { Symbolizer } from "../src/symbolize/symbolizer.ts";
import { StackUnwinder } from "../src/unwind/unwinder.ts";

if (process.getuid?.() !== 0) {
  console.log("unwind-ingest bench needs root to record samples; skipped");
  process.exit(0);
}
const SECONDS = Number(process.argv[2] ?? 4);
buildBpf();
const { Sampler } = await import("../src/collect/sampler.ts");
const root = join(import.meta.dir, "..");
const dir = mkdtempSync(join("/var/tmp", "flametui-unwind-ingest-"));
const bin = join(dir, "deep");
const cc = Bun.spawnSync(["gcc", "-O2", "-fomit-frame-pointer", "-o", bin, join(root, "tests/workloads/deep.c")], { stderr: "pipe" });
if (cc.exitCode !== 0) throw new Error(cc.stderr.toString());
const workers = [Bun.spawn([bin, "600"], { stdout: "ignore" }), Bun.spawn([bin, "600"], { stdout: "ignore" })];
const pids = workers.map((w) => w.pid);

/** The record a sample was decoded from, copied out of the ring (its words end with the stack copy). */
function recordOf(s: RawSample): Uint32Array | null {
  if (!(s.flags & F_USER_REGS)) return null;
  const extra = s.flags & F_OFFCPU ? OFFCPU_EXTRA_BYTES / 4 : 0;
  const regsAt = s.stackAt - 2 * REGS_WORDS;
  const at = regsAt - 2 * (s.kernelLen + s.userLen) - extra - OFF_FRAMES / 4;
  return s.stack.slice(at, s.stackAt + s.stackLen / 4);
}

async function record(copyStack: boolean): Promise<Uint32Array[]> {
  const out: Uint32Array[] = [];
  const sampler = await Sampler.open({ hz: 999, enableIdle: false, pids, copyStack });
  const end = performance.now() + SECONDS * 1000;
  const fpRecord = (s: RawSample) => {
    // Frame-pointer samples hold no stack copy: keep the decoded fields in a record of their own layout.
    const words = new Uint32Array(OFF_FRAMES / 4 + 2 * (s.kernelLen + s.userLen));
    words[0] = s.pid;
    words[1] = s.tid;
    words[2] = s.cpu;
    words[3] = s.kernelLen;
    words[4] = s.userLen;
    words[5] = s.flags;
    let w = OFF_FRAMES / 4;
    for (let i = 0; i < s.kernelLen; i++, w += 2) {
      words[w] = s.kernel[i]! % 2 ** 32;
      words[w + 1] = Math.floor(s.kernel[i]! / 2 ** 32) + 0xffff0000;
    }
    for (let i = 0; i < s.userLen; i++, w += 2) {
      words[w] = s.user[i]! % 2 ** 32;
      words[w + 1] = Math.floor(s.user[i]! / 2 ** 32);
    }
    return words;
  };
  while (performance.now() < end) {
    sampler.poll(50, (s) => {
      const r = copyStack ? recordOf(s) : fpRecord(s);
      if (r !== null) out.push(r);
    });
  }
  sampler.close();
  return out;
}

const copies = await record(true);
const fpWalks = await record(false);
// Stopped while replaying, so the replay has a CPU to itself; their maps and files stay readable.
for (const w of workers) process.kill(w.pid, "SIGSTOP");
const decoder = new SampleDecoder();
const PASSES = 5;

type Stage = "decode" | "unwind" | "symbolize" | "merge";
/** Milliseconds for one pass over `records` up to `stage`: the fastest of PASSES after a warm-up pass on the same objects. */
function replay(records: Uint32Array[], stage: Stage, unwind: boolean): { ms: number; frames: number } {
  const table = new FrameTable();
  const sym = new Symbolizer(table, { unwindTables: unwind });
  sym.kernelSymbols();
  const unwinder = unwind ? new StackUnwinder(sym, "auto") : null;
  const builder = new StackBuilder(table, sym, { threads: false, noPid: false }, unwinder);
  let frames = 0;
  let ms = Infinity;
  for (let pass = 0; pass <= PASSES; pass++) {
    const trie = new StackTrie(table);
    const leaves = new StackInterner();
    builder.cache.clear();
    frames = 0;
    const t = performance.now();
    for (const rec of records) {
      const s = decoder.decode(rec, 0, rec.length * 4)!;
      if (stage === "decode") continue;
      if (stage === "unwind") {
        unwinder?.unwind(s);
        frames += s.userLen;
        continue;
      }
      const len = builder.build(s);
      frames += len;
      if (stage !== "merge") continue;
      const leaf = leaves.find(builder.stack, len);
      if (leaf >= 0) trie.addAtLeaf(leaf, 1);
      else leaves.remember(builder.stack, len, trie.add(builder.stack, len, 1));
    }
    if (pass > 0) ms = Math.min(ms, performance.now() - t);
  }
  return { ms, frames };
}

console.log(`recorded ${copies.length} stack copies and ${fpWalks.length} frame-pointer walks (999 Hz, ${SECONDS} s each, 2 deep -O2 -fomit-frame-pointer processes); fastest of ${PASSES} passes after a warm-up`);
console.log("| samples | stage | ms | µs/sample | frames/sample |");
console.log("|---|---|---|---|---|");
for (const [name, recs, unwind] of [["stack copies", copies, true], ["frame pointers", fpWalks, false]] as const) {
  for (const stage of ["decode", "unwind", "symbolize", "merge"] as Stage[]) {
    if (!unwind && stage === "unwind") continue;
    const { ms, frames } = replay(recs, stage, unwind);
    const per = (ms * 1000) / recs.length;
    console.log(`| ${name} | ${stage === "decode" ? "decode" : `+ ${stage}`} | ${ms.toFixed(1)} | ${per.toFixed(2)} | ${stage === "decode" ? "-" : (frames / recs.length).toFixed(1)} |`);
  }
}
for (const w of workers) {
  w.kill();
  process.kill(w.pid, "SIGCONT");
}
rmSync(dir, { recursive: true, force: true });
