// Snapshots: an immutable, flat copy of a trie in preorder, cheap to send between threads
// and the only thing the TUI and the exporters read.

import type { DiffWeights } from "./diff.ts";
import { FRAME_KIND_NAMES, FrameKind } from "./frames.ts";
import type { Timeline, TimelineDelta } from "./timeline.ts";
import { ROOT, StackTrie } from "./trie.ts";

/** What a weight counts: samples, nanoseconds of CPU time, or events of a hardware counter. */
export type WeightUnit = "samples" | "nanoseconds" | "events";

/** Figures a live session adds to its snapshots; the status bar shows them. */
export interface LiveStats {
  mode: string;
  hz: number;
  elapsedMs: number;
  /** Samples in the profile. */
  samples: number;
  samplesPerSec: number;
  /** Samples the kernel took but that never reached the profile (ring buffer full, or left unread). */
  lost: number;
  /** Every sample the kernel took over the same interval as `lost`; lost / taken is the loss share. */
  taken?: number;
  /** Samples in the profile whose kernel or user stack was cut at the depth limit. */
  truncated?: number;
  /** Samples in the profile with a user frame `[exited]`: their process was gone before its mappings were known. */
  exited?: number;
  /**
   * --unwind auto/dwarf: samples in the profile whose user stack stopped early for want of unwind
   * information or at a frame that made no sense ([no unwind info], [bad frame]; cut ones count
   * as truncated), and the memory of the call-frame tables loaded.
   */
  unwind?: { incomplete: number; tableBytes: number };
  /** --mode offcpu / wall: what the weights measure, and the nanoseconds off the CPU and (wall) on it. */
  measure?: "offcpu" | "wall";
  offCpuNs?: number;
  onCpuNs?: number;
  /** Time between the first and the last sample in the profile, by the samples' own timestamps. */
  spanMs?: number;
  /** fixed: the sampling time is over and the samples taken in it are still being read. */
  draining?: boolean;
  frozen?: boolean;
  /** The profile is complete (the final snapshot of a session): no rate, duration and count instead. */
  finished?: boolean;
  /** CPUs sampled. */
  cpus?: number;
  /** flametui's own CPU use (both threads) as a share of one CPU: over the last second, or the whole run once finished. */
  selfCpu?: number;
  /** Samples inside the window left out on purpose, by reason; a key is present only when that reason applied. */
  excluded?: { idle?: number; self?: number; pidFilter?: number };
}

/** Lost samples as a share (0..1) of all samples taken. */
export function lostShare(l: LiveStats): number {
  const all = l.taken !== undefined && l.taken > 0 ? l.taken : l.samples + l.lost;
  return all > 0 ? Math.min(1, l.lost / all) : 0;
}

/** Details by frame id: an array, or an object indexed like one (no length, no array methods). */
export type DetailsView = { readonly [frameId: number]: string | null | undefined };

export interface Snapshot {
  /** Frame table, indexed by frame id. */
  names: string[];
  kinds: Uint8Array;
  modules: (string | null)[];
  /** Raw (mangled) symbol names by frame id where the name shown is demangled; else null. */
  rawNames?: (string | null)[];
  /**
   * What the details area shows besides a frame's name, by frame id: the full demangled name of
   * a C++ frame named by its short form, or the addresses a grouped unnamed frame ("[libfoo.so]",
   * "[anon]") stands for; null or undefined when there is nothing more. Entries may change between
   * snapshots; a snapshot keeps its own (on the main thread a view that reads through to the
   * newest entries, see SnapshotDecoder). Index it by frame id only.
   */
  details?: DetailsView;
  /**
   * Live sessions (worker side): the frame ids whose `details` entry changed since the previous
   * snapshot; the encoder sends only these. Absent: compare every entry.
   */
  detailsChanged?: number[];
  /** Nodes in preorder; index 0 is the root. Children of a node follow it, sorted by name. */
  count: number;
  frame: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  /** One past the last node of the subtree rooted at i. */
  end: Int32Array;
  self: Float64Array;
  total: Float64Array;
  maxDepth: number;
  unit: WeightUnit;
  live?: LiveStats;
  /** A diff (src/profile/diff.ts): the other profile's weights for the same nodes; absent in normal views. */
  diff?: DiffWeights;
  /** Samples over time (src/profile/timeline.ts): live sessions and perf script imports; absent for folded input. */
  timeline?: Timeline;
  /** Worker side only: the timeline's news since the previous snapshot, for the encoder. */
  timelineDelta?: TimelineDelta;
}

/** Builds a snapshot; children are ordered by frame name (code-unit order, as `sort` does). */
export function snapshotOf(trie: StackTrie, unit: WeightUnit = "samples", live?: LiveStats, shareNames = false): Snapshot {
  const n = trie.nodeCount;
  // shareNames: the frame table's own (append-only) name and module arrays, not copies; for a
  // snapshot that is encoded at once (the live worker's), where copying every name cost milliseconds.
  const names = shareNames ? trie.frames.names : trie.frames.names.slice();
  const kinds = Uint8Array.from(trie.frames.kinds);
  const modules = shareNames ? trie.frames.modules : trie.frames.modules.slice();
  const frame = new Int32Array(n);
  const parent = new Int32Array(n);
  const depth = new Int32Array(n);
  const end = new Int32Array(n);
  const self = new Float64Array(n);
  const total = new Float64Array(n);
  let maxDepth = 0;

  // Iterative preorder walk. `stack` holds trie nodes still to visit with their parent index.
  const todoNode: number[] = [ROOT];
  const todoParent: number[] = [-1];
  const open: number[] = []; // snapshot indices whose subtree is still being emitted
  let next = 0;
  const byName = (a: number, b: number) => {
    const na = names[trie.frame[a]!]!;
    const nb = names[trie.frame[b]!]!;
    return na < nb ? 1 : na > nb ? -1 : trie.frame[b]! - trie.frame[a]!; // reversed: popped last-first
  };
  while (todoNode.length > 0) {
    const node = todoNode.pop()!;
    const p = todoParent.pop()!;
    while (open.length > 0 && open[open.length - 1] !== p) end[open.pop()!] = next;
    const i = next++;
    frame[i] = trie.frame[node]!;
    parent[i] = p;
    const d = p < 0 ? 0 : depth[p]! + 1;
    depth[i] = d;
    if (d > maxDepth) maxDepth = d;
    self[i] = trie.self[node]!;
    total[i] = trie.total[node]!;
    open.push(i);
    const kids = trie.children(node);
    if (kids.length > 1) kids.sort(byName);
    for (const c of kids) {
      todoNode.push(c);
      todoParent.push(i);
    }
  }
  while (open.length > 0) end[open.pop()!] = next;
  return { names, kinds, modules, count: next, frame, parent, depth, end, self, total, maxDepth, unit, live };
}

export function nameOf(s: Snapshot, node: number): string {
  return node === 0 ? "all" : s.names[s.frame[node]!]!;
}

export function kindOf(s: Snapshot, node: number): FrameKind {
  return (node === 0 ? FrameKind.Root : s.kinds[s.frame[node]!]!) as FrameKind;
}

export function kindName(kind: number): string {
  return FRAME_KIND_NAMES[kind] ?? "unknown";
}

/** Names of the frames from the outermost down to `node` (the root excluded). */
export function pathNames(s: Snapshot, node: number): string[] {
  const out: string[] = [];
  for (let n = node; n > 0; n = s.parent[n]!) out.push(s.names[s.frame[n]!]!);
  return out.reverse();
}

/**
 * Finds a node by its path of names. When the full path is gone, returns the deepest node
 * that matches a prefix of it (the nearest surviving ancestor), so a view can keep its place.
 */
export function findByPath(s: Snapshot, path: readonly string[]): { node: number; exact: boolean } {
  let node = 0;
  for (let k = 0; k < path.length; k++) {
    const want = path[k];
    let found = -1;
    for (let c = node + 1; c < s.end[node]!; c = s.end[c]!) {
      if (s.names[s.frame[c]!] === want) {
        found = c;
        break;
      }
    }
    if (found < 0) return { node, exact: false };
    node = found;
  }
  return { node, exact: true };
}

/** Children of a snapshot node, in snapshot order (by name). */
export function childrenOf(s: Snapshot, node: number): number[] {
  const out: number[] = [];
  for (let c = node + 1; c < s.end[node]!; c = s.end[c]!) out.push(c);
  return out;
}
