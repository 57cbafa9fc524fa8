// Overhead of live sampling: CPU time of this process (ring buffer drain + decode) and of the
// BPF program (kernel bpf_stats) over 5 s at several rates, system-wide with one busy loop per CPU.
// Run as root: bun run bench/collect-overhead.bench.ts [seconds]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBpf } from "../build.ts";

buildBpf();
const { Sampler, PROGRAM_NAME } = await import("../src/collect/sampler.ts");
const { onlineCpus } = await import("../src/collect/cpus.ts");

const SECONDS = Number(process.argv[2] ?? 5);
const RATES = [99, 999];
const STATS = "/proc/sys/kernel/bpf_stats_enabled";

function progStats(): { runNs: number; runs: number } {
  const r = Bun.spawnSync(["bpftool", "-j", "prog", "show", "name", PROGRAM_NAME]);
  const out = r.stdout.toString().trim();
  const list = (out.startsWith("[") ? JSON.parse(out) : [JSON.parse(out || "{}")]) as { run_time_ns?: number; run_cnt?: number }[];
  return list.reduce((a, p) => ({ runNs: a.runNs + (p.run_time_ns ?? 0), runs: a.runs + (p.run_cnt ?? 0) }), { runNs: 0, runs: 0 });
}

const dir = mkdtempSync(join(tmpdir(), "flametui-bench-"));
const busy = join(dir, "busy");
Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", busy, join(import.meta.dir, "../tests/workloads/busy.c")]);
const cpus = onlineCpus();
const workers = cpus.map(() => Bun.spawn([busy, String(SECONDS * RATES.length + 5)]));
const statsWas = readFileSync(STATS, "utf8").trim();
writeFileSync(STATS, "1");

const rows: string[][] = [["hz", "CPUs", "samples", "samples/s", "lost", "process CPU %", "us/sample (process)", "BPF ns/run"]];
try {
  for (const hz of RATES) {
    const sampler = await Sampler.open({ hz, enableIdle: false });
    let n = 0;
    let frames = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    while (performance.now() - t0 < SECONDS * 1000) {
      n += sampler.poll(50, (s) => {
        frames += s.kernelLen + s.userLen;
      });
    }
    const wallMs = performance.now() - t0;
    const used = process.cpuUsage(cpu0);
    const cpuMs = (used.user + used.system) / 1000;
    const stats = progStats();
    const lost = sampler.counters().lost;
    sampler.close();
    rows.push([
      String(hz), String(cpus.length), String(n), (n / (wallMs / 1000)).toFixed(0), String(lost),
      ((100 * cpuMs) / wallMs).toFixed(2), n ? ((cpuMs * 1000) / n).toFixed(1) : "-",
      stats.runs ? (stats.runNs / stats.runs).toFixed(0) : "-",
    ]);
  }
} finally {
  writeFileSync(STATS, statsWas);
  for (const w of workers) w.kill();
  rmSync(dir, { recursive: true, force: true });
}

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i]!)).join("  "));
