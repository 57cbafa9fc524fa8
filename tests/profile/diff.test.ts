// The diff model (src/profile/diff.ts): paths merged from both profiles, BEFORE's weights kept
// node by node, shares normalised by each profile's total, vanished and new frames reachable.

import { expect, test } from "bun:test";
import { diffDeltas, diffSnapshots, diffWeights, nodeDiff, otherSide } from "../../src/profile/diff.ts";
import { findByPath, pathNames, type Snapshot } from "../../src/profile/snapshot.ts";
import { snap } from "../tui/helpers.ts";

const before = snap(["main;a;x 10", "main;b 30", "main;gone 20", "main 40"]); // total 100
const after = snap(["main;a;x 60", "main;b 30", "main;new 10", "main 100"]); // total 200
const d = diffSnapshots(before, after);

const at = (s: Snapshot, path: string) => {
  const r = findByPath(s, path.split(";"));
  expect(r.exact).toBe(true);
  return r.node;
};

test("one node per path of either profile, in name order, with both weights", () => {
  const paths: string[] = [];
  for (let i = 1; i < d.count; i++) paths.push(pathNames(d, i).join(";"));
  expect(paths).toEqual(["main", "main;a", "main;a;x", "main;b", "main;gone", "main;new"]);
  expect(diffWeights(d, 0)).toEqual({ before: 100, after: 200, beforeSelf: 0, afterSelf: 0 });
  expect(diffWeights(d, at(d, "main"))).toEqual({ before: 100, after: 200, beforeSelf: 40, afterSelf: 100 });
  expect(diffWeights(d, at(d, "main;a;x"))).toEqual({ before: 10, after: 60, beforeSelf: 10, afterSelf: 60 });
  // AFTER's weights are the snapshot's own: layout, search and export read them unchanged.
  expect(d.total[0]).toBe(200);
  expect(d.diff!.side).toBe("after");
});

test("vanished frames stay with AFTER weight 0; new frames have BEFORE weight 0", () => {
  const gone = nodeDiff(d, at(d, "main;gone"));
  expect(gone).toEqual({ before: 20, after: 0, beforeShare: 0.2, afterShare: 0, delta: -0.2 });
  const added = nodeDiff(d, at(d, "main;new"));
  expect(added).toEqual({ before: 0, after: 10, beforeShare: 0, afterShare: 0.05, delta: 0.05 });
});

test("changes are compared as shares of each total (difffolded.pl -n), not raw counts", () => {
  // b: 30 of 100 -> 30 of 200: the same count, half the share.
  const b = nodeDiff(d, at(d, "main;b"));
  expect(b.before).toBe(30);
  expect(b.after).toBe(30);
  expect(b.delta).toBeCloseTo(0.15 - 0.3, 12);
  // a;x: 10% -> 30%.
  expect(nodeDiff(d, at(d, "main;a;x")).delta).toBeCloseTo(0.2, 12);
  // The root and a frame holding everything never change share.
  expect(nodeDiff(d, 0).delta).toBe(0);
  expect(nodeDiff(d, at(d, "main")).delta).toBe(0);
  const dd = diffDeltas(d);
  expect(dd.maxAbs).toBeCloseTo(0.2, 12);
  expect(dd.delta[at(d, "main;b")]).toBeCloseTo(-0.15, 12);
});

test("the same workload twice, one function's share doubled (hand-made folded pair)", () => {
  // hot 5% of 2000 -> 10% of 1900; each of 19 others 5% -> 4.74%.
  const others = Array.from({ length: 19 }, (_, k) => `o${String(k + 1).padStart(2, "0")}`);
  const b = snap(["w;main;hot 100", ...others.map((o) => `w;main;${o} 100`)]);
  const a = snap(["w;main;hot 190", ...others.map((o) => `w;main;${o} 90`)]);
  const s = diffSnapshots(b, a);
  const hot = nodeDiff(s, at(s, "w;main;hot"));
  expect(hot.beforeShare).toBeCloseTo(0.05, 12);
  expect(hot.afterShare).toBeCloseTo(0.1, 12);
  expect(hot.delta).toBeCloseTo(0.05, 12);
  for (const o of others) expect(nodeDiff(s, at(s, `w;main;${o}`)).delta).toBeCloseTo(90 / 1900 - 0.05, 12);
});

test("otherSide swaps which weights the snapshot draws, and back", () => {
  const b = otherSide(d);
  expect(b.diff!.side).toBe("before");
  expect(b.total[0]).toBe(100);
  expect(b.total[at(b, "main;gone")]).toBe(20);
  // Same nodes, same figures whichever side is drawn.
  for (let i = 0; i < d.count; i++) expect(nodeDiff(b, i)).toEqual(nodeDiff(d, i));
  expect(diffDeltas(b)).toBe(diffDeltas(d));
  const back = otherSide(b);
  expect(back.total).toBe(d.total);
  expect(back.diff!.side).toBe("after");
});
