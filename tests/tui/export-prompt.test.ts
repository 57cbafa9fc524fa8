// The viewer's `e`: a prompt prefilled with a default path, Tab cycles the format (the extension
// follows), Enter writes (new files 0600, never through a symlink), Esc cancels, and the status
// line says what was written or why not.

import { afterAll, expect, test } from "bun:test";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { defaultExportDir } from "../../src/tui/export-prompt.ts";
import { DEFAULT_EXTENSION, OUTPUT_FORMATS } from "../../src/output.ts";
import { mount, snap, type Mounted } from "./helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "flametui-prompt-"));
  dirs.push(d);
  return d;
}

const PROFILE = ["main;parse 10", "main;lex 30"];
const statusLine = async (mm: Mounted) => (await mm.lines()).at(-2)!;

async function open(dir: string, width = 100): Promise<Mounted> {
  return mount(snap(PROFILE), width, 24, { exportDir: dir });
}

test("`e` prefills a path in the given directory; Enter writes folded, 0600, and says so", async () => {
  const dir = tempDir();
  const mm = await open(dir, 130);
  try {
    await mm.key("e");
    const line = await statusLine(mm);
    expect(line).toContain(`export folded: ${dir}/flametui-`);
    expect(line).toMatch(/\.folded█/);
    expect(line).toContain("Tab format · Enter write · Esc cancel");
    expect(readdirSync(dir)).toEqual([]);
    await mm.key("return");
    const files = readdirSync(dir);
    expect(files.length).toBe(1);
    expect(files[0]).toMatch(/^flametui-\d{8}T\d{6}\.folded$/);
    expect(lstatSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, files[0]!), "utf8")).toBe("main;lex 30\nmain;parse 10\n");
    expect(await statusLine(mm)).toContain(`wrote folded to ${dir}/flametui-`);
  } finally {
    await mm.dispose();
  }
});

test("Tab cycles every output format (src/output.ts) and the extension follows; speedscope is written as JSON", async () => {
  const dir = tempDir();
  const mm = await open(dir);
  try {
    await mm.key("e");
    expect(OUTPUT_FORMATS.slice(0, 2)).toEqual(["folded", "speedscope"]);
    expect(OUTPUT_FORMATS).toContain("svg");
    // From folded, Tab offers each format in the table's order, then folded again.
    for (const f of [...OUTPUT_FORMATS.slice(1), "folded" as const]) {
      mm.t.mockInput.pressTab();
      await mm.t.renderOnce();
      const line = await statusLine(mm);
      expect(line).toContain(`export ${f}: `);
      expect(line).toContain(`${DEFAULT_EXTENSION[f]}█`);
    }
    mm.t.mockInput.pressTab();
    await mm.key("return");
    const files = readdirSync(dir);
    expect(files[0]).toMatch(/\.json$/);
    const doc = JSON.parse(readFileSync(join(dir, files[0]!), "utf8"));
    expect(doc.profiles[0].type).toBe("sampled");
    expect(await statusLine(mm)).toContain("wrote speedscope to");
  } finally {
    await mm.dispose();
  }
});

test("typing a path: Ctrl-U clears, the typed extension picks the format", async () => {
  const dir = tempDir();
  const mm = await open(dir);
  try {
    await mm.key("e");
    await mm.key("u", { ctrl: true });
    await mm.t.mockInput.typeText(join(dir, "mine.json"));
    await mm.t.renderOnce();
    expect(await statusLine(mm)).toContain(`export speedscope: ${dir}/mine.json█`);
    await mm.key("return");
    expect(readdirSync(dir)).toEqual(["mine.json"]);
    expect(JSON.parse(readFileSync(join(dir, "mine.json"), "utf8")).$schema).toContain("speedscope");
  } finally {
    await mm.dispose();
  }
});

test("Esc cancels: nothing written, the status line says so, keys work again", async () => {
  const dir = tempDir();
  const mm = await open(dir);
  try {
    await mm.key("e");
    await mm.key("escape");
    expect(readdirSync(dir)).toEqual([]);
    expect(await statusLine(mm)).toContain("export cancelled");
    expect(mm.app.exportPrompt).toBeNull();
    await mm.key("q");
    expect(mm.quits).toBe(1);
  } finally {
    await mm.dispose();
  }
});

test("an existing file is replaced only on a second Enter; a symlink is never written through", async () => {
  const dir = tempDir();
  const mm = await open(dir, 130);
  try {
    writeFileSync(join(dir, "old.folded"), "old\n", { mode: 0o600 });
    await mm.key("e");
    await mm.key("u", { ctrl: true });
    await mm.t.mockInput.typeText(join(dir, "old.folded"));
    await mm.key("return");
    expect(await statusLine(mm)).toContain("old.folded exists: Enter replaces it, Esc cancels");
    expect(readFileSync(join(dir, "old.folded"), "utf8")).toBe("old\n");
    await mm.key("return");
    expect(readFileSync(join(dir, "old.folded"), "utf8")).toBe("main;lex 30\nmain;parse 10\n");

    const victim = join(tempDir(), "precious");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, join(dir, "link.folded"));
    await mm.key("e");
    await mm.key("u", { ctrl: true });
    await mm.t.mockInput.typeText(join(dir, "link.folded"));
    await mm.key("return");
    await mm.key("return");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(await statusLine(mm)).toContain(`not written: refusing to write ${dir}/link.folded: it is a symbolic link`);
  } finally {
    await mm.dispose();
  }
});

test("a missing directory: one line saying why not", async () => {
  const dir = tempDir();
  const mm = await open(dir, 120);
  try {
    await mm.key("e");
    await mm.key("u", { ctrl: true });
    await mm.t.mockInput.typeText(join(dir, "nope", "x.folded"));
    await mm.key("return");
    expect(await statusLine(mm)).toContain(`not written: cannot write ${dir}/nope/x.folded: no such directory`);
  } finally {
    await mm.dispose();
  }
});

test("a long path keeps its end and the cursor in view on a narrow screen", async () => {
  const dir = tempDir();
  const mm = await open(dir, 40);
  try {
    await mm.key("e");
    const line = await statusLine(mm);
    expect(line).toMatch(/^ export folded: ….*\.folded█ *$/);
  } finally {
    await mm.dispose();
  }
});

test("the default directory falls back to the current one, then home, when not writable", () => {
  const dir = tempDir();
  expect(defaultExportDir(dir, "/nonexistent-b", homedir())).toBe(dir);
  expect(defaultExportDir("/nonexistent-a", dir, homedir())).toBe(dir);
  expect(defaultExportDir("/nonexistent-a", "/nonexistent-b", dir)).toBe(dir);
  const file = join(dir, "f");
  writeFileSync(file, "");
  expect(defaultExportDir(file, "/nonexistent-b", dir)).toBe(dir);
});
