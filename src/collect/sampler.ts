// Live on-CPU sampler: loads bpf/profile.bpf.o, opens a cpu-clock perf event per online CPU,
// attaches the program to each and drains the ring buffer on demand. Owns every resource it makes.
import { existsSync, statSync } from "node:fs";
import {
  asPointer, libbpf, loadedProgramCode, mapInitialValue, openObjectMem, recentLibbpfLog, releaseLibbpfLog, sectionVariables, setLibbpfLog,
  type Libbpf, type Pointer,
} from "../ffi/libbpf.ts";
import { closeFd, errno, errnoName, PollSet, strerror } from "../ffi/libc.ts";
import { RingbufMemory } from "../ffi/ringbuf-memory.ts";
import { profileObjectBytes } from "./bpf-object.ts";
import { onlineCpus } from "./cpus.ts";
import { CollectError, isPermissionErrno, PermissionError, UnsupportedError, UsageError } from "./errors.ts";
import { checkHz, maxSampleRate, openCpuClock } from "./perf-event.ts";
import { KERNEL_BASE, SampleDecoder, type RawSample } from "./records.ts";
import { drainRing, pendingBytes, type RecordSink } from "./ring-reader.ts";
import type { AttachSpec } from "./attach-spec.ts";
import { loadElf } from "../symbolize/elf.ts";

export type { RawSample } from "./records.ts";

export interface SamplerOptions {
  /** Samples per second per CPU, 1..kernel.perf_event_max_sample_rate. */
  hz: number;
  /** Only these processes (by tgid); undefined or empty: every process. */
  pids?: number[];
  /** Also record the idle task (pid 0). */
  enableIdle: boolean;
  /** With pids: a process forked by a filtered one joins the filter in the kernel, before it runs. */
  followForks?: boolean;
  /**
   * Copy the user registers and up to 16 KiB of user stack per sample (F_USER_REGS records) for
   * unwinding with call-frame information, instead of walking frame pointers in the kernel.
   */
  copyStack?: boolean;
  /** Sample on-CPU stacks with the cpu-clock timer (default true). */
  onCpu?: boolean;
  /** Report time threads spend off the CPU (F_OFFCPU records, on sched_switch), blocks of at least minBlockNs. */
  offCpu?: boolean;
  minBlockNs?: number;
  /** Count stacks at these events (--attach); perf= specs are the timer and go in hz/onCpu instead. */
  events?: AttachSpec[];
  /** Leave this process (tgid) out: no samples, no lifecycle records. */
  excludeTgid?: number;
  /**
   * Leave this process out by its pid namespace (st_dev and st_ino of /proc/PID/ns/pid) and its
   * pid in that namespace: right inside a container too, where getpid() is not the kernel's tgid.
   * See selfIdentity(). Takes the place of excludeTgid.
   */
  excludeNsPid?: NsPid;
  /** Receives libbpf's messages; nothing is ever written to the terminal. */
  log?: (line: string) => void;
  /** CPUs to sample; default: every online CPU. */
  cpus?: number[];
  /** Also deliver exec/exit/fork records (flags F_EXEC / F_EXIT / F_FORK, no frames) in order with samples. */
  lifecycle?: boolean;
  /** Ring buffer size in bytes (a power of two, a multiple of the page size); default: ringBufferBytes(hz, CPUs). */
  ringBytes?: number;
}

export interface SamplerCounters {
  samples: number; // records the BPF program produced (including lost ones)
  lost: number; // ring buffer full
  kernelTruncated: number; // kernel stacks that filled all 127 frames
  userTruncated: number; // user stacks that filled all 127 frames
  stackErrors: number; // bpf_get_stack errors (the stack is then empty)
  eventsLost: number; // exec/exit records dropped (ring buffer full)
  copyErrors: number; // copyStack: user stacks that could not be read
  copyShort: number; // copyStack: the stack's mapping was not found; a copy to the end of sp's page was made
  windowSamples: number; // records stamped inside the window set by startWindow (including lost ones)
  windowLost: number; // of those, ring buffer full
  windowIdle: number; // samples of the idle task left out inside the window (no enableIdle)
  windowSelf: number; // samples of excludeTgid left out inside the window
  windowFiltered: number; // samples of processes outside the pid filter, inside the window
  followFailed: number; // followForks: children that did not fit in the pid filter (not profiled)
  offcpuDropped: number; // offCpu: blocked threads not followed (the kernel's table of them was full)
}

export const BTF_PATH = "/sys/kernel/btf/vmlinux";
export const PROGRAM_NAME = "flametui_sample";
/** Tracepoint programs for exec and exit records (attached once, not per CPU). */
export const LIFECYCLE_PROGRAMS = ["flametui_exec", "flametui_exit", "flametui_fork"] as const;
export const OBJECT_NAME = "flametui";
/** The sched_switch program of off-CPU time (attached once). */
export const OFFCPU_PROGRAM = "flametui_switch";
/** The --attach programs by the kind of event they take. */
export const EVENT_PROGRAMS = {
  tracepoint: "flametui_event_tp",
  syscall: "flametui_event_sys",
  uprobe: "flametui_event_uprobe",
  kprobe: "flametui_event_kprobe",
  fentry: "flametui_event_fentry",
} as const;
const KPROBE_PMU = "/sys/bus/event_source/devices/kprobe";
const ENOENT = 2;

function eventProgram(e: AttachSpec): string {
  return e.kind === "perf" ? "" : EVENT_PROGRAMS[e.kind];
}

/** File offset of `symbol`'s entry in the ELF file at `path` (what a uprobe attaches at). */
function uprobeOffset(path: string, symbol: string, text: string): number {
  let elf;
  try {
    elf = loadElf(path);
  } catch (err) {
    throw new UsageError(`--attach ${text}: cannot read ${path}: ${(err as Error).message}`, "name an ELF file (a program or a shared library)");
  }
  for (let i = 0; i < elf.symbolCount; i++) {
    if (elf.name(i) !== symbol) continue;
    const vaddr = elf.start(i);
    const seg = elf.loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.memsz);
    if (seg) return vaddr - seg.vaddr + seg.offset;
  }
  throw new UsageError(`--attach ${text}: no function '${symbol}' in ${path}`, `list its functions with: nm -D --defined-only ${path}`);
}
/** Records handed out per poll() unless the caller says otherwise. */
export const DEFAULT_POLL_BUDGET = 4096;
const EINTR = 4;
/** Ring buffer sizing: room for this long a stall of the reader, at this many bytes a sample. */
const RING_HEADROOM_SECONDS = 0.5;
const RING_BYTES_PER_SAMPLE = 1024;
/** A stack-copy sample: header, kernel frames, registers and a stack copy usually near its 16 KiB cap. */
const RING_BYTES_PER_COPY_SAMPLE = 16 << 10;
export const RING_MIN_BYTES = 8 << 20;
/** Ring buffer bytes at least, with --attach events. */
const EVENT_RING_BYTES = 64 << 20;
export const RING_MAX_BYTES = 128 << 20;

/**
 * Ring buffer bytes for `hz` samples a second on each of `cpus` CPUs: half a second of ~1 KB
 * samples (a 40-frame stack is ~370 bytes, a full 254-frame one 2 KB), rounded up to a power
 * of two, between 8 and 128 MiB.
 */
export function ringBufferBytes(hz: number, cpus: number, copyStack = false): number {
  const want = hz * cpus * RING_HEADROOM_SECONDS * (copyStack ? RING_BYTES_PER_COPY_SAMPLE : RING_BYTES_PER_SAMPLE);
  let bytes = RING_MIN_BYTES;
  while (bytes < want && bytes < RING_MAX_BYTES) bytes *= 2;
  return bytes;
}
const DEFAULT_PID_CAPACITY = 1024;
const FOLLOWED_PID_CAPACITY = 65536;
/** How far ahead of now a window starts: longer than writing it takes. */
const WINDOW_LEAD_NS = 1_000_000;
const U64_MAX = (1n << 64n) - 1n;
const PID_MAX = 4_194_304;

function checkOptions(opts: SamplerOptions): void {
  checkHz(opts.hz, maxSampleRate());
  for (const pid of opts.pids ?? []) {
    if (!Number.isInteger(pid) || pid < 1 || pid > PID_MAX) {
      throw new UsageError(`invalid pid ${pid}`, "pass process ids as positive integers");
    }
  }
}

function libbpfOrThrow(): Libbpf {
  try {
    return libbpf();
  } catch (e) {
    throw new UnsupportedError(
      e instanceof Error ? e.message : String(e),
      "install the Debian package libbpf1 (apt install libbpf1)",
    );
  }
}

export class Sampler implements RecordSink {
  readonly hz: number;
  readonly cpus: number[];
  private readonly lib: Libbpf;
  private readonly objBytes: Uint8Array; // libbpf may refer to it while the object lives
  private obj: Pointer | null = null;
  private readonly links: Pointer[] = [];
  private ring: RingbufMemory | null = null;
  /** The ring's fd and those of wakeAlsoOn: poll() returns when any is readable. */
  private pollSet: PollSet | null = null;
  private wakeFds: readonly number[] = [];
  private bssFd = -1;
  private bssValue = new Uint8Array(0);
  private bssOffsets = new Map<string, number>();
  private dataFd = -1;
  private dataValue = new Uint8Array(0);
  private dataOffsets = new Map<string, number>();
  private readonly decoder = new SampleDecoder();
  private onSample: (s: RawSample) => void = () => {};
  private closed = false;

  private constructor(lib: Libbpf, objBytes: Uint8Array, hz: number, cpus: number[]) {
    this.lib = lib;
    this.objBytes = objBytes;
    this.hz = hz;
    this.cpus = cpus;
  }

  /**
   * Loads and attaches the sampler. On any failure everything created so far is released
   * (no program, link or perf fd is left behind) and a CollectError subclass is thrown.
   */
  static async open(opts: SamplerOptions): Promise<Sampler> {
    checkOptions(opts);
    if (!existsSync(BTF_PATH)) {
      throw new UnsupportedError(`${BTF_PATH} is missing`, "kernel built without CONFIG_DEBUG_INFO_BTF");
    }
    const lib = libbpfOrThrow();
    setLibbpfLog(opts.log); // must run on the thread that calls libbpf
    const cpus = opts.cpus ?? onlineCpus();
    const sampler = new Sampler(lib, await profileObjectBytes(), opts.hz, cpus);
    try {
      sampler.load(opts);
      sampler.attach(opts.lifecycle === true, opts.onCpu !== false, opts.offCpu === true, opts.events ?? []);
    } catch (e) {
      sampler.close();
      throw e;
    }
    return sampler;
  }

  private load(opts: SamplerOptions): void {
    const lib = this.lib;
    const obj = openObjectMem(this.objBytes, OBJECT_NAME);
    if (obj === null) throw this.libbpfError("opening the BPF object", errno());
    this.obj = obj;
    const pids = opts.pids ?? [];
    const ns = opts.excludeNsPid;
    this.writeRodata(obj, {
      filter_pids: pids.length > 0,
      enable_idle: opts.enableIdle,
      follow_forks: opts.followForks === true,
      offcpu: opts.offCpu === true,
      min_block_ns: opts.minBlockNs ?? 0,
      copy_stack: opts.copyStack === true,
      self_tgid: ns ? 0 : (opts.excludeTgid ?? 0),
      self_ns_dev: ns ? kernelDev(ns.dev) : 0,
      self_ns_ino: ns?.ino ?? 0,
      self_ns_pid: ns?.pid ?? 0,
    });
    const pidMap = this.map("pids");
    // A followed command may have many processes at once (a parallel build).
    const pidCapacity = Math.max(pids.length, opts.followForks ? FOLLOWED_PID_CAPACITY : DEFAULT_PID_CAPACITY);
    if (pidCapacity > DEFAULT_PID_CAPACITY) lib.bpf_map__set_max_entries(pidMap, pidCapacity);
    // Events come in bursts (a loop of syscalls or mallocs), far above any sampling rate.
    const ringBytes = opts.ringBytes ?? Math.max(ringBufferBytes(this.hz, this.cpus.length, opts.copyStack === true), (opts.events?.length ?? 0) > 0 ? EVENT_RING_BYTES : 0);
    const setRing = lib.bpf_map__set_max_entries(this.map("events"), ringBytes);
    if (setRing < 0) throw this.libbpfError(`sizing the ring buffer to ${ringBytes} bytes`, -setRing);
    opts.log?.(`sampler: ring buffer ${ringBytes >> 20} MiB for ${this.hz} Hz on ${this.cpus.length} CPUs`);
    // The sched_switch program is loaded only when used (it needs BPF trampolines for tp_btf).
    const switchProg = lib.bpf_object__find_program_by_name(obj, OFFCPU_PROGRAM);
    if (switchProg !== null && opts.offCpu !== true) lib.bpf_program__set_autoload(switchProg, false);
    // Nor the timer's program when nothing is sampled on the CPU (its stack copy takes the verifier a while).
    const timerProg = lib.bpf_object__find_program_by_name(obj, PROGRAM_NAME);
    if (timerProg !== null && opts.onCpu === false) lib.bpf_program__set_autoload(timerProg, false);
    const attach = opts.events ?? [];
    const used = new Set(attach.map(eventProgram));
    for (const name of Object.values(EVENT_PROGRAMS)) {
      const p = lib.bpf_object__find_program_by_name(obj, name);
      if (p !== null && !used.has(name)) lib.bpf_program__set_autoload(p, false);
    }
    const fentry = attach.find((e) => e.kind === "fentry");
    if (fentry) {
      const p = lib.bpf_object__find_program_by_name(obj, EVENT_PROGRAMS.fentry);
      if (p === null || lib.bpf_program__set_attach_target(p, 0, fentry.func) < 0) throw new UsageError(`--attach ${fentry.text}: no kernel function '${fentry.func}' in the kernel's BTF`, "name a function listed in /proc/kallsyms");
    }
    const err = lib.bpf_object__load(obj);
    if (err < 0 && fentry) {
      throw new UnsupportedError(
        `--attach ${fentry.text}: the kernel refused the BPF trampoline: ${errnoName(-err)} (${strerror(-err)})`,
        "BPF trampolines (fentry) need CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS and no lockdown; use tracepoint= or uprobe= instead",
      );
    }
    if (err < 0) throw this.libbpfError("loading the BPF program", -err);
    const syscalls = attach.filter((e) => e.kind === "syscall");
    if (syscalls.length > 0) {
      const fd = lib.bpf_map__fd(this.map("syscall_ids"));
      const key = new Uint32Array(1);
      const one = new Uint8Array([1]);
      for (const e of syscalls) {
        key[0] = e.nr;
        if (lib.bpf_map_update_elem(fd, key, one, 0) < 0) throw this.libbpfError(`counting syscall ${e.syscall}`, errno());
      }
    }

    const pidFd = lib.bpf_map__fd(pidMap);
    const key = new Uint32Array(1);
    const one = new Uint8Array([1]);
    for (const pid of pids) {
      key[0] = pid;
      if (lib.bpf_map_update_elem(pidFd, key, one, 0) < 0) throw this.libbpfError(`adding pid ${pid}`, errno());
    }
    const bss = this.map(".bss");
    this.bssFd = lib.bpf_map__fd(bss);
    this.bssValue = new Uint8Array(lib.bpf_map__value_size(bss));
    for (const [name, v] of sectionVariables(obj, ".bss")) this.bssOffsets.set(name, v.offset);
    const data = this.map(".data");
    this.dataFd = lib.bpf_map__fd(data);
    this.dataValue = new Uint8Array(lib.bpf_map__value_size(data));
    for (const [name, v] of sectionVariables(obj, ".data")) this.dataOffsets.set(name, v.offset);
    const events = this.map("events");
    const ring = RingbufMemory.map(lib.bpf_map__fd(events), lib.bpf_map__max_entries(events));
    if (typeof ring === "number") throw this.libbpfError("mapping the ring buffer", -ring);
    this.ring = ring;
  }

  private attach(lifecycle: boolean, onCpu: boolean, offCpu: boolean, events: AttachSpec[]): void {
    const prog = this.lib.bpf_object__find_program_by_name(this.obj, PROGRAM_NAME);
    if (prog === null) throw new CollectError("internal", `program ${PROGRAM_NAME} not in object`, "rebuild bpf/");
    for (const cpu of onCpu ? this.cpus : []) {
      const fd = openCpuClock(cpu, this.hz);
      const link = asPointer(this.lib.bpf_program__attach_perf_event(prog, fd));
      if (link === null) {
        const err = errno();
        closeFd(fd); // not owned by a link yet
        throw this.libbpfError(`attaching to the perf event of cpu ${cpu}`, err);
      }
      this.links.push(link); // the link now owns fd: bpf_link__destroy closes it
    }
    for (const name of [...(lifecycle ? LIFECYCLE_PROGRAMS : []), ...(offCpu ? [OFFCPU_PROGRAM] : [])]) {
      const p = this.lib.bpf_object__find_program_by_name(this.obj, name);
      if (p === null) throw new CollectError("internal", `program ${name} not in object`, "rebuild bpf/");
      const link = asPointer(this.lib.bpf_program__attach(p));
      if (link === null) throw this.libbpfError(`attaching ${name}`, errno());
      this.links.push(link);
    }
    this.attachEvents(events);
  }

  /** Links each --attach spec to its program (after the timer and lifecycle programs). */
  private attachEvents(events: AttachSpec[]): void {
    const lib = this.lib;
    const prog = (name: string) => {
      const p = lib.bpf_object__find_program_by_name(this.obj, name);
      if (p === null) throw new CollectError("internal", `program ${name} not in object`, "rebuild bpf/");
      return p;
    };
    let sysEnter = false;
    for (const e of events) {
      let link: Pointer | null = null;
      if (e.kind === "syscall") {
        if (sysEnter) continue; // one link counts every syscall in the map
        sysEnter = true;
        link = asPointer(lib.bpf_program__attach_raw_tracepoint(prog(EVENT_PROGRAMS.syscall), "sys_enter"));
      } else if (e.kind === "tracepoint") {
        link = asPointer(lib.bpf_program__attach_raw_tracepoint(prog(EVENT_PROGRAMS.tracepoint), e.name));
        if (link === null && errno() === ENOENT) throw new UsageError(`--attach ${e.text}: the kernel has no tracepoint '${e.name}'`, "name one listed by: bpftrace -l 'tracepoint:*'");
      } else if (e.kind === "uprobe") {
        const offset = uprobeOffset(e.path, e.symbol, e.text);
        link = asPointer(lib.bpf_program__attach_uprobe(prog(EVENT_PROGRAMS.uprobe), e.ret, -1, e.path, offset));
      } else if (e.kind === "kprobe") {
        if (!existsSync(KPROBE_PMU)) {
          throw new UnsupportedError(`--attach ${e.text}: this kernel has no kprobes (no kprobe PMU in /sys/bus/event_source/devices)`, `use fentry=${e.func} (a BPF trampoline) or a tracepoint= instead`);
        }
        link = asPointer(lib.bpf_program__attach_kprobe(prog(EVENT_PROGRAMS.kprobe), e.ret, e.func));
      } else if (e.kind === "fentry") {
        link = asPointer(lib.bpf_program__attach(prog(EVENT_PROGRAMS.fentry)));
      } else continue; // perf=: the timer
      if (link === null) throw this.libbpfError(`attaching --attach ${e.text}`, errno());
      this.links.push(link);
    }
  }

  private writeRodata(obj: Pointer, values: Record<string, boolean | number>): void {
    const value = mapInitialValue(this.map(".rodata"));
    const vars = sectionVariables(obj, ".rodata");
    for (const [name, x] of Object.entries(values)) {
      const v = vars.get(name);
      if (!value || !v) throw new CollectError("internal", `.rodata has no ${name}`, "rebuild bpf/profile.bpf.o");
      const n = typeof x === "boolean" ? Number(x) : x;
      for (let i = 0; i < v.size; i++) value[v.offset + i] = Math.floor(n / 2 ** (8 * i)) & 0xff; // little-endian
    }
  }

  private map(name: string): Pointer {
    const m = asPointer(this.lib.bpf_object__find_map_by_name(this.obj, name));
    if (m === null) throw new CollectError("internal", `map ${name} not in BPF object`, "rebuild bpf/profile.bpf.o");
    return m;
  }

  private libbpfError(what: string, err: number): CollectError {
    const e = Math.abs(err);
    const msg = `${what} failed: ${errnoName(e)} (${strerror(e)})`;
    const log = recentLibbpfLog();
    if (isPermissionErrno(e)) return new PermissionError(msg, e, log);
    return new CollectError("internal", msg, "see the libbpf messages in the log for details", e, log);
  }

  /** One ring buffer record (drainRing calls this during poll). */
  record(word: number, size: number): void {
    const s = this.decoder.decode(this.ring!.words, word, size);
    if (s !== null) this.onSample(s);
  }

  /**
   * Waits up to timeoutMs unless samples are already waiting (the program wakes the reader
   * only when the ring is a quarter full or a process exec'ed, so this usually sleeps the
   * whole timeout), then hands out up to `budget` samples. The RawSample and its arrays are
   * reused: valid only during onSample. Returns the number delivered. Never blocks longer than
   * timeoutMs plus the time spent in onSample. An exception thrown by onSample stops the poll
   * and propagates (that sample counts as consumed).
   */
  poll(timeoutMs: number, onSample: (s: RawSample) => void, budget = DEFAULT_POLL_BUDGET): number {
    const ring = this.ring;
    if (this.closed || ring === null) throw new CollectError("internal", "sampler is closed", "open a new sampler");
    if (pendingBytes(ring) === 0) {
      // A negative timeout would make poll(2) wait forever: never block without a bound.
      this.pollSet ??= new PollSet([ring.fd, ...this.wakeFds]);
      const r = this.pollSet.wait(Number.isFinite(timeoutMs) ? Math.max(0, Math.floor(timeoutMs)) : 0);
      if (r < 0 && r !== -EINTR) throw this.libbpfError("waiting on the ring buffer", -r);
    }
    this.onSample = onSample;
    return drainRing(ring, Math.max(1, budget), this);
  }

  /** poll() also returns early when one of `fds` becomes readable (the caller clears them). */
  wakeAlsoOn(fds: readonly number[]): void {
    this.wakeFds = fds;
    this.pollSet = null;
  }

  /** Bytes in the ring buffer not read yet (records still being written included). */
  pendingBytes(): number {
    return this.ring === null ? 0 : pendingBytes(this.ring);
  }

  /** Size of the ring buffer's data area in bytes. */
  get ringBytes(): number {
    return this.ring === null ? 0 : this.ring.mask + 1;
  }

  /**
   * Opens the window the program counts windowSamples/windowLost in: from a start a little
   * ahead of now (so no sample stamped inside it can have run before the program saw it) for
   * durationNs (Infinity: no end). Returns the start, on the samples' clock (CLOCK_MONOTONIC).
   */
  startWindow(durationNs: number, now: () => number): number {
    if (this.closed || this.dataFd < 0) throw new CollectError("internal", "sampler is closed", "open a new sampler");
    const start = this.dataOffsets.get("window_start_ns");
    const end = this.dataOffsets.get("window_end_ns");
    if (start === undefined || end === undefined) throw new CollectError("internal", ".data has no window", "rebuild bpf/profile.bpf.o");
    const v = new DataView(this.dataValue.buffer);
    const zero = new Uint32Array(1);
    let leadNs = WINDOW_LEAD_NS;
    for (let attempt = 0; ; attempt++) {
      const startNs = Math.ceil(now()) + leadNs;
      v.setBigUint64(start, BigInt(startNs), true);
      const endNs = Number.isFinite(durationNs) ? BigInt(startNs + Math.round(durationNs)) : U64_MAX;
      v.setBigUint64(end, endNs < U64_MAX ? endNs : U64_MAX, true);
      if (this.lib.bpf_map_update_elem(this.dataFd, zero, this.dataValue, 0) < 0) throw this.libbpfError("setting the sampling window", errno());
      if (now() < startNs || attempt >= 8) return startNs;
      leadNs *= 2; // preempted past the start before it was written: samples may have missed it
    }
  }

  /**
   * The kernel addresses of this sampler's own JIT code (encoded as records encode kernel
   * frames): off-CPU and event stacks are taken inside it, and its frames are not in a cached
   * symbol table.
   */
  ownCode(): [number, number][] {
    if (this.closed || this.obj === null) return [];
    return loadedProgramCode(this.obj).map(([a, b]) => [Number(a - KERNEL_BASE), Number(b - KERNEL_BASE)]);
  }

  /** The program's counters (cumulative since open). */
  counters(): SamplerCounters {
    const c: SamplerCounters = { samples: 0, lost: 0, kernelTruncated: 0, userTruncated: 0, stackErrors: 0, eventsLost: 0, copyErrors: 0, copyShort: 0, windowSamples: 0, windowLost: 0, windowIdle: 0, windowSelf: 0, windowFiltered: 0, followFailed: 0, offcpuDropped: 0 };
    if (this.closed || this.bssFd < 0) return c;
    const zero = new Uint32Array(1);
    if (this.lib.bpf_map_lookup_elem(this.bssFd, zero, this.bssValue) < 0) {
      throw this.libbpfError("reading the counters", errno());
    }
    const v = new DataView(this.bssValue.buffer);
    const get = (name: string): number => {
      const off = this.bssOffsets.get(name);
      return off === undefined ? 0 : Number(v.getBigUint64(off, true));
    };
    c.samples = get("samples");
    c.lost = get("lost");
    c.kernelTruncated = get("kernel_truncated");
    c.userTruncated = get("user_truncated");
    c.stackErrors = get("stack_errors");
    c.eventsLost = get("events_lost");
    c.copyErrors = get("copy_errors");
    c.copyShort = get("copy_short");
    c.windowSamples = get("window_samples");
    c.windowLost = get("window_lost");
    c.windowIdle = get("window_idle");
    c.windowSelf = get("window_self");
    c.windowFiltered = get("window_filtered");
    c.followFailed = get("follow_failed");
    c.offcpuDropped = get("offcpu_dropped");
    return c;
  }

  /** Records the decoder rejected (size and frame counts disagree); should stay 0. */
  get malformedRecords(): number {
    return this.decoder.malformed;
  }

  /** Detaches and frees everything: links (and their perf fds), ring buffer, object. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const link of this.links.splice(0)) this.lib.bpf_link__destroy(link);
    this.ring?.unmap();
    this.ring = null;
    this.pollSet = null;
    if (this.obj !== null) this.lib.bpf_object__close(this.obj);
    this.obj = null;
    this.bssFd = -1;
    this.dataFd = -1;
    releaseLibbpfLog(); // the hook belongs to this thread: never leave it for another one
  }
}

/** A process as its pid namespace sees it: the namespace (device and inode of its nsfs file) and the pid in there. */
export interface NsPid {
  dev: number;
  ino: number;
  pid: number;
}

/** This process: its pid namespace (/proc/self/ns/pid) and getpid() in it. */
export function selfNsPid(): NsPid {
  const st = statSync("/proc/self/ns/pid");
  return { dev: st.dev, ino: st.ino, pid: process.pid };
}

/** stat's st_dev (glibc's encoding) as the kernel's dev_t (major << 20 | minor), which the BPF helper compares. */
export function kernelDev(dev: number): number {
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | (Math.floor(dev / 4096) & 0xfff00);
  return major * 2 ** 20 + minor;
}
