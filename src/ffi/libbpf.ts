// libbpf.so.1 through bun:ffi: the object/map/program/link calls the sampler needs,
// the process-wide print callback (routed to a caller's log, never the terminal) and BTF lookups.
import { dlopen, FFIType, JSCallback, ptr, read, toArrayBuffer, type Pointer } from "bun:ffi";
import { vsnprintf } from "./libc.ts";

const { ptr: P, i32, u32, u64, cstring } = FFIType;

function openLibbpf(path: string) {
  return dlopen(path, {
    libbpf_major_version: { args: [], returns: u32 },
    libbpf_minor_version: { args: [], returns: u32 },
    libbpf_set_print: { args: [P], returns: P },
    bpf_object__open_mem: { args: [P, u64, P], returns: P },
    bpf_object__load: { args: [P], returns: i32 },
    bpf_object__close: { args: [P], returns: FFIType.void },
    bpf_object__btf: { args: [P], returns: P },
    bpf_object__find_program_by_name: { args: [P, cstring], returns: P },
    bpf_object__find_map_by_name: { args: [P, cstring], returns: P },
    bpf_map__fd: { args: [P], returns: i32 },
    bpf_map__value_size: { args: [P], returns: u32 },
    bpf_map__max_entries: { args: [P], returns: u32 },
    bpf_map__initial_value: { args: [P, P], returns: P },
    bpf_map__set_max_entries: { args: [P, u32], returns: i32 },
    bpf_program__attach_perf_event: { args: [P, i32], returns: P },
    bpf_program__attach: { args: [P], returns: P },
    bpf_program__set_autoload: { args: [P, FFIType.bool], returns: i32 },
    bpf_program__fd: { args: [P], returns: i32 },
    bpf_object__next_program: { args: [P, P], returns: P },
    bpf_obj_get_info_by_fd: { args: [i32, P, P], returns: i32 },
    bpf_program__set_attach_target: { args: [P, i32, cstring], returns: i32 },
    bpf_program__attach_raw_tracepoint: { args: [P, cstring], returns: P },
    bpf_program__attach_uprobe: { args: [P, FFIType.bool, i32, cstring, u64], returns: P },
    bpf_program__attach_kprobe: { args: [P, FFIType.bool, cstring], returns: P },
    bpf_link__destroy: { args: [P], returns: i32 },
    bpf_map_update_elem: { args: [i32, P, P, u64], returns: i32 },
    bpf_map_lookup_elem: { args: [i32, P, P], returns: i32 },
    btf__find_by_name_kind: { args: [P, cstring, u32], returns: i32 },
    btf__type_by_id: { args: [P, u32], returns: P },
    btf__name_by_offset: { args: [P, u32], returns: cstring },
  }).symbols;
}

export type Libbpf = ReturnType<typeof openLibbpf>;

let libbpfSymbols: Libbpf | null = null;

// ---- which libbpf (release engineer) ----------------------------------------------------------

declare const FLAMETUI_EMBED_LIBBPF: boolean | undefined;

/** Where the loaded libbpf came from. */
export interface LibbpfOrigin {
  /** embedded: the copy inside the executable; env: FLAMETUI_LIBBPF; system: libbpf.so.1. */
  kind: "embedded" | "env" | "system";
  /** The path given to dlopen (for the embedded copy a /$bunfs/ path Bun extracts to /tmp). */
  path: string;
  /** Source versions the embedded copy was built from, e.g. "libbpf 1.1.2-0+deb12u1, …". */
  build?: string;
  /** Why an earlier candidate was passed over (e.g. /tmp mounted noexec), if one was. */
  skipped?: string;
}

let origin: LibbpfOrigin | null = null;

/**
 * Candidates in order: FLAMETUI_LIBBPF (explicit choice, for testing a build), the copy embedded
 * by `bun run build` (compiled executable only: scripts/build-libbpf.sh, libelf and zlib linked
 * in, needs only glibc), then the system's libbpf.so.1. The system library is the fallback for
 * running from source (`bun run src/main.ts`, tests) where nothing is embedded, and for a
 * compiled executable whose embedded copy cannot be mapped (Bun writes it to /tmp first; a
 * read-only or noexec /tmp makes dlopen fail).
 */
function libbpfCandidates(): { kind: LibbpfOrigin["kind"]; path: string }[] {
  const list: { kind: LibbpfOrigin["kind"]; path: string }[] = [];
  const forced = process.env.FLAMETUI_LIBBPF;
  if (forced) return [{ kind: "env", path: forced }];
  if (typeof FLAMETUI_EMBED_LIBBPF !== "undefined" && FLAMETUI_EMBED_LIBBPF) {
    list.push({ kind: "embedded", path: require("./libbpf-embedded.ts").EMBEDDED_LIBBPF as string });
  }
  list.push({ kind: "system", path: "libbpf.so.1" });
  return list;
}

function buildInfo(path: string): string | undefined {
  try {
    const lib = dlopen(path, { flametui_libbpf_build: { args: [], returns: cstring } });
    const text = String(lib.symbols.flametui_libbpf_build());
    lib.close();
    return text;
  } catch {
    return undefined; // not our build (the system libbpf has no such symbol)
  }
}

/** The libbpf bindings, opened on first use. Throws if no candidate library loads. */
export function libbpf(): Libbpf {
  if (libbpfSymbols) return libbpfSymbols;
  const failures: string[] = [];
  for (const c of libbpfCandidates()) {
    try {
      libbpfSymbols = openLibbpf(c.path);
      origin = { ...c, build: c.kind === "system" ? undefined : buildInfo(c.path), skipped: failures.join("; ") || undefined };
      return libbpfSymbols;
    } catch (e) {
      failures.push(`${c.kind} ${c.path}: ${e instanceof Error ? e.message : e}`);
    }
  }
  throw new Error(`cannot load libbpf (install the Debian package libbpf1): ${failures.join("; ")}`);
}

/** Where the libbpf in use came from (loads it if needed). */
export function libbpfOrigin(): LibbpfOrigin {
  libbpf();
  return origin!;
}

// ---- end which libbpf -------------------------------------------------------------------------

/** "1.1" for libbpf 1.1.x. */
export function libbpfVersion(): string {
  const l = libbpf();
  return `${l.libbpf_major_version()}.${l.libbpf_minor_version()}`;
}

/** NUL-terminated UTF-8 copy of s, for cstring/ptr arguments that must stay alive. */
export function cString(s: string): Uint8Array {
  return new TextEncoder().encode(`${s}\0`);
}

// ---- print callback -------------------------------------------------------------------------

const LEVEL_NAMES = ["warn", "info", "debug"] as const;
const RECENT_MAX = 40;
let printCallback: JSCallback | null = null;
let logSink: ((line: string) => void) | undefined;
let logDebug = false;
const recent: string[] = [];
const printBuf = new Uint8Array(4096);
const utf8 = new TextDecoder();

function onPrint(level: number, fmt: Pointer, ap: Pointer): number {
  if (level >= 2 && !logDebug) return 0;
  const n = vsnprintf(printBuf, fmt, ap);
  if (n <= 0) return 0;
  const text = utf8.decode(printBuf.subarray(0, Math.min(n, printBuf.length - 1))).replace(/\n+$/, "");
  for (const line of text.split("\n")) {
    const tagged = `libbpf ${LEVEL_NAMES[level] ?? level}: ${line.replace(/^libbpf: /, "")}`;
    recent.push(tagged);
    if (recent.length > RECENT_MAX) recent.shift();
    try {
      logSink?.(tagged);
    } catch {
      // a failing log function must not unwind through C
    }
  }
  return 0;
}

/**
 * Routes libbpf's messages to `log` (warn and info; debug too when `debug`). libbpf's print hook
 * is one process-wide pointer, and a hook created on another thread (a Worker) hangs the
 * process when libbpf calls it from here: so this (re)installs this thread's hook every time.
 * Call it on the thread that calls libbpf, before calling it (the sampler does so on open).
 * Messages are also kept for recentLibbpfLog().
 */
export function setLibbpfLog(log: ((line: string) => void) | undefined, debug = false): void {
  logSink = log;
  logDebug = debug;
  printCallback ??= new JSCallback(onPrint, { args: [i32, P, P], returns: i32 });
  libbpf().libbpf_set_print(printCallback.ptr);
}

/**
 * Turns libbpf's printing off (NULL hook) so no later libbpf call, from any thread, runs this
 * thread's callback, e.g. after a Worker that owned libbpf is gone. Call when done with libbpf.
 */
export function releaseLibbpfLog(): void {
  if (libbpfSymbols) libbpfSymbols.libbpf_set_print(null);
  logSink = undefined;
}

/** The last libbpf messages (warn/info), oldest first; useful in an error report. */
export function recentLibbpfLog(): string[] {
  return recent.slice();
}

export function clearRecentLibbpfLog(): void {
  recent.length = 0;
}

// ---- BTF: where each global variable of a data section lives ------------------------------

const BTF_KIND_DATASEC = 15;
const BTF_TYPE_BYTES = 12; // struct btf_type { name_off, info, size }
const BTF_SECINFO_BYTES = 12; // struct btf_var_secinfo { type, offset, size }

export interface SectionVar {
  offset: number;
  size: number;
}

/** Offsets of the variables in a data section (".rodata", ".bss") of an opened object. */
export function sectionVariables(obj: Pointer, section: string): Map<string, SectionVar> {
  const l = libbpf();
  const btf = l.bpf_object__btf(obj);
  const vars = new Map<string, SectionVar>();
  if (btf === null) return vars;
  const id = l.btf__find_by_name_kind(btf, cString(section), BTF_KIND_DATASEC);
  if (id <= 0) return vars;
  const sec = l.btf__type_by_id(btf, id);
  if (sec === null) return vars;
  const vlen = read.u32(sec, 4) & 0xffff;
  for (let i = 0; i < vlen; i++) {
    const at = BTF_TYPE_BYTES + i * BTF_SECINFO_BYTES;
    const varType = l.btf__type_by_id(btf, read.u32(sec, at));
    if (varType === null) continue;
    const name = String(l.btf__name_by_offset(btf, read.u32(varType, 0)));
    vars.set(name, { offset: read.u32(sec, at + 4), size: read.u32(sec, at + 8) });
  }
  return vars;
}

/** A writable view of a map's initial value (.rodata/.bss/.data before load). */
export function mapInitialValue(map: Pointer): Uint8Array | null {
  const sizeBuf = new BigUint64Array(1);
  const p = libbpf().bpf_map__initial_value(map, sizeBuf);
  const size = Number(sizeBuf[0]);
  if (p === null || size === 0) return null;
  return new Uint8Array(toArrayBuffer(p, 0, size));
}

// ---- object open helpers (things that need ptr()) -------------------------------------------

export type { Pointer } from "bun:ffi";

/** Narrows a "ptr" return (typed Pointer | bigint | null; a number at run time) to Pointer | null. */
export function asPointer(p: Pointer | bigint | null): Pointer | null {
  return typeof p === "bigint" ? (Number(p) as Pointer) : p;
}

/** bpf_object__open_mem with object_name set (maps then show as "<name>.bss" etc.). */
export function openObjectMem(bytes: Uint8Array, objectName: string): Pointer | null {
  const name = cString(objectName);
  // struct bpf_object_open_opts { size_t sz; const char *object_name; ... }: the first two fields.
  const opts = new BigUint64Array([16n, BigInt(ptr(name))]);
  return asPointer(libbpf().bpf_object__open_mem(bytes, bytes.byteLength, opts));
}

// struct bpf_prog_info (uapi/linux/bpf.h) offsets: nr_jited_ksyms, nr_jited_func_lens, jited_ksyms, jited_func_lens.
const INFO_NR_KSYMS = 104;
const INFO_NR_LENS = 108;
const INFO_KSYMS = 112;
const INFO_LENS = 120;
const INFO_SIZE = 128;

/**
 * Where the kernel put the JIT code of every loaded program of `obj`: [start, end) per function
 * (a program and its subprograms), as full 64-bit addresses. Empty when the kernel does not say.
 */
export function loadedProgramCode(obj: Pointer): [bigint, bigint][] {
  const lib = libbpf();
  const out: [bigint, bigint][] = [];
  let prog: Pointer | null = null;
  while ((prog = asPointer(lib.bpf_object__next_program(obj, prog))) !== null) {
    const fd = lib.bpf_program__fd(prog);
    if (fd < 0) continue; // not loaded (autoload off)
    const info = new Uint8Array(INFO_SIZE);
    const len = new Uint32Array([INFO_SIZE]);
    if (lib.bpf_obj_get_info_by_fd(fd, info, len) !== 0) continue;
    const v = new DataView(info.buffer);
    const n = Math.min(v.getUint32(INFO_NR_KSYMS, true), v.getUint32(INFO_NR_LENS, true), 256);
    if (n === 0) continue;
    const ksyms = new BigUint64Array(n);
    const lens = new Uint32Array(n);
    info.fill(0);
    v.setUint32(INFO_NR_KSYMS, n, true);
    v.setUint32(INFO_NR_LENS, n, true);
    v.setBigUint64(INFO_KSYMS, BigInt(ptr(ksyms)), true);
    v.setBigUint64(INFO_LENS, BigInt(ptr(lens)), true);
    len[0] = INFO_SIZE;
    if (lib.bpf_obj_get_info_by_fd(fd, info, len) !== 0) continue;
    for (let i = 0; i < n; i++) if (ksyms[i]! !== 0n) out.push([ksyms[i]!, ksyms[i]! + BigInt(lens[i]!)]);
  }
  return out;
}
