// The top-functions table over live updates: the chosen function is kept (never swapped for
// another), the table takes a new snapshot at most once a second, and process / pid / thread
// frames are not functions.

import { afterEach, describe, expect, test } from "bun:test";
import { FrameTable } from "../../src/profile/frames.ts";
import { snapshotOf, type Snapshot } from "../../src/profile/snapshot.ts";
import { StackTrie } from "../../src/profile/trie.ts";
import { REFRESH_MS } from "../../src/tui/top-table.ts";
import { FrameKind, mount, snap, type Mounted } from "./helpers.ts";

const PROFILE = ["main;a;b 3", "main;a;a;b 2", "main;c;a 4", "main;c 1", "main;b;a;a 5", "other;b 2"];
const NO_B = ["main;a 3", "main;c;a 4", "main;c 1", "other;x 2"];

/** Snapshots of one session: frame ids are kept from one to the next. */
function session() {
  const frames = new FrameTable();
  return (lines: string[]): Snapshot => {
    const trie = new StackTrie(frames);
    for (const line of lines) {
      const sp = line.lastIndexOf(" ");
      const ids = line.slice(0, sp).split(";").map((n) => frames.intern(n));
      trie.add(ids, ids.length, Number(line.slice(sp + 1)));
    }
    return snapshotOf(trie);
  };
}

let m: Mounted | null = null;
let clock = 0;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

async function mounted(s: Snapshot): Promise<Mounted> {
  m = await mount(s, 80, 24);
  clock = 0;
  m.app.top.now = () => clock;
  return m;
}

/** A live update the table shows (the refresh limit has passed). */
async function update(s: Snapshot): Promise<string[]> {
  m!.app.setSnapshot(s);
  clock += REFRESH_MS;
  return (await m!.lines()).slice(0, -1);
}

function tableNames(lines: string[]): string[] {
  const out: string[] = [];
  for (let y = 1; y < lines.length; y++) {
    const hit = /^\s+\S+\s+\S+%\s+\S+\s+\S+%\s+(\S+)/.exec(lines[y]!);
    if (!hit) break;
    out.push(hit[1]!);
  }
  return out;
}

for (const kept of [true, false]) {
  describe(`the chosen function over live updates (frame ids ${kept ? "kept" : "renumbered"})`, () => {
    const make = () => (kept ? session() : (l: string[]) => snap(l));

    test("sandwich: no samples while it is absent, the same function again when it returns; Enter jumps to it", async () => {
      const next = make();
      await mounted(next(PROFILE));
      await m!.key("T");
      await m!.key("j"); // b
      await m!.key("return");
      let lines = (await m!.lines()).slice(0, -1);
      expect(lines[3]).toMatch(/^b\s+callers/);
      lines = await update(next(NO_B));
      expect(m!.app.top.mode).toBe("sandwich");
      expect(m!.app.top.selected).toBe(-1);
      expect(lines.join("\n")).toContain("b: no samples in this window");
      expect(lines.at(-2)).toContain("no samples in this window");
      expect(lines.join("\n")).not.toMatch(/^c\s+callers/m);
      // Enter while it is absent does not go anywhere else.
      await m!.key("return");
      expect(m!.app.top.open).toBe(true);
      lines = await update(next(PROFILE));
      expect(lines[3]).toMatch(/^b\s+callers/);
      await m!.key("return");
      expect(m!.app.top.open).toBe(false);
      const s = m!.app.snapshot;
      expect(s.names[s.frame[m!.app.selected]!]).toBe("b");
    });

    test("table: the cursor stays on the same function when it moves, and goes back to it when it returns", async () => {
      const next = make();
      await mounted(next(PROFILE));
      await m!.key("T");
      await m!.key("j"); // b, second by self
      // b now first by self: the cursor moves with it.
      let lines = await update(next(["main;b 20", ...PROFILE]));
      expect(tableNames(lines)[0]).toBe("b");
      expect(m!.app.top.cursor).toBe(0);
      expect(lines.at(-3)).toMatch(/^ b\s/);
      await update(next(NO_B));
      lines = await update(next(PROFILE));
      expect(tableNames(lines)[1]).toBe("b");
      expect(m!.app.top.cursor).toBe(1);
      expect(lines.at(-3)).toMatch(/^ b\s/);
    });
  });
}

describe("refresh limit", () => {
  test("an open table takes a new snapshot at most once a second; sorting takes it at once", async () => {
    await mounted(snap(PROFILE));
    await m!.key("T");
    let lines = (await m!.lines()).slice(0, -1);
    expect(lines.at(-1)).toContain("5 functions");
    m!.app.setSnapshot(snap(["main;x 1", "main;y 1"]));
    clock = REFRESH_MS / 2;
    lines = (await m!.lines()).slice(0, -1);
    expect(tableNames(lines)).toEqual(["a", "b", "c", "main", "other"]); // held back
    clock = REFRESH_MS;
    lines = (await m!.lines()).slice(0, -1);
    expect(tableNames(lines)).toEqual(["x", "y", "main"]);
    m!.app.setSnapshot(snap(["main;z 1"]));
    clock += 10;
    expect(tableNames((await m!.lines()).slice(0, -1))).toEqual(["x", "y", "main"]);
    await m!.key("2"); // a user action shows the newest
    expect(tableNames((await m!.lines()).slice(0, -1))).toEqual(["z", "main"]);
  });

  test("a held-back snapshot is shown when due even without another update", async () => {
    m = await mount(snap(PROFILE), 80, 24);
    await m.key("T");
    m.app.setSnapshot(snap(["main;x 1"]));
    await m.lines();
    const paints = m.app.paints;
    await Bun.sleep(REFRESH_MS + 150);
    expect(m.app.paints).toBeGreaterThan(paints);
    expect(tableNames((await m.lines()).slice(0, -1))).toEqual(["x", "main"]);
  });
});

test("processes, pids and threads are not listed as functions", async () => {
  const trie = new StackTrie();
  const f = trie.frames;
  const stack = (names: [string, FrameKind][], w: number) => {
    const ids = names.map(([n, k]) => f.intern(n, k));
    trie.add(ids, ids.length, w);
  };
  stack([["busy", FrameKind.Process], ["pid 42", FrameKind.Pid], ["worker-1", FrameKind.Thread], ["main", FrameKind.User], ["spin", FrameKind.User]], 5);
  stack([["busy", FrameKind.Process], ["pid 42", FrameKind.Pid], ["main", FrameKind.User]], 2);
  m = await mount(snapshotOf(trie), 80, 24);
  await m.key("T");
  await m.key("2");
  const lines = (await m.lines()).slice(0, -1);
  expect(tableNames(lines)).toEqual(["main", "spin"]);
  expect(lines.at(-1)).toContain("2 functions");
});
