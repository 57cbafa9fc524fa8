// `fixed`, `aggregate` and `ring`: live sampling through the worker, shown in the viewer or
// written to a file (-o) when sampling ends (fixed) or on SIGINT/SIGTERM (aggregate, ring).

import { existsSync } from "node:fs";
import type { LiveOptions } from "../cli.ts";
import { UsageError } from "../errors.ts";
import type { DebugLog } from "../log.ts";
import { resolveFormat, writeProfile } from "../output.ts";
import { FrameTable } from "../profile/frames.ts";
import { type LiveStats, type Snapshot, snapshotOf } from "../profile/snapshot.ts";
import { StackTrie } from "../profile/trie.ts";
import { preflight } from "../collect/preflight.ts";
import { LiveClient } from "../worker/client.ts";
import type { LiveConfig, LiveMode } from "../worker/protocol.ts";

export async function runLive(mode: LiveMode, opts: LiveOptions, log: DebugLog): Promise<number> {
  for (const pid of opts.pids) {
    if (!existsSync(`/proc/${pid}`)) throw new UsageError(`no process with pid ${pid}`, "check the pid with ps or pidof; it may have exited");
  }
  const format = opts.output !== undefined ? resolveFormat(opts.output, opts.format) : undefined;
  const headless = opts.output !== undefined || !process.stdout.isTTY;
  const config: LiveConfig = {
    mode,
    hz: opts.hz,
    ms: opts.ms,
    slots: opts.slots,
    pids: opts.pids,
    enableIdle: opts.enableIdle,
    threads: opts.threads,
    noPid: opts.noPid,
    liveSnapshots: !headless && mode !== "fixed",
    logPath: log.path,
  };
  // The status bar shows mode and rate from the live figures; the title says what is sampled.
  const title = opts.pids.length > 0 ? `pid ${opts.pids.join(",")}` : mode === "ring" ? `last ${opts.slots} x ${opts.ms} ms` : "all CPUs";
  const name = `flametui ${mode}`;
  if (!headless && mode !== "fixed") return runLiveViewer(config, title, log);
  const client = await LiveClient.start(config);
  log.write(`live: ${mode} started on ${client.cpus} CPUs`);
  const output = opts.output ?? "-";
  const outFormat = format ?? resolveFormat("-", opts.format);

  if (mode === "fixed") {
    const progress = new ProgressLine();
    client.onProgress((l) => progress.show(l, opts.ms));
    let snapshot: Snapshot;
    const stopOnSignal = () => void client.stop();
    process.on("SIGINT", stopOnSignal);
    process.on("SIGTERM", stopOnSignal);
    try {
      snapshot = await client.done();
    } finally {
      progress.clear();
      process.off("SIGINT", stopOnSignal);
      process.off("SIGTERM", stopOnSignal);
    }
    reportLost(snapshot.live);
    if (headless) {
      await writeProfile(snapshot, output, outFormat, name);
      return 0;
    }
    const { runTui } = await import("../tui/run.ts");
    await runTui({ snapshot, title, log: log.write });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  }

  if (headless) {
    const snapshot = await new Promise<Snapshot>((resolve, reject) => {
      const stop = () => client.stop().then(resolve, reject);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      client.done().then(resolve, reject);
    });
    reportLost(snapshot.live);
    await writeProfile(snapshot, output, outFormat, name);
    return 0;
  }

  throw new Error(`unreachable: ${mode} with a viewer`);
}

/**
 * aggregate / ring with the viewer: the viewer opens at once (empty) while the worker loads
 * and attaches; the kernel checks run first so a missing privilege never flashes a screen.
 * A sampler that fails, at start or later, closes the viewer with its error.
 */
async function runLiveViewer(config: LiveConfig, title: string, log: DebugLog): Promise<number> {
  log.write(`preflight: ${preflight()}`);
  const starting = LiveClient.start(config);
  const { runTui } = await import("../tui/run.ts");
  const failed = new AbortController();
  let client: LiveClient | null = null;
  let frozen = false;
  starting.then(
    (c) => {
      client = c;
      log.write(`live: ${config.mode} started on ${c.cpus} CPUs`);
      c.setFrozen(frozen);
      c.done().catch((err) => failed.abort(err));
    },
    (err) => failed.abort(err),
  );
  try {
    await runTui({
      snapshot: emptySnapshot(config.mode, config.hz),
      title,
      log: log.write,
      subscribe: (fn) => {
        let unsubscribe: (() => void) | null = null;
        let closed = false;
        starting.then((c) => {
          if (!closed) unsubscribe = c.onSnapshot(fn);
        }, () => {});
        return () => {
          closed = true;
          unsubscribe?.();
        };
      },
      onFreeze: (f) => {
        frozen = f;
        (client as LiveClient | null)?.setFrozen(f);
      },
      abort: failed.signal,
    });
  } finally {
    if (!failed.signal.aborted) await (await starting.catch(() => null))?.stop().catch(() => {});
  }
  if (failed.signal.aborted) {
    process.exitCode = 1; // the viewer has printed the reason after restoring the screen
    return 1;
  }
  return typeof process.exitCode === "number" ? process.exitCode : 0; // set by the viewer after a signal
}

function emptySnapshot(mode: LiveMode, hz: number): Snapshot {
  const live: LiveStats = { mode, hz, elapsedMs: 0, samples: 0, samplesPerSec: 0, lost: 0 };
  return snapshotOf(new StackTrie(new FrameTable()), "samples", live);
}

function reportLost(live: LiveStats | undefined): void {
  if (!live) return;
  if (live.lost > 0) process.stderr.write(`flametui: ${live.lost} samples lost (ring buffer full); try a lower --hz\n`);
  if (live.samples === 0) process.stderr.write("flametui: no samples: the CPUs were idle or the processes never ran (--enable-idle shows idle time)\n");
}

/** `sampling 0.4 s / 1.0 s  812 samples  0 lost` on stderr, redrawn in place when it is a terminal. */
class ProgressLine {
  private drawn = false;

  show(l: LiveStats, totalMs: number): void {
    if (!process.stderr.isTTY) return;
    const text = `sampling ${(l.elapsedMs / 1000).toFixed(1)} s / ${(totalMs / 1000).toFixed(1)} s  ${l.samples} samples  ${l.lost} lost`;
    process.stderr.write(`\r\x1b[2K${text}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) process.stderr.write("\r\x1b[2K");
    this.drawn = false;
  }
}
