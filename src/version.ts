// The version shown by --version; build.ts replaces FLAMETUI_COMMIT at compile time.

import pkg from "../package.json" with { type: "json" };

declare const FLAMETUI_COMMIT: string | undefined;

export const VERSION: string = pkg.version;
export const COMMIT: string = typeof FLAMETUI_COMMIT === "string" ? FLAMETUI_COMMIT : "dev";
