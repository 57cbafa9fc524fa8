// --attach specs: where to count stacks instead of (or besides) timer samples. Parsed and checked
// here, without privileges, so a typo is a usage error before anything is loaded.
//
//   tracepoint=SUBSYS:NAME      a kernel tracepoint (as a raw tracepoint: no tracefs needed);
//                               syscalls:sys_enter_NAME counts one syscall
//   uprobe=PATH:SYMBOL          entry of a function in an ELF file (uretprobe=: its return)
//   kprobe=FUNC                 entry of a kernel function (kretprobe=: its return)
//   fentry=FUNC                 entry of a kernel function through a BPF trampoline
//   perf=HZ                     the cpu-clock timer (the default when nothing is attached)

import { UsageError } from "../errors.ts";
import { SYSCALLS_ARM64, SYSCALLS_X86_64 } from "./syscall-numbers.ts";

export type AttachSpec =
  | { kind: "tracepoint"; subsystem: string; name: string; text: string }
  | { kind: "syscall"; syscall: string; nr: number; text: string }
  | { kind: "uprobe"; path: string; symbol: string; ret: boolean; text: string }
  | { kind: "kprobe"; func: string; ret: boolean; text: string }
  | { kind: "fentry"; func: string; text: string }
  | { kind: "perf"; hz: number; text: string };

const IDENT = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const KINDS = "tracepoint=SUBSYS:NAME, uprobe=PATH:SYMBOL, uretprobe=PATH:SYMBOL, kprobe=FUNC, kretprobe=FUNC, fentry=FUNC or perf=HZ";

function syscallTable(): Readonly<Record<string, number>> {
  return process.arch === "arm64" ? SYSCALLS_ARM64 : SYSCALLS_X86_64;
}

export function parseAttachSpec(text: string): AttachSpec {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--attach '${text}': expected ${KINDS}`);
  const kind = text.slice(0, eq);
  const value = text.slice(eq + 1);
  const bad = (what: string): never => {
    throw new UsageError(`--attach '${text}': ${what}`);
  };
  switch (kind) {
    case "tracepoint": {
      const [subsystem, name, more] = value.split(":");
      if (!subsystem || !name || more !== undefined || !IDENT.test(subsystem) || !IDENT.test(name)) bad("expected tracepoint=SUBSYS:NAME, e.g. sched:sched_switch");
      if (subsystem === "syscalls") {
        const m = /^sys_enter_(\w+)$/.exec(name!);
        if (!m) bad("of the syscalls tracepoints, sys_enter_NAME can be attached (count a syscall where it is made)");
        const nr = syscallTable()[m![1]!];
        if (nr === undefined) bad(`no syscall named '${m![1]}' on ${process.arch}`);
        return { kind: "syscall", syscall: m![1]!, nr: nr!, text };
      }
      return { kind: "tracepoint", subsystem: subsystem!, name: name!, text };
    }
    case "uprobe":
    case "uretprobe": {
      const colon = value.lastIndexOf(":");
      const path = value.slice(0, colon);
      const symbol = value.slice(colon + 1);
      if (colon <= 0 || !symbol || !/^[A-Za-z_$.][\w$.@]*$/.test(symbol)) bad(`expected ${kind}=PATH:SYMBOL, e.g. ${kind}=/lib/x86_64-linux-gnu/libc.so.6:malloc`);
      if (!path.startsWith("/")) bad("the file needs an absolute path");
      return { kind: "uprobe", path, symbol, ret: kind === "uretprobe", text };
    }
    case "kprobe":
    case "kretprobe":
    case "fentry":
      if (!IDENT.test(value)) bad(`expected ${kind}=KERNEL_FUNCTION, e.g. ${kind}=vfs_read`);
      return kind === "fentry" ? { kind, func: value, text } : { kind: "kprobe", func: value, ret: kind === "kretprobe", text };
    case "perf": {
      if (!/^\d+$/.test(value) || Number(value) < 1) bad("expected perf=HZ, e.g. perf=99");
      return { kind: "perf", hz: Number(value), text };
    }
    default:
      return bad(`unknown kind '${kind}': use ${KINDS}`);
  }
}

/** The specs of repeated --attach options (each may also hold several, comma separated). */
export function parseAttachSpecs(values: readonly string[]): AttachSpec[] {
  const specs = values.flatMap((v) => v.split(",")).filter((v) => v !== "").map(parseAttachSpec);
  if (specs.filter((s) => s.kind === "fentry").length > 1) throw new UsageError("--attach: one fentry= at a time");
  if (specs.filter((s) => s.kind === "perf").length > 1) throw new UsageError("--attach: one perf= at a time");
  return specs;
}
