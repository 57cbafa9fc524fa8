// Messages between the main thread (terminal) and the sampling worker (libbpf), and the
// compact snapshot encoding they carry: frame names are sent once, typed arrays are transferred.

import type { DetailsView, LiveStats, Snapshot } from "../profile/snapshot.ts";
import { deltaBuffers, type TimelineDelta, TimelineMirror } from "../profile/timeline.ts";
import type { UnwindMode } from "../unwind/unwind-target.ts";
import type { Measure } from "../collect/measure.ts";

export type LiveMode = "fixed" | "aggregate" | "ring";

export interface LiveConfig {
  mode: LiveMode;
  hz: number;
  /** fixed: total duration; ring: slot length. */
  ms: number;
  /** ring: number of slots in the window. */
  slots: number;
  /** Length of a time bin of the timeline (--bins), default 100 ms. */
  binMs?: number;
  pids: number[];
  /** With pids: processes they fork join the filter in the kernel, before they run (profiling a command). */
  followForks?: boolean;
  enableIdle: boolean;
  /** Also sample flametui's own process (left out in the kernel by default). */
  includeSelf: boolean;
  /** Name each address without a symbol by its file offset instead of grouping them per file. */
  addresses?: boolean;
  /** How user stacks are unwound: frame pointers in the kernel, or stack copies unwound with call-frame information. */
  unwind?: UnwindMode;
  /** What is measured: CPU time (timer samples), time off the CPU, or both (wall time). Default cpu. */
  measure?: Measure;
  /** offcpu, wall: blocks shorter than this are left out in the kernel. */
  minBlockNs?: number;
  /** --attach specs (checked by the CLI): count stacks at these events; without perf=HZ among them, no timer samples. */
  attach?: string[];
  threads: boolean;
  noPid: boolean;
  /** Send snapshots while sampling (a viewer is watching); headless runs only need the last. */
  liveSnapshots: boolean;
  /** fixed: send progress while sampling (a progress line is drawn). */
  progress?: boolean;
  /** Keep each sample's time bin (the viewer's strip, --range); a headless run without --range does not. Default true. */
  timeline?: boolean;
  /** Debug log file (append), or null. */
  logPath: string | null;
}

/**
 * fixed: how long after the end of the sampling time the worker may keep reading samples of
 * the window that are still in the ring buffer; those it has not read by then count as lost.
 */
export const FIXED_DRAIN_MAX_MS = 2000;

/** Indices into the shared Int32Array the main thread writes and the worker reads. */
export const CONTROL_STOP = 0;
export const CONTROL_FROZEN = 1;
/** A counter: each increment asks the worker to zero the profile (aggregate: the trie; ring: the window). */
export const CONTROL_ZERO = 2;
/**
 * Set once the profiled command has exited: the profile ends now; the worker reads what the
 * ring still holds from before (as a fixed window's end), sends `done` and stops.
 */
export const CONTROL_FINISH = 3;
export const CONTROL_WORDS = 4;

/** `wakeFd`: an eventfd the main thread signals after changing `control`, so a worker asleep in poll sees it at once. */
export type ToWorker = { type: "start"; config: LiveConfig; control: SharedArrayBuffer; wakeFd: number };

export interface WireError {
  kind: "usage" | "permission" | "unsupported" | "internal";
  message: string;
  hint?: string;
}

/** A snapshot on the wire: frame names, modules and raw names only from `namesFrom` on. */
export type WireSnapshot = Omit<Snapshot, "names" | "modules" | "rawNames" | "details" | "detailsChanged" | "timeline" | "timelineDelta"> & {
  /** The timeline's news since the last snapshot sent (src/profile/timeline.ts). */
  timeline?: TimelineDelta;
  namesFrom: number;
  names: string[];
  modules: (string | null)[];
  rawNames: (string | null)[];
  /** Details entries (frame id, text) new or changed since the last snapshot sent. */
  details: [number, string | null][];
};

export type FromWorker =
  | { type: "ready"; cpus: number }
  | { type: "snapshot"; snapshot: WireSnapshot }
  | { type: "progress"; live: LiveStats }
  | { type: "done"; snapshot: WireSnapshot }
  | { type: "error"; error: WireError };

/** Worker side: remembers how many names (and which details) the main thread already has. */
export class SnapshotEncoder {
  private sent = 0;
  /** Details as sent, only for snapshots without a change list (compared entry by entry). */
  private sentDetails: (string | null)[] = [];

  private changedDetails(s: Snapshot): [number, string | null][] {
    const out: [number, string | null][] = [];
    const details = s.details;
    if (!details) return out;
    if (s.detailsChanged) {
      // Live snapshots say which entries changed: only those go on the wire.
      for (const id of s.detailsChanged) out.push([id, details[id] ?? null]);
      return out;
    }
    const sent = this.sentDetails;
    for (let id = 0; id < s.names.length; id++) {
      const d = details[id] ?? null;
      if (d !== (sent[id] ?? null)) {
        out.push([id, d]);
        sent[id] = d;
      }
    }
    return out;
  }

  encode(s: Snapshot): { wire: WireSnapshot; transfer: ArrayBuffer[] } {
    const from = this.sent;
    this.sent = s.names.length;
    const wire: WireSnapshot = {
      namesFrom: from,
      names: s.names.slice(from),
      modules: s.modules.slice(from),
      rawNames: s.rawNames ? s.rawNames.slice(from, s.names.length) : new Array(s.names.length - from).fill(null),
      details: this.changedDetails(s),
      kinds: s.kinds,
      count: s.count,
      frame: s.frame,
      parent: s.parent,
      depth: s.depth,
      end: s.end,
      self: s.self,
      total: s.total,
      maxDepth: s.maxDepth,
      unit: s.unit,
      live: s.live,
      timeline: s.timelineDelta,
    };
    const transfer = [s.kinds, s.frame, s.parent, s.depth, s.end, s.self, s.total].map((a) => a.buffer as ArrayBuffer);
    if (s.timelineDelta) transfer.push(...deltaBuffers(s.timelineDelta));
    return { wire, transfer };
  }
}

/** Main side: rebuilds full snapshots from the incremental name lists. */
export class SnapshotDecoder {
  private names: string[] = [];
  private modules: (string | null)[] = [];
  private rawNames: (string | null)[] = [];
  private readonly timelines = new TimelineMirror();
  /** Every frame's newest details, changed in place. */
  private readonly details: (string | null)[] = [];
  /**
   * What snapshots returned since the last change read details through: empty until changes come,
   * then it keeps the old values and its prototype becomes the next head (older snapshots keep theirs).
   */
  private head: DetailsView = Object.create(this.details) as DetailsView;

  decode(w: WireSnapshot): Snapshot {
    if (w.namesFrom !== this.names.length) throw new Error(`snapshot names out of step (${w.namesFrom} != ${this.names.length})`);
    for (const n of w.names) this.names.push(n);
    for (const m of w.modules) this.modules.push(m);
    for (const r of w.rawNames) this.rawNames.push(r);
    if (w.details.length > 0) {
      // Snapshots already returned see `head`: it keeps the values these changes replace, then
      // reads on through the next head to the shared array. Cost: the entries sent, not every frame.
      const head = this.head;
      const next = Object.create(this.details) as DetailsView;
      for (const [id] of w.details) if (!Object.hasOwn(head, id)) (head as Record<number, string | null>)[id] = this.details[id] ?? null;
      Object.setPrototypeOf(head, next);
      this.head = next;
      for (const [id, d] of w.details) this.details[id] = d;
    }
    return {
      names: this.names,
      modules: this.modules,
      rawNames: this.rawNames,
      details: this.head,
      kinds: w.kinds,
      count: w.count,
      frame: w.frame,
      parent: w.parent,
      depth: w.depth,
      end: w.end,
      self: w.self,
      total: w.total,
      maxDepth: w.maxDepth,
      unit: w.unit,
      live: w.live,
      timeline: w.timeline ? this.timelines.apply(w.timeline) : undefined,
    };
  }
}
