// Unnamed addresses grouped as perf script's importer groups them: one frame per file
// ("[sym-basic-stripped]", module = its path), "[anon]", "[unknown]"; the addresses each frame
// stands for stay available through detail(id), and `addresses: true` keeps a frame per address.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { FrameKind, FrameTable } from "../../src/profile/frames.ts";
import { Symbolizer } from "../../src/symbolize/symbolizer.ts";
import { buildPrograms, runProgram, type Running } from "./programs.ts";

const b = buildPrograms();
const running: Running[] = [];
afterAll(async () => {
  for (const r of running) await r.kill();
});

function fileOffset(pid: number, addr: number): number {
  for (const l of readFileSync(`/proc/${pid}/maps`, "utf8").trim().split("\n")) {
    const f = l.split(/\s+/);
    const [s, e] = f[0]!.split("-").map((x) => parseInt(x, 16));
    if (addr >= s! && addr < e!) return addr - s! + parseInt(f[2]!, 16);
  }
  throw new Error("unmapped");
}

describe("unnamed frames grouped", () => {
  test("a stripped binary's unnamed addresses share one frame per file; detail lists the offsets", async () => {
    const r = await runProgram(b.stripped);
    running.push(r);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft, { debugDirs: [] });
    const a1 = r.addrs.sym_hidden! + 2;
    const a2 = r.addrs.sym_hidden! + 7;
    const id = sy.userFrame(r.pid, a1);
    expect(sy.userFrame(r.pid, a2)).toBe(id);
    expect({ name: ft.names[id], kind: ft.kinds[id], module: ft.modules[id] }).toEqual({ name: "[sym-basic-stripped]", kind: FrameKind.Unresolved, module: b.stripped });
    const [o1, o2] = [fileOffset(r.pid, a1), fileOffset(r.pid, a2)];
    expect(sy.detail(id)).toBe(`2 addresses: sym-basic-stripped+0x${o1.toString(16)} sym-basic-stripped+0x${o2.toString(16)}`);
    // a named address is not grouped
    expect(ft.names[sy.userFrame(r.pid, r.addrs.sym_alpha! + 1)]).toBe("sym_alpha");
    expect(sy.detail(sy.userFrame(r.pid, r.addrs.sym_alpha! + 1))).toBeUndefined();
  });

  test("one address: the detail is that address; [anon] and [unknown] keep absolute addresses", async () => {
    const r = await runProgram(b.pie);
    running.push(r);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft, { perfMapDir: null });
    const anon = sy.userFrame(r.pid, r.addrs.anon! + 16);
    expect(ft.names[anon]).toBe("[anon]");
    expect(sy.detail(anon)).toBe(`0x${(r.addrs.anon! + 16).toString(16)}`);
    sy.userFrame(r.pid, r.addrs.anon! + 32);
    expect(sy.detail(anon)).toStartWith("2 addresses: 0x");
    const unk = sy.userFrame(r.pid, 0x1000);
    expect(ft.names[unk]).toBe("[unknown]");
    expect(sy.detail(unk)).toBe("0x1000");
  });

  test("addresses: true names each address by its file offset", async () => {
    const r = await runProgram(b.stripped);
    running.push(r);
    const ft = new FrameTable();
    const sy = new Symbolizer(ft, { debugDirs: [], addresses: true });
    const a = sy.userFrame(r.pid, r.addrs.sym_hidden! + 2);
    const c = sy.userFrame(r.pid, r.addrs.sym_hidden! + 7);
    expect(a).not.toBe(c);
    expect(ft.names[a]).toBe(`sym-basic-stripped+0x${fileOffset(r.pid, r.addrs.sym_hidden! + 2).toString(16)}`);
    expect(sy.detail(a)).toBeUndefined();
  });
});
