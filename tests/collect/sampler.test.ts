// Live tests of the BPF sampler (root only): a busy C workload of known shape is sampled by pid
// and system-wide; cleanup is checked through bpftool and /proc/self/fd.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBpf } from "../../build.ts";
import { CollectError, UsageError } from "../../src/collect/errors.ts";
import { maxSampleRate } from "../../src/collect/perf-event.ts";
import { kernelAddressToBigInt, KERNEL_BASE, type RawSample } from "../../src/collect/records.ts";
import type { Sampler as SamplerT } from "../../src/collect/sampler.ts";

buildBpf(); // the sampler embeds bpf/profile.bpf.o: it must exist before the import below
const { Sampler, PROGRAM_NAME } = await import("../../src/collect/sampler.ts");

const isRoot = process.getuid?.() === 0;
const SKIP_REASON = "live sampler tests need root (or CAP_BPF + CAP_PERFMON): skipped";
if (!isRoot) console.warn(SKIP_REASON);

interface Copied {
  pid: number;
  tid: number;
  cpu: number;
  comm: string;
  timeNs: number;
  kernel: number[];
  user: number[];
}
const copy = (s: RawSample): Copied => ({
  pid: s.pid, tid: s.tid, cpu: s.cpu, comm: s.comm, timeNs: s.timeNs,
  kernel: Array.from(s.kernel.subarray(0, s.kernelLen)),
  user: Array.from(s.user.subarray(0, s.userLen)),
});

function drain(sampler: SamplerT, ms: number): Copied[] {
  const out: Copied[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) sampler.poll(50, (s) => out.push(copy(s)));
  sampler.poll(0, (s) => out.push(copy(s)), 1e9);
  return out;
}

function perfFdCount(): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === "anon_inode:[perf_event]") n++;
    } catch {
      // fd closed while listing
    }
  }
  return n;
}

const bpftool = Bun.which("bpftool");
function ourProgIds(): number[] {
  if (!bpftool) return [];
  const r = Bun.spawnSync([bpftool, "-j", "prog", "show"]);
  const progs = JSON.parse(r.stdout.toString() || "[]") as { id: number; name?: string }[];
  return progs.filter((p) => p.name === PROGRAM_NAME).map((p) => p.id);
}
function linksOf(progIds: number[]): number {
  if (!bpftool) return 0;
  const r = Bun.spawnSync([bpftool, "-j", "link", "show"]);
  const links = JSON.parse(r.stdout.toString() || "[]") as { prog_id: number }[];
  return links.filter((l) => progIds.includes(l.prog_id)).length;
}
async function eventually(check: () => boolean, ms = 2000): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (check()) return true;
    await Bun.sleep(20);
  }
  return check();
}

let dir = "";
let busyPath = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "flametui-collect-"));
  busyPath = join(dir, "busy");
  const cc = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", busyPath, join(import.meta.dir, "../workloads/busy.c")]);
  if (cc.exitCode !== 0) throw new Error(`gcc failed: ${cc.stderr.toString()}`);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startBusy(seconds: number) {
  return Bun.spawn([busyPath, String(seconds)], { stdout: "ignore", stderr: "ignore" });
}
/** Nanoseconds the process has spent on a CPU (all threads): what a fair sampler's count follows. */
function cpuNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);
}
function textRange(pid: number, path: string): [number, number] {
  for (const line of readFileSync(`/proc/${pid}/maps`, "utf8").split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[5] === path && f[1]!.includes("x")) {
      const [lo, hi] = f[0]!.split("-").map((h) => Number.parseInt(h, 16));
      return [lo!, hi!];
    }
  }
  throw new Error(`no executable mapping of ${path} in pid ${pid}`);
}

describe("usage errors (no privileges needed)", () => {
  test("hz out of range throws UsageError naming the limit", async () => {
    const max = maxSampleRate();
    for (const hz of [0, max + 1]) {
      const err = await Sampler.open({ hz, enableIdle: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toContain(String(max));
    }
  });
  test("invalid pid throws UsageError", async () => {
    const err = await Sampler.open({ hz: 99, pids: [-3], enableIdle: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
  });
});

describe("live sampler", () => {
  test.skipIf(!isRoot)("pid filter: every sample is the workload, user stacks in its text", async () => {
    const busy = startBusy(4);
    try {
      await Bun.sleep(100);
      const [lo, hi] = textRange(busy.pid, busyPath);
      const sampler = await Sampler.open({ hz: 199, pids: [busy.pid], enableIdle: false });
      let samples: Copied[];
      let counters;
      let ranNs = 0;
      try {
        const cpuBefore = cpuNs(busy.pid);
        samples = drain(sampler, 1000);
        ranNs = cpuNs(busy.pid) - cpuBefore;
        counters = sampler.counters();
        // Samples taken between the last poll and that read are still in the ring: read them too.
        sampler.poll(0, (x) => samples.push(copy(x)), 1e9);
        expect(sampler.malformedRecords).toBe(0);
      } finally {
        sampler.close();
      }
      // The cpu-clock event counts the task's own CPU time, so on a loaded machine (CI) the
      // count follows the time the workload actually ran, not the wall time of the window.
      const expected = (ranNs / 1e9) * 199;
      expect(expected).toBeGreaterThan(20);
      expect(samples.length).toBeGreaterThan(expected * 0.8 - 5);
      expect(samples.length).toBeLessThan(expected * 1.15 + 5);
      for (const s of samples) {
        expect(s.pid).toBe(busy.pid);
        expect(s.tid).toBe(busy.pid);
        expect(s.comm).toBe("busy");
        expect(s.user.length).toBeGreaterThan(0);
      }
      const inText = samples.filter((s) => s.user[0]! >= lo && s.user[0]! < hi).length;
      expect(inText / samples.length).toBeGreaterThan(0.95);
      // inner <- outer <- main: the frame-pointer walk gives at least three frames in our text.
      const deep = samples.filter((s) => s.user.length >= 3 && s.user.slice(0, 3).every((a) => a >= lo && a < hi));
      expect(deep.length / samples.length).toBeGreaterThan(0.9);
      const times = samples.map((s) => s.timeNs);
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(0.5e9);
      expect(samples.length).toBeGreaterThanOrEqual(counters.samples); // every sample counted reached us
      expect(samples.length - counters.samples).toBeLessThanOrEqual(2); // and only those taken since
      expect(counters.lost).toBe(0);
      expect(counters.stackErrors).toBe(0);
      expect(counters.userTruncated).toBe(0);
      expect(counters.kernelTruncated).toBe(0);
    } finally {
      busy.kill();
    }
  });

  test.skipIf(!isRoot)("more pids than the default map size (1024) still filter by tgid", async () => {
    const busy = startBusy(2);
    try {
      const pids = [busy.pid, ...Array.from({ length: 1500 }, (_, i) => 3_000_000 + i)];
      const sampler = await Sampler.open({ hz: 199, pids, enableIdle: false });
      let samples: Copied[];
      try {
        samples = drain(sampler, 400);
      } finally {
        sampler.close();
      }
      expect(samples.length).toBeGreaterThan(20);
      expect(samples.every((s) => s.pid === busy.pid)).toBe(true);
    } finally {
      busy.kill();
    }
  });

  test.skipIf(!isRoot)("runs inside a Worker (libbpf and its print hook on the worker thread)", async () => {
    const busy = startBusy(2);
    const worker = new Worker(new URL("./sampler-worker.ts", import.meta.url).href);
    try {
      const result = await new Promise<{ samples: number; otherPids: number; logs: string[] }>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(e);
        worker.postMessage({ pid: busy.pid, ms: 400 });
      });
      expect(result.samples).toBeGreaterThan(20);
      expect(result.otherPids).toBe(0);
    } finally {
      worker.terminate();
      busy.kill();
    }
  });

  test.skipIf(!isRoot)("system-wide: kernel stacks are kernel addresses; no idle samples", async () => {
    const busy = startBusy(3);
    // Spends its time in the kernel (getrandom + copy to user), so samples carry kernel stacks.
    const dd = Bun.spawn(["dd", "if=/dev/urandom", "of=/dev/null", "bs=64k", "count=1000000"], { stdout: "ignore", stderr: "ignore" });
    try {
      const sampler = await Sampler.open({ hz: 199, enableIdle: false });
      let samples: Copied[];
      try {
        samples = drain(sampler, 1000);
      } finally {
        sampler.close();
      }
      expect(samples.length).toBeGreaterThan(100);
      expect(samples.some((s) => s.pid === busy.pid)).toBe(true);
      expect(samples.some((s) => s.pid === 0)).toBe(false);
      const withKernel = samples.filter((s) => s.kernel.length > 0);
      expect(withKernel.length).toBeGreaterThan(10);
      for (const s of withKernel) {
        for (const a of s.kernel) {
          expect(Number.isSafeInteger(a)).toBe(true);
          expect(kernelAddressToBigInt(a) >= KERNEL_BASE).toBe(true);
        }
      }
      if (process.arch === "x64") {
        // kernel text and modules live in the top 2 GiB
        const top = withKernel.every((s) => kernelAddressToBigInt(s.kernel[0]!) >= 0xffffffff80000000n);
        expect(top).toBe(true);
      }
      expect(withKernel.some((s) => s.comm === "dd")).toBe(true);
    } finally {
      busy.kill();
      dd.kill();
    }
  });

  test.skipIf(!isRoot)("budget: poll returns after `budget` samples even when more are waiting", async () => {
    const busy = startBusy(2);
    try {
      const sampler = await Sampler.open({ hz: 999, pids: [busy.pid], enableIdle: false });
      try {
        await Bun.sleep(300);
        const t0 = performance.now();
        expect(sampler.poll(0, () => {}, 5)).toBe(5);
        expect(sampler.poll(0, () => {}, 5)).toBe(5);
        expect(performance.now() - t0).toBeLessThan(100);
        const boom = new Error("boom");
        expect(() => sampler.poll(0, () => { throw boom; })).toThrow("boom");
      } finally {
        sampler.close();
      }
      sampler.close(); // idempotent
      expect(() => sampler.poll(0, () => {})).toThrow(CollectError);
    } finally {
      busy.kill();
    }
  });

  test.skipIf(!isRoot)("close() leaves no program, link or perf fd behind", async () => {
    if (!bpftool) console.warn("bpftool not found: checking perf fds only");
    const before = ourProgIds();
    const fdsBefore = perfFdCount();
    const sampler = await Sampler.open({ hz: 99, enableIdle: false });
    const ours = ourProgIds().filter((id) => !before.includes(id));
    if (bpftool) {
      expect(ours.length).toBe(1);
      expect(linksOf(ours)).toBe(sampler.cpus.length);
    }
    expect(perfFdCount()).toBe(fdsBefore + sampler.cpus.length);
    sampler.close();
    expect(perfFdCount()).toBe(fdsBefore);
    expect(await eventually(() => linksOf(ours) === 0 && !ourProgIds().some((id) => ours.includes(id)))).toBe(true);
  });

  test.skipIf(!isRoot)("a start that fails midway releases what it had attached", async () => {
    const before = ourProgIds();
    const fdsBefore = perfFdCount();
    // Valid CPUs first, then one that does not exist: perf_event_open fails after attaching.
    const cpus = [...(await import("../../src/collect/cpus.ts")).onlineCpus(), 4095];
    const err = await Sampler.open({ hz: 99, enableIdle: false, cpus }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectError);
    expect((err as CollectError).message).toContain("cpu 4095");
    expect(perfFdCount()).toBe(fdsBefore);
    expect(await eventually(() => ourProgIds().every((id) => before.includes(id)))).toBe(true);
  });
});
