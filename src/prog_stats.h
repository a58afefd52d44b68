/* SPDX-License-Identifier: GPL-2.0 */
/* --stats: what daxtrace's own BPF programs cost, from the kernel's per-program run-time
 * accounting (BPF_ENABLE_STATS; switched off again when the returned fd is closed, so a
 * killed daxtrace leaves kernel.bpf_stats_enabled as it was). */
#ifndef DT_PROG_STATS_H
#define DT_PROG_STATS_H

#include <stddef.h>
#include <stdint.h>

struct dt_prog_stat {
	char program[64];
	char hook[64];
	uint64_t runs;
	uint64_t run_time_ns;
};

struct dt_hooks;

/* Turns accounting on; returns the fd that keeps it on, or -errno. */
int dt_stats_enable(void);
/* Cumulative counts of every attached program, since load. Returns how many were filled. */
size_t dt_stats_read(const struct dt_hooks *hooks, struct dt_prog_stat *out, size_t max);

#endif
