// Command-line definition (cac): commands, flags, help text, and typed options. Parsing
// only; main.ts runs the chosen command.

import { cac } from "cac";
import { UNWIND_MODES, type UnwindMode } from "./unwind/unwind-target.ts";
import { MEASURES, type Measure } from "./collect/measure.ts";
import { parseAttachSpecs } from "./collect/attach-spec.ts";
import { UsageError } from "./errors.ts";
import { parseRangeMs } from "./profile/timeline.ts";
import { OUTPUT_FORMATS } from "./output.ts";
import { VERSION } from "./version.ts";

export interface GlobalOptions {
  output?: string;
  format?: string;
  verbose: boolean;
}

export interface FileOptions extends GlobalOptions {
  weight: "period" | "samples";
  /** perf script: keep perf's function names exactly (as stackcollapse-perf.pl prints them). */
  perfNames: boolean;
  /** pprof: the sample type to read by its type name (--sample-type); default: the profile's default, else the last. */
  sampleType?: string;
  /** perf script: time bin length (--bins) and the range of time to keep (--range), in ms from the first sample. */
  binMs?: number;
  range?: MsRange;
}

/** `--range START-END`: milliseconds from the start. */
export interface MsRange {
  startMs: number;
  endMs: number;
}

export interface DiffOptions extends FileOptions {
  /** Changes of share below this many percentage points are drawn neutral grey. */
  neutral: number;
}

export interface LiveOptions extends GlobalOptions {
  hz: number;
  ms: number;
  slots: number;
  pids: number[];
  threads: boolean;
  noPid: boolean;
  enableIdle: boolean;
  includeSelf: boolean;
  /** One frame per unnamed address ("libfoo.so+0x1a2b") instead of one per file ("[libfoo.so]"). */
  addresses: boolean;
  unwind: UnwindMode;
  /** --mode: cpu, offcpu or wall. */
  measure: Measure;
  /** --min-block-us, in ns. */
  minBlockNs: number;
  /** --attach specs, checked (src/collect/attach-spec.ts). */
  attach: string[];
  /** `-- COMMAND ARGS`: run this command and profile it and its children until it exits. */
  command?: string[];
  /** Time bin length of the time strip (--bins, ms). */
  binMs: number;
  /** Only the samples from START to END ms after the start (--range): written with -o, preselected in the viewer. */
  range?: MsRange;
}

export type Parsed =
  | { command: "file"; path: string; options: FileOptions }
  | { command: "diff"; before: string; after: string; options: DiffOptions }
  | { command: "fixed" | "aggregate" | "ring"; options: LiveOptions }
  | { command: "help" }
  | { command: "version" };

const DASH = "\u0000-";
const undash = <T>(v: T): T | string => (v === DASH ? "-" : v);

/**
 * `--no-pid` is taken out of argv before cac sees it: cac would read it as the negation of
 * `--pid <pids>` and then demand a value for --pid. It is registered only for the help text.
 */
const NO_PID = "--no-pid";

interface CommandHelp {
  name: string;
  usage: string;
  examples: string[];
  /** More about the command, shown in its own --help. */
  notes?: string;
}

/** `--help` of fixed, aggregate and ring: what `-- COMMAND` does. */
const COMMAND_NOTES = [
  "-- COMMAND ARGS runs the command on this terminal and profiles it and every process it forks,",
  "from its first instruction (filtered in the kernel), until it exits; flametui then exits with",
  "its exit status (128+N when killed by signal N). Under sudo it runs as the invoking user",
  "(SUDO_UID, SUDO_GID and that user's groups; HOME, USER, LOGNAME set for them). No viewer or",
  "progress line while it runs: the viewer opens when it exits (or -o writes the file). fixed",
  "covers the whole run (--ms N: only its first N ms), aggregate the same, ring the last --n x --ms",
  "before it exited. Ctrl-C reaches the command as usual; SIGTERM and SIGHUP to flametui are passed",
  "on to it. Not with --pid. A command that is not found exits 127, one that cannot run 126.",
].map((l) => `  ${l}`).join("\n");

/** Usage line and examples of each command; the summary help shows the first example of each. */
const HELP: Record<string, CommandHelp> = {
  file: {
    name: "file <path>",
    usage: "flametui file <path> [options]",
    examples: ["flametui file out.collapsed", "flametui file capture.perf.txt -o out.json", "perf script | flametui file - -o stacks.folded", "flametui file cpu.pb.gz --sample-type samples -o out.folded"],
  },
  diff: {
    name: "diff <before> <after>",
    usage: "flametui diff <before> <after> [options]",
    examples: [
      "flametui diff before.folded after.folded",
      "sudo flametui fixed -o before.folded; sudo flametui fixed -o after.folded; flametui diff before.folded after.folded",
      "flametui diff old.perf.txt new.perf.txt -o diff.folded   # 'stack BEFORE AFTER' per line",
      "flametui diff old.perf.txt new.perf.txt -o diff.svg      # coloured by change, for a browser",
    ],
    notes: [
      "Inputs are any format flametui reads (folded, perf script, or two captures written with -o).",
      "Totals are normalised, as difffolded.pl -n does: a frame's change is its share of AFTER's",
      "total minus its share of BEFORE's (after/total_after - before/total_before), so captures of",
      "different lengths compare. Red grew, blue shrank (stronger = larger change), grey changed less",
      "than --neutral points. Frames only in BEFORE are kept with AFTER weight 0; b draws BEFORE's",
      "shape, s cycles sort by name / weight / change. -o writes folded stacks with two raw counts",
      "per line (stack BEFORE AFTER, difffolded.pl's format); flametui file opens such a file as a diff.",
      "-o x.svg writes an interactive SVG in the same colours (b there shows BEFORE's shape too).",
    ].map((l) => `  ${l}`).join("\n"),
  },
  fixed: {
    name: "fixed",
    usage: "flametui fixed [options]\n  flametui fixed [options] -- COMMAND [ARGS...]",
    examples: ["sudo flametui fixed --hz 49 --ms 1000", 'sudo flametui fixed --pid "$(pidof myproc)" -o out.folded', "sudo flametui fixed -o build.folded -- make -j4"],
    notes: COMMAND_NOTES,
  },
  aggregate: {
    name: "aggregate",
    usage: "flametui aggregate [options]\n  flametui aggregate [options] -- COMMAND [ARGS...]",
    examples: ["sudo flametui aggregate --enable-idle", "sudo flametui aggregate -o out.folded   # writes on Ctrl-C / SIGTERM"],
    notes: COMMAND_NOTES,
  },
  ring: {
    name: "ring",
    usage: "flametui ring [options]\n  flametui ring [options] -- COMMAND [ARGS...]",
    examples: ["sudo flametui ring --hz 49 --ms 50 --n 10", "sudo flametui ring --ms 100 --n 20 -- ./server   # the last 2 s before it exits"],
    notes: COMMAND_NOTES,
  },
  "": {
    name: "(no command)",
    usage: "perf script | flametui [options]",
    examples: ["perf script | flametui", "perf script | flametui -o stacks.folded"],
  },
};

export function buildCli(forHelp = false) {
  const cli = cac("flametui");
  cli
    .option("-o, --output <file>", "Write the profile to a file instead of opening the viewer ('-' = stdout)")
    .option("--format <format>", `Output format: ${OUTPUT_FORMATS.join(" or ")} (default: from the file name, e.g. .json -> speedscope, .pb.gz -> pprof)`)
    .option("--verbose", "Write a debug log to a file; its path is printed at exit");

  cli
    .command("file <path>", "View or convert a profile: folded stacks, `perf script` output, pprof, speedscope or Chrome (.cpuprofile, trace) JSON ('-' = stdin)")
    .option("--sample-type <type>", "pprof: the sample type to show (cpu, samples, alloc_space, …); default: the profile's default, else the last")
    .option("--weight <mode>", "perf script weights: period (event period, e.g. ns of CPU) or samples", { default: "period" })
    .option("--perf-names", "perf script: keep perf's function names (__GI___libc_write), as stackcollapse-perf.pl does")
    .option("--bins <ms>", "perf script: time bin length of the time strip, in milliseconds", { default: 100 })
    .option("--range <start-end>", "perf script: only the samples START to END ms after the first (e.g. 500-1000)");

  cli
    .command(
      "diff <before> <after>",
      "Compare two profiles: AFTER's flamegraph coloured by the change of each frame's share",
    )
    .option("--weight <mode>", "perf script weights: period (event period, e.g. ns of CPU) or samples", { default: "period" })
    .option("--perf-names", "perf script: keep perf's function names (__GI___libc_write), as stackcollapse-perf.pl does")
    .option("--neutral <points>", "Changes of share below this many percentage points are drawn grey", { default: 1 });

  const live = (name: string, desc: string) =>
    cli
      .command(name, desc)
      .option("--hz <n>", "Samples per second on each CPU", { default: 99 })
      .option("--pid <pids>", "Only these processes (space or comma separated), filtered in the kernel")
      .option("--threads", "Add a 'tid N' level under each process")
      .option(forHelp ? NO_PID : "--merge-by-name", "Merge processes that share a name (no 'pid N' level)")
      .option("--enable-idle", "Include the idle task (pid 0)")
      .option("--include-self", "Include flametui's own process (left out by default)")
      .option("--addresses", "One frame per address without a symbol (libfoo.so+0x1a2b), not one per file ([libfoo.so])")
      .option("--bins <ms>", "Time bin length of the time strip above the graph, in milliseconds", { default: 100 })
      .option("--range <start-end>", "Only the samples START to END ms after the start (e.g. 500-1000): written with -o, selected in the viewer")
      .option("--unwind <how>", "User stacks: auto (.eh_frame, frame pointers where a file has none), dwarf (.eh_frame only) or fp (frame pointers)", { default: "auto" })
      .option("--mode <what>", "cpu (on-CPU samples), offcpu (time blocked, with the stack it blocked in) or wall (both, in nanoseconds)", { default: "cpu" })
      .option("--min-block-us <n>", "offcpu, wall: leave out blocks shorter than this, in microseconds", { default: 1 })
      .option("--attach <spec>", "Count stacks at events instead of timer samples (repeatable): tracepoint=SUBSYS:NAME, uprobe=PATH:SYMBOL, uretprobe=, kprobe=FUNC, kretprobe=, fentry=FUNC, perf=HZ");
  live("fixed", "Sample all CPUs for --ms milliseconds, then explore the profile").option("--ms <n>", "How long to sample, in milliseconds (default: 1000; with -- COMMAND: until it exits)");
  live("aggregate", "Live view that accumulates samples until you quit");
  live("ring", "Live view of a sliding window: the last --n slots of --ms milliseconds")
    .option("--ms <n>", "Length of one slot, in milliseconds", { default: 50 })
    .option("--n <n>", "Number of slots in the window", { default: 10 });

  cli.command("", "Read a profile from stdin when it is a pipe").option("--weight <mode>", "perf script weights, for a pipe on stdin: period or samples", { default: "period" }).option("--perf-names", "perf script: keep perf's function names, as stackcollapse-perf.pl does").option("--sample-type <type>", "pprof: the sample type to show (default: the profile's default, else the last)");

  cli.option("-v, --version", "Show the version");
  cli.help((sections) => helpSections(cli, sections));
  return cli;
}

type Cli = ReturnType<typeof cac>;

/** Replaces cac's layout: a usage line and examples for every command, options without trailing blanks. */
function helpSections(cli: Cli, sections: { title?: string; body: string }[]): { title?: string; body: string }[] {
  const cmd = cli.matchedCommand;
  const name = cmd?.name ?? "";
  // cac prints "(default: true)" for any --no-x flag; --no-pid is a plain switch here.
  const options = (sections.find((s) => s.title === "Options")?.body ?? "")
    .replace(/(--no-pid.*?) \(default: true\)/, "$1")
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n");
  if (name !== "" && HELP[name]) {
    const h = HELP[name]!;
    return [
      { body: `flametui ${name}: ${cmd!.description}` },
      { title: "Usage", body: `  ${h.usage}` },
      { title: "Options", body: options },
      { title: "Examples", body: h.examples.map((e) => `  ${e}`).join("\n") },
      ...(h.notes ? [{ title: "Notes", body: h.notes }] : []),
    ];
  }
  const width = Math.max(...Object.values(HELP).map((h) => h.name.length));
  const commands = cli.commands.map((c) => {
    const h = HELP[c.name]!;
    return `  ${h.name.padEnd(width)}  ${c.description}\n  ${" ".repeat(width)}    ${h.examples[0]}`;
  });
  return [
    { body: `flametui ${VERSION}: a CPU profiler with a flamegraph viewer in the terminal` },
    { title: "Usage", body: "  flametui <command> [options]\n  perf script | flametui [options]" },
    { title: "Commands", body: commands.join("\n") },
    { title: "Options", body: options },
    { body: "Run 'flametui <command> --help' for the options and examples of one command." },
  ];
}

/** Parses argv (without the runtime and script name). Throws UsageError on bad input. */
export function parseArgs(argv: string[], stdinIsTTY: boolean): Parsed {
  // `-- COMMAND ARGS`: everything after the first `--` belongs to the command, untouched.
  const dashes = argv.indexOf("--");
  const command = dashes >= 0 ? argv.slice(dashes + 1) : undefined;
  if (dashes >= 0) argv = argv.slice(0, dashes);
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  const noPid = argv.includes(NO_PID);
  argv = joinNegativeValues(argv.filter((a) => a !== NO_PID));
  const cli = buildCli(wantsHelp);
  let parsed;
  try {
    // cac's parser drops a lone "-", which users write for stdin and stdout.
    const args = argv.map((a) => (a === "-" ? DASH : a));
    parsed = cli.parse(["flametui", "flametui", ...args], { run: false });
    parsed.args = parsed.args.map(undash);
    for (const k of Object.keys(parsed.options)) parsed.options[k] = undash(parsed.options[k]);
    if (cli.matchedCommand) {
      cli.matchedCommand.checkUnknownOptions();
      cli.matchedCommand.checkOptionValue();
      cli.matchedCommand.checkRequiredArgs();
    }
  } catch (err) {
    // cac names an unknown flag by its camelCase key: show it as the user typed it.
    const msg = (err as Error).message.replace(/`/g, "'").replace(/--[a-z]\w*/g, (f) => f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    throw new UsageError(msg);
  }
  const o = parsed.options;
  if (o.help) return { command: "help" }; // cac has printed it
  if (o.version || o.v) return { command: "version" };
  const name = cli.matchedCommandName;
  const common = globals(o);
  if (name === "fixed" || name === "aggregate" || name === "ring") {
    if (parsed.args.length > 0) throw new UsageError(`unexpected argument '${parsed.args[0]}' for ${name}`);
    return { command: name, options: liveOptions(name, o, common, noPid, command) };
  }
  if (command !== undefined) throw new UsageError("'-- COMMAND' only goes with fixed, aggregate or ring", "e.g. sudo flametui fixed -- ./myprog ARGS");
  if (name === "diff") {
    if (parsed.args.length > 2) throw new UsageError(`unexpected argument '${parsed.args[2]}' for diff`);
    const neutral = Number(o.neutral);
    if (o.neutral === true || typeof o.neutral === "string" && o.neutral.trim() === "" || !Number.isFinite(neutral) || neutral < 0 || neutral > 100) throw new UsageError(`invalid value '${String(o.neutral)}' for --neutral: it needs a number of percentage points from 0 to 100`);
    return { command: "diff", before: String(parsed.args[0]), after: String(parsed.args[1]), options: { ...common, weight: weightOf(o.weight), perfNames: o.perfNames === true, neutral } };
  }
  if (name === "file") return { command: "file", path: String(parsed.args[0]), options: { ...common, weight: weightOf(o.weight), perfNames: o.perfNames === true, sampleType: sampleTypeOf(o.sampleType), binMs: positiveInt(o.bins ?? 100, "--bins", MAX_BIN_MS), range: rangeOf(o.range) } };
  if (cli.matchedCommand && name === undefined) {
    // The default command: no subcommand given.
    if (parsed.args.length > 0) throw new UsageError(`unknown command '${parsed.args[0]}'`);
    if (stdinIsTTY) {
      cli.outputHelp();
      return { command: "help" };
    }
    return { command: "file", path: "-", options: { ...common, weight: weightOf(o.weight), perfNames: o.perfNames === true, sampleType: sampleTypeOf(o.sampleType) } };
  }
  throw new UsageError(`unknown command '${parsed.args[0] ?? argv[0]}'`);
}

function globals(o: Record<string, unknown>): GlobalOptions {
  const output = o.output === undefined ? undefined : String(o.output);
  if (o.output === true || output === "") throw new UsageError("option '-o, --output' needs a file name ('-' for stdout)");
  return {
    output,
    format: o.format === undefined ? undefined : String(o.format),
    verbose: o.verbose === true,
  };
}

function sampleTypeOf(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === true || String(v).trim() === "") throw new UsageError("option '--sample-type' needs a sample type name (cpu, samples, alloc_space, …)");
  return String(v);
}

function weightOf(v: unknown): "period" | "samples" {
  if (v === undefined || v === "period") return "period";
  if (v === "samples") return "samples";
  throw new UsageError(`unknown --weight '${String(v)}': use period or samples`);
}

/** Beyond any real use; the kernel's own limit (kernel.perf_event_max_sample_rate) is checked when sampling starts. */
export const MAX_HZ = 1_000_000;
/** A year: --ms of days or weeks works; timers longer than ~24.8 days are chained. */
export const MAX_MS = 365 * 24 * 3600 * 1000;

function liveOptions(mode: string, o: Record<string, unknown>, common: GlobalOptions, noPidFlag: boolean, command?: string[]): LiveOptions {
  const hz = positiveInt(o.hz, "--hz", MAX_HZ);
  // fixed with a command and no --ms: until the command exits (a year is the window's own limit).
  const ms = mode === "fixed" && command !== undefined && o.ms === undefined ? MAX_MS : positiveInt(o.ms ?? 1000, "--ms", MAX_MS, "(a year)");
  const slots = mode === "ring" ? positiveInt(o.n, "--n") : 1;
  const noPid = noPidFlag || o.mergeByName === true;
  let pids: number[] = [];
  if (o.pid !== undefined) {
    const raw = Array.isArray(o.pid) ? o.pid.join(" ") : String(o.pid);
    const parts = raw.split(/[\s,]+/).filter((p) => p !== "");
    if (parts.length === 0) throw new UsageError("--pid needs at least one process id");
    pids = parts.map((p) => {
      if (!/^\d+$/.test(p) || Number(p) < 1) throw new UsageError(`--pid: '${p}' is not a process id`);
      return Number(p);
    });
  }
  if (pids.length > 1024) throw new UsageError(`--pid: at most 1024 processes, got ${pids.length}`);
  if (command !== undefined && command.length === 0) throw new UsageError("'--' needs a command after it", "e.g. sudo flametui fixed -- ./myprog ARGS");
  if (command !== undefined && pids.length > 0) throw new UsageError("--pid and -- COMMAND cannot be used together", "profile running processes with --pid, or a new one with -- COMMAND");
  return { ...common, hz, ms, slots, pids: [...new Set(pids)], threads: o.threads === true, noPid, enableIdle: o.enableIdle === true, includeSelf: o.includeSelf === true, addresses: o.addresses === true, unwind: unwindOf(o.unwind), measure: measureOf(o.mode), attach: attachOf(o.attach, o.mode), minBlockNs: nonNegative(o.minBlockUs ?? 1, "--min-block-us") * 1000, ...(command !== undefined ? { command } : {}), binMs: positiveInt(o.bins ?? 100, "--bins", MAX_BIN_MS), range: rangeOf(o.range) };
}

/** A bin is at most a minute long. */
export const MAX_BIN_MS = 60_000;

function rangeOf(v: unknown): MsRange | undefined {
  if (v === undefined) return undefined;
  const r = v === true ? null : parseRangeMs(String(v));
  if (!r) throw new UsageError(`invalid value '${String(v)}' for --range: it needs START-END in milliseconds from the start, START below END`, "e.g. --range 500-1000 for the second half of a 1 s capture");
  return r;
}

function attachOf(v: unknown, mode: unknown): string[] {
  if (v === undefined) return [];
  const values = (Array.isArray(v) ? v : [v]).map(String);
  parseAttachSpecs(values); // usage errors now, before anything is loaded
  if (mode !== undefined && mode !== "cpu") throw new UsageError("--attach counts events: it goes with --mode cpu (the default), not offcpu or wall");
  return values;
}

function measureOf(v: unknown): Measure {
  if (v === undefined) return "cpu";
  const m = MEASURES.find((x) => x === String(v));
  if (m === undefined) throw new UsageError(`unknown --mode '${String(v)}': use ${MEASURES.join(", ")}`);
  return m;
}

function nonNegative(v: unknown, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 3.6e9) throw new UsageError(`${flag}: '${String(v)}' is not a number of microseconds (0 or more)`);
  return n;
}

function unwindOf(v: unknown): UnwindMode {
  if (v === undefined) return "auto";
  const mode = UNWIND_MODES.find((m) => m === String(v));
  if (mode === undefined) throw new UsageError(`unknown --unwind '${String(v)}': use ${UNWIND_MODES.join(", ")}`);
  return mode;
}

function positiveInt(v: unknown, flag: string, max = Number.MAX_SAFE_INTEGER, maxText = ""): number {
  const n = typeof v === "string" && v.trim() === "" ? NaN : Number(v);
  if (v === true || !Number.isInteger(n) || n < 1) throw new UsageError(`invalid value '${String(v)}' for ${flag}: it needs a whole number of at least 1`);
  if (n > max) throw new UsageError(`invalid value '${String(v)}' for ${flag}: it is at most ${max}${maxText ? ` ${maxText}` : ""}`);
  return n;
}

const NUMERIC_FLAGS = new Set(["--hz", "--ms", "--n", "--pid", "--bins"]);

/** `--ms -5` as `--ms=-5`: cac would read `-5` as an unknown flag and never show the bad value. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (NUMERIC_FLAGS.has(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
