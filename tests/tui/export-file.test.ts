// The viewer's `e` as root into a directory another user controls: the export is a new file,
// mode 0600, and symlinks planted at the names it will try are never written through.

import { afterAll, expect, test } from "bun:test";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mount, snap } from "./helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** The names `e` tries in the next few seconds: flametui-YYYYMMDDTHHMMSS[-k].folded. */
function predictedNames(seconds: number, suffixes: number): string[] {
  const names: string[] = [];
  for (let s = 0; s < seconds; s++) {
    const stamp = new Date(Date.now() + s * 1000).toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
    for (let k = 0; k <= suffixes; k++) names.push(k === 0 ? `flametui-${stamp}.folded` : `flametui-${stamp}-${k}.folded`);
  }
  return names;
}

test("`e` creates a 0600 file and never writes through symlinks planted at its predictable names", async () => {
  const dir = tempDir("flametui-export-");
  const victim = join(tempDir("flametui-victim-"), "precious");
  writeFileSync(victim, "precious\n");
  const planted = predictedNames(5, 2);
  for (const n of planted) symlinkSync(victim, join(dir, n));

  const mm = await mount(snap(["main;parse 10", "main;lex 30"]), 80, 24, { exportDir: dir });
  try {
    await mm.key("e");
    await mm.key("return");
    const written = readdirSync(dir).filter((n) => !planted.includes(n));
    expect(written.length).toBe(1);
    const st = lstatSync(join(dir, written[0]!));
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o600);
    expect(readFileSync(join(dir, written[0]!), "utf8")).toBe("main;lex 30\nmain;parse 10\n");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  } finally {
    await mm.dispose();
  }
});
