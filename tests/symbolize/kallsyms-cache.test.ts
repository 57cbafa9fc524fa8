// The kernel symbol table cache: a serialized table resolves exactly like the parsed file, a
// second run is served from the cache, and an address the cached table lacks (a BPF program or
// module that appeared later) makes the symbolizer read the real file again.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FrameKind, FrameTable } from "../../src/profile/frames.ts";
import { Kallsyms, kernelAddr } from "../../src/symbolize/kallsyms.ts";
import { Symbolizer } from "../../src/symbolize/symbolizer.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-kcache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("serialize -> deserialize resolves every symbol of this kernel's kallsyms the same way", () => {
  const k = new Kallsyms(readFileSync("/proc/kallsyms"));
  if (!k.available) return; // not root: addresses hidden (the live tests run as root)
  const c = Kallsyms.deserialize(k.serialize())!;
  expect(c).not.toBeNull();
  let checked = 0;
  for (let i = 0; i < k.size; i++) {
    if (k.module(i) === "[bpf]") continue;
    for (const a of [k.starts[i]!, (k.starts[i]! + k.ends[i]!) / 2]) {
      const x = k.lookup(a);
      const y = c.lookup(a);
      expect(y === -1 ? null : [c.name(y), c.module(y), c.starts[y], c.ends[y]]).toEqual(x === -1 ? null : [k.name(x), k.module(x), k.starts[x], k.ends[x]]);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(1000);
  expect(Kallsyms.deserialize(new Uint8Array(40))).toBeNull();
});

test("the second run is served from the cache; an address it lacks reads the real file again", () => {
  const a = (lo: number) => `ffffffff${lo.toString(16).padStart(8, "0")}`;
  const file = join(dir, "kallsyms");
  writeFileSync(file, `${a(0x81000000)} T _stext\n${a(0x81000100)} T alpha\n${a(0x81000200)} t beta\n${a(0x81000300)} T _etext\n`);
  const cacheDir = join(dir, "cache");
  const name = (s: Symbolizer, ft: FrameTable, lo: number) => ft.names[s.kernelFrame(kernelAddr(0xffffffff, lo))];

  const ft1 = new FrameTable();
  const s1 = new Symbolizer(ft1, { kallsymsPath: file, cacheDir, perfMapDir: null });
  expect(name(s1, ft1, 0x81000180)).toBe("alpha");
  expect(s1.stats().kallsymsFromCache).toBe(0);

  // A program appears after the cache was written.
  writeFileSync(file, `${a(0x81000000)} T _stext\n${a(0x81000100)} T alpha\n${a(0x81000200)} t beta\n${a(0x81000300)} T _etext\n${a(0xc0001000)} t bpf_prog_1234_flametui\t[bpf]\n`);
  const ft2 = new FrameTable();
  const s2 = new Symbolizer(ft2, { kallsymsPath: file, cacheDir, perfMapDir: null });
  expect(name(s2, ft2, 0x81000210)).toBe("beta");
  expect(s2.stats().kallsymsFromCache).toBe(1);
  expect(s2.stats().kallsymsLoads).toBe(1);
  expect(name(s2, ft2, 0xc0001010)).toBe("bpf_prog_1234_flametui");
  expect(s2.stats().kallsymsLoads).toBe(2); // the miss read /proc (here: the file) again
  expect(ft2.kinds[ft2.lookup("bpf_prog_1234_flametui", FrameKind.Kernel, "[bpf]")!]).toBe(FrameKind.Kernel);
});
