// flametui diff's merge (src/profile/diff.ts) of two profiles of ~100k nodes each that share most
// of their call paths, as two captures of one program do: milliseconds per merge (median of 7).
// Usage: bun bench/diff.bench.ts [nodes=100000]

import { diffSnapshots } from "../src/profile/diff.ts";
import { FrameKind } from "../src/profile/frames.ts";
import { snapshotOf, type Snapshot } from "../src/profile/snapshot.ts";
import { StackTrie } from "../src/profile/trie.ts";

const NODES = Number(process.argv[2] ?? 100_000);

/** A profile of about `nodes` nodes: random paths over 2,000 function names, depth 4-24 (seeded). */
function profile(nodes: number, seed: number, vary: number): Snapshot {
  let x = 12345;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const trie = new StackTrie();
  const names = Array.from({ length: 2000 }, (_, i) => trie.frames.intern(`fn_${i.toString(36)}`, FrameKind.User));
  const stack: number[] = [];
  let r = 0;
  while (trie.nodeCount < nodes) {
    const depth = 4 + Math.floor(rnd() * 20);
    stack.length = 0;
    for (let d = 0; d < depth; d++) stack.push(names[Math.floor(rnd() * (d < 3 ? 8 : 2000))]!);
    // the second profile takes a different path for `vary` of the stacks
    if ((seed * 7919 + r++) % 100 < vary * 100) stack[stack.length - 1] = names[(seed * 31 + r) % 2000]!;
    trie.add(stack, stack.length, 1 + Math.floor(rnd() * 10));
  }
  return snapshotOf(trie);
}

const before = profile(NODES, 1, 0);
const after = profile(NODES, 2, 0.1);
const times: number[] = [];
let count = 0;
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  count = diffSnapshots(before, after).count;
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log("| BEFORE nodes | AFTER nodes | merged nodes | ms (median of 7) | min ms |");
console.log("|---|---|---|---|---|");
console.log(`| ${before.count} | ${after.count} | ${count} | ${times[3]!.toFixed(1)} | ${times[0]!.toFixed(1)} |`);
