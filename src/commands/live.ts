// `fixed`, `aggregate` and `ring`: live sampling through the worker, shown in the viewer or
// written to a file (-o) when sampling ends (fixed) or on SIGINT, SIGTERM, SIGHUP or SIGQUIT.

import { existsSync } from "node:fs";
import type { LiveOptions, MsRange } from "../cli.ts";
import { UsageError } from "../errors.ts";
import { checkOutputPath } from "../fs/write-file.ts";
import type { DebugLog } from "../log.ts";
import { resolveFormat, writeProfile } from "../output.ts";
import { FrameTable } from "../profile/frames.ts";
import { type LiveStats, lostShare, type Snapshot, snapshotOf } from "../profile/snapshot.ts";
import { snapshotOfMsRange } from "../profile/timeline.ts";
import { StackTrie } from "../profile/trie.ts";
import { preflight } from "../collect/preflight.ts";
import { escapeText } from "../text/sanitize.ts";
import { formatWeight } from "../tui/format.ts";
import { LiveClient, STOP_TIMEOUT_MS } from "../worker/client.ts";
import { HeldCommand } from "./run-command.ts";
import { FIXED_DRAIN_MAX_MS, type LiveConfig, type LiveMode } from "../worker/protocol.ts";

/** Signals that end a headless run with its profile written. */
const HEADLESS_STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
/** `fixed` before its viewer: these end sampling early and show what was taken; others end the process. */
const VIEWER_STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

interface SignalStop {
  /** Resolves when the first of the signals arrives. */
  signalled: Promise<void>;
  /** The final snapshot of the stop a signal asked for; rejects with WorkerStuckError. */
  result: Promise<Snapshot>;
  remove(): void;
}

/** Stops the worker on the first of `signals`; later ones are absorbed until remove(). */
function stopOnSignals(client: LiveClient, signals: readonly NodeJS.Signals[]): SignalStop {
  let onSignalled!: () => void;
  const signalled = new Promise<void>((res) => (onSignalled = res));
  let result: Promise<Snapshot> | null = null;
  let settle!: (p: Promise<Snapshot>) => void;
  const settled = new Promise<Snapshot>((res) => (settle = (p) => res(p)));
  const handler = () => {
    if (result) return;
    result = client.stop();
    settle(result);
    onSignalled();
  };
  for (const s of signals) process.on(s, handler);
  return { signalled, result: settled, remove: () => signals.forEach((s) => process.off(s, handler)) };
}

export async function runLive(mode: LiveMode, opts: LiveOptions, log: DebugLog): Promise<number> {
  for (const pid of opts.pids) {
    if (!existsSync(`/proc/${pid}`)) throw new UsageError(`no process with pid ${pid}`, "check the pid with ps or pidof; it may have exited");
  }
  const format = opts.output !== undefined ? resolveFormat(opts.output, opts.format) : undefined;
  if (opts.output !== undefined && opts.output !== "-") checkOutputPath(opts.output);
  const headless = opts.output !== undefined || !process.stdout.isTTY;
  if (opts.range && mode === "ring") throw new UsageError("--range needs time bins: fixed and aggregate keep them, ring does not", "use fixed --ms, or aggregate");
  if (opts.command) return runWithCommand(mode, opts, opts.command, headless, log);
  const config = liveConfig(mode, opts, log, { pids: opts.pids, enableIdle: opts.enableIdle, liveSnapshots: !headless && mode !== "fixed", progress: mode === "fixed" && process.stderr.isTTY === true, timeline: keepsTimeline(headless, opts) });
  // The status bar shows mode and rate from the live figures; the title says what is sampled.
  const title = opts.pids.length > 0 ? `pid ${opts.pids.join(",")}` : mode === "ring" ? `last ${opts.slots} x ${opts.ms} ms` : "all CPUs";
  const name = `flametui ${mode}`;
  if (!headless && mode !== "fixed") return runLiveViewer(config, title, log, opts.range);
  const output = opts.output ?? "-";
  const outFormat = format ?? resolveFormat("-", opts.format);
  const client = LiveClient.launch(config);
  const progress = new ProgressLine();
  // Installed before the worker is ready, so a worker that never gets there cannot make them do nothing.
  const stopped = stopOnSignals(client, mode === "fixed" && !headless ? VIEWER_STOP_SIGNALS : HEADLESS_STOP_SIGNALS);
  let snapshot: Snapshot;
  try {
    await Promise.race([client.ready, stopped.signalled]);
    log.write(`live: ${mode} started on ${client.cpus} CPUs`);
    if (mode === "fixed") client.onProgress((l) => progress.show(l, opts.ms, headless ? "write the profile" : "view"));
    snapshot = await Promise.race([mode === "fixed" ? client.within(opts.ms + FIXED_DRAIN_MAX_MS + STOP_TIMEOUT_MS) : client.done(), stopped.result]);
  } finally {
    progress.clear();
    stopped.remove();
  }
  reportSampling(snapshot.live);
  if (headless) {
    await writeProfile(withRange(snapshot, opts.range), output, outFormat, name);
    return 0;
  }
  if (mode === "fixed") {
    const { runTui } = await import("../tui/run.ts");
    await runTui({ snapshot, title, log: log.write, range: opts.range });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  }

  throw new Error(`unreachable: ${mode} with a viewer`);
}

/**
 * `-- COMMAND`: the command starts held (before its first instruction), the sampler attaches
 * with its pid in the filter and follows its forks, then the command runs on the terminal. No
 * viewer and no progress line while it runs (they would fight it for the terminal); when it
 * exits the profile ends there (ring: the window then), and the viewer opens or -o is written.
 * Returns the command's exit status.
 */
async function runWithCommand(mode: LiveMode, opts: LiveOptions, argv: string[], headless: boolean, log: DebugLog): Promise<number> {
  const format = opts.output !== undefined ? resolveFormat(opts.output, opts.format) : resolveFormat("-", opts.format);
  const held = await HeldCommand.start(argv, log.write);
  const config = liveConfig(mode, opts, log, { pids: [held.pid], followForks: true, enableIdle: false, liveSnapshots: false, timeline: keepsTimeline(headless, opts) });
  const client = LiveClient.launch(config);
  try {
    await client.ready;
  } catch (err) {
    await held.abort();
    throw err;
  }
  // From here signals to flametui go to the command; flametui itself ends when it does.
  const unforward = held.forwardSignals();
  held.release();
  log.write(`live: ${mode} started on ${client.cpus} CPUs; command released (pid ${held.pid})`);
  let status: number;
  try {
    status = await held.exited;
  } finally {
    unforward();
  }
  log.write(`command: exited with status ${status}`);
  const snapshot = await client.finish(FIXED_DRAIN_MAX_MS + STOP_TIMEOUT_MS);
  reportSampling(snapshot.live, `${escapeText(argv[0]!)} ran for less than a sample period of CPU time (${(1000 / opts.hz).toFixed(1)} ms at ${opts.hz} Hz); a higher --hz samples more often`);
  const title = escapeText(argv.join(" ")).slice(0, 80);
  if (headless) {
    await writeProfile(withRange(snapshot, opts.range), opts.output ?? "-", format, `flametui ${mode} -- ${title}`);
    return status;
  }
  const { runTui } = await import("../tui/run.ts");
  await runTui({ snapshot, title, log: log.write, range: opts.range });
  return status;
}

/**
 * aggregate / ring with the viewer: the viewer opens at once (empty) while the worker loads
 * and attaches; the kernel checks run first so a missing privilege never flashes a screen.
 * A sampler that fails, at start or later, closes the viewer with its error.
 */
async function runLiveViewer(config: LiveConfig, title: string, log: DebugLog, range?: MsRange): Promise<number> {
  log.write(`preflight: ${preflight()}`);
  const client = LiveClient.launch(config);
  const { runTui } = await import("../tui/run.ts");
  const failed = new AbortController();
  let frozen = false;
  let started = false;
  client.ready.then(
    () => {
      started = true;
      log.write(`live: ${config.mode} started on ${client.cpus} CPUs`);
      client.setFrozen(frozen);
    },
    () => {},
  );
  client.done().catch((err) => failed.abort(err));
  try {
    await runTui({
      snapshot: emptySnapshot(config.mode, config.hz),
      title,
      range: range && { ...range, binMs: config.binMs },
      log: log.write,
      subscribe: (fn) => {
        // Paused, the worker sends only live figures: shown over the last snapshot, so the clock runs on.
        client.onProgress((live) => fn({ ...(client.latest ?? emptySnapshot(config.mode, config.hz)), live }));
        return client.onSnapshot(fn);
      },
      onFreeze: (f) => {
        frozen = f;
        if (started) client.setFrozen(f);
      },
      onZero: () => client.zero(),
      abort: failed.signal,
    });
  } finally {
    // The viewer has restored the terminal: a worker that does not stop now ends the process.
    if (!failed.signal.aborted) await client.stop();
  }
  if (failed.signal.aborted) {
    process.exitCode = 1; // the viewer has printed the reason after restoring the screen
    return 1;
  }
  return typeof process.exitCode === "number" ? process.exitCode : 0; // set by the viewer after a signal
}

/** `--range` with -o: the profile of that time range only; how much of the weight it kept goes to stderr. */
function withRange(s: Snapshot, range: MsRange | undefined): Snapshot {
  if (!range) return s;
  const r = snapshotOfMsRange(s, range);
  if (!r) throw new UsageError("--range needs time bins: fixed and aggregate keep them, ring does not");
  const kept = s.unit === "samples" ? `${r.total[0]} of ${s.total[0]} samples` : `${formatWeight(r.total[0]!, s.unit)} of ${formatWeight(s.total[0]!, s.unit)}`;
  process.stderr.write(`flametui: --range ${range.startMs}-${range.endMs} ms: ${kept}\n`);
  return r;
}

function emptySnapshot(mode: LiveMode, hz: number): Snapshot {
  const live: LiveStats = { mode, hz, elapsedMs: 0, samples: 0, samplesPerSec: 0, lost: 0 };
  return snapshotOf(new StackTrie(new FrameTable()), "samples", live);
}

/** After sampling: lost samples as a share of all, and an empty profile, on stderr. */
function reportSampling(live: LiveStats | undefined, noSamples = "the CPUs were idle or the processes never ran (--enable-idle shows idle time)"): void {
  if (!live) return;
  if (live.lost > 0) process.stderr.write(`flametui: ${lostText(live)} samples lost (ring buffer full or not read in time); try a lower --hz\n`);
  if (live.exited) process.stderr.write(`flametui: ${live.exited} samples (${((live.exited / Math.max(1, live.samples)) * 100).toFixed(1)}%) are [exited]: their process was gone before its mappings were known\n`);
  if (live.samples === 0) process.stderr.write(`flametui: no samples: ${noSamples}\n`);
}

/** `1234 of 56789 (2.2%)` */
function lostText(l: LiveStats): string {
  return `${l.lost}${l.taken ? ` of ${l.taken}` : ""} (${(lostShare(l) * 100).toFixed(1)}%)`;
}

/** `sampling 0.4 s / 1.0 s  812 samples  0 lost (0.0%)  ·  Ctrl-C: stop early and view` on stderr, redrawn in place when it is a terminal. */
class ProgressLine {
  private drawn = false;

  show(l: LiveStats, totalMs: number, then: string): void {
    if (!process.stderr.isTTY) return;
    const what = l.draining ? "reading the samples of" : `sampling ${(l.elapsedMs / 1000).toFixed(1)} s /`;
    const head = `${what} ${(totalMs / 1000).toFixed(1)} s  ${l.samples} samples`;
    const hint = `Ctrl-C: stop early and ${then}`;
    const full = `${head}  ${lostText(l)} lost  ·  ${hint}`;
    const text = full.length < (process.stderr.columns || 80) ? full : `${head}  ·  ${hint}`;
    process.stderr.write(`\r\x1b[2K${text}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) process.stderr.write("\r\x1b[2K");
    this.drawn = false;
  }
}

/** The worker's settings from the command line; `who` says which processes and how they are watched. */
/** Without a viewer and without --range nothing reads the time bins: they are not kept or sent. */
const keepsTimeline = (headless: boolean, opts: LiveOptions) => !headless || opts.range !== undefined;

function liveConfig(mode: LiveMode, opts: LiveOptions, log: DebugLog, who: Pick<LiveConfig, "pids" | "enableIdle" | "liveSnapshots" | "followForks" | "progress" | "timeline">): LiveConfig {
  return {
    mode,
    hz: opts.hz,
    ms: opts.ms,
    slots: opts.slots,
    includeSelf: opts.includeSelf,
    addresses: opts.addresses,
    unwind: opts.unwind,
    measure: opts.measure,
    minBlockNs: opts.minBlockNs,
    attach: opts.attach,
    threads: opts.threads,
    noPid: opts.noPid,
    logPath: log.path,
    binMs: opts.binMs,
    ...who,
  };
}
