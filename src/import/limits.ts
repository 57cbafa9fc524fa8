// Limits that keep an import's memory bounded whatever the input holds: one huge line or
// symbol costs at most these sizes, never a multiple of the input.

/**
 * Longest line an importer reads; longer ones are skipped while streaming and reported as
 * malformed. Real lines stay far below: a folded stack is at most a few thousand frames
 * (perf records 127 by default) of names perf cuts to a few KiB.
 */
export const MAX_LINE_BYTES = 16 << 20;

/**
 * Most frames in one stack; deeper stacks are skipped and reported. A frame costs about 200
 * bytes from import to export, so this bounds a stack near 50 MB; the kernel records 127 by
 * default (kernel.perf_event_max_stack) and DWARF unwinding a few thousand.
 */
export const MAX_STACK_DEPTH = 1 << 18;
export const TOO_DEEP = `stack deeper than ${MAX_STACK_DEPTH} frames, skipped`;

/** Longest frame, process or module name kept, in bytes of UTF-8; longer ones are cut and end in `NAME_CUT`. */
export const MAX_NAME = 4096;
export const NAME_CUT = "…";

/** Lines longer than this are parsed each time instead of cached by their bytes. */
export const MAX_CACHED_LINE = 1 << 16;

const encoder = new TextEncoder();
const scratch = new Uint8Array(MAX_NAME);

/**
 * `name`, or as many whole characters as fit in MAX_NAME bytes of UTF-8 and the marker: the
 * same cut the folded importer makes on bytes, so a cut name reads back as itself.
 */
export function capName(name: string): string {
  if (name.length <= MAX_NAME / 3) return name;
  const { read } = encoder.encodeInto(name, scratch);
  return read === name.length ? name : name.slice(0, read) + NAME_CUT;
}

/** Where to cut the UTF-8 bytes buf[s..e) to keep at most MAX_NAME bytes and whole characters. */
export function capNameEnd(buf: Uint8Array, s: number, e: number): number {
  if (e - s <= MAX_NAME) return e;
  let cut = s + MAX_NAME;
  while (cut > s && (buf[cut]! & 0xc0) === 0x80) cut--;
  return cut;
}
