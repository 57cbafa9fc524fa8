// Synchronous .xz decompression (for MiniDebugInfo) with the xz-embedded WebAssembly module that
// the xz-decompress package ships inside its bundle; its own API is async streams only.
import bundle from "xz-decompress/dist/package/xz-decompress.js" with { type: "text" };

const XZ_OK = 0;
const XZ_STREAM_END = 1;
/** xz-embedded's enum xz_ret past XZ_STREAM_END. */
const XZ_ERRORS = ["unsupported check", "out of memory", "memory limit", "not xz data", "unsupported options", "corrupt data", "truncated or corrupt data"];

interface XzExports {
  memory: WebAssembly.Memory;
  create_context(): number;
  destroy_context(ctx: number): void;
  supply_input(ctx: number, len: number): void;
  get_next_output(ctx: number): number;
}

let xz: XzExports | null = null;

/** The module is a base64 data URL in the pinned bundle (xz-decompress 0.2.3). */
function instance(): XzExports {
  if (xz !== null) return xz;
  const m = /data:application\/wasm;base64,([A-Za-z0-9+/=]+)/.exec(bundle);
  if (!m) throw new Error("xz-decompress: embedded WebAssembly module not found");
  const mod = new WebAssembly.Module(Buffer.from(m[1]!, "base64"));
  xz = new WebAssembly.Instance(mod, {}).exports as unknown as XzExports;
  return xz;
}

/**
 * Decompress a complete .xz stream. The context layout is the one the package's XzContext
 * reads: u32 words at ctx: [0] buffer size, [1] input buffer, [2] in_pos, [3] in_size,
 * [4] output buffer, [5] out_pos. Throws on corrupt or truncated input, and on SHA-256
 * checks, which this xz-embedded build rejects (distributions' MiniDebugInfo uses CRC64/CRC32).
 * Output past `limit` bytes stops the decoder at once (a bomb costs at most `limit`).
 */
export function xzDecompress(input: Uint8Array, limit = 64 << 20): Uint8Array {
  const x = instance();
  const ctx = x.create_context();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const word = (k: number) => new Uint32Array(x.memory.buffer, ctx, 6)[k]!;
    const bufSize = word(0);
    let fed = 0;
    let idle = 0; // calls in a row with no input left and no output: truncated input
    for (;;) {
      if (word(2) === word(3)) {
        const n = Math.min(bufSize, input.length - fed);
        new Uint8Array(x.memory.buffer, word(1), n).set(input.subarray(fed, fed + n));
        x.supply_input(ctx, n);
        fed += n;
      }
      const r = x.get_next_output(ctx);
      if (r !== XZ_OK && r !== XZ_STREAM_END) throw new Error(`xz: ${XZ_ERRORS[r - 2] ?? `decoder error ${r}`}`);
      const outLen = word(5);
      if (fed >= input.length && outLen === 0 && ++idle > 2) throw new Error("xz: truncated input");
      chunks.push(new Uint8Array(x.memory.buffer, word(4), outLen).slice());
      total += outLen;
      if (total > limit) throw new Error(`xz: output exceeds ${limit} bytes`);
      new Uint32Array(x.memory.buffer, ctx, 6)[5] = 0;
      if (r === XZ_STREAM_END) break;
    }
  } finally {
    x.destroy_context(ctx);
  }
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
