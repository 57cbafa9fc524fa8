// Unwind tables kept between runs (src/unwind/table-cache.ts): a table read back is the table
// built, row for row; it is filed by what it is built from, so changed CFI bytes (a library
// updated in place, a file claiming another's build-id) never get another file's table; a
// damaged or untrusted cache file is rebuilt over or ignored, never used.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bufferSource, fdSource } from "../../src/symbolize/elf.ts";
import { findRow, tableFromInputs, unwindInputs, unwindTable, type UnwindInputs, type UnwindTable } from "../../src/unwind/cfi-table.ts";
import { writeCacheFile } from "../../src/fs/cache-dir.ts";
import { CACHE_FILE_MAX, cachedUnwindTable, deserializeTable, inputKey, serializeTable, tableFileBytes, type TableCacheStats } from "../../src/unwind/table-cache.ts";

const LIBC = ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/aarch64-linux-gnu/libc.so.6"].find((p) => existsSync(p))!;
const work = mkdtempSync("/var/tmp/flametui-table-cache-");
afterAll(() => rmSync(work, { recursive: true, force: true }));

function inputsOf(bytes: Uint8Array): UnwindInputs {
  const inputs = unwindInputs(bufferSource(bytes));
  expect(inputs).not.toBeNull();
  return inputs!;
}

function libcInputs(): UnwindInputs {
  const fd = openSync(LIBC, "r");
  try {
    return unwindInputs(fdSource(fd, Bun.file(LIBC).size, LIBC))!;
  } finally {
    closeSync(fd);
  }
}

function expectSameTable(got: UnwindTable, want: UnwindTable): void {
  expect(got.count).toBe(want.count);
  expect(got.arch).toBe(want.arch);
  expect(got.sources).toEqual(want.sources);
  expect(got.cfiBytes).toBe(want.cfiBytes);
  expect(got.bytes).toBe(want.bytes);
  expect(got.truncated).toBe(want.truncated ?? false);
  for (const k of ["pc", "cfaKind", "cfaOffset", "raKind", "raOffset", "fpKind", "fpOffset", "signalFrame"] as const) {
    expect(got[k] === undefined).toBe(want[k] === undefined);
    if (want[k] !== undefined) expect(Buffer.from(got[k]!.buffer, got[k]!.byteOffset, got[k]!.byteLength).equals(Buffer.from(want[k]!.buffer, want[k]!.byteOffset, want[k]!.byteLength))).toBe(true);
  }
}

const newStats = (): TableCacheStats => ({ unwindFromCache: 0, unwindCached: 0 });

describe("unwind table files", () => {
  test("libc's table survives serialize and deserialize row for row, and finds the same rows", () => {
    const want = tableFromInputs(libcInputs())!;
    expect(want.count).toBeGreaterThan(10_000);
    const got = deserializeTable(serializeTable(want))!;
    expectSameTable(got, want);
    for (let i = 0; i < want.count; i += 97) expect(findRow(got, want.pc[i]! + 1)).toBe(findRow(want, want.pc[i]! + 1));
  });

  test("a truncated, lengthened, unsorted or foreign file is not a table", () => {
    const good = serializeTable(tableFromInputs(libcInputs())!);
    expect(deserializeTable(good.subarray(0, good.length - 1))).toBeNull();
    expect(deserializeTable(new Uint8Array([...good, 0]))).toBeNull();
    const unsorted = good.slice();
    new DataView(unsorted.buffer).setFloat64(32 + 8 * 5, 2 ** 50, true); // row 5's pc after row 6's
    expect(deserializeTable(unsorted)).toBeNull();
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(8, 0xffffffff, true);
    expect(deserializeTable(huge)).toBeNull();
    expect(deserializeTable(new TextEncoder().encode("not a table at all, just text that is long"))).toBeNull();
  });
});

describe("cachedUnwindTable", () => {
  test("the first run builds and writes libc's table, the next reads it back", () => {
    const dir = join(work, "fresh");
    const s1 = newStats();
    const built = cachedUnwindTable(libcInputs(), dir, () => {}, s1)!;
    expect(s1).toEqual({ unwindFromCache: 0, unwindCached: 1 });
    const files = readdirSync(dir);
    expect(files).toEqual([`unwind-${inputKey(libcInputs())}.bin`]);
    const s2 = newStats();
    const read = cachedUnwindTable(libcInputs(), dir, () => {}, s2)!;
    expect(s2).toEqual({ unwindFromCache: 1, unwindCached: 0 });
    expectSameTable(read, built);
  });

  test("a library whose CFI bytes changed (same build-id, same path) gets its own table", () => {
    const bytes = new Uint8Array(readFileSync(LIBC));
    const inputs = inputsOf(bytes);
    const eh = inputs.frames.find((f) => f.kind === ".eh_frame")!;
    // Flip one instruction byte deep inside .eh_frame: the build-id note is untouched.
    const start = findSection(bytes, eh.bytes);
    expect(start).toBeGreaterThan(0);
    const at = start + (eh.bytes.length >> 1);
    const changed = bytes.slice();
    changed[at] = changed[at]! ^ 0xff;
    expect(inputKey(inputsOf(changed))).not.toBe(inputKey(inputs));
    expect(inputKey(inputsOf(bytes.slice()))).toBe(inputKey(inputs));
  });

  test("small tables are built, not filed", () => {
    const dir = join(work, "small");
    const s = newStats();
    const inputs = inputsOf(new Uint8Array(readFileSync("/bin/true")));
    inputs.frames = inputs.frames.map((f) => ({ ...f, bytes: f.bytes.subarray(0, 512) })); // a few FDEs
    expect(inputs.frames.length).toBeGreaterThan(0);
    expect(cachedUnwindTable(inputs, dir, () => {}, s)).not.toBeNull();
    expect(s).toEqual({ unwindFromCache: 0, unwindCached: 0 });
    expect(existsSync(dir)).toBe(false);
  });

  test("a damaged cache file is built over; one writable by others is ignored", () => {
    const dir = join(work, "damaged");
    const inputs = libcInputs();
    const want = tableFromInputs(inputs)!;
    const file = join(dir, `unwind-${inputKey(inputs)}.bin`);
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(file, serializeTable(want).subarray(0, 1000), { mode: 0o600 });
    const s = newStats();
    expectSameTable(cachedUnwindTable(inputs, dir, () => {}, s)!, want);
    expect(s).toEqual({ unwindFromCache: 0, unwindCached: 1 });
    expectSameTable(deserializeTable(readFileSync(file))!, want);
    // The right bytes, but a file others could have written: not trusted.
    chmodSync(file, 0o666);
    const log: string[] = [];
    const s2 = newStats();
    cachedUnwindTable(inputs, dir, (l) => log.push(l), s2);
    expect(s2.unwindFromCache).toBe(0);
    expect(log.join("\n")).toMatch(/writable by others \(mode 666\): ignored/);
  });

  test("past 256 files the least recently used go", () => {
    const dir = join(work, "prune");
    mkdirSync(dir, { mode: 0o700 });
    const old = Date.now() / 1000 - 3600;
    for (let i = 0; i < 262; i++) {
      const f = join(dir, `unwind-old${i}.bin`);
      writeFileSync(f, "x", { mode: 0o600 });
      utimesSync(f, old + i, old + i);
    }
    writeFileSync(join(dir, "kallsyms-other.bin"), "k", { mode: 0o600 }); // other caches' files are not counted
    cachedUnwindTable(libcInputs(), dir, () => {}, newStats());
    const left = readdirSync(dir).filter((f) => f.startsWith("unwind-"));
    expect(left.length).toBe(256);
    expect(left).toContain(`unwind-${inputKey(libcInputs())}.bin`);
    expect(left).toContain("unwind-old261.bin");
    expect(left).not.toContain("unwind-old0.bin");
    expect(existsSync(join(dir, "kallsyms-other.bin"))).toBe(true);
  });
});

/** Where `section` (a copy of a file's bytes) starts in the file. */
function findSection(file: Uint8Array, section: Uint8Array): number {
  return Buffer.from(file.buffer, file.byteOffset, file.length).indexOf(Buffer.from(section.buffer, section.byteOffset, Math.min(64, section.length)));
}

describe("what the cache holds at most", () => {
  test("a table too big to keep (a file's CFI is its author's to choose) is used but not written", () => {
    const dir = join(work, "big");
    const n = Math.ceil(CACHE_FILE_MAX / 23) + 1;
    const huge = unwindTable({
      arch: "x86_64",
      count: n,
      pc: Float64Array.from({ length: n }, (_, i) => i * 4),
      cfaKind: new Uint8Array(n),
      cfaOffset: new Int32Array(n),
      raKind: new Uint8Array(n),
      raOffset: new Int32Array(n),
      fpKind: new Uint8Array(n),
      fpOffset: new Int32Array(n),
      signalFrame: undefined,
      sources: [".eh_frame"],
      cfiBytes: 1 << 20,
      truncated: false,
    });
    expect(tableFileBytes(huge)).toBeGreaterThan(CACHE_FILE_MAX);
    const s = newStats();
    expect(cachedUnwindTable(libcInputs(), dir, () => {}, s, () => huge)).toBe(huge);
    expect(s).toEqual({ unwindFromCache: 0, unwindCached: 0 });
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  test("past the byte budget the least recently used files go, whatever their number", () => {
    const dir = join(work, "bytes");
    mkdirSync(dir, { mode: 0o700 });
    const old = Date.now() / 1000 - 3600;
    for (let i = 0; i < 4; i++) {
      const f = join(dir, `c-${i}.bin`);
      writeFileSync(f, new Uint8Array(1000), { mode: 0o600 });
      utimesSync(f, old + i, old + i);
    }
    writeCacheFile(dir, "c-new.bin", new Uint8Array(1000), "test cache", () => {}, { prefix: "c-", keepBytes: 2500 });
    expect(readdirSync(dir).sort()).toEqual(["c-3.bin", "c-new.bin"]);
  });
});
