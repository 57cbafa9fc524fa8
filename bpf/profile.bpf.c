// SPDX-License-Identifier: MIT OR GPL-2.0
/* On-CPU sampler: runs on every cpu-clock perf event and writes pid, tid, cpu, comm, time
 * and the kernel + user stacks of the interrupted task into a ring buffer (layout: flametui.h).
 * Exec and exit tracepoints add lifecycle records to the same ring, in order with the samples. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "flametui.h"

#define RINGBUF_BYTES (8u << 20)
/* Samples are submitted without waking the reader (it polls on a ~50 ms timer); once this
 * much data is waiting we force a wakeup so a slow poll interval cannot overflow the ring. */
#define WAKEUP_BYTES (RINGBUF_BYTES / 4)

/* Settings, written by the loader into .rodata before load (constant-folded by the verifier). */
const volatile bool filter_pids = false; /* only sample tgids present in the pids map */
const volatile bool enable_idle = false; /* also record the idle task (pid 0) */
/* With filter_pids: a process forked by one in the pids map joins it (profiling a command and
 * every child it starts, from the child's first instruction). */
const volatile bool follow_forks = false;
/* Copy the user registers and the top of the user stack instead of walking frame pointers: user
 * space unwinds it with the binaries' call-frame information (.eh_frame). */
const volatile bool copy_stack = false;
/* offcpu: flametui_switch reports each time a thread spent off the CPU of at least min_block_ns. */
const volatile bool offcpu = false;
const volatile __u64 min_block_ns = 0;
const volatile __u32 self_tgid = 0;      /* flametui's own process: no samples, no records (0: none) */
/* flametui's own process by its pid namespace (dev and inode of /proc/self/ns/pid) and its pid in
 * there: unlike self_tgid, right when flametui runs in another pid namespace (a container),
 * where its getpid() is not the kernel's tgid (0 ino: not used). */
const volatile __u64 self_ns_dev = 0;
const volatile __u64 self_ns_ino = 0;
const volatile __u32 self_ns_pid = 0;

/* Not in vmlinux.h (a UAPI struct no kernel type uses); the helper fills it. */
struct bpf_pidns_info {
	__u32 pid;
	__u32 tgid;
};

/* The current task belongs to flametui's own process. */
static __always_inline bool is_self(__u32 tgid)
{
	if (self_ns_ino) {
		struct bpf_pidns_info ns = {};

		/* Fails (non-zero) for a task outside that namespace: never flametui. */
		return bpf_get_ns_current_pid_tgid(self_ns_dev, self_ns_ino, &ns, sizeof(ns)) == 0 && ns.tgid == self_ns_pid;
	}
	return self_tgid && tgid == self_tgid;
}

/* Counters in .bss, read by user space with a lookup on the .bss array map. */
__u64 samples = 0;          /* records handed to the ring buffer (including lost ones) */
__u64 lost = 0;             /* ring buffer full: record dropped */
__u64 kernel_truncated = 0; /* kernel stack had all 127 frames: probably cut */
__u64 user_truncated = 0;   /* user stack had all 127 frames: probably cut */
__u64 stack_errors = 0;     /* bpf_get_stack returned an error (kernel or user) */
__u64 events_lost = 0;      /* lifecycle records dropped (ring buffer full) */
__u64 window_samples = 0;   /* samples stamped inside the window (including lost ones) */
__u64 window_lost = 0;      /* of those, dropped because the ring buffer was full */
/* Samples stamped inside the window that were left out on purpose, by reason. */
__u64 window_idle = 0;      /* the idle task, without enable_idle */
__u64 window_self = 0;      /* flametui itself (is_self) */
__u64 window_filtered = 0;  /* not in the pid filter */
__u64 follow_failed = 0;    /* follow_forks: a child did not fit in the pids map */
__u64 offcpu_dropped = 0;   /* offcpu: blocked threads not followed (the blocked map was full) */
__u64 copy_errors = 0;      /* copy_stack: the user stack could not be read (the sample has none) */
__u64 copy_short = 0;       /* copy_stack: the stack's mapping was not found; a shorter copy was made */

/* The sampling window on the samples' clock, in .data, written by user space once attached.
 * Until then nothing is inside it. Counting by each sample's own stamp makes taken and lost
 * exact whenever user space reads them after the window, however late. */
__u64 window_start_ns = ~0ULL;
__u64 window_end_ns = ~0ULL;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RINGBUF_BYTES);
} events SEC(".maps");

/* Processes the reader has been woken for: the first record of a process it has not seen wakes it
 * at once, so it reads the process's maps while they are still the ones the samples ran in (it
 * may otherwise sleep for seconds; a process can exec or exit meanwhile). Forgotten at exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} seen_tgids SEC(".maps");

/* Pid filter keyed by tgid; user space may raise max_entries before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FLAMETUI_DEFAULT_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

/* Why a per-CPU scratch record plus bpf_ringbuf_output instead of reserving a fixed-size
 * record: a full record is 2080 bytes but a typical sample uses 20-40 frames (~300 bytes),
 * so variable-length records fit ~6x more samples in the same ring (headroom on machines
 * with many CPUs between polls); the extra copy of a few hundred bytes is cheap.
 * perf_event programs do not nest on one CPU, so one scratch slot per CPU is safe. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flametui_sample);
} scratch SEC(".maps");

#define STACK_BYTES (FLAMETUI_MAX_FRAMES * sizeof(__u64))

/* offcpu: the record of a thread that left the CPU, as it will be written when it runs again. */
struct flametui_offcpu {
	__u32 tgid;
	__u32 tid;
	__u32 cpu;
	__u32 kernel_frames;
	__u32 user_frames;
	__u32 flags;
	__u64 time_ns;
	char comm[FLAMETUI_COMM_LEN];
	__u64 blocked_ns;
	__u64 state;
	/* frames, then (copy_stack) registers and a little stack */
	__u64 frames[2 * FLAMETUI_MAX_FRAMES + 2 + FLAMETUI_REGS + FLAMETUI_OFFCPU_COPY / 8];
};

/* Blocked time of one thread in one place (its state and stacks when it left the CPU) is summed in
 * the kernel and written once it spans OFFCPU_FLUSH_NS, when the place is evicted, or at once for
 * a block that long. A thread keeps two places, the one it blocked in last and the one before, so
 * one that alternates (blocks reading, is preempted writing) is summed too: a thread that blocks
 * 50,000 times a second costs user space ~200 records a second (at most that much of its time may
 * be left unwritten at the end). */
struct place {
	__u64 size;      /* bytes of rec to write */
	__u64 acc_ns;    /* blocked time in that place not written yet */
	__u64 acc_since; /* when the first of those blocks ended */
	struct flametui_offcpu rec;
};

struct place_key {
	__u32 tid;
	__u32 pad;
	__u64 key; /* hash of the state and frames */
};

/* The place being built: + 4096, the verifier's slack for copy_pages (only `place` is stored). */
struct place_scratch {
	struct place p;
	__u64 slack[4096 / 8];
};

/* A thread while it lives: when it left the CPU (0 while it runs), and its two places. */
struct thread_places {
	__u64 start_ns;
	__u64 cur;
	__u64 prev;
};

#define OFFCPU_FLUSH_NS (10 * 1000 * 1000ULL)
#define OFFCPU_THREADS 16384

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OFFCPU_THREADS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct thread_places);
} blocked_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * OFFCPU_THREADS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct place_key);
	__type(value, struct place);
} places SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct place_scratch);
} place_scratch SEC(".maps");

/* The process's name: its thread-group leader's comm, so every thread of a process (also after
 * the main thread exited, when /proc/PID/exe no longer resolves) is filed under one name. */
static __always_inline void process_comm(char *dst)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);

	if (!leader || bpf_core_read_str(dst, FLAMETUI_COMM_LEN, &leader->comm) <= 0)
		bpf_get_current_comm(dst, FLAMETUI_COMM_LEN);
}

static __always_inline int skipped(__u64 *counter)
{
	__u64 t = bpf_ktime_get_ns();

	if (t >= window_start_ns && t < window_end_ns)
		__sync_fetch_and_add(counter, 1);
	return 0;
}

/* Hands a finished sample of `size` bytes to the ring buffer, counting it (and its loss). */
static __always_inline int submit(struct flametui_sample *s, __u64 size)
{
	bool in_window = s->time_ns >= window_start_ns && s->time_ns < window_end_ns;

	__sync_fetch_and_add(&samples, 1);
	if (in_window)
		__sync_fetch_and_add(&window_samples, 1);
	__u64 wake = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES
			     ? BPF_RB_FORCE_WAKEUP
			     : BPF_RB_NO_WAKEUP;
	__u32 tgid = s->tgid;

	if (tgid != 0 && !bpf_map_lookup_elem(&seen_tgids, &tgid)) {
		__u8 one = 1;

		bpf_map_update_elem(&seen_tgids, &tgid, &one, BPF_ANY);
		wake = BPF_RB_FORCE_WAKEUP;
	}
	if (bpf_ringbuf_output(&events, s, size, wake)) {
		__sync_fetch_and_add(&lost, 1);
		if (in_window)
			__sync_fetch_and_add(&window_lost, 1);
	}
	return 0;
}

/* Writes a place's summed off-CPU time as one record (stamped when its last block ended). */
static __always_inline void flush_place(struct place *p)
{
	__u64 size = p->size;

	if (size > sizeof(p->rec))
		size = sizeof(p->rec);
	p->rec.blocked_ns = p->acc_ns;
	submit((struct flametui_sample *)&p->rec, size);
	p->acc_ns = 0;
}

/* Writes what a place of `tid` holds and forgets it. */
static __always_inline void evict_place(__u32 tid, __u64 key)
{
	struct place_key k = { .tid = tid, .key = key };
	struct place *p = bpf_map_lookup_elem(&places, &k);

	if (!p)
		return;
	if (p->acc_ns)
		flush_place(p);
	bpf_map_delete_elem(&places, &k);
}

/* A hash of a blocked thread's state and frames: where it blocked. */
static __always_inline __u64 stack_key(__u64 *frames, __u32 n, __u64 state)
{
	__u64 h = 0xcbf29ce484222325ULL ^ state;

	for (__u32 i = 0; i < 2 * FLAMETUI_MAX_FRAMES; i++) {
		if (i >= n)
			break;
		h = (h ^ frames[i]) * 0x100000001b3ULL;
	}
	return h;
}

struct vma_end {
	__u64 end;
};

static long vma_end_of(struct task_struct *task, struct vm_area_struct *vma, struct vma_end *out)
{
	out->end = BPF_CORE_READ(vma, vm_end);
	return 0;
}

#define REGS_BYTES (FLAMETUI_REGS * sizeof(__u64))

/* The user registers the current task entered the kernel with (task_pt_regs): ip, sp, fp and (arm64)
 * lr into regs[0..3]; returns sp. The interrupted user context also when a sample hit the kernel. */
static __always_inline __u64 read_user_regs(__u64 *regs)
{
	struct pt_regs *uregs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

#if defined(__TARGET_ARCH_x86)
	regs[0] = BPF_CORE_READ(uregs, ip);
	regs[1] = BPF_CORE_READ(uregs, sp);
	regs[2] = BPF_CORE_READ(uregs, bp);
	regs[3] = 0;
#elif defined(__TARGET_ARCH_arm64)
	regs[0] = BPF_CORE_READ(uregs, pc);
	regs[1] = BPF_CORE_READ(uregs, sp);
	regs[2] = BPF_CORE_READ(uregs, regs[29]);
	regs[3] = BPF_CORE_READ(uregs, regs[30]);
#endif
	return regs[1];
}
#define PAGE_BYTES 4096ULL

/* Copies up to `len` bytes of user memory from `sp` to `dst` a page at a time and returns how
 * many it copied (a multiple of 8): a read cannot fault pages in here, so it stops at the first
 * page that is not resident. One always lies above the frames in use: the kernel leaves a random
 * gap of up to 8 KiB, never touched, between the first frame and the program's arguments. */
static __always_inline __u64 copy_pages(char *dst, __u64 sp, __u64 len)
{
	__u64 off = 0, chunk;

	for (int i = 0; i < FLAMETUI_STACK_COPY / PAGE_BYTES + 1; i++) {
		if (off >= len)
			break;
		chunk = PAGE_BYTES - ((sp + off) & (PAGE_BYTES - 1));
		if (chunk > len - off)
			chunk = len - off;
		if (off > FLAMETUI_STACK_COPY || chunk > PAGE_BYTES || off + chunk > FLAMETUI_STACK_COPY)
			break; /* cannot happen; bounds for the verifier */
		if (bpf_probe_read_user(dst + off, chunk, (void *)(sp + off)))
			break;
		off += chunk;
	}
	return off & ~7ULL;
}

/* copy_stack: after the kernel frames, the user registers and up to FLAMETUI_STACK_COPY bytes of
 * the user stack from sp, cut at the end of the stack's mapping (a read may not cross into an
 * unmapped page: it would fail as a whole). The user registers are the ones saved on entry to
 * the kernel (task_pt_regs): the interrupted user context also when the sample hit the kernel. */
static __always_inline int copy_user_stack(struct flametui_sample *s, __u32 kn, __u32 flags, __u32 tflags)
{
	__u64 *regs = &s->frames[kn];
	__u64 len = 0, sp = 0;

	regs[0] = regs[1] = regs[2] = regs[3] = regs[4] = 0;
	if (!(tflags & (PF_EXITING | PF_KTHREAD))) {
		struct task_struct *task = bpf_get_current_task_btf();
		struct vma_end vma = {};

		sp = read_user_regs(regs);
		len = FLAMETUI_STACK_COPY;
		if (bpf_find_vma(task, sp, vma_end_of, &vma, 0) == 0 && vma.end > sp) {
			if (vma.end - sp < len)
				len = vma.end - sp;
		} else {
			__sync_fetch_and_add(&copy_short, 1);
			len = 4096 - (sp & 4095); /* to the end of sp's page: mapped if sp is */
		}
		len = sp ? copy_pages((char *)&regs[FLAMETUI_REGS], sp, len) : 0;
		if (len == 0) {
			__sync_fetch_and_add(&copy_errors, 1);
			flags |= FLAMETUI_F_USER_ERROR;
		}
	}
	regs[4] = len;
	s->kernel_frames = kn;
	s->user_frames = 0;
	s->flags = flags | FLAMETUI_F_USER_REGS;
	return submit(s, FLAMETUI_SAMPLE_HEADER + kn * sizeof(__u64) + REGS_BYTES + len);
}

/* After `at` frames: the user registers and FLAMETUI_OFFCPU_COPY bytes of stack at most, so user
 * space can unwind the frames nearest the event (glibc's have no frame pointers) and join them to
 * the frame-pointer walk before them. Sets FLAMETUI_F_USER_REGS; returns the bytes added. */
static __always_inline __u64 short_copy(__u64 *frames, __u32 at, __u32 *flags)
{
	__u64 *regs, sp, len;

	asm volatile("" : "+r"(at));
	at &= 2 * FLAMETUI_MAX_FRAMES + 1; /* <= 255: the same value, bounded for the verifier */
	regs = &frames[at];
	sp = read_user_regs(regs);
	len = sp ? copy_pages((char *)&regs[FLAMETUI_REGS], sp, FLAMETUI_OFFCPU_COPY) : 0;
	regs[4] = len;
	*flags |= FLAMETUI_F_USER_REGS;
	return REGS_BYTES + len;
}

/* One record of the current task's stacks: a timer sample, or (`extra` = FLAMETUI_F_EVENT) an event. */
static __always_inline int take_sample(void *ctx, __u32 extra)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	__u32 zero = 0;
	struct flametui_sample *s;
	__u32 kn = 0, un = 0, flags = extra;
	long n;

	if (tgid == 0 && !enable_idle)
		return skipped(&window_idle);
	if (is_self(tgid))
		return skipped(&window_self);
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return skipped(&window_filtered);
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;

	s->tgid = tgid;
	s->tid = (__u32)id;
	s->cpu = bpf_get_smp_processor_id();
	s->time_ns = bpf_ktime_get_ns();
	process_comm(s->comm);

	n = bpf_get_stack(ctx, s->frames, STACK_BYTES, 0);
	if (n < 0) {
		flags |= FLAMETUI_F_KERNEL_ERROR;
		__sync_fetch_and_add(&stack_errors, 1);
	} else {
		kn = (__u64)n / sizeof(__u64);
	}
	if (kn > FLAMETUI_MAX_FRAMES) /* also gives the verifier its bound */
		kn = FLAMETUI_MAX_FRAMES;
	if (kn == FLAMETUI_MAX_FRAMES) {
		flags |= FLAMETUI_F_KERNEL_TRUNCATED;
		__sync_fetch_and_add(&kernel_truncated, 1);
	}

	/* A task in do_exit() is past its exit record: its user frames could no longer be named
	 * (that record drops the pid's maps), so its last kernel-side samples carry none. */
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tflags = BPF_CORE_READ(task, flags);
	if (copy_stack && !extra)
		return copy_user_stack(s, kn, flags, tflags);
	if (tflags & PF_EXITING)
		n = 0;
	else
		n = bpf_get_stack(ctx, &s->frames[kn], STACK_BYTES, BPF_F_USER_STACK);
	if (n < 0) {
		flags |= FLAMETUI_F_USER_ERROR;
		__sync_fetch_and_add(&stack_errors, 1);
	} else {
		un = (__u64)n / sizeof(__u64);
	}
	if (un > FLAMETUI_MAX_FRAMES)
		un = FLAMETUI_MAX_FRAMES;
	if (un == FLAMETUI_MAX_FRAMES) {
		flags |= FLAMETUI_F_USER_TRUNCATED;
		__sync_fetch_and_add(&user_truncated, 1);
	}

	s->kernel_frames = kn;
	s->user_frames = un;
	s->flags = flags;
	if (copy_stack && un > 0) /* an event: events come in bursts, a full copy each would flood the ring */
		return submit(s, FLAMETUI_SAMPLE_HEADER + (kn + un) * sizeof(__u64) + short_copy(s->frames, kn + un, &s->flags));
	return submit(s, FLAMETUI_SAMPLE_HEADER + (kn + un) * sizeof(__u64));
}

SEC("perf_event")
int flametui_sample(struct bpf_perf_event_data *ctx)
{
	return take_sample(ctx, 0);
}

/* --attach: a record per event, attached by user space to what the user named. */
SEC("raw_tp")
int flametui_event_tp(struct bpf_raw_tracepoint_args *ctx)
{
	return take_sample(ctx, FLAMETUI_F_EVENT);
}

/* Syscalls to count (sys_enter's second argument is the syscall number). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} syscall_ids SEC(".maps");

SEC("raw_tp")
int flametui_event_sys(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 nr = (__u32)ctx->args[1];
	__u8 *on = bpf_map_lookup_elem(&syscall_ids, &nr);

	if (!on || !*on)
		return 0;
	return take_sample(ctx, FLAMETUI_F_EVENT);
}

SEC("uprobe")
int flametui_event_uprobe(struct pt_regs *ctx)
{
	return take_sample(ctx, FLAMETUI_F_EVENT);
}

SEC("kprobe")
int flametui_event_kprobe(struct pt_regs *ctx)
{
	return take_sample(ctx, FLAMETUI_F_EVENT);
}

SEC("fentry")
int flametui_event_fentry(void *ctx)
{
	return take_sample(ctx, FLAMETUI_F_EVENT);
}

/* Writes one lifecycle record; comm is the current process's. */
static __always_inline void output_event(__u32 tgid, __u32 tid, __u32 flags, __u64 wakeup)
{
	struct flametui_event e = {};

	e.tgid = tgid;
	e.tid = tid;
	e.cpu = bpf_get_smp_processor_id();
	e.flags = flags;
	e.time_ns = bpf_ktime_get_ns();
	process_comm(e.comm);
	if (bpf_ringbuf_output(&events, &e, sizeof(e), wakeup))
		__sync_fetch_and_add(&events_lost, 1);
}

/* A lifecycle record for the current task; honours the pid filter. Exec records wake the
 * reader at once: it reads the new image's maps while the process lives (a short-lived one may
 * be gone by the time its samples are read on the next timed poll). */
static __always_inline int emit_event(__u32 flags, __u64 wakeup)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	if (is_self(tgid))
		return 0;
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	output_event(tgid, (__u32)id, flags, wakeup);
	return 0;
}

/* raw tracepoints attach by name without tracefs, which is often not mounted */
SEC("raw_tp/sched_process_exec")
int flametui_exec(void *ctx)
{
	return emit_event(FLAMETUI_F_EXEC, BPF_RB_FORCE_WAKEUP);
}

/* A new process (not a thread) shares its parent's address space until it execs or maps more:
 * the reader names its samples from the parent's maps if it is gone before they are read.
 * Under a pid filter the child's samples are dropped (no record) unless follow_forks adds the
 * child of a filtered parent to the filter, before the child first runs. */
SEC("raw_tp/sched_process_fork")
int flametui_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	__u32 tgid, ptgid;
	__u8 one = 1;

	tgid = BPF_CORE_READ(child, tgid);
	if (BPF_CORE_READ(child, pid) != tgid)
		return 0; /* a thread */
	ptgid = BPF_CORE_READ(parent, tgid);
	if (filter_pids) {
		if (!follow_forks || !bpf_map_lookup_elem(&pids, &ptgid))
			return 0;
		if (bpf_map_update_elem(&pids, &tgid, &one, BPF_ANY)) {
			__sync_fetch_and_add(&follow_failed, 1);
			return 0;
		}
	}
	output_event(tgid, ptgid, FLAMETUI_F_FORK, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int flametui_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (offcpu) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		struct thread_places *t = bpf_map_lookup_elem(&blocked_threads, &tid);

		if (t) {
			evict_place(tid, t->cur);
			if (t->prev != t->cur)
				evict_place(tid, t->prev);
		}
		bpf_map_delete_elem(&blocked_threads, &tid);
	}
	/* Threads exit one by one, the leader not always last (a main thread may pthread_exit while
	 * others run on): the process is gone when the last one exits. do_exit() has counted this
	 * thread out of signal->live before the tracepoint. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	emit_event(FLAMETUI_F_EXIT, BPF_RB_NO_WAKEUP);
	{
		__u32 gone = bpf_get_current_pid_tgid() >> 32;

		bpf_map_delete_elem(&seen_tgids, &gone); /* its pid may come back as another process */
	}
	if (filter_pids && follow_forks) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;

		bpf_map_delete_elem(&pids, &tgid); /* its pid may be reused by a stranger */
	}
	return 0;
}

/* offcpu: `prev` leaves the CPU (it is still current): note when, and where (a new place is kept
 * with its record; the same place again costs no copy). */
static __always_inline void block_out(__u64 *ctx, struct task_struct *prev, bool preempt, __u64 now)
{
	__u32 tgid = BPF_CORE_READ(prev, tgid);
	__u32 tid = BPF_CORE_READ(prev, pid);
	__u32 zero = 0, tflags, state;
	struct place_scratch *sc;
	struct place *b;
	struct thread_places *t;
	struct place_key k = { .tid = tid };
	long n;
	__u32 kn = 0, un = 0;

	if (tid == 0 || is_self(tgid))
		return;
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return;
	sc = bpf_map_lookup_elem(&place_scratch, &zero);
	if (!sc)
		return;
	b = &sc->p;
	if (bpf_core_field_exists(prev->__state))
		state = BPF_CORE_READ(prev, __state);
	else
		state = (__u32)BPF_CORE_READ((struct task_struct___pre514 *)prev, state);
	tflags = BPF_CORE_READ(prev, flags);
	b->rec.tgid = tgid;
	b->rec.tid = tid;
	b->rec.cpu = bpf_get_smp_processor_id();
	b->rec.flags = FLAMETUI_F_OFFCPU;
	b->rec.state = preempt ? 0 : state;
	process_comm(b->rec.comm);
	n = bpf_get_stack(ctx, b->rec.frames, STACK_BYTES, 0);
	if (n > 0)
		kn = (__u64)n / sizeof(__u64);
	if (kn > FLAMETUI_MAX_FRAMES)
		kn = FLAMETUI_MAX_FRAMES;
	if (kn == FLAMETUI_MAX_FRAMES)
		b->rec.flags |= FLAMETUI_F_KERNEL_TRUNCATED;
	if (!(tflags & (PF_KTHREAD | PF_EXITING))) {
		__u32 at = kn;

		/* the compiler may index with kn from before its clamp; the verifier needs the bound */
		asm volatile("" : "+r"(at));
		at &= FLAMETUI_MAX_FRAMES;
		n = bpf_get_stack(ctx, &b->rec.frames[at], STACK_BYTES, BPF_F_USER_STACK);
		if (n > 0)
			un = (__u64)n / sizeof(__u64);
		if (un > FLAMETUI_MAX_FRAMES)
			un = FLAMETUI_MAX_FRAMES;
		if (un == FLAMETUI_MAX_FRAMES)
			b->rec.flags |= FLAMETUI_F_USER_TRUNCATED;
	}
	b->rec.kernel_frames = kn;
	b->rec.user_frames = un;
	k.key = stack_key(b->rec.frames, kn + un, b->rec.state);
	t = bpf_map_lookup_elem(&blocked_threads, &tid);
	if (t && k.key != t->cur && k.key != t->prev && t->prev != t->cur)
		evict_place(tid, t->prev); /* a third place: the older one makes room */
	if (!bpf_map_lookup_elem(&places, &k)) {
		b->size = FLAMETUI_SAMPLE_HEADER + FLAMETUI_OFFCPU_EXTRA + (kn + un) * sizeof(__u64);
		if (copy_stack && un > 0)
			b->size += short_copy(b->rec.frames, kn + un, &b->rec.flags);
		b->acc_ns = b->acc_since = 0;
		if (bpf_map_update_elem(&places, &k, b, BPF_ANY)) {
			__sync_fetch_and_add(&offcpu_dropped, 1);
			return;
		}
	}
	if (t) {
		if (k.key != t->cur) {
			t->prev = t->cur;
			t->cur = k.key;
		}
		t->start_ns = now;
	} else {
		struct thread_places fresh = { .start_ns = now, .cur = k.key, .prev = k.key };

		if (bpf_map_update_elem(&blocked_threads, &tid, &fresh, BPF_ANY)) {
			__sync_fetch_and_add(&offcpu_dropped, 1);
			bpf_map_delete_elem(&places, &k);
		}
	}
}

/* offcpu: `next` runs again: add the time it was off the CPU (inside the window only) to its place's
 * sum, written when it is OFFCPU_FLUSH_NS old, or before a block that ends after the window. */
static __always_inline void wake_in(struct task_struct *next, __u64 now)
{
	__u32 tid = BPF_CORE_READ(next, pid);
	struct thread_places *t = bpf_map_lookup_elem(&blocked_threads, &tid);
	struct place_key k = { .tid = tid };
	struct place *b;
	__u64 start;

	if (!t || !t->start_ns)
		return;
	start = t->start_ns > window_start_ns ? t->start_ns : window_start_ns;
	t->start_ns = 0;
	k.key = t->cur;
	b = bpf_map_lookup_elem(&places, &k);
	if (!b)
		return;
	if (now >= window_end_ns) {
		/* A block across the window's end counts up to the end; then what was summed inside the
		 * window is written, stamped inside it (the other place's too). Blocks after the window
		 * are not summed at all: a fixed window's reader would only skip their records. */
		if (start < window_end_ns && window_end_ns - start >= min_block_ns) {
			b->acc_ns += window_end_ns - start;
			b->rec.time_ns = window_end_ns - 1;
		}
		if (b->acc_ns)
			flush_place(b);
		if (t->prev != t->cur) {
			struct place_key pk = { .tid = tid, .key = t->prev };
			struct place *p = bpf_map_lookup_elem(&places, &pk);

			if (p && p->acc_ns)
				flush_place(p);
		}
		return;
	}
	if (now > start && now - start >= min_block_ns) {
		if (!b->acc_ns)
			b->acc_since = now;
		b->acc_ns += now - start;
		b->rec.time_ns = now;
		/* a long block is written at once; short ones once they span OFFCPU_FLUSH_NS */
		if (now - start >= OFFCPU_FLUSH_NS || now - b->acc_since >= OFFCPU_FLUSH_NS)
			flush_place(b);
	}
}

/* tp_btf: typed arguments (preempt, prev, next, ...) without tracefs. */
SEC("tp_btf/sched_switch")
int flametui_switch(__u64 *ctx)
{
	bool preempt = (bool)ctx[0];
	struct task_struct *prev = (struct task_struct *)ctx[1];
	struct task_struct *next = (struct task_struct *)ctx[2];
	/* One clock for both: the scheduler has already charged prev's CPU time and started next's. */
	__u64 now = bpf_ktime_get_ns();

	block_out(ctx, prev, preempt, now);
	wake_in(next, now);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
