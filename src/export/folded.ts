// Folded stacks export: one line per node that has self weight (inner nodes included, so no
// time is lost), sorted like stackcollapse output so a folded file round-trips exactly.
//
// Frame names are escaped so that a line always means one stack and one count, and nothing in
// it can drive a terminal (src/export/folded-escape.ts; the folded importer reads it back):
//   \xHH     C0 controls U+0000-U+001F, `;` and DEL (lowercase hex, two digits)
//   \u{H…}   C1 controls U+0080-U+009F, bidi controls U+061C U+200E U+200F U+202A-U+202E
//            U+2066-U+2069, U+2028 U+2029, U+FEFF and lone surrogates (lowercase hex, no leading
//            zeros); with the line above, what src/text/sanitize.ts calls unsafe
//   \\       a backslash, written so only where the reader would otherwise take the backslash
//            and what follows for one of these escapes
// Every other backslash is literal, so names with backslashes from other tools (flamegraph.pl,
// inferno) read unchanged unless they happen to contain one of these sequences.

import type { Snapshot } from "../profile/snapshot.ts";
import { escapeFrameName } from "./folded-escape.ts";

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
  const escaped: (string | undefined)[] = new Array(s.names.length);
  const name = (n: number) => {
    const f = s.frame[n]!;
    return (escaped[f] ??= escapeFrameName(s.names[f]!));
  };
  const out: string[] = [];
  const path: string[] = [];
  for (let n = root; n > 0; n = s.parent[n]!) path.push(name(n));
  path.reverse();
  const base = path.length;
  // Preorder walk: for node i, the path holds its ancestors up to depth(i) - 1.
  const rootDepth = s.depth[root]!;
  for (let i = root; i < s.end[root]!; i++) {
    const d = s.depth[i]! - rootDepth;
    if (i !== root) {
      path.length = base + d - 1;
      path.push(name(i));
    }
    if (s.self[i]! > 0 && path.length > 0) out.push(`${path.join(";")} ${countText(s.self[i]!)}`);
  }
  return out;
}

/**
 * A count as the folded importer reads it: whole numbers exactly; fractions (flamegraph.pl
 * accepts `a;b 1.5`) to 15 significant digits, which drops the binary noise of adding decimal
 * fractions (0.1 + 0.2) and never uses exponent notation.
 */
export function countText(w: number): string {
  if (Number.isInteger(w)) return String(w);
  const t = String(Number(w.toPrecision(15)));
  const m = /^(\d)(?:\.(\d+))?e-(\d+)$/.exec(t);
  return m ? `0.${"0".repeat(Number(m[3]) - 1)}${m[1]}${m[2] ?? ""}` : t;
}
