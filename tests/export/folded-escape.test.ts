// Folded export escapes frame names so a line is one stack and one count and nothing in it
// reaches a terminal, and the folded importer reads every name back exactly.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportFolded } from "../../src/export/folded.ts";
import { escapeFrameName, unescapeFrameName } from "../../src/export/folded-escape.ts";
import { escapeText, sanitizeText } from "../../src/text/sanitize.ts";
import { readProfile } from "../../src/import/read.ts";
import { kindFromFoldedName } from "../../src/profile/frames.ts";
import { type Snapshot, snapshotOf } from "../../src/profile/snapshot.ts";
import { StackTrie } from "../../src/profile/trie.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-escape-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Anything that drives a terminal, reorders text or breaks lines; only the line feeds between lines may remain.
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  ..."\x00\x01\x07\x08\t\n\v\f\r\x1b\x1f;\x7f\x80\x85\x9b\x9f\u061c\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069\ufeff",
  ..."\\\\\\xu{}0123456789abcdefABCDEF  _[]k",
  "\\x1b", "\\x3b", "\\x41", "\\u{202e}", "\\u{feff}", "\\u{41}", "\\u{", "\\\\", "\x1b]0;pwned\x07", "\n42 ", " 99",
];
const bytes = new TextDecoder("utf-8", { fatal: false });

function randomName(r: () => number): string {
  const len = 1 + Math.floor(r() * 10);
  let s = "";
  for (let i = 0; i < len; i++) {
    const pick = r();
    if (pick < 0.5) s += HOSTILE[Math.floor(r() * HOSTILE.length)];
    else if (pick < 0.7) s += String.fromCodePoint(pickCodePoint(r));
    else if (pick < 0.8) s += String.fromCharCode(0xd800 + Math.floor(r() * 0x800)); // lone surrogates
    else s += bytes.decode(Uint8Array.from({ length: 1 + Math.floor(r() * 6) }, () => Math.floor(r() * 256)));
  }
  return s;
}

function pickCodePoint(r: () => number): number {
  const c = Math.floor(r() * 0x110000);
  return c >= 0xd800 && c <= 0xdfff ? 0x41 : c;
}

/** Stack path (names joined with NUL, which no generated name holds as a separator) -> self weight. */
function stacksOf(s: Snapshot): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 1; i < s.count; i++) {
    if (!(s.self[i]! > 0)) continue;
    const path: string[] = [];
    for (let n = i; n > 0; n = s.parent[n]!) path.push(s.names[s.frame[n]!]!);
    const key = JSON.stringify(path.reverse());
    out.set(key, (out.get(key) ?? 0) + s.self[i]!);
  }
  return out;
}

function trieOf(stacks: string[][], counts: number[]): StackTrie {
  const trie = new StackTrie();
  stacks.forEach((names, k) => {
    const ids = names.map((n, d) => trie.frames.intern(n, kindFromFoldedName(n, d)));
    trie.add(ids, ids.length, counts[k]!);
  });
  return trie;
}

describe("escaping", () => {
  test("what is escaped is what the viewer and the log call unsafe (src/text/sanitize.ts), plus `;`", () => {
    const differ: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      const unsafe = escapeText(ch) !== ch;
      const surrogate = c >= 0xd800 && c <= 0xdfff;
      if (sanitizeText(ch) !== ch && !unsafe) differ.push(`U+${c.toString(16)} sanitized, not escaped in logs`);
      if ((surrogate || unsafe) && sanitizeText(ch) === ch) differ.push(`U+${c.toString(16)} escaped in logs, not sanitized`);
      const folded = escapeFrameName(ch) !== ch;
      if (folded !== (unsafe || c === 0x3b)) differ.push(`U+${c.toString(16)}: folded ${folded}, unsafe ${unsafe}`);
      if (unescapeFrameName(escapeFrameName(ch)) !== ch) differ.push(`U+${c.toString(16)} does not round-trip`);
    }
    expect(differ).toEqual([]);
    for (const ch of ["\u061c", "\u200e", "\u200f", "\ufeff"]) {
      expect(escapeText(`a${ch}b`)).toBe(`a\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}b`);
      expect(sanitizeText(`a${ch}b`)).toBe("a\uFFFDb");
      expect(escapeFrameName(`a${ch}b`)).toBe(`a\\u{${ch.charCodeAt(0).toString(16)}}b`);
    }
  });

  test("hostile names are written as escapes: no control characters, one line per stack, `;` only between frames", () => {
    const names = ["evil\x1b]0;pwned\x07", "a\n999999 b", "x;y", "tab\there", "\u202egnp.exe", "c1\x9b31m", "del\x7f"];
    const trie = trieOf([names], [3]);
    const text = exportFolded(snapshotOf(trie, "samples"));
    expect(text).toBe(
      "evil\\x1b]0\\x3bpwned\\x07;a\\x0a999999 b;x\\x3by;tab\\x09here;\\u{202e}gnp.exe;c1\\u{9b}31m;del\\x7f 3\n",
    );
    expect(UNSAFE.test(text)).toBe(false);
  });

  test("backslashes stay literal unless they would read as an escape", () => {
    expect(escapeFrameName("C:\\Windows\\x64\\a.dll")).toBe("C:\\Windows\\x64\\a.dll");
    expect(escapeFrameName("re\\d+\\u{41}")).toBe("re\\d+\\u{41}");
    expect(escapeFrameName("\\x1b")).toBe("\\\\x1b");
    expect(escapeFrameName("\\u{202E}")).toBe("\\\\u{202E}");
    expect(escapeFrameName("a\\\\b")).toBe("a\\\\\\b");
    expect(escapeFrameName("end\\")).toBe("end\\");
    expect(escapeFrameName("\\\n")).toBe("\\\\\\x0a");
    expect(unescapeFrameName("\\x3B\\x41\\u{85}\\u{0041}\\q\\")).toBe(";\\x41\x85\\u{0041}\\q\\");
  });

  test("folded files with backslashes written by other tools import unchanged", async () => {
    const text = "java;Lcom/x/Y;C:\\Program Files\\x64\\jvm.dll 2\nperl;re\\d+\\s* 5\n";
    const path = join(dir, "foreign.folded");
    writeFileSync(path, text);
    const r = await readProfile(path);
    const s = snapshotOf(r.trie, r.unit);
    expect([...stacksOf(s).keys()]).toContain(JSON.stringify(["java", "Lcom/x/Y", "C:\\Program Files\\x64\\jvm.dll"]));
    expect(exportFolded(s)).toBe(text);
  });
});

describe("round trip", () => {
  test("random names with hostile characters, code points and bytes: export -> import -> export is exact", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed);
      const pool = Array.from({ length: 40 }, () => randomName(r));
      const stacks: string[][] = [];
      const counts: number[] = [];
      for (let k = 0; k < 150; k++) {
        const depth = 1 + Math.floor(r() * 6);
        stacks.push(Array.from({ length: depth }, () => pool[Math.floor(r() * pool.length)]!));
        counts.push(1 + Math.floor(r() * 1000));
      }
      const before = snapshotOf(trieOf(stacks, counts), "samples");
      const text = exportFolded(before);
      expect(UNSAFE.test(text)).toBe(false);

      // One line per stack with self weight, each with the count it was given: nothing forged.
      const want = stacksOf(before);
      const lines = text.split("\n").slice(0, -1);
      expect(lines.length).toBe(want.size);
      expect(lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0)).toBe(before.total[0]!);

      const path = join(dir, `random-${seed}.folded`);
      writeFileSync(path, text);
      const back = await readProfile(path, { format: "folded" });
      expect(back.stats.malformed).toBe(0);
      const after = snapshotOf(back.trie, back.unit);
      expect(stacksOf(after)).toEqual(want);
      expect(exportFolded(after)).toBe(text);
    }
  });

  test("escape and unescape are inverse on every single code unit and on pairs with a backslash", () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      for (const name of [ch, `\\${ch}`, `${ch}\\`, `\\x${ch}`, `a${ch}b`]) {
        const esc = escapeFrameName(name);
        if (unescapeFrameName(esc) !== name) throw new Error(`U+${c.toString(16)}: ${JSON.stringify(name)} -> ${JSON.stringify(esc)}`);
      }
    }
  });
});
