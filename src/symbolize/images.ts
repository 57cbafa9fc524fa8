// File images shared by every process that maps them: found by file identity and opened safely
// (safe-open.ts), with their symbols (separate debug files, MiniDebugInfo, .dynsym) and, for
// unwinding, their call-frame tables; the vDSO read from our own memory; dropped once no process
// has mapped them for a while.

import { closeSync, openSync } from "node:fs";
import { escapeText } from "../text/sanitize.ts";
import { hasDebugFrame, tableFromInputs, unwindInputs, type UnwindTable } from "../unwind/cfi-table.ts";
import { cachedUnwindTable } from "../unwind/table-cache.ts";
import { findSymbols, type SymbolSource } from "./debug-files.ts";
import { bufferSource, ElfFile, fdSource, type ByteSource, type SymbolTable } from "./elf.ts";
import { readMaps, type Mapping } from "./proc-maps.ts";
import { tryOpenRegular, type Where } from "./safe-open.ts";

/** A file image shared by every process that maps it. */
export interface Image {
  /** Segments for address translation. */
  elf: ElfFile | null;
  /** Symbols: `elf` itself, its separate debug file, or MiniDebugInfo merged with .dynsym. */
  syms: SymbolTable | null;
  /** Where `syms` came from. */
  source: SymbolSource;
  path: string;
  /** Basename used in "libfoo.so+0x1a2b" names. */
  label: string;
  /** ELF vaddr (or file offset when elf is null) -> frame id. */
  frames: Map<number, number>;
  /** Call-frame table (with unwindTables), null when the file has none. */
  unwind?: UnwindTable | null;
  /** Image sweeps in a row that found no process mapping it (see ImageCache.sweep). */
  unusedSweeps?: number;
}

/** The counts an ImageCache keeps (a part of the symbolizer's stats, updated in place). */
export interface ImageStats {
  elfLoaded: number;
  elfFailed: number;
  elfViaProc: number;
  identityMismatches: number;
  debugFiles: number;
  debugLinks: number;
  miniDebugInfo: number;
  dynsymOnly: number;
  unwindTables: number;
  unwindMissing: number;
  unwindTableBytes: number;
  unwindReleased: number;
  unwindFromCache: number;
  unwindCached: number;
}

export interface ImageCacheOptions {
  procRoot: string;
  debugDirs: string[];
  /** Build each image's call-frame table when it is loaded. */
  unwindTables: boolean;
  /** Where big unwind tables are kept between runs (table-cache.ts); null: always built. */
  cacheDir: string | null;
  log: (line: string) => void;
  stats: ImageStats;
}

/** Least time between two sweeps, ms. */
const SWEEP_MS = 5000;

export class ImageCache {
  private readonly images = new Map<string, Image>();
  private vdsoImage: Image | null | undefined = undefined;
  private vdsoSize = 0;
  private lastSweep = 0;

  constructor(private readonly o: ImageCacheOptions) {}

  /**
   * The shared image of a file mapping of process `pid`, found by file identity; loaded on first
   * sight. `pidDir` is where that process's files are seen (/proc/PID, or a live thread's dir).
   */
  open(pid: number, pidDir: string, m: Mapping): Image {
    const { procRoot, log, stats: s } = this.o;
    const label = m.path.slice(m.path.lastIndexOf("/") + 1);
    // The direct path, then the process's own view of it (another mount namespace), are used
    // only when the file opened has the mapping's identity (device and inode, checked on the
    // open descriptor): a path may name another file here, or a replaced one. map_files is the
    // mapped file itself (also for deleted files), so it is not checked (overlayfs may differ).
    // The root is where debug files are then searched: the process's own view of the file
    // system when its view of the path was used. Only regular files are opened (safe-open.ts).
    const candidates: [path: string, viaProc: boolean, checkIdentity: boolean, where: Where][] = [];
    if (!m.deleted) candidates.push([m.path, false, true, { root: "/" }]);
    candidates.push([`${procRoot}/${pid}/map_files/${m.range}`, true, false, { magicLink: true }]);
    if (!m.deleted) candidates.push([m.path, true, true, { root: `${pidDir}/root` }]);
    const dev = parseDev(m.dev);
    for (const [path, viaProc, checkIdentity, where] of candidates) {
      const f = tryOpenRegular(path, where, log);
      if (f === null) continue;
      try {
        const st = f.stat;
        if (checkIdentity && (st.ino !== m.inode || (dev !== null && st.dev !== dev))) {
          s.identityMismatches++;
          continue;
        }
        const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
        const known = this.images.get(key);
        if (known) return known;
        const image: Image = { elf: null, syms: null, source: "none", path: m.path, label, frames: new Map() };
        try {
          const t0 = performance.now();
          const src = fdSource(f.fd, st.size);
          image.elf = new ElfFile(src);
          // Code the file's own call-frame information leaves out may be in its debug file's .debug_frame.
          let table: UnwindTable | null | undefined;
          let from = "";
          const withDebugFile =
            this.o.unwindTables && !hasDebugFrame(src)
              ? (dbg: ByteSource) => {
                  table = this.buildTable(image, src, dbg);
                  if (table?.sources.includes(".debug_frame")) from = " (with the .debug_frame of its debug file)";
                }
              : undefined;
          this.findSymbols(image, image.elf, where.magicLink ? "/" : (where.root ?? "/"), withDebugFile);
          if (this.o.unwindTables && table === undefined) table = this.buildTable(image, src);
          if (table !== undefined) this.keepTable(image, table, t0, from);
          s.elfLoaded++;
          if (viaProc) s.elfViaProc++;
          log(`symbolize: loaded ${escapeText(m.path)}: ${image.source}, ${image.syms?.symbolCount ?? 0} functions, ${(performance.now() - t0).toFixed(1)} ms`);
        } catch (err) {
          s.elfFailed++;
          log(`symbolize: no symbols for ${escapeText(m.path)}: ${escapeText((err as Error).message)}`);
        }
        this.images.set(key, image);
        return image;
      } finally {
        closeSync(f.fd);
      }
    }
    const key = `missing:${m.dev}:${m.inode}:${m.path}`;
    let image = this.images.get(key);
    if (!image) {
      s.elfFailed++;
      log(`symbolize: cannot open ${escapeText(m.path)}${m.deleted ? " (deleted)" : ""} of pid ${pid}`);
      image = { elf: null, syms: null, source: "none", path: m.path, label, frames: new Map() };
      this.images.set(key, image);
    }
    return image;
  }

  /**
   * The vDSO is the kernel's one image for every native process, so it is read once from our
   * own memory: a process can rewrite its own copy (mprotect, or /proc/self/mem), and that
   * must not rename other processes' frames. A mapping of another size (a 32-bit process's
   * vDSO) is not this image and stays "[vdso]".
   */
  vdso(m: Mapping): Image | null {
    if (this.vdsoImage === undefined) this.vdsoImage = this.readOwnVdso();
    if (this.vdsoImage === null || m.end - m.start !== this.vdsoSize) return null;
    return this.vdsoImage;
  }

  /**
   * Drops the images that no process in `live` has mapped for two sweeps in a row (at most one
   * sweep per SWEEP_MS), so a file's memory goes when the last process that mapped it is gone for
   * a few seconds, and a file that short-lived processes keep mapping is not re-read each time.
   */
  /** True when sweep() would run now. */
  sweepDue(now = performance.now()): boolean {
    return now - this.lastSweep >= SWEEP_MS;
  }

  sweep(live: Iterable<readonly (Image | undefined)[]>, now = performance.now()): void {
    if (!this.sweepDue(now)) return;
    this.lastSweep = now;
    const used = new Set<Image>();
    for (const images of live) for (const im of images) if (im) used.add(im);
    for (const [key, im] of this.images) {
      if (used.has(im)) im.unusedSweeps = 0;
      else if ((im.unusedSweeps = (im.unusedSweeps ?? 0) + 1) >= 2) {
        this.images.delete(key);
        if (im.unwind) {
          this.o.stats.unwindTableBytes -= im.unwind.bytes;
          this.o.stats.unwindReleased++;
          this.o.log(`unwind: released the table of ${escapeText(im.path)} (${(im.unwind.bytes / 1024).toFixed(0)} KiB): no process maps it`);
        }
      }
    }
  }

  /** Symbols of a loaded image (separate debug info for stripped files), counted and logged. */
  private findSymbols(image: Image, elf: ElfFile, root: string, onDebugFile?: (src: ByteSource) => void): void {
    const { log, stats: s } = this.o;
    const found = findSymbols(elf, image.path, this.o.debugDirs, root, onDebugFile);
    image.syms = found.syms;
    image.source = found.source;
    for (const note of found.notes) log(`symbolize: ${escapeText(image.path)}: ${note}`);
    switch (found.source) {
      case "debuglink":
        s.debugLinks++;
        s.debugFiles++;
        break;
      case "build-id":
        s.debugFiles++;
        break;
      case "minidebuginfo":
        s.miniDebugInfo++;
        break;
      case "dynsym":
      case "none":
        s.dynsymOnly++;
        log(
          `symbolize: ${escapeText(image.path)} is stripped and has no separate debug info (build-id, debuglink, MiniDebugInfo): ` +
            `${found.source === "dynsym" ? `names from .dynsym only (${elf.symbolCount} functions)` : "no symbols"}`,
        );
        break;
    }
  }

  /** The call-frame table in a file (null: none, or unreadable, which is logged). */
  private buildTable(image: Image, src: ByteSource, debugFile?: ByteSource): UnwindTable | null {
    try {
      const inputs = unwindInputs(src, { debugFile });
      if (inputs === null) return null;
      return this.o.cacheDir === null ? tableFromInputs(inputs) : cachedUnwindTable(inputs, this.o.cacheDir, this.o.log, this.o.stats);
    } catch (err) {
      this.o.log(`unwind: ${escapeText(image.path)}: ${escapeText((err as Error).message)}`);
      return null;
    }
  }

  /** Keeps an image's call-frame table (null: it has none), counted and logged. */
  private keepTable(image: Image, table: UnwindTable | null, t0: number, from = ""): void {
    const { log, stats: s } = this.o;
    image.unwind = table;
    if (table === null) {
      s.unwindMissing++;
      log(`unwind: ${escapeText(image.path)} has no call-frame information: frame pointers only`);
      return;
    }
    s.unwindTables++;
    s.unwindTableBytes += table.bytes;
    log(`unwind: ${escapeText(image.path)}${from}: ${table.count} rows, ${(table.bytes / 1024).toFixed(0)} KiB, ${(performance.now() - t0).toFixed(1)} ms`);
  }

  private readOwnVdso(): Image | null {
    try {
      const own = readMaps("self", this.o.procRoot).maps.find((x) => x.path === "[vdso]");
      if (!own) return null;
      const fd = openSync(`${this.o.procRoot}/self/mem`, "r");
      try {
        const bytes = fdSource(fd, null).read(own.start, own.end - own.start);
        const elf = new ElfFile(bufferSource(bytes));
        this.vdsoSize = own.end - own.start;
        const image: Image = { elf, syms: elf, source: elf.stripped ? "dynsym" : "symtab", path: "[vdso]", label: "[vdso]", frames: new Map() };
        if (this.o.unwindTables) this.keepTable(image, this.buildTable(image, bufferSource(bytes)), performance.now());
        return image;
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      this.o.log(`symbolize: cannot read our own vDSO: ${escapeText((err as Error).message)}`);
      return null;
    }
  }
}

/** "fe:01" (hex major:minor, as in maps) -> the st_dev number stat gives (glibc makedev), or null. */
export function parseDev(text: string): number | null {
  const colon = text.indexOf(":");
  const major = parseInt(text.slice(0, colon), 16);
  const minor = parseInt(text.slice(colon + 1), 16);
  if (colon < 0 || Number.isNaN(major) || Number.isNaN(minor)) return null;
  return (minor & 0xff) + (major & 0xfff) * 256 + (minor >>> 8) * 0x100000 + Math.floor(major / 0x1000) * 0x100000000;
}
