// The kernel symbol table cache: a serialized table resolves exactly like the parsed file, a
// second run is served from the cache, and an address the cached table lacks (a BPF program or
// module that appeared later) makes the symbolizer read the real file again.

import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FrameKind, FrameTable } from "../../src/profile/frames.ts";
import { Kallsyms, kernelAddr } from "../../src/symbolize/kallsyms.ts";
import { cacheKey } from "../../src/symbolize/kallsyms-cache.ts";
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

describe("the cache is trusted only when it is ours and nobody else can write it", () => {
  const a = (lo: number) => `ffffffff${lo.toString(16).padStart(8, "0")}`;
  const real = `${a(0x81000000)} T _stext\n${a(0x81000100)} T alpha\n${a(0x81000300)} T _etext\n`;
  const forged = new Kallsyms(new TextEncoder().encode(`${a(0x81000000)} T _stext\n${a(0x81000100)} T forged_name\n${a(0x81000300)} T _etext\n`));

  /** A cache dir holding a forged table under the right key; `tweak` spoils it in one way. */
  function planted(tweak: (cacheDir: string, file: string) => void) {
    const root = mkdtempSync(join(dir, "trust-"));
    const file = join(root, "kallsyms");
    writeFileSync(file, real);
    const cacheDir = join(root, "cache");
    mkdirSync(cacheDir, { mode: 0o700 });
    const cached = join(cacheDir, `kallsyms-${cacheKey("/proc", file)}.bin`);
    writeFileSync(cached, forged.serialize(), { mode: 0o600 });
    tweak(cacheDir, cached);
    const ft = new FrameTable();
    const log: string[] = [];
    const s = new Symbolizer(ft, { kallsymsPath: file, cacheDir, perfMapDir: null, log: (l) => log.push(l) });
    return { name: ft.names[s.kernelFrame(kernelAddr(0xffffffff, 0x81000180))], stats: s.stats(), log: log.join("\n"), cacheDir, cached };
  }

  test("our own private cache is used (the forged name shows it was read)", () => {
    expect(planted(() => {}).name).toBe("forged_name");
  });

  test("a group/world-writable directory: not read, not written", () => {
    const r = planted((d) => chmodSync(d, 0o777));
    expect(r.name).toBe("alpha");
    expect(r.stats.kallsymsFromCache).toBe(0);
    expect(r.log).toMatch(/cache directory .* writable by others \(mode 777\): not used/);
    expect(r.log).toMatch(/not written/);
    expect(readdirSync(r.cacheDir)).toHaveLength(1); // only the planted file
  });

  test("a world-writable cache file is ignored", () => {
    const r = planted((_, f) => chmodSync(f, 0o666));
    expect(r.name).toBe("alpha");
    expect(r.log).toMatch(/writable by others \(mode 666\): ignored/);
  });

  test("a cache directory that is a symlink is not followed", () => {
    const r = planted((d) => {
      renameSync(d, `${d}.real`);
      symlinkSync(`${d}.real`, d);
    });
    expect(r.name).toBe("alpha");
  });

  test.skipIf(process.getuid?.() !== 0)("a file or directory owned by another user is ignored", () => {
    const other = planted((_, f) => chownSync(f, 12345, 12345));
    expect(other.name).toBe("alpha");
    expect(other.log).toMatch(/owned by uid 12345, not 0: ignored/);
    const otherDir = planted((d) => chownSync(d, 12345, 12345));
    expect(otherDir.name).toBe("alpha");
    expect(otherDir.log).toMatch(/directory .* owned by uid 12345, not 0: not used/);
  });
});
