// Finds the best symbol table for an ELF image: its own .symtab, else a separate debug file by
// build-id or by .gnu_debuglink (CRC32-checked), else MiniDebugInfo merged with .dynsym. A debug
// file found is also offered to the caller while it is open (its .debug_frame, for unwinding).
// Debug files are opened through safe-open.ts inside the process's root: regular files only.
import { closeSync } from "node:fs";
import { crc32 } from "node:zlib";
import { escapeText, hasUnsafeText } from "../text/sanitize.ts";
import { ElfFile, bufferSource, fdSource, type ByteSource, type SymbolTable } from "./elf.ts";
import { MergedSymbols } from "./merged-symbols.ts";
import { RefusedFile, openRegular, readBudget, readRange, sparseReason, type OpenedFile } from "./safe-open.ts";
import { xzDecompress } from "./xz.ts";

export type SymbolSource = "symtab" | "build-id" | "debuglink" | "minidebuginfo" | "dynsym" | "none";

/** Largest debug file whose CRC is computed (real ones reach a few GB only for browsers). */
const DEBUG_FILE_LIMIT = 4 * 2 ** 30;
/** Largest decompressed MiniDebugInfo (real ones are a few MB: function symbols only). */
export const MINIDEBUGINFO_LIMIT = 64 << 20;

export interface ImageSymbols {
  syms: SymbolTable;
  source: SymbolSource;
  /** The separate debug file used, if any. */
  debugPath: string | null;
  /** Problems worth one log line (a debuglink with the wrong CRC, corrupt MiniDebugInfo). */
  notes: string[];
}

/**
 * Symbols for `elf`, loaded from `path` (as the process names it; debuglinks are searched
 * next to it, in its .debug/ and under each debug dir + its directory, as gdb does).
 * Every searched path is resolved inside `root` (a process's /proc/PID/root, or "/").
 */
export function findSymbols(elf: ElfFile, path: string, debugDirs: string[], root = "/", onDebugFile?: (src: ByteSource) => void): ImageSymbols {
  const notes: string[] = [];
  if (!elf.stripped) {
    // Its own symbols; a debug file is looked for only when the caller wants its call frames.
    if (onDebugFile) separateDebugFile(elf, path, debugDirs, root, notes, onDebugFile);
    return { syms: elf, source: "symtab", debugPath: null, notes };
  }
  const found = separateDebugFile(elf, path, debugDirs, root, notes, onDebugFile);
  if (found !== null) return { ...found, notes };
  if (elf.debugData !== null) {
    try {
      const mini = new ElfFile(bufferSource(xzDecompress(elf.debugData, MINIDEBUGINFO_LIMIT)));
      if (mini.symbolCount > 0) return { syms: new MergedSymbols(elf, mini), source: "minidebuginfo", debugPath: null, notes };
    } catch (err) {
      notes.push(`.gnu_debugdata (MiniDebugInfo) unreadable: ${escapeText((err as Error).message)}`);
    }
  }
  return { syms: elf, source: elf.symbolCount > 0 ? "dynsym" : "none", debugPath: null, notes };
}

/**
 * Why a .gnu_debuglink name is not a plain file name (it is joined to directories: "/" or ".."
 * would reach elsewhere), or null when it is one.
 */
export function badDebugLinkName(name: string): string | null {
  if (name === "") return "is empty";
  if (name === "." || name === "..") return "is a directory name";
  if (name.includes("/")) return "contains '/'";
  if (hasUnsafeText(name) || name.includes("\ufffd")) return "contains control characters or invalid UTF-8";
  return null;
}

/** What was found about a debug file candidate, by identity: its CRC32, or why it was refused. */
const verdicts = new Map<string, number | string>();
const VERDICTS_LIMIT = 4096;

/** Tests: forget the CRCs and refusals of files seen so far. */
export function forgetDebugFileVerdicts(): void {
  verdicts.clear();
}

/** The separate debug file of `elf` by build-id, else by .gnu_debuglink; null when there is none. */
function separateDebugFile(
  elf: ElfFile,
  path: string,
  debugDirs: string[],
  root: string,
  notes: string[],
  onSource?: (src: ByteSource) => void,
): { syms: ElfFile; source: SymbolSource; debugPath: string } | null {
  const id = elf.buildId;
  if (id !== null && id.length >= 4) {
    for (const dir of debugDirs) {
      const p = `${dir}/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;
      const dbg = loadDebugFile(p, root, null, notes, false, (d) => d.buildId === null || d.buildId === id, onSource);
      if (dbg) return { syms: dbg, source: "build-id", debugPath: p };
    }
  }
  const link = elf.debugLink;
  const bad = link === null ? null : badDebugLinkName(link.file);
  if (bad !== null) notes.push(`.gnu_debuglink name "${escapeText(link!.file)}" ${bad}, ignored`);
  else if (link !== null) {
    const dir = path.slice(0, path.lastIndexOf("/") + 1) || "/";
    const candidates = [`${dir}${link.file}`, `${dir}.debug/${link.file}`, ...debugDirs.map((d) => `${d}${dir}${link.file}`)];
    for (const [i, p] of candidates.entries()) {
      const dbg = loadDebugFile(p, root, link.crc, notes, i < 2, (d) => id === null || d.buildId === null || d.buildId === id, onSource);
      if (dbg) return { syms: dbg, source: "debuglink", debugPath: p };
    }
  }
  return null;
}

/**
 * A debug file at `path` inside `root` that really has a .symtab, or null. With `crc`, the
 * file's CRC32 must match (computed on the descriptor that is then parsed). `nextToBinary`:
 * the file is in the binary's own directory, which its owner may share with others, so a
 * hard link (someone else's file, whose contents they do not control) is refused.
 */
function loadDebugFile(
  path: string,
  root: string,
  crc: number | null,
  notes: string[],
  nextToBinary: boolean,
  accept: (dbg: ElfFile) => boolean,
  onSource?: (src: ByteSource) => void,
): ElfFile | null {
  let f: OpenedFile;
  try {
    f = openRegular(path, { root });
  } catch (e) {
    if (e instanceof RefusedFile) notes.push(e.message);
    return null;
  }
  try {
    const st = f.stat;
    if (nextToBinary && st.nlink !== 1) throw new RefusedFile(path, `${st.nlink} hard links`);
    const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    let known = verdicts.get(key);
    if (known === undefined && crc !== null) {
      try {
        known = fdCrc32(f, path);
      } catch (e) {
        if (!(e instanceof RefusedFile)) throw e;
        known = e.quiet ? "" : e.message;
      }
      if (verdicts.size >= VERDICTS_LIMIT) verdicts.clear();
      verdicts.set(key, known);
      if (typeof known === "string") {
        if (known !== "") notes.push(known);
        return null;
      }
    } else if (typeof known === "string") {
      return null; // refused before, and said so then
    }
    if (crc !== null && known !== crc) {
      notes.push(`${escapeText(path)}: debuglink CRC mismatch (file ${hex(known!)}, expected ${hex(crc)}), ignored`);
      return null;
    }
    const src = fdSource(f.fd, st.size, path);
    const dbg = new ElfFile(src);
    if (dbg.stripped || dbg.symbolCount === 0 || !accept(dbg)) return null;
    onSource?.(src);
    return dbg;
  } catch (e) {
    if (e instanceof RefusedFile && !e.quiet) notes.push(e.message);
    return null;
  } finally {
    closeSync(f.fd);
  }
}

/**
 * CRC32 (the zlib polynomial gnu_debuglink uses) of an open regular file, up to its size.
 * Throws RefusedFile for a file too large, sparse, or past the read budget.
 */
function fdCrc32(f: OpenedFile, path: string): number {
  const size = f.stat.size;
  if (size > DEBUG_FILE_LIMIT) throw new RefusedFile(path, `${size} bytes, too large for a debug file`);
  const sparse = sparseReason(f.stat);
  if (sparse !== null) throw new RefusedFile(path, sparse);
  readBudget.charge(f.stat, size, path);
  let crc = 0;
  for (let pos = 0; pos < size; ) {
    const chunk = readRange(f.fd, pos, Math.min(1 << 20, size - pos));
    if (chunk.length === 0) break;
    crc = crc32(chunk, crc);
    pos += chunk.length;
  }
  return crc;
}

/** CRC32 of the regular file at `path`; null if it is missing, unreadable or not regular. */
export function fileCrc32(path: string): number | null {
  let f: OpenedFile;
  try {
    f = openRegular(path);
  } catch {
    return null;
  }
  try {
    return fdCrc32(f, path);
  } catch {
    return null;
  } finally {
    closeSync(f.fd);
  }
}

const hex = (n: number) => n.toString(16).padStart(8, "0");
