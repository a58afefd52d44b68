// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include "hist.h"
#include "names.h"
#include "paths.h"
#include "report.h"
#include "untrusted.h"

static unsigned long long errors(const __u64 *c)
{
	return c[DT_C_MKWRITE_ERRORS] + c[DT_C_FAULT_ERRORS] + c[DT_C_FSYNC_FAILURES];
}

/* One row of the table: 10 columns, 75 characters while the numbers fit their columns.
 * Returns its length. */
static int row(FILE *out, const char *dev, const char *ino, const __u64 *c)
{
	return fprintf(out, "%-8s %8s %7llu %6llu %6llu %7llu %7llu %5llu %6llu %6llu\n", dev, ino,
		       c[DT_C_PTE_FAULTS], c[DT_C_PMD_FAULTS], c[DT_C_SYNC_FAULTS],
		       c[DT_C_PTE_UPGRADES], c[DT_C_PMD_UPGRADES], c[DT_C_RACES], c[DT_C_FALLBACKS],
		       errors(c)) - 1;
}

/* A labelled detail line ("  counters: name=value ...") of the non-zero values, wrapped at
 * the width with continuation lines indented under the label. */
struct details {
	FILE *out;
	const char *label;
	int col, width;
	bool any;
};

static void detail(struct details *d, const char *name, unsigned long long v)
{
	char buf[80];
	int n;

	if (!v)
		return;
	n = snprintf(buf, sizeof(buf), " %s=%llu", name, v);
	if (!d->any)
		d->col = fprintf(d->out, "  %s:", d->label);
	if (d->col + n > d->width) {
		fputs("\n   ", d->out);
		d->col = 3;
	}
	fputs(buf, d->out);
	d->col += n;
	d->any = true;
}

static void details_end(struct details *d)
{
	if (d->any)
		fputc('\n', d->out);
}

/* The table is 75 columns wide; below that every counter goes on wrapped detail lines. */
#define TABLE_WIDTH 75

/* Counters the table has no column for (all of them without the table), then the fallback
 * reasons, each on its own labelled line: they are different things with similar names. */
static void details(FILE *out, const __u64 *c, const __u64 *fb, int width)
{
	static const int extra[] = { DT_C_HOLE_LOADS, DT_C_WRITEBACKS, DT_C_MKWRITE_ERRORS,
				     DT_C_FAULT_ERRORS, DT_C_FSYNC_FAILURES };
	bool table = width > 0;
	struct details d = { out, "counters", 0, table ? width : -width, false };

	if (!table) /* no table (narrow layout): every counter is a detail */
		for (int i = 0; i < DT_C_NR; i++)
			detail(&d, dt_counter_names[i], c[i]);
	else
		for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
			detail(&d, dt_counter_names[extra[i]], c[extra[i]]);
	details_end(&d);
	d = (struct details){ out, "fallback reasons", 0, d.width, false };
	for (int r = 0; r < DT_FB_NR; r++)
		detail(&d, dt_fallback_names[r], fb[r]);
	details_end(&d);
}

/* The path, left-truncated to fit, then the top process; both escaped (src/untrusted.h) so
 * that a name cannot move the cursor or break the row, and cut only between whole units. */
static void name_line(FILE *out, const struct dt_inode_rec *r, const char *path, int width)
{
	char comm[DT_UNTRUSTED_TEXT_SIZE(DT_TASK_COMM_LEN)], pid[16];
	char who[sizeof(comm) + sizeof(pid) + 2] = "", shown[DT_UNTRUSTED_TEXT_SIZE(DT_PATH_MAX)];
	const char *p = path[0] ? path : "(name not seen yet)";
	int room;

	if (r->comm[0]) {
		/* escaped, a comm can take 60 columns: cut it so that 8 of path still fit; at the
		 * 40-column minimum that leaves 16 or more, so only an escaped comm is ever cut */
		size_t fit = (size_t)width - 12 - (size_t)snprintf(pid, sizeof(pid), "[%u]", r->pid);

		dt_untrusted_text(comm, fit < sizeof(comm) ? fit + 1 : sizeof(comm), r->comm,
				  sizeof(r->comm));
		snprintf(who, sizeof(who), "  %s%s", comm, pid);
	}
	room = width - 2 - (int)strlen(who);
	if (room < 8)
		room = 8;
	dt_untrusted_text_tail(shown, sizeof(shown), p, strlen(p), (size_t)room);
	fprintf(out, "  %s%s\n", shown, who);
}

static void header(FILE *out)
{
	fprintf(out, "%-8s %8s %7s %6s %6s %7s %7s %5s %6s %6s\n", "DEV", "INODE", "PTE", "PMD",
		"SYNC", "UPG-PTE", "UPG-PMD", "RACE", "FALLBK", "ERRORS");
}

/* The table is used when the terminal is wide enough and every row fits it. */
static bool table_fits(const struct dt_snapshot *s, size_t shown, int width)
{
	FILE *null = fopen("/dev/null", "w");
	bool fits = width >= TABLE_WIDTH;

	for (size_t i = 0; null && fits && i <= shown; i++) {
		const __u64 *c = i < shown ? s->inodes[i].val.counters : s->totals;
		char ino[24];

		snprintf(ino, sizeof(ino), "%llu", i < shown ? (unsigned long long)s->inodes[i].key.ino : 0ULL);
		fits = row(null, "0000:000", ino, c) <= width;
	}
	if (null)
		fclose(null);
	return fits;
}

void dt_report_text(FILE *out, const struct dt_report_ctx *ctx, struct dt_snapshot *s)
{
	const struct dt_config *cfg = ctx->cfg;
	int width = ctx->width >= 40 ? ctx->width : 80;
	size_t shown = s->n_inodes < cfg->top ? s->n_inodes : cfg->top;
	bool table = table_fits(s, shown, width);
	/* details() takes the width negated for the narrow layout */
	int dwidth = table ? width : -width;

	if (cfg->timestamps) {
		time_t t = (time_t)(ctx->wall_ns / 1000000000ULL);
		struct tm tm;
		char ts[32];

		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
		fprintf(out, "%s\n", ts);
	}
	/* two decimals for what would round to 0.x s, one from 1.0 s up */
	if (dt_report_partial(ctx, s))
		fprintf(out, "(final report: partial interval, %.*f s of %u s)\n",
			s->interval_ns < 950000000ULL ? 2 : 1, s->interval_ns / 1e9, cfg->interval_s);
	if (table)
		header(out);
	for (size_t i = 0; i < shown; i++) {
		struct dt_inode_rec *r = &s->inodes[i];
		char dev[16], ino[24], path[DT_PATH_MAX];

		if (dt_paths_resolve(r, path, sizeof(path)) & DT_PATH_DELETED)
			strncat(path, DT_DELETED_SUFFIX, sizeof(path) - strlen(path) - 1);
		dt_format_dev(r->key.dev, dev, sizeof(dev));
		snprintf(ino, sizeof(ino), "%" PRIu64, (uint64_t)r->key.ino);
		if (table)
			row(out, dev, ino, r->val.counters);
		else
			fprintf(out, "%s %s\n", dev, ino);
		name_line(out, r, path, width);
		details(out, r->val.counters, r->val.fallbacks, dwidth);
	}
	if (s->n_inodes > shown)
		fprintf(out, "(%zu more inodes; -n to show more, --json for all)\n",
			s->n_inodes - shown);
	if (table)
		row(out, "TOTAL", "", s->totals);
	else
		fprintf(out, "TOTAL\n");
	details(out, s->totals, s->fallback_totals, dwidth);

	for (int h = 0; h < DT_H_NR; h++) {
		uint64_t n = dt_hist_count(&s->hists[h]);

		if (!n)
			continue;
		fprintf(out, "\n%s latency, %" PRIu64 " samples:\n", dt_hist_names[h], n);
		dt_hist_print(out, &s->hists[h], cfg->unit, width);
	}
	if (ctx->stats) {
		unsigned long long runs = 0, ns = 0;

		fprintf(out, "\nBPF cost since start (kernel.bpf_stats):\n%-24s %-30s %10s %8s\n",
			"PROGRAM", "HOOK", "RUNS", "NS/RUN");
		for (size_t i = 0; i < ctx->n_stats; i++) {
			const struct dt_prog_stat *p = &ctx->stats[i];

			runs += p->runs;
			ns += p->run_time_ns;
			if (p->runs)
				fprintf(out, "%-24.24s %-30.30s %10llu %8llu\n", p->program, p->hook,
					(unsigned long long)p->runs,
					(unsigned long long)(p->run_time_ns / p->runs));
		}
		fprintf(out, "%-24s %-30s %10llu %8llu\n", "all", "", runs, runs ? ns / runs : 0);
	}
	fputc('\n', out);
	fflush(out);
}

void dt_report_warnings(FILE *out, const struct dt_snapshot *s)
{
	static const char *const advice[DT_D_NR] = {
		[DT_D_INODE_OVERFLOW] = "events missing from the per-inode table (map full; raise --max-inodes); totals are complete",
		[DT_D_PROC_OVERFLOW] = "faults not attributed to a process (map full; raise --max-procs)",
		[DT_D_INFLIGHT_OVERFLOW] = "faults without latency (their in-flight set was full; raise --max-inflight)",
		[DT_D_LOST_EVENTS] = "events lost by `trace` (ring buffer full; raise --ringbuf-kb)",
		[DT_D_UNMATCHED] = "mkwrite events without their fault (started mid-fault or map full): upgrade size unknown",
		[DT_D_STALE] = "fault sequences abandoned mid-way (a thread's fault never reached its end event: it was attached mid-fault, killed, or an event was skipped): their sync latency is not measured",
		[DT_D_DEV_OVERFLOW] = "events of more devices than the device table holds, with the inode map full: they are in the host totals only",
		[DT_D_TREE_OVERFLOW] = "processes started by COMMAND not traced (process map full; raise --max-inflight)",
		[DT_D_KERNEL_SKIPPED] = "events the kernel did not pass to daxtrace (the same BPF program was already running on that CPU, preempted mid-run): counts and latencies may be short by that many",
	};

	for (int i = 0; i < DT_D_NR; i++)
		if (s->diag[i] && advice[i])
			fprintf(out, "daxtrace: warning: %llu %s\n", s->diag[i], advice[i]);
}
