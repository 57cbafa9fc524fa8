// Time bins on the real kernel (root): a workload built here spins in spin_a for 500 ms, then in
// spin_b for 500 ms, from the moment it is signalled; the signal goes out as soon as sampling has
// started (by `-- COMMAND`, or by the test once the worker client is ready). Selecting the second
// half shows only spin_b: through the CLI headless (`fixed --range … -o`), and through the
// worker client and the viewer's range selection.

import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findByPath, pathNames, type Snapshot } from "../../src/profile/snapshot.ts";
import { FlameApp } from "../../src/tui/app.ts";
import { LiveClient } from "../../src/worker/client.ts";
import type { LiveConfig } from "../../src/worker/protocol.ts";
import { createTestRenderer } from "@opentui/core/testing";
import { flametui, isRoot, parseFolded, work } from "./helpers.ts";

if (!isRoot) console.warn("live tests skipped: they need root (CAP_BPF and CAP_PERFMON)");

const SOURCE = String.raw`
/* Spins in spin_a for 500 ms, then in spin_b for 500 ms (CLOCK_MONOTONIC); with no argument it
 * first waits for SIGUSR1. */
#include <signal.h>
#include <time.h>

static volatile unsigned long sink;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

__attribute__((noinline)) static void tick(void) { sink++; }

__attribute__((noinline)) static void spin_a(double until)
{
	while (now_ms() < until) {
		for (int i = 0; i < 2000; i++) sink += i * 2654435761u;
		tick();
	}
}

__attribute__((noinline)) static void spin_b(double until)
{
	while (now_ms() < until) {
		for (int i = 0; i < 2000; i++) sink += i * 2654435761u;
		tick();
	}
}

int main(int argc, char **argv)
{
	sigset_t s;
	int sig;
	(void)argv;
	if (argc < 2) {
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigprocmask(SIG_BLOCK, &s, 0);
		sigwait(&s, &sig);
	}
	double t0 = now_ms();
	spin_a(t0 + 500);
	spin_b(t0 + 1000);
	return 0;
}
`;

function buildPhases(): string {
  const src = join(work, "phases.c");
  const out = join(work, "phases");
  writeFileSync(src, SOURCE);
  const r = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", out, src]);
  if (r.exitCode !== 0) throw new Error(`gcc failed: ${r.stderr.toString()}`);
  return out;
}

/** Samples whose stack holds spin_a / spin_b. */
function phaseCounts(stacks: Iterable<[string, number]>): { a: number; b: number } {
  let a = 0, b = 0;
  for (const [stack, n] of stacks) {
    const frames = stack.split(";");
    if (frames.includes("spin_a")) a += n;
    if (frames.includes("spin_b")) b += n;
  }
  return { a, b };
}

function snapshotStacks(s: Snapshot): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 1; i < s.count; i++) if (s.self[i]! > 0) out.push([pathNames(s, i).join(";"), s.self[i]!]);
  return out;
}

describe.skipIf(!isRoot)("time bins", () => {
  const phases = isRoot ? buildPhases() : "";

  test("headless: fixed --range of the second half writes only spin_b (>= 95%), the first half only spin_a", async () => {
    // `-- COMMAND`: the workload is released once sampling has started, so its phases begin a
    // few milliseconds after the start; ranges inside each half with 50 ms of margin.
    for (const [range, want] of [["550-1000", "b"], ["50-450", "a"]] as const) {
      const out = join(work, `range-${want}.folded`);
      const args = ["fixed", "--hz", "997", "--range", range, "-o", out, "--", phases, "now"];
      // FLAMETUI_EXE: the compiled executable (bun run build.ts) instead of the sources.
      const exe = process.env.FLAMETUI_EXE;
      const p = exe ? Bun.spawn([exe, ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" }) : flametui(args);
      expect(await p.exited).toBe(0);
      expect(await new Response(p.stderr).text()).toMatch(new RegExp(`--range ${range} ms: \\d+ of \\d+ samples`));
      const { a, b } = phaseCounts(parseFolded(readFileSync(out, "utf8")));
      const mine = want === "b" ? b : a;
      expect(a + b).toBeGreaterThan(50); // ~350 ms at 997 Hz on an idle machine
      console.log(`--range ${range}: spin_a ${a}, spin_b ${b} samples`);
      expect(mine / (a + b)).toBeGreaterThanOrEqual(0.95);
    }
  }, 30_000);

  test("worker client + viewer: the timeline has both phases; selecting the second half in the viewer shows only spin_b", async () => {
    const w = Bun.spawn([phases], { stdout: "ignore", stderr: "ignore" });
    // A failure before the signal must not leave the workload waiting for it.
    const killTimer = setTimeout(() => w.kill(), 25_000);
    const config: LiveConfig = {
      mode: "fixed", hz: 997, ms: 1500, slots: 1, pids: [w.pid], enableIdle: false, includeSelf: false,
      threads: false, noPid: false, liveSnapshots: false, logPath: null, binMs: 50,
    };
    let snap: Snapshot;
    try {
      const client = await LiveClient.start(config);
      w.kill("SIGUSR1"); // sampling has started: the phases begin now, within a bin or two
      snap = await client.within(config.ms + 15_000);
      await w.exited;
    } finally {
      clearTimeout(killTimer);
      w.kill();
    }
    const tl = snap.timeline!;
    expect(tl.binMs).toBe(50);
    // Where the workload's samples begin and end, by the timeline itself.
    const per = tl.perBin(0, tl.lastBin + 1);
    const first = per.findIndex((x) => x > 0);
    let last = per.length - 1;
    while (last > 0 && per[last] === 0) last--;
    expect(first).toBeGreaterThanOrEqual(0);
    expect((last - first + 1) * 50).toBeGreaterThan(900); // a second of work
    expect((last - first + 1) * 50).toBeLessThan(1200);
    expect(first * 50).toBeLessThan(300); // signalled as sampling started

    const t = await createTestRenderer({ width: 100, height: 30 });
    const app = new FlameApp(t.renderer, { snapshot: snap, title: "live", colorDepth: "truecolor", onQuit: () => {} });
    try {
      await t.renderOnce();
      expect(app.stripRows).toBe(1);
      // The second half (one bin of margin at the switch) as the viewer selects it.
      const mid = first + 10;
      app.time.select({ from: mid + 1, to: last + 1 });
      await t.renderOnce();
      const second = phaseCounts(snapshotStacks(app.snapshot));
      expect(second.a + second.b).toBeGreaterThan(50); // ~450 on an idle machine; a loaded one gives the workload less
      expect(second.b / (second.a + second.b)).toBeGreaterThanOrEqual(0.95);
      expect(t.captureCharFrame()).toContain("spin_b");
      expect(findByPath(app.snapshot, ["phases", `pid ${w.pid}`]).exact).toBe(true);
      // And the first half only spin_a; c + the second half diffs them.
      app.time.clear();
      app.time.select({ from: first, to: mid - 1 });
      const firstHalf = phaseCounts(snapshotStacks(app.snapshot));
      expect(firstHalf.a / (firstHalf.a + firstHalf.b)).toBeGreaterThanOrEqual(0.95);
      app.time.compareKey();
      app.time.select({ from: mid + 1, to: last + 1 });
      expect(app.snapshot.diff).toBeDefined();
    } finally {
      app.dispose();
      t.renderer.destroy();
    }
  }, 30_000);
});
