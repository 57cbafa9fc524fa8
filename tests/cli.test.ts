// The command line as a user meets it: conversions, pipes, help, version, and usage errors
// that exit with code 2 and one line of explanation.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCli } from "./helpers/cli.ts";
import { FIXTURES, GOLDEN_DIR } from "./helpers/golden.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const capture = join(FIXTURES, "system-busy.perf.txt");
const reference = readFileSync(join(GOLDEN_DIR, "stackcollapse", "system-busy.period.folded"), "utf8");

test("file capture -o - writes folded stacks to stdout", () => {
  const r = runCli(["file", capture, "-o", "-", "--perf-names"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(reference);
});

test("perf script | flametui -o FILE (folded by default)", () => {
  const out = join(dir, "stacks.folded");
  const r = runCli(["-o", out, "--perf-names"], readFileSync(capture));
  expect(r.code).toBe(0);
  expect(readFileSync(out, "utf8")).toBe(reference);
});

test("stdout not a terminal and no -o: folded stacks to stdout, so flametui fits in pipelines", () => {
  const r = runCli(["--perf-names"], readFileSync(capture));
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(reference);
});

test("file X.collapsed -o out.json writes speedscope; --format overrides the extension", () => {
  const folded = join(GOLDEN_DIR, "stackcollapse", "threads.samples.folded");
  const json = join(dir, "out.json");
  expect(runCli(["file", folded, "-o", json]).code).toBe(0);
  expect(JSON.parse(readFileSync(json, "utf8")).$schema).toContain("speedscope");
  const r = runCli(["file", folded, "-o", "-", "--format", "speedscope"]);
  expect(JSON.parse(r.stdout).profiles[0].type).toBe("sampled");
  const f = runCli(["file", folded, "-o", join(dir, "x.json"), "--format", "folded"]);
  expect(f.code).toBe(0);
  expect(readFileSync(join(dir, "x.json"), "utf8")).toBe(readFileSync(folded, "utf8"));
});

test("file - reads stdin; --weight samples counts samples", () => {
  const r = runCli(["file", "-", "--weight", "samples", "--perf-names"], readFileSync(capture));
  expect(r.stdout).toBe(readFileSync(join(GOLDEN_DIR, "stackcollapse", "system-busy.samples.folded"), "utf8"));
});

test("--help, file --help and --version", () => {
  const h = runCli(["--help"]);
  expect(h.code).toBe(0);
  expect(h.stdout).toContain("file <path>");
  const fh = runCli(["file", "--help"]);
  expect(fh.stdout).toContain("--weight <mode>");
  const v = runCli(["--version"]);
  expect(v.stdout).toMatch(/^flametui \d+\.\d+\.\d+ \(/);
});

test("unknown commands and flags: one-line usage error, exit code 2", () => {
  for (const args of [["bogus"], ["--bogus"], ["file", capture, "--nope"], ["file", capture, "--format", "html", "-o", "-"], ["file", capture, "--weight", "bytes"]]) {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(/^flametui: /);
    expect(r.stderr).not.toContain("    at ");
  }
});

test("bad input: clear error naming the file, exit 1, no stack trace", () => {
  const r = runCli(["file", join(dir, "missing.txt")]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(`flametui: ${join(dir, "missing.txt")}: no such file\n`);
});

test("malformed lines are reported once with file:line, the rest is imported", () => {
  const r = runCli(["file", "-", "-o", "-"], "a;b 1\nbroken line\na;c 2\nworse\n");
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("a;b 1\na;c 2\n");
  expect(r.stderr).toBe("flametui: skipped 2 malformed lines (first at stdin:2: count is not a number)\n");
});

test("--verbose writes a debug log (0600, in a private directory) and prints its path at exit", () => {
  const r = runCli(["file", capture, "-o", join(dir, "v.folded"), "--verbose"], undefined, { XDG_RUNTIME_DIR: "" });
  const m = r.stderr.match(/debug log written to (\S+)/);
  expect(m).not.toBeNull();
  const log = m![1]!;
  expect(readFileSync(log, "utf8")).toContain("imported");
  expect(statSync(log).mode & 0o777).toBe(0o600);
  expect(dirname(log).startsWith(join(tmpdir(), "flametui-"))).toBe(true); // a mkdtemp directory
  expect(statSync(dirname(log)).mode & 0o777).toBe(0o700);
  rmSync(log);
  rmdirSync(dirname(log));
});

test("names with control characters never reach the terminal raw in messages", () => {
  const r = runCli(["file", "-", "-o", "-"], "a;b 1\n\x1b[31mevil\n");
  expect(r.stderr).not.toContain("\x1b");
});

test("a file name with escape sequences is shown escaped in the error", () => {
  const r = runCli(["file", join(dir, "\x1b[2Jevil")]);
  expect(r.code).toBe(1);
  expect(r.stderr).not.toContain("\x1b");
  expect(r.stderr).toContain("\\x1b[2Jevil: no such file");
});

test("a live run with an -o it could not write stops before sampling, with one line", () => {
  for (const [out, why] of [[join(dir, "no", "such", "dir", "x.folded"), "no such directory"], [dir, "it is a directory"]] as const) {
    const t0 = performance.now();
    const r = runCli(["fixed", "--ms", "5000", "-o", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`flametui: cannot write ${out}: ${why}\n`);
    expect(performance.now() - t0).toBeLessThan(4000); // not after the 5 s of sampling
  }
});

test("-o /dev/null discards the profile", () => {
  const r = runCli(["file", capture, "-o", "/dev/null"]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe("");
});

test("--help: a usage line, every command with an example, no line without its label, no trailing blanks", () => {
  const out = runCli(["--help"]).stdout;
  expect(out).toContain("Usage:\n  flametui <command> [options]\n");
  const lines = out.split("\n");
  for (const l of lines) expect(l).toBe(l.trimEnd());
  const commands = out.slice(out.indexOf("Commands:\n") + 10, out.indexOf("\n\n", out.indexOf("Commands:")));
  const rows = commands.split("\n");
  expect(rows.length).toBe(12); // 6 commands, each a description line and an example line
  for (let i = 0; i < rows.length; i += 2) {
    expect(rows[i]).toMatch(/^  \S/);
    expect(rows[i + 1]).toMatch(/^ {10,}\S*.*flametui/);
  }
  for (const cmd of ["file", "fixed", "aggregate", "ring"]) {
    const h = runCli([cmd, "--help"]).stdout;
    expect(h).toMatch(new RegExp(`Usage:\\n  flametui ${cmd}( <path>)? \\[options\\]\\n`));
    expect(h).toMatch(new RegExp(`Examples:\\n  (sudo )?(perf script \\| )?flametui`));
    for (const l of h.split("\n")) expect(l).toBe(l.trimEnd());
  }
});

test("file --help lists only the flags of file; live commands list only theirs", () => {
  const fh = runCli(["file", "--help"]).stdout;
  for (const live of ["--hz", "--pid", "--enable-idle", "--include-self", "--threads", "--ms"]) expect(fh).not.toContain(live);
  const lh = runCli(["fixed", "--help"]).stdout;
  expect(lh).not.toContain("--weight");
  expect(lh).toContain("--enable-idle");
  const bad = runCli(["file", capture, "--enable-idle", "-o", "-"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("Unknown option '--enable-idle'");
});

test("invalid numbers name the flag and the value: negative, zero, NaN, fractions", () => {
  const cases: [string[], string][] = [
    [["fixed", "--ms", "-5"], "invalid value '-5' for --ms"],
    [["fixed", "--ms", "0"], "invalid value '0' for --ms"],
    [["fixed", "--ms", "NaN"], "invalid value 'NaN' for --ms"],
    [["fixed", "--hz", "1.5"], "invalid value '1.5' for --hz"],
    [["ring", "--n", "-1"], "invalid value '-1' for --n"],
    [["ring", "--ms", "-0.5"], "invalid value '-0.5' for --ms"],
    [["aggregate", "--hz", "-99"], "invalid value '-99' for --hz"],
  ];
  for (const [args, msg] of cases) {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(`flametui: ${msg}: it needs a whole number of at least 1`);
  }
});

test("file DIR: one clear line", () => {
  const r = runCli(["file", dir]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(`flametui: ${dir}: is a directory, not a profile (folded stacks or perf script output)\n`);
});

test("file -o into a missing directory: one line, before the import", () => {
  const out = join(dir, "missing", "x.folded");
  const r = runCli(["file", capture, "-o", out]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(`flametui: cannot write ${out}: no such directory\n`);
});

test("-o with an extension flametui cannot write is refused, listing the formats; nothing is written", () => {
  for (const name of ["x.png", "x.html", "x.gz"]) {
    const out = join(dir, name);
    const r = runCli(["file", capture, "-o", out]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(/^flametui: cannot write '\.\w+' files: the formats are folded \(.*\), speedscope \(\.json\)(, \w+ \(.*\))* and \w+ \(.*\)$/);
    expect(() => statSync(out)).toThrow();
  }
  const live = runCli(["fixed", "-o", join(dir, "y.png")]);
  expect(live.code).toBe(2);
  expect(live.stderr).toContain("the formats are folded");
  const forced = runCli(["file", capture, "-o", join(dir, "forced.out"), "--format", "folded"]);
  expect(forced.code).toBe(0);
  for (const ok of ["a.folded", "a.collapsed", "a.txt", "noext"]) expect(runCli(["file", capture, "-o", join(dir, ok)]).code).toBe(0);
});

test("fractional folded counts (as flamegraph.pl accepts them) round-trip exactly", () => {
  const text = "a;b 1.5\na;c 0.25\nd 3\n";
  const r = runCli(["file", "-", "-o", "-"], text);
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe(text);
  const sum = runCli(["file", "-", "-o", "-"], "a;c 0.1\na;c 0.2\na;b 2.\n");
  expect(sum.stdout).toBe("a;b 2\na;c 0.3\n");
});

describe("diff", () => {
  const before = join(FIXTURES, "diff-shape.before.folded");
  const after = join(FIXTURES, "diff-shape.after.folded");

  test("diff BEFORE AFTER -o FILE writes 'stack BEFORE AFTER' lines; flametui file reads them back as a diff", () => {
    const out = join(dir, "diff.folded");
    const r = runCli(["diff", before, after, "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const text = readFileSync(out, "utf8");
    const lines = text.trimEnd().split("\n");
    for (const l of lines) expect(l).toMatch(/^\S.* \d+ \d+$/);
    expect(lines).toContain("diff-shape;__libc_start_call_main;hot 4939 9826");
    // Every count of both inputs is in its column.
    const sum = (col: number) => lines.reduce((a, l) => a + Number(l.split(" ").at(col)), 0);
    const total = (f: string) => readFileSync(f, "utf8").trimEnd().split("\n").reduce((a, l) => a + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    expect(sum(-2)).toBe(total(before));
    expect(sum(-1)).toBe(total(after));
    // Lines sorted, as the folded exporter sorts; the two-count file round-trips through `file`.
    expect([...lines].sort()).toEqual(lines);
    expect(runCli(["file", out, "-o", "-"]).stdout).toBe(text);
    // stdout not a terminal and no -o: the same text.
    expect(runCli(["diff", before, after]).stdout).toBe(text);
  });

  test("vanished and new frames get a 0 in their missing column; escaping as in folded output", () => {
    const b = join(dir, "b.folded");
    const a = join(dir, "a.folded");
    writeFileSync(b, "p;gone 3\np;semi\\x3bcolon 1\n");
    writeFileSync(a, "p;new 2\np;semi\\x3bcolon 4\n");
    const r = runCli(["diff", b, a, "-o", "-"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("p;gone 3 0\np;new 0 2\np;semi\\x3bcolon 1 4\n");
  });

  test("diff --help says totals are normalised; bad uses exit 2 with one line", () => {
    const help = runCli(["diff", "--help"]).stdout;
    expect(help).toContain("normalised, as difffolded.pl -n does");
    expect(help).toContain("after/total_after - before/total_before");
    const json = runCli(["diff", before, after, "-o", join(dir, "d.json")]);
    expect(json.code).toBe(2);
    expect(json.stderr).toContain("two counts");
    expect(runCli(["diff", before]).code).toBe(2);
    expect(runCli(["diff", before, after, "--neutral", "x"]).code).toBe(2);
    expect(runCli(["diff", "-", "-"]).code).toBe(2);
  });
});
