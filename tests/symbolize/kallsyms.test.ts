// Kernel symbols: parsing rules on crafted text, and real /proc/kallsyms lookups through the
// Symbolizer with the sampler's address convention (addr - 0xffff000000000000).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { FrameKind, FrameTable } from "../../src/profile/frames.ts";
import { Kallsyms, kernelAddr, parseKernelHex } from "../../src/symbolize/kallsyms.ts";
import { Symbolizer } from "../../src/symbolize/symbolizer.ts";

const K = (hex: string) => parseKernelHex(hex);

describe("kallsyms parsing", () => {
  const text = [
    "ffffffff81000000 T _text",
    "ffffffff81001000 T alpha",
    "ffffffff81001ff0 T __pfx_beta",
    "ffffffff81002000 t beta",
    "ffffffff81002800 D some_data",
    "ffffffff81003000 W weak_fn",
    "ffffffff81004000 T _etext",
    "ffffffffc0001000 t mod_fn\t[ext4]",
    "ffffffffc0001100 T mod_fn2\t[ext4]",
    "ffffffffc0a00000 t bpf_prog_abc_handler\t[bpf]",
    "",
  ].join("\n");
  const k = new Kallsyms(text);

  test("address convention is exact", () => {
    expect(kernelAddr(0xffffffff, 0x81000000)).toBe(0xffff81000000);
    expect(K("ffffffffc0001100")).toBe(0xffffc0001100);
    expect(K("ffff888000000000")).toBe(0x888000000000);
    expect(Number.isNaN(K("00007fff00000000"))).toBe(true);
  });

  test("text symbols only, sorted, __pfx_ skipped, modules kept", () => {
    expect(k.available).toBe(true);
    const at = (hex: string) => {
      const i = k.lookup(K(hex));
      return i < 0 ? null : [k.names[i], k.module(i)];
    };
    expect(at("ffffffff81001000")).toEqual(["alpha", null]);
    expect(at("ffffffff81001ff4")).toEqual(["alpha", null]); // __pfx_ padding belongs to the previous symbol
    expect(at("ffffffff81002900")).toEqual(["beta", null]); // data symbols do not end text symbols
    expect(at("ffffffff81003010")).toEqual(["weak_fn", null]);
    expect(at("ffffffff81004000")).toBeNull(); // _etext ends kernel text
    expect(at("ffffffff80ffffff")).toBeNull();
    expect(at("ffffffffc0001000")).toEqual(["mod_fn", "[ext4]"]);
    expect(at("ffffffffc0001180")).toEqual(["mod_fn2", "[ext4]"]);
    expect(at("ffffffffc0a00010")).toEqual(["bpf_prog_abc_handler", "[bpf]"]);
    expect(at("ffffffffc0900000")).toBeNull(); // far past the last [ext4] symbol
    expect(k.names).not.toContain("__pfx_beta");
    expect(k.names).not.toContain("some_data");
  });

  test("hidden addresses (not root) make symbols unavailable with a reason", () => {
    const hidden = new Kallsyms("0000000000000000 T _text\n0000000000000000 T alpha\n");
    expect(hidden.available).toBe(false);
    expect(hidden.reason).toContain("kptr_restrict");
    const ft = new FrameTable();
    const sy = new Symbolizer(ft, { kallsymsPath: "/nonexistent/kallsyms" });
    const id = sy.kernelFrame(K("ffffffff81001000"));
    expect(ft.kinds[id]).toBe(FrameKind.Unresolved);
    expect(ft.names[id]).toBe("[kernel: no kallsyms]");
  });
});

describe("kallsyms on this machine", () => {
  const text = readFileSync("/proc/kallsyms", "latin1");
  const lines = text.split("\n").map((l) => l.split(/\s+/));
  const aliases = (hex: string) => lines.filter((f) => f[0] === hex && /^[tTwW]$/.test(f[1]!)).map((f) => f[2]);
  const find = (name: string) => lines.find((f) => f[2] === name && /^[tT]$/.test(f[1]!));

  test("known functions resolve at their start and middle", () => {
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    let checked = 0;
    for (const name of ["schedule", "vfs_read", "do_sys_openat2", "__x64_sys_getpid", "ksys_write"]) {
      const f = find(name);
      if (!f) continue;
      const a = K(f[0]!);
      const names = aliases(f[0]!); // e.g. __do_sys_getpid, __ia32_sys_getpid, __x64_sys_getpid
      for (const d of [0, 1, 7]) {
        const id = sy.kernelFrame(a + d);
        expect(ft.kinds[id]).toBe(FrameKind.Kernel);
        expect(names).toContain(ft.names[id]);
        if (names.length === 1) expect(ft.names[id]).toBe(name);
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(sy.stats().kallsymsLoads).toBe(1);
  });

  test("__pfx_ padding never names a frame; addresses outside text are unresolved", () => {
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    const pfx = find("__pfx_schedule");
    if (pfx) {
      const id = sy.kernelFrame(K(pfx[0]!) + 2);
      expect(ft.names[id]!.startsWith("__pfx_")).toBe(false);
      expect(ft.kinds[id]).toBe(FrameKind.Kernel);
    }
    const direct = sy.kernelFrame(K("ffff888000000000")); // direct map, not text
    expect({ name: ft.names[direct], kind: ft.kinds[direct] }).toEqual({ name: "[unknown kernel]", kind: FrameKind.Unresolved });
  });

  test("every text symbol resolves to itself (bar duplicates at one address)", () => {
    const k = new Kallsyms(text); // same snapshot: BPF programs come and go while tests run
    let bad = 0;
    let n = 0;
    for (const f of lines) {
      if (f.length < 3 || !/^[tTwW]$/.test(f[1]!) || f[2]!.startsWith("__pfx_")) continue;
      const a = K(f[0]!);
      const i = k.lookup(a);
      n++;
      if (i >= 0 && k.starts[i] !== a) bad++;
      if (i < 0 && !["_etext", "_einittext", "__irqentry_text_end", "__softirqentry_text_end"].includes(f[2]!)) bad++;
    }
    expect(n).toBeGreaterThan(1000);
    expect(bad).toBe(0);
  });

  test("module symbols carry their module", () => {
    const k = new Kallsyms(text);
    const mod = lines.find((f) => f.length >= 4 && /^[tT]$/.test(f[1]!) && f[3]!.startsWith("[") && !f[2]!.startsWith("__pfx_"));
    if (!mod) return;
    const i = k.lookup(K(mod[0]!));
    expect(k.module(i)).toBe(mod[3]!);
  });

  test("cached kernel lookups", () => {
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    const a = K(find("schedule")![0]!) + 4;
    const id = sy.kernelFrame(a);
    for (let i = 0; i < 10; i++) expect(sy.kernelFrame(a)).toBe(id);
    expect(sy.stats().kernelCacheHits).toBe(10);
  });
});
