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
#define DT_MAX_DEVS 64   /* devices with their own totals for events the inode map had no room for */

/* Per-inode counters. The JSON names are in src/names.c; the order is the output order. */
enum dt_counter {
	DT_C_PTE_FAULTS,     /* dax_pte_fault_done, any result */
	DT_C_PMD_FAULTS,     /* dax_pmd_fault_done, any result */
	DT_C_SYNC_FAULTS,    /* a *_done whose result has VM_FAULT_NEEDDSYNC */
	DT_C_PTE_UPGRADES,   /* dax_insert_pfn_mkwrite without error bits (i.e. NOPAGE) after a
			      * PTE-sized NEEDDSYNC */
	DT_C_PMD_UPGRADES,   /* ... after a PMD-sized NEEDDSYNC */
	DT_C_RACES,          /* dax_insert_pfn_mkwrite_no_entry */
	DT_C_FALLBACKS,      /* dax_pmd_fault_done == VM_FAULT_FALLBACK */
	DT_C_HOLE_LOADS,     /* dax_load_hole + dax_pmd_load_hole */
	DT_C_MKWRITE_ERRORS, /* dax_insert_pfn_mkwrite with an error bit */
	DT_C_FAULT_ERRORS,   /* *_done with SIGBUS/OOM/HWPOISON/SIGSEGV */
	DT_C_FSYNC_FAILURES, /* fsync inside dax_finish_sync_fault failed (needs fexit or ext4) */
	DT_C_WRITEBACKS,     /* dax_writeback_one: entries flushed */
	DT_C_NR,
};

/* Why a PMD fault fell back to PTEs: the checks of dax_iomap_pmd_fault() in kernel order
 * (fs/dax.c, identical on 6.1 and 6.18; see docs/EVENTS.md). */
enum dt_fallback_reason {
	DT_FB_MISALIGNED,      /* virtual address and file offset not congruent mod 2 MiB */
	DT_FB_PRIVATE_COW,     /* write fault on a private mapping */
	DT_FB_VMA_START,       /* the 2 MiB block starts before the VMA */
	DT_FB_VMA_END,         /* ... ends after it */
	DT_FB_EOF,             /* ... reaches past i_size */
	DT_FB_ENTRY_CONFLICT,  /* grab_mapping_entry found PTE entries: no iomap lookup happened */
	DT_FB_EXTENT_SHORT,    /* the extent is shorter than the 2 MiB block */
	DT_FB_HOLE_ZERO_PMD,   /* read of a hole: huge zero page could not be mapped */
	DT_FB_UNEXPECTED_TYPE, /* extent neither mapped nor a hole (kernel WARNs) */
	DT_FB_DIRECT_ACCESS,   /* mapped, but the device range is not 2 MiB contiguous/aligned */
	DT_FB_UNKNOWN,         /* past the EOF check, but iomap_iter_dstmap is not hooked here */
	DT_FB_NR,
};

enum dt_hist {
	DT_H_PTE_FAULT,   /* dax_pte_fault -> _done */
	DT_H_PMD_FAULT,   /* dax_pmd_fault -> _done */
	DT_H_SYNC_FAULT,  /* first dax_*_fault of a sync sequence -> its end */
	DT_H_FSYNC,       /* start of dax_finish_sync_fault (or NEEDDSYNC) -> fsync returned */
	DT_H_MKWRITE,     /* fsync returned -> dax_insert_pfn_mkwrite(_no_entry) */
	DT_H_INSERT,      /* the writable PTE/PMD insert call (fentry/kprobe only) */
	DT_H_WRITEBACK,   /* dax_writeback_range -> _done */
	DT_H_NR,
};

/* Tracer health: everything that was dropped, so that nothing is lost silently. */
enum dt_diag {
	DT_D_INODE_OVERFLOW,    /* per-inode map full: event counted in totals only */
	DT_D_PROC_OVERFLOW,     /* per-(inode, process) map full: top process may be wrong */
	DT_D_INFLIGHT_OVERFLOW, /* no in-flight slot free in the thread's set: that fault's
				 * latency is not measured (and a writeback's, wb_start full) */
	DT_D_LOST_EVENTS,       /* `trace` ring buffer full */
	DT_D_UNMATCHED,         /* mkwrite/no_entry with no open sync sequence on the thread */
	DT_D_STALE,             /* sequences abandoned mid-way (closed by a newer fault) */
	DT_D_TREE_OVERFLOW,     /* -- COMMAND: a descendant process could not be tracked */
	DT_D_KERNEL_SKIPPED,    /* runs of daxtrace's programs the kernel skipped because the same
				 * program was already running on that CPU (its recursion guard;
				 * from 6.18 a program can be preempted mid-run). Counted by the
				 * kernel; user space reads it from bpf_prog_info, BPF never writes it */
	DT_D_DEV_OVERFLOW,      /* inode map full and more than DT_MAX_DEVS devices: the event is in
				 * the host totals only, not in its device's */
	DT_D_NR,
};

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

enum dt_event_type {
	DT_E_PTE_FAULT,
	DT_E_PTE_DONE,
	DT_E_PMD_FAULT,
	DT_E_PMD_DONE,
	DT_E_LOAD_HOLE,
	DT_E_PMD_LOAD_HOLE,
	DT_E_PMD_LOAD_HOLE_FALLBACK,
	DT_E_MKWRITE,
	DT_E_MKWRITE_NO_ENTRY,
	DT_E_WRITEBACK_RANGE,
	DT_E_WRITEBACK_RANGE_DONE,
	DT_E_WRITEBACK_ONE,
	DT_E_FSYNC_FAILED,
	DT_E_NR,
};

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
	__u8 pad[6];
	char comm[DT_TASK_COMM_LEN];
};

/* Kernel constants, equal on 6.1 and 6.18 (docs/EVENTS.md "Definitions"). */
#define DT_VM_FAULT_OOM 0x0001
#define DT_VM_FAULT_SIGBUS 0x0002
#define DT_VM_FAULT_NOPAGE 0x0100
#define DT_VM_FAULT_FALLBACK 0x0800
#define DT_VM_FAULT_NEEDDSYNC 0x2000
#define DT_VM_FAULT_ERROR 0x0873       /* OOM|SIGBUS|SIGSEGV|HWPOISON*|FALLBACK */
#define DT_VM_FAULT_FAULT_ERROR 0x0073 /* the same without FALLBACK */
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
