// JIT symbols per process from perf-PID.map files, found where the runtime wrote them: in its
// own mount and pid namespace (/tmp/perf-<its pid>.map as it sees them), which from here is
// /proc/PID/root/tmp/perf-<NSpid>.map; the host's /tmp/perf-PID.map is the fallback.

import { readFileSync } from "node:fs";
import { PerfMap } from "./perf-map.ts";

/** Least time between two looks at one process's map file. */
const PERF_MAP_RETRY_MS = 1_000;

interface JitState {
  map: PerfMap | null;
  checked: number;
}

export class JitMaps {
  private readonly pids = new Map<number, JitState>();

  constructor(
    private readonly procRoot: string,
    private readonly dir: string,
  ) {}

  /** The JIT symbol name covering `addr` in process `pid`, or null. */
  lookup(pid: number, addr: number, now = performance.now()): string | null {
    let st = this.pids.get(pid);
    if (st === undefined) {
      st = { map: null, checked: -Infinity };
      this.pids.set(pid, st);
    }
    if (now - st.checked >= PERF_MAP_RETRY_MS) {
      st.checked = now;
      const pm = st.map ?? new PerfMap();
      const inRoot = `${this.procRoot}/${pid}/root${this.dir}/perf-${namespacePid(pid, this.procRoot)}.map`;
      if (pm.refresh(inRoot) || pm.refresh(`${this.dir}/perf-${pid}.map`)) st.map = pm;
    }
    const j = st.map?.lookup(addr) ?? -1;
    return j >= 0 ? st.map!.names[j]! : null;
  }

  forget(pid: number): void {
    this.pids.delete(pid);
  }
}

/** The pid `pid` has in its own (innermost) pid namespace: the last NSpid field, else pid. */
export function namespacePid(pid: number, procRoot = "/proc"): number {
  try {
    const m = /^NSpid:\s*([\d\s]+)$/m.exec(readFileSync(`${procRoot}/${pid}/status`, "utf8"));
    const ids = m ? m[1]!.trim().split(/\s+/) : [];
    return ids.length > 0 ? Number(ids[ids.length - 1]) : pid;
  } catch {
    return pid;
  }
}
