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

/* A device's counts: the sum of its inode rows and of its unkeyed events. */
struct dt_dev_rec {
	uint32_t dev;
	struct dt_counts c;
};

/* One row of the offsets map: events of one kind (and fallback reason) in one 2 MiB block. */
struct dt_offset_rec {
	struct dt_offset_key key;
	uint64_t count;
};

/* --hist-by: one (key, stage) row of the per-key histograms (bpf/maps.bpf.h key_hists). */
struct dt_khist_rec {
	struct dt_khist_key key;
	struct dt_hist_slots h;
};

/* --hist-by process: one process's counters (bpf/maps.bpf.h pids). */
struct dt_proc_rec {
	uint32_t pid; /* tgid, as the initial pid namespace sees it */
	char comm[DT_TASK_COMM_LEN]; /* from the kernel: untrusted, escape before output */
	struct dt_counts c;
};

/* One row of the procs map: faults of one process on one inode. */
struct dt_proc_entry {
	struct dt_proc_key key;
	struct dt_proc_val val;
};

struct dt_snapshot {
	/* Derived by dt_snapshot_finish(): the inode rows plus `unkeyed`. */
	__u64 totals[DT_C_NR];
	__u64 fallback_totals[DT_FB_NR];
	/* Events whose inode had no row (inode map full), host-wide and per device; the device
	 * table holds DT_MAX_DEVS, the rest is in `unkeyed` only (diag dev_map_full). */
	struct dt_counts unkeyed;
	struct dt_dev_rec unkeyed_devs[DT_MAX_DEVS];
	size_t n_unkeyed_devs;
	struct dt_hist_slots hists[DT_H_NR];
	__u64 hist_sum_ns[DT_H_NR];
	__u64 diag[DT_D_NR];
	uint64_t interval_ns;
	uint64_t inflight; /* sequences still open when the snapshot was taken */
	struct dt_inode_rec *inodes;
	size_t n_inodes;
	size_t cap_inodes;
	/* Where fallbacks and races happened, sorted by dt_snapshot_sort_offsets(): by inode, kind,
	 * offset, reason. Not carried by dt_snapshot_accumulate (Prometheus has no offsets). */
	struct dt_offset_rec *offsets;
	size_t n_offsets;
	size_t cap_offsets;
	/* --hist-by (enum dt_hist_by, set by dt_collect; 0: the two tables below are empty).
	 * khists: sorted by dt_snapshot_sort_khists() (key, then stage); read them through
	 * dt_snapshot_inode_hist(), dt_snapshot_pid_hist() or dt_snapshot_dev_hist().
	 * pids (--hist-by process only): busiest first (dt_snapshot_sort_pids()). Like the
	 * per-inode rows, with -i both hold the interval's growth; neither is carried by
	 * dt_snapshot_accumulate. Rows past --max-hists / --max-procs are missing (diagnostics
	 * hist_map_full, process_map_full); the host-wide hists[] and totals stay complete. */
	int hist_by;
	struct dt_khist_rec *khists;
	size_t n_khists, cap_khists;
	struct dt_proc_rec *pids;
	size_t n_pids, cap_pids;
	/* The procs map rows as read (per (inode, process) faults), for top -P; set by
	 * dt_snapshot_set_procs(). Not carried by dt_snapshot_accumulate. */
	struct dt_proc_entry *procs;
	size_t n_procs;
	size_t cap_procs;
	/* (dev, ino) -> position in inodes + 1, open addressing; rebuilt when stale */
	uint32_t *index;
	size_t index_cap;
	bool index_stale;
};

void dt_snapshot_init(struct dt_snapshot *s);
void dt_snapshot_free(struct dt_snapshot *s);
void dt_snapshot_clear(struct dt_snapshot *s);
/* Adds (or merges into) the record of one inode; NULL on allocation failure. */
struct dt_inode_rec *dt_snapshot_add_inode(struct dt_snapshot *s, const struct dt_inode_key *k,
					   const struct dt_inode_val *v);
/* Gives each inode its top process: most faults, lowest pid on a tie. */
void dt_snapshot_assign_procs(struct dt_snapshot *s, const struct dt_proc_entry *p, size_t n);
/* Keeps a copy of the procs rows in s->procs (replacing those it had); -1 without memory. */
int dt_snapshot_set_procs(struct dt_snapshot *s, const struct dt_proc_entry *p, size_t n);
/* The record of inode k, or NULL. */
struct dt_inode_rec *dt_snapshot_find(struct dt_snapshot *s, const struct dt_inode_key *k);
/* Busiest first: faults (PTE+PMD), then writebacks, then (dev, ino) for a stable order. */
void dt_snapshot_sort(struct dt_snapshot *s);
uint64_t dt_inode_activity(const struct dt_inode_rec *r);
/* Follows a name component BPF saw only the start of (U+2026, the ellipsis). */
#define DT_CUT_MARK "\xe2\x80\xa6"
/* The BPF-side path components joined as "a/b/c" (basename last), a cut one followed by
 * DT_CUT_MARK; "" when none. */
void dt_join_components(const struct dt_inode_val *v, char *buf, size_t len);
uint64_t dt_hist_count(const struct dt_hist_slots *h);
/* Adds to device dev's share of the unkeyed events (the host-wide `unkeyed` is the caller's). */
void dt_snapshot_add_unkeyed_dev(struct dt_snapshot *s, uint32_t dev, const struct dt_counts *c);
/* Sets totals and fallback_totals from the rows and the unkeyed events. */
void dt_snapshot_finish(struct dt_snapshot *s);
/* Per-device counts, rows plus unkeyed, busiest first, at most max devices; what does not fit
 * (more devices than max) is summed into *other (dev 0). Returns the number of devices. */
size_t dt_snapshot_devices(const struct dt_snapshot *s, struct dt_dev_rec *out, size_t max,
			   struct dt_dev_rec *other);
/* Appends one offsets row (merged with its twin by dt_snapshot_sort_offsets); -1 without memory. */
int dt_snapshot_add_offset(struct dt_snapshot *s, const struct dt_offset_key *k, uint64_t count);
/* Sorts the offsets rows and merges rows of the same key. */
void dt_snapshot_sort_offsets(struct dt_snapshot *s);
/* The offsets rows of inode k and kind, lowest offset first: a pointer to the first and their
 * number in *n (NULL, 0 when none). Needs dt_snapshot_sort_offsets(). */
const struct dt_offset_rec *dt_snapshot_offsets(const struct dt_snapshot *s,
						const struct dt_inode_key *k, int kind, size_t *n);
/* --hist-by: appends a (key, stage) row (merged with its twin by dt_snapshot_sort_khists), or
 * a process row; -1 without memory. */
int dt_snapshot_add_khist(struct dt_snapshot *s, const struct dt_khist_key *k,
			  const struct dt_hist_slots *h);
int dt_snapshot_add_pid(struct dt_snapshot *s, uint32_t tgid, const struct dt_pid_val *v);
void dt_snapshot_sort_khists(struct dt_snapshot *s);
/* Busiest first: faults (PTE+PMD), then writebacks, then pid. */
void dt_snapshot_sort_pids(struct dt_snapshot *s);
/* The API of per-key latencies (for reports and for live views such as `top`), after
 * dt_collect(): the histogram of stage (enum dt_hist) of s->inodes[inode_index], of
 * s->pids[proc_index], or of device dev (kernel encoding), or NULL when it has no samples
 * (or --hist-by is of another kind). Its count is dt_hist_count(); dt_hist_percentile() (src/
 * hist.h) gives p50/p90/p99. */
const struct dt_hist_slots *dt_snapshot_inode_hist(const struct dt_snapshot *s,
						   size_t inode_index, int stage);
const struct dt_hist_slots *dt_snapshot_pid_hist(const struct dt_snapshot *s, size_t proc_index,
						  int stage);
const struct dt_hist_slots *dt_snapshot_dev_hist(const struct dt_snapshot *s, uint32_t dev,
						 int stage);
/* Adds every count of `from` into `to` (interval snapshots into a cumulative one). Keeps at
 * most max_rows inode rows in `to`: the least active are folded into its unkeyed counts, so
 * totals and per-device counts stay exact while memory stays bounded. */
int dt_snapshot_accumulate(struct dt_snapshot *to, const struct dt_snapshot *from,
			   size_t max_rows);

#endif
