// Trie merge speed: interned stacks of realistic depth merged into a StackTrie, against a
// baseline in the same process (summing the same frame ids, the cost of just reading them).

import { StackTrie } from "../src/profile/trie.ts";

const STACKS = 20_000;
const DEPTH = 24;
const MERGES = 4_000_000;

let seed = 42;
const rnd = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
// Stacks share prefixes the way real ones do: a few roots, branching deeper down.
const stacks: Int32Array[] = [];
for (let i = 0; i < STACKS; i++) {
  const d = 8 + rnd(DEPTH - 8);
  const st = new Int32Array(d);
  for (let k = 0; k < d; k++) st[k] = k < 3 ? rnd(4) : rnd(200) + k * 200;
  stacks.push(st);
}

function bench(label: string, fn: () => void): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

let sink = 0;
const base = bench("baseline", () => {
  for (let i = 0; i < MERGES; i++) {
    const st = stacks[i % STACKS]!;
    for (let k = 0; k < st.length; k++) sink += st[k]!;
  }
});
let nodes = 0;
const merge = bench("merge", () => {
  const t = new StackTrie();
  for (let i = 0; i < MERGES; i++) {
    const st = stacks[i % STACKS]!;
    t.add(st, st.length, 1);
  }
  nodes = t.nodeCount;
});
const sub = bench("merge+subtract", () => {
  const t = new StackTrie();
  for (let i = 0; i < MERGES / 2; i++) {
    const st = stacks[i % STACKS]!;
    t.add(st, st.length, 1);
  }
  for (let i = 0; i < MERGES / 2; i++) {
    const st = stacks[i % STACKS]!;
    t.subtract(st, st.length, 1);
  }
});

const rate = (ms: number) => ((MERGES / ms) * 1000) / 1e6;
console.log("| operation | stacks | avg depth | trie nodes | M stacks/s | vs read-only baseline | target |");
console.log("|---|---|---|---|---|---|---|");
const avg = stacks.reduce((a, s) => a + s.length, 0) / STACKS;
console.log(`| read frame ids (baseline) | ${MERGES} | ${avg.toFixed(1)} | - | ${rate(base).toFixed(1)} | 1.00 | - |`);
console.log(`| merge | ${MERGES} | ${avg.toFixed(1)} | ${nodes} | ${rate(merge).toFixed(1)} | ${(base / merge).toFixed(2)} | >= 2.0 |`);
console.log(`| merge then subtract all | ${MERGES} | ${avg.toFixed(1)} | 1 | ${rate(sub).toFixed(1)} | ${(base / sub).toFixed(2)} | - |`);
if (sink === 0.5) console.log(sink);
