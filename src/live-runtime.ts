// The runtime settings of a live command, which runs for minutes at a few hundred records a
// second: Bun's idle GC timer collected each JS thread's heap about once a second for as long as
// it kept allocating (with the symbol tables in the heap, half of what an idle profiler cost:
// ~30 ms of CPU a second here), and JavaScriptCore's FTL tier compiled start-up code that runs
// once (off-CPU runs used ~15% less CPU without it; the per-sample path never used FTL, see
// collect/jit-tiers.ts). Both are read when the runtime starts, so a live command restarts itself
// once with them in the environment. JavaScriptCore still collects as memory is allocated, and
// its DFG tier still optimizes hot code.
import { execve } from "./ffi/libc.ts";

/** The environment a live command runs with. */
const SETTINGS: Readonly<Record<string, string>> = { BUN_GC_TIMER_DISABLE: "1", BUN_JSC_useFTLJIT: "0" };

/** Set in the restarted process: the names of SETTINGS it added (to take back out), comma-separated. */
const MARK = "FLAMETUI_LIVE_RUNTIME";

/**
 * Re-executes this process (same pid, fds, arguments) with SETTINGS. Returns in the restarted
 * process, when every setting is already in the environment, or when the exec failed (nothing
 * lost: flametui then runs with Bun's defaults).
 */
export function restartWithLiveRuntime(): void {
  const mark = process.env[MARK];
  if (mark !== undefined) {
    // What flametui starts (-- COMMAND) gets the environment the user gave it.
    delete process.env[MARK];
    for (const name of mark.split(",")) if (name in SETTINGS) delete process.env[name];
    return;
  }
  const added = Object.keys(SETTINGS).filter((k) => process.env[k] === undefined);
  if (added.length === 0) return;
  const compiled = import.meta.url.includes("/$bunfs/");
  const argv = compiled ? [process.argv0, ...process.argv.slice(2)] : [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const k of added) env[k] = SETTINGS[k]!;
  env[MARK] = added.join(",");
  // By its path, so ps and top show the same name (only its owner can have changed that file since).
  execve(process.execPath, argv, env);
}
