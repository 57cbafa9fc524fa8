// Headless runs write their profile on every signal that ends a terminal session: SIGINT,
// SIGTERM, SIGHUP (the terminal went away) and SIGQUIT, in each live mode.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildWorkload, flametui, isRoot, ourPrograms, parseFolded, waitFor, work } from "./helpers.ts";

const MODES: Record<string, string[]> = {
  fixed: ["fixed", "--ms", "60000"],
  aggregate: ["aggregate"],
  ring: ["ring", "--ms", "500", "--n", "10"],
};

describe.skipIf(!isRoot)("headless -o on a signal", () => {
  const shape = isRoot ? buildWorkload("shape") : "";

  for (const sig of ["SIGHUP", "SIGQUIT"] as const) {
    for (const [mode, args] of Object.entries(MODES)) {
      test(`${mode} writes its profile on ${sig}`, async () => {
        const w = Bun.spawn([shape, "6"]);
        const out = join(work, `${mode}-${sig}.folded`);
        const p = flametui([...args, "--hz", "199", "--pid", String(w.pid), "-o", out]);
        expect(await waitFor(() => ourPrograms().length > 0, 5000)).toBe(true);
        await Bun.sleep(1000);
        p.kill(sig);
        expect(await p.exited).toBe(0);
        w.kill();
        const stacks = parseFolded(readFileSync(out, "utf8"));
        expect([...stacks.keys()].some((s) => s.startsWith("shape;") && s.endsWith(";hot"))).toBe(true);
        expect([...stacks.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
      }, 20000);
    }
  }
});
