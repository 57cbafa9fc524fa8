// Online CPU numbers, from /sys/devices/system/cpu/online ("0-3,6"); never assume 0..n-1.
import { readFileSync } from "node:fs";

export const ONLINE_CPUS_PATH = "/sys/devices/system/cpu/online";

/** Parses a kernel CPU list such as "0-3,6,8-9" into sorted, unique CPU numbers. */
export function parseCpuList(text: string): number[] {
  const cpus = new Set<number>();
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`bad CPU list entry "${part}" in "${text.trim()}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`bad CPU range "${part}"`);
    for (let c = lo; c <= hi; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

export function onlineCpus(path = ONLINE_CPUS_PATH): number[] {
  const cpus = parseCpuList(readFileSync(path, "utf8"));
  if (cpus.length === 0) throw new Error(`no online CPUs listed in ${path}`);
  return cpus;
}
