// CLOCK_MONOTONIC in nanoseconds: the clock bpf_ktime_get_ns stamps samples with. Bun's own
// clocks (performance.now, process.hrtime) count from process start, so they cannot be compared
// with a sample's time_ns. (Belongs in src/ffi/libc.ts; kept here until it moves.)
import { dlopen, FFIType } from "bun:ffi";

const CLOCK_MONOTONIC = 1;

const libc = dlopen("libc.so.6", {
  clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
}).symbols;

const timespec = new BigInt64Array(2);
const view = new Float64Array(1);

/** Nanoseconds on CLOCK_MONOTONIC, as a JS number (exact to well past a year of uptime). */
export function monotonicNs(): number {
  if (libc.clock_gettime(CLOCK_MONOTONIC, timespec) !== 0) throw new Error("clock_gettime(CLOCK_MONOTONIC) failed");
  view[0] = Number(timespec[0]!) * 1e9 + Number(timespec[1]!);
  return view[0]!;
}
