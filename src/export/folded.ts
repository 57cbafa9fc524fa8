// Folded stacks export: one line per node that has self weight (inner nodes included, so no
// time is lost), sorted like stackcollapse output so a folded file round-trips exactly.

import type { Snapshot } from "../profile/snapshot.ts";

/**
 * Folded text of the subtree at `root` (default: everything). The frames from the outermost
 * down to `root` are kept as the prefix of every line, so a zoomed export still says where
 * its stacks came from.
 */
export function exportFolded(s: Snapshot, root = 0): string {
  const lines = foldedLines(s, root);
  lines.sort();
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

export function foldedLines(s: Snapshot, root = 0): string[] {
  const out: string[] = [];
  const path: string[] = [];
  for (let n = root; n > 0; n = s.parent[n]!) path.push(s.names[s.frame[n]!]!);
  path.reverse();
  const base = path.length;
  // Preorder walk: for node i, the path holds its ancestors up to depth(i) - 1.
  const rootDepth = s.depth[root]!;
  for (let i = root; i < s.end[root]!; i++) {
    const d = s.depth[i]! - rootDepth;
    if (i !== root) {
      path.length = base + d - 1;
      path.push(s.names[s.frame[i]!]!);
    }
    if (s.self[i]! > 0 && path.length > 0) out.push(`${path.join(";")} ${s.self[i]}`);
  }
  return out;
}
