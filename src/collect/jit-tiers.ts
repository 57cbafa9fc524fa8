// Keeps the live worker's per-sample code out of FTL, JavaScriptCore's top JIT tier; DFG, the
// tier below, still optimizes it. That code runs a few thousand times a second for as long as
// sampling lasts. In a 20 s run at 999 Hz on 2 CPUs, FTL compiles of it took ~60 ms of CPU
// (BUN_JSC_reportCompileTimes) and whole runs used ~30% less CPU without them: a profiler has
// to cost less than what it watches, and FTL's faster code does not pay its compile back
// before minutes of sampling. Applied in the worker only, so the file importer, which merges
// millions of stacks in one go, keeps every tier.
import { noFTL } from "bun:jsc";
import { SampleColumns } from "../profile/timeline.ts";
import { TimelineRecorder } from "../profile/timeline-recorder.ts";
import { StackInterner } from "../profile/stack-interner.ts";
import { hash as trieSlotHash, StackTrie } from "../profile/trie.ts";
import { SlidingWindow } from "../profile/window.ts";
import { KernelFrames } from "../symbolize/kernel-frames.ts";
import { LiveProfile } from "./live-profile.ts";
import { hashSample, mix, RawStackCache } from "./raw-stack-cache.ts";
import { SampleDecoder } from "./records.ts";
import { drainRing } from "./ring-reader.ts";
import { Sampler } from "./sampler.ts";
import { StackBuilder } from "./stack-builder.ts";

type AnyFunction = (...args: never[]) => unknown;

function methodsOf(cls: { prototype: object }): AnyFunction[] {
  const proto = cls.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .filter((name) => name !== "constructor" && typeof Object.getOwnPropertyDescriptor(proto, name)?.value === "function")
    .map((name) => proto[name] as AnyFunction);
}

let prototypesDone = false;

/**
 * Marks the per-sample path (ring drain, decode, raw-stack cache, stack building, stack interner, trie and
 * window merge, timeline) never to be FTL-compiled in this thread. `handlers` are per-instance arrow
 * functions on that path (LiveProfile.onSample), which no prototype holds. Call before
 * sampling starts.
 */
export function keepSamplePathBelowFTL(...handlers: AnyFunction[]): void {
  const fns: AnyFunction[] = [...handlers];
  if (!prototypesDone) {
    prototypesDone = true;
    fns.push(drainRing, hashSample, mix, trieSlotHash);
    for (const cls of [Sampler, SampleDecoder, RawStackCache, StackBuilder, StackTrie, StackInterner, SlidingWindow, KernelFrames, LiveProfile, TimelineRecorder, SampleColumns]) {
      fns.push(...methodsOf(cls));
    }
  }
  for (const fn of fns) noFTL(fn as (...args: unknown[]) => unknown);
}
