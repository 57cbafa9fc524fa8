// `m` switches between demangled names (the default) and the raw symbol names the snapshot
// carries for demangled frames; frames without a raw name keep theirs.

import { afterEach, expect, test } from "bun:test";
import { mount, snap, type Mounted } from "./helpers.ts";

let m: Mounted | null = null;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

test("m toggles raw (mangled) names in the graph and the details", async () => {
  const s = snap(["app;ns::Parser::parse(int) 60", "app;main 40"]);
  s.rawNames = s.names.map((n) => (n === "ns::Parser::parse(int)" ? "_ZN2ns6Parser5parseEi" : null));
  m = await mount(s, 100, 24);
  let text = (await m.lines()).join("\n");
  expect(text).toContain("ns::Parser::parse(int)");
  expect(text).not.toContain("_ZN2ns6Parser5parseEi");
  await m.key("m");
  text = (await m.lines()).join("\n");
  expect(text).toContain("_ZN2ns6Parser5parseEi");
  expect(text).not.toContain("ns::Parser::parse(int)");
  expect(text).toContain("main");
  await m.key("m");
  text = (await m.lines()).join("\n");
  expect(text).toContain("ns::Parser::parse(int)");
});

test("an [anon] frame under a runtime names the flag that would name its JIT code", async () => {
  const s = snap(["node;pid 7;main;[anon] 70", "proc;pid 8;[anon] 30"]);
  m = await mount(s, 160, 24);
  // Select node's [anon]: up from the root along the widest path.
  for (let i = 0; i < 4; i++) await m.key("k");
  let text = (await m.lines()).join("\n");
  expect(text).toContain("--perf-basic-prof");
  // Down to main, then right to the other process's [anon] at the same depth.
  await m.key("j");
  await m.key("l");
  text = (await m.lines()).join("\n");
  expect(text).toContain("/tmp/perf-PID.map");
});
