// Terminal lifecycle for the flamegraph: opens /dev/tty when stdin is a pipe, starts the
// renderer, feeds live snapshots, and restores the terminal on every way out.

import { openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import tty from "node:tty";
import { createCliRenderer, type CliRenderer } from "@opentui/core";
import type { Snapshot } from "../profile/snapshot.ts";
import { escapeText } from "../text/sanitize.ts";
import { FlameApp } from "./app.ts";

export interface TuiOptions {
  snapshot: Snapshot; // first snapshot to show
  title: string; // e.g. file name or "fixed 99 Hz"
  subscribe?: (onSnapshot: (s: Snapshot) => void) => () => void; // live updates; returns unsubscribe
  onFreeze?: (frozen: boolean) => void; // tell the producer (live mode) we froze/unfroze
  onZero?: () => void; // live mode: the user zeroed the counts
  inputPath?: string; // the profile file shown; `e` offers its directory
  exportDir?: string; // the directory `e` offers (default: the input's, else the current one)
  log?: (line: string) => void; // debug log; never write to the terminal while the TUI is up
  abort?: AbortSignal; // closes the viewer from outside (e.g. the sampler failed); its reason is reported
  range?: { startMs: number; endMs: number; binMs?: number }; // a time range selected from the start (--range)
}

const SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"];
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/** Keys come from stdin when it is a terminal, else from /dev/tty (data was piped in). */
function openInput(): { stdin: NodeJS.ReadStream; owned: tty.ReadStream | null } {
  if (process.stdin.isTTY) return { stdin: process.stdin, owned: null };
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r");
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot open /dev/tty for keyboard input (${why}); run in a terminal, or write a file with -o instead`);
  }
  const s = new tty.ReadStream(fd);
  return { stdin: s as unknown as NodeJS.ReadStream, owned: s };
}

/** One line for the user; the stack, if any, goes to the debug log. */
function describeError(err: unknown): string {
  const hint = (err as { hint?: unknown } | null)?.hint;
  if (err instanceof Error) return `flametui: ${escapeText(err.message)}\n${typeof hint === "string" ? `  hint: ${escapeText(hint)}\n` : ""}`;
  return `flametui: ${escapeText(String(err))}\n`;
}

/**
 * Shows the interactive flamegraph until the user quits (q, Ctrl-C), a signal arrives
 * (SIGTERM, SIGHUP, SIGINT, SIGQUIT) or an uncaught error happens. The terminal is restored
 * in every case before the promise resolves. After a signal, `process.exitCode` is 128+signo;
 * after an uncaught error, the error is printed to stderr once the screen is restored and
 * `process.exitCode` is 1.
 */
export async function runTui(opts: TuiOptions): Promise<void> {
  const log = opts.log ?? (() => {});
  const input = openInput();
  let renderer: CliRenderer;
  try {
    renderer = await createCliRenderer({
      stdin: input.stdin,
      exitOnCtrlC: false,
      exitSignals: [],
      useMouse: true,
      enableMouseMovement: true,
      targetFps: 30,
      maxFps: 60,
      openConsoleOnError: false,
    });
  } catch (e) {
    input.owned?.destroy();
    throw e;
  }

  return new Promise<void>((resolveRun) => {
    let finished = false;
    let unsubscribe: (() => void) | null = null;

    const onSignal = (sig: NodeJS.Signals) => void finish(null, sig);
    const onError = (err: unknown) => void finish(err ?? new Error("unknown error"), null);
    const onRenderError = (ev: { error: Error }) => void finish(ev.error, null);
    const onAbort = () => void finish(opts.abort?.reason ?? new Error("closed"), null);

    async function finish(err: unknown, sig: NodeJS.Signals | null): Promise<void> {
      if (finished) return;
      finished = true;
      log(`tui: exit (${sig ?? (err ? "error" : "quit")})`);
      try {
        unsubscribe?.();
      } catch (e) {
        log(`tui: unsubscribe failed: ${String(e)}`);
      }
      app.quitting = true;
      app.dispose();
      try {
        renderer.destroy();
        await renderer.closed;
      } catch (e) {
        log(`tui: renderer shutdown: ${String(e)}`);
      }
      input.owned?.destroy();
      opts.abort?.removeEventListener("abort", onAbort);
      for (const s of SIGNALS) process.off(s, onSignal);
      process.off("uncaughtException", onError);
      process.off("unhandledRejection", onError);
      if (err) {
        log(`tui: error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        process.stderr.write(describeError(err));
        process.exitCode = 1;
      } else if (sig) {
        process.exitCode = 128 + (SIGNAL_NUMBERS[sig] ?? 0);
      }
      resolveRun();
    }

    for (const s of SIGNALS) process.on(s, onSignal);
    process.on("uncaughtException", onError);
    process.on("unhandledRejection", onError);
    renderer.on("render:error", onRenderError);
    if (opts.abort?.aborted) queueMicrotask(onAbort);
    else opts.abort?.addEventListener("abort", onAbort);

    const app = new FlameApp(renderer, {
      snapshot: opts.snapshot,
      title: opts.title,
      onQuit: () => void finish(null, null),
      onFreeze: opts.onFreeze,
      onZero: opts.onZero,
      exportDir: opts.exportDir ?? (opts.inputPath !== undefined ? dirname(resolve(opts.inputPath)) : undefined),
      log,
      range: opts.range,
    });
    try {
      if (opts.subscribe) unsubscribe = opts.subscribe((s) => app.setSnapshot(s));
      renderer.requestRender();
    } catch (e) {
      void finish(e, null);
    }
  });
}
