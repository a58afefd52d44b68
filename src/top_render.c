// SPDX-License-Identifier: GPL-2.0
/* daxtrace top's rows and screen, from a snapshot: no I/O but the FILE it is given. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "names.h"
#include "paths.h"
#include "report.h"
#include "top.h"
#include "untrusted.h"

#define NAME(id, name) name,
static const char *const sort_names[DT_TOP_SORT_NR] = { DT_TOP_SORTS(NAME) };
#undef NAME

int dt_top_sort_parse(const char *s)
{
	for (int i = 0; s && i < DT_TOP_SORT_NR; i++)
		if (!strcmp(s, sort_names[i]))
			return i;
	return -1;
}

const char *dt_top_sort_name(int key)
{
	return key >= 0 && key < DT_TOP_SORT_NR ? sort_names[key] : "?";
}

/* The index of process pid in s->pids (--hist-by process, which top -P turns on), or -1. */
static long pid_index(const struct dt_snapshot *s, uint32_t pid)
{
	for (size_t i = 0; i < s->n_pids; i++)
		if (s->pids[i].pid == pid)
			return (long)i;
	return -1;
}

/* The sync_fault histogram of the row's file (procs false) or process (procs true): top turns
 * on --hist-by file, or process with -P (src/cli.c), whose per-key histograms these are; NULL
 * (P99 shows "-") when the key has none. */
const struct dt_hist_slots *dt_top_sync_hist(const struct dt_snapshot *s,
					     const struct dt_top_row *r, bool procs)
{
	long i;

	if (!procs)
		return r->file ? dt_snapshot_inode_hist(s, (size_t)(r->file - s->inodes),
						      DT_H_SYNC_FAULT) : NULL;
	i = pid_index(s, r->pid);
	return i < 0 ? NULL : dt_snapshot_pid_hist(s, (size_t)i, DT_H_SYNC_FAULT);
}

/* A process's counters, from --hist-by process's per-process table; false when it has no row
 * there (the table is full, or the snapshot is top's summary, which keeps no such table). */
bool dt_top_proc_counts(const struct dt_snapshot *s, uint32_t pid, uint64_t c[DT_C_NR])
{
	long i = pid_index(s, pid);

	if (i < 0)
		return false;
	memcpy(c, s->pids[i].c.counters, sizeof(s->pids[i].c.counters));
	return true;
}

static struct dt_top_row *new_row(struct dt_top_rows *o)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		struct dt_top_row *r = realloc(o->r, cap * sizeof(*r));

		if (!r)
			return NULL;
		o->r = r;
		o->cap = cap;
	}
	memset(&o->r[o->n], 0, sizeof(o->r[0]));
	return &o->r[o->n++];
}

static int cmp_proc_entry(const void *pa, const void *pb)
{
	const struct dt_proc_entry *a = pa, *b = pb;

	if (a->key.tgid != b->key.tgid)
		return a->key.tgid < b->key.tgid ? -1 : 1;
	if (a->key.inode.dev != b->key.inode.dev)
		return a->key.inode.dev < b->key.inode.dev ? -1 : 1;
	if (a->key.inode.ino != b->key.inode.ino)
		return a->key.inode.ino < b->key.inode.ino ? -1 : 1;
	if (a->key.inode.gen != b->key.inode.gen)
		return a->key.inode.gen < b->key.inode.gen ? -1 : 1;
	return 0;
}

/* Per process: its faults summed over its files, the file it faulted most (the first of the
 * lowest (dev, ino) on a tie: the entries are sorted), and its comm. */
static int proc_rows(struct dt_snapshot *s, struct dt_top_rows *o)
{
	qsort(s->procs, s->n_procs, sizeof(s->procs[0]), cmp_proc_entry);
	for (size_t i = 0; i < s->n_procs;) {
		struct dt_top_row *r = new_row(o);
		uint64_t best = 0;
		size_t j;

		if (!r)
			return -1;
		r->pid = s->procs[i].key.tgid;
		for (j = i; j < s->n_procs && s->procs[j].key.tgid == r->pid; j++) {
			const struct dt_proc_entry *e = &s->procs[j];

			r->faults += e->val.faults;
			r->files++;
			if (j == i || e->val.faults > best) {
				best = e->val.faults;
				r->key = e->key.inode;
				memcpy(r->comm, e->val.comm, sizeof(r->comm));
				r->comm[sizeof(r->comm) - 1] = 0;
			}
		}
		r->file = dt_snapshot_find(s, &r->key);
		r->have_counts = dt_top_proc_counts(s, r->pid, r->c);
		r->sync = dt_top_sync_hist(s, r, true);
		i = j;
	}
	return 0;
}

int dt_top_rows_build(struct dt_snapshot *s, bool procs, struct dt_top_rows *o)
{
	o->n = 0;
	if (procs)
		return proc_rows(s, o);
	for (size_t i = 0; i < s->n_inodes; i++) {
		struct dt_inode_rec *f = &s->inodes[i];
		struct dt_top_row *r = new_row(o);

		if (!r)
			return -1;
		r->key = f->key;
		r->file = f;
		r->pid = f->pid;
		memcpy(r->comm, f->comm, sizeof(r->comm));
		r->files = 1;
		r->faults = dt_inode_activity(f);
		r->have_counts = true;
		memcpy(r->c, f->val.counters, sizeof(r->c));
		r->sync = dt_top_sync_hist(s, r, false);
	}
	return 0;
}

void dt_top_rows_free(struct dt_top_rows *rows)
{
	free(rows->r);
	memset(rows, 0, sizeof(*rows));
}

/* The row's value for a sort key, false when it has none. */
static bool sort_value(const struct dt_top_row *r, int key, uint64_t *v)
{
	static const int counter[DT_TOP_SORT_NR] = {
		[DT_TOP_SORT_PTE] = DT_C_PTE_FAULTS, [DT_TOP_SORT_PMD] = DT_C_PMD_FAULTS,
		[DT_TOP_SORT_SYNC] = DT_C_SYNC_FAULTS, [DT_TOP_SORT_FALLBACKS] = DT_C_FALLBACKS,
	};
	int slot;

	switch (key) {
	case DT_TOP_SORT_FAULTS:
		*v = r->faults;
		return true;
	case DT_TOP_SORT_P99:
		slot = r->sync ? dt_hist_percentile(r->sync, 99) : -1;
		*v = (uint64_t)slot;
		return slot >= 0;
	default:
		*v = r->have_counts ? r->c[counter[key]] : 0;
		return r->have_counts;
	}
}

static int sort_key;

static int cmp_row(const void *pa, const void *pb)
{
	const struct dt_top_row *a = pa, *b = pb;
	uint64_t va = 0, vb = 0;
	bool ha = sort_value(a, sort_key, &va), hb = sort_value(b, sort_key, &vb);

#define DESC(x, y) if ((x) != (y)) return (x) > (y) ? -1 : 1
#define ASC(x, y) if ((x) != (y)) return (x) < (y) ? -1 : 1
	DESC(ha, hb);
	DESC(va, vb);
	DESC(a->faults, b->faults);
	ASC(a->pid, b->pid);
	ASC(a->key.dev, b->key.dev);
	ASC(a->key.ino, b->key.ino);
	ASC(a->key.gen, b->key.gen);
#undef DESC
#undef ASC
	return 0;
}

void dt_top_rows_sort(struct dt_top_rows *rows, int key)
{
	sort_key = key;
	if (rows->n > 1)
		qsort(rows->r, rows->n, sizeof(rows->r[0]), cmp_row);
}

int dt_top_accumulate_procs(struct dt_snapshot *to, const struct dt_snapshot *from)
{
	size_t n = to->n_procs + from->n_procs, m = 0;

	if (n > to->cap_procs) {
		struct dt_proc_entry *e = realloc(to->procs, n * sizeof(*e));

		if (!e)
			return -1;
		to->procs = e;
		to->cap_procs = n;
	}
	if (from->n_procs)
		memcpy(to->procs + to->n_procs, from->procs, from->n_procs * sizeof(*from->procs));
	to->n_procs = n;
	if (n > 1)
		qsort(to->procs, n, sizeof(to->procs[0]), cmp_proc_entry);
	for (size_t i = 0; i < n; i++) {
		if (m && !cmp_proc_entry(&to->procs[m - 1], &to->procs[i])) {
			to->procs[m - 1].val.faults += to->procs[i].val.faults;
			memcpy(to->procs[m - 1].val.comm, to->procs[i].val.comm, DT_TASK_COMM_LEN);
		} else {
			to->procs[m++] = to->procs[i];
		}
	}
	to->n_procs = m;
	return 0;
}

/* The columns; a view shows those that fit, dropping the highest drop rank first. */
enum col { COL_PID, COL_COMM, COL_FAULTS, COL_PTE, COL_PMD, COL_SYNC, COL_FALLBK, COL_P99,
	   COL_FILES, COL_PROCESS, COL_NR };

struct col_def {
	const char *header; /* a rate column's header gets "/s" unless a summary */
	int width;          /* including the space before it */
	bool rate;
	bool left;
};

static const struct col_def cols[COL_NR] = {
	[COL_PID] = { "PID", 8, false, false },
	[COL_COMM] = { "COMM", 16, false, true },
	[COL_FAULTS] = { "FAULTS", 9, true, false },
	[COL_PTE] = { "PTE", 8, true, false },
	[COL_PMD] = { "PMD", 8, true, false },
	[COL_SYNC] = { "SYNC", 8, true, false },
	[COL_FALLBK] = { "FALLBK", 9, true, false },
	[COL_P99] = { "P99", 9, false, false },
	[COL_FILES] = { "FILES", 6, false, false },
	[COL_PROCESS] = { "PROCESS", 19, false, true },
};

/* Each view's columns in order, with drop ranks (0: always), then the path. */
struct view_col {
	enum col c;
	int drop;
};
static const struct view_col file_cols[] = {
	{ COL_PTE, 2 }, { COL_PMD, 3 }, { COL_SYNC, 0 }, { COL_FALLBK, 0 }, { COL_P99, 4 },
	{ COL_PROCESS, 5 },
};
static const struct view_col proc_cols[] = {
	{ COL_PID, 0 }, { COL_COMM, 0 }, { COL_FAULTS, 0 }, { COL_PTE, 5 }, { COL_PMD, 6 },
	{ COL_SYNC, 2 }, { COL_FALLBK, 1 }, { COL_P99, 4 }, { COL_FILES, 3 },
};
/* The path gets what is left: columns are dropped until it has PATH_MIN (PATH_MIN_PROC in
 * the process view, where it is the busiest file's; if even the columns that stay leave less
 * than 8 for it, it is not shown). */
#define PATH_MIN 15
#define PATH_MIN_PROC 16

struct layout {
	bool show[COL_NR];
	const struct view_col *vc;
	size_t n;
	int path; /* columns of the path, 0: none */
};

static void lay_out(struct layout *l, const struct dt_top_view *v, int width)
{
	int used = 0, min = (v->procs ? PATH_MIN_PROC : PATH_MIN) + 1;

	l->vc = v->procs ? proc_cols : file_cols;
	l->n = v->procs ? sizeof(proc_cols) / sizeof(proc_cols[0]) : sizeof(file_cols) / sizeof(file_cols[0]);
	memset(l->show, 0, sizeof(l->show));
	for (size_t i = 0; i < l->n; i++) {
		l->show[l->vc[i].c] = true;
		used += cols[l->vc[i].c].width;
	}
	while (used + min > width) {
		size_t worst = l->n;

		for (size_t i = 0; i < l->n; i++)
			if (l->show[l->vc[i].c] && l->vc[i].drop &&
			    (worst == l->n || l->vc[i].drop > l->vc[worst].drop))
				worst = i;
		if (worst == l->n)
			break;
		l->show[l->vc[worst].c] = false;
		used -= cols[l->vc[worst].c].width;
	}
	l->path = width - used - 1;
	if (l->path < (v->procs ? 8 : PATH_MIN))
		l->path = 0;
}

/* A number in at most w characters: exact, else with one decimal, else with k, M, G, T. */
static void fmt_num(char *buf, size_t len, int w, double x, bool decimal)
{
	static const char suffix[] = "kMGTPE";

	if (decimal && snprintf(buf, len, "%.1f", x) <= w)
		return;
	if (snprintf(buf, len, "%.0f", x) <= w)
		return;
	for (int i = 0; suffix[i]; i++) {
		x /= 1000;
		if (snprintf(buf, len, "%.1f%c", x, suffix[i]) <= w ||
		    snprintf(buf, len, "%.0f%c", x, suffix[i]) <= w)
			return;
	}
	snprintf(buf, len, "%.*s", w, "#########");
}

/* A p99 slot as its upper bound: "<512" (below 512 units), ">=LOW" for the open last slot. */
static void fmt_p99(char *buf, size_t len, int w, const struct dt_hist_slots *h)
{
	int slot = h ? dt_hist_percentile(h, 99) : -1;
	uint64_t lo, hi;

	if (slot < 0) {
		snprintf(buf, len, "-");
		return;
	}
	dt_slot_range(slot, &lo, &hi);
	if (hi == UINT64_MAX)
		snprintf(buf, len, ">=%" PRIu64, lo);
	else
		snprintf(buf, len, "<%" PRIu64, hi + 1);
	if ((int)strlen(buf) > w)
		snprintf(buf, len, "%.*s", w, "#########");
}

static const char *unit_short(enum dt_unit u)
{
	return u == DT_UNIT_NS ? "ns" : u == DT_UNIT_MS ? "ms" : "us";
}

/* The header items, wrapped at the width like the summary's detail lines. */
struct items {
	FILE *out;
	int col, width, lines;
};

static void item(struct items *it, const char *s)
{
	int n = (int)strlen(s);

	if (it->col && it->col + 2 + n > it->width) {
		fputc('\n', it->out);
		it->lines++;
		it->col = 0;
	}
	if (it->col) {
		fputs("  ", it->out);
		it->col += 2;
	}
	fputs(s, it->out);
	it->col += n;
}

static int items_end(struct items *it)
{
	if (it->col) {
		fputc('\n', it->out);
		it->lines++;
	}
	return it->lines;
}

/* The header: what the screen is, then the totals of the interval (or run) as counts. Returns
 * its lines. */
static int header(FILE *out, const struct dt_top_view *v, const struct dt_snapshot *s, int width)
{
	struct items it = { out, 0, width, 0 };
	double secs = s->interval_ns / 1e9;
	char buf[96], p99[24];

	if (v->wall_ns) {
		time_t t = (time_t)(v->wall_ns / 1000000000ULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "daxtrace top %H:%M:%S", &tm);
	} else {
		snprintf(buf, sizeof(buf), "daxtrace top");
	}
	item(&it, buf);
	snprintf(buf, sizeof(buf), v->summary ? "summary of %.3f s" : "interval %.3f s", secs);
	item(&it, buf);
	snprintf(buf, sizeof(buf), "%s by %s", v->procs ? "processes" : "files", dt_top_sort_name(v->sort));
	item(&it, buf);
	items_end(&it);
	it.col = 0;
	snprintf(buf, sizeof(buf), "faults %" PRIu64, (uint64_t)(s->totals[DT_C_PTE_FAULTS] +
								s->totals[DT_C_PMD_FAULTS]));
	item(&it, buf);
	snprintf(buf, sizeof(buf), "pte %" PRIu64, (uint64_t)s->totals[DT_C_PTE_FAULTS]);
	item(&it, buf);
	snprintf(buf, sizeof(buf), "pmd %" PRIu64, (uint64_t)s->totals[DT_C_PMD_FAULTS]);
	item(&it, buf);
	snprintf(buf, sizeof(buf), "sync %" PRIu64, (uint64_t)s->totals[DT_C_SYNC_FAULTS]);
	item(&it, buf);
	snprintf(buf, sizeof(buf), "fallbacks %" PRIu64, (uint64_t)s->totals[DT_C_FALLBACKS]);
	item(&it, buf);
	fmt_p99(p99, sizeof(p99), 16, &s->hists[DT_H_SYNC_FAULT]);
	snprintf(buf, sizeof(buf), "sync p99 %s%s", p99, p99[0] == '-' ? "" : unit_short(v->unit));
	item(&it, buf);
	return items_end(&it);
}

/* Lines of text (each ending in \n) wrapped between words at the width, continuation lines
 * indented by two; a word longer than a line is cut. Returns the lines printed. */
static int wrap(FILE *out, const char *text, int width)
{
	int lines = 0;

	while (*text) {
		const char *end = strchr(text, '\n');
		int col = 0;

		if (!end)
			end = text + strlen(text);
		while (text < end) {
			const char *sp = memchr(text, ' ', (size_t)(end - text));
			int n = (int)((sp ? sp : end) - text), room = width - col - (col ? 1 : 0);

			if (col && n > room) {
				fputs("\n  ", out);
				lines++;
				col = 2;
				room = width - col;
			} else if (col) {
				fputc(' ', out);
				col++;
			}
			if (n > room)
				n = room;
			fwrite(text, 1, (size_t)n, out);
			col += n;
			text += n;
			while (text < end && *text == ' ')
				text++;
		}
		fputc('\n', out);
		lines++;
		text = *end ? end + 1 : end;
	}
	return lines;
}

static void cell_header(FILE *out, enum col c, const struct dt_top_view *v)
{
	char h[24];

	if (c == COL_P99)
		snprintf(h, sizeof(h), "P99(%s)", unit_short(v->unit));
	else
		snprintf(h, sizeof(h), "%s%s", cols[c].header, cols[c].rate && !v->summary ? "/s" : "");
	fprintf(out, cols[c].left ? " %-*s" : " %*s", cols[c].width - 1, h);
}

static void cell(FILE *out, enum col c, const struct dt_top_view *v, const struct dt_top_row *r,
		 double secs)
{
	static const int counter[COL_NR] = {
		[COL_PTE] = DT_C_PTE_FAULTS, [COL_PMD] = DT_C_PMD_FAULTS,
		[COL_SYNC] = DT_C_SYNC_FAULTS, [COL_FALLBK] = DT_C_FALLBACKS,
	};
	int w = cols[c].width - 1;
	char buf[DT_UNTRUSTED_TEXT_SIZE(DT_TASK_COMM_LEN) + 16], pid[16];
	uint64_t n;

	switch (c) {
	case COL_PID:
		snprintf(buf, sizeof(buf), "%u", r->pid);
		break;
	case COL_COMM:
		dt_untrusted_text(buf, (size_t)w + 1, r->comm, sizeof(r->comm));
		break;
	case COL_PROCESS:
		if (!r->comm[0]) {
			snprintf(buf, sizeof(buf), "-");
			break;
		}
		snprintf(pid, sizeof(pid), "[%u]", r->pid);
		dt_untrusted_text(buf, (size_t)w - strlen(pid) + 1, r->comm, sizeof(r->comm));
		strcat(buf, pid);
		break;
	case COL_FILES:
		snprintf(buf, sizeof(buf), "%u", r->files);
		break;
	case COL_P99:
		fmt_p99(buf, sizeof(buf), w, r->sync);
		break;
	default:
		if (c != COL_FAULTS && !r->have_counts) {
			snprintf(buf, sizeof(buf), "-");
			break;
		}
		n = c == COL_FAULTS ? r->faults : r->c[counter[c]];
		if (v->summary)
			fmt_num(buf, sizeof(buf), w, (double)n, false);
		else
			fmt_num(buf, sizeof(buf), w, secs > 0 ? n / secs : 0, true);
	}
	fprintf(out, cols[c].left ? " %-*s" : " %*s", w, buf);
}

/* The path as the summary's name line shows it: escaped, left-truncated to room. */
static void path_cell(FILE *out, const struct dt_top_row *r, int room)
{
	char path[DT_PATH_MAX], shown[DT_UNTRUSTED_TEXT_SIZE(DT_PATH_MAX)];

	path[0] = 0;
	if (r->file && dt_paths_resolve(r->file, path, sizeof(path)) & DT_PATH_DELETED)
		strncat(path, DT_DELETED_SUFFIX, sizeof(path) - strlen(path) - 1);
	if (!path[0])
		snprintf(path, sizeof(path), "%s", r->file ? "(name not seen yet)" : "-");
	dt_untrusted_text_tail(shown, sizeof(shown), path, strlen(path), (size_t)room);
	fprintf(out, " %s", shown);
}

void dt_top_render(FILE *out, const struct dt_top_view *v, struct dt_snapshot *s,
		   const struct dt_top_rows *rows)
{
	int width = v->width >= 40 ? v->width : 40, lines;
	double secs = s->interval_ns / 1e9;
	struct layout l;
	size_t shown = rows->n < v->rows ? rows->n : v->rows;
	char *warn = NULL;
	size_t warn_len = 0;
	FILE *w = open_memstream(&warn, &warn_len);

	/* the warnings are on the screen: stderr would scroll it */
	if (w) {
		dt_report_warnings(w, s);
		fclose(w);
	}
	lay_out(&l, v, width);
	lines = header(out, v, s, width);
	if (warn)
		lines += wrap(out, warn, width);
	free(warn);
	fputc('\n', out);
	lines += 2; /* the blank line and the column header */
	for (size_t i = 0; i < l.n; i++)
		if (l.show[l.vc[i].c])
			cell_header(out, l.vc[i].c, v);
	if (l.path)
		fprintf(out, " %s", v->procs ? "FILE" : "PATH");
	fputc('\n', out);
	/* a screen of height lines holds the rows that fit below the header, and the line that
	 * says how many did not */
	if (v->height > 0) {
		int room = v->height - lines > 0 ? v->height - lines : 0;

		if (shown > (size_t)room || (shown < rows->n && shown + 1 > (size_t)room))
			shown = room > 0 ? (size_t)room - 1 : 0;
	}
	for (size_t i = 0; i < shown; i++) {
		const struct dt_top_row *r = &rows->r[i];

		for (size_t j = 0; j < l.n; j++)
			if (l.show[l.vc[j].c])
				cell(out, l.vc[j].c, v, r, secs);
		if (l.path)
			path_cell(out, r, l.path);
		fputc('\n', out);
	}
	if (rows->n > shown)
		fprintf(out, "(%zu more %s; -r to show more)\n", rows->n - shown,
			v->procs ? "processes" : "files");
}
