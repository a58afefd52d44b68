/* SPDX-License-Identifier: GPL-2.0 */
/* The two renderings of a snapshot: the terminal report and the JSON document. Both read the
 * same snapshot and the same name tables (names.c). */
#ifndef DT_REPORT_H
#define DT_REPORT_H

#include <stdio.h>
#include "cli.h"
#include "probes.h"
#include "prog_stats.h"
#include "snapshot.h"

struct dt_report_ctx {
	const struct dt_config *cfg;
	const struct dt_hooks *hooks;
	const char *kernel;   /* uname -r */
	uint64_t wall_ns;     /* CLOCK_REALTIME when the snapshot was taken */
	int width;            /* terminal columns for the text report */
	bool final;           /* last report of the run */
	const struct dt_prog_stat *stats; /* --stats: per-program cost, else NULL */
	size_t n_stats;
};

/* The last report of an -i run covers only the time since the previous one: it is partial when
 * that is short of the interval by more than 1% (a run whose -d is a multiple of -i ends on a
 * boundary, give or take a late wakeup, and its last report is a whole one). */
static inline bool dt_report_partial(const struct dt_report_ctx *ctx, const struct dt_snapshot *s)
{
	uint64_t full = ctx->cfg->interval_s * 1000000000ULL;

	return ctx->final && full && s->interval_ns < full - full / 100;
}

void dt_report_text(FILE *out, const struct dt_report_ctx *ctx, struct dt_snapshot *s);
void dt_report_json(FILE *out, const struct dt_report_ctx *ctx, struct dt_snapshot *s);
/* node_exporter textfile format, atomically (FILE.tmp + rename): 0 or -errno. */
int dt_report_prometheus(const char *path, const struct dt_report_ctx *ctx, struct dt_snapshot *s);
/* The diagnostics that mean something was not counted, one line each, for stderr. */
void dt_report_warnings(FILE *out, const struct dt_snapshot *s);

#endif
