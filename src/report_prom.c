// SPDX-License-Identifier: GPL-2.0
/* --prometheus FILE: the node_exporter textfile collector format, written to FILE.tmp and
 * renamed over FILE so that a scrape never reads half a file. Counters are cumulative since
 * daxtrace started, in base units, named *_total. Cardinality stays bounded: per-device series,
 * host-wide latency histograms, and only the top N inodes as labelled series. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "hist.h"
#include "names.h"
#include "paths.h"
#include "report.h"

#define MAX_DEVS 64

struct dev_sum {
	uint32_t dev;
	__u64 c[DT_C_NR];
	__u64 fb[DT_FB_NR];
};

/* Label values escape backslash, double quote and newline. */
static void label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static size_t sum_devices(const struct dt_snapshot *s, struct dev_sum *d)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_inodes; i++) {
		const struct dt_inode_rec *r = &s->inodes[i];
		size_t j = 0;

		while (j < n && d[j].dev != r->key.dev)
			j++;
		if (j == n) {
			if (n == MAX_DEVS)
				continue;
			memset(&d[n], 0, sizeof(d[n]));
			d[n++].dev = r->key.dev;
		}
		for (int c = 0; c < DT_C_NR; c++)
			d[j].c[c] += r->val.counters[c];
		for (int b = 0; b < DT_FB_NR; b++)
			d[j].fb[b] += r->val.fallbacks[b];
	}
	return n;
}

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* One per-device counter, optionally split by a second label. */
static void dev_metric(FILE *f, const struct dev_sum *d, size_t n, const char *name,
		       const char *text, const int *counters, const char *const *values,
		       const char *key, int nvalues)
{
	help(f, name, "counter", text);
	for (size_t i = 0; i < n; i++) {
		char dev[16];

		dt_format_dev(d[i].dev, dev, sizeof(dev));
		for (int v = 0; v < nvalues; v++) {
			fprintf(f, "%s{dev=\"%s\"", name, dev);
			if (key)
				fprintf(f, ",%s=\"%s\"", key, values[v]);
			fprintf(f, "} %llu\n", (unsigned long long)d[i].c[counters[v]]);
		}
	}
}

static void write_metrics(FILE *f, const struct dt_report_ctx *ctx, struct dt_snapshot *s)
{
	static const char *const sizes[] = { "pte", "pmd" };
	static const char *const kinds[] = { "mkwrite", "fault", "fsync" };
	static const int faults[] = { DT_C_PTE_FAULTS, DT_C_PMD_FAULTS };
	static const int upgrades[] = { DT_C_PTE_UPGRADES, DT_C_PMD_UPGRADES };
	static const int errors[] = { DT_C_MKWRITE_ERRORS, DT_C_FAULT_ERRORS, DT_C_FSYNC_FAILURES };
	static const int sync[] = { DT_C_SYNC_FAULTS }, races[] = { DT_C_RACES };
	static const int holes[] = { DT_C_HOLE_LOADS }, wb[] = { DT_C_WRITEBACKS };
	struct dev_sum d[MAX_DEVS] = { { 0 } };
	size_t n = sum_devices(s, d), top = ctx->cfg->prometheus_top;

	dev_metric(f, d, n, "daxtrace_faults_total", "DAX fault attempts (dax_*_fault_done).",
		   faults, sizes, "size", 2);
	dev_metric(f, d, n, "daxtrace_sync_faults_total", "Faults that needed a metadata sync.",
		   sync, NULL, NULL, 1);
	dev_metric(f, d, n, "daxtrace_upgrades_total", "Sync faults completed by a writable insert.",
		   upgrades, sizes, "size", 2);
	dev_metric(f, d, n, "daxtrace_races_total", "Sync faults that found no entry (split race).",
		   races, NULL, NULL, 1);
	dev_metric(f, d, n, "daxtrace_hole_loads_total", "Zero-page loads for holes.", holes, NULL,
		   NULL, 1);
	dev_metric(f, d, n, "daxtrace_errors_total", "Failed mkwrites, faults and fsyncs.", errors,
		   kinds, "kind", 3);
	dev_metric(f, d, n, "daxtrace_writebacks_total", "DAX entries written back.", wb, NULL, NULL,
		   1);
	help(f, "daxtrace_fallbacks_total", "counter", "PMD faults that fell back to PTEs, by reason.");
	for (size_t i = 0; i < n; i++) {
		char dev[16];

		dt_format_dev(d[i].dev, dev, sizeof(dev));
		for (int r = 0; r < DT_FB_NR; r++)
			fprintf(f, "daxtrace_fallbacks_total{dev=\"%s\",reason=\"%s\"} %llu\n", dev,
				dt_fallback_names[r], (unsigned long long)d[i].fb[r]);
	}
	help(f, "daxtrace_latency_seconds", "histogram", "Latency of each stage, host-wide.");
	for (int h = 0; h < DT_H_NR; h++) {
		unsigned long long cum = 0;

		for (int i = 0; i < DT_MAX_SLOTS - 1; i++) {
			uint64_t lo, hi;

			cum += s->hists[h].slots[i];
			dt_slot_range_ns(i, ctx->cfg->unit, &lo, &hi);
			fprintf(f, "daxtrace_latency_seconds_bucket{stage=\"%s\",le=\"%.9g\"} %llu\n",
				dt_hist_names[h], (hi + 1) / 1e9, cum);
		}
		cum += s->hists[h].slots[DT_MAX_SLOTS - 1];
		fprintf(f, "daxtrace_latency_seconds_bucket{stage=\"%s\",le=\"+Inf\"} %llu\n",
			dt_hist_names[h], cum);
		fprintf(f, "daxtrace_latency_seconds_sum{stage=\"%s\"} %.9f\n", dt_hist_names[h],
			s->hist_sum_ns[h] / 1e9);
		fprintf(f, "daxtrace_latency_seconds_count{stage=\"%s\"} %llu\n", dt_hist_names[h], cum);
	}
	help(f, "daxtrace_dropped_total", "counter",
	     "What daxtrace could not record (map full, ring buffer full, ...).");
	for (int i = 0; i < DT_D_NR; i++)
		fprintf(f, "daxtrace_dropped_total{reason=\"%s\"} %llu\n", dt_diag_names[i],
			(unsigned long long)s->diag[i]);
	help(f, "daxtrace_inode_faults_total", "counter",
	     "DAX fault attempts of the busiest inodes (top N only).");
	dt_snapshot_sort(s);
	for (size_t i = 0; i < s->n_inodes && i < top; i++) {
		struct dt_inode_rec *r = &s->inodes[i];
		char dev[16], path[DT_PATH_MAX];

		dt_paths_resolve(r, path, sizeof(path));
		dt_format_dev(r->key.dev, dev, sizeof(dev));
		for (int z = 0; z < 2; z++) {
			fprintf(f, "daxtrace_inode_faults_total{dev=\"%s\",ino=\"%llu\",size=\"%s\",path=",
				dev, (unsigned long long)r->key.ino, sizes[z]);
			label(f, path);
			fprintf(f, "} %llu\n", (unsigned long long)r->val.counters[faults[z]]);
		}
	}
	help(f, "daxtrace_last_update_timestamp_seconds", "gauge", "When this file was written.");
	fprintf(f, "daxtrace_last_update_timestamp_seconds %.3f\n", ctx->wall_ns / 1e9);
}

int dt_report_prometheus(const char *path, const struct dt_report_ctx *ctx, struct dt_snapshot *s)
{
	char tmp[4096];
	FILE *f;
	int err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	write_metrics(f, ctx, s);
	if (fflush(f) || ferror(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
