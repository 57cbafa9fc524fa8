// SVG export: well-formed XML (checked with saxes, a strict XML 1.0 parser that rejects
// characters XML forbids), one frame element per trie node at least 0.1 px wide, and profile
// text that can neither break the markup nor reach the script (hostile names).

import { expect, test } from "bun:test";
import { join } from "node:path";
import { SaxesParser } from "saxes";
import { exportSvg, fitLabel, inertJson, svgFrameCount, svgSafeText } from "../../src/export/svg.ts";
import { readProfile } from "../../src/import/read.ts";
import { diffSnapshots } from "../../src/profile/diff.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { StackTrie } from "../../src/profile/trie.ts";
import { renderProfile, resolveFormat } from "../../src/output.ts";
import { hasUnsafeText } from "../../src/text/sanitize.ts";
import { FIXTURES } from "../helpers/golden.ts";
import { HOSTILE, hostileSnapshot, snapshotTrie, trieFramesAtLeast } from "./svg-helpers.ts";

interface Parsed {
  /** Frame groups (<g class="f …">) in document order: their title text and label text. */
  frames: { title: string; label: string; cls: string; rectWidth: number }[];
  texts: string[];
  data: string;
  scripts: number;
  root: string;
}

/** Parses the SVG with saxes; any well-formedness error fails the test. */
function parse(svg: string): Parsed {
  const p = new SaxesParser({ xmlns: true });
  const errors: string[] = [];
  p.on("error", (e) => errors.push(e.message));
  const out: Parsed = { frames: [], texts: [], data: "", scripts: 0, root: "" };
  const stack: string[] = [];
  let text = "";
  let frame: Parsed["frames"][number] | null = null;
  p.on("opentag", (t) => {
    if (stack.length === 0) out.root = `${t.uri} ${t.local}`;
    stack.push(t.local);
    text = "";
    const cls = String(t.attributes.class?.value ?? "");
    if (t.local === "g" && /^f( |$)/.test(cls)) frame = { title: "", label: "", cls, rectWidth: -1 };
    if (t.local === "rect" && frame) frame.rectWidth = Number(t.attributes.width!.value);
    if (t.local === "script") out.scripts++;
  });
  p.on("text", (t) => (text += t));
  p.on("cdata", (t) => (text += t));
  p.on("closetag", (t) => {
    stack.pop();
    if (t.local === "title" && frame) frame.title = text;
    if (t.local === "text") {
      out.texts.push(text);
      if (frame) frame.label = text;
    }
    if (t.local === "script" && t.attributes.id?.value === "ft-data") out.data = text;
    if (t.local === "g" && frame) {
      out.frames.push(frame);
      frame = null;
    }
    text = "";
  });
  p.write(svg).close();
  expect(errors).toEqual([]);
  return out;
}

const FILES = ["shape.perf.txt", "system-busy.perf.txt", "system.perf.txt", "threads.perf.txt", "two-events.perf.txt", "glibc-aliases.perf-script.txt"];

test("real captures: well-formed XML, one frame element per trie node >= 0.1 px wide", async () => {
  for (const f of FILES) {
    const r = await readProfile(join(FIXTURES, f), {});
    const s = snapshotOf(r.trie, r.unit);
    const svg = exportSvg(s, { title: f });
    const doc = parse(svg);
    expect(doc.root).toBe("http://www.w3.org/2000/svg svg");
    const expected = trieFramesAtLeast(r.trie);
    expect(doc.frames.length).toBe(expected);
    expect(svgFrameCount(s)).toBe(expected);
    // What is left out is only what is narrower than 0.1 px; on these captures that is little.
    expect(expected).toBeLessThanOrEqual(r.trie.nodeCount);
    expect(expected).toBeGreaterThan(r.trie.nodeCount * 0.5);
    expect(doc.scripts).toBe(2);
    expect(doc.frames[0]!.title).toMatch(/^all · [\d,.]+ (samples|ms|s|µs|ns) · 100\.00% of all$/);
    expect(doc.frames[0]!.rectWidth).toBeCloseTo(1179.5, 3);
    const data = JSON.parse(doc.data);
    expect(data.x.length).toBe(expected);
    expect(data.names.length).toBeLessThanOrEqual(s.names.length + 1);
  }
});

test("every frame is drawn when every frame is wide enough, and minWidthPx 0 draws all of them", async () => {
  const r = await readProfile(join(FIXTURES, "shape.perf.txt"), {});
  const s = snapshotOf(r.trie, r.unit);
  expect(trieFramesAtLeast(r.trie)).toBe(r.trie.nodeCount); // all >= 0.1 px in this capture
  expect(parse(exportSvg(s)).frames.length).toBe(r.trie.nodeCount);
  const busy = await readProfile(join(FIXTURES, "system-busy.perf.txt"), {});
  const b = snapshotOf(busy.trie, busy.unit);
  expect(parse(exportSvg(b, { minWidthPx: 0 })).frames.length).toBe(busy.trie.nodeCount);
  // A coarser minimum drops frames, as the count on the trie says.
  expect(parse(exportSvg(b, { minWidthPx: 5 })).frames.length).toBe(trieFramesAtLeast(busy.trie, 5));
  expect(trieFramesAtLeast(busy.trie, 5)).toBeLessThan(busy.trie.nodeCount);
});

test("-o x.svg picks SVG by its extension; the format table renders it", async () => {
  expect(resolveFormat("out.svg", undefined)).toBe("svg");
  expect(resolveFormat("OUT.SVG", undefined)).toBe("svg");
  const r = await readProfile(join(FIXTURES, "threads.perf.txt"), {});
  const s = snapshotOf(r.trie, r.unit);
  const out = renderProfile(s, "svg", "threads.perf.txt", 0);
  expect(typeof out).toBe("string");
  expect(parse(out as string).texts).toContain("threads.perf.txt");
});

test("hostile names: well-formed, no unsafe character anywhere in the file, shown as visible escapes", () => {
  const s = hostileSnapshot();
  const svg = exportSvg(s, { title: "t</script>\n\u202e" });
  const doc = parse(svg);
  // Line breaks are ours (between elements); nothing else unsafe, and no U+FFFE/U+FFFF.
  expect(hasUnsafeText(svg.replaceAll("\n", ""))).toBe(false);
  expect(/[\ufffe\uffff]/.test(svg)).toBe(false);
  // Markup: exactly our two scripts and one CDATA section, whatever the names say.
  expect(svg.match(/<script/g)!.length).toBe(2);
  expect(svg.match(/<\/script>/g)!.length).toBe(2);
  expect(svg.match(/]]>/g)!.length).toBe(1);
  expect(svg.match(/<!\[CDATA\[/g)!.length).toBe(1);
  expect(doc.scripts).toBe(2);
  expect(doc.frames.length).toBe(s.count);
  for (const name of HOSTILE) {
    const shown = svgSafeText(name);
    const f = doc.frames.find((x) => x.title.startsWith(`${shown} · `));
    expect(f).toBeDefined();
    expect(hasUnsafeText(f!.title)).toBe(false);
  }
  expect(doc.frames.some((f) => f.title.startsWith("line\\nbreak · /lib/<evil>\\n.so · user · 15 samples"))).toBe(true);
  expect(doc.frames.some((f) => f.title.startsWith("\\u202eevil\\u202c bidi \\u2066iso\\u2069 · "))).toBe(true);
  expect(doc.frames.some((f) => f.title.startsWith("bom\\ufeff nonchar\\ufffe\\uffff · "))).toBe(true);
  expect(doc.frames.some((f) => f.title.startsWith("emoji 🔥 kept · "))).toBe(true);
  expect(doc.texts).toContain("t</script>\\n\\u202e");
  // The data blob: inert text whose names are the escaped ones.
  expect(/[<>&]/.test(doc.data)).toBe(false);
  const data = JSON.parse(doc.data);
  for (const name of HOSTILE) expect(data.names).toContain(svgSafeText(name));
});

test("tiny fractional weights reach the script as they are (not rounded to 0)", () => {
  const s = snapshotOf(snapshotTrie(["main;big 1", "main;tiny 0.0001"]), "samples");
  const data = JSON.parse(parse(exportSvg(s, { minWidthPx: 0 })).data);
  expect(data.w).toEqual([1.0001, 1.0001, 1, 0.0001]);
  expect(data.x).toEqual([0, 0, 0, 1]);
});

test("an empty profile is a well-formed SVG with no frames", () => {
  const doc = parse(exportSvg(snapshotOf(new StackTrie(), "samples")));
  expect(doc.frames.length).toBe(0);
  expect(JSON.parse(doc.data).x).toEqual([]);
});

test("inertJson and fitLabel", () => {
  const j = inertJson({ a: "</script><!-- ]]> & \u2028\u2029" });
  expect(/[<>&\u2028\u2029]/.test(j)).toBe(false);
  expect(JSON.parse(j).a).toBe("</script><!-- ]]> & \u2028\u2029");
  expect(fitLabel("abcdef", 1000)).toBe("abcdef");
  expect(fitLabel("abcdefghijklmnop", 6 + 7.2 * 6)).toBe("abcd..");
  expect(fitLabel("abc", 20)).toBe("");
  // A cut never leaves half of a surrogate pair.
  const cut = fitLabel("ab🔥🔥🔥🔥🔥🔥", 6 + 7.2 * 5);
  expect(cut).toBe("ab..");
  expect(hasUnsafeText(fitLabel("a🔥🔥🔥🔥🔥🔥🔥", 6 + 7.2 * 5))).toBe(false);
});

test("diff: frames coloured by change; tooltips show both weights, both shares and the change", async () => {
  const before = await readProfile(join(FIXTURES, "diff-shape.before.folded"), {});
  const after = await readProfile(join(FIXTURES, "diff-shape.after.folded"), {});
  const d = diffSnapshots(snapshotOf(before.trie, before.unit), snapshotOf(after.trie, after.unit));
  const svg = exportSvg(d, { title: "diff" });
  const doc = parse(svg);
  const hot = doc.frames.find((f) => f.title.startsWith("hot · "))!;
  expect(hot.title).toMatch(/^hot · user · before 4,939 samples \(4\.98%\) → after 9,842 samples \(9\.92%\) · \+4\.95 points$/);
  // The grown frame is the full red; an unchanged one grey (src/tui/colors.ts diffRgb).
  expect(svg).toMatch(/<title>hot · [^<]*<\/title><rect [^>]*fill="rgb\(215,25,25\)"/);
  expect(svg).toMatch(/<title>o01 · [^<]*<\/title><rect [^>]*fill="rgb\(170,170,170\)"/);
  expect(doc.texts.some((t) => t.startsWith("diff: red grew, blue shrank"))).toBe(true);
});

test("diff: a frame only in BEFORE is in the file (hidden in AFTER's shape) with BEFORE's layout for the b toggle", async () => {
  const before = await readProfile(join(FIXTURES, "diff-shape.before.folded"), {});
  const b = snapshotOf(before.trie, before.unit);
  const a = snapshotOf(snapshotTrie(["diff-shape;__libc_start_call_main;hot 30", "diff-shape;__libc_start_call_main;new 10"]), "samples");
  const d = diffSnapshots(b, a);
  const doc = parse(exportSvg(d));
  const byName = (n: string) => doc.frames.find((f) => f.title.startsWith(`${n} · `))!;
  expect(byName("o01").cls).toBe("f hide"); // vanished: in BEFORE only
  expect(byName("o01").rectWidth).toBe(0);
  expect(byName("new").cls).toBe("f");
  expect(byName("hot").cls).toBe("f");
  const data = JSON.parse(doc.data);
  expect(data.shapes).toEqual(["AFTER", "BEFORE"]);
  expect(data.x2.length).toBe(doc.frames.length);
  expect(data.total2).toBe(d.diff!.total[0]);
  // Drawn: every node wide enough in either shape.
  const wide = (t: Float64Array) => (i: number) => t[i]! > 0 && (t[i]! * 1180) / t[0]! >= 0.1;
  let n = 0;
  for (let i = 0; i < d.count; i++) if (wide(d.total)(i) || wide(d.diff!.total)(i)) n++;
  expect(doc.frames.length).toBe(n);
  expect(doc.texts).toContain("AFTER's shape (b: BEFORE's)");
});

test("a zoomed view (the viewer's e): the subtree at the zoom full width, its ancestors full width below it", async () => {
  const r = await readProfile(join(FIXTURES, "system.perf.txt"), {});
  const s = snapshotOf(r.trie, r.unit);
  // The widest child of the root's widest child.
  let node = 0;
  for (let k = 0; k < 2; k++) {
    let best = -1;
    for (let c = node + 1; c < s.end[node]!; c = s.end[c]!) if (best < 0 || s.total[c]! > s.total[best]!) best = c;
    node = best;
  }
  const doc = parse(exportSvg(s, { root: node }));
  expect(doc.frames.slice(0, 3).map((f) => f.rectWidth)).toEqual([1179.5, 1179.5, 1179.5]);
  expect(doc.frames.slice(0, 2).every((f) => f.cls === "f a")).toBe(true);
  expect(doc.frames[2]!.cls).toBe("f");
  expect(doc.frames.length).toBe(2 + svgFrameCount(s, { root: node }) - 2);
  expect(doc.frames.length).toBeLessThan(parse(exportSvg(s)).frames.length);
});
