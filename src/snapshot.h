/* SPDX-License-Identifier: GPL-2.0 */
/* One interval's worth of aggregates, as user space sees them after reading the BPF maps. The
 * functions in aggregate.c build it from raw map entries; the reports only read it. */
#ifndef DT_SNAPSHOT_H
#define DT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "daxtrace.h"

struct dt_inode_rec {
	struct dt_inode_key key;
	struct dt_inode_val val;
	char comm[DT_TASK_COMM_LEN]; /* the process with the most faults on this inode */
	uint32_t pid;
	uint64_t pid_faults;
};

/* Room for a resolved path; reports resolve into a buffer of this size on their stack, so that
 * a snapshot costs no more than the BPF records per inode. */
#define DT_PATH_MAX 4096

struct dt_snapshot {
	__u64 totals[DT_C_NR];
	__u64 fallback_totals[DT_FB_NR];
	struct dt_hist_slots hists[DT_H_NR];
	__u64 hist_sum_ns[DT_H_NR];
	__u64 diag[DT_D_NR];
	uint64_t interval_ns;
	uint64_t inflight; /* sequences still open when the snapshot was taken */
	struct dt_inode_rec *inodes;
	size_t n_inodes;
	size_t cap_inodes;
	/* (dev, ino) -> position in inodes + 1, open addressing; rebuilt when stale */
	uint32_t *index;
	size_t index_cap;
	bool index_stale;
};

struct dt_proc_entry {
	struct dt_proc_key key;
	struct dt_proc_val val;
};

void dt_snapshot_init(struct dt_snapshot *s);
void dt_snapshot_free(struct dt_snapshot *s);
void dt_snapshot_clear(struct dt_snapshot *s);
/* Adds (or merges into) the record of one inode; NULL on allocation failure. */
struct dt_inode_rec *dt_snapshot_add_inode(struct dt_snapshot *s, const struct dt_inode_key *k,
					   const struct dt_inode_val *v);
/* Gives each inode its top process: most faults, lowest pid on a tie. */
void dt_snapshot_assign_procs(struct dt_snapshot *s, const struct dt_proc_entry *p, size_t n);
/* Busiest first: faults (PTE+PMD), then writebacks, then (dev, ino) for a stable order. */
void dt_snapshot_sort(struct dt_snapshot *s);
uint64_t dt_inode_activity(const struct dt_inode_rec *r);
/* The BPF-side path components joined as "a/b/c" (basename last); "" when none. */
void dt_join_components(const struct dt_inode_val *v, char *buf, size_t len);
uint64_t dt_hist_count(const struct dt_hist_slots *h);
/* Adds every count of `from` into `to` (interval snapshots into a cumulative one). */
int dt_snapshot_accumulate(struct dt_snapshot *to, const struct dt_snapshot *from);

#endif
