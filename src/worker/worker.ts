// The sampling worker: owns libbpf (loaded, attached and released in this thread only),
// decodes, symbolizes and merges samples, and posts snapshots at most 10 times a second.

import { onlineCpus } from "../collect/cpus.ts";
import { CollectError } from "../collect/errors.ts";
import { keepSamplePathBelowFTL } from "../collect/jit-tiers.ts";
import { LiveProfile } from "../collect/live-profile.ts";
import { preflight } from "../collect/preflight.ts";
import { Sampler } from "../collect/sampler.ts";
import { DebugLog } from "../log.ts";
import { FrameTable } from "../profile/frames.ts";
import { Symbolizer } from "../symbolize/symbolizer.ts";
import { CONTROL_FROZEN, CONTROL_STOP, type FromWorker, type LiveConfig, SnapshotEncoder, type ToWorker, type WireError } from "./protocol.ts";

declare const self: Worker;

const SNAPSHOT_EVERY_MS = 100;
/**
 * How long one poll may wait. Viewers get 10 snapshots a second at most, so 100 ms loses
 * nothing and keeps an idle profiler near zero CPU; ring mode waits at most half a slot so
 * samples land in the slot they were taken in; exec records wake the poll at once.
 */
const POLL_MS = 100;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  self.postMessage(msg, transfer);
}

function toWire(err: unknown): WireError {
  if (err instanceof CollectError) return { kind: err.kind, message: err.message, hint: err.hint };
  return { kind: "internal", message: err instanceof Error ? err.message : String(err) };
}

async function run(config: LiveConfig, control: Int32Array): Promise<void> {
  const log = new DebugLog(config.logPath !== null, config.logPath ?? undefined);
  let sampler: Sampler | null = null;
  try {
    log.write(`preflight: ${preflight()}`); // one clear error when the kernel lacks something
    const frames = new FrameTable();
    const symbolizer = new Symbolizer(frames, { log: log.write });
    sampler = await Sampler.open({ hz: config.hz, pids: config.pids.length > 0 ? config.pids : undefined, enableIdle: config.enableIdle, log: log.write, lifecycle: true });
    const profile = new LiveProfile(config, symbolizer, frames, performance.now());
    keepSamplePathBelowFTL(profile.onSample);
    const encoder = new SnapshotEncoder();
    const cpus = onlineCpus().length;
    post({ type: "ready", cpus });
    log.write(`worker: sampling ${config.mode} at ${config.hz} Hz on ${cpus} CPUs`);
    // Tests use this to prove a crashed worker leaves nothing attached.
    if (process.env.FLAMETUI_TEST_CRASH_WORKER === "1") {
      setTimeout(() => {
        throw new Error("test crash of the sampling worker");
      }, 300);
    }

    const pollMs = config.mode === "ring" ? Math.max(1, Math.min(POLL_MS, Math.floor(config.ms / 2))) : POLL_MS;
    let lastSent = -Infinity;
    let lastVersion = -1;
    let lastProgress = 0;
    for (;;) {
      const stop = Atomics.load(control, CONTROL_STOP) !== 0;
      const now = performance.now();
      const done = stop || (config.mode === "fixed" && profile.elapsedMs(now) >= config.ms);
      // Sooner than POLL_MS when a freshly exec'ed process is due for another maps read.
      const left = config.mode === "fixed" ? Math.max(0, config.ms - profile.elapsedMs(now)) : Infinity;
      sampler.poll(done ? 0 : Math.ceil(Math.min(pollMs, left, profile.maintain(now))), profile.onSample);
      const t = performance.now();
      profile.tick(t);
      if (done) {
        profile.lost = sampler.counters().lost;
        const { wire, transfer } = encoder.encode(profile.snapshot(t, false));
        log.write(`worker: done after ${profile.samples} samples, ${profile.lost} lost; ${profile.execs} execs, ${profile.forks} forks, ${profile.exits} exits seen; symbolizer ${JSON.stringify(symbolizer.stats())}`);
        post({ type: "done", snapshot: wire }, transfer);
        return;
      }
      if (config.mode === "fixed") {
        if (t - lastProgress >= 200) {
          lastProgress = t;
          profile.lost = sampler.counters().lost;
          post({ type: "progress", live: profile.stats(t, false) });
        }
        await Bun.sleep(0);
        continue;
      }
      const frozen = Atomics.load(control, CONTROL_FROZEN) !== 0;
      if (config.liveSnapshots && !frozen && t - lastSent >= SNAPSHOT_EVERY_MS && (profile.version !== lastVersion || t - lastSent >= 1000)) {
        profile.lost = sampler.counters().lost;
        lastVersion = profile.version;
        lastSent = t;
        const { wire, transfer } = encoder.encode(profile.snapshot(t, false));
        post({ type: "snapshot", snapshot: wire }, transfer);
      }
      // Let timers and messages run between polls.
      await Bun.sleep(0);
    }
  } catch (err) {
    log.write(`worker error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    post({ type: "error", error: toWire(err) });
  } finally {
    sampler?.close();
    log.close();
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === "start") void run(msg.config, new Int32Array(msg.control));
};
