// What a live profile measures (--mode): CPU time by timer samples, time off the CPU by
// scheduler switches, or both as wall time; and the leaf frame that says why a thread was off
// the CPU, from its run state when it left.

export type Measure = "cpu" | "offcpu" | "wall";
export const MEASURES: readonly Measure[] = ["cpu", "offcpu", "wall"];

// include/linux/sched.h run states (stable UAPI-like values, also in sched_switch's output).
const TASK_INTERRUPTIBLE = 0x1;
const TASK_UNINTERRUPTIBLE = 0x2;
const TASK_STOPPED = 0x4;
const TASK_TRACED = 0x8;
const TASK_NOLOAD = 0x400;

/** The leaf frame of an off-CPU stack for the state the thread left the CPU in. */
export function offCpuStateFrame(state: number): string {
  if (state === 0) return "[runnable]"; // preempted: ready, waiting for a CPU
  if (state & TASK_UNINTERRUPTIBLE) return state & TASK_NOLOAD ? "[idle]" : "[disk]"; // D: I/O, locks
  if (state & TASK_INTERRUPTIBLE) return "[sleeping]";
  if (state & (TASK_STOPPED | TASK_TRACED)) return "[stopped]";
  return `[state 0x${state.toString(16)}]`;
}
