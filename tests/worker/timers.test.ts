// longTimeout: delays beyond setTimeout's 2^31-1 ms limit are chained, not fired at once.

import { describe, expect, test } from "bun:test";
import { longTimeout, MAX_TIMER_MS, type TimerHost } from "../../src/worker/timers.ts";

/** A clock that only moves when the test advances it; records every delay asked for. */
class FakeTimers implements TimerHost {
  t = 0;
  delays: number[] = [];
  private pending: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  set(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    const id = this.next++;
    this.pending.push({ at: this.t + ms, fn, id });
    return id;
  }
  clear(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }
  now(): number {
    return this.t;
  }
  /** Runs every timer due up to t + ms, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at);
      const p = this.pending[0];
      if (!p || p.at > end) break;
      this.pending.shift();
      this.t = p.at;
      p.fn();
    }
    this.t = end;
  }
}

describe("longTimeout", () => {
  test("2.2e9 ms: no chunk over the limit, fires at the deadline and not before", () => {
    const host = new FakeTimers();
    let fired = 0;
    longTimeout(() => fired++, 2_200_000_000, host);
    expect(host.delays[0]).toBe(MAX_TIMER_MS);
    host.advance(2_199_999_999);
    expect(fired).toBe(0);
    host.advance(1);
    expect(fired).toBe(1);
    expect(host.delays.every((d) => d <= MAX_TIMER_MS)).toBe(true);
    host.advance(10 * MAX_TIMER_MS);
    expect(fired).toBe(1);
  });

  test("a year is chained in ~15 chunks", () => {
    const host = new FakeTimers();
    let fired = false;
    const year = 365 * 24 * 3600 * 1000;
    longTimeout(() => (fired = true), year, host);
    host.advance(year - 1);
    expect(fired).toBe(false);
    host.advance(1);
    expect(fired).toBe(true);
    expect(host.delays.length).toBe(Math.ceil(year / MAX_TIMER_MS));
  });

  test("cancel stops it, also between chunks", () => {
    const host = new FakeTimers();
    let fired = false;
    const cancel = longTimeout(() => (fired = true), 3 * MAX_TIMER_MS, host);
    host.advance(MAX_TIMER_MS + 5);
    cancel();
    host.advance(5 * MAX_TIMER_MS);
    expect(fired).toBe(false);
  });

  test("Infinity never fires; short delays are one timer", () => {
    const host = new FakeTimers();
    let fired = 0;
    longTimeout(() => fired++, Infinity, host);
    longTimeout(() => fired++, 250, host);
    expect(host.delays).toEqual([250]);
    host.advance(1e15);
    expect(fired).toBe(1);
  });

  test("with the real timers: a 40 ms timeout fires after 40 ms", async () => {
    const t0 = performance.now();
    const at = await new Promise<number>((res) => longTimeout(() => res(performance.now()), 40));
    expect(at - t0).toBeGreaterThanOrEqual(39);
  });
});
