// Main-thread side of the sampling worker: starts it, turns its messages into snapshots and
// errors, and stops it through the shared control flags (the worker never blocks on messages).

import { FlametuiError, PermissionError, UnsupportedError, UsageError } from "../errors.ts";
import type { LiveStats, Snapshot } from "../profile/snapshot.ts";
import { CONTROL_FROZEN, CONTROL_STOP, CONTROL_WORDS, type FromWorker, type LiveConfig, SnapshotDecoder, type WireError } from "./protocol.ts";

export function errorFromWire(e: WireError): FlametuiError {
  switch (e.kind) {
    case "usage":
      return new UsageError(e.message, e.hint);
    case "permission":
      return new PermissionError(e.message, e.hint);
    case "unsupported":
      return new UnsupportedError(e.message, e.hint);
    default:
      return new FlametuiError(e.message, e.hint);
  }
}

/**
 * From source, the worker sits next to this file. In the compiled executable every module
 * is bundled into the root entry, and the worker entry keeps its path under src/.
 */
function workerUrl(): string {
  const compiled = import.meta.url.includes("/$bunfs/");
  return new URL(compiled ? "./worker/worker.ts" : "./worker.ts", import.meta.url).href;
}

export class LiveClient {
  private readonly worker: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly decoder = new SnapshotDecoder();
  private snapshotListeners = new Set<(s: Snapshot) => void>();
  private progressListener: ((l: LiveStats) => void) | null = null;
  private finished: Promise<Snapshot>;
  private resolveDone!: (s: Snapshot) => void;
  private rejectDone!: (e: Error) => void;
  latest: Snapshot | null = null;
  cpus = 0;

  private constructor() {
    this.worker = new Worker(workerUrl());
    this.finished = new Promise((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    this.finished.catch(() => {}); // observed through stop()/done()
  }

  /** Starts sampling; resolves once every perf event is attached, rejects with the reason it could not. */
  static start(config: LiveConfig): Promise<LiveClient> {
    const c = new LiveClient();
    return new Promise((resolve, reject) => {
      let started = false;
      c.worker.onmessage = (ev: MessageEvent<FromWorker>) => {
        const m = ev.data;
        if (m.type === "ready") {
          started = true;
          c.cpus = m.cpus;
          resolve(c);
        } else if (m.type === "snapshot") {
          const s = c.decoder.decode(m.snapshot);
          c.latest = s;
          for (const l of c.snapshotListeners) l(s);
        } else if (m.type === "progress") {
          c.progressListener?.(m.live);
        } else if (m.type === "done") {
          const s = c.decoder.decode(m.snapshot);
          c.latest = s;
          c.resolveDone(s);
          c.worker.terminate();
        } else if (m.type === "error") {
          const err = errorFromWire(m.error);
          c.worker.terminate();
          if (!started) reject(err);
          else c.rejectDone(err);
        }
      };
      c.worker.onerror = (ev: ErrorEvent) => {
        // An uncaught error inside the worker: its resources are only safe once the process exits.
        const err = new FlametuiError(`sampling worker crashed: ${ev.message}`, "run again with --verbose and report the log");
        if (!started) reject(err);
        else c.rejectDone(err);
      };
      c.worker.postMessage({ type: "start", config, control: c.control.buffer as SharedArrayBuffer });
    });
  }

  onSnapshot(fn: (s: Snapshot) => void): () => void {
    this.snapshotListeners.add(fn);
    return () => this.snapshotListeners.delete(fn);
  }

  onProgress(fn: (l: LiveStats) => void): void {
    this.progressListener = fn;
  }

  setFrozen(frozen: boolean): void {
    Atomics.store(this.control, CONTROL_FROZEN, frozen ? 1 : 0);
  }

  /** Resolves with the final snapshot when the worker ends by itself (fixed mode) or is stopped. */
  done(): Promise<Snapshot> {
    return this.finished;
  }

  /** Asks the worker to stop, detach everything, and send its final snapshot. */
  stop(): Promise<Snapshot> {
    Atomics.store(this.control, CONTROL_STOP, 1);
    return this.finished;
  }
}
