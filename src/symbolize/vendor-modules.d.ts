// Types for package files imported by path: gecko-profiler-demangle's wasm-bindgen glue and
// wasm binary, and xz-decompress's bundle (imported as text to reach its embedded wasm).
declare module "gecko-profiler-demangle/index_bg.js" {
  export function __wbg_set_wasm(exports: WebAssembly.Exports): void;
  export function demangle_any(name: string): string;
}
declare module "gecko-profiler-demangle/index_bg.wasm" {
  const path: string;
  export default path;
}
declare module "xz-decompress/dist/package/xz-decompress.js" {
  const source: string;
  export default source;
}
