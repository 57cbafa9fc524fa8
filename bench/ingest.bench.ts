// Ingest throughput of the live path without the kernel in the loop: samples recorded here
// with the real sampler (root) are replayed through decode + symbolize + merge, against a
// decode-only baseline in the same process. The workloads stay alive during the replay, so
// symbolization reads their real maps and ELF files. Usage: bun bench/ingest.bench.ts

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBpf } from "../build.ts";
import { OFF_COMM, OFF_CPU, OFF_FLAGS, OFF_FRAMES, OFF_KERNEL_FRAMES, OFF_TGID, OFF_TID, OFF_TIME_NS, OFF_USER_FRAMES, SampleDecoder } from "../src/collect/records.ts";
import { StackBuilder } from "../src/collect/stack-builder.ts";
import { FrameTable } from "../src/profile/frames.ts";
import { StackTrie } from "../src/profile/trie.ts";
import { Symbolizer } from "../src/symbolize/symbolizer.ts";

if (process.getuid?.() !== 0) {
  console.log("ingest bench needs root to record samples; skipped");
  process.exit(0);
}
buildBpf();
const { Sampler } = await import("../src/collect/sampler.ts");
const root = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "flametui-ingest-"));
const bins = ["shape", "deep"].map((n) => {
  const out = join(dir, n);
  Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-pthread", "-o", out, join(root, `tests/workloads/${n}.c`)]);
  return out;
});
// A shallow CPU workload and a deep one with user and kernel frames, one per CPU.
const workers = [Bun.spawn([bins[0]!, "60"]), Bun.spawn([bins[1]!, "60"])];

// Record: every sample re-encoded in the ring-buffer record layout, all in one buffer.
const records: Uint32Array[] = [];
const sampler = await Sampler.open({ hz: 999, enableIdle: false });
const end = performance.now() + 4000;
while (performance.now() < end) {
  sampler.poll(50, (s) => {
    const words = new Uint32Array((OFF_FRAMES + 8 * (s.kernelLen + s.userLen)) / 4);
    words[OFF_TGID / 4] = s.pid;
    words[OFF_TID / 4] = s.tid;
    words[OFF_CPU / 4] = s.cpu;
    words[OFF_KERNEL_FRAMES / 4] = s.kernelLen;
    words[OFF_USER_FRAMES / 4] = s.userLen;
    words[OFF_FLAGS / 4] = s.flags;
    words[OFF_TIME_NS / 4] = s.timeNs % 2 ** 32;
    words[OFF_TIME_NS / 4 + 1] = Math.floor(s.timeNs / 2 ** 32);
    new Uint8Array(words.buffer, OFF_COMM, 16).set(new TextEncoder().encode(s.comm).subarray(0, 15));
    let w = OFF_FRAMES / 4;
    for (let i = 0; i < s.kernelLen; i++, w += 2) {
      const a = s.kernel[i]!;
      words[w] = a % 2 ** 32;
      words[w + 1] = Math.floor(a / 2 ** 32) + 0xffff0000;
    }
    for (let i = 0; i < s.userLen; i++, w += 2) {
      const a = s.user[i]!;
      words[w] = a % 2 ** 32;
      words[w + 1] = Math.floor(a / 2 ** 32);
    }
    records.push(words);
  });
}
sampler.close();

// Replay `rounds` times over the recording so the run is long enough to time.
const ROUNDS = Math.max(1, Math.ceil(400_000 / records.length));
const decoder = new SampleDecoder();
let frames = 0;

function replay(withWork: boolean, rounds: number): number {
  const table = new FrameTable();
  const sym = new Symbolizer(table);
  sym.kernelSymbols();
  const builder = new StackBuilder(table, sym, { threads: false, noPid: false });
  const trie = new StackTrie(table);
  const t = performance.now();
  frames = 0;
  for (let r = 0; r < rounds; r++) {
    if (r === 1) frames = 0;
    for (const rec of records) {
      const s = decoder.decode(rec, 0, rec.length * 4)!;
      frames += s.kernelLen + s.userLen;
      if (withWork) {
        const len = builder.build(s);
        trie.add(builder.stack, len, 1);
      }
    }
  }
  return performance.now() - t;
}

const n = records.length * ROUNDS;
const base = Math.min(replay(false, ROUNDS), replay(false, ROUNDS));
const full = Math.min(replay(true, ROUNDS), replay(true, ROUNDS));
// One pass with fresh symbolizer and caches: every ELF file, maps and new stack paid once.
const coldBase = replay(false, 1);
const cold = replay(true, 1);

for (const w of workers) w.kill();
rmSync(dir, { recursive: true, force: true });
const rate = (ms: number) => (n / ms) * 1000;
console.log(`recorded ${records.length} samples (999 Hz, 4 s, all CPUs), replayed ${ROUNDS}x; ${(frames / records.length).toFixed(1)} frames per sample`);
console.log("| stage | samples | ms | samples/s | vs decode only | target |");
console.log("|---|---|---|---|---|---|");
console.log(`| decode only (baseline) | ${n} | ${base.toFixed(0)} | ${rate(base).toFixed(0)} | 1.00 | - |`);
console.log(`| decode + symbolize + merge | ${n} | ${full.toFixed(0)} | ${rate(full).toFixed(0)} | ${(base / full).toFixed(2)} | >= 200000 |`);
const r1 = (ms: number) => (records.length / ms) * 1000;
console.log(`| first pass, cold caches | ${records.length} | ${cold.toFixed(0)} | ${r1(cold).toFixed(0)} | ${(coldBase / cold).toFixed(2)} | - |`);

