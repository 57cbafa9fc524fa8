// Shared by the SVG tests: the number of frames the SVG should draw, counted on the trie itself
// (not on the snapshot the exporter reads), and where Debian's chromium is.

import { existsSync } from "node:fs";
import { FrameKind, kindFromFoldedName } from "../../src/profile/frames.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { ROOT, StackTrie } from "../../src/profile/trie.ts";

/** Trie nodes (root included) at least `minPx` wide when the whole profile is `plotW` px (1200 minus the margins). */
export function trieFramesAtLeast(trie: StackTrie, minPx = 0.1, plotW = 1180): number {
  const all = trie.total[ROOT]!;
  let n = 0;
  const todo = [ROOT];
  while (todo.length > 0) {
    const node = todo.pop()!;
    const w = trie.total[node]!;
    if (!(w > 0 && (w * plotW) / all >= minPx)) continue; // its children are no wider
    n++;
    todo.push(...trie.children(node));
  }
  return n;
}

/** A trie of folded lines ("a;b;c 10"), frames as the folded importer kinds them. */
export function snapshotTrie(lines: string[]): StackTrie {
  const trie = new StackTrie();
  for (const line of lines) {
    const sp = line.lastIndexOf(" ");
    const ids = line.slice(0, sp).split(";").map((n) => trie.frames.intern(n, kindFromFoldedName(n)));
    trie.add(ids, ids.length, Number(line.slice(sp + 1)));
  }
  return trie;
}

/** FLAMETUI_CHROMIUM, else Debian's /usr/bin/chromium when installed; null when there is none. */
export function findChromium(): string | null {
  const p = process.env.FLAMETUI_CHROMIUM ?? "/usr/bin/chromium";
  return existsSync(p) ? p : null;
}

/** Frame names that try to break out of XML text, attributes, CDATA and scripts, or to hide text. */
export const HOSTILE = [
  "line\nbreak",
  "<script>alert(1)</script>",
  "</script><script>window.pwned=1</script>",
  "]]><script>window.pwned=2</script><![CDATA[",
  "a & b \"quoted\" 'single'",
  "\u202eevil\u202c bidi \u2066iso\u2069",
  "nul\u0000 esc\u001b[31m del\u007f c1\u0085",
  "sep\u2028para\u2029",
  "bom\ufeff nonchar\ufffe\uffff",
  "lone\ud800 surrogate \udc00",
  "emoji 🔥 kept",
];

/** A process with one frame per hostile name (the first with a hostile module) and a kernel child each. */
export function hostileSnapshot() {
  const trie = new StackTrie();
  const ids = [trie.frames.intern("proc", FrameKind.Process)];
  for (const [i, name] of HOSTILE.entries()) {
    const leaf = trie.frames.intern(name, FrameKind.User, i === 0 ? "/lib/<evil>\n.so" : null);
    trie.add([...ids, leaf], 2, 10 + i);
    trie.add([...ids, leaf, trie.frames.intern(name + " child", FrameKind.Kernel)], 3, 5);
  }
  return snapshotOf(trie, "samples");
}
