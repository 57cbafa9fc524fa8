// Command-line definition (cac): commands, flags, help text, and typed options. Parsing
// only; main.ts runs the chosen command.

import { cac } from "cac";
import { UsageError } from "./errors.ts";

export interface GlobalOptions {
  output?: string;
  format?: string;
  verbose: boolean;
  enableIdle: boolean;
}

export interface FileOptions extends GlobalOptions {
  weight: "period" | "samples";
}

export type Parsed =
  | { command: "file"; path: string; options: FileOptions }
  | { command: "help" | "version" };

const DASH = "\u0000-";
const undash = <T>(v: T): T | string => (v === DASH ? "-" : v);

export function buildCli() {
  const cli = cac("flametui");
  cli
    .option("-o, --output <file>", "Write the profile to a file instead of opening the viewer ('-' = stdout)")
    .option("--format <format>", "Output format: folded or speedscope (default: from the file name, .json -> speedscope)")
    .option("--verbose", "Write a debug log to a file; its path is printed at exit")
    .option("--enable-idle", "Include the idle task (pid 0) in live profiles");

  cli
    .command("file <path>", "View or convert a profile: folded stacks or `perf script` output ('-' = stdin)")
    .option("--weight <mode>", "perf script weights: period (event period, e.g. ns of CPU) or samples", { default: "period" })
    .example("flametui file out.collapsed")
    .example("flametui file capture.perf.txt -o out.json")
    .example("perf script | flametui file - -o stacks.folded");

  cli
    .command("", "Read a profile from stdin when it is a pipe: perf script | flametui")
    .option("--weight <mode>", "perf script weights: period or samples", { default: "period" })
    .example("perf script | flametui")
    .example("perf script | flametui -o stacks.folded");

  cli.option("-v, --version", "Show the version");
  cli.help();
  return cli;
}

/** Parses argv (without the runtime and script name). Throws UsageError on bad input. */
export function parseArgs(argv: string[], stdinIsTTY: boolean): Parsed {
  const cli = buildCli();
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
    throw new UsageError((err as Error).message.replace(/`/g, "'"));
  }
  const o = parsed.options;
  if (o.help) return { command: "help" }; // cac has printed it
  if (o.version || o.v) return { command: "version" };
  const name = cli.matchedCommandName;
  const common = globals(o);
  if (name === "file") return { command: "file", path: String(parsed.args[0]), options: { ...common, weight: weightOf(o.weight) } };
  if (cli.matchedCommand && name === undefined) {
    // The default command: no subcommand given.
    if (parsed.args.length > 0) throw new UsageError(`unknown command '${parsed.args[0]}'`);
    if (stdinIsTTY) {
      cli.outputHelp();
      return { command: "help" };
    }
    return { command: "file", path: "-", options: { ...common, weight: weightOf(o.weight) } };
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
    enableIdle: o.enableIdle === true,
  };
}

function weightOf(v: unknown): "period" | "samples" {
  if (v === undefined || v === "period") return "period";
  if (v === "samples") return "samples";
  throw new UsageError(`unknown --weight '${String(v)}': use period or samples`);
}
