// Test helpers: snapshots from folded lines, and a FlameApp mounted on OpenTUI's test renderer.

import { createTestRenderer, type TestRendererSetup } from "@opentui/core/testing";
import { kindFromFoldedName, FrameKind } from "../../src/profile/frames.ts";
import { snapshotOf, type LiveStats, type Snapshot, type WeightUnit } from "../../src/profile/snapshot.ts";
import { StackTrie } from "../../src/profile/trie.ts";
import { FlameApp, type AppOptions } from "../../src/tui/app.ts";

export { FrameKind };

/** Builds a snapshot from folded lines ("a;b;c 3"). */
export function snap(text: string | string[], unit: WeightUnit = "samples", live?: LiveStats): Snapshot {
  const trie = new StackTrie();
  const lines = Array.isArray(text) ? text : text.split("\n");
  const ids: number[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    const sp = line.lastIndexOf(" ");
    const names = line.slice(0, sp).split(";");
    const w = Number(line.slice(sp + 1));
    ids.length = 0;
    names.forEach((n, d) => ids.push(trie.frames.intern(n, kindFromFoldedName(n, d))));
    trie.add(ids, ids.length, w);
  }
  return snapshotOf(trie, unit, live);
}

export interface Mounted {
  t: TestRendererSetup;
  app: FlameApp;
  quits: number;
  frame(): Promise<string>;
  lines(): Promise<string[]>;
  key(k: string, mods?: { ctrl?: boolean; shift?: boolean }): Promise<void>;
  dispose(): Promise<void>;
}

export async function mount(snapshot: Snapshot, width = 80, height = 24, extra: Partial<AppOptions> = {}): Promise<Mounted> {
  const t = await createTestRenderer({ width, height });
  const m: Mounted = {
    t,
    app: null as unknown as FlameApp,
    quits: 0,
    async frame() {
      await t.renderOnce();
      return t.captureCharFrame();
    },
    async lines() {
      await t.renderOnce();
      return t.captureCharFrame().split("\n");
    },
    async key(k, mods) {
      if (k === "escape") {
        t.mockInput.pressEscape();
        await Bun.sleep(60); // a lone ESC is resolved after a short timeout
      } else if (k === "return") t.mockInput.pressEnter();
      else t.mockInput.pressKey(k, mods);
      await t.renderOnce();
    },
    async dispose() {
      m.app.dispose();
      await t.dispose();
    },
  };
  m.app = new FlameApp(t.renderer, {
    snapshot,
    title: "test",
    colorDepth: "truecolor",
    onQuit: () => m.quits++,
    ...extra,
  });
  await t.renderOnce();
  return m;
}

export interface CellStyle {
  text: string;
  fg: [number, number, number];
  bg: [number, number, number];
  attributes: number;
}

/** The span covering cell (x, y) of the last captured frame, with colours as 0-255 ints. */
export function styleAt(t: TestRendererSetup, x: number, y: number): CellStyle {
  const frame = t.captureSpans();
  const line = frame.lines[y]!;
  let col = 0;
  for (const sp of line.spans) {
    if (x < col + sp.width) {
      const [fr, fg, fb] = sp.fg.toInts();
      const [br, bgc, bb] = sp.bg.toInts();
      return { text: sp.text, fg: [fr, fg, fb], bg: [br, bgc, bb], attributes: sp.attributes };
    }
    col += sp.width;
  }
  throw new Error(`no span at ${x},${y}`);
}
