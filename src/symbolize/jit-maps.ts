// JIT symbols per process from perf-PID.map files, found where the runtime wrote them: in its
// own mount and pid namespace (/tmp/perf-<its pid>.map as it sees them), which from here is
// <dir>/perf-<NSpid>.map resolved inside /proc/PID/root; the host's <dir>/perf-PID.map is the
// fallback. A map is used only when the process's own uid (real or effective) or root owns it
// and it has one link: another user's /tmp/perf-<pid>.map, or a hard link to a file of root's,
// must not name a process's frames. (perf compares the owner with its own effective uid, not the
// process's: it skips maps not owned by it or root unless --force.)

import { readFileSync } from "node:fs";
import { PerfMap } from "./perf-map.ts";
import { logRefusal } from "./safe-open.ts";

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
    private readonly log: (line: string) => void = () => {},
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
      st.map = this.refresh(pid, st.map ?? new PerfMap());
    }
    const j = st.map?.lookup(addr) ?? -1;
    return j >= 0 ? st.map!.names[j]! : null;
  }

  private refresh(pid: number, pm: PerfMap): PerfMap | null {
    const ids = processIds(pid, this.procRoot);
    if (ids === null) return null; // gone, or no access
    const uids = [...new Set([ids.uid, ids.euid, 0])];
    const refused = (e: Parameters<typeof logRefusal>[1]) => logRefusal(this.log, e);
    const inRoot = { where: { root: `${this.procRoot}/${pid}/root`, noFollow: true }, uids, refused };
    if (pm.refresh(`${this.dir}/perf-${ids.nspid}.map`, inRoot)) return pm;
    return pm.refresh(`${this.dir}/perf-${pid}.map`, { where: { root: "/", noFollow: true }, uids, refused }) ? pm : null;
  }

  forget(pid: number): void {
    this.pids.delete(pid);
  }
}

interface ProcessIds {
  /** The pid in its own (innermost) pid namespace. */
  nspid: number;
  uid: number;
  euid: number;
}

/** Pid in the process's own namespace and its real and effective uid, from /proc/PID/status. */
function processIds(pid: number, procRoot: string): ProcessIds | null {
  let status: string;
  try {
    status = readFileSync(`${procRoot}/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const u = /^Uid:\s*(\d+)\s+(\d+)/m.exec(status);
  if (!u) return null;
  const m = /^NSpid:\s*([\d\s]+)$/m.exec(status);
  const ids = m ? m[1]!.trim().split(/\s+/) : [];
  return { nspid: ids.length > 0 ? Number(ids[ids.length - 1]) : pid, uid: Number(u[1]), euid: Number(u[2]) };
}

/** The pid `pid` has in its own (innermost) pid namespace: the last NSpid field, else pid. */
export function namespacePid(pid: number, procRoot = "/proc"): number {
  return processIds(pid, procRoot)?.nspid ?? pid;
}
