// `-- COMMAND` without the kernel (runs as any user): the command line split at the first `--`,
// the program found as a shell finds it (127/126), shell exit statuses and passwd lines.

import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_MS, parseArgs } from "../../src/cli.ts";
import { resolveCommand } from "../../src/commands/run-command-path.ts";
import { parsePasswdLine } from "../../src/commands/run-command-user.ts";
import { shellStatus } from "../../src/commands/run-command.ts";
import { FlametuiError, UsageError } from "../../src/errors.ts";

const dir = mkdtempSync(join(process.env.FLAMETUI_TEST_SCRATCH ?? "/var/tmp", "flametui-command-parse-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function live(argv: string[]) {
  const p = parseArgs(argv, false);
  if (p.command !== "fixed" && p.command !== "aggregate" && p.command !== "ring") throw new Error(`not live: ${p.command}`);
  return p.options;
}

describe("parseArgs with -- COMMAND", () => {
  test("everything after the first -- is the command's, flags and all", () => {
    const o = live(["fixed", "--hz", "49", "-o", "x.folded", "--", "./prog", "--hz", "7", "-", "--help", "--", "-o"]);
    expect(o.command).toEqual(["./prog", "--hz", "7", "-", "--help", "--", "-o"]);
    expect(o.hz).toBe(49);
    expect(o.output).toBe("x.folded");
  });

  test("fixed without --ms runs until the command exits; with --ms that limit; ring keeps its slot length", () => {
    expect(live(["fixed", "--", "true"]).ms).toBe(MAX_MS);
    expect(live(["fixed", "--ms", "250", "--", "true"]).ms).toBe(250);
    expect(live(["fixed"]).ms).toBe(1000);
    expect(live(["ring", "--", "true"]).ms).toBe(50);
    expect(live(["aggregate", "--", "true"]).command).toEqual(["true"]);
  });

  test("usage errors: --pid with a command, -- with nothing after it, -- on other commands", () => {
    expect(() => parseArgs(["fixed", "--pid", "1", "--", "true"], false)).toThrow(UsageError);
    expect(() => parseArgs(["fixed", "--"], false)).toThrow("'--' needs a command");
    expect(() => parseArgs(["file", "x", "--", "true"], false)).toThrow("only goes with fixed, aggregate or ring");
    expect(() => parseArgs(["--", "true"], false)).toThrow(UsageError);
  });

  test("no -- : no command", () => {
    expect(live(["fixed", "--ms", "10"]).command).toBeUndefined();
  });
});

describe("resolveCommand", () => {
  const bin1 = join(dir, "bin1");
  const bin2 = join(dir, "bin2");
  mkdirSync(bin1);
  mkdirSync(bin2);
  writeFileSync(join(bin1, "tool"), "#!/bin/sh\n");
  chmodSync(join(bin1, "tool"), 0o644); // not executable: skipped, as execvp does
  writeFileSync(join(bin2, "tool"), "#!/bin/sh\n");
  chmodSync(join(bin2, "tool"), 0o755);
  writeFileSync(join(bin1, "only-noexec"), "x");
  writeFileSync(join(dir, "here"), "#!/bin/sh\n");
  chmodSync(join(dir, "here"), 0o755);

  const status = (f: () => unknown): number => {
    try {
      f();
    } catch (e) {
      if (e instanceof FlametuiError) return e.exitCode;
      throw e;
    }
    return 0;
  };

  test("PATH search: the first executable file wins; a non-executable one earlier is skipped", () => {
    expect(resolveCommand("tool", `${bin1}:${bin2}`, "/")).toBe(join(bin2, "tool"));
  });

  test("an empty PATH entry is the current directory; a name with a slash is taken as it is", () => {
    expect(resolveCommand("here", `${bin1}::${bin2}`, dir)).toBe("here");
    expect(resolveCommand("./here", "/nonexistent", dir)).toBe("./here");
    expect(resolveCommand(join(dir, "here"), undefined, "/")).toBe(join(dir, "here"));
  });

  test("127 when nothing is found, 126 when only something that cannot run is", () => {
    expect(status(() => resolveCommand("flametui-none", `${bin1}:${bin2}`, "/"))).toBe(127);
    expect(status(() => resolveCommand("only-noexec", `${bin1}:${bin2}`, "/"))).toBe(126);
    expect(status(() => resolveCommand("./missing", undefined, dir))).toBe(127);
    expect(status(() => resolveCommand(bin1, undefined, "/"))).toBe(126);
    expect(status(() => resolveCommand(join(bin1, "tool"), undefined, "/"))).toBe(126);
    expect(status(() => resolveCommand("", undefined, "/"))).toBe(127);
  });
});

describe("exit statuses and accounts", () => {
  test("a shell's exit status: the code, or 128 + the signal", () => {
    expect(shellStatus(7, null)).toBe(7);
    expect(shellStatus(null, "SIGTERM")).toBe(143);
    expect(shellStatus(null, "SIGKILL")).toBe(137);
    expect(shellStatus(null, "SIGINT")).toBe(130);
    expect(shellStatus(null, 11)).toBe(139);
  });

  test("passwd lines: the entry of the uid asked for only", () => {
    expect(parsePasswdLine("alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash", 1000)).toEqual({ name: "alice", uid: 1000, gid: 1000, home: "/home/alice" });
    expect(parsePasswdLine("alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash", 1001)).toBeNull();
    expect(parsePasswdLine("svc:x:998:997:::/usr/sbin/nologin", 998)).toEqual({ name: "svc", uid: 998, gid: 997, home: "/" });
    expect(parsePasswdLine("broken", 0)).toBeNull();
  });
});
