// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include "advice.h"
#include "hist.h"
#include "names.h"
#include "paths.h"
#include "report.h"
#include "untrusted.h"

/* The text placement of each counter (include/dt_tables.h): a column header and width, or
 * header NULL for a counter on the detail line only. */
#define DT_COLUMN(header, width) { header, width }
#define DT_DETAIL { NULL, 0 }
#define PLACE(id, key, text, ...) [DT_C_##id] = text,
static const struct placement {
	const char *header;
	int width;
} place[DT_C_NR] = { DT_COUNTERS(PLACE) };

/* The first counter of the column of counter i (itself if the column is its own). */
static int column_of(int i)
{
	for (int j = 0; j < i; j++)
		if (place[j].header && !strcmp(place[j].header, place[i].header))
			return j;
	return i;
}

/* Whether counter i is in a column that shows a sum: it then gets a detail too. */
static bool shares_column(int i)
{
	for (int j = 0; j < DT_C_NR; j++)
		if (j != i && place[j].header && !strcmp(place[j].header, place[i].header))
			return true;
	return false;
}

/* To out, or measured only when out is NULL. */
__attribute__((format(printf, 2, 3))) static int put(FILE *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = out ? vfprintf(out, fmt, ap) : vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	return n;
}

/* One row of the table: DEV, INODE and a column per header of the counter table, as wide as
 * the header while the numbers fit their columns. Returns its length; with out NULL it only
 * measures. */
static int columns(FILE *out, const __u64 *c)
{
	int n = 0;

	for (int i = 0; i < DT_C_NR; i++) {
		unsigned long long sum = 0;

		if (!place[i].header || column_of(i) != i)
			continue;
		for (int j = i; j < DT_C_NR; j++)
			if (place[j].header && column_of(j) == i)
				sum += c[j];
		n += put(out, " %*llu", place[i].width, sum);
	}
	put(out, "\n");
	return n;
}

static int row(FILE *out, const char *dev, const char *ino, const __u64 *c)
{
	int n = put(out, "%-8s %8s", dev, ino);

	return n + columns(out, c);
}

/* A labelled detail line ("  counters: name=value ...") of the non-zero values, wrapped at
 * the width with continuation lines indented under the label. */
struct details {
	FILE *out;
	const char *label;
	int col, width;
	bool any;
};

/* One item (with its leading space) of a detail line, wrapped at the width. */
static void detail_item(struct details *d, const char *buf)
{
	int n = (int)strlen(buf);

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

static void detail(struct details *d, const char *name, unsigned long long v)
{
	char buf[80];

	if (!v)
		return;
	snprintf(buf, sizeof(buf), " %s=%llu", name, v);
	detail_item(d, buf);
}

static void details_end(struct details *d)
{
	if (d->any)
		fputc('\n', d->out);
}

/* Offset rows shown on a "fallbacks at:" or "races at:" line; the JSON lists more. */
#define OFFSETS_TEXT 4

/* "  fallbacks at: 4 MiB extent_short, 10 MiB eof x2 (+3 more)": the lowest blocks of one kind
 * (offsets are 2 MiB-aligned, so MiB are exact), then how many events of the kind are not
 * shown (higher blocks, or not recorded when the offset map was full). */
static void offset_line(FILE *out, const struct dt_snapshot *s, const struct dt_inode_rec *r,
			int kind, const char *label, uint64_t events, int width)
{
	struct details d = { out, label, 0, width, false };
	size_t n;
	const struct dt_offset_rec *o = dt_snapshot_offsets(s, &r->key, kind, &n);
	uint64_t listed = 0;
	char buf[96];

	for (size_t i = 0; i < n && i < OFFSETS_TEXT; i++) {
		int len = snprintf(buf, sizeof(buf), " %llu MiB", (unsigned long long)(o[i].key.offset >> 20));

		if (kind == DT_OFF_FALLBACK)
			len += snprintf(buf + len, sizeof(buf) - len, " %s", o[i].key.reason < DT_FB_NR ?
					dt_fallback_names[o[i].key.reason] : "?");
		if (o[i].count > 1)
			len += snprintf(buf + len, sizeof(buf) - len, " x%llu", (unsigned long long)o[i].count);
		if (i + 1 < n && i + 1 < OFFSETS_TEXT)
			snprintf(buf + len, sizeof(buf) - len, ",");
		detail_item(&d, buf);
		listed += o[i].count;
	}
	if (events > listed) {
		snprintf(buf, sizeof(buf), " (+%llu more)", (unsigned long long)(events - listed));
		detail_item(&d, buf);
	}
	details_end(&d);
}

/* Counters the table has no column for (all of them without the table), then the fallback
 * reasons, each on its own labelled line: they are different things with similar names. */
static void details(FILE *out, const __u64 *c, const __u64 *fb, int width)
{
	bool table = width > 0;
	struct details d = { out, "counters", 0, table ? width : -width, false };

	if (!table) /* no table (narrow layout): every counter is a detail */
		for (int i = 0; i < DT_C_NR; i++)
			detail(&d, dt_counter_names[i], c[i]);
	else { /* those without a column, then the parts of a column that shows a sum */
		for (int i = 0; i < DT_C_NR; i++)
			if (!place[i].header)
				detail(&d, dt_counter_names[i], c[i]);
		for (int i = 0; i < DT_C_NR; i++)
			if (place[i].header && shares_column(i))
				detail(&d, dt_counter_names[i], c[i]);
	}
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

/* The header line; returns its length, the table's width (with out NULL it only measures). */
static int header_columns(FILE *out, int n)
{
	for (int i = 0; i < DT_C_NR; i++)
		if (place[i].header && column_of(i) == i)
			n += put(out, " %*s", place[i].width, place[i].header);
	put(out, "\n");
	return n;
}

static int header(FILE *out)
{
	return header_columns(out, put(out, "%-8s %8s", "DEV", "INODE"));
}

/* The table (75 columns with the counters of today) is used when the terminal is as wide as
 * its header and every row fits; otherwise every counter goes on wrapped detail lines. */
static bool table_fits(const struct dt_snapshot *s, size_t shown, int width)
{
	bool fits = header(NULL) <= width;

	for (size_t i = 0; fits && i <= shown; i++) {
		const __u64 *c = i < shown ? s->inodes[i].val.counters : s->totals;
		char ino[24];

		snprintf(ino, sizeof(ino), "%llu", i < shown ? (unsigned long long)s->inodes[i].key.ino : 0ULL);
		fits = row(NULL, "0000:000", ino, c) <= width;
	}
	return fits;
}

/* One stage's histogram with its title and percentiles; nothing when h is NULL or empty. */
static void hist_block(FILE *out, int stage, const struct dt_hist_slots *h, enum dt_unit unit,
		       int width)
{
	uint64_t n = h ? dt_hist_count(h) : 0;

	if (!n)
		return;
	fprintf(out, "\n%s latency, %" PRIu64 " samples:\n", dt_hist_names[stage], n);
	dt_hist_print(out, h, unit, width);
	dt_hist_print_percentiles(out, h, unit, width);
}

/* --hist-by process: PID, COMM (escaped, cut to 16 bytes) and the counter columns. */
#define COMM_COLS 16

static void proc_names(const struct dt_proc_rec *p, char *pid, size_t pidlen, char *comm,
		       size_t commlen)
{
	snprintf(pid, pidlen, "%u", p->pid);
	dt_untrusted_text(comm, commlen < COMM_COLS + 1 ? commlen : COMM_COLS + 1, p->comm,
			  sizeof(p->comm));
}

/* The process table (as wide as the inode table allows, else every counter on detail lines),
 * then one histogram block per process: at most cfg->top of each, busiest first. */
static void proc_report(FILE *out, const struct dt_report_ctx *ctx, const struct dt_snapshot *s,
			int width)
{
	size_t shown = s->n_pids < ctx->cfg->top ? s->n_pids : ctx->cfg->top;
	char pid[16], comm[COMM_COLS + 1];
	bool table = header_columns(NULL, put(NULL, "%-8s %-*s", "PID", COMM_COLS, "COMM")) <= width;

	for (size_t i = 0; table && i < shown; i++) {
		proc_names(&s->pids[i], pid, sizeof(pid), comm, sizeof(comm));
		table = put(NULL, "%-8s %-*s", pid, COMM_COLS, comm) +
			columns(NULL, s->pids[i].c.counters) <= width;
	}
	fputc('\n', out);
	if (table)
		header_columns(out, put(out, "%-8s %-*s", "PID", COMM_COLS, "COMM"));
	for (size_t i = 0; i < shown; i++) {
		const struct dt_proc_rec *p = &s->pids[i];

		proc_names(p, pid, sizeof(pid), comm, sizeof(comm));
		if (table) {
			put(out, "%-8s %-*s", pid, COMM_COLS, comm);
			columns(out, p->c.counters);
		} else {
			fprintf(out, "%-8s %s\n", pid, comm);
		}
		details(out, p->c.counters, p->c.fallbacks, table ? width : -width);
	}
	if (s->n_pids > shown)
		fprintf(out, "(%zu more processes: see -n, --json)\n",
			s->n_pids - shown);
	for (size_t i = 0; i < shown; i++) {
		proc_names(&s->pids[i], pid, sizeof(pid), comm, sizeof(comm));
		fprintf(out, "\n== process %s %s ==\n", pid, comm);
		for (int h = 0; h < DT_H_NR; h++)
			hist_block(out, h, dt_snapshot_pid_hist(s, i, h), ctx->cfg->unit, width);
	}
}

/* --hist-by file: one histogram block per inode of the table, in its order. */
static void file_hists(FILE *out, const struct dt_report_ctx *ctx, struct dt_snapshot *s,
		       size_t shown, int width)
{
	for (size_t i = 0; i < shown; i++) {
		struct dt_inode_rec *r = &s->inodes[i];
		char dev[16], head[64], path[DT_PATH_MAX], esc[DT_UNTRUSTED_TEXT_SIZE(DT_PATH_MAX)];
		const char *p = path;
		int room;

		if (dt_paths_resolve(r, path, sizeof(path)) & DT_PATH_DELETED)
			strncat(path, DT_DELETED_SUFFIX, sizeof(path) - strlen(path) - 1);
		if (!path[0])
			p = "(name not seen yet)";
		dt_format_dev(r->key.dev, dev, sizeof(dev));
		/* the path escaped and cut from the left to fit, as on the table's name line */
		room = width - snprintf(head, sizeof(head), "== %s ino %" PRIu64 " ", dev,
					(uint64_t)r->key.ino) - 3;
		dt_untrusted_text_tail(esc, sizeof(esc), p, strlen(p), (size_t)(room > 8 ? room : 8));
		fprintf(out, "\n%s%s ==\n", head, esc);
		for (int h = 0; h < DT_H_NR; h++)
			hist_block(out, h, dt_snapshot_inode_hist(s, i, h), ctx->cfg->unit, width);
	}
}

/* --hist-by device: each device's counters (detail lines) and histograms, busiest first. */
static void dev_report(FILE *out, const struct dt_report_ctx *ctx, const struct dt_snapshot *s,
		       int width)
{
	struct dt_dev_rec devs[DT_MAX_DEVS], other;
	size_t n = dt_snapshot_devices(s, devs, ctx->cfg->top < DT_MAX_DEVS ? ctx->cfg->top :
					DT_MAX_DEVS, &other);

	for (size_t i = 0; i < n; i++) {
		char dev[16];

		dt_format_dev(devs[i].dev, dev, sizeof(dev));
		fprintf(out, "\n== device %s ==\n", dev);
		details(out, devs[i].c.counters, devs[i].c.fallbacks, -width);
		for (int h = 0; h < DT_H_NR; h++)
			hist_block(out, h, dt_snapshot_dev_hist(s, devs[i].dev, h), ctx->cfg->unit,
				   width);
	}
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
		offset_line(out, s, r, DT_OFF_FALLBACK, "fallbacks at", r->val.counters[DT_C_FALLBACKS],
			    width);
		offset_line(out, s, r, DT_OFF_RACE, "races at", r->val.counters[DT_C_RACES], width);
	}
	if (s->n_inodes > shown)
		fprintf(out, "(%zu more inodes: see -n, --json)\n",
			s->n_inodes - shown);
	if (table)
		row(out, "TOTAL", "", s->totals);
	else
		fprintf(out, "TOTAL\n");
	details(out, s->totals, s->fallback_totals, dwidth);

	/* --hist-by: the histograms per key instead of host-wide (the JSON has both) */
	if (s->hist_by == DT_HB_FILE)
		file_hists(out, ctx, s, shown, width);
	else if (s->hist_by == DT_HB_PROCESS)
		proc_report(out, ctx, s, width);
	else if (s->hist_by == DT_HB_DEVICE)
		dev_report(out, ctx, s, width);
	else
		for (int h = 0; h < DT_H_NR; h++)
			hist_block(out, h, &s->hists[h], cfg->unit, width);
	if (ctx->final)
		dt_report_advice(out, s, width);
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
#define ADVICE(id, name, warning) [DT_D_##id] = warning,
	static const char *const advice[DT_D_NR] = { DT_DIAGS(ADVICE) };

	for (int i = 0; i < DT_D_NR; i++)
		if (s->diag[i])
			fprintf(out, "daxtrace: warning: %llu %s\n", s->diag[i], advice[i]);
}
