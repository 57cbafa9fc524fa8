// Two-count folded export of a diff: `stack BEFORE AFTER` per line, difffolded.pl's format, with
// the raw (not normalised) self weights of each profile and the folded exporter's name escaping.

import type { Snapshot } from "../profile/snapshot.ts";
import { countText } from "./folded.ts";
import { escapeFrameName } from "./folded-escape.ts";

/** Lines for every node with self weight in either profile, sorted; "" for none. */
export function exportDiffFolded(s: Snapshot): string {
  const d = s.diff;
  if (!d) throw new Error("exportDiffFolded: not a diff snapshot");
  const before = d.side === "after" ? d.self : s.self;
  const after = d.side === "after" ? s.self : d.self;
  const escaped: (string | undefined)[] = new Array(s.names.length);
  const out: string[] = [];
  const path: string[] = [];
  for (let i = 1; i < s.count; i++) {
    const f = s.frame[i]!;
    path.length = s.depth[i]! - 1;
    path.push((escaped[f] ??= escapeFrameName(s.names[f]!)));
    if (before[i]! > 0 || after[i]! > 0) out.push(`${path.join(";")} ${countText(before[i]!)} ${countText(after[i]!)}`);
  }
  out.sort();
  return out.length === 0 ? "" : out.join("\n") + "\n";
}
