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
