// Line splitting over chunks: lines up to the limit arrive whole wherever the chunks cut them;
// longer ones are reported once, with their number and first byte, and never buffered.

import { expect, test } from "bun:test";
import { LineSplitter } from "../../src/import/lines.ts";

function split(text: string, chunk: number, max: number) {
  const got: string[] = [];
  const long: [number, string][] = [];
  const sp = new LineSplitter(
    (b, s, e, n) => got.push(`${n}:${new TextDecoder().decode(b.subarray(s, e))}`),
    (n, first) => long.push([n, String.fromCharCode(first)]),
    max,
  );
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += chunk) sp.push(bytes.subarray(i, i + chunk));
  sp.end();
  return { got, long };
}

test("lines at the limit are kept, longer ones reported, for every chunk size", () => {
  const text = "abcd\nxyz\n\tlong!\nok\nLONGER\n1234";
  for (let chunk = 1; chunk <= text.length; chunk++) {
    expect(split(text, chunk, 4)).toEqual({ got: ["1:abcd", "2:xyz", "4:ok", "6:1234"], long: [[3, "\t"], [5, "L"]] });
  }
});

test("an over-long last line without a newline is reported at the end", () => {
  expect(split("a\nbbbbbbbb", 3, 4)).toEqual({ got: ["1:a"], long: [[2, "b"]] });
});
