// SPDX-License-Identifier: GPL-2.0
/* The JSON document of docs/JSON.md: one per interval, on one line (NDJSON). */
#include <stdio.h>
#include <stdlib.h>
#include "defaults.h"
#include "hist.h"
#include "json_writer.h"
#include "names.h"
#include "paths.h"
#include "probes_json.h"
#include "report.h"

static void counters(struct dt_json *j, const __u64 *c, const __u64 *fb)
{
	for (int i = 0; i < DT_C_NR; i++) {
		dt_json_key(j, dt_counter_names[i]);
		dt_json_u64(j, c[i]);
	}
	dt_json_key(j, "fallback_reasons");
	dt_json_begin_object(j);
	for (int r = 0; r < DT_FB_NR; r++) {
		dt_json_key(j, dt_fallback_names[r]);
		dt_json_u64(j, fb[r]);
	}
	dt_json_end_object(j);
}

/* "fallback_offsets" or "race_offsets": the DT_OFFSETS_SHOWN lowest blocks of that kind, then
 * "<key>_more", the events of the kind not in the list (in higher blocks, or not recorded when
 * the offset map was full): the counter minus the listed counts, never below 0. */
static void offsets(struct dt_json *j, const struct dt_snapshot *s, const struct dt_inode_rec *r,
		    int kind, const char *key, const char *more_key, uint64_t events)
{
	size_t n;
	const struct dt_offset_rec *o = dt_snapshot_offsets(s, &r->key, kind, &n);
	uint64_t listed = 0;

	dt_json_key(j, key);
	dt_json_begin_array(j);
	for (size_t i = 0; i < n && i < DT_OFFSETS_SHOWN; i++) {
		dt_json_begin_object(j);
		dt_json_key(j, "offset");
		dt_json_u64(j, o[i].key.offset);
		if (kind == DT_OFF_FALLBACK) {
			dt_json_key(j, "reason");
			dt_json_string(j, o[i].key.reason < DT_FB_NR ?
					  dt_fallback_names[o[i].key.reason] : "?");
		}
		dt_json_key(j, "count");
		dt_json_u64(j, o[i].count);
		dt_json_end_object(j);
		listed += o[i].count;
	}
	dt_json_end_array(j);
	dt_json_key(j, more_key);
	dt_json_u64(j, events > listed ? events - listed : 0);
}

static void histogram(struct dt_json *j, int h, const struct dt_hist_slots *slots,
		      enum dt_unit unit);

/* --hist-by: "histograms", every stage as in the top-level array, of one key: inode or
 * process `idx` of the snapshot, or device `idx`, as s->hist_by says. */
static void key_histograms(struct dt_json *j, const struct dt_snapshot *s, size_t idx,
			   enum dt_unit unit)
{
	static const struct dt_hist_slots empty;

	dt_json_key(j, "histograms");
	dt_json_begin_array(j);
	for (int h = 0; h < DT_H_NR; h++) {
		const struct dt_hist_slots *k =
			s->hist_by == DT_HB_FILE ? dt_snapshot_inode_hist(s, idx, h) :
			s->hist_by == DT_HB_PROCESS ? dt_snapshot_pid_hist(s, idx, h) :
			dt_snapshot_dev_hist(s, (uint32_t)idx, h);

		histogram(j, h, k ? k : &empty, unit);
	}
	dt_json_end_array(j);
}

static void inode(struct dt_json *j, const struct dt_snapshot *s, size_t idx, enum dt_unit unit)
{
	struct dt_inode_rec *r = &s->inodes[idx];
	char dev[16], path[DT_PATH_MAX];
	unsigned flags = dt_paths_resolve(r, path, sizeof(path));

	dt_format_dev(r->key.dev, dev, sizeof(dev));
	dt_json_begin_object(j);
	dt_json_key(j, "dev");
	dt_json_string(j, dev);
	dt_json_key(j, "ino");
	dt_json_u64(j, r->key.ino);
	dt_json_key(j, "generation");
	dt_json_u64(j, r->key.gen);
	dt_json_key(j, "path");
	dt_json_string(j, path);
	dt_json_key(j, "path_cut");
	dt_json_bool(j, flags & DT_PATH_CUT);
	dt_json_key(j, "deleted");
	dt_json_bool(j, flags & DT_PATH_DELETED);
	dt_json_key(j, "comm");
	dt_json_string(j, r->comm);
	dt_json_key(j, "pid");
	dt_json_u64(j, r->pid);
	counters(j, r->val.counters, r->val.fallbacks);
	offsets(j, s, r, DT_OFF_FALLBACK, "fallback_offsets", "fallback_offsets_more",
		r->val.counters[DT_C_FALLBACKS]);
	offsets(j, s, r, DT_OFF_RACE, "race_offsets", "race_offsets_more", r->val.counters[DT_C_RACES]);
	if (s->hist_by == DT_HB_FILE)
		key_histograms(j, s, idx, unit);
	dt_json_end_object(j);
}

/* "low" and "high" of slot i in ns; "high" null for the open-ended top slot. */
static void slot_bounds(struct dt_json *j, int i, enum dt_unit unit)
{
	uint64_t lo, hi;

	dt_slot_range_ns(i, unit, &lo, &hi);
	dt_json_key(j, "low");
	dt_json_u64(j, lo);
	dt_json_key(j, "high");
	if (hi == UINT64_MAX)
		dt_json_null(j);
	else
		dt_json_u64(j, hi);
}

/* Buckets in ns, exact slot bounds; only non-empty ones; the open-ended top slot has
 * "high": null. The slots are log2 of the display unit (-m, --nanoseconds), so the bounds
 * depend on it: slot_unit_ns says which. */
static void histogram(struct dt_json *j, int h, const struct dt_hist_slots *slots,
		      enum dt_unit unit)
{
	dt_json_begin_object(j);
	dt_json_key(j, "name");
	dt_json_string(j, dt_hist_names[h]);
	dt_json_key(j, "unit");
	dt_json_string(j, "ns");
	dt_json_key(j, "slot_unit_ns");
	dt_json_u64(j, dt_unit_div(unit));
	dt_json_key(j, "count");
	dt_json_u64(j, dt_hist_count(slots));
	dt_json_key(j, "buckets");
	dt_json_begin_array(j);
	for (int i = 0; i < DT_MAX_SLOTS; i++) {
		if (!slots->slots[i])
			continue;
		dt_json_begin_object(j);
		slot_bounds(j, i, unit);
		dt_json_key(j, "count");
		dt_json_u64(j, slots->slots[i]);
		dt_json_end_object(j);
	}
	dt_json_end_array(j);
	/* the bucket each percentile falls in (src/hist.h); null for an empty histogram */
	dt_json_key(j, "percentiles");
	dt_json_begin_object(j);
#define PERCENTILE(p)								\
	do {									\
		int i = dt_hist_percentile(slots, p);				\
		dt_json_key(j, "p" #p);						\
		if (i < 0) {							\
			dt_json_null(j);					\
			break;							\
		}								\
		dt_json_begin_object(j);					\
		slot_bounds(j, i, unit);					\
		dt_json_end_object(j);						\
	} while (0);
	DT_PERCENTILES(PERCENTILE)
#undef PERCENTILE
	dt_json_end_object(j);
	dt_json_end_object(j);
}

/* --hist-by process: "processes", every process, busiest first. */
static void processes(struct dt_json *j, const struct dt_snapshot *s, enum dt_unit unit)
{
	dt_json_key(j, "processes");
	dt_json_begin_array(j);
	for (size_t i = 0; i < s->n_pids; i++) {
		const struct dt_proc_rec *p = &s->pids[i];

		dt_json_begin_object(j);
		dt_json_key(j, "pid");
		dt_json_u64(j, p->pid);
		dt_json_key(j, "comm");
		dt_json_string(j, p->comm);
		counters(j, p->c.counters, p->c.fallbacks);
		key_histograms(j, s, i, unit);
		dt_json_end_object(j);
	}
	dt_json_end_array(j);
}

/* --hist-by device: "devices", every device (rows plus unkeyed events), busiest first; events
 * of devices past the BPF device table with the inode map full are in no row (dev_map_full). */
static void devices(struct dt_json *j, const struct dt_snapshot *s, enum dt_unit unit)
{
	size_t cap = s->n_inodes + s->n_unkeyed_devs, n;
	struct dt_dev_rec *d = calloc(cap ? cap : 1, sizeof(*d)), other;
	char dev[16];

	dt_json_key(j, "devices");
	dt_json_begin_array(j);
	n = d ? dt_snapshot_devices(s, d, cap, &other) : 0;
	for (size_t i = 0; i < n; i++) {
		dt_format_dev(d[i].dev, dev, sizeof(dev));
		dt_json_begin_object(j);
		dt_json_key(j, "dev");
		dt_json_string(j, dev);
		counters(j, d[i].c.counters, d[i].c.fallbacks);
		key_histograms(j, s, d[i].dev, unit);
		dt_json_end_object(j);
	}
	dt_json_end_array(j);
	free(d);
}

void dt_report_json(FILE *out, const struct dt_report_ctx *ctx, struct dt_snapshot *s)
{
	struct dt_json j;

	dt_json_init(&j, out);
	dt_json_begin_object(&j);
	dt_json_key(&j, "timestamp_ns");
	dt_json_u64(&j, ctx->wall_ns);
	dt_json_key(&j, "kernel");
	dt_json_string(&j, ctx->kernel ? ctx->kernel : "");
	dt_json_probes(&j, ctx->hooks, false);
	dt_json_key(&j, "interval_ns");
	dt_json_u64(&j, s->interval_ns);
	dt_json_key(&j, "final");
	dt_json_bool(&j, ctx->final);
	dt_json_key(&j, "partial");
	dt_json_bool(&j, dt_report_partial(ctx, s));
	dt_json_key(&j, "lost_events");
	dt_json_u64(&j, s->diag[DT_D_LOST_EVENTS]);
	dt_json_key(&j, "diagnostics");
	dt_json_begin_object(&j);
	for (int i = 0; i < DT_D_NR; i++) {
		dt_json_key(&j, dt_diag_names[i]);
		dt_json_u64(&j, s->diag[i]);
	}
	dt_json_key(&j, "inflight");
	dt_json_u64(&j, s->inflight);
	dt_json_end_object(&j);
	dt_json_key(&j, "totals");
	dt_json_begin_object(&j);
	dt_json_key(&j, "inodes");
	dt_json_u64(&j, s->n_inodes);
	counters(&j, s->totals, s->fallback_totals);
	dt_json_end_object(&j);
	dt_json_key(&j, "inodes");
	dt_json_begin_array(&j);
	for (size_t i = 0; i < s->n_inodes; i++)
		inode(&j, s, i, ctx->cfg->unit);
	dt_json_end_array(&j);
	dt_json_key(&j, "histograms");
	dt_json_begin_array(&j);
	for (int h = 0; h < DT_H_NR; h++)
		histogram(&j, h, &s->hists[h], ctx->cfg->unit);
	dt_json_end_array(&j);
	if (s->hist_by == DT_HB_PROCESS)
		processes(&j, s, ctx->cfg->unit);
	else if (s->hist_by == DT_HB_DEVICE)
		devices(&j, s, ctx->cfg->unit);
	if (ctx->stats) {
		dt_json_key(&j, "bpf_stats");
		dt_json_begin_array(&j);
		for (size_t i = 0; i < ctx->n_stats; i++) {
			dt_json_begin_object(&j);
			dt_json_key(&j, "program");
			dt_json_string(&j, ctx->stats[i].program);
			dt_json_key(&j, "hook");
			dt_json_string(&j, ctx->stats[i].hook);
			dt_json_key(&j, "runs");
			dt_json_u64(&j, ctx->stats[i].runs);
			dt_json_key(&j, "run_time_ns");
			dt_json_u64(&j, ctx->stats[i].run_time_ns);
			dt_json_end_object(&j);
		}
		dt_json_end_array(&j);
	}
	dt_json_end_object(&j);
	fputc('\n', out);
	fflush(out);
}
