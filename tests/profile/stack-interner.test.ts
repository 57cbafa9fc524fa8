// The stack interner (src/profile/stack-interner.ts): a stack maps to the leaf remembered for
// exactly that sequence of frame ids, never to one of a prefix, an extension or a hash collision.
import { expect, test } from "bun:test";
import { StackInterner } from "../../src/profile/stack-interner.ts";

test("finds exactly the stacks it remembered, with their leaves", () => {
  const si = new StackInterner();
  const stacks: number[][] = [];
  let seed = 99;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const key = (s: number[]) => s.join(",");
  const want = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const s = Array.from({ length: rnd(40) }, () => rnd(5));
    const got = si.find(s, s.length);
    const known = want.get(key(s));
    expect(got).toBe(known ?? -1);
    if (known === undefined) {
      want.set(key(s), i);
      si.remember(s, s.length, i);
      stacks.push(s);
    }
  }
  expect(si.size).toBe(want.size);
  // The length counts: a prefix of a remembered stack is not that stack.
  const long = stacks.find((s) => s.length > 3)!;
  const prefix = long.slice(0, long.length - 1);
  expect(si.find(long, long.length - 1)).toBe(want.get(key(prefix)) ?? -1);
});

test("past its bound it forgets everything and fills again", () => {
  const si = new StackInterner(100);
  for (let i = 0; i < 10; i++) {
    const s = [i, i, i, i, i, i, i, i, i, i];
    expect(si.find(s, 10)).toBe(-1);
    si.remember(s, 10, i);
  }
  expect(si.size).toBe(10);
  expect(si.find([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10)).toBe(0);
  expect(si.find([7], 1)).toBe(-1);
  si.remember([7], 1, 77); // 101 frames: starts over
  expect(si.size).toBe(1);
  expect(si.find([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10)).toBe(-1);
  expect(si.find([7], 1)).toBe(77);
});
