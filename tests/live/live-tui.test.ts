// The live viewer as a user meets it, as root in tmux: aggregate mode shows the live figures
// and the workload, q detaches everything; a crashing sampler closes the viewer with its error.

import { afterEach, describe, expect, test } from "bun:test";
import { hasTmux, TmuxSession } from "../tui/tmux.ts";
import { buildWorkload, isRoot, MAIN, markProgramBaseline, ourPrograms, waitFor } from "./helpers.ts";

/** While it runs, the viewer's programs are held by its own pid, which tmux started. */
function listOurs(): string[] {
  const r = Bun.spawnSync(["bpftool", "-j", "perf"]);
  const attached = JSON.parse(r.stdout.toString() || "[]") as { pid: number; prog_id: number }[];
  const pids = new Set(Bun.spawnSync(["pgrep", "-f", `${MAIN} aggregate`]).stdout.toString().trim().split("\n").map(Number));
  return attached.filter((a) => pids.has(a.pid)).map((a) => String(a.prog_id));
}

let session: TmuxSession | null = null;
afterEach(() => {
  session?.kill();
  session = null;
});

describe.skipIf(!isRoot || !hasTmux)("live viewer", () => {
  test("aggregate --pid: live figures, the workload's frames, q quits and detaches", async () => {
    const shape = buildWorkload("shape");
    const w = Bun.spawn([shape, "20"]);
    markProgramBaseline();
    const s = (session = new TmuxSession(`${process.execPath} ${MAIN} aggregate --hz 199 --pid ${w.pid}`, 140, 30));
    const screen = await s.waitFor((x) => x.includes("hot") && x.includes("warm") && /\d+ samples\/s/.test(x), 15000);
    expect(listOurs().length).toBeGreaterThan(0); // the check below can see ours
    expect(screen).toContain(`pid ${w.pid}`);
    expect(screen).toMatch(/aggregate 199 Hz/);
    expect(screen).toMatch(/lost 0/);
    s.keys("q");
    const end = await s.waitFor((x) => x.includes("EXITED rc="));
    w.kill();
    expect(end).toContain("EXITED rc=0");
    expect(s.flag("alternate_on")).toBe("0");
    expect(await waitFor(() => ourPrograms().length === 0, 2000)).toBe(true);
  }, 30000);

  test("without privileges the viewer does not open: one line and a hint", async () => {
    const cmd = `setpriv --inh-caps=-all --bounding-set=-all -- ${process.execPath} ${MAIN} aggregate`;
    const s = (session = new TmuxSession(cmd, 120, 30));
    const end = await s.waitFor((x) => x.includes("EXITED rc="), 15000);
    expect(end).toContain("flametui: not allowed to load BPF programs");
    expect(end).toContain("hint: run with sudo or grant CAP_BPF and CAP_PERFMON");
    expect(end).not.toContain("internal error");
    expect(end).toContain("EXITED rc=1");
  }, 30000);

  test("a crashing sampling worker closes the viewer and reports the error", async () => {
    const s = (session = new TmuxSession(`${process.execPath} ${MAIN} aggregate`, 120, 30, { FLAMETUI_TEST_CRASH_WORKER: "1" }));
    const end = await s.waitFor((x) => x.includes("EXITED rc="), 15000);
    expect(end).toContain("sampling worker crashed");
    expect(end).toContain("EXITED rc=1");
    expect(s.flag("alternate_on")).toBe("0");
    expect(s.flag("mouse_any_flag")).toBe("0");
  }, 30000);
});
