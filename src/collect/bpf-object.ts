// The compiled BPF program, embedded as a file (works from source and in `bun build --compile`).
// Build it first with `bun run build.ts` (buildBpf) so bpf/profile.bpf.o exists.
import objPath from "../../bpf/profile.bpf.o" with { type: "file" };

let cached: Uint8Array | null = null;

/** Bytes of bpf/profile.bpf.o (read once). */
export async function profileObjectBytes(): Promise<Uint8Array> {
  cached ??= new Uint8Array(await Bun.file(objPath).arrayBuffer());
  return cached;
}
