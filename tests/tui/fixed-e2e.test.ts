// End to end, as root in tmux: `fixed` on a quiet machine with a small C workload shows the
// workload and no frame of flametui itself; Ctrl-C while sampling stops early and opens the
// viewer, as the progress line says. Unnamed frames are grouped per module, not named by offset.

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildWorkload, isRoot, MAIN, ROOT_DIR } from "../live/helpers.ts";
import { hasTmux, TmuxSession } from "./tmux.ts";

const dir = mkdtempSync("/var/tmp/flametui-fixed-e2e-");
let session: TmuxSession | null = null;
afterEach(() => {
  session?.kill();
  session = null;
});
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

/** Runs flametui under bash in tmux; its pid is written to a file (exec keeps it). */
function start(args: string, name: string): { s: TmuxSession; pid: () => number } {
  const pidFile = join(dir, `${name}.pid`);
  const s = new TmuxSession(`bash -c 'echo $$ > ${pidFile}; exec ${process.execPath} ${MAIN} ${args}'`, 160, 40);
  return { s, pid: () => Number(readFileSync(pidFile, "utf8")) };
}

/** The busy workload without a symbol table: its frames have no names, only its module. */
function strippedBusy(): string {
  const out = join(dir, "nosyms");
  const r = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-s", "-o", out, join(ROOT_DIR, "tests", "workloads", "busy.c")]);
  if (r.exitCode !== 0) throw new Error(`gcc failed: ${r.stderr.toString()}`);
  return out;
}

async function search(s: TmuxSession, pattern: string): Promise<string> {
  s.keys("/");
  await s.waitFor((x) => /^ \/.*█/m.test(x));
  s.literal(pattern);
  s.keys("Enter");
  return s.waitFor((x) => x.includes(`/${pattern}: matched`));
}

describe.skipIf(!isRoot || !hasTmux)("fixed in tmux", () => {
  test("a quiet machine with a C workload: the workload is there, flametui is not", async () => {
    const busy = Bun.spawn([buildWorkload("busy"), "10"]);
    const nosyms = Bun.spawn([strippedBusy(), "10"]);
    try {
      const run = start("fixed --hz 199 --ms 1500", "quiet");
      session = run.s;
      const screen = await run.s.waitFor((x) => /fixed 199 Hz · 1\.5 s · [\d,]+ samples/.test(x), 20000);
      expect(screen).not.toContain("samples/s");
      const self = await search(run.s, `^pid ${run.pid()}$`);
      expect(self).toMatch(/matched 0% /);
      const work = await search(run.s, `^pid ${busy.pid}$`);
      expect(work).toMatch(/matched [1-9][\d.]*% /);
      // unnamed frames are grouped per module ([libfoo.so], [anon]), never named by offset
      const offsets = await search(run.s, "\\+0x[0-9a-f]+$");
      expect(offsets).toMatch(/matched 0% /);
      const grouped = await search(run.s, "^\\[nosyms\\]$");
      // one frame per stack level (_start, main, outer, inner, done, each unwound through the
      // stripped binary's .eh_frame), not one per address
      expect(grouped).toMatch(/matched [1-9][\d.]*% .* · (match [1-9] of [1-9](?!\d)|(?<!\d)[1-9] match(es)?\b)/);
      run.s.keys("q");
    } finally {
      busy.kill();
      nosyms.kill();
    }
  }, 40000);

  test("Ctrl-C while sampling stops early and opens the viewer, as the progress line says", async () => {
    const busy = Bun.spawn([buildWorkload("busy"), "10"]);
    try {
      const run = start("fixed --hz 99 --ms 60000", "ctrlc");
      session = run.s;
      await run.s.waitFor((x) => /sampling \d+\.\d s \/ 60\.0 s .*Ctrl-C: stop early and view/.test(x), 20000);
      await Bun.sleep(800);
      run.s.keys("C-c");
      const screen = await run.s.waitFor((x) => /fixed 99 Hz · \d+\.\d s · [\d,]+ samples/.test(x), 10000);
      const secs = Number(/fixed 99 Hz · (\d+\.\d) s/.exec(screen)![1]);
      expect(secs).toBeLessThan(10);
      expect(secs).toBeGreaterThan(0.5);
      run.s.keys("q");
      await run.s.waitFor((x) => x.includes("EXITED rc=0"));
    } finally {
      busy.kill();
    }
  }, 40000);
});
