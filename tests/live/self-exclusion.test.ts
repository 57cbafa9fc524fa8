// flametui leaves its own process out of live profiles (filtered in the BPF program, samples
// and lifecycle records) unless --include-self; the final figures say what was left out and
// how much CPU flametui used. A paused live view still gets its figures; `z` zeroes the counts.

import { describe, expect, test } from "bun:test";
import { LiveClient } from "../../src/worker/client.ts";
import type { LiveConfig } from "../../src/worker/protocol.ts";
import type { LiveStats, Snapshot } from "../../src/profile/snapshot.ts";
import { buildWorkload, flametui, isRoot } from "./helpers.ts";
import { runClient } from "./run-client.ts";

async function foldedOf(args: string[]): Promise<{ pid: number; text: string }> {
  const p = flametui(["fixed", "--hz", "997", "--ms", "1000", "-o", "-", ...args]);
  const text = await new Response(p.stdout).text();
  expect(await p.exited).toBe(0);
  return { pid: p.pid, text };
}

describe.skipIf(!isRoot)("flametui out of its own profile", () => {
  test("fixed: no sample of flametui's process by default; --include-self brings them back", async () => {
    const busy = Bun.spawn([buildWorkload("busy"), "6"]);
    try {
      const plain = await foldedOf([]);
      expect(plain.text).toContain(`;pid ${busy.pid};`);
      expect(plain.text).not.toContain(`;pid ${plain.pid};`);
      // flametui is busiest while it starts reading and naming samples: at 997 Hz it shows up
      const self = await foldedOf(["--include-self"]);
      expect(self.text).toContain(`;pid ${busy.pid};`);
      expect(self.text).toContain(`;pid ${self.pid};`);
    } finally {
      busy.kill();
    }
  }, 30000);

  test("the final figures count what the kernel left out and flametui's own CPU use", async () => {
    const busy = Bun.spawn([buildWorkload("busy"), "6"]);
    try {
      const plain = await runClient({ mode: "fixed", hz: 997, ms: 1000 }, {});
      expect(plain.finished).toBe(true);
      expect(plain.cpus).toBe(navigator.hardwareConcurrency);
      expect(plain.selfCpu!).toBeGreaterThan(0);
      expect(plain.excluded!.self!).toBeGreaterThan(0);
      expect(plain.excluded!.idle).toBeGreaterThanOrEqual(0);
      expect(plain.excluded!.pidFilter).toBeUndefined();
      const filtered = await runClient({ mode: "fixed", hz: 997, ms: 1000, pids: [busy.pid], includeSelf: true, enableIdle: true }, {});
      expect(filtered.excluded!.self).toBeUndefined();
      expect(filtered.excluded!.idle).toBeUndefined();
      expect(filtered.excluded!.pidFilter!).toBeGreaterThan(0);
    } finally {
      busy.kill();
    }
  }, 30000);
});

describe.skipIf(!isRoot)("paused and zeroed live views", () => {
  test("paused: figures (clock included) keep coming without snapshots; z zeroes the aggregate trie", async () => {
    const busy = Bun.spawn([buildWorkload("busy"), "8"]);
    const config: LiveConfig = {
      mode: "aggregate", hz: 997, ms: 1000, slots: 1, pids: [busy.pid], enableIdle: false, includeSelf: false,
      threads: false, noPid: false, liveSnapshots: true, logPath: null,
    };
    const client = await LiveClient.start(config);
    try {
      const snaps: Snapshot[] = [];
      const figures: LiveStats[] = [];
      client.onSnapshot((s) => snaps.push(s));
      client.onProgress((l) => figures.push(l));
      const until = async (pred: () => boolean, ms = 5000) => {
        const end = Date.now() + ms;
        while (!pred()) {
          if (Date.now() > end) throw new Error("timed out");
          await Bun.sleep(20);
        }
      };
      await until(() => (snaps.at(-1)?.total[0] ?? 0) > 500);
      client.setFrozen(true);
      await Bun.sleep(150);
      const snapsWhenPaused = snaps.length;
      await until(() => figures.length >= 3);
      expect(figures.at(-1)!.elapsedMs).toBeGreaterThan(figures[0]!.elapsedMs + 300);
      expect(figures.at(-1)!.samples).toBeGreaterThan(figures[0]!.samples);
      expect(snaps.length).toBe(snapsWhenPaused);
      const before = figures.at(-1)!.samples;
      client.zero();
      await until(() => figures.at(-1)!.samples < before / 2);
      client.setFrozen(false);
      await until(() => snaps.length > snapsWhenPaused);
      const after = snaps.at(-1)!;
      expect(after.total[0]!).toBeLessThan(before / 2);
      expect(after.live!.elapsedMs).toBeLessThan(1500);
    } finally {
      await client.stop();
      busy.kill();
    }
  }, 30000);

  test("z clears a ring window too", async () => {
    const busy = Bun.spawn([buildWorkload("busy"), "8"]);
    const config: LiveConfig = {
      mode: "ring", hz: 997, ms: 500, slots: 10, pids: [busy.pid], enableIdle: false, includeSelf: false,
      threads: false, noPid: false, liveSnapshots: true, logPath: null,
    };
    const client = await LiveClient.start(config);
    try {
      let last: Snapshot | null = null;
      client.onSnapshot((s) => (last = s));
      const total = () => (last as Snapshot | null)?.total[0] ?? 0;
      const end = Date.now() + 5000;
      while (total() < 1500 && Date.now() < end) await Bun.sleep(20);
      const before = total();
      expect(before).toBeGreaterThanOrEqual(1500);
      client.zero();
      const t0 = Date.now();
      while (total() >= before && Date.now() - t0 < 3000) await Bun.sleep(20);
      // zeroed at once, not aged out slot by slot (the window is 5 s long)
      expect(total()).toBeLessThan(before / 2);
    } finally {
      await client.stop();
      busy.kill();
    }
  }, 30000);
});
