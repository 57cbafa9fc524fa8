// PollSet and the eventfd the main thread signals: how a worker asleep in a long poll learns of a
// stop at once. The waits here are long (seconds) so a wake that did not happen cannot pass.

import { describe, expect, test } from "bun:test";
import { clearEventFd, closeFd, openEventFd, PollSet, signalEventFd } from "../../src/ffi/libc.ts";

describe("PollSet over an eventfd", () => {
  test("unsignalled it times out; signalled it is readable until cleared", () => {
    const fd = openEventFd();
    expect(fd).toBeGreaterThanOrEqual(0);
    try {
      const set = new PollSet([fd]);
      expect(set.wait(0)).toBe(0);
      signalEventFd(fd);
      signalEventFd(fd); // counts add up; one read clears them
      expect(set.wait(10_000)).toBe(1);
      expect(set.wait(0)).toBe(1);
      clearEventFd(fd);
      expect(set.wait(0)).toBe(0);
      clearEventFd(fd); // nothing to read: no block, no throw
      expect(set.wait(0)).toBe(0);
    } finally {
      closeFd(fd);
    }
  });

  test("counts the readable fds; a closed fd in the set is reported, not waited on forever", () => {
    const a = openEventFd();
    const b = openEventFd();
    const set = new PollSet([a, b]);
    signalEventFd(a);
    signalEventFd(b);
    expect(set.wait(0)).toBe(2);
    clearEventFd(a);
    expect(set.wait(0)).toBe(1);
    closeFd(a);
    closeFd(b);
    expect(set.wait(0)).toBe(2); // POLLNVAL on both
  });

  test("another thread's signal ends a 30 s wait at once", async () => {
    const fd = openEventFd();
    try {
      const src = `
        import { signalEventFd } from ${JSON.stringify(new URL("../../src/ffi/libc.ts", import.meta.url).pathname)};
        self.onmessage = (e) => setTimeout(() => { signalEventFd(e.data); postMessage("sent"); }, 200);
      `;
      const url = URL.createObjectURL(new Blob([src], { type: "application/typescript" }));
      const w = new Worker(url);
      const sent = new Promise((res) => (w.onmessage = res));
      w.postMessage(fd);
      const t0 = performance.now();
      const r = new PollSet([fd]).wait(30_000); // blocks this thread until the worker signals
      const waited = performance.now() - t0;
      await sent;
      w.terminate();
      expect(r).toBe(1);
      expect(waited).toBeLessThan(15_000);
    } finally {
      closeFd(fd);
    }
  });
});
