// The version shown by --version: package version, the git commit build.ts compiled in
// (FLAMETUI_COMMIT), and the libbpf actually loaded (embedded copy, FLAMETUI_LIBBPF or system).

import pkg from "../package.json" with { type: "json" };

declare const FLAMETUI_COMMIT: string | undefined;

export const VERSION: string = pkg.version;
export const COMMIT: string = typeof FLAMETUI_COMMIT === "string" ? FLAMETUI_COMMIT : "dev";

/** "libbpf 1.1 (embedded: libbpf 1.1.2-0+deb12u1, elfutils …)" or why libbpf cannot load. */
export async function libbpfVersionLine(): Promise<string> {
  try {
    const { libbpfOrigin, libbpfVersion } = await import("./ffi/libbpf.ts");
    const o = libbpfOrigin();
    const where = o.kind === "system" ? `system ${o.path}` : o.kind === "env" ? `FLAMETUI_LIBBPF=${o.path}` : "embedded";
    const built = o.build ? `, built from ${o.build}` : "";
    const skipped = o.skipped ? `; passed over ${o.skipped}` : "";
    return `libbpf ${libbpfVersion()} (${where}${built}${skipped})`;
  } catch (e) {
    return `libbpf: not loadable (${e instanceof Error ? e.message : String(e)})`;
  }
}

/** The text of `flametui --version`: first line "flametui X.Y.Z (commit)", then libbpf. */
export async function versionText(): Promise<string> {
  return `flametui ${VERSION} (${COMMIT})\n${await libbpfVersionLine()}\n`;
}
