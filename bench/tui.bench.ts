// TUI speed: layout time (with and without merging narrow siblings into blocks) and full render
// time per frame for a synthetic 100,000-node profile at 200x60 (test renderer), and time from
// start to first frame for a 50 MB perf script.

import { spawnSync } from "node:child_process";
import { existsSync, openSync, readFileSync, statSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { createTestRenderer } from "@opentui/core/testing";
import { FrameKind } from "../src/profile/frames.ts";
import { snapshotOf, type Snapshot } from "../src/profile/snapshot.ts";
import { StackTrie } from "../src/profile/trie.ts";
import { FlameApp } from "../src/tui/app.ts";
import { blockMembers, computeLayout } from "../src/tui/layout.ts";

const NODES = 100_000;
const W = 200;
const H = 60;
const ROOT = join(import.meta.dir, "..");

let seed = 7;
const rnd = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};

/** A profile of about NODES nodes: a few processes, deep stacks that branch like real ones. */
function syntheticSnapshot(): Snapshot {
  const trie = new StackTrie();
  const kinds = [FrameKind.User, FrameKind.User, FrameKind.User, FrameKind.Kernel, FrameKind.Jit];
  const procs = Array.from({ length: 6 }, (_, i) => trie.frames.intern(`proc-${i}`, FrameKind.Process));
  const fns = Array.from({ length: 3000 }, (_, i) => trie.frames.intern(`module${i % 40}::function_${i}`, kinds[i % kinds.length]!));
  const stack = new Int32Array(64);
  while (trie.nodeCount < NODES) {
    const depth = 4 + rnd(40);
    stack[0] = procs[rnd(procs.length)]!;
    for (let d = 1; d < depth; d++) stack[d] = fns[d < 6 ? rnd(8) + d * 8 : rnd(fns.length)]!;
    trie.add(stack, depth, 1 + rnd(20));
  }
  return snapshotOf(trie, "samples");
}

function stats(xs: number[]): { mean: number; p50: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
}
const ms = (x: number) => x.toFixed(2).padStart(8);
const rows: [string, string, string, string][] = [];
const row = (name: string, xs: number[]) => {
  const st = stats(xs);
  rows.push([name, ms(st.mean), ms(st.p50), ms(st.max)]);
};

const t0 = performance.now();
const snap = syntheticSnapshot();
const buildMs = performance.now() - t0;

// Layout: uncached, from the root and from a zoomed frame, by name and by weight.
const zoomNode = snap.end[1]! > 2 ? 2 : 1;
for (const [label, zoom, sort] of [
  ["layout root, by name", 0, "name"],
  ["layout root, by weight", 0, "weight"],
  ["layout zoomed, by name", zoomNode, "name"],
] as const) {
  const xs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t = performance.now();
    computeLayout(snap, zoom, sort, W);
    xs.push(performance.now() - t);
  }
  row(`${label} (${W} cols)`, xs.slice(5));
}
// The same without merging narrow siblings: every sliver laid out, as before blocks existed.
{
  const xs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t = performance.now();
    computeLayout(snap, 0, "name", W, null, 1);
    xs.push(performance.now() - t);
  }
  row(`layout root, no merging (${W} cols)`, xs.slice(5));
}
// A zoomed block: the largest merged block at the root view, spread over the width.
{
  const root = computeLayout(snap, 0, "name", W);
  let big = -1;
  for (let i = 0; i < root.count; i++) if (root.members[i]! > 1 && (big < 0 || root.members[i]! > root.members[big]!)) big = i;
  if (big >= 0) {
    const group = [...blockMembers(root, big)];
    const parent = snap.parent[group[0]!]!;
    const xs: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      computeLayout(snap, parent, "name", W, group);
      xs.push(performance.now() - t);
    }
    row(`layout zoomed block of ${group.length} (${W} cols)`, xs.slice(5));
  }
}

// Render: a full repaint of a 200x60 screen per frame on the test renderer.
const t = await createTestRenderer({ width: W, height: H });
const app = new FlameApp(t.renderer, { snapshot: snap, title: "bench", onQuit: () => {}, colorDepth: "truecolor" });
await t.renderOnce();
const cached: number[] = [];
const withLayout: number[] = [];
for (let i = 0; i < 60; i++) {
  app.handleKey({ name: i % 2 ? "h" : "l", sequence: i % 2 ? "h" : "l", ctrl: false, meta: false }); // a state change: full repaint
  let s0 = performance.now();
  await t.renderOnce();
  cached.push(performance.now() - s0);
  app.handleKey({ name: "s", sequence: "s", ctrl: false, meta: false }); // sort change: new layout + repaint
  s0 = performance.now();
  await t.renderOnce();
  withLayout.push(performance.now() - s0);
}
row(`render frame, layout cached (${W}x${H})`, cached.slice(5));
row(`render frame incl. new layout (${W}x${H})`, withLayout.slice(5));
const laidOut = app.layout().count;
app.dispose();
await t.dispose();

// Start to first frame for a 50 MB perf script.
const big = "/tmp/flametui-bench-50mb.perf.txt";
const src = join(ROOT, "tests/fixtures/system-busy.perf.txt");
let startup: string[] = [];
if (existsSync(src)) {
  if (!existsSync(big) || statSync(big).size < 50e6) {
    const chunk = readFileSync(src);
    const fd = openSync(big, "w");
    let n = 0;
    while (n < 50e6) n += writeSync(fd, chunk);
    closeSync(fd);
  }
  const sizeMb = statSync(big).size / 1e6;
  // In process: import + snapshot + first frame on the test renderer.
  const { readProfile } = await import("../src/import/read.ts");
  const p0 = performance.now();
  const res = await readProfile(big, {});
  const p1 = performance.now();
  const s = snapshotOf(res.trie, res.unit);
  const p2 = performance.now();
  const tr = await createTestRenderer({ width: W, height: H });
  const a2 = new FlameApp(tr.renderer, { snapshot: s, title: "big", onQuit: () => {}, colorDepth: "truecolor" });
  await tr.renderOnce();
  const p3 = performance.now();
  a2.dispose();
  await tr.dispose();
  startup.push(`${sizeMb.toFixed(1)} MB perf script (${s.count} nodes), in process: import ${(p1 - p0).toFixed(0)} ms, snapshot ${(p2 - p1).toFixed(0)} ms, first frame ${(p3 - p2).toFixed(0)} ms, total ${(p3 - p0).toFixed(0)} ms`);
  // The real CLI in tmux: from spawn to the first screen with the flamegraph.
  if (spawnSync("tmux", ["-V"]).status === 0 && existsSync(join(ROOT, "src/main.ts"))) {
    const name = `flametui-bench-${process.pid}`;
    const c0 = performance.now();
    spawnSync("tmux", ["new-session", "-d", "-s", name, "-x", String(W), "-y", String(H), `bun run ${join(ROOT, "src/main.ts")} file ${big}; sleep 30`]);
    let ok = false;
    while (performance.now() - c0 < 60000) {
      const out = spawnSync("tmux", ["capture-pane", "-p", "-t", name], { encoding: "utf8" }).stdout;
      if (out.includes("? help")) {
        ok = true;
        break;
      }
      await Bun.sleep(5);
    }
    const c1 = performance.now();
    spawnSync("tmux", ["kill-session", "-t", name]);
    startup.push(ok ? `same file, real CLI in tmux ${W}x${H}: start to first frame ${(c1 - c0).toFixed(0)} ms` : "real CLI: no frame within 60 s");
  }
} else startup = ["(tests/fixtures/system-busy.perf.txt missing: startup bench skipped)"];

console.log(`synthetic profile: ${snap.count} nodes, max depth ${snap.maxDepth}, built in ${buildMs.toFixed(0)} ms; ${laidOut} frames on screen`);
console.log(`${"measure".padEnd(44)} ${"mean ms".padStart(8)} ${"p50 ms".padStart(8)} ${"max ms".padStart(8)}`);
for (const r of rows) console.log(`${r[0].padEnd(44)} ${r[1]} ${r[2]} ${r[3]}`);
for (const l of startup) console.log(l);
process.exit(0);
