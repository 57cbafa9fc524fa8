// End to end: the real CLI in tmux on a real perf capture. Click a frame with an SGR mouse
// sequence, press keys, check the screen, quit, and check the terminal was restored.

import { afterEach, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { hasTmux, TmuxSession } from "./tmux.ts";

const ROOT = join(import.meta.dir, "../..");
const MAIN = join(ROOT, "src/main.ts");
const FIXTURE = existsSync(join(ROOT, "tests/fixtures/shape.perf.txt"))
  ? join(ROOT, "tests/fixtures/shape.perf.txt")
  : join(import.meta.dir, "fixtures/small.folded");
const runnable = hasTmux && existsSync(MAIN);

let session: TmuxSession | null = null;
afterEach(() => {
  session?.kill();
  session = null;
});

/** Row and column of the first occurrence of `word` at the start of a frame label. */
function find(lines: string[], re: RegExp): { row: number; col: number } {
  for (let row = 0; row < lines.length; row++) {
    const m = re.exec(lines[row]!);
    if (m) return { row, col: m.index };
  }
  throw new Error(`${re} not on screen:\n${lines.join("\n")}`);
}

test.skipIf(!runnable)("the CLI shows the flamegraph; click, keys, search, help and q work in a real terminal", async () => {
  const s = (session = new TmuxSession(`bun run ${MAIN} file ${FIXTURE}`, 120, 40));
  let screen = await s.waitFor((x) => x.includes("? help") && /^all +▕/m.test(x));
  const lines = screen.split("\n");
  const rootRow = find(lines, /^all /).row;
  expect(lines[rootRow]!.trimEnd().length).toBe(120); // the root spans every column
  expect(s.flag("alternate_on")).toBe("1");
  expect(s.flag("mouse_sgr_flag")).toBe("1");

  // the row nearest the root that holds several frames; click its widest frame
  let row = rootRow - 1;
  while (row > 0 && (lines[row]!.match(/▕/g) ?? []).length < 2) row--;
  const frames = [...lines[row]!.matchAll(/[^▕]*▕/g)].map((m) => ({ col: m.index!, w: m[0].length, text: m[0] }));
  const widest = frames.reduce((a, b) => (b.w > a.w ? b : a));
  const name = widest.text.replace(/[ ▕…]+$/, "").trim();
  s.click(widest.col + 1, row);
  const zoomed = (x: string) => {
    const r = x.split("\n")[row]!.trimEnd();
    return r.startsWith(name + " ") && r.length === 120 && (r.match(/▕/g) ?? []).length === 1;
  };
  screen = await s.waitFor(zoomed);
  expect(screen).toContain("100% of zoom");

  // Escape unzooms (the siblings come back); `i` flips to icicle (root on top) and back
  s.keys("Escape");
  await s.waitFor((x) => (x.split("\n")[row]!.match(/▕/g) ?? []).length > 1);
  s.keys("i");
  // Row 0 is the time strip when the input has timestamps (perf script), else the root.
  const top = FIXTURE.endsWith(".perf.txt") ? 1 : 0;
  await s.waitFor((x) => x.split("\n")[top]!.startsWith("all "));
  s.keys("i");
  await s.waitFor((x) => x.split("\n")[rootRow]!.startsWith("all "));

  // search: `/` opens a prompt, typing shows it, Enter keeps the highlight and the percentage
  s.keys("/");
  s.literal(name);
  await s.waitFor((x) => x.includes(`/${name}█`));
  s.keys("Enter");
  screen = await s.waitFor((x) => new RegExp(`/${name}: matched [\\d.]+% of all \\([\\d.]+% of zoom\\)`).test(x));

  // help overlay
  s.keys("?");
  screen = await s.waitFor((x) => x.includes("Colours") && x.includes("Ctrl-C"));
  s.keys("?");
  await s.waitFor((x) => !x.includes("Colours"));

  // q quits and restores the terminal
  s.keys("q");
  screen = await s.waitFor((x) => x.includes("EXITED rc="));
  expect(screen).toContain("EXITED rc=0");
  expect(s.flag("alternate_on")).toBe("0");
  expect(s.flag("mouse_any_flag")).toBe("0");
}, 60000);

test.skipIf(!runnable)("with piped stdin the profile is read first, keys come from /dev/tty, Ctrl-C quits", async () => {
  const s = (session = new TmuxSession(`cat ${FIXTURE} | bun run ${MAIN}`, 100, 30));
  await s.waitFor((x) => x.includes("? help") && /^all +▕/m.test(x));
  s.keys("k");
  await s.waitFor((x) => /depth 1/.test(x));
  s.keys("C-c");
  const screen = await s.waitFor((x) => x.includes("EXITED rc="));
  expect(screen).toContain("EXITED rc=0");
  expect(s.flag("alternate_on")).toBe("0");
}, 60000);
