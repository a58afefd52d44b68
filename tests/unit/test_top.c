// SPDX-License-Identifier: GPL-2.0
/* daxtrace top's rows and screen (src/top_render.c): the rates are the interval's counts over
 * its seconds, every sort key orders the rows, each line fits every width from 40 to 200, a
 * hostile name stays one escaped cell, -P adds up the procs rows, and a screen of a given
 * height never scrolls. */
#include "test_support.h"
#include "top.h"
#include "untrusted.h"

#define DEV dt_dev_encode(259, 0)

/* Adds an inode row ino named dir/name with these counts; comm[pid] its top process. */
static void add(struct dt_snapshot *s, uint64_t ino, const char *name, uint64_t pte, uint64_t pmd,
		uint64_t sync, uint64_t fallbacks, const char *comm, uint32_t pid)
{
	struct dt_inode_key k = { .dev = DEV, .ino = ino };
	struct dt_inode_val v = {};
	struct dt_inode_rec *r;

	v.counters[DT_C_PTE_FAULTS] = pte;
	v.counters[DT_C_PMD_FAULTS] = pmd;
	v.counters[DT_C_SYNC_FAULTS] = sync;
	v.counters[DT_C_FALLBACKS] = fallbacks;
	snprintf(v.path[0], DT_NAME_LEN, "%s", name);
	snprintf(v.path[1], DT_NAME_LEN, "dax");
	snprintf(v.path[2], DT_NAME_LEN, "mnt");
	r = dt_snapshot_add_inode(s, &k, &v);
	assert_non_null(r);
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
	r->pid = pid;
}

/* Three files, each first by another key: a (faults, PTE), b (PMD, fallbacks), c (sync). */
static void fill(struct dt_snapshot *s)
{
	dt_snapshot_init(s);
	add(s, 11, "a", 3000, 0, 10, 0, "fio", 100);
	add(s, 12, "b", 100, 40, 20, 35, "db", 200);
	add(s, 13, "c", 500, 2, 600, 1, "pg", 300);
	dt_snapshot_finish(s);
	s->interval_ns = 2000000000ULL; /* 2 s: the rates are half the counts */
}

static char *render(struct dt_snapshot *s, const struct dt_top_view *v)
{
	struct dt_top_rows rows = {};
	struct dt_capture c;

	assert_int_equal(dt_top_rows_build(s, v->procs, &rows), 0);
	dt_top_rows_sort(&rows, v->sort);
	dt_capture_begin(&c);
	dt_top_render(c.f, v, s, &rows);
	dt_capture_end(&c);
	dt_top_rows_free(&rows);
	return c.buf;
}

static struct dt_top_view view(int width, int sort)
{
	return (struct dt_top_view){ .width = width, .rows = DT_TOP_DEFAULT_ROWS, .sort = sort,
				     .unit = DT_UNIT_US };
}

/* The rows' paths, in screen order, as "a b c". */
static void order(const char *text, char *out, size_t len)
{
	const char *p = text;

	out[0] = 0;
	while ((p = strstr(p, " mnt/dax/"))) {
		p += strlen(" mnt/dax/");
		snprintf(out + strlen(out), len - strlen(out), "%s%c", strlen(out) ? " " : "", *p);
	}
}

static void test_sort_keys(void **state)
{
	static const struct {
		int key;
		const char *want;
	} cases[] = {
		{ DT_TOP_SORT_FAULTS, "a c b" }, { DT_TOP_SORT_PTE, "a c b" },
		{ DT_TOP_SORT_PMD, "b c a" }, { DT_TOP_SORT_SYNC, "c b a" },
		{ DT_TOP_SORT_FALLBACKS, "b c a" },
		/* no per-file histogram yet (the --hist-by seam): by faults */
		{ DT_TOP_SORT_P99, "a c b" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dt_snapshot s;
		struct dt_top_view v = view(120, cases[i].key);
		char *text, got[64];

		fill(&s);
		text = render(&s, &v);
		order(text, got, sizeof(got));
		if (strcmp(got, cases[i].want))
			fail_msg("-s %s: %s, expected %s:\n%s", dt_top_sort_name(cases[i].key), got,
				 cases[i].want, text);
		assert_non_null(strstr(text, dt_top_sort_name(cases[i].key)));
		free(text);
		dt_snapshot_free(&s);
	}
	for (int k = 0; k < DT_TOP_SORT_NR; k++)
		assert_int_equal(dt_top_sort_parse(dt_top_sort_name(k)), k);
	assert_int_equal(dt_top_sort_parse("Faults"), -1);
	assert_int_equal(dt_top_sort_parse(""), -1);
	assert_int_equal(dt_top_sort_parse(NULL), -1);
}

/* The line of the row whose path ends in /name. */
static char *row_of(char *text, const char *name)
{
	char want[32];

	snprintf(want, sizeof(want), " mnt/dax/%s\n", name);
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *e = strchr(l, '\n');

		if (e && (size_t)(e - l) + 1 >= strlen(want) &&
		    !strncmp(e + 1 - strlen(want), want, strlen(want)))
			return strndup(l, (size_t)(e - l));
	}
	fail_msg("no row of %s in:\n%s", name, text);
	return NULL;
}

/* Rates: counts over the interval's seconds, one decimal; the summary: the counts. */
static void test_rates_and_counts(void **state)
{
	struct dt_snapshot s;
	struct dt_top_view v = view(100, DT_TOP_SORT_FAULTS);
	char *text, *row;

	fill(&s);
	text = render(&s, &v);
	assert_non_null(strstr(text, "interval 2.000 s"));
	assert_non_null(strstr(text, "faults 3642  pte 3600  pmd 42  sync 630  fallbacks 36"));
	assert_non_null(strstr(text, "   PTE/s   PMD/s  SYNC/s FALLBK/s  P99(us) PROCESS            PATH\n"));
	row = row_of(text, "b");
	assert_string_equal(row, "    50.0    20.0    10.0     17.5        - db[200]            mnt/dax/b");
	free(row);
	free(text);
	s.interval_ns = 3000000000ULL; /* 100 / 3 s */
	text = render(&s, &v);
	row = row_of(text, "b");
	assert_non_null(strstr(row, "    33.3    13.3     6.7     11.7 "));
	free(row);
	free(text);
	v.summary = true;
	text = render(&s, &v);
	assert_non_null(strstr(text, "summary of 3.000 s"));
	assert_non_null(strstr(text, "     PTE     PMD    SYNC   FALLBK  P99(us) PROCESS"));
	row = row_of(text, "a");
	assert_string_equal(row, "    3000       0      10        0        - fio[100]           mnt/dax/a");
	free(row);
	free(text);
	dt_snapshot_free(&s);
}

/* Big rates and counts still fit their columns, with k, M, G... */
static void test_big_numbers(void **state)
{
	struct dt_snapshot s;
	struct dt_top_view v = view(100, DT_TOP_SORT_FAULTS);
	char *text, *row;

	dt_snapshot_init(&s);
	add(&s, 11, "a", 123456789012ULL, 99999, 1000000, 0, "fio", 100);
	dt_snapshot_finish(&s);
	s.interval_ns = 1000000000ULL;
	text = render(&s, &v);
	row = row_of(text, "a");
	assert_string_equal(row, " 123457M 99999.0 1000000      0.0        - fio[100]           mnt/dax/a");
	free(row);
	free(text);
	dt_snapshot_free(&s);
}

static void fill_long(struct dt_snapshot *s)
{
	char name[DT_NAME_LEN];

	dt_snapshot_init(s);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	for (int i = 0; i < 5; i++)
		add(s, 100 + (uint64_t)i, name, 1000000007ULL * (uint64_t)(i + 1), 77777777, 12345678901ULL,
		    999, "longcommandname", 4194304);
	dt_snapshot_finish(s);
	s->interval_ns = 1000; /* a microsecond: huge rates */
	s->diag[DT_D_INODE_OVERFLOW] = 3; /* and a warning line */
}

static void check_widths(struct dt_snapshot *s, bool procs, bool summary)
{
	for (int width = 40; width <= 200; width++) {
		struct dt_top_view v = view(width, DT_TOP_SORT_FAULTS);
		char *text, *save;

		v.procs = procs;
		v.summary = summary;
		text = render(s, &v);
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if ((int)strlen(l) > width)
				fail_msg("width %d%s%s: %zu columns: '%s'", width, procs ? " -P" : "",
					 summary ? " summary" : "", strlen(l), l);
		free(text);
	}
}

static void add_proc(struct dt_snapshot *s, uint64_t ino, uint32_t tgid, const char *comm, uint64_t faults)
{
	struct dt_proc_entry e = { .key = { .inode = { .dev = DEV, .ino = ino }, .tgid = tgid },
				   .val = { .faults = faults } };
	struct dt_snapshot one;

	snprintf(e.val.comm, sizeof(e.val.comm), "%s", comm);
	dt_snapshot_init(&one);
	assert_int_equal(dt_snapshot_set_procs(&one, &e, 1), 0);
	assert_int_equal(dt_top_accumulate_procs(s, &one), 0);
	dt_snapshot_free(&one);
}

static void test_lines_fit_every_width(void **state)
{
	struct dt_snapshot s;

	fill_long(&s);
	add_proc(&s, 100, 4194304, "longcommandname", 123456789);
	add_proc(&s, 101, 7, "\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b", 5);
	check_widths(&s, false, false);
	check_widths(&s, false, true);
	check_widths(&s, true, false);
	check_widths(&s, true, true);
	dt_snapshot_free(&s);
}

/* Narrow, the least useful columns go first; SYNC, FALLBK and the path always stay. */
static void test_narrow_keeps_the_essentials(void **state)
{
	struct dt_snapshot s;

	fill(&s);
	for (int width = 40; width <= 200; width += 40) {
		struct dt_top_view v = view(width, DT_TOP_SORT_FAULTS);
		char *text = render(&s, &v);

		assert_non_null(strstr(text, " SYNC/s FALLBK/s "));
		assert_non_null(strstr(text, " PATH\n"));
		assert_non_null(strstr(text, "mnt/dax/a\n"));
		if (width >= 80)
			assert_non_null(strstr(text, "PTE/s   PMD/s  SYNC/s FALLBK/s  P99(us) PROCESS"));
		free(text);
	}
	dt_snapshot_free(&s);
}

/* A file name and a comm that try to move the cursor or forge a row stay one escaped row. */
static void test_hostile_names(void **state)
{
	static const int widths[] = { 40, 80, 200 };

	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		struct dt_snapshot s;
		struct dt_top_view v = view(widths[i], DT_TOP_SORT_FAULTS);
		char *text;
		int lines = 0, plain[2];

		for (int procs = 0; procs < 2; procs++) {
			dt_snapshot_init(&s);
			add(&s, 11, "f", 10, 0, 0, 0, "fio", 42);
			add_proc(&s, 11, 42, "fio", 10);
			dt_snapshot_finish(&s);
			s.interval_ns = 1000000000ULL;
			v.procs = procs;
			text = render(&s, &v);
			plain[procs] = 0;
			for (const char *p = text; *p; p++)
				plain[procs] += *p == '\n';
			free(text);
			dt_snapshot_free(&s);
		}
		dt_snapshot_init(&s);
		add(&s, 11, "f\n    99.0     0.0 mnt/dax/forged\x1b[2J", 10, 0, 0, 0, "\x1b]0;pwn\a", 42);
		add_proc(&s, 11, 42, "\x1b]0;pwn\a", 10);
		dt_snapshot_finish(&s);
		s.interval_ns = 1000000000ULL;
		for (int procs = 0; procs < 2; procs++) {
			v.procs = procs;
			text = render(&s, &v);
			lines = 0;
			for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
				lines += *p == '\n';
				if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
					fail_msg("width %d: control byte 0x%02x in:\n%s", widths[i], *p, text);
			}
			/* as many lines as with plain names: the row is one row */
			if (lines != plain[procs])
				fail_msg("width %d%s: %d lines:\n%s", widths[i], procs ? " -P" : "", lines, text);
			if (!procs || widths[i] >= 80)
				if (!strstr(text, "\\e[2J"))
					fail_msg("width %d%s: no escaped name:\n%s", widths[i], procs ? " -P" : "", text);
			if (widths[i] >= 80)
				assert_non_null(strstr(text, procs ? " \\e]0;pwn\\a " : " \\e]0;pwn\\a[42] "));
			free(text);
		}
		dt_snapshot_free(&s);
	}
}

/* -P: a row per process, its faults summed over its files, its busiest file, the counts that
 * only --hist-by's table will have shown as "-"; the summary adds up intervals by (file,
 * process). */
static void test_processes(void **state)
{
	struct dt_snapshot s;
	struct dt_top_view v = view(100, DT_TOP_SORT_FAULTS);
	char *text;

	fill(&s);
	add_proc(&s, 11, 100, "fio", 3000);
	add_proc(&s, 12, 100, "fio", 40);
	add_proc(&s, 12, 200, "db", 100);
	add_proc(&s, 13, 200, "db", 502);
	add_proc(&s, 13, 200, "db", 100); /* a second interval of the same (file, process) */
	assert_int_equal(s.n_procs, 4);
	v.procs = true;
	text = render(&s, &v);
	assert_non_null(strstr(text, "processes by faults"));
	assert_non_null(strstr(text, "     PID COMM            FAULTS/s   PTE/s   PMD/s  SYNC/s FALLBK/s  P99(us) FILES FILE\n"));
	assert_non_null(strstr(text, "\n     100 fio               1520.0       -       -       -        -        -     2 mnt/dax/a\n"
				     "     200 db                 351.0       -       -       -        -        -     2 mnt/dax/c\n"));
	free(text);
	v.summary = true;
	text = render(&s, &v);
	assert_non_null(strstr(text, "\n     100 fio                 3040       -"));
	free(text);
	dt_snapshot_free(&s);
}

/* On a screen of h lines, the rows that fit and a line saying how many did not: no more than
 * h lines, so nothing scrolls. -r alone limits too. */
static void test_height_and_rows(void **state)
{
	struct dt_snapshot s;

	dt_snapshot_init(&s);
	for (int i = 0; i < 30; i++) {
		char name[8];

		snprintf(name, sizeof(name), "f%02d", i);
		add(&s, 100 + (uint64_t)i, name, 1000 - (uint64_t)i, 0, 0, 0, "fio", 1);
	}
	dt_snapshot_finish(&s);
	s.interval_ns = 1000000000ULL;
	for (int h = 6; h <= 40; h++) {
		struct dt_top_view v = view(80, DT_TOP_SORT_FAULTS);
		char *text;
		int lines = 0;

		v.height = h;
		text = render(&s, &v);
		for (const char *p = text; *p; p++)
			lines += *p == '\n';
		if (lines > h)
			fail_msg("height %d: %d lines:\n%s", h, lines, text);
		if (h < 4 + 21 && !strstr(text, "more files; -r to show more)"))
			fail_msg("height %d: no line for the rows left out:\n%s", h, text);
		free(text);
	}
	{
		struct dt_top_view v = view(80, DT_TOP_SORT_FAULTS);
		char *text;

		v.rows = 3;
		text = render(&s, &v);
		assert_non_null(strstr(text, "mnt/dax/f02\n(27 more files; -r to show more)\n"));
		assert_null(strstr(text, "mnt/dax/f03"));
		free(text);
	}
	dt_snapshot_free(&s);
}

/* With the per-key tables top turns on: a file's P99 is the upper bound of the slot of its
 * sync_fault histogram's p99, "-" for a file without one; a process's counters come from the
 * per-process table, and none without a row there. */
static void test_p99_and_process_counts(void **state)
{
	struct dt_snapshot s;
	struct dt_hist_slots h = {};
	struct dt_khist_key k = { .inode = { .dev = DEV, .ino = 13 }, .stage = DT_H_SYNC_FAULT };
	struct dt_pid_val pv = {};
	uint64_t c[DT_C_NR];
	struct dt_top_view v = view(120, DT_TOP_SORT_SYNC);
	char *text, *line;

	fill(&s);
	s.hist_by = DT_HB_FILE;
	h.slots[9] = 99, h.slots[12] = 1; /* 512 -> 1023 and 4096 -> 8191 usecs: p99 the first */
	assert_int_equal(dt_snapshot_add_khist(&s, &k, &h), 0);
	dt_snapshot_sort_khists(&s);
	text = render(&s, &v);
	line = strstr(text, " mnt/dax/c");
	assert_non_null(line);
	while (line > text && line[-1] != '\n')
		line--;
	assert_non_null(strstr(line, "<1024"));
	line = strstr(text, " mnt/dax/a");
	assert_non_null(line);
	while (line > text && line[-1] != '\n')
		line--;
	assert_true(strstr(line, " - ") && strstr(line, " - ") < strstr(line, " mnt/dax/a"));
	free(text);
	assert_false(dt_top_proc_counts(&s, 300, c));
	pv.counters[DT_C_SYNC_FAULTS] = 77;
	assert_int_equal(dt_snapshot_add_pid(&s, 300, &pv), 0);
	assert_true(dt_top_proc_counts(&s, 300, c));
	assert_int_equal(c[DT_C_SYNC_FAULTS], 77);
	dt_snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_keys),
		cmocka_unit_test(test_rates_and_counts),
		cmocka_unit_test(test_big_numbers),
		cmocka_unit_test(test_lines_fit_every_width),
		cmocka_unit_test(test_narrow_keeps_the_essentials),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_height_and_rows),
		cmocka_unit_test(test_p99_and_process_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
