/* Trimmed, hand-written stand-in for a bpftool-generated vmlinux.h: only the types
 * bpf/profile.bpf.c and libbpf's bpf_helpers.h need, so the build needs clang but not bpftool. */
#ifndef __FLAMETUI_VMLINUX_H__
#define __FLAMETUI_VMLINUX_H__

/* Contents (all UAPI, stable across kernels, so no CO-RE relocation is needed for them):
 *   fixed-width integer typedefs (__u8.. __u64, __s8.. __s64, u8.. u64, __be16/32, __wsum),
 *   bool, enum bpf_map_type (the values used), BPF_ANY, BPF_F_USER_STACK,
 *   BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP / BPF_RB_AVAIL_DATA,
 *   struct bpf_perf_event_data (opaque: the program passes the context to helpers only),
 *   struct bpf_raw_tracepoint_args,
 *   struct task_struct with only `flags`, `pid`, `tgid`, `group_leader`, `signal` and `comm`,
 *   struct signal_struct with only `live` (CO-RE: preserve_access_index relocates the
 *   offsets against the running kernel's BTF), the run state (`__state`, or `state` before 5.14),
 *   PF_EXITING and PF_KTHREAD,
 *   struct pt_regs (the user registers a stack copy starts from) and struct vm_area_struct
 *   with only its bounds.
 * Add kernel struct fields the same way, with __attribute__((preserve_access_index)). */

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
enum { false = 0, true = 1 };

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_F_USER_STACK = 256,
	BPF_F_NO_PREALLOC = 1,
};

enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
	BPF_RB_CONS_POS = 2,
	BPF_RB_PROD_POS = 3,
};

struct bpf_perf_event_data;

/* UAPI: the context of a raw tracepoint program, the tracepoint's arguments as u64s. */
struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live; /* threads of the group not yet in do_exit() */
} __attribute__((preserve_access_index));

struct task_struct {
	unsigned int __state; /* TASK_* run state (5.14+; `state` before) */
	unsigned int flags;
	int pid;  /* pid_t: the thread id */
	int tgid; /* pid_t: the process id */
	struct task_struct *group_leader;
	struct signal_struct *signal;
	char comm[16];
} __attribute__((preserve_access_index));

#define PF_EXITING 0x00000004 /* set by do_exit() before the exit tracepoint */
#define PF_KTHREAD 0x00200000 /* a kernel thread: no user stack */

/* A kernel before 5.14 names the run state `state` (CO-RE flavour: bpf_core_field_exists picks). */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* The user registers saved on kernel entry (bpf_task_pt_regs), for stack copies (CO-RE). */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long bp;
	unsigned long sp;
	unsigned long ip;
} __attribute__((preserve_access_index));
#elif defined(__TARGET_ARCH_arm64)
struct pt_regs {
	__u64 regs[31]; /* x29 frame pointer, x30 link register */
	__u64 sp;
	__u64 pc;
} __attribute__((preserve_access_index));
#endif

/* bpf_find_vma's callback sees the mapping that holds an address (vm_end bounds a stack copy). */
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
} __attribute__((preserve_access_index));

#endif /* __FLAMETUI_VMLINUX_H__ */
