// `fixed --ms` longer than setTimeout's limit (~24.8 days) samples until stopped instead of
// giving up at once; absurd --ms and --hz are usage errors.

import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli.ts";
import { UsageError } from "../../src/errors.ts";
import { buildWorkload, flametui, isRoot, ourPrograms, waitFor, work } from "./helpers.ts";

describe("--ms and --hz ranges", () => {
  test("days and weeks are accepted, more than a year and over 1 MHz are not", () => {
    const ms = (v: string) => {
      const p = parseArgs(["fixed", "--ms", v], true);
      return p.command === "fixed" ? p.options.ms : null;
    };
    expect(ms("2200000000")).toBe(2_200_000_000);
    expect(ms(String(365 * 24 * 3600 * 1000))).toBe(31_536_000_000);
    expect(() => parseArgs(["fixed", "--ms", "31536000001"], true)).toThrow(/for --ms: it is at most 31536000000/);
    expect(() => parseArgs(["ring", "--ms", "1e20"], true)).toThrow(UsageError);
    expect(() => parseArgs(["aggregate", "--hz", "1000001"], true)).toThrow(/for --hz: it is at most 1000000/);
  });
});

describe.skipIf(!isRoot)("fixed --ms 2200000000", () => {
  test("still sampling after 1.5 s; SIGINT writes the profile", async () => {
    const out = join(work, "long-fixed.folded");
    const w = Bun.spawn([buildWorkload("busy"), "10"]);
    const p = flametui(["fixed", "--hz", "99", "--ms", "2200000000", "--pid", String(w.pid), "-o", out]);
    expect(await waitFor(() => ourPrograms().length > 0, 5000)).toBe(true);
    await Bun.sleep(1500);
    expect(p.exitCode).toBeNull();
    p.kill("SIGINT");
    const code = await p.exited;
    w.kill();
    expect(code).toBe(0);
    expect(await new Response(p.stderr).text()).not.toContain("did not finish");
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, "utf8").length).toBeGreaterThan(0);
    expect(await waitFor(() => ourPrograms().length === 0, 2000)).toBe(true);
  }, 20000);
});
