// Rust symbol demangling (v0 `_R…` and legacy `_ZN…17h<hash>E`, hash dropped) through the
// gecko-profiler-demangle WebAssembly module (rustc-demangle compiled to wasm), instantiated here.
import * as glue from "gecko-profiler-demangle/index_bg.js";
import wasmPath from "gecko-profiler-demangle/index_bg.wasm" with { type: "file" };
import { readFileSync } from "node:fs";

let ready: boolean | undefined;
let loadError = "";

/**
 * wasm-bindgen's index.js imports the .wasm as an ES module, which Bun does not do; so the
 * module is compiled here (synchronously: the symbolizer is synchronous) and handed to the glue.
 */
function init(): boolean {
  if (ready !== undefined) return ready;
  try {
    const mod = new WebAssembly.Module(readFileSync(wasmPath));
    const inst = new WebAssembly.Instance(mod, { "./index_bg.js": glue as unknown as Record<string, Function> });
    glue.__wbg_set_wasm(inst.exports);
    (inst.exports.__wbindgen_start as (() => void) | undefined)?.();
    ready = true;
  } catch (err) {
    loadError = (err as Error).message;
    ready = false;
  }
  return ready;
}

export function rustDemanglerAvailable(): boolean {
  return init();
}

export function rustDemanglerUnavailableReason(): string {
  init();
  return loadError;
}

/**
 * Demangled Rust name without the legacy hash and crate disambiguators (`mycrate::foo::bar`,
 * `<T as Trait>::f`, `f::<u64>`), or null when the module is unavailable or the name is not
 * one it understands (it also tries C++, so callers should only pass Rust-looking names).
 */
export function rustDemangle(mangled: string): string | null {
  if (!init()) return null;
  const out = glue.demangle_any(mangled);
  return out === mangled ? null : out;
}
