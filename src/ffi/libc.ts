// libc through bun:ffi for what Bun has no API for: perf_event_open (via syscall(2)), close,
// errno (via __errno_location), strerror and vsnprintf (used by the libbpf print callback).
import { dlopen, FFIType, ptr, read, type Pointer } from "bun:ffi";

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
