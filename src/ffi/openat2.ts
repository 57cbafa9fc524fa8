// openat2(2) through syscall(2): opens a path resolved inside a directory (RESOLVE_IN_ROOT), so
// symlinks planted by another user cannot lead out of it. Linux 5.6+; -ENOSYS before.
import { ptr } from "bun:ffi";
import { rawSyscall } from "./libc.ts";

/** openat2 has one number on every architecture (the unified table from 5.x on). */
const SYS_OPENAT2 = 437;
export const AT_FDCWD = -100;

export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;

/** Open flags not in node:fs constants (same values on x86_64 and aarch64). */
export const O_PATH = 0o10000000;
export const O_CLOEXEC = 0o2000000;

const how = new BigUint64Array(3); // struct open_how { u64 flags; u64 mode; u64 resolve; }
/** The last name passed: kept reachable so the GC cannot free it while the kernel reads it. */
let lastName: Uint8Array = new Uint8Array(1);

/** openat2(dirfd, path, {flags, 0, resolve}); the new fd, or -errno. */
export function openat2(dirfd: number, path: string, flags: number, resolve: number): number {
  if (path.includes("\0")) return -22; // EINVAL: C would cut the name there
  lastName = new TextEncoder().encode(`${path}\0`);
  how[0] = BigInt(flags);
  how[1] = 0n;
  how[2] = BigInt(resolve);
  return rawSyscall(SYS_OPENAT2, dirfd, ptr(lastName), ptr(how), 24, 0);
}
