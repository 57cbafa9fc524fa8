// The terminal is restored when the TUI ends by SIGTERM, SIGHUP or an uncaught error (which is
// printed after the screen is restored). Runs a small runTui program in tmux.

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasTmux, TmuxSession } from "./tmux.ts";

const APP = join(import.meta.dir, "fixtures/tui-app.ts");
let session: TmuxSession | null = null;

/** utime + stime of a process's main thread (the one that draws; not the JIT's threads), in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
}
afterEach(() => {
  session?.kill();
  session = null;
});

async function start(env: Record<string, string> = {}) {
  const pidFile = join(mkdtempSync(join(tmpdir(), "flametui-restore-")), "pid");
  const s = (session = new TmuxSession(`bun run ${APP}`, 100, 30, { FLAMETUI_TEST_PIDFILE: pidFile, ...env }));
  await s.waitFor((x) => x.includes("restore-test") && /^all +▕/m.test(x));
  expect(s.flag("alternate_on")).toBe("1");
  expect(s.flag("mouse_any_flag")).toBe("1");
  return { s, pid: Number(readFileSync(pidFile, "utf8")) };
}

for (const [sig, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  test.skipIf(!hasTmux)(`${sig} restores the terminal`, async () => {
    const { s, pid } = await start();
    if (sig === "SIGTERM") {
      // idle means no redraws: the process uses (almost) no CPU while nothing happens. The runtime
      // alone takes ~1 clock tick (10 ms) a second here; a redraw loop would take tens.
      // Start-up work of a cold first run (a fresh clone in CI) can go on for a while after the first
      // frame: measure after it.
      await Bun.sleep(2500);
      const before = cpuTicks(pid);
      await Bun.sleep(1500);
      expect(cpuTicks(pid) - before).toBeLessThanOrEqual(15); // <10% of a CPU (a loaded CI machine stretches it)
    }
    process.kill(pid, sig);
    const screen = await s.waitFor((x) => x.includes("EXITED rc="));
    expect(screen).toContain(`RESTORED exitCode=${code}`);
    expect(s.flag("alternate_on")).toBe("0");
    expect(s.flag("mouse_any_flag")).toBe("0");
    expect(s.flag("cursor_flag")).toBe("1");
  }, 30000);
}

test.skipIf(!hasTmux)("an uncaught error restores the terminal, then prints the error", async () => {
  const { s } = await start({ FLAMETUI_TEST_MODE: "throw" });
  const screen = await s.waitFor((x) => x.includes("EXITED rc="));
  expect(screen).toContain("boom from the test");
  expect(screen).toContain("RESTORED exitCode=1");
  expect(screen.indexOf("boom from the test")).toBeLessThan(screen.indexOf("RESTORED"));
  expect(s.flag("alternate_on")).toBe("0");
  expect(s.flag("mouse_any_flag")).toBe("0");
}, 30000);
