// Folded text of the zoomed view, for the `e` key: one line per node with self weight inside
// the zoomed subtree, prefixed by the zoomed frame's ancestors.

import { pathNames, type Snapshot } from "../profile/snapshot.ts";

/** Folded lines (`a;b;c 12`) for the subtree of `root`; the root's ancestors stay in each path. */
export function foldedOfSubtree(s: Snapshot, root = 0): string {
  const lines: string[] = [];
  const prefix = pathNames(s, root);
  // names along the current path inside the subtree, indexed by depth
  const path: string[] = prefix.slice();
  const end = s.end[root]!;
  for (let n = root; n < end; n++) {
    const d = s.depth[n]!;
    if (n !== root) {
      path.length = d - 1;
      path.push(s.names[s.frame[n]!]!);
    }
    if (d > 0 && s.self[n]! > 0) lines.push(`${path.join(";")} ${s.self[n]}`);
  }
  return lines.length > 0 ? lines.join("\n") + "\n" : "";
}
