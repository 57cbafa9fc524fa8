// /proc/PID/maps parsing: crafted lines covering every path form, and this process's own maps.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { findMapping, isExecutable, isFileBacked, parseMaps, procMapsStats, readMaps } from "../../src/symbolize/proc-maps.ts";

const TEXT = [
  "55d0c0a00000-55d0c0a01000 r--p 00000000 fe:00 1234                       /usr/bin/prog",
  "55d0c0a01000-55d0c0a02000 r-xp 00001000 fe:00 1234                       /usr/bin/prog",
  "55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0                          [heap]",
  "7f0000000000-7f0000001000 rwxp 00000000 00:00 0 ",
  "7f0000001000-7f0000002000 r-xp 0000a000 00:01 24                         /memfd:sealed-91 (deleted)",
  "7f0000002000-7f0000003000 r-xp 00002000 fe:00 99                         /opt/my app/lib with space.so",
  "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]",
  "7ffd00100000-7ffd00102000 r-xp 00000000 00:00 0                          [vdso]",
  "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
  "garbage line",
].join("\n");

describe("proc maps", () => {
  const { maps, bad } = parseMaps(TEXT);

  test("fields and special names", () => {
    expect(bad).toBe(1);
    expect(maps.length).toBe(9);
    expect(maps[1]).toEqual({
      start: 0x55d0c0a01000,
      end: 0x55d0c0a02000,
      perms: "r-xp",
      offset: 0x1000,
      dev: "fe:00",
      inode: 1234,
      path: "/usr/bin/prog",
      deleted: false,
      range: "55d0c0a01000-55d0c0a02000",
    });
    expect(maps[2]!.path).toBe("[heap]");
    expect(maps[3]!.path).toBe("");
    expect(isExecutable(maps[3]!)).toBe(true);
    expect(isFileBacked(maps[3]!)).toBe(false);
    expect(maps[4]).toMatchObject({ path: "/memfd:sealed-91", deleted: true, offset: 0xa000, inode: 24 });
    expect(isFileBacked(maps[4]!)).toBe(true);
    expect(maps[5]!.path).toBe("/opt/my app/lib with space.so");
    expect(maps[7]!.path).toBe("[vdso]");
    expect(isFileBacked(maps[7]!)).toBe(false);
    expect(maps[8]!.path).toBe("[vsyscall]");
  });

  test("lookup by address", () => {
    expect(findMapping(maps, 0x55d0c0a01000)).toBe(1);
    expect(findMapping(maps, 0x55d0c0a01fff)).toBe(1);
    expect(findMapping(maps, 0x55d0c0a02000)).toBe(-1);
    expect(findMapping(maps, 0x1000)).toBe(-1);
    expect(findMapping(maps, 0x7f0000002800)).toBe(5);
  });

  test("this process's maps", () => {
    const own = readMaps(process.pid).maps;
    expect(own.length).toBeGreaterThan(10);
    const exe = own.find((m) => isExecutable(m) && isFileBacked(m));
    expect(exe).toBeDefined();
    expect(own.some((m) => m.path === "[stack]")).toBe(true);
    for (let i = 1; i < own.length; i++) expect(own[i]!.start).toBeGreaterThanOrEqual(own[i - 1]!.end);
  });

  test("a vanished pid throws ENOENT", () => {
    const gone = Bun.spawnSync(["true"]).pid;
    expect(() => readMaps(gone)).toThrow();
  });

  test("a huge maps file is read up to a limit, whole lines only, and counted", () => {
    mkdirSync("/var/tmp/flametui-tests", { recursive: true });
    const root = mkdtempSync("/var/tmp/flametui-tests/proc-maps-");
    try {
      mkdirSync(`${root}/42`);
      const line = (i: number) => `${(0x10000 + i * 0x1000).toString(16)}-${(0x11000 + i * 0x1000).toString(16)} r-xp 00000000 fe:00 7 /lib/x.so`;
      const text = `${Array.from({ length: 1000 }, (_, i) => line(i)).join("\n")}\n`;
      writeFileSync(`${root}/42/maps`, text);
      const whole = readMaps(42, root);
      expect(whole).toMatchObject({ bad: 0, truncated: false });
      expect(whole.maps.length).toBe(1000);
      const before = procMapsStats.truncated;
      const cut = readMaps(42, root, line(0).length * 10 + 15);
      expect(cut.truncated).toBe(true);
      expect(cut.bad).toBe(0);
      expect(cut.maps.length).toBe(10);
      expect(procMapsStats.truncated).toBe(before + 1);
    } finally {
      rmSync(root, { recursive: true });
    }
  });
});
