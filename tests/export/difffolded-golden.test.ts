// `flametui diff A B -o -` writes what FlameGraph's difffolded.pl writes for the same two folded
// files (tests/golden/difffolded/README.md): every stack of either, with both counts.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const cases: [name: string, before: string, after: string][] = [
  ["diff-shape.txt", "diff-shape.before.folded", "diff-shape.after.folded"],
  ["system-vs-system-busy.txt", "system.samples.folded", "system-busy.samples.folded"],
];

const sorted = (text: string) => text.split("\n").filter((l) => l !== "").sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

for (const [golden, before, after] of cases) {
  test(`diff ${before} ${after} equals difffolded.pl's output`, () => {
    const r = Bun.spawnSync([process.execPath, join(ROOT, "src/main.ts"), "diff", join(ROOT, "tests/fixtures", before), join(ROOT, "tests/fixtures", after), "-o", "-"], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    const ours = sorted(r.stdout.toString());
    const ref = sorted(readFileSync(join(ROOT, "tests/golden/difffolded", golden), "utf8"));
    expect(ours.length).toBeGreaterThan(100);
    expect(ours).toEqual(ref);
  });
}
