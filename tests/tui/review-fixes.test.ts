// Review fixes: n/N reach matches inside merged blocks (and spread them); opening a mode closes
// help and clears the graph's message; Esc in every prompt cancels; fractional weights shown.

import { afterEach, describe, expect, test } from "bun:test";
import { nameOf } from "../../src/profile/snapshot.ts";
import { formatCount, formatWeight } from "../../src/tui/format.ts";
import { mount, snap, type Mounted } from "./helpers.ts";

let m: Mounted | null = null;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

const status = async (mm: Mounted) => (await mm.lines())[mm.app.height - 1]!;
const details = async (mm: Mounted) => (await mm.lines())[mm.app.graphHeight]!.trim();
const selectedName = (mm: Mounted) => nameOf(mm.app.snapshot, mm.app.selected);

/** `main;big 100` and ten narrow siblings s0..s9, s5 holding `target`. */
const BLOCKED = ["main;big 100", ...Array.from({ length: 10 }, (_, i) => (i === 5 ? "main;s5;target 2" : `main;s${i} 2`))];

async function search(mm: Mounted, text: string) {
  await mm.key("/");
  await mm.t.mockInput.typeText(text);
  await mm.key("return");
}

describe("n and N reach matches inside merged blocks", () => {
  test("/target⏎ marks the block and counts it; n spreads it and selects the match", async () => {
    m = await mount(snap(BLOCKED));
    expect(await m.frame()).toContain("10 frames"); // the siblings are one block
    await search(m, "target");
    // the search alone leaves the block merged (and marked), but it is a visible match
    expect(await m.frame()).toContain("10 frames");
    expect(await status(m)).not.toContain("no visible match");
    expect(await status(m)).not.toContain("no match in view");
    expect(await status(m)).toContain("· 1 match");
    await m.key("n");
    expect(await status(m)).not.toContain("no visible match");
    expect(await status(m)).toContain("match 1 of 1");
    expect(selectedName(m)).toBe("target");
    const f = await m.frame();
    expect(f).toContain("target");
    expect(f).not.toContain("10 frames");
  });

  test("n from another match lands on the block: spread, the match inside selected", async () => {
    m = await mount(snap(BLOCKED));
    await search(m, "big|target");
    expect(selectedName(m)).toBe("big");
    expect(await status(m)).toContain("match 1 of 2"); // the block counts as a visible match
    expect(await m.frame()).toContain("10 frames");
    await m.key("n");
    expect(await status(m)).not.toContain("no visible match");
    expect(selectedName(m)).toBe("target");
    expect(await m.frame()).toContain("target");
    await m.key("escape"); // clear the search
    await m.key("escape"); // unzoom: merged again
    expect(await m.frame()).toContain("10 frames");
  });

  test("N wraps around onto the block", async () => {
    m = await mount(snap(BLOCKED));
    await search(m, "big|target");
    await m.key("N");
    expect(selectedName(m)).toBe("target");
    expect(await status(m)).toMatch(/match \d of \d/);
  });
});

describe("opening a mode closes help and clears the graph message", () => {
  test("? then e then Esc: help is closed", async () => {
    m = await mount(snap(BLOCKED));
    await m.key("?");
    expect(await m.frame()).toContain("flametui help");
    await m.key("e");
    expect(await m.frame()).not.toContain("flametui help");
    await m.key("escape");
    expect(await m.frame()).not.toContain("flametui help");
    expect(await status(m)).toContain("export cancelled");
  });

  test("? then T: the table is shown without the help; the graph message is gone", async () => {
    m = await mount(snap(BLOCKED));
    await m.key("e");
    await m.key("escape");
    expect(await status(m)).toContain("export cancelled");
    await m.key("?");
    await m.key("T");
    const f = await m.frame();
    expect(f).not.toContain("flametui help");
    expect(f).toContain("functions, by self");
    expect(f).not.toContain("export cancelled");
  });

  test("? then / closes the help; a message does not survive into the search prompt", async () => {
    m = await mount(snap(BLOCKED));
    await m.key("z"); // "nothing to zero" message
    expect(await status(m)).toContain("nothing to zero");
    await m.key("?");
    await m.key("/");
    expect(await m.frame()).not.toContain("flametui help");
    await m.key("escape");
    expect(await status(m)).not.toContain("nothing to zero");
  });

  test("help in the table closes when the sandwich or the filter prompt opens", async () => {
    m = await mount(snap(BLOCKED));
    await m.key("T");
    await m.key("?");
    expect(await m.frame()).toContain("flametui help");
    await m.key("return");
    expect(m.app.top.mode).toBe("sandwich");
    expect(await m.frame()).not.toContain("flametui help");
    await m.key("escape");
    await m.key("?");
    await m.key("/");
    expect(await m.frame()).not.toContain("flametui help");
  });
});

describe("Esc in a prompt cancels", () => {
  test("the table's filter prompt: Esc restores the filter from before", async () => {
    m = await mount(snap(BLOCKED));
    await m.key("T");
    await m.key("/");
    await m.t.mockInput.typeText("big");
    expect(m.app.top.rows().length).toBe(1);
    await m.key("escape");
    expect(m.app.top.filter.pattern).toBe("");
    expect(await status(m)).not.toContain("/big");
    expect(await status(m)).toContain("13 functions");
    // an earlier filter kept with Enter comes back after Esc
    await m.key("/");
    await m.t.mockInput.typeText("s");
    await m.key("return");
    const kept = m.app.top.filter.pattern;
    await m.key("/");
    await m.t.mockInput.typeText("5");
    await m.key("escape");
    expect(m.app.top.filter.pattern).toBe(kept);
    expect(await status(m)).toContain(`/${kept}`);
  });

  test("the graph's search prompt: Esc restores the search from before", async () => {
    m = await mount(snap(BLOCKED));
    await search(m, "big");
    await m.key("/");
    await m.t.mockInput.typeText("s5");
    await m.key("escape");
    expect(m.app.search.pattern).toBe("big");
  });
});

describe("fractional weights", () => {
  test("formatCount and formatWeight keep fractions; singular only for exactly one", () => {
    expect(formatCount(0.25)).toBe("0.25");
    expect(formatCount(0.5)).toBe("0.5");
    expect(formatCount(1234.567)).toBe("1,234.57");
    expect(formatCount(0.001234)).toBe("0.0012");
    expect(formatCount(1500)).toBe("1,500");
    expect(formatWeight(0.25, "samples")).toBe("0.25 samples");
    expect(formatWeight(1, "samples")).toBe("1 sample");
    expect(formatWeight(1.5, "samples")).toBe("1.5 samples");
    expect(formatWeight(1, "events")).toBe("1 event");
    expect(formatWeight(0.5, "events")).toBe("0.5 events");
  });

  test("the details line shows 0.25 and 0.5 samples, not 0 and 1", async () => {
    m = await mount(snap(["a 0.25", "b 0.5"]));
    expect(await details(m)).not.toContain("0 samples");
    await m.key("k");
    const name = selectedName(m);
    expect(await m.lines().then((l) => l[m!.app.graphHeight + 1]!)).toContain(name === "a" ? "total 0.25 samples" : "total 0.5 samples");
    await m.key(name === "a" ? "l" : "h");
    expect(await m.lines().then((l) => l[m!.app.graphHeight + 1]!)).toContain(name === "a" ? "total 0.5 samples" : "total 0.25 samples");
    expect((await m.lines())[m.app.graphHeight + 1]).not.toContain("1 samples");
  });
});
