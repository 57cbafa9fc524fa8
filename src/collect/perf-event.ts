// perf_event_open for the sampler: one software cpu-clock event per CPU in frequency mode,
// and the --hz limit from /proc/sys/kernel/perf_event_max_sample_rate.
import { readFileSync } from "node:fs";
import { errnoName, perfEventOpen, strerror } from "../ffi/libc.ts";
import { CollectError, isPermissionErrno, PermissionError, UnsupportedError, UsageError } from "./errors.ts";

export const MAX_SAMPLE_RATE_PATH = "/proc/sys/kernel/perf_event_max_sample_rate";

const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_CPU_CLOCK = 0;
const PERF_ATTR_SIZE = 128; // PERF_ATTR_SIZE_VER7
const ATTR_FLAG_DISABLED = 1n << 0n; // enabled by libbpf when the program is attached
const ATTR_FLAG_FREQ = 1n << 10n;
const PERF_FLAG_FD_CLOEXEC = 8;

export function maxSampleRate(path = MAX_SAMPLE_RATE_PATH): number {
  const n = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`cannot read a sample rate limit from ${path}`);
  return n;
}

/** Throws UsageError unless hz is an integer in 1..max. */
export function checkHz(hz: number, max: number): void {
  if (!Number.isInteger(hz) || hz < 1 || hz > max) {
    throw new UsageError(
      `sampling frequency ${hz} Hz is out of range 1..${max}`,
      `choose --hz between 1 and ${max} (the limit is kernel.perf_event_max_sample_rate, ${MAX_SAMPLE_RATE_PATH})`,
    );
  }
}

/** The 128-byte perf_event_attr for a disabled cpu-clock event sampling at hz. */
export function cpuClockAttr(hz: number): Uint8Array {
  const attr = new Uint8Array(PERF_ATTR_SIZE);
  const v = new DataView(attr.buffer);
  v.setUint32(0, PERF_TYPE_SOFTWARE, true);
  v.setUint32(4, PERF_ATTR_SIZE, true);
  v.setBigUint64(8, BigInt(PERF_COUNT_SW_CPU_CLOCK), true);
  v.setBigUint64(16, BigInt(hz), true); // sample_freq (freq flag set)
  v.setBigUint64(40, ATTR_FLAG_DISABLED | ATTR_FLAG_FREQ, true);
  return attr;
}

/** Opens the cpu-clock event on one CPU for all tasks; returns the fd or throws a CollectError. */
export function openCpuClock(cpu: number, hz: number): number {
  const fd = perfEventOpen(cpuClockAttr(hz), -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd >= 0) return fd;
  const err = -fd;
  const what = `perf_event_open(cpu-clock, cpu ${cpu}, ${hz} Hz) failed: ${errnoName(err)} (${strerror(err)})`;
  if (isPermissionErrno(err)) throw new PermissionError(what, err);
  if (err === 2 || err === 19 || err === 95 || err === 38) {
    throw new UnsupportedError(what, "this kernel or VM does not offer the software cpu-clock perf event", err);
  }
  if (err === 24 || err === 23) {
    throw new CollectError("internal", what, "too many open files: raise the limit with ulimit -n", err);
  }
  throw new CollectError("internal", what, "check dmesg and kernel.perf_event_paranoid", err);
}
