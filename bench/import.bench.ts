// Import throughput on >= 50 MB captures recorded on this machine, against a baseline in the
// same process: reading the same file and finding every newline (the floor any importer pays).

import { closeSync, openSync, readSync, statSync } from "node:fs";
import { readProfile } from "../src/import/read.ts";
import { FOLDED, PERF_TXT, ensureCaptures } from "./capture.ts";

ensureCaptures();

function scanLines(path: string): number {
  const fd = openSync(path, "r");
  const buf = new Uint8Array(1 << 20);
  let lines = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n <= 0) break;
    let p = buf.indexOf(10);
    while (p >= 0 && p < n) {
      lines++;
      p = buf.indexOf(10, p + 1);
    }
  }
  closeSync(fd);
  return lines;
}

function best(fn: () => unknown, runs = 3): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

async function bestAsync(fn: () => Promise<unknown>, runs = 3): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

const rows: string[][] = [];
for (const [label, path, target] of [
  ["perf script", PERF_TXT, 200],
  ["folded", FOLDED, 400],
] as const) {
  const mb = statSync(path).size / 1e6;
  const base = best(() => scanLines(path));
  let stacks = 0;
  let nodes = 0;
  const ms = await bestAsync(async () => {
    const r = await readProfile(path);
    stacks = r.stats.stacks;
    nodes = r.trie.nodeCount;
  });
  rows.push([label, mb.toFixed(1), String(stacks), String(nodes), (mb / (ms / 1000)).toFixed(0), (mb / (base / 1000)).toFixed(0), (base / ms).toFixed(2), `${target}`]);
}

const head = ["input", "MB", "stacks", "trie nodes", "import MB/s", "newline scan MB/s", "import/scan", "target MB/s"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmt = (r: string[]) => "| " + r.map((c, i) => c.padStart(widths[i]!)).join(" | ") + " |";
console.log(fmt(head));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const r of rows) console.log(fmt(r));
