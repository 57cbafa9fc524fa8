// Timing of the top-functions work on a large synthetic profile (3.3M nodes, 200k functions).
// Run: bun tests/profile/functions-bench.ts  (not a test: it only prints figures)

import { functionStats, sandwichOf, sortFunctions } from "../../src/profile/functions.ts";
import { FrameKind } from "../../src/profile/frames.ts";
import type { Snapshot } from "../../src/profile/snapshot.ts";

export function bigSnapshot(nodes = 3_300_000, functions = 200_000, seed = 7): Snapshot {
  let x = seed;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const names = Array.from({ length: functions }, (_, i) => `fn_${(i * 2654435761) % 1000003}_${i}`);
  const kinds = new Uint8Array(functions).fill(FrameKind.User);
  const modules = Array.from({ length: functions }, () => null as string | null);
  const frame = new Int32Array(nodes), parent = new Int32Array(nodes), depth = new Int32Array(nodes), end = new Int32Array(nodes);
  const self = new Float64Array(nodes), total = new Float64Array(nodes);
  frame[0] = -1;
  parent[0] = -1;
  const stack = [0];
  let maxDepth = 0;
  for (let i = 1; i < nodes; i++) {
    // Random walk of the depth between 1 and 60; frames skewed toward low ids.
    const d = stack.length;
    const pop = d > 60 ? d - 30 : rnd() < 0.45 ? Math.floor(rnd() * 4) : 0;
    for (let k = 0; k < pop && stack.length > 1; k++) end[stack.pop()!] = i;
    const p = stack[stack.length - 1]!;
    frame[i] = Math.floor(functions * rnd() ** 3);
    parent[i] = p;
    depth[i] = stack.length;
    if (depth[i]! > maxDepth) maxDepth = depth[i]!;
    self[i] = rnd() < 0.5 ? 1 + Math.floor(rnd() * 5) : 0;
    stack.push(i);
  }
  while (stack.length) end[stack.pop()!] = nodes;
  for (let i = 0; i < nodes; i++) total[i] = self[i]!;
  for (let i = nodes - 1; i > 0; i--) total[parent[i]!]! += total[i]!;
  return { names, kinds, modules, rawNames: null, count: nodes, frame, parent, depth, end, self, total, maxDepth, unit: "samples" } as unknown as Snapshot;
}

function time<T>(label: string, f: () => T, runs = 5): T {
  let r: T = f();
  const ms: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    r = f();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(22)} median ${ms[runs >> 1]!.toFixed(1)} ms  (min ${ms[0]!.toFixed(1)}, max ${ms.at(-1)!.toFixed(1)})`);
  return r;
}

if (import.meta.main) {
  const s = bigSnapshot();
  const st = time("functionStats", () => functionStats(s));
  console.log(`nodes ${s.count}, functions with weight ${st.ids.length}`);
  time("sort by self", () => sortFunctions(st, "self"));
  time("sort by total", () => sortFunctions(st, "total"));
  time("sort by name", () => sortFunctions(st, "name"));
  let hot = 0;
  for (const f of st.ids) if (st.total[f]! > st.total[hot]!) hot = f;
  time("sandwich (heaviest fn)", () => sandwichOf(s, hot), 3);
  const mid = st.ids[st.ids.length >> 1]!;
  time("sandwich (median fn)", () => sandwichOf(s, mid), 3);
}
