// The raw bpf(2) syscall for feature probes that must not depend on libbpf (preflight): create
// a map of a given type, see whether the kernel accepts it, close it again.
import { ptr } from "bun:ffi";
import { closeFd, rawSyscall } from "./libc.ts";

/** bpf(2) syscall numbers by process.arch. */
const BPF_NR: Partial<Record<string, number>> = { x64: 321, arm64: 280 };
const BPF_MAP_CREATE = 0;
/** sizeof the map-create part of union bpf_attr we fill in (map_type .. map_flags). */
const MAP_CREATE_ATTR_BYTES = 20;

/**
 * bpf(BPF_MAP_CREATE) for a map of `mapType` (e.g. 27 = BPF_MAP_TYPE_RINGBUF), closed at once.
 * Returns 0 when the kernel created it, otherwise the positive errno (EINVAL: unknown map type,
 * EPERM: not allowed, ENOSYS: no bpf syscall).
 */
export function probeMapCreate(mapType: number, keySize: number, valueSize: number, maxEntries: number): number {
  const nr = BPF_NR[process.arch];
  if (nr === undefined) return 38; // ENOSYS: we do not know the syscall number here
  const attr = new Uint8Array(MAP_CREATE_ATTR_BYTES);
  const v = new DataView(attr.buffer);
  v.setUint32(0, mapType, true);
  v.setUint32(4, keySize, true);
  v.setUint32(8, valueSize, true);
  v.setUint32(12, maxEntries, true);
  const fd = rawSyscall(nr, BPF_MAP_CREATE, ptr(attr), MAP_CREATE_ATTR_BYTES, 0, 0);
  if (fd < 0) return -fd;
  closeFd(fd);
  return 0;
}
