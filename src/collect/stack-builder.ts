// Turns one raw sample into the stack the trie stores, outermost first:
// process name -> `pid N` (unless --no-pid) -> `tid N` (with --threads) -> user frames -> kernel frames.

import { FrameKind, type FrameTable } from "../profile/frames.ts";
import type { Symbolizer } from "../symbolize/symbolizer.ts";
import type { RawSample } from "./records.ts";

export interface StackShape {
  threads: boolean;
  noPid: boolean;
}

export class StackBuilder {
  readonly stack: number[] = [];
  private readonly scratch: number[] = [];
  private readonly pidFrames = new Map<number, number>();
  private readonly tidFrames = new Map<number, number>();

  constructor(
    private readonly frames: FrameTable,
    private readonly symbolizer: Symbolizer,
    private readonly shape: StackShape,
  ) {}

  /** Fills `this.stack` for the sample and returns its length. */
  build(s: RawSample): number {
    const out = this.stack;
    out.length = 0;
    out.push(this.frames.intern(this.symbolizer.processName(s.pid, s.comm), FrameKind.Process));
    if (!this.shape.noPid) out.push(this.cached(this.pidFrames, s.pid, "pid", FrameKind.Pid));
    if (this.shape.threads) out.push(this.cached(this.tidFrames, s.tid, "tid", FrameKind.Thread));
    const tmp = this.scratch;
    tmp.length = 0;
    if (s.userLen > 0) this.symbolizer.userStack(s.pid, s.user, s.userLen, tmp);
    for (let i = tmp.length - 1; i >= 0; i--) out.push(tmp[i]!);
    tmp.length = 0;
    if (s.kernelLen > 0) this.symbolizer.kernelStack(s.kernel, s.kernelLen, tmp);
    for (let i = tmp.length - 1; i >= 0; i--) out.push(tmp[i]!);
    return out.length;
  }

  forget(pid: number): void {
    this.pidFrames.delete(pid);
  }

  private cached(map: Map<number, number>, n: number, label: string, kind: FrameKind): number {
    let id = map.get(n);
    if (id === undefined) {
      id = this.frames.intern(`${label} ${n}`, kind);
      map.set(n, id);
    }
    return id;
  }
}
