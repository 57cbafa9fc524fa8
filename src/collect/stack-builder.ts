// Turns one raw sample into the stack the trie stores, outermost first:
// process name -> `pid N` (unless --no-pid) -> `tid N` (with --threads) -> user frames -> kernel frames.
// A stack the kernel cut at its depth limit says so: `[truncated]` stands where its outer frames
// are missing (before the user frames, or between user and kernel frames). A stack-copy sample is
// unwound first (src/unwind/); where that stopped early, a frame says why: `[truncated]` (the
// copy or the depth limit ended), `[no unwind info]`, `[bad frame]`.

import { FrameKind, type FrameTable } from "../profile/frames.ts";
import type { Symbolizer } from "../symbolize/symbolizer.ts";
import { RawStackCache } from "./raw-stack-cache.ts";
import type { StackUnwinder } from "../unwind/unwinder.ts";
import { offCpuStateFrame } from "./measure.ts";
import { F_EVENT, F_KERNEL_TRUNCATED, F_OFFCPU, F_USER_BAD_FRAME, F_USER_NO_UNWIND_INFO, F_USER_REGS, F_USER_TRUNCATED, type RawSample } from "./records.ts";

export const TRUNCATED_FRAME = "[truncated]";
export const NO_UNWIND_INFO_FRAME = "[no unwind info]";
export const BAD_FRAME = "[bad frame]";

export interface StackShape {
  threads: boolean;
  noPid: boolean;
}

export class StackBuilder {
  readonly stack: number[] = [];
  private readonly scratch: number[] = [];
  private readonly pidFrames = new Map<number, number>();
  private readonly tidFrames = new Map<number, number>();
  readonly cache = new RawStackCache();
  private readonly truncated: number;
  private readonly noInfo: number;
  private readonly badFrame: number;
  private readonly stateFrames = new Map<number, number>();

  constructor(
    private readonly frames: FrameTable,
    private readonly symbolizer: Symbolizer,
    private readonly shape: StackShape,
    private readonly unwinder: StackUnwinder | null = null,
  ) {
    this.truncated = frames.intern(TRUNCATED_FRAME, FrameKind.Unresolved);
    this.noInfo = frames.intern(NO_UNWIND_INFO_FRAME, FrameKind.Unresolved);
    this.badFrame = frames.intern(BAD_FRAME, FrameKind.Unresolved);
  }

  /** Fills `this.stack` for the sample and returns its length (unwinding a stack copy first). */
  build(s: RawSample): number {
    if (this.unwinder !== null && (s.flags & F_USER_REGS) !== 0) {
      if (s.userLen > 0) this.unwinder.unwindJoined(s); // off-CPU records and events: a frame-pointer walk and a short copy
      else this.unwinder.unwind(s);
    }
    // Off-CPU stacks end in their state's frame, which the addresses do not say: not cached.
    if (s.flags & F_OFFCPU) return this.symbolize(s);
    const tid = this.shape.threads ? s.tid : -1;
    const cached = this.cache.get(s.pid, tid, s.kernel, s.kernelLen, s.user, s.userLen, this.stack);
    if (cached >= 0) return cached;
    const len = this.symbolize(s);
    // Stacks with unresolved frames are not kept: a later maps re-read may name them.
    if (!this.hasUnresolved()) this.cache.set(s.pid, tid, s.kernel, s.kernelLen, s.user, s.userLen, this.stack);
    return len;
  }

  private hasUnresolved(): boolean {
    const kinds = this.frames.kinds;
    for (const id of this.stack) if (kinds[id] === FrameKind.Unresolved && id !== this.truncated && id !== this.noInfo && id !== this.badFrame) return true;
    return false;
  }

  private symbolize(s: RawSample): number {
    const out = this.stack;
    out.length = 0;
    out.push(this.frames.intern(this.symbolizer.processName(s.pid, s.comm), FrameKind.Process));
    if (!this.shape.noPid) out.push(this.cached(this.pidFrames, s.pid, "pid", FrameKind.Pid));
    if (this.shape.threads) out.push(this.cached(this.tidFrames, s.tid, "tid", FrameKind.Thread));
    const tmp = this.scratch;
    tmp.length = 0;
    if (s.userLen > 0) this.symbolizer.userStack(s.pid, s.user, s.userLen, tmp);
    if (s.flags & F_USER_TRUNCATED) out.push(this.truncated);
    else if (s.flags & F_USER_NO_UNWIND_INFO) out.push(this.noInfo);
    else if (s.flags & F_USER_BAD_FRAME) out.push(this.badFrame);
    for (let i = tmp.length - 1; i >= 0; i--) out.push(tmp[i]!);
    tmp.length = 0;
    if (s.flags & F_KERNEL_TRUNCATED) out.push(this.truncated);
    if (s.kernelLen > 0) this.symbolizer.kernelStack(s.kernel, s.kernelLen, tmp);
    // Off-CPU stacks and events are taken inside a tracepoint or probe: their innermost frames are the
    // BPF program and the tracepoint's caller, not the thread's.
    let inner = 0;
    if (s.flags & (F_OFFCPU | F_EVENT)) while (inner < tmp.length && isTracepointMachinery(this.frames.names[tmp[inner]!]!)) inner++;
    for (let i = tmp.length - 1; i >= inner; i--) out.push(tmp[i]!);
    if (s.flags & F_OFFCPU) out.push(this.stateFrame(s.offCpuState));
    return out.length;
  }

  private stateFrame(state: number): number {
    let id = this.stateFrames.get(state);
    if (id === undefined) {
      id = this.frames.intern(offCpuStateFrame(state), FrameKind.OffCpu);
      this.stateFrames.set(state, id);
    }
    return id;
  }

  /** The process changed (exec, exit): its cached stacks must not be used again. */
  forget(pid: number): void {
    this.pidFrames.delete(pid);
    this.cache.forget(pid);
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

/** Kernel frames of the BPF program and tracepoint plumbing: `bpf_prog_<tag>_<name>`, `bpf_trace_run4`, `__bpf_trace_sched_switch`. */
function isTracepointMachinery(name: string): boolean {
  return name.startsWith("bpf_prog_") || name.startsWith("bpf_trace_run") || name.startsWith("__bpf_trace_") || name.startsWith("__traceiter_");
}
