// What to tell the user about an `[anon]` frame: code in anonymous executable memory is
// usually JIT-compiled, and most runtimes can write the perf map that would name it.

import type { Snapshot } from "../profile/snapshot.ts";
import { FrameKind } from "../profile/frames.ts";

const RUNTIMES: [RegExp, string][] = [
  [/^(node|nodejs)$/, "run node with --perf-basic-prof (and --interpreted-frames-native-stack)"],
  [/^(deno)$/, "run deno with --v8-flags=--perf-basic-prof"],
  [/^(java|javaw)$/, "run java with -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit, or attach perf-map-agent"],
  [/^python3?(\.\d+)?$/, "run Python 3.12+ with PYTHONPERFSUPPORT=1 (or -X perf)"],
  [/^(dotnet)$/, "set DOTNET_PerfMapEnabled=1"],
  [/^(bun|bun\.exe)$/, "set BUN_JSC_useJITDump=1 (JIT dump; perf map support varies)"],
  [/^(ruby)$/, "run Ruby 3.3+ with --yjit-perf"],
];

/** A hint for `[anon]` frames under a known runtime, a generic one otherwise, or null. */
export function jitHint(s: Snapshot, node: number): string | null {
  if (node <= 0 || s.names[s.frame[node]!] !== "[anon]") return null;
  // A live profile marks its process frame; in a folded file the outermost frame is, by convention.
  let proc = node;
  let outermost = node;
  while (proc > 0 && s.kinds[s.frame[proc]!] !== FrameKind.Process) {
    outermost = proc;
    proc = s.parent[proc]!;
  }
  const name = s.names[s.frame[proc > 0 ? proc : outermost]!]!;
  for (const [re, hint] of RUNTIMES) if (re.test(name)) return `JIT code without a perf map: ${hint}`;
  return "anonymous executable memory (JIT code?): a runtime that writes /tmp/perf-PID.map would name it";
}
