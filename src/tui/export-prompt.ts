// The viewer's `e`: a one-line prompt for where to write the view and in which format (every
// format of src/output.ts: the typed extension picks it, Tab cycles it and the extension
// follows; the hint lists them), and the write itself (src/fs/write-file.ts rules).

import { accessSync, constants, lstatSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { writeNewFile, writeOutputFile } from "../fs/write-file.ts";
import type { Snapshot } from "../profile/snapshot.ts";
import { DEFAULT_EXTENSION, formatOfExtension, OUTPUT_FORMATS, type OutputFormat, outputExtension, renderProfile } from "../output.ts";
import { keyId, type KeyLike } from "./keymap.ts";
import { sanitizeText } from "./sanitize.ts";

export type ExportFormat = OutputFormat;
export const EXPORT_FORMATS: readonly ExportFormat[] = OUTPUT_FORMATS;
/** Extensions and formats come from src/output.ts, the table the CLI uses too. */
const EXTENSION = DEFAULT_EXTENSION;

function writableDir(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first writable of: `preferred` (the input's directory), the current directory, the home directory. */
export function defaultExportDir(preferred?: string, cwd = process.cwd(), home = homedir()): string {
  for (const d of [preferred, cwd, home]) if (d !== undefined && writableDir(d)) return resolve(d);
  return resolve(preferred ?? cwd);
}

/** Taken, as a name to offer: anything there, even a dangling symlink. */
function taken(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

/** `DIR/flametui-YYYYMMDDTHHMMSS[-k].ext`, the first such name not taken. */
export function defaultExportPath(dir: string, format: ExportFormat, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  const ext = EXTENSION[format];
  for (let k = 0; k < 100; k++) {
    const p = join(dir, `flametui-${stamp}${k === 0 ? "" : `-${k}`}${ext}`);
    if (!taken(p)) return p;
  }
  return join(dir, `flametui-${stamp}${ext}`);
}

export type PromptResult = "edit" | "submit" | "cancel" | "quit" | null;

export class ExportPrompt {
  text: string;
  cursor: number;
  format: ExportFormat;
  /** The path exists: the next Enter replaces it (own regular file only). */
  confirmReplace: string | null = null;

  constructor(path: string, format: ExportFormat = "folded") {
    this.text = path;
    this.cursor = path.length;
    this.format = format;
  }

  /** Tab: the next format; a known extension is swapped for the new format's, else appended. */
  cycleFormat(): void {
    this.format = EXPORT_FORMATS[(EXPORT_FORMATS.indexOf(this.format) + 1) % EXPORT_FORMATS.length]!;
    const atEnd = this.cursor === this.text.length;
    const ext = outputExtension(this.text);
    const stem = formatOfExtension(ext) ? this.text.slice(0, -ext.length) : this.text;
    this.text = stem + EXTENSION[this.format];
    this.cursor = atEnd ? this.text.length : Math.min(this.cursor, this.text.length);
  }

  key(k: KeyLike): PromptResult {
    const id = keyId(k);
    const t = this.text;
    const c = this.cursor;
    switch (id) {
      case "C-c":
        return "quit";
      case "escape":
        return "cancel";
      case "return":
      case "enter":
        return "submit";
      case "tab":
        this.cycleFormat();
        break;
      case "backspace":
      case "C-h":
        if (c === 0) return "edit";
        this.text = t.slice(0, c - 1) + t.slice(c);
        this.cursor = c - 1;
        break;
      case "delete":
      case "C-d":
        this.text = t.slice(0, c) + t.slice(c + 1);
        break;
      case "left":
      case "C-b":
        this.cursor = Math.max(0, c - 1);
        return "edit";
      case "right":
      case "C-f":
        this.cursor = Math.min(t.length, c + 1);
        return "edit";
      case "home":
      case "C-a":
        this.cursor = 0;
        return "edit";
      case "end":
      case "C-e":
        this.cursor = t.length;
        return "edit";
      case "C-u":
        this.text = t.slice(c);
        this.cursor = 0;
        break;
      case "C-k":
        this.text = t.slice(0, c);
        break;
      case "C-w": {
        const from = t.slice(0, c).replace(/[^/]*\/?$/, "").length;
        this.text = t.slice(0, from) + t.slice(c);
        this.cursor = from;
        break;
      }
      default: {
        const seq = k.sequence;
        if (k.ctrl || k.meta || seq.length === 0 || !/^[^\x00-\x1f\x7f-\x9f]+$/.test(seq)) return null;
        this.text = t.slice(0, c) + seq + t.slice(c);
        this.cursor = c + seq.length;
        const typed = formatOfExtension(outputExtension(this.text));
        if (typed) this.format = typed;
      }
    }
    this.confirmReplace = null;
    return "edit";
  }

  /** The path to write: `~` is the home directory; relative paths start at the current directory. */
  target(): string {
    const t = this.text.trim();
    if (t === "~" || t.startsWith("~/")) return join(homedir(), t.slice(1));
    return resolve(t);
  }

  /**
   * Writes the subtree at `root` and returns the status message; `done` is false when the
   * prompt stays open (nothing to write to, or an existing file the next Enter replaces).
   */
  submit(s: Snapshot, root: number, name: string): { done: boolean; message: string } {
    if (this.text.trim() === "") return { done: false, message: "type a file name, or Esc to cancel" };
    const path = this.target();
    const shown = sanitizeText(path);
    // Like the CLI: the extension says the format (none: the one chosen with Tab); others are refused.
    const ext = outputExtension(path);
    if (ext !== "") {
      const f = formatOfExtension(ext);
      if (f === undefined) {
        const e = sanitizeText(ext.length > 12 ? ext.slice(0, 11) + "…" : ext);
        return { done: false, message: `cannot write '${e}' files: use ${Object.values(EXTENSION).join(" or ")} (Tab)` };
      }
      this.format = f;
    }
    const text = renderProfile(s, this.format, name, root);
    try {
      if (this.confirmReplace === path) writeOutputFile(path, text);
      else writeNewFile(path, text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") {
        this.confirmReplace = path;
        return { done: false, message: `${shown} exists: Enter replaces it, Esc cancels` };
      }
      return { done: true, message: `not written: ${sanitizeText(e instanceof Error ? e.message : String(e))}` };
    }
    return { done: true, message: `wrote ${this.format} to ${shown}` };
  }

  /** The status line while the prompt is open: label, text with a block cursor kept in view, keys. */
  status(width: number, notice: string | null): { left: string; right: string } {
    const label = `export ${this.format}: `;
    const right = notice ?? "Tab format · Enter write · Esc cancel";
    const head = sanitizeText(this.text.slice(0, this.cursor));
    let line = head + "█" + sanitizeText(this.text.slice(this.cursor));
    // A notice (an existing file, no name) keeps its place; the key hint gives way to the path.
    const room = width - 1 - label.length - (notice ? right.length + 4 : 0);
    if (line.length > room && room > 1) {
      // Cut the head rather than the tail (a path's end matters most), keeping the cursor in view.
      const start = Math.max(1, Math.min(line.length - (room - 1), head.length));
      line = "…" + line.slice(start, start + room - 1);
    }
    const left = label + line;
    // Without a notice, the hint names every format Tab offers when the line has room for that.
    const hints = notice ? [right] : [`Tab ${EXPORT_FORMATS.join("|")} · Enter write · Esc cancel`, right];
    return { left, right: hints.find((h) => left.length + h.length + 4 <= width) ?? "" };
  }
}
