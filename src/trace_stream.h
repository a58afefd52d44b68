/* SPDX-License-Identifier: GPL-2.0 */
/* `daxtrace trace`: one line (or one JSON object) per event from the ring buffer. */
#ifndef DT_TRACE_STREAM_H
#define DT_TRACE_STREAM_H

#include <stdio.h>
#include "cli.h"
#include "daxtrace.h"

/* The inode row of key k (its name components) into *v: 0, or non-zero if there is none. */
typedef int (*dt_inode_lookup_fn)(void *arg, const struct dt_inode_key *k, struct dt_inode_val *v);

struct dt_trace_ctx {
	FILE *out;
	const struct dt_config *cfg;
	uint64_t first_ts;
	uint64_t events;
	/* Where the path of an event's inode comes from (session.c: the BPF inode map); NULL: no
	 * paths. Each inode's path is resolved once, at its first event with a name, and kept in
	 * a bounded cache (DT_TRACE_PATHS, direct-mapped: a collision only resolves again). */
	dt_inode_lookup_fn lookup;
	void *lookup_arg;
};

#define DT_TRACE_PATHS 256

void dt_trace_header(struct dt_trace_ctx *t);
/* Frees the path cache. */
void dt_trace_end(struct dt_trace_ctx *t);
/* ring_buffer__new() callback: ctx is a struct dt_trace_ctx. */
int dt_trace_event(void *ctx, void *data, size_t size);
/* "NEEDDSYNC|MAJOR" for a vm_fault_t. */
void dt_fault_result_str(int result, char *buf, size_t len);

#endif
