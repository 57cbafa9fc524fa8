// Timeouts of any length: setTimeout fires after 1 ms when asked for more than 2^31-1 ms
// (~24.8 days), so long ones are chained from chunks no longer than that.

/** The longest delay setTimeout honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TimerHost {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

const realTimers: TimerHost = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/** Calls fn once, ms from now (any finite length; Infinity never); returns a cancel function. */
export function longTimeout(fn: () => void, ms: number, host: TimerHost = realTimers): () => void {
  if (!(ms < Infinity)) return () => {};
  const deadline = host.now() + Math.max(0, ms);
  let handle: unknown;
  let cancelled = false;
  const arm = () => {
    const left = deadline - host.now();
    if (left <= 0) {
      fn();
      return;
    }
    handle = host.set(() => {
      if (!cancelled) arm();
    }, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return () => {
    cancelled = true;
    host.clear(handle);
  };
}
