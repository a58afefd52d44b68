/* SPDX-License-Identifier: GPL-2.0 */
/* The per-CPU aggregates (struct dt_cpu_agg, the cpu_aggs map) folded into what the reports
 * read: the histograms summed over the CPUs, and each CPU's (inode, process) slots added to the
 * inode and process rows of the shared maps. No libbpf here: tests/unit drives it with made-up
 * CPUs. */
#ifndef DT_CPU_AGGS_H
#define DT_CPU_AGGS_H

#include <stdbool.h>
#include <stddef.h>
#include "daxtrace.h"

struct dt_cpu_aggs {
	struct dt_cpu_agg *cpu; /* n copies, as the map lookup returns them */
	size_t n;
};

/* The rows a slot adds to. */
enum dt_slot_rows {
	DT_SLOT_ROWS_INODES, /* key struct dt_inode_key, value struct dt_inode_val */
	DT_SLOT_ROWS_PROCS,  /* key struct dt_proc_key, value struct dt_proc_val */
};

/* Sums the CPUs' histograms and their ns into hists and sum_ns (DT_H_NR each). */
void dt_cpu_aggs_hists(const struct dt_cpu_aggs *a, struct dt_hist_slots *hists, __u64 *sum_ns);

/* *ents holds *n map entries of `rows` (key then value, packed); the slots' counts are added
 * to the entry of their key, and a slot whose key has no entry gets one (its other fields
 * zero). *ents may be reallocated; it is left sorted by key. The keys that slots hold are put
 * in *pins (sorted, *n_pins of them, freed by the caller): their entries must stay in the map.
 * 0 or -ENOMEM (then nothing changed but the order of *ents). */
int dt_cpu_aggs_merge(const struct dt_cpu_aggs *a, enum dt_slot_rows rows, char **ents,
		      size_t *n, char **pins, size_t *n_pins);

#endif
