// The self-contained libbpf (scripts/build-libbpf.sh) as a file embedded in the executable.
// Only required when build.ts compiles with FLAMETUI_EMBED_LIBBPF=true, after it has copied
// dist/libbpf/<arch>/libbpf-flametui.so to dist/embed/; never imported when running from source.
// @ts-ignore: the file exists only during a build
import soPath from "../../dist/embed/libbpf-flametui.so" with { type: "file" };

export const EMBEDDED_LIBBPF: string = soPath as string;
