// libc through bun:ffi for what Bun has no API for: perf_event_open (via syscall(2)), close,
// errno (via __errno_location), strerror, vsnprintf (used by the libbpf print callback), and
// mmap/munmap/poll for reading a BPF ring buffer in place, eventfd/read/write for waking a
// thread blocked in poll, and clock_gettime(CLOCK_MONOTONIC), the clock BPF stamps samples with
// (Bun's own clocks count from process start).
import { dlopen, FFIType, ptr, read, toArrayBuffer, type Pointer } from "bun:ffi";

/** perf_event_open syscall numbers by process.arch. */
const PERF_EVENT_OPEN_NR: Partial<Record<string, number>> = { x64: 298, arm64: 241 };

function openLibc() {
  return dlopen("libc.so.6", {
    // long syscall(long nr, ...): declared with six 64-bit args; the result fits an int here.
    syscall: {
      args: [FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64],
      returns: FFIType.i32,
    },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
    __errno_location: { args: [], returns: FFIType.ptr },
    strerror: { args: [FFIType.i32], returns: FFIType.cstring },
    vsnprintf: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    mmap: { args: [FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.i64], returns: FFIType.ptr },
    munmap: { args: [FFIType.ptr, FFIType.u64], returns: FFIType.i32 },
    poll: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
    getpagesize: { args: [], returns: FFIType.i32 },
    clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
    eventfd: { args: [FFIType.u32, FFIType.i32], returns: FFIType.i32 },
    read: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64 },
    write: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64 },
    execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  }).symbols;
}

let libc: ReturnType<typeof openLibc> | null = null;
function lib(): ReturnType<typeof openLibc> {
  return (libc ??= openLibc());
}

/** The calling thread's errno; read it right after the failing call. */
export function errno(): number {
  const p = lib().__errno_location();
  return p === null ? 0 : read.i32(p, 0);
}

export function strerror(err: number): string {
  return String(lib().strerror(err));
}

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG", 9: "EBADF",
  11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 16: "EBUSY", 17: "EEXIST", 19: "ENODEV",
  22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 28: "ENOSPC", 34: "ERANGE", 38: "ENOSYS",
  95: "EOPNOTSUPP", 524: "ENOTSUPP",
};

/** Symbolic name of an errno value ("EPERM"), or "errno N" when unknown. */
export function errnoName(err: number): string {
  return ERRNO_NAMES[Math.abs(err)] ?? `errno ${Math.abs(err)}`;
}

/** perf_event_open(2). Returns the new fd, or -errno on failure. */
export function perfEventOpen(attr: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): number {
  const nr = PERF_EVENT_OPEN_NR[process.arch];
  if (nr === undefined) throw new Error(`perf_event_open: unsupported architecture ${process.arch}`);
  const fd = lib().syscall(nr, ptr(attr), pid, cpu, groupFd, flags);
  return fd < 0 ? -errno() : fd;
}

/** syscall(2) with up to five arguments; returns the result, or -errno on failure. */
export function rawSyscall(nr: number, a: number, b: number, c: number, d: number, e: number): number {
  const r = lib().syscall(nr, a, b, c, d, e);
  return r < 0 ? -errno() : r;
}

export function closeFd(fd: number): void {
  lib().close(fd);
}

/** vsnprintf(buf, size, fmt, ap); fmt and ap are raw pointers handed to a C callback. */
export function vsnprintf(buf: Uint8Array, fmt: Pointer, ap: Pointer): number {
  return lib().vsnprintf(buf, buf.byteLength, fmt, ap);
}

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
/** Above any user-space address: (void *)-1, MAP_FAILED, arrives as 2^64 - 1 (or a bigint). */
const USER_ADDRESS_LIMIT = 2 ** 56;

/** A shared mapping of a file descriptor, seen from JS as an ArrayBuffer over that memory. */
export interface SharedMapping {
  /** The mapped bytes themselves (no copy); invalid after unmapShared(). */
  readonly buffer: ArrayBuffer;
  readonly address: Pointer;
  readonly length: number;
}

/** mmap(NULL, length, PROT_READ[|PROT_WRITE], MAP_SHARED, fd, offset); -errno on failure. */
export function mapShared(fd: number, length: number, offset: number, writable: boolean): SharedMapping | number {
  const p: unknown = lib().mmap(null, length, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, offset);
  if (typeof p !== "number" || p <= 0 || p >= USER_ADDRESS_LIMIT) return -errno();
  return { buffer: toArrayBuffer(p as Pointer, 0, length), address: p as Pointer, length };
}

/**
 * Detaches the ArrayBuffer first, so every view of it (and JIT code that specialized on one)
 * sees an empty buffer instead of touching unmapped memory, then unmaps.
 */
export function unmapShared(m: SharedMapping): void {
  m.buffer.transfer(0);
  lib().munmap(m.address, m.length);
}

export function pageSize(): number {
  return lib().getpagesize();
}

const POLLIN = 1;

/** File descriptors waited on together with poll(2) until one is readable. */
export class PollSet {
  private readonly pollFds: Int32Array; // struct pollfd[]: { int fd; short events; short revents; }

  constructor(fds: readonly number[]) {
    this.pollFds = new Int32Array(2 * fds.length);
    fds.forEach((fd, i) => {
      this.pollFds[2 * i] = fd;
    });
  }

  /** Waits up to timeoutMs: the number of readable fds, 0 on timeout, -errno on failure. */
  wait(timeoutMs: number): number {
    for (let i = 1; i < this.pollFds.length; i += 2) this.pollFds[i] = POLLIN; // revents cleared
    const r = lib().poll(this.pollFds, this.pollFds.length / 2, timeoutMs);
    return r < 0 ? -errno() : r;
  }
}

const EFD_NONBLOCK = 0o4000;
const EFD_CLOEXEC = 0o2000000;
const eventCount = new BigUint64Array(1);

/** A non-blocking eventfd (another thread's PollSet wakes when it is signalled), or -errno. */
export function openEventFd(): number {
  const fd = lib().eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return fd < 0 ? -errno() : fd;
}

/** Makes an eventfd readable until it is cleared. */
export function signalEventFd(fd: number): void {
  eventCount[0] = 1n;
  lib().write(fd, eventCount, 8);
}

/** Reads an eventfd back to unreadable (nothing happens when it was not signalled). */
export function clearEventFd(fd: number): void {
  lib().read(fd, eventCount, 8);
}

/** execve(2): replaces this process (open fds, pid and signal dispositions stay); returns -errno on failure. */
export function execve(path: string, argv: readonly string[], env: Readonly<Record<string, string>>): number {
  const strings: Buffer[] = []; // kept alive until the call returns
  const cString = (s: string) => {
    const b = Buffer.from(`${s}\0`);
    strings.push(b);
    return ptr(b);
  };
  const vector = (xs: readonly string[]) => {
    const v = new BigUint64Array(xs.length + 1); // NULL-terminated
    xs.forEach((x, i) => {
      v[i] = BigInt(cString(x));
    });
    return v;
  };
  const envStrings = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const r = lib().execve(Buffer.from(`${path}\0`), vector(argv), vector(envStrings));
  return r < 0 ? -errno() : r;
}

const CLOCK_MONOTONIC = 1;
const timespec = new BigInt64Array(2);

/** Nanoseconds on CLOCK_MONOTONIC (bpf_ktime_get_ns's clock); past ~104 days of uptime a number rounds it to a few ns. */
export function monotonicNs(): number {
  if (lib().clock_gettime(CLOCK_MONOTONIC, timespec) !== 0) throw new Error("clock_gettime(CLOCK_MONOTONIC) failed");
  return Number(timespec[0]!) * 1e9 + Number(timespec[1]!);
}
