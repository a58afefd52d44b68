/* SPDX-License-Identifier: GPL-2.0 */
/* `daxtrace trace`: one line (or one JSON object) per event from the ring buffer. */
#ifndef DT_TRACE_STREAM_H
#define DT_TRACE_STREAM_H

#include <stdio.h>
#include "cli.h"
#include "daxtrace.h"

struct dt_trace_ctx {
	FILE *out;
	const struct dt_config *cfg;
	uint64_t first_ts;
	uint64_t events;
};

void dt_trace_header(struct dt_trace_ctx *t);
/* ring_buffer__new() callback: ctx is a struct dt_trace_ctx. */
int dt_trace_event(void *ctx, void *data, size_t size);
/* "NEEDDSYNC|MAJOR" for a vm_fault_t. */
void dt_fault_result_str(int result, char *buf, size_t len);

#endif
