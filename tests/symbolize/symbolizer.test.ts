// Symbolizer on live processes built here: PIE, non-PIE, shared library, stripped, deleted
// binaries, anonymous memory, vDSO, JIT maps, and the per-file cache shared across processes.
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FrameKind, FrameTable } from "../../src/profile/frames.ts";
import { Symbolizer } from "../../src/symbolize/symbolizer.ts";
import { buildPrograms, nmFunctions, objdumpPltStubs, runProgram, type Running } from "./programs.ts";

const b = buildPrograms();
const running: Running[] = [];
afterAll(async () => {
  for (const r of running) await r.kill();
});
async function start(path: string): Promise<Running> {
  const r = await runProgram(path);
  running.push(r);
  return r;
}

/** Maps lines of a pid, split by hand (independent of proc-maps.ts). */
function rawMaps(pid: number): { start: number; end: number; offset: number; path: string }[] {
  return readFileSync(`/proc/${pid}/maps`, "utf8").trim().split("\n").map((l) => {
    const f = l.split(/\s+/);
    const [s, e] = f[0]!.split("-");
    return { start: parseInt(s!, 16), end: parseInt(e!, 16), offset: parseInt(f[2]!, 16), path: f.slice(5).join(" ") };
  });
}

function frame(ft: FrameTable, id: number) {
  return { name: ft.names[id], kind: ft.kinds[id], module: ft.modules[id] };
}

describe("symbolizer: user space", () => {
  for (const [label, path] of [["PIE", b.pie], ["non-PIE", b.nopie]] as const) {
    test(`${label}: function starts and middles`, async () => {
      const r = await start(path);
      const ft = new FrameTable();
      const sy = new Symbolizer(ft);
      for (const fn of ["sym_alpha", "sym_beta", "sym_hidden", "main"]) {
        for (const delta of [0, 1, 9]) {
          expect(frame(ft, sy.userFrame(r.pid, r.addrs[fn]! + delta))).toEqual({ name: fn, kind: FrameKind.User, module: path });
        }
      }
    });
  }

  test("PLT stubs are named <function>@plt, as perf names them", async () => {
    const r = await start(b.pie);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    const bias = r.addrs.main! - nmFunctions(b.pie).find((f) => f.name === "main")!.addr;
    const stubs = [...objdumpPltStubs(b.pie)];
    expect(stubs.length).toBeGreaterThan(0);
    for (const [addr, name] of stubs) {
      expect(frame(ft, sy.userFrame(r.pid, bias + addr + 4))).toEqual({ name: `${name}@plt`, kind: FrameKind.User, module: b.pie });
    }
  });

  test("shared library functions name the library as module", async () => {
    const r = await start(b.uselib);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    for (const fn of ["symlib_gamma", "symlib_delta"]) {
      expect(frame(ft, sy.userFrame(r.pid, r.addrs[fn]! + 4))).toEqual({ name: fn, kind: FrameKind.User, module: b.lib });
    }
    expect(frame(ft, sy.userFrame(r.pid, r.addrs.main!)).name).toBe("main");
  });

  test("stripped binary: exported names from .dynsym, others as file+offset (--addresses)", async () => {
    const r = await start(b.stripped);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft, { debugDirs: [], addresses: true });
    expect(frame(ft, sy.userFrame(r.pid, r.addrs.sym_alpha! + 3)).name).toBe("sym_alpha");
    expect(frame(ft, sy.userFrame(r.pid, r.addrs.main!)).name).toBe("main");
    const addr = r.addrs.sym_hidden! + 2;
    const m = rawMaps(r.pid).find((x) => addr >= x.start && addr < x.end)!;
    const off = addr - m.start + m.offset;
    expect(frame(ft, sy.userFrame(r.pid, addr))).toEqual({
      name: `sym-basic-stripped+0x${off.toString(16)}`,
      kind: FrameKind.Unresolved,
      module: b.stripped,
    });
  });

  test("stripped binary with a separate debug file (by build-id) gets every name", async () => {
    const r = await start(b.stripped);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft, { debugDirs: ["/nonexistent", b.debugDir] });
    expect(frame(ft, sy.userFrame(r.pid, r.addrs.sym_hidden! + 2))).toEqual({ name: "sym_hidden", kind: FrameKind.User, module: b.stripped });
    expect(frame(ft, sy.userFrame(r.pid, r.addrs.sym_alpha! + 2)).name).toBe("sym_alpha");
    expect(sy.stats().debugFiles).toBe(1);
  });

  test("libc static functions through the installed debug file (libc6-dbg), if present", async () => {
    const r = await start(b.pie);
    const libc = rawMaps(r.pid).find((m) => m.path.includes("libc.so") && m.offset === 0);
    if (!libc) return;
    const id = /Build ID: ([0-9a-f]+)/.exec(Bun.spawnSync(["readelf", "-n", libc.path]).stdout.toString())?.[1];
    const dbg = id ? `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug` : "";
    if (!dbg || !require("node:fs").existsSync(dbg)) return;
    const nm = Bun.spawnSync(["nm", dbg]).stdout.toString().split("\n").map((l) => l.split(" "));
    const f = nm.find((x) => x[2] === "_int_malloc" && x[1] === "t");
    if (!f) return;
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    expect(frame(ft, sy.userFrame(r.pid, libc.start + parseInt(f[0]!, 16) + 3)).name).toBe("_int_malloc");
    expect(sy.stats().debugFiles).toBe(1);
  });

  test("anonymous memory, special mappings, unmapped addresses and exited processes", async () => {
    const r = await start(b.pie);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft, { perfMapDir: null });
    expect(frame(ft, sy.userFrame(r.pid, r.addrs.anon! + 16))).toEqual({ name: "[anon]", kind: FrameKind.Unresolved, module: null });
    const stack = rawMaps(r.pid).find((m) => m.path === "[stack]")!;
    expect(frame(ft, sy.userFrame(r.pid, stack.start + 8)).name).toBe("[stack]");
    expect(frame(ft, sy.userFrame(r.pid, 0x10)).name).toBe("[unknown]");
    // A pid that has come and gone: maps were never read.
    const gone = Bun.spawnSync(["true"]).pid;
    expect(frame(ft, sy.userFrame(gone, 0x401000)).name).toBe("[exited]");
    expect(sy.processName(gone, "true")).toBe("true");
  });

  test("vDSO symbols resolve (checked against nm on the dumped image)", async () => {
    const r = await start(b.pie);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    const v = rawMaps(r.pid).find((m) => m.path === "[vdso]")!;
    const dir = mkdtempSync(join(tmpdir(), "flametui-vdso-"));
    try {
      const fd = require("node:fs").openSync(`/proc/${r.pid}/mem`, "r");
      const buf = Buffer.alloc(v.end - v.start);
      require("node:fs").readSync(fd, buf, 0, buf.length, v.start);
      require("node:fs").closeSync(fd);
      writeFileSync(join(dir, "vdso.so"), buf);
      const nm = Bun.spawnSync(["nm", "-D", "--defined-only", join(dir, "vdso.so")]).stdout.toString();
      const fns = nm.split("\n").map((l) => l.split(" ")).filter((f) => f[1] === "T" || f[1] === "W");
      expect(fns.length).toBeGreaterThan(0);
      const [hex] = fns.find((f) => f[2]!.includes("clock_gettime")) ?? fns[0]!;
      // Aliases share an address (clock_gettime is a weak alias of __vdso_clock_gettime): the
      // name people know, exported without leading underscores, is chosen.
      const names = fns.filter((f) => f[0] === hex).map((f) => f[2]!.replace(/@.*$/, ""));
      const id = sy.userFrame(r.pid, v.start + parseInt(hex!, 16) + 2);
      expect(frame(ft, id).kind).toBe(FrameKind.User);
      expect(frame(ft, id).module).toBe("[vdso]");
      expect(names).toContain(frame(ft, id).name!);
      if (names.includes("clock_gettime")) expect(frame(ft, id).name).toBe("clock_gettime");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("JIT names from perf-PID.map cover anonymous code", async () => {
    const r = await start(b.pie);
    const dir = mkdtempSync(join(tmpdir(), "flametui-jit-"));
    try {
      const a = r.addrs.anon!;
      writeFileSync(join(dir, `perf-${r.pid}.map`), `${a.toString(16)} 40 old_name\n${a.toString(16)} 40 js_hot_loop\n${(a + 0x40).toString(16)} 20 LazyCompile:*other\n`);
      const ft = new FrameTable();
      const sy = new Symbolizer(ft, { perfMapDir: dir });
      expect(frame(ft, sy.userFrame(r.pid, a + 8))).toEqual({ name: "js_hot_loop", kind: FrameKind.Jit, module: "[jit]" });
      expect(frame(ft, sy.userFrame(r.pid, a + 0x45)).name).toBe("LazyCompile:*other");
      expect(frame(ft, sy.userFrame(r.pid, a + 0x100)).name).toBe("[anon]");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("deleted binary resolves through /proc/PID/map_files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flametui-del-"));
    const exe = join(dir, "sym-deleted");
    copyFileSync(b.pie, exe);
    require("node:fs").chmodSync(exe, 0o755);
    const r = await start(exe);
    unlinkSync(exe);
    rmSync(dir, { recursive: true, force: true });
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    expect(frame(ft, sy.userFrame(r.pid, r.addrs.sym_beta! + 5))).toEqual({ name: "sym_beta", kind: FrameKind.User, module: exe });
    expect(sy.stats().elfViaProc).toBe(1);
    expect(sy.processName(r.pid, "comm")).toBe("sym-deleted");
  });

  test("two processes of one binary share one loaded ELF; repeated addresses hit the cache", async () => {
    const r1 = await start(b.pie);
    const r2 = await start(b.pie);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    const id1 = sy.userFrame(r1.pid, r1.addrs.sym_alpha! + 1);
    const id2 = sy.userFrame(r2.pid, r2.addrs.sym_alpha! + 1);
    expect(id1).toBe(id2);
    expect(sy.stats().elfLoaded).toBe(1);
    for (let i = 0; i < 100; i++) expect(sy.userFrame(r1.pid, r1.addrs.sym_alpha! + 1)).toBe(id1);
    const s = sy.stats();
    expect(s.userCacheHits).toBe(100);
    expect(s.mapsReads).toBe(2);
    expect(s.pids).toBe(2);
    expect(sy.processName(r1.pid, "x")).toBe("sym-basic-pie");
  });

  test("stacks: return addresses after the first frame are looked up at addr - 1", async () => {
    const r = await start(b.pie);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    const sizes = Bun.spawnSync(["nm", "-S", "--defined-only", b.pie]).stdout.toString().split("\n").map((l) => l.split(" "));
    const alpha = sizes.find((f) => f[3] === "sym_alpha")!;
    const end = r.addrs.sym_alpha! + parseInt(alpha[1]!, 16); // one past sym_alpha: a call's return address
    const out: number[] = [];
    sy.userStack(r.pid, [r.addrs.sym_beta! + 1, end, r.addrs.main! + 4], 3, out);
    expect(out.map((id) => ft.names[id])).toEqual(["sym_beta", "sym_alpha", "main"]);
    expect(ft.names[sy.userFrame(r.pid, end)]).not.toBe("sym_alpha");
  });

  test("maps are re-read for unknown addresses at most once per refresh interval; forgetPid drops state", async () => {
    const r = await start(b.pie);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft, { mapsRefreshMs: 60_000 });
    sy.processName(r.pid, "x"); // first sight reads maps
    expect(sy.stats().mapsReads).toBe(1);
    sy.userFrame(r.pid, 0x10);
    sy.userFrame(r.pid, 0x20);
    expect(sy.stats().mapsReads).toBe(1);
    const sy2 = new Symbolizer(ft, { mapsRefreshMs: 0 });
    sy2.userFrame(r.pid, 0x10);
    sy2.userFrame(r.pid, 0x20);
    expect(sy2.stats().mapsReads).toBe(3);
    sy.forgetPid(r.pid);
    expect(sy.stats().pids).toBe(0);
    expect(frame(ft, sy.userFrame(r.pid, r.addrs.main!)).name).toBe("main");
    expect(sy.stats().mapsReads).toBe(2);
  });
});
