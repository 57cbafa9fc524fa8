// The kernel's mmap records, read live: every exec'ed process's binary mapping is known after
// the process is gone, also when the small ring wraps many times. Run as root.
import { describe, expect, test } from "bun:test";
import { onlineCpus } from "../../src/collect/cpus.ts";
import { MmapEvents } from "../../src/collect/mmap-events.ts";
import { KernelMaps } from "../../src/symbolize/kernel-maps.ts";

const isRoot = process.getuid?.() === 0;
const TRUE = Bun.which("true")!;

describe.skipIf(!isRoot)("MmapEvents", () => {
  test("each short-lived process's binary is mapped, through a ring that wraps", async () => {
    const maps = new KernelMaps();
    const events = MmapEvents.open(onlineCpus(), maps, [], 2); // 8 KiB a CPU: wraps every ~70 records
    if (typeof events === "string") throw new Error(events);
    try {
      const pids: number[] = [];
      for (let i = 0; i < 150; i++) {
        const p = Bun.spawn([TRUE], { stdout: "ignore" });
        await p.exited;
        pids.push(p.pid);
        events.drain();
      }
      events.drain();
      let found = 0;
      for (const pid of pids) {
        maps.execed(pid); // as the sample stream's exec record would
        const m = maps.mappings(pid).find((x) => x.path === TRUE);
        if (m !== undefined && maps.find(pid, m.end - 1) === m) found++;
      }
      expect(events.stats.malformed).toBe(0);
      expect(events.stats.lost).toBe(0);
      expect(found).toBe(pids.length);
    } finally {
      events.close();
    }
  });
});
