// C++ (Itanium ABI) demangling through libstdc++'s __cxa_demangle; the returned malloc'ed
// buffer is released with libc free(). Opened lazily; absent libstdc++ means "unavailable".
import { CString, dlopen, FFIType, ptr, type Pointer } from "bun:ffi";

function open() {
  const cxx = dlopen("libstdc++.so.6", {
    // char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status)
    __cxa_demangle: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
  });
  const libc = dlopen("libc.so.6", { free: { args: [FFIType.ptr], returns: FFIType.void } });
  return { demangle: cxx.symbols.__cxa_demangle, free: libc.symbols.free };
}

let lib: ReturnType<typeof open> | null | undefined;
let loadError = "";
const encoder = new TextEncoder();
let input = new Uint8Array(4096);
const status = new Int32Array(1);

function get(): ReturnType<typeof open> | null {
  if (lib === undefined) {
    try {
      lib = open();
    } catch (err) {
      lib = null;
      loadError = (err as Error).message;
    }
  }
  return lib;
}

/** True when libstdc++ could be opened; otherwise `cxaUnavailableReason()` says why. */
export function cxaAvailable(): boolean {
  return get() !== null;
}

export function cxaUnavailableReason(): string {
  get();
  return loadError;
}

/**
 * Demangled form of an Itanium C++ name (`_Z…`), or null when it is not a valid mangled name
 * or libstdc++ is missing. Parameters are included: `ns::f(int)`.
 */
export function cxaDemangle(mangled: string): string | null {
  const l = get();
  if (l === null) return null;
  if (input.length < mangled.length * 3 + 1) input = new Uint8Array(mangled.length * 3 + 64);
  const { written } = encoder.encodeInto(mangled, input);
  input[written] = 0;
  status[0] = -4;
  const out = l.demangle(ptr(input), null, null, ptr(status)) as Pointer | null;
  if (out === null) return null;
  try {
    return status[0] === 0 ? new CString(out).toString() : null;
  } finally {
    l.free(out);
  }
}
