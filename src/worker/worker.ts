// The sampling worker: owns libbpf (loaded, attached and released in this thread only),
// decodes, symbolizes and merges samples, and posts snapshots at most 10 times a second.

import { CollectError } from "../collect/errors.ts";
import { KernelMapSource } from "../collect/kernel-map-source.ts";
import { keepSamplePathBelowFTL } from "../collect/jit-tiers.ts";
import { LiveProfile, PAST_END_GRACE_NS } from "../collect/live-profile.ts";
import { preflight } from "../collect/preflight.ts";
import { Sampler, type SamplerCounters, selfNsPid } from "../collect/sampler.ts";
import { type AttachSpec, parseAttachSpecs } from "../collect/attach-spec.ts";
import { clearEventFd, monotonicNs } from "../ffi/libc.ts";
import { DebugLog } from "../log.ts";
import { FrameTable } from "../profile/frames.ts";
import { Symbolizer, type SymbolizerStats } from "../symbolize/symbolizer.ts";
import type { UnwindStats } from "../unwind/unwinder.ts";
import { SelfCpuMeter } from "./self-cpu.ts";
import { CONTROL_FINISH, CONTROL_FROZEN, CONTROL_STOP, CONTROL_ZERO, FIXED_DRAIN_MAX_MS, type FromWorker, type LiveConfig, SnapshotEncoder, type ToWorker, type WireError } from "./protocol.ts";

declare const self: Worker;

const SNAPSHOT_EVERY_MS = 100;
/** While the view is paused no snapshots are sent, only the live figures, this often. */
const PAUSED_PROGRESS_MS = 250;
/**
 * How long one poll may wait. Viewers get 10 snapshots a second at most, so 100 ms loses
 * nothing; ring mode waits at most half a slot so the window keeps up with the clock. With
 * nobody watching (headless, or a fixed window without a progress line) the worker sleeps until
 * the ring is a quarter full, an exec (whose maps are read at once), a control change (wakeFd),
 * the first record of a process it has not seen (so its maps are read while they are still the
 * ones its samples ran in), a freshly exec'ed process's next maps read, or QUIET_POLL_MS. A wakeup
 * costs far more than the reading it does: a thread that slept touches its memory again (~20 ms of
 * CPU a wakeup on the development VM, where idle pages are reclaimed), so an idle headless run
 * costs a few ms a second.
 */
const POLL_MS = 100;
const QUIET_POLL_MS = 5000;
/** fixed: how often the progress line is fed. */
const PROGRESS_MS = 200;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  self.postMessage(msg, transfer);
}

function toWire(err: unknown): WireError {
  if (err instanceof CollectError) return { kind: err.kind, message: err.message, hint: err.hint };
  return { kind: "internal", message: err instanceof Error ? err.message : String(err) };
}

/**
 * Samples are read in small batches for at most a time slice, so the loop notices the clock, a
 * stop or a due snapshot soon even when a sample is slow (the first sight of a big binary).
 */
const POLL_BUDGET = 64;
const SLICE_MS = 50;
/** At most this long reading what is already in the ring when a window is given up on or stopped. */
const FINAL_READ_MS = 500;

/** Test hooks: make the worker slow (blocks every loop N ms) or stuck (blocks forever), synchronously. */
const testSleep = new Int32Array(new SharedArrayBuffer(4));
const TEST_SLOW_MS = Number(process.env.FLAMETUI_TEST_SLOW_WORKER_MS ?? 0);

type Last = { msg: FromWorker; transfer?: ArrayBuffer[] };

/** What the worker holds in the kernel; released before its last message. */
interface Held {
  sampler: Sampler | null;
  kernelMaps: KernelMapSource | null;
}

async function run(config: LiveConfig, control: Int32Array, wakeFd: number): Promise<void> {
  const log = new DebugLog(config.logPath !== null, config.logPath ?? undefined);
  const held: Held = { sampler: null, kernelMaps: null };
  let last: Last;
  try {
    last = await sample(config, control, wakeFd, log, held);
  } catch (err) {
    log.write(`worker error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    last = { msg: { type: "error", error: toWire(err) } };
  }
  // The main thread ends this worker as soon as `done` or `error` arrives: release everything first.
  release(held, log);
  log.close();
  post(last.msg, last.transfer);
}

function release(held: Held, log: DebugLog): void {
  for (const [what, close] of [["sampler", () => held.sampler?.close()], ["kernel map records", () => held.kernelMaps?.close()]] as const) {
    try {
      close();
    } catch (err) {
      log.write(`worker: closing the ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  held.sampler = null;
  held.kernelMaps = null;
}

/** Samples until the window is complete (fixed) or a stop; returns the final message. */
async function sample(config: LiveConfig, control: Int32Array, wakeFd: number, log: DebugLog, held: Held): Promise<Last> {
  log.write(`preflight: ${preflight()}`); // one clear error when the kernel lacks something
  const frames = new FrameTable();
  const kernelMaps = (held.kernelMaps = new KernelMapSource(config.followForks ? [] : config.pids, log.write));
  const copyStack = (config.unwind ?? "fp") !== "fp";
  const symbolizer = new Symbolizer(frames, { log: log.write, kernelMaps: kernelMaps.maps, addresses: config.addresses, unwindTables: copyStack });
  const sampler = (held.sampler = await Sampler.open({ pids: config.pids.length > 0 ? config.pids : undefined, enableIdle: config.enableIdle, followForks: config.followForks, excludeNsPid: config.includeSelf ? undefined : selfNsPid(), log: log.write, lifecycle: true, copyStack, ...timerAndEvents(config), offCpu: (config.measure ?? "cpu") !== "cpu", minBlockNs: config.minBlockNs }));
  symbolizer.setOwnKernelCode(sampler.ownCode());
  const fixed = config.mode === "fixed";
  // The program counts taken and lost samples by their own stamps, inside the same window the profile keeps.
  const startNs = sampler.startWindow(fixed ? config.ms * 1e6 : Infinity, monotonicNs);
  const profile = new LiveProfile(config, symbolizer, frames, startNs);
  const selfCpu = new SelfCpuMeter(startNs);
  const readLoss = () => {
    const c = sampler.counters();
    profile.setLoss(c.windowLost, c.windowSamples);
    profile.excluded = {
      ...(config.enableIdle ? {} : { idle: c.windowIdle }),
      ...(config.includeSelf ? {} : { self: c.windowSelf }),
      ...(config.pids.length > 0 ? { pidFilter: c.windowFiltered } : {}),
    };
  };
  let unread = 0;
  keepSamplePathBelowFTL(profile.onSample);
  const encoder = new SnapshotEncoder();
  const cpus = sampler.cpus.length;
  profile.cpus = cpus;
  // A command is released once this is ready: its first instruction must fall inside the window.
  while (config.followForks && monotonicNs() < startNs) await Bun.sleep(1);
  post({ type: "ready", cpus });
  log.write(`worker: sampling ${config.mode} at ${config.hz} Hz on ${cpus} CPUs`);
  // Tests use these to prove a crashed or stuck worker leaves nothing attached and no hang.
  if (process.env.FLAMETUI_TEST_CRASH_WORKER === "1") {
    setTimeout(() => {
      throw new Error("test crash of the sampling worker");
    }, 300);
  }
  if (process.env.FLAMETUI_TEST_BLOCK_WORKER === "1") setTimeout(() => Atomics.wait(testSleep, 0, 0), 300);

  sampler.wakeAlsoOn([...(wakeFd >= 0 ? [wakeFd] : []), ...kernelMaps.fds]);
  const watched = fixed ? config.progress === true : config.liveSnapshots;
  // The test hooks above run on timers, which fire only between polls.
  const hooked = process.env.FLAMETUI_TEST_CRASH_WORKER === "1" || process.env.FLAMETUI_TEST_BLOCK_WORKER === "1";
  const pollMs = config.mode === "ring" || hooked ? Math.min(POLL_MS, Math.max(1, Math.floor(config.ms / 2))) : watched ? (fixed ? PROGRESS_MS : POLL_MS) : QUIET_POLL_MS;
  // fixed: the window is complete once a later sample was read, or the ring was empty after it.
  let completeAfterNs = profile.endNs + PAST_END_GRACE_NS;
  let giveUpAfterNs = profile.endNs + FIXED_DRAIN_MAX_MS * 1e6;
  // The profiled command has exited (CONTROL_FINISH): any mode ends as a fixed window does.
  let finishing = false;
  let lastSent = -Infinity;
  let lastVersion = -1;
  let lastProgress = -Infinity;
  let zeroSeen = Atomics.load(control, CONTROL_ZERO);
  for (;;) {
    if (TEST_SLOW_MS > 0) Atomics.wait(testSleep, 0, 0, TEST_SLOW_MS);
    const stop = Atomics.load(control, CONTROL_STOP) !== 0;
    const now = monotonicNs();
    if (!finishing && Atomics.load(control, CONTROL_FINISH) !== 0) {
      finishing = true;
      profile.finish(now);
      completeAfterNs = profile.endNs + PAST_END_GRACE_NS;
      giveUpAfterNs = profile.endNs + FIXED_DRAIN_MAX_MS * 1e6;
    }
    const bounded = fixed || finishing;
    if (bounded && now >= profile.endNs) profile.draining = true;
    const complete = bounded && (profile.pastEnd || (now >= completeAfterNs && sampler.pendingBytes() === 0));
    // Given up on reading the rest (stopped, or the window takes too long to read): every sample
    // taken but not in the profile is lost, the unread ones included.
    const givenUp = !complete && (stop || (bounded && now >= giveUpAfterNs));
    if (complete || givenUp) {
      // What is already in the ring is read (for FINAL_READ_MS at most) before the rest counts as lost: a worker
      // that was late, or stopped, still keeps the window's samples it can reach at once.
      if (stop || givenUp) {
        const until = performance.now() + FINAL_READ_MS;
        while (sampler.poll(0, profile.onSample, POLL_BUDGET) > 0 && performance.now() < until);
      }
      readLoss();
      if (givenUp) {
        unread = Math.max(0, profile.taken - profile.lost - profile.readInWindow);
        profile.setLoss(profile.lost + unread, profile.taken);
      }
      const t = monotonicNs();
      profile.selfCpu = fixed ? selfCpu.sinceStart(t) : selfCpu.sample(t);
      const { wire, transfer } = encoder.encode(profile.snapshot(t, false, true));
      log.write(`worker: done after ${profile.samples} samples (${profile.outside} read outside the window, ${unread} not read), ${profile.lost} of ${profile.taken} lost; ${profile.execs} execs, ${profile.forks} forks, ${profile.exits} exits seen; [exited] in ${profile.exited} samples (${((100 * profile.exited) / Math.max(1, profile.samples)).toFixed(1)}%); ${kernelMaps.summary()}; symbolizer ${JSON.stringify(symbolizer.stats())}`);
      log.write(`worker: ${profile.cacheSummary()}`);
      if (profile.unwinder !== null) log.write(`worker: unwind ${unwindSummary(profile.unwinder.stats, symbolizer.stats(), sampler.counters())}`);
      return { msg: { type: "done", snapshot: wire }, transfer };
    }
    // Sooner than POLL_MS when a freshly exec'ed process is due for another maps read, or the window ends.
    const untilEnd = bounded ? Math.max(0, (completeAfterNs - now) / 1e6) : Infinity;
    readSlice(sampler, profile, Math.ceil(Math.min(pollMs, untilEnd, profile.maintain(performance.now()))));
    if (wakeFd >= 0) clearEventFd(wakeFd); // the control words are read at the top of the loop
    kernelMaps.drain();
    const t = monotonicNs();
    profile.tick(t);
    if (fixed) {
      if (watched && t - lastProgress >= PROGRESS_MS * 1e6) {
        lastProgress = t;
        readLoss();
        post({ type: "progress", live: profile.stats(t, false) });
      }
      await Bun.sleep(0);
      continue;
    }
    const zero = Atomics.load(control, CONTROL_ZERO);
    if (zero !== zeroSeen) {
      zeroSeen = zero;
      readLoss();
      profile.zero(t);
      lastVersion = -1;
      lastSent = -Infinity;
      log.write("worker: counts zeroed");
    }
    const frozen = Atomics.load(control, CONTROL_FROZEN) !== 0;
    if (config.liveSnapshots && !frozen && t - lastSent >= SNAPSHOT_EVERY_MS * 1e6 && (profile.version !== lastVersion || t - lastSent >= 1e9)) {
      readLoss();
      profile.selfCpu = selfCpu.sample(t);
      lastVersion = profile.version;
      lastSent = t;
      const { wire, transfer } = encoder.encode(profile.snapshot(t, false));
      post({ type: "snapshot", snapshot: wire }, transfer);
    } else if (config.liveSnapshots && frozen && t - lastProgress >= PAUSED_PROGRESS_MS * 1e6) {
      // The view is paused, not the sampling: the clock and figures in the status bar move on.
      lastProgress = t;
      readLoss();
      profile.selfCpu = selfCpu.sample(t);
      post({ type: "progress", live: profile.stats(t, true) });
    }
    // Let timers and messages run between polls.
    await Bun.sleep(0);
  }
}

/** Waits up to waitMs for samples, then reads batches until none are left or the slice is over. */
function readSlice(sampler: Sampler, profile: LiveProfile, waitMs: number): void {
  if (sampler.poll(waitMs, profile.onSample, POLL_BUDGET) < POLL_BUDGET) return;
  const end = performance.now() + SLICE_MS;
  while (performance.now() < end && sampler.poll(0, profile.onSample, POLL_BUDGET) === POLL_BUDGET);
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === "start") void run(msg.config, new Int32Array(msg.control), msg.wakeFd);
};

/** The timer (on or off, and its rate) and the --attach events of a session. */
function timerAndEvents(config: LiveConfig): { hz: number; onCpu: boolean; events: AttachSpec[] } {
  const specs = parseAttachSpecs(config.attach ?? []);
  const perf = specs.find((s) => s.kind === "perf");
  const onCpu = (config.measure ?? "cpu") !== "offcpu" && (specs.length === 0 || perf !== undefined);
  return { hz: perf?.kind === "perf" ? perf.hz : config.hz, onCpu, events: specs.filter((s) => s.kind !== "perf") };
}

/** One line for --verbose: how the user stacks of stack-copy samples ended, and the tables' memory. */
function unwindSummary(u: UnwindStats, s: SymbolizerStats, c: SamplerCounters): string {
  const pct = (n: number) => `${((100 * n) / Math.max(1, u.samples)).toFixed(1)}%`;
  return (
    `${u.samples} stacks: complete ${pct(u.complete)}, no unwind info ${pct(u.noInfo)}, truncated ${pct(u.truncated)}, bad frame ${pct(u.badFrame)}; ` +
    `${u.cfiFrames} frames by call-frame information, ${u.fpFrames} by frame pointers; stack copies failed ${c.copyErrors}, short ${c.copyShort}; ` +
    `tables: ${s.unwindTables} built (${s.unwindFromCache} read from the cache, ${s.unwindCached} written to it; ${(s.unwindTableBytes / 2 ** 20).toFixed(1)} MiB held), ${s.unwindMissing} files without, ${s.unwindReleased} released`
  );
}
