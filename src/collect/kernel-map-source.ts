// Feeds the kernel's mmap records (mmap-events.ts) into the symbolizer's KernelMaps: opened
// before the sampler so no mapping made after it starts is missed, drained on every worker loop
// and whenever a lookup misses. Optional: without it the symbolizer reads /proc/PID/maps only.
import { KernelMaps } from "../symbolize/kernel-maps.ts";
import { onlineCpus } from "./cpus.ts";
import { MmapEvents } from "./mmap-events.ts";

export class KernelMapSource {
  readonly maps = new KernelMaps();
  private readonly events: MmapEvents | null;

  constructor(pids: number[], log: (line: string) => void, cpus: number[] = onlineCpus()) {
    const events = MmapEvents.open(cpus, this.maps, pids);
    if (typeof events === "string") {
      log(`kernel maps: off, mappings come from /proc/PID/maps only (${events})`);
      this.events = null;
      return;
    }
    this.events = events;
    this.maps.refill = () => void events.drain();
  }

  get active(): boolean {
    return this.events !== null;
  }

  /** Fds that become readable when the kernel's records need reading soon. */
  get fds(): number[] {
    return this.events?.fds ?? [];
  }

  /** Reads what the kernel wrote since the last call (keeps its small rings from overflowing). */
  drain(): void {
    this.events?.drain();
  }

  close(): void {
    this.events?.close();
  }

  /** One line for the log: records read and lost, lookups the kernel's mappings answered. */
  summary(): string {
    if (this.events === null) return "kernel maps off";
    const e = this.events.stats;
    return `kernel maps ${JSON.stringify({ ...this.maps.stats, records: e.records, malformed: e.malformed, timed: this.events.timed, pids: this.maps.size })}`;
  }
}
