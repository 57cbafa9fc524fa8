// The SVG export in a real browser: Debian's chromium, headless, driven by puppeteer-core over a
// pipe (--remote-debugging-pipe). It opens the file with no console errors, draws as many frame
// elements as the trie has frames >= 0.1 px wide, zooms on click (the clicked frame then spans
// the full width), highlights search matches with the matched share, and resets on Escape.
// Skipped with a printed reason when chromium is missing, except under CI, where install.sh
// installs it and its absence fails the test.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { exportSvg, svgFrames, svgSafeText } from "../../src/export/svg.ts";
import { readProfile } from "../../src/import/read.ts";
import { diffSnapshots } from "../../src/profile/diff.ts";
import { nameOf, snapshotOf, type Snapshot } from "../../src/profile/snapshot.ts";
import { StackTrie } from "../../src/profile/trie.ts";
import { FIXTURES } from "../helpers/golden.ts";
import { findChromium, hostileSnapshot, snapshotTrie, trieFramesAtLeast } from "./svg-helpers.ts";

// page.evaluate callbacks run in the browser: its globals they use, declared for this file only
// (the project compiles without the DOM library).
declare const document: {
  documentElement: { namespaceURI: string | null };
  getElementsByTagName(name: string): { length: number };
  getElementById(id: string): { textContent: string | null } | null;
};
declare const window: { pwned?: number };
declare function getComputedStyle(e: unknown): { display: string; fill: string };
type Boxed = { getBoundingClientRect(): { x: number; width: number } };

const chromium = findChromium();
const inCI = !!process.env.CI;
if (!chromium && !inCI) console.log("svg-browser tests skipped: no chromium (apt-get install chromium, or set FLAMETUI_CHROMIUM)");

let dir = "";
let browser: Browser | null = null;

beforeAll(async () => {
  if (!chromium) return;
  mkdirSync("/var/tmp", { recursive: true });
  dir = mkdtempSync("/var/tmp/flametui-svg-browser-");
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    pipe: true,
    userDataDir: join(dir, "profile"),
    // Root needs --no-sandbox; TMPDIR keeps chromium's temporary files in our directory.
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check"],
    env: { ...process.env, TMPDIR: dir },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = chromium || inCI ? test : test.skip;

/** Opens the SVG text as a file:// page; collects console errors, page errors and failed loads. */
async function open(svg: string, name: string): Promise<{ page: Page; errors: string[]; loadMs: number }> {
  if (!browser) throw new Error("chromium is required in CI (install.sh installs Debian's chromium); none at /usr/bin/chromium or FLAMETUI_CHROMIUM");
  const file = join(dir, name);
  writeFileSync(file, svg);
  const page = await browser.newPage();
  await page.setViewport({ width: 1250, height: 900 });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
  page.on("requestfailed", (r) => errors.push(`requestfailed: ${r.url()}`));
  const t0 = performance.now();
  await page.goto(`file://${file}`, { waitUntil: "load" });
  const loadMs = performance.now() - t0;
  // An XML error would show Chromium's parsererror page instead of the SVG.
  expect(await page.evaluate(() => [document.documentElement.namespaceURI, document.getElementsByTagName("parsererror").length])).toEqual([
    "http://www.w3.org/2000/svg",
    0,
  ]);
  return { page, errors, loadMs };
}

const frameCount = (p: Page) => p.$$eval("#ft-frames > g.f", (gs) => gs.length);
const visibleCount = (p: Page) => p.$$eval("#ft-frames > g.f", (gs) => gs.filter((g) => getComputedStyle(g).display !== "none").length);
/** Rendered width (px) and x of frame k's rect, from the layout, not the attribute. */
const rectBox = (p: Page, k: number) =>
  p.$$eval("#ft-frames > g.f > rect", (rs, k) => {
    const b = (rs[k as number] as unknown as Boxed).getBoundingClientRect();
    return { x: b.x, width: b.width };
  }, k);

/** The first drawn frame at depth >= 3 between 40 and 400 px wide: one worth zooming into. */
function zoomTarget(s: Snapshot, nodes: number[]): number {
  const k = nodes.findIndex((n) => s.depth[n]! >= 3 && (s.total[n]! * 1180) / s.total[0]! >= 40 && (s.total[n]! * 1180) / s.total[0]! <= 400);
  expect(k).toBeGreaterThan(0);
  return k;
}

run("a real capture: no console errors, frames = the trie's, click zooms, search highlights, Escape resets", async () => {
  const file = "system-busy.perf.txt"; // the biggest fixture
  const r = await readProfile(join(FIXTURES, file), {});
  const s = snapshotOf(r.trie, r.unit);
  const svg = exportSvg(s, { title: file });
  const { page, errors, loadMs } = await open(svg, "busy.svg");
  console.log(`svg-browser: ${file}: ${svg.length} bytes, ${r.trie.nodeCount} trie nodes, loaded and drawn in ${loadMs.toFixed(0)} ms`);
  const expected = trieFramesAtLeast(r.trie); // every node >= 0.1 px at 1200 px (the default minimum)
  expect(await frameCount(page)).toBe(expected);
  expect(await visibleCount(page)).toBe(expected);

  // Click a narrow frame: it then spans the full plot width; its ancestors stay (dimmed), the rest goes.
  const { nodes } = svgFrames(s);
  const k = zoomTarget(s, nodes);
  const before = await rectBox(page, k);
  expect(before.width).toBeLessThan(500);
  const rects = await page.$$("#ft-frames > g.f > rect");
  await rects[k]!.click();
  const after = await rectBox(page, k);
  expect(after.x).toBeCloseTo(10, 0);
  expect(after.width).toBeCloseTo(1179.5, 0);
  const node = nodes[k]!;
  const subtree = nodes.filter((n) => n >= node && n < s.end[node]!).length;
  expect(await visibleCount(page)).toBe(subtree + s.depth[node]!);
  expect(await page.$eval("#ft-unzoom", (e) => e.getAttribute("class"))).toBe("button");
  expect(await page.$eval("#ft-frames > g.f", (e) => e.getAttribute("class"))).toBe("f z"); // "all", dimmed
  // The label follows the new width.
  expect(await page.$$eval("#ft-frames > g.f > text", (ts, k) => ts[k as number]!.textContent, k)).toBe(svgSafeText(nameOf(s, node)));

  // Search (the button asks with a prompt): the matching frames turn magenta, the share is shown.
  const pattern = "ext4";
  const re = new RegExp(pattern, "i");
  page.once("dialog", (d) => void d.accept(pattern));
  await page.click("#ft-search");
  await page.waitForFunction(() => document.getElementById("ft-matched")!.textContent!.startsWith("Matched"));
  const matches = nodes.filter((n) => n > 0 && re.test(svgSafeText(nameOf(s, n))));
  expect(matches.length).toBeGreaterThan(1);
  expect(await page.$$eval("#ft-frames > g.f.m", (gs) => gs.length)).toBe(matches.length);
  const fills = await page.$$eval("#ft-frames > g.f.m > rect", (rs) => [...new Set(rs.map((r) => getComputedStyle(r).fill))]);
  expect(fills).toEqual(["rgb(230, 0, 230)"]);
  // Matched share: each sample once (a match under a match is not counted again).
  const isMatch = new Set(matches);
  const counted = matches.filter((n) => {
    for (let a = s.parent[n]!; a > 0; a = s.parent[a]!) if (isMatch.has(a)) return false;
    return true;
  });
  const pct = (counted.reduce((sum, n) => sum + s.total[n]!, 0) * 100) / s.total[0]!;
  const text = await page.$eval("#ft-matched", (e) => e.textContent);
  expect(text).toStartWith(`Matched: ${pct.toFixed(2)}% of all (`);
  expect(text).toEndWith("% of zoom)");

  // Escape: zoom and search reset.
  await page.keyboard.press("Escape");
  const back = await rectBox(page, k);
  expect(back.x).toBeCloseTo(before.x, 2);
  expect(back.width).toBeCloseTo(before.width, 2);
  expect(await visibleCount(page)).toBe(expected);
  expect(await page.$$eval("#ft-frames > g.f.m", (gs) => gs.length)).toBe(0);
  expect(await page.$eval("#ft-unzoom", (e) => e.getAttribute("class"))).toBe("button hide");

  // Ctrl-F opens the search prompt too.
  const asked = new Promise<string>((resolve) => page.once("dialog", (d) => (resolve(d.type()), void d.dismiss())));
  await page.keyboard.down("Control");
  await page.keyboard.press("f");
  await page.keyboard.up("Control");
  expect(await asked).toBe("prompt");
  // So does `/`, as in the viewer.
  const asked2 = new Promise<string>((resolve) => page.once("dialog", (d) => (resolve(d.type()), void d.dismiss())));
  await page.keyboard.press("/");
  expect(await asked2).toBe("prompt");

  // Hovering a frame shows its tooltip text on the details line.
  await rects[k]!.hover();
  const title = await page.$$eval("#ft-frames > g.f > title", (ts, k) => ts[k as number]!.textContent, k);
  expect(await page.$eval("#ft-details", (e) => e.textContent)).toBe(title);
  expect(title).toStartWith(`${svgSafeText(nameOf(s, node))} · `);
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);

run("hostile names: nothing injected runs, names show as escapes, zoom still works", async () => {
  const s = hostileSnapshot();
  const { page, errors } = await open(exportSvg(s, { title: "</script><script>window.pwned=3</script>" }), "hostile.svg");
  expect(await page.evaluate(() => window.pwned)).toBeUndefined();
  expect(await frameCount(page)).toBe(s.count);
  expect(await page.$$eval("script", (ss) => ss.length)).toBe(2);
  const titles = await page.$$eval("#ft-frames > g.f > title", (ts) => ts.map((t) => t.textContent!));
  expect(titles.some((t) => t.startsWith("</script><script>window.pwned=1</script> · "))).toBe(true);
  expect(titles.some((t) => t.startsWith("\\u202eevil\\u202c bidi"))).toBe(true);
  const k = titles.findIndex((t) => t.startsWith("]]><script>"));
  await (await page.$$("#ft-frames > g.f > rect"))[k]!.click();
  expect((await rectBox(page, k)).width).toBeCloseTo(1179.5, 0);
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);

run("an empty profile opens clean; Escape, search and reset do nothing wrong", async () => {
  const { page, errors } = await open(exportSvg(snapshotOf(new StackTrie(), "samples")), "empty.svg");
  expect(await frameCount(page)).toBe(0);
  await page.keyboard.press("Escape");
  page.once("dialog", (d) => void d.accept("undef")); // nothing to match, not even the word "undefined"
  await page.click("#ft-search");
  await page.waitForFunction(() => document.getElementById("ft-matched")!.textContent!.startsWith("Matched"));
  expect(await page.$eval("#ft-matched", (e) => e.textContent)).toBe("Matched: 0.00% of all");
  await page.keyboard.press("Escape");
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);

run("diff: opens clean, the grown frame is red, a click zooms it", async () => {
  const before = await readProfile(join(FIXTURES, "diff-shape.before.folded"), {});
  const after = await readProfile(join(FIXTURES, "diff-shape.after.folded"), {});
  const d = diffSnapshots(snapshotOf(before.trie, before.unit), snapshotOf(after.trie, after.unit));
  const { page, errors } = await open(exportSvg(d, { title: "diff" }), "diff.svg");
  expect(await frameCount(page)).toBe(svgFrames(d).nodes.length);
  const titles = await page.$$eval("#ft-frames > g.f > title", (ts) => ts.map((t) => t.textContent!));
  const k = titles.findIndex((t) => t.startsWith("hot · "));
  expect(await page.$$eval("#ft-frames > g.f > rect", (rs, k) => getComputedStyle(rs[k as number]!).fill, k)).toBe("rgb(215, 25, 25)");
  await (await page.$$("#ft-frames > g.f > rect"))[k]!.click();
  expect((await rectBox(page, k)).width).toBeCloseTo(1179.5, 0);
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);

run("diff: b shows BEFORE's shape, where a vanished frame is back; b again shows AFTER's", async () => {
  const before = snapshotOf(snapshotTrie(["p;main;gone 50", "p;main;kept 50"]), "samples");
  const after = snapshotOf(snapshotTrie(["p;main;kept 90", "p;main;new 10"]), "samples");
  const d = diffSnapshots(before, after);
  const { page, errors } = await open(exportSvg(d, { title: "diff" }), "vanished.svg");
  const titles = await page.$$eval("#ft-frames > g.f > title", (ts) => ts.map((t) => t.textContent!.split(" · ")[0]));
  const gone = titles.indexOf("gone");
  const added = titles.indexOf("new");
  const shown = () => page.$$eval("#ft-frames > g.f", (gs) => gs.filter((g) => getComputedStyle(g).display !== "none").length);
  expect(await shown()).toBe(5); // all, p, main, kept, new
  expect(await page.$eval("#ft-shape", (e) => e.textContent)).toBe("AFTER's shape (b: BEFORE's)");
  await page.keyboard.press("b");
  expect(await shown()).toBe(5); // all, p, main, gone, kept
  expect((await rectBox(page, gone)).width).toBeCloseTo(589.5, 0);
  expect(await page.$eval("#ft-shape", (e) => e.textContent)).toBe("BEFORE's shape (b: AFTER's)");
  // Zoom works in BEFORE's shape; back in AFTER's, a zoom on a vanished frame falls back to the whole view.
  await (await page.$$("#ft-frames > g.f > rect"))[gone]!.click();
  expect((await rectBox(page, gone)).width).toBeCloseTo(1179.5, 0);
  await page.click("#ft-shape");
  expect(await shown()).toBe(5);
  expect((await rectBox(page, added)).width).toBeCloseTo((1180 * 10) / 100 - 0.5, 0);
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);
