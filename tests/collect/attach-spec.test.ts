// --attach spec parsing: every kind, syscall numbers by name, and the usage errors (no privileges).
import { expect, test } from "bun:test";
import { parseAttachSpec, parseAttachSpecs } from "../../src/collect/attach-spec.ts";
import { UsageError } from "../../src/errors.ts";

test("each kind parses to what the sampler attaches", () => {
  expect(parseAttachSpec("tracepoint=sched:sched_switch")).toMatchObject({ kind: "tracepoint", subsystem: "sched", name: "sched_switch" });
  expect(parseAttachSpec("tracepoint=syscalls:sys_enter_write")).toMatchObject({ kind: "syscall", syscall: "write", nr: process.arch === "arm64" ? 64 : 1 });
  expect(parseAttachSpec("uprobe=/lib/x86_64-linux-gnu/libc.so.6:malloc")).toMatchObject({ kind: "uprobe", path: "/lib/x86_64-linux-gnu/libc.so.6", symbol: "malloc", ret: false });
  expect(parseAttachSpec("uretprobe=/usr/bin/bash:readline")).toMatchObject({ kind: "uprobe", ret: true, symbol: "readline" });
  expect(parseAttachSpec("kprobe=vfs_read")).toMatchObject({ kind: "kprobe", func: "vfs_read", ret: false });
  expect(parseAttachSpec("kretprobe=vfs_read")).toMatchObject({ kind: "kprobe", ret: true });
  expect(parseAttachSpec("fentry=ksys_write")).toMatchObject({ kind: "fentry", func: "ksys_write" });
  expect(parseAttachSpec("perf=99")).toMatchObject({ kind: "perf", hz: 99 });
  expect(parseAttachSpecs(["perf=49,tracepoint=sched:sched_switch", "kprobe=vfs_read"]).map((s) => s.kind)).toEqual(["perf", "tracepoint", "kprobe"]);
});

test("bad specs are usage errors naming the spec and the expected form", () => {
  const cases: [string, string][] = [
    ["bogus=1", "unknown kind 'bogus'"],
    ["tracepoint=sched", "expected tracepoint=SUBSYS:NAME"],
    ["tracepoint=syscalls:sys_exit_write", "sys_enter_NAME"],
    ["tracepoint=syscalls:sys_enter_nosuchcall", "no syscall named 'nosuchcall'"],
    ["uprobe=libc.so.6:malloc", "absolute path"],
    ["uprobe=/lib/libc.so.6", "expected uprobe=PATH:SYMBOL"],
    ["kprobe=vfs read", "expected kprobe=KERNEL_FUNCTION"],
    ["perf=0", "expected perf=HZ"],
    ["write", "expected tracepoint=SUBSYS:NAME"],
  ];
  for (const [spec, msg] of cases) {
    let err: unknown;
    try {
      parseAttachSpec(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`--attach '${spec}'`);
    expect((err as Error).message).toContain(msg);
  }
  expect(() => parseAttachSpecs(["fentry=a", "fentry=b"])).toThrow("one fentry=");
});
