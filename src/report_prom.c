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

/* One per-device counter, optionally split by a second label. */
static void dev_metric(FILE *f, const struct dt_dev_rec *d, size_t n, const char *name,
		       const char *text, const int *counters, const char *const *values,
		       const char *key, int nvalues)
{
	help(f, name, "counter", text);
	for (size_t i = 0; i < n; i++) {
		char dev[16];

		dev_label(d, i, n, dev, sizeof(dev));
		for (int v = 0; v < nvalues; v++) {
			fprintf(f, "%s{dev=\"%s\"", name, dev);
			if (key)
				fprintf(f, ",%s=\"%s\"", key, values[v]);
			fprintf(f, "} %llu\n", (unsigned long long)d[i].c.counters[counters[v]]);
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
 * with a stage label would invite a sum over stages that counts time twice. `needs` are the
 * hooks without which the stage gets no samples (bpf/seq.bpf.h): every entry must have one of
 * its '|'-separated hooks attached. The fsync ends at the vfs_fsync_range return or at
 * ext4_sync_file_exit (which sees ext4 only: attached, it marks fsync measured even where the
 * DAX filesystem is xfs); the dax_finish_sync_fault exit times only fsyncs that failed. */
#define STAGE_NEEDS 3
static const struct stage {
	const char *help;
	const char *needs[STAGE_NEEDS];
} stages[DT_H_NR] = {
	[DT_H_PTE_FAULT] = { "Latency of a PTE fault attempt, dax_pte_fault to _done, any result; the "
			     "attempts of sync faults nest inside daxtrace_sync_fault_latency_seconds.",
			     { "dax_pte_fault", "dax_pte_fault_done" } },
	[DT_H_PMD_FAULT] = { "Latency of a PMD fault attempt, dax_pmd_fault to _done, any result; the "
			     "attempts of sync faults nest inside daxtrace_sync_fault_latency_seconds.",
			     { "dax_pmd_fault", "dax_pmd_fault_done" } },
	[DT_H_SYNC_FAULT] = { "Latency of whole sync faults, first attempt to writable insert; contains "
			      "the pte_fault, pmd_fault, fsync, mkwrite and insert stages.",
			      { "dax_pte_fault|dax_pmd_fault", "dax_pte_fault_done|dax_pmd_fault_done",
				"dax_insert_pfn_mkwrite|dax_insert_pfn_mkwrite_no_entry" } },
	[DT_H_FSYNC] = { "Latency of the metadata fsync of a sync fault; nests inside "
			 "daxtrace_sync_fault_latency_seconds, contains that fsync's writeback_range.",
			 { "vfs_fsync_range|ext4_sync_file_exit" } },
	[DT_H_MKWRITE] = { "Latency from fsync end to the writable insert tracepoint of a sync fault; "
			   "nests inside daxtrace_sync_fault_latency_seconds, contains the insert stage.",
			   { "vfs_fsync_range|ext4_sync_file_exit",
			     "dax_insert_pfn_mkwrite|dax_insert_pfn_mkwrite_no_entry" } },
	[DT_H_INSERT] = { "Latency of the writable PTE/PMD insert call of a sync fault; nests inside "
			  "daxtrace_mkwrite_latency_seconds and daxtrace_sync_fault_latency_seconds.",
			  { "insert_pfn|vmf_insert_pfn_pmd_prot|vmf_insert_pfn_pmd|"
			    "vmf_insert_page_mkwrite|vmf_insert_folio_pmd" } },
	[DT_H_WRITEBACK] = { "Latency of dax_writeback_range to _done; those of a sync fault's fsync "
			     "nest inside daxtrace_fsync_latency_seconds.",
			     { "dax_writeback_range", "dax_writeback_range_done" } },
};

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
	for (int k = 0; k < STAGE_NEEDS && stages[h].needs[k]; k++) {
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
	static const char *const sizes[] = { "pte", "pmd" };
	static const char *const kinds[] = { "mkwrite", "fault", "fsync" };
	static const int faults[] = { DT_C_PTE_FAULTS, DT_C_PMD_FAULTS };
	static const int upgrades[] = { DT_C_PTE_UPGRADES, DT_C_PMD_UPGRADES };
	static const int errors[] = { DT_C_MKWRITE_ERRORS, DT_C_FAULT_ERRORS, DT_C_FSYNC_FAILURES };
	static const int sync[] = { DT_C_SYNC_FAULTS }, races[] = { DT_C_RACES };
	static const int holes[] = { DT_C_HOLE_LOADS }, wb[] = { DT_C_WRITEBACKS };
	struct dt_dev_rec d[MAX_DEVS + 1];
	size_t n = dt_snapshot_devices(s, d, MAX_DEVS, &d[MAX_DEVS]), top = ctx->cfg->prometheus_top;

	if (any_count(&d[MAX_DEVS])) /* devices past MAX_DEVS, or past the BPF device table */
		d[n++] = d[MAX_DEVS];

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
