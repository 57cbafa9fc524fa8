// Preflight: each missing kernel feature or privilege gives one clear error (a CollectError
// kind with a hint) before anything is loaded; fake probes stand in for other machines.
import { expect, test } from "bun:test";
import { CollectError } from "../../src/collect/errors.ts";
import { effectiveCaps, kernelVersion, preflight, systemProbes, type PreflightProbes } from "../../src/collect/preflight.ts";

const ROOT_CAPS = "CapEff:\t000001ffffffffff\n";
const ok: PreflightProbes = {
  kernelRelease: () => "6.1.0-18-amd64",
  procStatus: () => `Name:\tflametui\n${ROOT_CAPS}`,
  onlineCpus: () => "0-3\n",
  btfPresent: () => true,
  ringbufErrno: () => 0,
  perfErrno: () => 0,
  perfParanoid: () => 2,
};

function failure(p: Partial<PreflightProbes>): CollectError {
  try {
    preflight({ ...ok, ...p });
  } catch (e) {
    if (e instanceof CollectError) return e;
    throw e;
  }
  throw new Error("preflight did not fail");
}

test("passes when everything is there", () => {
  expect(preflight(ok)).toContain("4 CPUs");
});

test("kernel version and capability parsing", () => {
  expect(kernelVersion("5.4.0-150-generic")).toEqual([5, 4]);
  expect(kernelVersion("6.18.44-fc-v657")).toEqual([6, 18]);
  expect(kernelVersion("weird")).toEqual([0, 0]);
  expect(effectiveCaps("CapEff:\t0000000000000000\n")).toBe(0n);
  expect(effectiveCaps(ROOT_CAPS)).toBe(0x1ffffffffffn);
});

test("no /proc, no /sys: unsupported, with how to mount them", () => {
  const p = failure({ procStatus: () => null });
  expect([p.kind, p.message]).toEqual(["unsupported", "/proc is not mounted"]);
  expect(p.hint).toContain("mount -t proc");
  const s = failure({ onlineCpus: () => null });
  expect(s.message).toBe("/sys is not mounted");
});

test("an unprivileged process: permission error naming the missing capabilities", () => {
  const e = failure({ procStatus: () => "CapEff:\t0000000000000000\n" });
  expect(e.kind).toBe("permission");
  expect(e.message).toContain("CAP_BPF and CAP_PERFMON");
  expect(e.hint).toContain("sudo");
  // CAP_BPF + CAP_PERFMON without CAP_SYS_ADMIN is enough
  const caps = ((1n << 38n) | (1n << 39n)).toString(16).padStart(16, "0");
  expect(preflight({ ...ok, procStatus: () => `CapEff:\t${caps}\n` })).toContain("privileges ok");
});

test("no BTF: unsupported, names the file and the kernel option", () => {
  const e = failure({ btfPresent: () => false });
  expect(e.kind).toBe("unsupported");
  expect(e.message).toContain("/sys/kernel/btf/vmlinux");
  expect(e.hint).toContain("CONFIG_DEBUG_INFO_BTF");
});

test("no BPF ring buffer (kernel before 5.8): unsupported, says 5.8", () => {
  const e = failure({ kernelRelease: () => "5.4.0-150-generic", ringbufErrno: () => 22 });
  expect(e.kind).toBe("unsupported");
  expect(e.message).toBe("kernel 5.4.0-150-generic has no BPF ring buffer (Linux 5.4; the ring buffer came in 5.8)");
  expect(failure({ ringbufErrno: () => 38 }).hint).toContain("CONFIG_BPF_SYSCALL");
  expect(failure({ ringbufErrno: () => 1 }).kind).toBe("permission");
});

test("perf events: permission (with paranoid level) or unsupported", () => {
  const e = failure({ perfErrno: () => 13, perfParanoid: () => 4 });
  expect(e.kind).toBe("permission");
  expect(e.message).toContain("kernel.perf_event_paranoid=4");
  expect(failure({ perfErrno: () => 2 }).message).toContain("cpu-clock");
  expect(failure({ perfErrno: () => 38 }).hint).toContain("CONFIG_PERF_EVENTS");
});

test("the probes see the first online CPU, not CPU 0", () => {
  const seen: number[] = [];
  preflight({ ...ok, onlineCpus: () => "2-3,6\n", perfErrno: (cpu) => (seen.push(cpu), 0) });
  expect(seen).toEqual([2]);
});

test.skipIf(process.getuid?.() !== 0)("this machine passes (root)", () => {
  expect(preflight(systemProbes())).toMatch(/^kernel .*privileges ok$/);
});

test.skipIf(process.getuid?.() !== 0 || !Bun.which("setpriv"))("a process without capabilities fails with one line and a hint", () => {
  const script = `import { preflight } from ${JSON.stringify(`${import.meta.dir}/../../src/collect/preflight.ts`)};
try { preflight(); console.log("passed"); } catch (e) { console.log(e.kind + ": " + e.message + " | " + e.hint); }`;
  const r = Bun.spawnSync(["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  const out = r.stdout.toString().trim();
  expect(out.split("\n")).toHaveLength(1);
  expect(out).toMatch(/^permission: not allowed to load BPF programs: this process lacks CAP_BPF and CAP_PERFMON/);
});
