/* SPDX-License-Identifier: GPL-2.0 */
/* Types shared by the BPF programs and the loader. Plain fixed-width types only, so the same
 * header compiles against vmlinux.h (BPF) and against the C library (user space). */
#ifndef DAXTRACE_H
#define DAXTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define DT_TASK_COMM_LEN 16
#define DT_NAME_LEN 48   /* one path component as captured in BPF */
#define DT_PATH_DEPTH 4  /* components walked up from the dentry (basename first) */
#define DT_MAX_SLOTS 32  /* log2 slots of the display unit; the last takes everything above */
#define DT_MAX_FILTER_PATHS 64 /* --path given at most this often */
#define DT_MAX_DEVS 64   /* devices with their own totals for events the inode map had no room for */

#include "dt_tables.h"

/* The enums of include/dt_tables.h, in its order (the output order). */
#define DT_ENUM_C(id, ...) DT_C_##id,
enum dt_counter { DT_COUNTERS(DT_ENUM_C) DT_C_NR };
#undef DT_ENUM_C

#define DT_ENUM_FB(id, ...) DT_FB_##id,
enum dt_fallback_reason { DT_FALLBACKS(DT_ENUM_FB) DT_FB_NR };
#undef DT_ENUM_FB

#define DT_ENUM_H(id, ...) DT_H_##id,
enum dt_hist { DT_HISTS(DT_ENUM_H) DT_H_NR };
#undef DT_ENUM_H

#define DT_ENUM_D(id, ...) DT_D_##id,
enum dt_diag { DT_DIAGS(DT_ENUM_D) DT_D_NR };
#undef DT_ENUM_D

struct dt_hist_slots {
	__u64 slots[DT_MAX_SLOTS];
};

/* The kernel's own dev_t (include/linux/kdev_t.h: MINORBITS 20), as the tracepoints and
 * i_sb->s_dev carry it: not the user-space encoding of stat(2) and makedev(3). */
#define DT_DEV_MINOR_BITS 20
#define DT_DEV_MINOR_MAX ((1u << DT_DEV_MINOR_BITS) - 1)
#define DT_DEV_MAJOR_MAX ((1u << (32 - DT_DEV_MINOR_BITS)) - 1)

static inline __u32 dt_dev_encode(__u32 major, __u32 minor)
{
	return major << DT_DEV_MINOR_BITS | minor;
}

static inline __u32 dt_dev_major(__u32 dev)
{
	return dev >> DT_DEV_MINOR_BITS;
}

static inline __u32 dt_dev_minor(__u32 dev)
{
	return dev & DT_DEV_MINOR_MAX;
}

/* A file is (device, inode number, generation): ext4 and xfs hand a freed inode number to the
 * next file created at once, with a new i_generation. */
struct dt_inode_key {
	__u32 dev; /* kernel encoding: dt_dev_encode() */
	__u32 gen; /* inode->i_generation */
	__u64 ino;
};

/* The counts a row has: an inode's, or a device's share of the events no inode row took. */
struct dt_counts {
	__u64 counters[DT_C_NR];
	__u64 fallbacks[DT_FB_NR];
};

struct dt_inode_val {
	__u64 counters[DT_C_NR];
	__u64 fallbacks[DT_FB_NR];
	char path[DT_PATH_DEPTH][DT_NAME_LEN]; /* path[0] = basename, path[1] = parent, ... */
	__u8 cut;      /* bit i: path[i] is the start of a longer name */
	__u8 pad[7];
};

struct dt_proc_key {
	struct dt_inode_key inode;
	__u32 tgid;
	__u32 pad;
};

struct dt_proc_val {
	__u64 faults;
	char comm[DT_TASK_COMM_LEN];
};

/* Per-CPU aggregation (the cpu_aggs map): what every fault adds to, kept per CPU so that CPUs
 * faulting the same file at once never write the same cache line; user space sums the CPUs.
 * A CPU's slots hold the counts of the (inode, process) pairs it sees first, in place of their
 * shared inode and process rows: the first event of a pair on a CPU claims a slot (creating
 * the shared rows, which keep the path and comm), its later events there add to the slot only.
 * A slot is never released: its counts stay where user space last read them. Pairs that find
 * no free slot among their DT_CPU_SLOT_WAYS count in the shared rows, as before. */
#define DT_CPU_SLOT_BITS 6
#define DT_CPU_SLOTS (1 << DT_CPU_SLOT_BITS) /* per CPU */
#define DT_CPU_SLOT_WAYS 4

enum dt_slot_state {
	DT_SLOT_CLAIMED = 1,  /* inode and tgid are set */
	DT_SLOT_PROC = 2,     /* the (inode, process) row exists: faults count here */
	DT_SLOT_CLAIMING = 4, /* taken, its key being written */
};

struct dt_cpu_slot {
	/* enum dt_slot_state bits. Set after the key, and first in memory: the kernel copies a
	 * per-CPU value to user space in ascending order, so a reader that sees the state set
	 * sees the key that came before it. */
	__u32 state;
	__u32 tgid;
	struct dt_inode_key inode;
	__u64 counters[DT_C_NR]; /* and fallbacks: laid out as struct dt_counts */
	__u64 fallbacks[DT_FB_NR];
	__u64 faults; /* of the (inode, process) row */
};

/* The first of a pair's ways (shared with the tests, which fill them on purpose). */
static inline __u32 dt_slot_hash(const struct dt_inode_key *k, __u32 tgid)
{
	__u64 x = k->ino ^ ((__u64)k->dev << 32) ^ k->gen ^ ((__u64)tgid << 20);

	return (__u32)((x * 0x9e3779b97f4a7c15ULL) >> (64 - DT_CPU_SLOT_BITS));
}

struct dt_cpu_agg {
	struct dt_hist_slots hists[DT_H_NR];
	__u64 hist_sum_ns[DT_H_NR]; /* for Prometheus' _sum */
	struct dt_cpu_slot slots[DT_CPU_SLOTS];
};

/* --hist-by: what the per-key histograms and the per-process table are keyed by. */
enum dt_hist_by {
	DT_HB_NONE,    /* host-wide histograms only; the per-key maps have one entry */
	DT_HB_FILE,    /* per inode (dev, generation, ino) */
	DT_HB_PROCESS, /* per process (tgid in the initial pid namespace), with its counters */
	DT_HB_DEVICE,  /* per device (dev) */
};

/* One row of the per-key histograms: the latencies of one stage of one key. Only the fields of
 * the --hist-by kind are set, the others are 0: a file's inode key, a process's tgid, or a
 * device's inode.dev. */
struct dt_khist_key {
	struct dt_inode_key inode;
	__u32 tgid;
	__u8 stage; /* enum dt_hist */
	__u8 pad[3];
};

/* --hist-by process: one row per process, its counters as an inode row has them. */
struct dt_pid_val {
	__u64 counters[DT_C_NR];
	__u64 fallbacks[DT_FB_NR];
	char comm[DT_TASK_COMM_LEN]; /* at its first event */
};

/* Where in a file fallbacks and races happened: one row of the `offsets` map per (inode, 2 MiB
 * block, kind, fallback reason), its value the number of events (a __u64). */
enum dt_offset_kind {
	DT_OFF_FALLBACK, /* dax_pmd_fault_done with FALLBACK; reason: enum dt_fallback_reason */
	DT_OFF_RACE,     /* dax_insert_pfn_mkwrite_no_entry; reason 0 */
};

struct dt_offset_key {
	struct dt_inode_key inode;
	__u64 offset; /* file offset in bytes of the 2 MiB block: (pgoff & ~0x1ff) << 12 */
	__u8 kind;    /* enum dt_offset_kind */
	__u8 reason;
	__u8 pad[6];
};

/* The file offset of the 2 MiB block holding page index pgoff. */
#define DT_BLOCK_OFFSET(pgoff) (((pgoff) & ~0x1ffULL) << 12)

/* What dax_pmd_fault and iomap_iter_dstmap tell about one PMD attempt: everything the fallback
 * classifier needs, and nothing kernel-typed, so user space can unit-test it. */
struct dt_pmd_try {
	__u64 address;
	__u64 pgoff;
	__u64 vm_start;
	__u64 vm_end;
	__u64 vm_flags;
	__u64 max_pgoff;
	__u32 flags; /* vmf->flags */
	__u8 dstmap_seen;
	__u8 hole_fallback_seen;
	__u16 dstmap_type;
	__u16 dstmap_flags;
	__u16 pad;
	__u64 dstmap_offset;
	__u64 dstmap_length;
};

enum dt_phase {
	DT_P_IDLE,
	DT_P_PMD_TRY,      /* dax_pmd_fault seen */
	DT_P_PTE_TRY,      /* dax_pte_fault seen */
	DT_P_RETRY,        /* *_done with FALLBACK or an error: the same vmf may try again */
	DT_P_SYNC_PENDING, /* *_done with NEEDDSYNC: dax_finish_sync_fault comes next */
};

/* The in-flight table: one struct dt_seq per thread with a fault sequence open, in a BPF
 * array of DT_SEQ_WAYS-slot sets. A thread looks only in the set its id selects (id modulo the
 * number of sets), so finding its sequence is a few inlined array loads instead of a hash
 * lookup, on a path that runs a dozen times per sync fault. Consecutive thread ids, as one
 * process's threads have, fall in different sets; a set overflows only when more than
 * DT_SEQ_WAYS threads whose ids are equal modulo the number of sets are mid-fault at once. */
#define DT_SEQ_WAYS 4
/* A sequence idle this long was abandoned (its thread was killed mid-fault): its slot may be
 * taken, and the abandonment is counted in stale_sequences. */
#define DT_SEQ_STALE_NS (10ULL * 1000000000ULL)

/* Slots for --max-inflight N: N rounded up to a power of two, so that the set index is a mask. */
static inline __u32 dt_seq_slots(__u32 max_inflight)
{
	__u32 n = DT_SEQ_WAYS;

	while (n < max_inflight && n < (1u << 31))
		n <<= 1;
	return n;
}

/* One fault sequence (see docs/EVENTS.md, "fault sequence"). */
struct dt_seq {
	__u64 vmf;
	__u64 address;
	__u64 t_start;     /* first dax_*_fault of the sequence */
	__u64 t_attempt;   /* the current *_fault */
	__u64 t_needdsync; /* the *_done that asked for a sync */
	__u64 t_finish;    /* entry of dax_finish_sync_fault (fentry/kprobe) */
	__u64 t_fsync_end; /* fsync returned */
	__u64 t_insert;    /* entry of the writable insert */
	__u64 t_writeback; /* dax_writeback_range inside this sync's fsync */
	__u64 t_last;      /* last event: for stale sweeping in user space */
	struct dt_inode_key inode;
	__u8 phase;
	__u8 sync_pmd; /* NEEDDSYNC came from a PMD attempt */
	__u8 dstmap_seen;
	__u8 hole_fallback_seen;
	__u16 attempts;
	__u16 dstmap_type;
	__u16 dstmap_flags;
	__u16 pad;
	__u32 owner; /* id of the thread whose sequence this is; 0: the slot is free */
	__u64 dstmap_offset;
	__u64 dstmap_length;
	__u8 pad_line[64]; /* 192 bytes: slots of threads on other CPUs never share a cache line */
};
_Static_assert(sizeof(struct dt_seq) == 192, "struct dt_seq is three cache lines");

#define DT_ENUM_E(id, ...) DT_E_##id,
enum dt_event_type { DT_EVENTS(DT_ENUM_E) DT_E_NR };
#undef DT_ENUM_E

/* `daxtrace trace` record. latency_ns: attempt latency on *_done, whole sync fault on mkwrite. */
struct dt_event {
	__u64 ts_ns;
	__u64 ino;
	__u64 address;
	__u64 pgoff;
	__u64 latency_ns;
	__u32 dev;
	__u32 pid;
	__u32 tid;
	__s32 result;
	__u8 type;
	__u8 fallback;     /* dt_fallback_reason + 1 on a FALLBACK, else 0 */
	__u8 pad[2];
	__u32 gen;         /* inode->i_generation: with dev and ino, the key of its inode row */
	char comm[DT_TASK_COMM_LEN];
};

#define DT_ENUM_VMF(name, value) DT_VM_FAULT_##name = value,
enum dt_vm_fault { DT_VM_FAULT_BITS(DT_ENUM_VMF) };
#undef DT_ENUM_VMF
/* A *_done with one of these is a failed fault; the kernel's VM_FAULT_ERROR (0x873) is the same
 * with FALLBACK, which is how dax_insert_pfn_mkwrite results are tested. */
#define DT_VM_FAULT_FAULT_ERROR (DT_VM_FAULT_OOM | DT_VM_FAULT_SIGBUS | DT_VM_FAULT_SIGSEGV | \
				 DT_VM_FAULT_HWPOISON | DT_VM_FAULT_HWPOISON_LARGE)
#define DT_VM_FAULT_ERROR (DT_VM_FAULT_FAULT_ERROR | DT_VM_FAULT_FALLBACK)
_Static_assert(DT_VM_FAULT_ERROR == 0x873, "VM_FAULT_ERROR of include/linux/mm_types.h");

/* Other kernel constants, equal on 6.1 and 6.18 (docs/EVENTS.md "Definitions"). */
#define DT_FAULT_FLAG_WRITE 0x1
#define DT_VM_SHARED 0x8
#define DT_IOMAP_MAPPED 2
#define DT_IOMAP_F_SHARED 0x4
#define DT_PAGE_SHIFT 12
#define DT_PMD_SIZE 0x200000ULL
#define DT_PG_PMD_COLOUR 0x1ffULL

/* Mirror of dax_iomap_pmd_fault() with dax_fault_check_fallback() inlined: first match wins.
 * Valid only for a dax_pmd_fault_done whose result == VM_FAULT_FALLBACK. */
static inline enum dt_fallback_reason dt_classify_fallback(const struct dt_pmd_try *t,
							     int dstmap_hooked)
{
	__u64 idx = t->pgoff & ~DT_PG_PMD_COLOUR;
	__u64 pmd_addr = t->address & ~(DT_PMD_SIZE - 1);
	int write = t->flags & DT_FAULT_FLAG_WRITE;

	if (((t->address >> DT_PAGE_SHIFT) ^ t->pgoff) & DT_PG_PMD_COLOUR)
		return DT_FB_MISALIGNED;
	if (write && !(t->vm_flags & DT_VM_SHARED))
		return DT_FB_PRIVATE_COW;
	if (pmd_addr < t->vm_start)
		return DT_FB_VMA_START;
	if (pmd_addr + DT_PMD_SIZE > t->vm_end)
		return DT_FB_VMA_END;
	if ((idx | DT_PG_PMD_COLOUR) >= t->max_pgoff)
		return DT_FB_EOF;
	if (!dstmap_hooked)
		return DT_FB_UNKNOWN;
	if (!t->dstmap_seen)
		return DT_FB_ENTRY_CONFLICT;
	if (t->dstmap_offset + t->dstmap_length < (idx << DT_PAGE_SHIFT) + DT_PMD_SIZE)
		return DT_FB_EXTENT_SHORT;
	if (t->hole_fallback_seen)
		return DT_FB_HOLE_ZERO_PMD;
	if (t->dstmap_type != DT_IOMAP_MAPPED && !(t->dstmap_flags & DT_IOMAP_F_SHARED))
		return DT_FB_UNEXPECTED_TYPE;
	return DT_FB_DIRECT_ACCESS;
}

/* log2 slot of a latency in display units (bpf/maps.bpf.h hist_unit_ns): slot k holds
 * [2^k, 2^(k+1)) units, slot 0 also holds 0. */
static inline __u32 dt_log2_slot(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r < DT_MAX_SLOTS ? r : DT_MAX_SLOTS - 1;
}

#endif
