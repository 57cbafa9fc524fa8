// Main-thread side of the sampling worker: starts it, turns its messages into snapshots and
// errors, and stops it through the shared control flags (the worker never blocks on messages).
// It never waits on the worker without a bound: a stop the worker does not acknowledge in
// time rejects with WorkerStuckError.

import { FlametuiError, PermissionError, UnsupportedError, UsageError } from "../errors.ts";
import type { LiveStats, Snapshot } from "../profile/snapshot.ts";
import { CONTROL_FINISH, CONTROL_FROZEN, CONTROL_STOP, CONTROL_WORDS, CONTROL_ZERO, type FromWorker, type LiveConfig, SnapshotDecoder, type WireError } from "./protocol.ts";
import { closeFd, openEventFd, signalEventFd } from "../ffi/libc.ts";
import { longTimeout } from "./timers.ts";

/** How long a stop may take before the worker is given up as stuck. */
export const STOP_TIMEOUT_MS = 3000;

/** The worker did not acknowledge a stop in time (it is blocked in a synchronous call). */
export class WorkerStuckError extends FlametuiError {
  constructor(what: string, ms: number) {
    super(`the sampling worker did not ${what} within ${(ms / 1000).toFixed(0)} s; exiting without it (its BPF programs and perf events are released with the process)`);
  }
}

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
  /** Signalled after each change of `control` (-1: none could be made; the worker then sees it at its next poll). */
  private wakeFd = openEventFd();
  private readonly decoder = new SnapshotDecoder();
  private snapshotListeners = new Set<(s: Snapshot) => void>();
  private progressListener: ((l: LiveStats) => void) | null = null;
  private readonly finished: Promise<Snapshot>;
  private resolveDone!: (s: Snapshot) => void;
  private rejectDone!: (e: Error) => void;
  /** Resolves once every perf event is attached; rejects with the reason it could not. */
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (e: Error) => void;
  private started = false;
  latest: Snapshot | null = null;
  cpus = 0;

  private constructor(config: LiveConfig) {
    this.finished = new Promise((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    this.finished.catch(() => {}); // observed through stop()/done()
    this.ready = new Promise((res, rej) => {
      this.resolveReady = res;
      this.rejectReady = rej;
    });
    this.ready.catch(() => {});
    this.worker = new Worker(workerUrl());
    this.worker.onmessage = (ev: MessageEvent<FromWorker>) => this.receive(ev.data);
    this.worker.onerror = (ev: ErrorEvent) => {
      // An uncaught error inside the worker: its resources are only safe once the process exits.
      this.fail(new FlametuiError(`sampling worker crashed: ${ev.message}`, "run again with --verbose and report the log"));
    };
    this.worker.postMessage({ type: "start", config, control: this.control.buffer as SharedArrayBuffer, wakeFd: this.wakeFd });
  }

  /** Wakes the worker to read `control` now. */
  private wake(): void {
    if (this.wakeFd >= 0) signalEventFd(this.wakeFd);
  }

  /** Ends the worker thread; its wake fd is closed once nothing can poll it. */
  private end(): void {
    this.worker.terminate();
    if (this.wakeFd >= 0) closeFd(this.wakeFd);
    this.wakeFd = -1;
  }

  /** Starts the worker and returns at once; it may be stopped before it is ready. */
  static launch(config: LiveConfig): LiveClient {
    return new LiveClient(config);
  }

  /** Starts sampling; resolves once every perf event is attached, rejects with the reason it could not. */
  static async start(config: LiveConfig): Promise<LiveClient> {
    const c = new LiveClient(config);
    await c.ready;
    return c;
  }

  private receive(m: FromWorker): void {
    if (m.type === "ready") {
      this.started = true;
      this.cpus = m.cpus;
      this.resolveReady();
    } else if (m.type === "snapshot") {
      const s = this.decoder.decode(m.snapshot);
      this.latest = s;
      for (const l of this.snapshotListeners) l(s);
    } else if (m.type === "progress") {
      this.progressListener?.(m.live);
    } else if (m.type === "done") {
      const s = this.decoder.decode(m.snapshot);
      this.latest = s;
      this.resolveDone(s);
      this.end();
    } else if (m.type === "error") {
      this.end();
      this.fail(errorFromWire(m.error));
    }
  }

  private fail(err: Error): void {
    if (!this.started) this.rejectReady(err);
    this.rejectDone(err);
  }

  onSnapshot(fn: (s: Snapshot) => void): () => void {
    this.snapshotListeners.add(fn);
    return () => this.snapshotListeners.delete(fn);
  }

  onProgress(fn: (l: LiveStats) => void): void {
    this.progressListener = fn;
  }

  /** Paused: the worker keeps sampling but sends only the live figures (progress), no snapshots. */
  setFrozen(frozen: boolean): void {
    Atomics.store(this.control, CONTROL_FROZEN, frozen ? 1 : 0);
    this.wake();
  }

  /** Asks the worker to zero the profile's counts (aggregate: its trie; ring: its window). */
  zero(): void {
    Atomics.add(this.control, CONTROL_ZERO, 1);
    this.wake();
  }

  /** Resolves with the final snapshot when the worker ends by itself (fixed mode) or is stopped. */
  done(): Promise<Snapshot> {
    return this.finished;
  }

  /**
   * Asks the worker to stop, detach everything, and send its final snapshot. Rejects with
   * WorkerStuckError when that takes longer than timeoutMs.
   */
  stop(timeoutMs = STOP_TIMEOUT_MS): Promise<Snapshot> {
    Atomics.store(this.control, CONTROL_STOP, 1);
    this.wake();
    return this.within(timeoutMs, "stop");
  }

  /**
   * The profiled command has exited: the worker ends the profile now, reads what the ring buffer
   * still holds from before, and sends its final snapshot. Rejects with WorkerStuckError after
   * timeoutMs (the drain itself is bounded by FIXED_DRAIN_MAX_MS).
   */
  finish(timeoutMs: number): Promise<Snapshot> {
    Atomics.store(this.control, CONTROL_FINISH, 1);
    this.wake();
    return this.within(timeoutMs, "finish");
  }

  /** done(), but rejects with WorkerStuckError after timeoutMs. */
  within(timeoutMs: number, what = "finish"): Promise<Snapshot> {
    let cancel = () => {};
    const late = new Promise<never>((_, reject) => {
      cancel = longTimeout(() => reject(new WorkerStuckError(what, timeoutMs)), timeoutMs);
    });
    return Promise.race([this.finished, late]).finally(() => cancel());
  }
}
