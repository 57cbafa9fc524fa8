// Chrome CPU profile importers: `.cpuprofile` (node --cpu-prof, DevTools: nodes, samples,
// timeDeltas) and trace event JSON holding "Profile"/"ProfileChunk" events (Chrome's Performance
// panel, node --trace-event-categories disabled-by-default-v8.cpu_profiler).
//
// Weights follow speedscope's importer: a sample weighs the time until the next sample (the
// last one nothing), in nanoseconds; "(root)" and "(idle)" are no frames (idle time is left
// out); "(program)" and "(garbage collector)" sit on top of the stack of the sample before,
// and a function without a name is "(anonymous file:line)". A profile without timeDeltas
// counts samples instead.

import { basename } from "node:path";
import { InputError } from "../errors.ts";
import { FrameKind, kindFromFoldedName } from "../profile/frames.ts";
import { MAX_WEIGHT, ROOT, StackTrie } from "../profile/trie.ts";
import { newStats, noteMalformed, parseJsonInput, type ImportStats, type WholeImport } from "./importer.ts";
import { capName, MAX_STACK_DEPTH, TOO_DEEP } from "./limits.ts";

interface CallFrame {
  functionName?: unknown;
  url?: unknown;
  lineNumber?: unknown;
}

interface CpuNode {
  id?: unknown;
  callFrame?: CallFrame;
  children?: unknown;
  parent?: unknown;
}

export interface CpuProfile {
  nodes: CpuNode[];
  samples: unknown[];
  timeDeltas?: unknown[];
}

export function chromeCpuProfileImport(data: Uint8Array, source: string): WholeImport {
  const doc = parseJsonInput(data, source, ".cpuprofile") as Record<string, unknown> | null;
  if (typeof doc !== "object" || doc === null || !Array.isArray(doc.nodes) || !Array.isArray(doc.samples)) {
    throw new InputError(`${source}: not a Chrome .cpuprofile: expected an object with "nodes" and "samples" arrays`);
  }
  const trie = new StackTrie();
  const stats = newStats();
  stats.item = "sample";
  const timed = addCpuProfile(trie, stats, doc as unknown as CpuProfile, ROOT, source);
  if (!timed) stats.notices.push("cpuprofile: no timeDeltas, so each sample counts 1");
  return { trie, unit: timed ? "nanoseconds" : "samples", stats };
}

interface TraceEvent {
  name?: unknown;
  ph?: unknown;
  pid?: unknown;
  tid?: unknown;
  id?: unknown;
  ts?: unknown;
  args?: { name?: unknown; data?: Record<string, unknown> | null };
}

export function chromeTraceImport(data: Uint8Array, source: string): WholeImport {
  const doc = parseJsonInput(data, source, "trace event") as unknown;
  const events = Array.isArray(doc) ? doc : (doc as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events)) throw new InputError(`${source}: not a Chrome trace: expected an array of events or an object with "traceEvents"`);
  // Profiles by id (or pid:tid), their chunks appended in timestamp order as speedscope does.
  const sorted = (events as TraceEvent[]).filter((e) => typeof e === "object" && e !== null);
  sorted.sort((a, b) => (Number(a.ts) || 0) - (Number(b.ts) || 0));
  const profiles = new Map<string, CpuProfile & { thread: string; id: string }>();
  const threadNames = new Map<string, string>();
  for (const e of sorted) {
    const thread = `${String(e.pid)}:${String(e.tid)}`;
    const key = e.id !== undefined ? String(e.id) : thread;
    const d = e.args?.data;
    if (e.name === "thread_name" && typeof e.args?.name === "string") threadNames.set(thread, e.args.name);
    else if (e.name === "CpuProfile" && d && typeof d.cpuProfile === "object" && d.cpuProfile !== null) {
      const cp = d.cpuProfile as Partial<CpuProfile>;
      profiles.set(key, { nodes: cp.nodes ?? [], samples: cp.samples ?? [], timeDeltas: (cp.timeDeltas ?? d.timeDeltas ?? []) as unknown[], thread, id: key });
    } else if (e.name === "Profile") profiles.set(key, { nodes: [], samples: [], timeDeltas: [], thread, id: key });
    else if (e.name === "ProfileChunk" && d) {
      const p = profiles.get(key);
      if (!p) continue; // a chunk of a profile whose start is not in the trace
      const cp = d.cpuProfile as Partial<CpuProfile> | undefined;
      if (Array.isArray(cp?.nodes)) for (const n of cp.nodes) p.nodes.push(n);
      if (Array.isArray(cp?.samples)) for (const s of cp.samples) p.samples.push(s);
      if (Array.isArray(d.timeDeltas)) for (const t of d.timeDeltas) p.timeDeltas!.push(t);
    }
  }
  const used = [...profiles.values()].filter((p) => p.samples.length > 0);
  if (used.length === 0) throw new InputError(`${source}: a Chrome trace without CPU profile samples (no "Profile"/"ProfileChunk" events with samples)`);
  const trie = new StackTrie();
  const stats = newStats();
  stats.item = "sample";
  let timed = true;
  const labelOf = (p: { thread: string }) => threadNames.get(p.thread) ?? `pid:tid ${p.thread}`;
  for (const p of used) {
    // Several profiles (threads): each under a frame named after its thread (and the profile id
    // when one thread has several, as node --cpu-prof and a tracing session together give).
    const shared = used.filter((q) => labelOf(q) === labelOf(p)).length > 1;
    const label = shared ? `${labelOf(p)} (profile ${p.id})` : labelOf(p);
    const top = used.length > 1 ? trie.childOrCreate(ROOT, trie.frames.intern(capName(label), FrameKind.Thread)) : ROOT;
    if (p.timeDeltas!.length !== p.samples.length) p.timeDeltas = undefined;
    timed = addCpuProfile(trie, stats, p, top, source) && timed;
  }
  return { trie, unit: timed ? "nanoseconds" : "samples", stats };
}

/** Adds one CPU profile's samples under `top`; returns whether weights are times (timeDeltas present). */
function addCpuProfile(trie: StackTrie, stats: ImportStats, p: CpuProfile, top: number, source: string): boolean {
  const byId = new Map<number, CpuNode>();
  const parentOf = new Map<number, number>();
  for (const n of p.nodes) {
    if (typeof n !== "object" || n === null || typeof n.id !== "number") throw new InputError(`${source}: a profile node without a numeric id`);
    byId.set(n.id, n);
    if (typeof n.parent === "number") parentOf.set(n.id, n.parent);
  }
  for (const n of p.nodes) if (Array.isArray(n.children)) for (const c of n.children) if (typeof c === "number") parentOf.set(c, n.id as number);

  // Trie node of each profile node (-1: not resolved yet); "(root)"/"(idle)" map to `top`.
  const trieNode = new Map<number, number>();
  const special = new Map<number, number>(); // (program), (garbage collector) -> frame id: on top of the previous stack
  const idle = new Set<number>();
  const resolve = (id: number): number => {
    const known = trieNode.get(id);
    if (known !== undefined) return known;
    // Walk up to a resolved ancestor, then create the path down (no recursion: deep stacks).
    const chain: number[] = [];
    let cur: number | undefined = id;
    let base = top;
    while (cur !== undefined) {
      const k = trieNode.get(cur);
      if (k !== undefined) {
        base = k;
        break;
      }
      chain.push(cur);
      if (chain.length > MAX_STACK_DEPTH) return -1;
      cur = parentOf.get(cur);
      if (cur !== undefined && chain.includes(cur) && chain.length < 64) return -1; // a cycle
    }
    let node = base;
    for (let i = chain.length - 1; i >= 0; i--) {
      const nid = chain[i]!;
      const cf = byId.get(nid)?.callFrame ?? {};
      const fn = typeof cf.functionName === "string" ? cf.functionName : "";
      const url = typeof cf.url === "string" ? cf.url : "";
      if ((fn === "(root)" || fn === "(idle)") && url !== "native dummy.js") {
        if (fn === "(idle)") idle.add(nid);
      } else {
        const line = typeof cf.lineNumber === "number" ? cf.lineNumber + 1 : undefined;
        const name = capName(fn !== "" ? fn : url !== "" ? `(anonymous ${basename(url)}:${line})` : "(anonymous)");
        const frame = trie.frames.intern(name, kindFromFoldedName(name), url !== "" ? capName(url) : null);
        if (fn === "(program)" || fn === "(garbage collector)") special.set(nid, frame); // placed per sample
        else node = trie.childOrCreate(node, frame);
      }
      trieNode.set(nid, node);
    }
    return node;
  };

  const deltas = p.timeDeltas;
  const timed = Array.isArray(deltas) && deltas.length === p.samples.length;
  let prevNode = top; // the stack of the sample before, for (program) and (garbage collector)
  let prevId: unknown = undefined;
  let idleUs = 0;
  const n = p.samples.length;
  for (let i = 0; i < n; i++) {
    stats.lines++;
    const id = p.samples[i];
    let weight = 1;
    if (timed) {
      const d = Number(deltas![i + 1] ?? 0);
      weight = i + 1 < n && d > 0 ? d * 1000 : 0; // microseconds to the next sample
    }
    if (typeof id !== "number" || !byId.has(id)) {
      noteMalformed(stats, i + 1, `sample ${String(id)} names no profile node`);
      continue;
    }
    // A run of one node is one stack (speedscope merges them), so a repeated (program) stays put.
    let node = id === prevId ? prevNode : resolve(id);
    const sf = special.get(id); // known once resolve has seen the node
    if (id !== prevId && sf !== undefined && node >= 0) node = trie.childOrCreate(prevNode, sf);
    if (node < 0) {
      noteMalformed(stats, i + 1, TOO_DEEP);
      prevNode = top;
      prevId = undefined;
      continue;
    }
    prevNode = node;
    prevId = id;
    if (node === top) {
      if (idle.has(id)) idleUs += weight / 1000;
      continue; // (root) or (idle) alone: no frame to charge
    }
    if (weight === 0) continue;
    if (trie.totalWeight + weight > MAX_WEIGHT) {
      noteMalformed(stats, i + 1, "total weight would exceed 2^53");
      continue;
    }
    trie.addToNode(node, weight);
    stats.stacks++;
  }
  if (idleUs > 0) stats.notices.push(`cpuprofile: ${(idleUs / 1000).toFixed(1)} ms of (idle) samples left out, as speedscope does`);
  return timed;
}
