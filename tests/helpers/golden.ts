// Golden-file helper: compares text with tests/golden/NAME, or rewrites the file when
// FLAMETUI_BLESS=1 is set on purpose. CI refuses to run with the switch on.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const GOLDEN_DIR = join(import.meta.dir, "..", "golden");
export const FIXTURES = join(import.meta.dir, "..", "fixtures");
export const blessing = process.env.FLAMETUI_BLESS === "1";

/** Returns the expected text (after blessing, the actual one). */
export function golden(name: string, actual: string): string {
  const path = join(GOLDEN_DIR, name);
  if (blessing) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return actual;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with FLAMETUI_BLESS=1 to create it`);
  return readFileSync(path, "utf8");
}
