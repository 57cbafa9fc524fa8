// Which name an address gets when several symbols share it (glibc aliases), and assembly labels
// (zero-size NOTYPE symbols) named as perf names them. Real files: this system's libc.so.6 and
// ld.so (with their libc6-dbg debug files when installed) and a program assembled here.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadElf, type ElfFile } from "../../src/symbolize/elf.ts";

const LIBC = "/lib/x86_64-linux-gnu/libc.so.6";
const LDSO = "/lib64/ld-linux-x86-64.so.2";
const work = mkdtempSync("/var/tmp/flametui-aliases-");
afterAll(() => rmSync(work, { recursive: true, force: true }));

function debugFileOf(path: string): string | null {
  const id = loadElf(path).buildId;
  const f = id ? `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug` : "";
  return f && existsSync(f) ? f : null;
}

/** Address of `name` (any binding) as readelf lists it in `path`'s .symtab or .dynsym. */
function addressOf(path: string, name: string, dyn = false): number {
  const out = Bun.spawnSync(["readelf", "-sW", ...(dyn ? ["--dyn-syms"] : []), path]).stdout.toString();
  for (const line of out.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[7]!.replace(/@.*/, "") === name) return parseInt(f[1]!, 16);
  }
  throw new Error(`${name} not in ${path}`);
}

const nameAt = (e: ElfFile, addr: number) => {
  const i = e.lookup(addr);
  return i < 0 ? null : e.name(i);
};

describe("glibc aliases: the name people know", () => {
  test("libc.so.6 .dynsym: malloc, write, read, free, not __libc_/__ forms", () => {
    const e = loadElf(LIBC);
    for (const n of ["malloc", "write", "read", "free", "calloc", "memmove"]) expect(nameAt(e, addressOf(LIBC, n, true))).toBe(n);
  });

  const dbg = existsSync(LIBC) ? debugFileOf(LIBC) : null;
  test.skipIf(dbg === null)("libc6-dbg .symtab: over __GI_/__libc_/LOCAL aliases; versions dropped; memcpy variants as perf", () => {
    const e = loadElf(dbg!);
    for (const n of ["malloc", "write", "read", "free", "memcpy", "memmove", "realloc"]) expect(nameAt(e, addressOf(dbg!, n))).toBe(n);
    // memcpy@GLIBC_2.2.5 (old version) shares its address with LOCAL __memcpy_sse2_unaligned.
    expect(nameAt(e, addressOf(LIBC, "memcpy", true) /* default version */)).toBe("memcpy");
    // No exported name: perf's order (longer name among equals) picks memmove's variant.
    expect(nameAt(e, addressOf(dbg!, "__memcpy_avx_unaligned_erms"))).toBe("__memmove_avx_unaligned_erms");
  });
});

describe("assembly labels", () => {
  const ldDbg = existsSync(LDSO) ? debugFileOf(LDSO) : null;
  test.skipIf(ldDbg === null)("ld.so: _start and _dl_start_user", () => {
    const e = loadElf(ldDbg!);
    const start = addressOf(ldDbg!, "_start");
    const user = addressOf(ldDbg!, "_dl_start_user");
    expect(nameAt(e, start)).toBe("_start");
    expect(nameAt(e, user - 1)).toBe("_start");
    expect(nameAt(e, user)).toBe("_dl_start_user");
    expect(nameAt(e, user + 5)).toBe("_dl_start_user");
  });

  test("a program assembled here: labels named up to the next symbol; labels inside functions ignored", () => {
    const src = join(work, "labels.S");
    writeFileSync(
      src,
      `  .text
  .globl main
  .type main, @function
main:
  nop
inner_label:
  nop
  ret
  .size main, .-main
asm_entry:
  nop
  nop
asm_next:
  nop
  nop
  .type after, @function
after:
  ret
  .size after, .-after
  .section .note.GNU-stack,"",@progbits
  .data
data_label:
  .quad 1
`,
    );
    const bin = join(work, "labels");
    const r = Bun.spawnSync(["gcc", "-o", bin, src], { stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    const e = loadElf(bin);
    expect(nameAt(e, addressOf(bin, "inner_label"))).toBe("main");
    expect(nameAt(e, addressOf(bin, "asm_entry"))).toBe("asm_entry");
    expect(nameAt(e, addressOf(bin, "asm_entry") + 1)).toBe("asm_entry");
    expect(nameAt(e, addressOf(bin, "asm_next") + 1)).toBe("asm_next");
    expect(nameAt(e, addressOf(bin, "after"))).toBe("after");
    expect(nameAt(e, addressOf(bin, "data_label"))).toBeNull(); // not in an executable section
  });
});
