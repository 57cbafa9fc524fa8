// Two-count folded export of a diff: `stack BEFORE AFTER` per line, difffolded.pl's format, with
// the raw (not normalised) self weights of each profile and the folded exporter's name escaping.

import type { Snapshot } from "../profile/snapshot.ts";
import { countText } from "./folded.ts";
import { escapeFrameName } from "./folded-escape.ts";

/**
 * Lines for every node with self weight in either profile, sorted; "" for none. With `root`, only
 * its subtree, each line still starting with the frames above it (as the folded export does).
 */
export function exportDiffFolded(s: Snapshot, root = 0): string {
  const d = s.diff;
  if (!d) throw new Error("exportDiffFolded: not a diff snapshot");
  const before = d.side === "after" ? d.self : s.self;
  const after = d.side === "after" ? s.self : d.self;
  const escaped: (string | undefined)[] = new Array(s.names.length);
  const name = (n: number) => (escaped[s.frame[n]!] ??= escapeFrameName(s.names[s.frame[n]!]!));
  const out: string[] = [];
  const path: string[] = [];
  for (let n = root; n > 0; n = s.parent[n]!) path.push(name(n));
  path.reverse();
  const base = path.length;
  const rootDepth = s.depth[root]!;
  for (let i = root; i < s.end[root]!; i++) {
    if (i !== root) {
      path.length = base + s.depth[i]! - rootDepth - 1;
      path.push(name(i));
    }
    if (path.length > 0 && (before[i]! > 0 || after[i]! > 0)) out.push(`${path.join(";")} ${countText(before[i]!)} ${countText(after[i]!)}`);
  }
  out.sort();
  return out.length === 0 ? "" : out.join("\n") + "\n";
}
