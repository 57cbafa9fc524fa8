// A diff written through the output table (`-o`, the viewer's `e`) keeps both counts, also for a
// zoomed subtree, and reads back as the same diff.
import { expect, test } from "bun:test";
import { FORMATS } from "../../src/output.ts";
import { diffSnapshots } from "../../src/profile/diff.ts";
import { findByPath } from "../../src/profile/snapshot.ts";
import { snap } from "../tui/helpers.ts";

const before = snap(["main;work;spin 60", "main;idle 40"]);
const after = snap(["main;work;spin 30", "main;work;copy 30", "main;idle 20", "main;new 20"]);

test("folded output of a diff is difffolded's `stack BEFORE AFTER`, whole or from the zoomed frame", () => {
  const d = diffSnapshots(before, after);
  expect(FORMATS.folded.render(d, "x", 0)).toBe("main;idle 40 20\nmain;new 0 20\nmain;work;copy 0 30\nmain;work;spin 60 30\n");
  const work = findByPath(d, ["main", "work"]).node;
  expect(FORMATS.folded.render(d, "x", work)).toBe("main;work;copy 0 30\nmain;work;spin 60 30\n");
  // A normal profile keeps one count.
  expect(FORMATS.folded.render(after, "x", 0)).toBe("main;idle 20\nmain;new 20\nmain;work;copy 30\nmain;work;spin 30\n");
});
