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
#include "untrusted.h"

/* Per-device series: the busiest MAX_DEVS devices, the rest summed as dev="other". */
#define MAX_DEVS 64

/* A label value from an untrusted string: valid UTF-8, no control characters, bounded. */
static void label(FILE *f, const char *s)
{
	char v[DT_UNTRUSTED_PROM_MAX + 1];

	dt_untrusted_prom(v, sizeof(v), s, strlen(s));
	fprintf(f, "\"%s\"", v);
}

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* The dev label of series i of n: the device, or "other" for the last one. */
static void dev_label(const struct dt_dev_rec *d, size_t i, size_t n, char *buf, size_t len)
{
	if (i + 1 == n && !d[i].dev)
		snprintf(buf, len, "other");
	else
		dt_format_dev(d[i].dev, buf, len);
}

/* The series of each counter (include/dt_tables.h): metric NULL for none. */
#define DT_PROM(metric, label, value, help) { metric, label, value, help }
#define DT_PROM_NONE { NULL, NULL, NULL, NULL }
#define SERIES(id, key, text, prom, ...) [DT_C_##id] = prom,
static const struct series {
	const char *metric, *label, *value, *help;
} series[DT_C_NR] = { DT_COUNTERS(SERIES) };

static bool same_metric(int i, int j)
{
	return series[i].metric && series[j].metric && !strcmp(series[i].metric, series[j].metric);
}

/* Each counter metric, per device: the counters that share its name in table order, told
 * apart by their label; a metric comes where its first counter is in the table. */
static void counter_metrics(FILE *f, const struct dt_dev_rec *d, size_t n)
{
	for (int m = 0; m < DT_C_NR; m++) {
		bool first = series[m].metric != NULL;

		for (int j = 0; j < m && first; j++)
			first = !same_metric(j, m);
		if (!first)
			continue;
		help(f, series[m].metric, "counter", series[m].help);
		for (size_t i = 0; i < n; i++) {
			char dev[16];

			dev_label(d, i, n, dev, sizeof(dev));
			for (int c = m; c < DT_C_NR; c++) {
				if (!same_metric(m, c))
					continue;
				fprintf(f, "%s{dev=\"%s\"", series[c].metric, dev);
				if (series[c].label)
					fprintf(f, ",%s=\"%s\"", series[c].label, series[c].value);
				fprintf(f, "} %llu\n", (unsigned long long)d[i].c.counters[c]);
			}
		}
	}
}

static bool any_count(const struct dt_dev_rec *d)
{
	for (int i = 0; i < DT_C_NR; i++)
		if (d->c.counters[i])
			return true;
	return false;
}

/* Exact decimal seconds of an integer number of ns, without exponent or trailing zeros
 * (1073741824 -> "1.073741824", 2000 -> "0.000002"): %g of a double rounds the first to
 * 1.07374182, and bucket bounds must match exactly from one scrape to the next. */
static const char *seconds(char *buf, size_t len, uint64_t ns)
{
	int n = snprintf(buf, len, "%llu.%09llu", (unsigned long long)(ns / 1000000000ULL),
			 (unsigned long long)(ns % 1000000000ULL));

	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = 0;
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = 0;
	return buf;
}

/* The latency stages nest (docs/EVENTS.md, "Histograms"), so each is a metric of its own,
 * daxtrace_<dt_hist_names[h]>_latency_seconds, whose HELP says what it contains: one metric
 * with a stage label would invite a sum over stages that counts time twice. `needs`: the hook
 * groups of include/dt_tables.h DT_HISTS. */
#define DT_NEEDS(...) { __VA_ARGS__ }
#define STAGE(id, name, help, needs) [DT_H_##id] = { help, needs },
static const struct stage {
	const char *help;
	const char *needs[DT_NEEDS_MAX];
} stages[DT_H_NR] = { DT_HISTS(STAGE) };

static bool attached(const struct dt_hooks *hooks, const char *name, size_t len)
{
	for (int i = 0; hooks && i < hooks->n; i++)
		if (strlen(hooks->h[i].name) == len && !strncmp(hooks->h[i].name, name, len))
			return hooks->h[i].mode != DT_ATTACH_NONE;
	return false;
}

/* Whether every hook group of the stage has an attached member. */
static bool measured(const struct dt_hooks *hooks, int h)
{
	for (int k = 0; k < DT_NEEDS_MAX && stages[h].needs[k]; k++) {
		const char *p = stages[h].needs[k];
		bool any = false;

		while (*p && !any) {
			size_t n = strcspn(p, "|");

			any = attached(hooks, p, n);
			p += n + (p[n] == '|');
		}
		if (!any)
			return false;
	}
	return true;
}

static void latency_histograms(FILE *f, const struct dt_report_ctx *ctx,
			       const struct dt_snapshot *s)
{
	for (int h = 0; h < DT_H_NR; h++) {
		unsigned long long cum = 0;
		char name[64], le[32];

		snprintf(name, sizeof(name), "daxtrace_%s_latency_seconds", dt_hist_names[h]);
		help(f, name, "histogram", stages[h].help);
		for (int i = 0; i < DT_MAX_SLOTS - 1; i++) {
			uint64_t lo, hi;

			cum += s->hists[h].slots[i];
			dt_slot_range_ns(i, ctx->cfg->unit, &lo, &hi);
			fprintf(f, "%s_bucket{le=\"%s\"} %llu\n", name, seconds(le, sizeof(le), hi + 1),
				cum);
		}
		cum += s->hists[h].slots[DT_MAX_SLOTS - 1];
		fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
		fprintf(f, "%s_sum %s\n", name, seconds(le, sizeof(le), s->hist_sum_ns[h]));
		fprintf(f, "%s_count %llu\n", name, cum);
	}
	help(f, "daxtrace_stage_measured", "gauge",
	     "1 if the hooks that time this latency stage are attached, 0 if the stage cannot get "
	     "samples here (a silent stage, not an idle one).");
	for (int h = 0; h < DT_H_NR; h++)
		fprintf(f, "daxtrace_stage_measured{stage=\"%s\"} %d\n", dt_hist_names[h],
			measured(ctx->hooks, h));
}

/* Every hook and how it is attached, "unavailable" for the ones that are not. */
static void hook_info(FILE *f, const struct dt_hooks *hooks)
{
	help(f, "daxtrace_hook_info", "gauge", "The kernel hooks of daxtrace and their attach mode.");
	for (int i = 0; hooks && i < hooks->n; i++) {
		fputs("daxtrace_hook_info{hook=", f);
		label(f, hooks->h[i].name);
		fprintf(f, ",mode=\"%s\"} 1\n", dt_attach_mode_name(hooks->h[i].mode));
	}
}

static void write_metrics(FILE *f, const struct dt_report_ctx *ctx, struct dt_snapshot *s)
{
	struct dt_dev_rec d[MAX_DEVS + 1];
	size_t n = dt_snapshot_devices(s, d, MAX_DEVS, &d[MAX_DEVS]), top = ctx->cfg->prometheus_top;

	if (any_count(&d[MAX_DEVS])) /* devices past MAX_DEVS, or past the BPF device table */
		d[n++] = d[MAX_DEVS];

	counter_metrics(f, d, n);
	help(f, "daxtrace_fallbacks_total", "counter", "PMD faults that fell back to PTEs, by reason.");
	for (size_t i = 0; i < n; i++) {
		char dev[16];

		dev_label(d, i, n, dev, sizeof(dev));
		for (int r = 0; r < DT_FB_NR; r++)
			fprintf(f, "daxtrace_fallbacks_total{dev=\"%s\",reason=\"%s\"} %llu\n", dev,
				dt_fallback_names[r], (unsigned long long)d[i].c.fallbacks[r]);
	}
	latency_histograms(f, ctx, s);
	hook_info(f, ctx->hooks);
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
		for (int c = 0; c < DT_C_NR; c++) { /* the series of daxtrace_faults_total */
			if (!same_metric(c, DT_C_PTE_FAULTS))
				continue;
			fprintf(f, "daxtrace_inode_faults_total{dev=\"%s\",ino=\"%llu\",%s=\"%s\",path=",
				dev, (unsigned long long)r->key.ino, series[c].label, series[c].value);
			label(f, path);
			fprintf(f, "} %llu\n", (unsigned long long)r->val.counters[c]);
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
