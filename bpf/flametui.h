/* Record layout shared by bpf/profile.bpf.c and src/collect/records.ts (which mirrors the
 * byte offsets below as constants; change both together). */
#ifndef __FLAMETUI_H__
#define __FLAMETUI_H__

#define FLAMETUI_MAX_FRAMES 127   /* per stack; = default kernel.perf_event_max_stack */
#define FLAMETUI_COMM_LEN 16
#define FLAMETUI_DEFAULT_PIDS 1024 /* pid filter capacity unless raised before load */
#define FLAMETUI_STACK_COPY 16384  /* most bytes of user stack a sample copies (copy_stack) */
#define FLAMETUI_REGS 5            /* u64 words of the user-register block (copy_stack) */

/* One sample as it sits in the ring buffer. Variable length: only the first
 * kernel_frames + user_frames entries of frames[] are written, so a record is
 * FLAMETUI_SAMPLE_HEADER + 8 * (kernel_frames + user_frames) bytes.
 *
 *   off  size  field
 *     0     4  tgid            (process id)
 *     4     4  tid             (thread id)
 *     8     4  cpu
 *    12     4  kernel_frames   (0..127; 0 also when bpf_get_stack failed)
 *    16     4  user_frames     (0..127)
 *    20     4  flags           (FLAMETUI_F_*)
 *    24     8  time_ns         (bpf_ktime_get_ns, CLOCK_MONOTONIC)
 *    32    16  comm            (NUL-padded)
 *    48   8*n  frames          kernel frames then user frames, innermost first
 */
struct flametui_sample {
	__u32 tgid;
	__u32 tid;
	__u32 cpu;
	__u32 kernel_frames;
	__u32 user_frames;
	__u32 flags;
	__u64 time_ns;
	char comm[FLAMETUI_COMM_LEN];
	/* + 4096: slack past the stack copy so the verifier can bound a page-sized read at any offset */
	__u64 frames[FLAMETUI_MAX_FRAMES + FLAMETUI_REGS + (FLAMETUI_STACK_COPY + 4096) / 8];
};

#define FLAMETUI_SAMPLE_HEADER 48

/* With copy_stack (unwinding from call-frame information in user space), a sample carries no
 * user frames (user_frames = 0) but FLAMETUI_F_USER_REGS and, after its kernel frames:
 *
 *   off  size  field   (relative to the end of the kernel frames)
 *     0     8  ip      instruction pointer of the user code (pc)
 *     8     8  sp      user stack pointer; the copy starts here
 *    16     8  fp      frame pointer (x86-64 rbp, arm64 x29)
 *    24     8  lr      arm64 link register (x30); 0 on x86-64
 *    32     8  len     bytes of stack copied (a multiple of 8, at most FLAMETUI_STACK_COPY;
 *                      0: no user context, e.g. a kernel thread or an exiting task)
 *    40   len  stack   the user stack from sp upwards, cut at the end of its mapping
 */
#define FLAMETUI_F_USER_REGS 128u

/* Off-CPU time (offcpu): a thread that blocked is reported when it runs again, with the stacks
 * it blocked in (frame pointers: user regs are not copied). The record is a sample with this flag
 * and, between the header and the frames:
 *
 *   off  size  field   (relative to FLAMETUI_SAMPLE_HEADER)
 *     0     8  blocked_ns  time off the CPU (from the later of the block and the window start)
 *     8     8  state       its run state when it left the CPU: 0 runnable (preempted),
 *                          1 interruptible sleep, 2 uninterruptible (disk), else the raw TASK_* bits
 *
 * time_ns is when it ran again; tgid, tid and comm are the blocked thread's. */
/* --attach: the record is an event (a tracepoint, uprobe, kprobe or fentry hit), not a timer sample. */
#define FLAMETUI_F_EVENT 512u
#define FLAMETUI_F_OFFCPU 256u
#define FLAMETUI_OFFCPU_EXTRA 16
/* With copy_stack, an off-CPU record or an event also has FLAMETUI_F_USER_REGS: after its frames (kernel, then
 * the frame-pointer user stack) come the register block and FLAMETUI_OFFCPU_COPY bytes of stack at
 * most, so user space unwinds the frames nearest the block (glibc's, which have no frame pointers)
 * and joins them to the frame-pointer stack. */
#define FLAMETUI_OFFCPU_COPY 512

/* Process lifecycle records travel in the same ring buffer as the samples, so they arrive in
 * order with them. They are a bare header (no frames) with one of these flags set; comm is
 * the name after exec. comm is always the process's (its thread-group leader's) name. */
#define FLAMETUI_F_EXEC 16u /* the process (tgid) replaced its image */
#define FLAMETUI_F_EXIT 32u /* the process exited (its last thread, not always the leader) */
#define FLAMETUI_F_FORK 64u /* a new process (tgid) was forked; tid holds its parent's tgid */

struct flametui_event {
	__u32 tgid;
	__u32 tid;
	__u32 cpu;
	__u32 kernel_frames; /* always 0 */
	__u32 user_frames;   /* always 0 */
	__u32 flags;
	__u64 time_ns;
	char comm[FLAMETUI_COMM_LEN];
};

#define FLAMETUI_F_KERNEL_TRUNCATED 1u /* kernel stack filled all 127 slots */
#define FLAMETUI_F_USER_TRUNCATED 2u   /* user stack filled all 127 slots */
#define FLAMETUI_F_KERNEL_ERROR 4u     /* bpf_get_stack(kernel) returned an error */
#define FLAMETUI_F_USER_ERROR 8u       /* bpf_get_stack(user) returned an error */

#endif /* __FLAMETUI_H__ */
