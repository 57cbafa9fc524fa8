// Startup and footprint of the release executable (dist/flametui or FLAMETUI_EXE), as root:
// size, `--version` time, launch -> first drawn frame and -> first sample shown (`aggregate` in a
// tmux pane polled every ~2 ms; the first sample is the first status line with "total N samples",
// N > 0, so it includes one snapshot interval), and RSS after BENCH_MEMORY_SECONDS (default 60)
// of `aggregate` at 99 Hz on all CPUs with one busy loop per CPU. Target: first frame < 300 ms.
import { statSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";

const EXE = process.env.FLAMETUI_EXE ?? join(import.meta.dir, "..", "dist", "flametui");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MEMORY_SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 60);
const TARGET_FRAME_MS = 300;

function sh(cmd: string[]): string {
  return Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" }).stdout.toString();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pane = (s: string) => sh(["tmux", "capture-pane", "-p", "-t", s]);

function versionMs(): number {
  const t = performance.now();
  Bun.spawnSync([EXE, "--version"], { stdout: "ignore", stderr: "ignore" });
  return performance.now() - t;
}

/** Launch `aggregate` in a fresh tmux session; times to the first non-blank screen and first sample. */
async function startup(session: string): Promise<{ frame: number; sample: number }> {
  sh(["tmux", "kill-session", "-t", session]);
  const t0 = performance.now();
  sh(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "30", `${EXE} aggregate`]);
  let frame = NaN;
  let sample = NaN;
  while (performance.now() - t0 < 10_000 && Number.isNaN(sample)) {
    const text = pane(session);
    const now = performance.now() - t0;
    if (Number.isNaN(frame) && text.trim() !== "") frame = now;
    const m = /total ([\d,]+) samples/.exec(text);
    if (m && Number(m[1]!.replace(/,/g, "")) > 0) sample = now;
    await Bun.sleep(2);
  }
  sh(["tmux", "kill-session", "-t", session]);
  await Bun.sleep(300); // let it restore the terminal and detach
  return { frame, sample };
}

async function memoryAfter(seconds: number): Promise<number> {
  const session = "flametui-bench-mem";
  const busy = cpus().map(() => Bun.spawn(["sh", "-c", "while :; do :; done"], { stdout: "ignore" }));
  sh(["tmux", "kill-session", "-t", session]);
  sh(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "30", `${EXE} aggregate --hz 99`]);
  await Bun.sleep(seconds * 1000);
  const pid = sh(["tmux", "display-message", "-p", "-t", session, "#{pane_pid}"]).trim();
  const status = sh(["cat", `/proc/${pid}/status`]);
  const screen = pane(session);
  sh(["tmux", "kill-session", "-t", session]);
  for (const b of busy) b.kill();
  const rss = /VmRSS:\s+(\d+) kB/.exec(status);
  const samples = /total ([\d,]+) samples/.exec(screen)?.[1] ?? "?";
  console.log(`  (after ${seconds} s: ${samples} samples in the view)`);
  return rss ? Number(rss[1]) / 1024 : NaN;
}

if (!Bun.which("tmux")) throw new Error("bench/startup needs tmux");
const rows: [string, string][] = [];
rows.push(["executable size", `${(statSync(EXE).size / 1e6).toFixed(1)} MB`]);
versionMs(); // warm the page cache and Bun's extracted .so files
rows.push([`--version (median of ${RUNS})`, `${median(Array.from({ length: RUNS }, versionMs)).toFixed(0)} ms`]);
const starts: { frame: number; sample: number }[] = [];
for (let i = 0; i < RUNS; i++) starts.push(await startup("flametui-bench-start"));
const frame = median(starts.map((s) => s.frame));
rows.push([`launch -> first frame (median of ${RUNS})`, `${frame.toFixed(0)} ms ${frame < TARGET_FRAME_MS ? "(< 300 ms target)" : "(OVER the 300 ms target)"}`]);
rows.push([`launch -> first sample shown (median of ${RUNS})`, `${median(starts.map((s) => s.sample)).toFixed(0)} ms`]);
rows.push([`RSS after ${MEMORY_SECONDS} s aggregate, 99 Hz, ${cpus().length} busy CPUs`, `${(await memoryAfter(MEMORY_SECONDS)).toFixed(0)} MB`]);

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`startup of ${EXE}`);
for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
