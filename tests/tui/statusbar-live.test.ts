// Live figures in the status bar: lost samples as a share of all samples taken, highlighted
// above 1%, and stacks cut at the depth limit.

import { expect, test } from "bun:test";
import { FrameTable } from "../../src/profile/frames.ts";
import { type LiveStats, snapshotOf } from "../../src/profile/snapshot.ts";
import { StackTrie } from "../../src/profile/trie.ts";
import { statusText } from "../../src/tui/statusbar.ts";

function status(live: Partial<LiveStats>) {
  const l: LiveStats = { mode: "aggregate", hz: 997, elapsedMs: 3000, samples: 1000, samplesPerSec: 333, lost: 0, ...live };
  const snapshot = snapshotOf(new StackTrie(new FrameTable()), "samples", l);
  return statusText({ snapshot, title: "all CPUs", sort: "name", icicle: false, frozen: false, search: null, message: null, prompt: null });
}

test("lost samples show their share of all taken, highlighted above 1%", () => {
  const high = status({ samples: 900, lost: 50, taken: 1000 });
  expect(high.left).toContain("lost 50 (5.0%)");
  expect(high.alert).toBe("lost 50 (5.0%)");
  const low = status({ samples: 995, lost: 5, taken: 1000 });
  expect(low.left).toContain("lost 5 (0.5%)");
  expect(low.alert).toBeUndefined();
  expect(status({ lost: 0, taken: 1000 }).left).toContain("lost 0 ·");
});

test("truncated stacks are counted with their share", () => {
  expect(status({ samples: 1000, truncated: 12 }).left).toContain("truncated 12 (1.2%)");
  expect(status({ samples: 1000, truncated: 0 }).left).not.toContain("truncated");
});

test("samples of processes gone before they were named are counted with their share", () => {
  expect(status({ samples: 1000, exited: 30 }).left).toContain("exited 30 (3.0%)");
  expect(status({ samples: 1000, exited: 0 }).left).not.toContain("exited");
});
