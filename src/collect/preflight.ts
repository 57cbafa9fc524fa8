// Preflight: before the sampler opens, check what the kernel and this process offer (/proc and
// /sys, privileges, BTF, the BPF ring buffer, cpu-clock perf events) and fail on the first missing
// piece with one clear line and a hint, instead of a libbpf error deep inside loading.
import { existsSync, readFileSync } from "node:fs";
import { release } from "node:os";
import { probeMapCreate } from "../ffi/bpf-syscall.ts";
import { closeFd, errnoName, perfEventOpen, strerror } from "../ffi/libc.ts";
import { ONLINE_CPUS_PATH, parseCpuList } from "./cpus.ts";
import { CollectError, isPermissionErrno, PERMISSION_HINT, PermissionError, UnsupportedError } from "./errors.ts";
import { cpuClockAttr } from "./perf-event.ts";

export const BTF_VMLINUX = "/sys/kernel/btf/vmlinux";
const PROC_STATUS = "/proc/self/status";
const PARANOID_PATH = "/proc/sys/kernel/perf_event_paranoid";

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;
const BPF_MAP_TYPE_RINGBUF = 27;
const PERF_FLAG_FD_CLOEXEC = 8;
const EINVAL = 22;
const ENOSYS = 38;

/** What preflight looks at; tests pass fakes, flametui the real machine (systemProbes()). */
export interface PreflightProbes {
  /** uname release, e.g. "6.1.0-18-amd64". */
  kernelRelease(): string;
  /** Text of /proc/self/status, or null when /proc is not mounted. */
  procStatus(): string | null;
  /** Text of /sys/devices/system/cpu/online, or null when /sys is not mounted. */
  onlineCpus(): string | null;
  btfPresent(): boolean;
  /** 0 when a BPF ring buffer map can be created, else the errno. */
  ringbufErrno(): number;
  /** 0 when a cpu-clock perf event opens on `cpu` for all tasks, else the errno. */
  perfErrno(cpu: number): number;
  /** kernel.perf_event_paranoid, null when unreadable. */
  perfParanoid(): number | null;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

export function systemProbes(): PreflightProbes {
  return {
    kernelRelease: () => release(),
    procStatus: () => readOrNull(PROC_STATUS),
    onlineCpus: () => readOrNull(ONLINE_CPUS_PATH),
    btfPresent: () => existsSync(BTF_VMLINUX),
    ringbufErrno: () => probeMapCreate(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096),
    perfErrno: (cpu) => {
      const fd = perfEventOpen(cpuClockAttr(1), -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd < 0) return -fd;
      closeFd(fd);
      return 0;
    },
    perfParanoid: () => {
      const n = Number.parseInt(readOrNull(PARANOID_PATH) ?? "", 10);
      return Number.isFinite(n) ? n : null;
    },
  };
}

/** [major, minor] of a kernel release string; [0, 0] when it cannot be read. */
export function kernelVersion(rel: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Effective capability set from /proc/self/status ("CapEff:\t000001ffffffffff"). */
export function effectiveCaps(status: string): bigint {
  const m = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

function has(caps: bigint, cap: bigint): boolean {
  return ((caps >> cap) & 1n) === 1n;
}

const err = (e: number) => `${errnoName(e)}: ${strerror(e)}`;

/**
 * Throws a PermissionError or UnsupportedError (src/collect/errors.ts) for the first thing that
 * is missing; returns a short summary of what was found when everything is there.
 */
export function preflight(p: PreflightProbes = systemProbes()): string {
  const rel = p.kernelRelease();
  const [major, minor] = kernelVersion(rel);
  const older = (a: number, b: number) => major < a || (major === a && minor < b);

  const status = p.procStatus();
  if (status === null) {
    throw new UnsupportedError("/proc is not mounted", "mount it (mount -t proc proc /proc); in a chroot or container bind-mount /proc");
  }
  const cpuList = p.onlineCpus();
  if (cpuList === null) {
    throw new UnsupportedError("/sys is not mounted", "mount it (mount -t sysfs sysfs /sys); in a chroot or container bind-mount /sys");
  }

  const caps = effectiveCaps(status);
  if (!has(caps, CAP_SYS_ADMIN) && !(has(caps, CAP_BPF) && has(caps, CAP_PERFMON))) {
    const missing = [has(caps, CAP_BPF) ? "" : "CAP_BPF", has(caps, CAP_PERFMON) ? "" : "CAP_PERFMON"].filter(Boolean).join(" and ");
    throw new PermissionError(`not allowed to load BPF programs: this process lacks ${missing} (and CAP_SYS_ADMIN)`);
  }

  if (!p.btfPresent()) {
    throw new UnsupportedError(
      `kernel ${rel} has no BTF type information (${BTF_VMLINUX} is missing)`,
      "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian 11+, Ubuntu 20.10+, Fedora 31+, RHEL 8.2+ ship one); in a container make /sys/kernel/btf visible",
    );
  }

  const rb = p.ringbufErrno();
  if (rb !== 0) {
    if (isPermissionErrno(rb)) {
      throw new PermissionError(`the kernel refused a BPF map (${err(rb)})`, rb);
    }
    if (rb === ENOSYS) {
      throw new UnsupportedError(`kernel ${rel} has no bpf() system call`, "use a kernel built with CONFIG_BPF_SYSCALL=y", rb);
    }
    if (rb === EINVAL) {
      const why = older(5, 8) ? ` (Linux ${major}.${minor}; the ring buffer came in 5.8)` : "";
      throw new UnsupportedError(`kernel ${rel} has no BPF ring buffer${why}`, "flametui needs Linux 5.8 or newer (or a vendor kernel with the BPF ring buffer backported)", rb);
    }
    throw new UnsupportedError(`creating a BPF ring buffer failed (${err(rb)})`, "check dmesg and `ulimit -l` (locked memory)", rb);
  }

  const cpus = parseCpuList(cpuList);
  const pe = p.perfErrno(cpus[0] ?? 0);
  if (pe !== 0) {
    if (isPermissionErrno(pe)) {
      const paranoid = p.perfParanoid();
      throw new CollectError(
        "permission",
        `not allowed to open perf events (${err(pe)}${paranoid === null ? "" : `, kernel.perf_event_paranoid=${paranoid}`})`,
        `${PERMISSION_HINT}; a locked-down kernel or a container seccomp profile can also forbid perf_event_open`,
        pe,
      );
    }
    if (pe === ENOSYS) {
      throw new UnsupportedError(`kernel ${rel} has no perf events`, "use a kernel built with CONFIG_PERF_EVENTS=y", pe);
    }
    throw new UnsupportedError(`the software cpu-clock perf event is not available (${err(pe)})`, "this kernel or VM does not offer the software cpu-clock perf event", pe);
  }
  return `kernel ${rel}: BTF, BPF ring buffer, cpu-clock perf events on ${cpus.length} CPUs, privileges ok`;
}
