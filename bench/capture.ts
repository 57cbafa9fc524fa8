// Makes the large captures the import benchmarks read: a system-wide `perf record -g` of busy
// workloads turned into `perf script` text (>= 50 MB), and a folded file with one line per
// sample (>= 50 MB). Both are cached in bench/data/ and recorded on first use.

import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const DATA = join(import.meta.dir, "data");
export const PERF_TXT = join(DATA, "capture.perf.txt");
export const FOLDED = join(DATA, "capture.folded");
const MIN = 50e6;

function sh(cmd: string): void {
  const r = Bun.spawnSync(["bash", "-c", cmd], { stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) throw new Error(`failed: ${cmd}`);
}

export function ensureCaptures(): void {
  mkdirSync(DATA, { recursive: true });
  if (!existsSync(PERF_TXT) || statSync(PERF_TXT).size < MIN) {
    const root = join(import.meta.dir, "..");
    sh(`gcc -O1 -fno-omit-frame-pointer -o ${DATA}/shape ${root}/tests/workloads/shape.c`);
    sh(`gcc -O1 -fno-omit-frame-pointer -pthread -o ${DATA}/threads ${root}/tests/workloads/threads.c`);
    sh(
      `(${DATA}/shape 40 & ${DATA}/threads 40 & timeout 40 sh -c 'while :; do find /usr/lib -name "*.so" >/dev/null 2>&1; done' & ` +
        `perf record -a -g -F 999 -o ${DATA}/capture.data -- sleep 40 >/dev/null 2>&1; wait) ; ` +
        `perf script -i ${DATA}/capture.data > ${PERF_TXT} 2>/dev/null; rm -f ${DATA}/capture.data`,
    );
  }
  if (!existsSync(FOLDED) || statSync(FOLDED).size < MIN) {
    // One folded line per sample (as streaming collectors write them), repeated until >= 50 MB.
    const text = require("node:fs").readFileSync(PERF_TXT, "utf8") as string;
    const lines: string[] = [];
    for (const block of text.split("\n\n")) {
      const rows = block.split("\n").filter((l) => l.length > 0 && !l.startsWith("#"));
      if (rows.length < 2) continue;
      const comm = rows[0]!.replace(/\s+\d+.*$/, "").replace(/ /g, "_");
      const frames = rows.slice(1).map((r) => r.trim().replace(/^\S+\s+/, "").replace(/\+0x[0-9a-f]+ \(.*$/, "").replace(/ \(.*$/, "").replaceAll(";", ":"));
      lines.push(`${comm};${frames.reverse().join(";")} 1`);
    }
    let out = lines.join("\n") + "\n";
    const once = out;
    while (out.length < MIN) out += once;
    writeFileSync(FOLDED, out);
  }
}
