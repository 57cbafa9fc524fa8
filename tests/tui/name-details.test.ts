// The details area shows what a frame's name leaves out, from the snapshot's `details` side
// table: the full demangled C++ name, or the addresses a grouped unnamed frame stands for. The
// table crosses from the worker with the snapshot (changed entries only).

import { afterEach, expect, test } from "bun:test";
import { SnapshotDecoder, SnapshotEncoder } from "../../src/worker/protocol.ts";
import { mount, snap, type Mounted } from "./helpers.ts";

let m: Mounted | null = null;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

test("details show the full C++ name and a grouped frame's addresses; m still shows the raw name", async () => {
  const s = snap(["app;ns::Parser::parse 60", "app;[libfoo.so] 40"]);
  s.rawNames = s.names.map((n) => (n === "ns::Parser::parse" ? "_ZN2ns6Parser5parseEi" : null));
  s.details = s.names.map((n) =>
    n === "ns::Parser::parse" ? "ns::Parser::parse(int)" : n === "[libfoo.so]" ? "2 addresses: libfoo.so+0x1a2b libfoo.so+0x1c00" : null,
  );
  m = await mount(s, 120, 24);
  await m.key("k"); // up from the root: app
  await m.key("k"); // the widest child: ns::Parser::parse
  let text = (await m.lines()).join("\n");
  expect(text).toMatch(/ns::Parser::parse {2}\[.*\] {2}ns::Parser::parse\(int\)/);
  await m.key("h"); // the sibling on the left (sorted by name): [libfoo.so]
  text = (await m.lines()).join("\n");
  expect(text).toContain("2 addresses: libfoo.so+0x1a2b libfoo.so+0x1c00");
  await m.key("l");
  await m.key("m");
  text = (await m.lines()).join("\n");
  expect(text).toContain("_ZN2ns6Parser5parseEi");
  expect(text).toContain("ns::Parser::parse(int)");
});

test("details cross the worker protocol: new and changed entries only; earlier snapshots keep theirs", () => {
  const enc = new SnapshotEncoder();
  const dec = new SnapshotDecoder();
  const a = snap(["app;[libfoo.so] 1"]);
  const id = a.names.indexOf("[libfoo.so]");
  a.details = a.names.map((_, i) => (i === id ? "libfoo.so+0x10" : null));
  const w1 = enc.encode(a).wire;
  expect(w1.details).toEqual([[id, "libfoo.so+0x10"]]);
  const d1 = dec.decode(w1);
  expect(d1.details![id]).toBe("libfoo.so+0x10");
  const b = snap(["app;[libfoo.so] 2"]);
  b.details = b.names.map((_, i) => (i === id ? "2 addresses: libfoo.so+0x10 libfoo.so+0x20" : null));
  const w2 = enc.encode(b).wire;
  expect(w2.details).toEqual([[id, "2 addresses: libfoo.so+0x10 libfoo.so+0x20"]]);
  const d2 = dec.decode(w2);
  expect(d2.details![id]).toBe("2 addresses: libfoo.so+0x10 libfoo.so+0x20");
  expect(d1.details![id]).toBe("libfoo.so+0x10");
  const w3 = enc.encode(snap(["app;[libfoo.so] 3"])).wire; // no details: none change
  expect(w3.details).toEqual([]);
});
