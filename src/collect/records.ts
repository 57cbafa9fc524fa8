// Byte layout of a ring buffer sample (mirrors bpf/flametui.h; change both together) and
// its decoder into a reusable RawSample, plus the kernel address convention.

export const MAX_FRAMES = 127;
export const COMM_LEN = 16;
export const OFF_TGID = 0;
export const OFF_TID = 4;
export const OFF_CPU = 8;
export const OFF_KERNEL_FRAMES = 12;
export const OFF_USER_FRAMES = 16;
export const OFF_FLAGS = 20;
export const OFF_TIME_NS = 24;
export const OFF_COMM = 32;
export const OFF_FRAMES = 48;
export const SAMPLE_HEADER_BYTES = 48;
// The same offsets in u32 words.
const W_TGID = OFF_TGID / 4;
const W_TID = OFF_TID / 4;
const W_CPU = OFF_CPU / 4;
const W_KERNEL_FRAMES = OFF_KERNEL_FRAMES / 4;
const W_USER_FRAMES = OFF_USER_FRAMES / 4;
const W_FLAGS = OFF_FLAGS / 4;
const W_TIME_NS = OFF_TIME_NS / 4;
const W_COMM = OFF_COMM / 4;
const W_FRAMES = OFF_FRAMES / 4;

export const F_KERNEL_TRUNCATED = 1;
export const F_USER_TRUNCATED = 2;
export const F_KERNEL_ERROR = 4;
export const F_USER_ERROR = 8;
/** Lifecycle records (no frames): the process exec'ed / exited / was forked. See bpf/flametui.h. */
export const F_EXEC = 16;
export const F_EXIT = 32;
/** A fork record's pid is the new process; its tid field holds the parent's pid. */
export const F_FORK = 64;
export const F_LIFECYCLE = F_EXEC | F_EXIT | F_FORK;
/** A stack-copy sample: user registers and stack bytes follow the kernel frames (bpf/flametui.h). */
export const F_USER_REGS = 128;
/** Off-CPU time: blocked ns and run state follow the header, then the frames (bpf/flametui.h). */
export const F_OFFCPU = 256;
/** An --attach event (a tracepoint, uprobe, kprobe or fentry hit), not a timer sample. */
export const F_EVENT = 512;
export const OFFCPU_EXTRA_BYTES = 16;
/** Set by the unwinder (never by the kernel): why the user stack ends where it does. */
export const F_USER_NO_UNWIND_INFO = 1 << 16;
export const F_USER_BAD_FRAME = 1 << 17;
/** Most bytes of user stack a stack-copy sample carries, and the words of its register block. */
export const STACK_COPY_BYTES = 16384;
export const REGS_WORDS = 5;

/**
 * Kernel addresses do not fit a JS number; they are passed as (addr - KERNEL_BASE), exact for
 * every address >= 0xffff000000000000. User addresses (< 2^47) are passed unchanged.
 */
export const KERNEL_BASE = 0xffff000000000000n;
const TWO32 = 4294967296;
const KERNEL_HI = 0xffff0000;

/** The full 64-bit kernel address of a frame encoded as (addr - KERNEL_BASE). */
export function kernelAddressToBigInt(n: number): bigint {
  return KERNEL_BASE + BigInt(n);
}

/** Encodes a kernel address given as two u32 halves (hi >= 0xffff0000). */
export function kernelAddressFromHalves(lo: number, hi: number): number {
  return (hi - KERNEL_HI) * TWO32 + lo;
}

/** One decoded sample. Frames are innermost first, as the kernel gives them. */
export interface RawSample {
  pid: number; // tgid
  tid: number;
  cpu: number;
  comm: string;
  timeNs: number; // bpf_ktime_get_ns (CLOCK_MONOTONIC)
  /** kernel[0..kernelLen) as (addr - KERNEL_BASE); a reused buffer, see SampleDecoder. */
  kernel: Float64Array;
  kernelLen: number;
  /** user[0..userLen) as plain addresses; a reused buffer, see SampleDecoder. */
  user: Float64Array;
  userLen: number;
  flags: number; // F_* bits
  /**
   * With F_USER_REGS: the user registers (ip, sp, fp, lr) and the copied stack, stackLen bytes
   * from sp, as u32 words stack[stackAt ..] of the ring (valid only while the record is).
   * The unwinder turns them into user[]; userLen is 0 until then.
   */
  ip: number;
  sp: number;
  fp: number;
  lr: number;
  stack: Uint32Array;
  stackAt: number;
  stackLen: number;
  /** With F_OFFCPU: nanoseconds the thread was off the CPU, and its run state when it left (TASK_* bits; 0: preempted). */
  offCpuNs: number;
  offCpuState: number;
}

interface CommEntry {
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  text: string;
}

const COMM_CACHE_MAX = 8192;

/**
 * Decodes records into one RawSample object that is overwritten on every call: the sample
 * and its kernel/user arrays are valid only until the next decode (in the sampler: only
 * during the onSample callback). Copy what you keep.
 */
export class SampleDecoder {
  readonly sample: RawSample = {
    pid: 0, tid: 0, cpu: 0, comm: "", timeNs: 0,
    kernel: new Float64Array(MAX_FRAMES), kernelLen: 0,
    user: new Float64Array(MAX_FRAMES), userLen: 0, flags: 0,
    ip: 0, sp: 0, fp: 0, lr: 0, stack: new Uint32Array(0), stackAt: 0, stackLen: 0,
    offCpuNs: 0, offCpuState: 0,
  };
  /** Records dropped because their size did not match their frame counts. */
  malformed = 0;
  private readonly comms = new Map<number, CommEntry>();

  /**
   * Decodes the record of `size` bytes that starts at u32 word `at` of `words` (records are
   * 8-byte aligned); null (and malformed++) if its frame counts do not fit its size.
   */
  decode(words: Uint32Array, at: number, size: number): RawSample | null {
    const kn = words[at + W_KERNEL_FRAMES]!;
    const un = words[at + W_USER_FRAMES]!;
    const flags = words[at + W_FLAGS]!;
    const extra = flags & F_OFFCPU ? OFFCPU_EXTRA_BYTES : 0;
    if (kn > MAX_FRAMES || un > MAX_FRAMES || size < SAMPLE_HEADER_BYTES + extra + 8 * (kn + un)) {
      this.malformed++;
      return null;
    }
    const framesAt = at + W_FRAMES + extra / 4;
    // Registers follow the frames: the kernel's of a sample (no user frames), or both of an off-CPU
    // record or an event (whose user frames are the kernel's frame-pointer walk).
    const regsAt = framesAt + 2 * (kn + un);
    const before = SAMPLE_HEADER_BYTES + extra + 8 * (kn + un + REGS_WORDS);
    let stackLen = 0;
    if (flags & F_USER_REGS) {
      stackLen = size >= before ? words[regsAt + 8]! : -1;
      if (stackLen < 0 || stackLen > STACK_COPY_BYTES || stackLen % 8 !== 0 || size < before + stackLen) {
        this.malformed++;
        return null;
      }
    }
    const s = this.sample;
    s.pid = words[at + W_TGID]!;
    s.tid = words[at + W_TID]!;
    s.cpu = words[at + W_CPU]!;
    s.flags = flags;
    s.timeNs = words[at + W_TIME_NS + 1]! * TWO32 + words[at + W_TIME_NS]!;
    s.comm = this.comm(words, at + W_COMM, s.tid);
    const k = s.kernel;
    let w = framesAt;
    for (let i = 0; i < kn; i++, w += 2) k[i] = (words[w + 1]! - KERNEL_HI) * TWO32 + words[w]!;
    s.kernelLen = kn;
    const u = s.user;
    for (let i = 0; i < un; i++, w += 2) u[i] = words[w + 1]! * TWO32 + words[w]!;
    s.userLen = un;
    if (flags & F_USER_REGS) {
      s.ip = words[regsAt + 1]! * TWO32 + words[regsAt]!;
      s.sp = words[regsAt + 3]! * TWO32 + words[regsAt + 2]!;
      s.fp = words[regsAt + 5]! * TWO32 + words[regsAt + 4]!;
      s.lr = words[regsAt + 7]! * TWO32 + words[regsAt + 6]!;
      s.stack = words;
      s.stackAt = regsAt + 2 * REGS_WORDS;
    } else {
      s.ip = s.sp = s.fp = s.lr = 0;
    }
    s.stackLen = stackLen;
    if (extra) {
      s.offCpuNs = words[at + W_FRAMES + 1]! * TWO32 + words[at + W_FRAMES]!;
      s.offCpuState = words[at + W_FRAMES + 2]!;
    } else {
      s.offCpuNs = s.offCpuState = 0;
    }
    return s;
  }

  private comm(words: Uint32Array, at: number, tid: number): string {
    const w0 = words[at]!;
    const w1 = words[at + 1]!;
    const w2 = words[at + 2]!;
    const w3 = words[at + 3]!;
    const hit = this.comms.get(tid);
    if (hit && hit.w0 === w0 && hit.w1 === w1 && hit.w2 === w2 && hit.w3 === w3) return hit.text;
    const text = commFromWords(w0, w1, w2, w3);
    if (this.comms.size >= COMM_CACHE_MAX) this.comms.clear();
    this.comms.set(tid, { w0, w1, w2, w3, text });
    return text;
  }
}

const utf8 = new TextDecoder("utf-8");

/** The NUL-terminated comm stored as four little-endian u32 words. */
export function commFromWords(w0: number, w1: number, w2: number, w3: number): string {
  const bytes = new Uint8Array(new Uint32Array([w0, w1, w2, w3]).buffer);
  const end = bytes.indexOf(0);
  return utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
}
