// Bun's idle GC timer collects each JS thread's heap about once a second for as long as it keeps
// allocating: with the sampler's symbol tables in the heap that was half of what an idle
// profiler cost (~30 ms of CPU a second here). Live commands therefore restart themselves once
// with the timer off (BUN_GC_TIMER_DISABLE, read when the runtime starts, so it must be in the
// environment at exec); JavaScriptCore still collects as memory is allocated.
import { basename } from "node:path";
import { execve, setThreadName } from "./ffi/libc.ts";

/** Set in the restarted process: "added" when BUN_GC_TIMER_DISABLE was ours to take back out. */
const MARK = "FLAMETUI_QUIET_GC";

/**
 * Re-executes this process (same pid, fds, arguments) with Bun's GC timer off. Returns when
 * the timer is already off, in the restarted process, or when the exec failed (nothing lost:
 * flametui then runs with the timer on).
 */
export function restartWithoutGcTimer(): void {
  const mark = process.env[MARK];
  if (mark !== undefined) {
    // What flametui starts (-- COMMAND) gets the environment the user gave it.
    delete process.env[MARK];
    if (mark === "added") delete process.env.BUN_GC_TIMER_DISABLE;
    setThreadName(basename(process.execPath)); // exec'ed as /proc/self/exe, it would show as "exe"
    return;
  }
  if (process.env.BUN_GC_TIMER_DISABLE) return;
  const compiled = import.meta.url.includes("/$bunfs/");
  const argv = compiled ? [process.argv0, ...process.argv.slice(2)] : [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.BUN_GC_TIMER_DISABLE = "1";
  env[MARK] = "added";
  execve(compiled ? "/proc/self/exe" : process.execPath, argv, env);
}
