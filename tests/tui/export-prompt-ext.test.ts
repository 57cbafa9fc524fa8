// The viewer's `e` prompt goes by the CLI's extension table (src/output.ts): an unknown
// extension is refused with a message in the prompt (nothing written), a known one picks the
// format, and the next `e` offers the format written last.

import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { resolveFormat } from "../../src/output.ts";
import { mount, snap, type Mounted } from "./helpers.ts";

mkdirSync("/var/tmp/rx", { recursive: true });
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync("/var/tmp/rx/flametui-prompt-ext-");
  dirs.push(d);
  return d;
}
const statusLine = async (mm: Mounted) => (await mm.lines()).at(-2)!;

async function typePath(mm: Mounted, path: string): Promise<void> {
  await mm.key("u", { ctrl: true });
  await mm.t.mockInput.typeText(path);
  await mm.t.renderOnce();
}

test("an unknown extension is refused in the prompt, as the CLI refuses it", async () => {
  const dir = tempDir();
  expect(() => resolveFormat(join(dir, "x.png"), undefined)).toThrow(/cannot write '.png' files/);
  const mm = await mount(snap(["main;parse 10", "main;lex 30"]), 100, 24, { exportDir: dir });
  try {
    await mm.key("e");
    await typePath(mm, join(dir, "x.png"));
    await mm.key("return");
    expect(readdirSync(dir)).toEqual([]);
    const line = await statusLine(mm);
    expect(line).toContain("cannot write '.png' files: use .folded or .json");
    expect(line).toContain("export folded: "); // still open
    expect(mm.app.exportPrompt).not.toBeNull();
    // A name the table knows (.stacks is folded for the CLI) is written.
    await typePath(mm, join(dir, "x.stacks"));
    await mm.key("return");
    expect(readFileSync(join(dir, "x.stacks"), "utf8")).toBe("main;lex 30\nmain;parse 10\n");
    expect(await statusLine(mm)).toContain(`wrote folded to ${dir}/x.stacks`);
  } finally {
    await mm.dispose();
  }
});

test("the next `e` offers the format written last", async () => {
  const dir = tempDir();
  const mm = await mount(snap(["main;parse 10", "main;lex 30"]), 100, 24, { exportDir: dir });
  try {
    await mm.key("e");
    mm.t.mockInput.pressTab();
    await mm.t.renderOnce();
    await mm.key("return");
    expect(readdirSync(dir).filter((f) => f.endsWith(".json")).length).toBe(1);
    await mm.key("e");
    const line = await statusLine(mm);
    expect(line).toContain("export speedscope: ");
    expect(line).toMatch(/\.json█/);
  } finally {
    await mm.dispose();
  }
});
