// Growing typed arrays: the arenas and hash tables of the profile model and the importers
// double their storage with these instead of each writing its own copy loop.

type Typed = Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

/** A copy of `a` with room for `length` elements (the contents kept, the rest zero). */
export function resized<T extends Typed>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a.length <= length ? a : (a.subarray(0, length) as T));
  return b;
}

/** `a` itself when it holds `need` elements, else a copy grown by doubling until it does. */
export function withRoom<T extends Typed>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = Math.max(1, a.length) * 2;
  while (n < need) n *= 2;
  return resized(a, n);
}

/**
 * An open-addressing index (linear probing, -1 for empty) of `size` slots, a power of two, over
 * entries 0..count whose hashes are `hashes`: what a hash table of entries rebuilds when it doubles.
 */
export function slotsByHash(hashes: Int32Array, count: number, size: number): Int32Array<ArrayBuffer> {
  const table = new Int32Array(size).fill(-1);
  const mask = size - 1;
  for (let e = 0; e < count; e++) {
    let i = hashes[e]! & mask;
    while (table[i] !== -1) i = (i + 1) & mask;
    table[i] = e;
  }
  return table;
}
