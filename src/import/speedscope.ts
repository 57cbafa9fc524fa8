// speedscope JSON importer (https://www.speedscope.app/file-format-schema.json): "sampled"
// profiles (stacks root first, with weights) as src/export/speedscope.ts writes them, and
// "evented" profiles (open/close events) as speedscope itself exports them. Time units become
// nanoseconds, "none" is a sample count, "bytes" is shown as events. Several profiles (threads)
// each get a top frame with their name; one profile is imported as it is.

import { InputError } from "../errors.ts";
import { FrameKind, kindFromFoldedName } from "../profile/frames.ts";
import type { WeightUnit } from "../profile/snapshot.ts";
import { MAX_WEIGHT, ROOT, StackTrie } from "../profile/trie.ts";
import { newStats, noteMalformed, parseJsonInput, type ImportStats, type WholeImport } from "./importer.ts";
import { capName, MAX_STACK_DEPTH, TOO_DEEP } from "./limits.ts";

/** Nanoseconds per unit for time units; the unit is a count otherwise. */
const TIME_SCALE: Record<string, number> = { nanoseconds: 1, microseconds: 1e3, milliseconds: 1e6, seconds: 1e9 };

interface Doc {
  shared?: { frames?: unknown };
  profiles?: unknown;
}

export function importSpeedscope(data: Uint8Array, source: string): WholeImport {
  const doc = parseJsonInput(data, source, "speedscope") as Doc;
  const bad = (what: string): never => {
    throw new InputError(`${source}: not a speedscope profile: ${what}`);
  };
  if (typeof doc !== "object" || doc === null) bad("the document is not an object");
  const rawFrames = doc.shared?.frames;
  if (!Array.isArray(rawFrames)) bad("shared.frames is not an array");
  if (!Array.isArray(doc.profiles) || doc.profiles.length === 0) bad("no profiles");
  const profiles = doc.profiles as Record<string, unknown>[];

  const trie = new StackTrie();
  const stats = newStats();
  stats.item = "sample";
  // Frame ids of shared.frames, interned when first used.
  const frameIds = new Int32Array((rawFrames as unknown[]).length).fill(-1);
  const frameOf = (i: unknown, where: string): number => {
    if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= frameIds.length) throw new InputError(`${source}: not a speedscope profile: ${where}: frame index ${String(i)} is not in shared.frames`);
    let id = frameIds[i]!;
    if (id < 0) {
      const f = (rawFrames as unknown[])[i] as { name?: unknown; file?: unknown } | null;
      const name = capName(typeof f?.name === "string" && f.name !== "" ? f.name : "[unknown]");
      const module = typeof f?.file === "string" && f.file !== "" ? capName(f.file) : null;
      id = frameIds[i] = trie.frames.intern(name, kindFromFoldedName(name), module);
    }
    return id;
  };

  // The unit of the first profile decides; profiles of another kind of unit are left out.
  const unitOf = (u: unknown): { unit: WeightUnit; scale: number } =>
    typeof u === "string" && Object.hasOwn(TIME_SCALE, u) ? { unit: "nanoseconds", scale: TIME_SCALE[u]! } : u === "bytes" ? { unit: "events", scale: 1 } : { unit: "samples", scale: 1 };
  const unit = unitOf(profiles[0]!.unit).unit;
  if (profiles[0]!.unit === "bytes") stats.notices.push("speedscope: weights are bytes, shown as events");
  const several = profiles.length > 1;
  let skipped = 0;
  profiles.forEach((p, k) => {
    if (typeof p !== "object" || p === null) bad(`profiles[${k}] is not an object`);
    const u = unitOf(p.unit);
    if (u.unit !== unit) {
      skipped++;
      return;
    }
    const top = several ? trie.childOrCreate(ROOT, trie.frames.intern(capName(typeof p.name === "string" && p.name !== "" ? p.name : `profile ${k + 1}`), FrameKind.Thread)) : ROOT;
    const where = `profiles[${k}]`;
    if (p.type === "sampled") addSampled(trie, stats, p, top, u.scale, u.unit === "nanoseconds", where, frameOf, bad);
    else if (p.type === "evented") addEvented(trie, stats, p, top, u.scale, u.unit === "nanoseconds", where, frameOf, bad);
    else bad(`${where}.type is ${JSON.stringify(p.type)}, not "sampled" or "evented"`);
  });
  if (skipped > 0) stats.notices.push(`speedscope: left out ${skipped} of ${profiles.length} profiles whose unit is not ${unit}`);
  return { trie, unit, stats };
}

type FrameOf = (i: unknown, where: string) => number;

function addSampled(trie: StackTrie, stats: ImportStats, p: Record<string, unknown>, top: number, scale: number, round: boolean, where: string, frameOf: FrameOf, bad: (w: string) => never): void {
  const samples = p.samples;
  const weights = p.weights;
  if (!Array.isArray(samples)) bad(`${where}.samples is not an array`);
  if (weights !== undefined && (!Array.isArray(weights) || weights.length !== (samples as unknown[]).length)) bad(`${where}.weights does not have one weight per sample`);
  (samples as unknown[]).forEach((stack, i) => {
    stats.lines++;
    const w = weights === undefined ? 1 : (weights as unknown[])[i];
    if (typeof w !== "number" || !(w >= 0)) return noteMalformed(stats, stats.lines, `${where}.weights[${i}] is not a weight`);
    if (!Array.isArray(stack)) return noteMalformed(stats, stats.lines, `${where}.samples[${i}] is not a stack`);
    if (stack.length > MAX_STACK_DEPTH) return noteMalformed(stats, stats.lines, TOO_DEEP);
    const weight = round ? Math.round(w * scale) : w * scale;
    if (weight === 0) return;
    if (trie.totalWeight + weight > MAX_WEIGHT) return noteMalformed(stats, stats.lines, "total weight would exceed 2^53");
    let node = top;
    for (let d = 0; d < stack.length; d++) node = trie.childOrCreate(node, frameOf(stack[d], `${where}.samples[${i}]`));
    if (node === ROOT) return noteMalformed(stats, stats.lines, "empty stack");
    trie.addToNode(node, weight);
    stats.stacks++;
  });
}

/** Open ("O") and close ("C") events: the time between two events goes to the stack open then. */
function addEvented(trie: StackTrie, stats: ImportStats, p: Record<string, unknown>, top: number, scale: number, round: boolean, where: string, frameOf: FrameOf, bad: (w: string) => never): void {
  const events = p.events;
  if (!Array.isArray(events)) bad(`${where}.events is not an array`);
  stats.item = "event";
  const nodes: number[] = [];
  const frames: number[] = [];
  let overflow = 0; // opens past MAX_STACK_DEPTH, ignored with their closes
  let last = typeof p.startValue === "number" ? p.startValue : NaN;
  (events as unknown[]).forEach((ev, i) => {
    stats.lines++;
    const e = ev as { type?: unknown; at?: unknown; frame?: unknown } | null;
    if (typeof e !== "object" || e === null || typeof e.at !== "number" || (e.type !== "O" && e.type !== "C")) return noteMalformed(stats, stats.lines, `${where}.events[${i}] is not an open or close event`);
    const at = e.at;
    if (Number.isNaN(last)) last = at;
    if (at < last) return noteMalformed(stats, stats.lines, `${where}.events[${i}] goes back in time`);
    const w = round ? Math.round((at - last) * scale) : (at - last) * scale;
    if (w > 0 && nodes.length > 0 && trie.totalWeight + w <= MAX_WEIGHT) {
      trie.addToNode(nodes.at(-1)!, w);
      stats.stacks++;
    }
    last = at;
    const f = frameOf(e.frame, `${where}.events[${i}]`);
    if (e.type === "O") {
      if (nodes.length >= MAX_STACK_DEPTH) {
        overflow++;
        return noteMalformed(stats, stats.lines, TOO_DEEP);
      }
      nodes.push(trie.childOrCreate(nodes.length === 0 ? top : nodes.at(-1)!, f));
      frames.push(f);
    } else if (overflow > 0) overflow--;
    else if (frames.at(-1) === f) {
      nodes.pop();
      frames.pop();
    } else {
      noteMalformed(stats, stats.lines, `${where}.events[${i}] closes a frame that is not the innermost open one`);
      const k = frames.lastIndexOf(f);
      if (k >= 0) {
        nodes.length = k;
        frames.length = k;
      }
    }
  });
}
