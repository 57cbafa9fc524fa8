// Entry point: parse the command line, run the command, turn errors into one clear line
// and an exit code. No stack traces for the user; the debug log has the details.

import { parseArgs } from "./cli.ts";
import { runFile } from "./commands/file.ts";
import { FlametuiError, formatError } from "./errors.ts";
import { DebugLog } from "./log.ts";
import { restartWithLiveRuntime } from "./live-runtime.ts";
import { escapeText } from "./text/sanitize.ts";
import { COMMIT, VERSION, versionText } from "./version.ts";

async function main(argv: string[]): Promise<number> {
  let log: DebugLog | null = null;
  try {
    const parsed = parseArgs(argv, process.stdin.isTTY === true);
    if (parsed.command === "help") return 0;
    if (parsed.command === "version") {
      process.stdout.write(await versionText());
      return 0;
    }
    if (parsed.command === "fixed" || parsed.command === "aggregate" || parsed.command === "ring") restartWithLiveRuntime();
    log = new DebugLog(parsed.options.verbose);
    log.write(`flametui ${VERSION} (${COMMIT}) argv=${JSON.stringify(argv)}`);
    if (parsed.command === "file") return await runFile(parsed.path, parsed.options, log);
    if (parsed.command === "diff") {
      const { runDiff } = await import("./commands/diff.ts");
      return await runDiff(parsed.before, parsed.after, parsed.options, log);
    }
    const { runLive } = await import("./commands/live.ts");
    return await runLive(parsed.command, parsed.options, log);
  } catch (err) {
    log?.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.stderr.write(formatError(err) + "\n");
    return err instanceof FlametuiError ? err.exitCode : 1;
  } finally {
    if (log?.path) {
      log.close();
      process.stderr.write(`flametui: debug log written to ${escapeText(log.path)}\n`);
    }
  }
}

const code = await main(process.argv.slice(2));
process.exit(code);
