// SPDX-License-Identifier: GPL-2.0
/* The terminal report (src/report_text.c): every line fits the terminal width, from the
 * 40-column minimum to wide terminals, and no counter is lost when the table gives way to
 * the narrow layout; and every kind of drop gets a warning line. */
#include "test_support.h"
#include "cli.h"
#include "names.h"
#include "advice.h"
#include "report.h"

static void fill(struct dt_snapshot *s)
{
	struct dt_inode_key k = { .dev = dt_dev_encode(259, 0), .ino = 123456789 };
	struct dt_inode_val v = {};

	for (int i = 0; i < DT_C_NR; i++)
		v.counters[i] = 1000000007ULL + i;
	v.fallbacks[DT_FB_MISALIGNED] = 12345678;
	v.fallbacks[DT_FB_ENTRY_CONFLICT] = 9;
	for (int i = 0; i < DT_PATH_DEPTH; i++)
		snprintf(v.path[i], DT_NAME_LEN, "a-rather-long-directory-or-file-name-%d", i);
	dt_snapshot_init(s);
	assert_non_null(dt_snapshot_add_inode(s, &k, &v));
	memcpy(s->totals, v.counters, sizeof(s->totals));
	memcpy(s->fallback_totals, v.fallbacks, sizeof(s->fallback_totals));
	s->hists[DT_H_SYNC_FAULT].slots[3] = 4000000000ULL;
	s->hists[DT_H_SYNC_FAULT].slots[31] = 1;
	s->inodes[0].pid = 4194304;
	snprintf(s->inodes[0].comm, sizeof(s->inodes[0].comm), "longcommandname");
	/* offset lines that must wrap within the width too */
	for (int i = 0; i < 6; i++) {
		struct dt_offset_key ok = { .inode = k, .offset = (4096ULL + 2 * i) << 20,
					    .kind = DT_OFF_FALLBACK, .reason = DT_FB_UNEXPECTED_TYPE };

		assert_int_equal(dt_snapshot_add_offset(s, &ok, 1000000 + i), 0);
		ok.kind = DT_OFF_RACE;
		ok.reason = 0;
		assert_int_equal(dt_snapshot_add_offset(s, &ok, 1000000 + i), 0);
	}
	dt_snapshot_sort_offsets(s);
}

/* The report of s at the width, as -i SEC (interval_s) and the last report (final) make it;
 * frees s. */
static char *report_of(struct dt_snapshot *s, int width, bool final, uint32_t interval_s)
{
	struct dt_config cfg;
	struct dt_report_ctx ctx = { .cfg = &cfg, .width = width, .final = final };
	struct dt_capture c;

	dt_config_defaults(&cfg);
	cfg.interval_s = interval_s;
	dt_capture_begin(&c);
	dt_report_text(c.f, &ctx, s);
	dt_capture_end(&c);
	dt_snapshot_free(s);
	return c.buf;
}

static char *report(struct dt_snapshot *s, int width)
{
	return report_of(s, width, false, 0);
}

/* The report of fill()'s snapshot; interval_s and interval_ns as -i and the snapshot say. */
static char *render_interval(int width, bool final, uint32_t interval_s, uint64_t interval_ns)
{
	struct dt_snapshot s;

	fill(&s);
	s.interval_ns = interval_ns;
	return report_of(&s, width, final, interval_s);
}

static char *render(int width)
{
	return render_interval(width, false, 0, 1000000000ULL);
}

static void test_lines_fit_every_width(void **state)
{
	for (int width = 40; width <= 132; width++) {
		char *text = render(width), *save;

		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if ((int)strlen(l) > width)
				fail_msg("width %d: %zu columns: '%s'", width, strlen(l), l);
		free(text);
	}
}

static void test_narrow_layout_keeps_every_counter(void **state)
{
	/* 10-digit counts need 106 columns for the table: 132 has it, 80 does not */
	char *wide = render(132), *narrow = render(80);

	assert_non_null(strstr(wide, "DEV "));
	assert_null(strstr(narrow, "DEV "));
	for (int i = 0; i < DT_C_NR; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%s=%llu", dt_counter_names[i], 1000000007ULL + i);
		assert_non_null(strstr(narrow, want));
	}
	assert_non_null(strstr(narrow, "misaligned=12345678"));
	assert_non_null(strstr(narrow, "TOTAL"));
	free(wide);
	free(narrow);
}

/* The detail lines say what they hold: counters the table has no column for, and fallback
 * reasons, each on a labelled line (continuations indented under it). */
static void test_details_are_labelled(void **state)
{
	static const int widths[] = { 132, 80, 40 };

	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		char *text = render(widths[w]), *save;
		const char *group = NULL;
		int counters = 0, reasons = 0;

		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (!strncmp(l, "  counters:", 11)) {
				group = "counters";
				counters++;
			} else if (!strncmp(l, "  fallback reasons:", 19)) {
				group = "reasons";
				reasons++;
			} else if (strncmp(l, "    ", 4) || !strchr(l, '=')) {
				group = NULL;
				continue;
			}
			if (!group)
				fail_msg("width %d: a detail line under no label: '%s'", widths[w], l);
			/* a reason never on the counters line, nor a counter on the reasons line */
			if (!strcmp(group, "counters"))
				assert_null(strstr(l, "misaligned="));
			else
				assert_null(strstr(l, "hole_loads="));
		}
		/* the inode and TOTAL */
		assert_int_equal(counters, 2);
		assert_int_equal(reasons, 2);
		free(text);
	}
}

/* The last report of an -i run says that it is partial, and how long it was. */
static void test_partial_final_report(void **state)
{
	char *text = render_interval(80, true, 5, 1300000000ULL);

	assert_non_null(strstr(text, "(final report: partial interval, 1.3 s of 5 s)\n"));
	free(text);
	text = render_interval(80, true, 1, 250000000ULL);
	assert_non_null(strstr(text, "(final report: partial interval, 0.25 s of 1 s)\n"));
	free(text);
	text = render_interval(80, true, 2, 999600000ULL); /* not "1.00 s" */
	assert_non_null(strstr(text, "(final report: partial interval, 1.0 s of 2 s)\n"));
	free(text);
	text = render_interval(80, false, 5, 1300000000ULL);
	assert_null(strstr(text, "partial"));
	free(text);
	text = render_interval(80, true, 5, 4990000000ULL); /* -d a multiple of -i */
	assert_null(strstr(text, "partial"));
	free(text);
	text = render_interval(80, true, 0, 1300000000ULL); /* no -i */
	assert_null(strstr(text, "partial"));
	free(text);
}

/* Every kind of drop the snapshot carries has a warning line, and none is printed at zero. */
static void test_every_drop_is_warned(void **state)
{
	struct dt_snapshot s;
	struct dt_capture c;

	dt_snapshot_init(&s);
	dt_capture_begin(&c);
	dt_report_warnings(c.f, &s);
	dt_capture_end(&c);
	assert_string_equal(c.buf, "");
	free(c.buf);
	for (int i = 0; i < DT_D_NR; i++) {
		char want[32];

		memset(s.diag, 0, sizeof(s.diag));
		s.diag[i] = 17 + i;
		dt_capture_begin(&c);
		dt_report_warnings(c.f, &s);
		dt_capture_end(&c);
		snprintf(want, sizeof(want), "warning: %d ", 17 + i);
		assert_non_null(strstr(c.buf, want));
		free(c.buf);
	}
	dt_snapshot_free(&s);
}

/* A name and a comm chosen to attack the terminal: a newline and a forged row in the path, an
 * OSC title sequence in comm. The report keeps its shape and holds no control byte. */
static char *render_names(int width, const char *name, const char *comm)
{
	struct dt_inode_key k = { .dev = dt_dev_encode(259, 0), .ino = 77 };
	struct dt_inode_val v = {};
	struct dt_snapshot s;

	v.counters[DT_C_PTE_FAULTS] = 1;
	snprintf(v.path[0], DT_NAME_LEN, "%s", name);
	snprintf(v.path[1], DT_NAME_LEN, "dir");
	dt_snapshot_init(&s);
	assert_non_null(dt_snapshot_add_inode(&s, &k, &v));
	s.inodes[0].pid = 4242;
	snprintf(s.inodes[0].comm, sizeof(s.inodes[0].comm), "%s", comm);
	memcpy(s.totals, v.counters, sizeof(s.totals));
	return report(&s, width);
}

static int count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static void test_hostile_names_stay_one_row(void **state)
{
	static const int widths[] = { 40, 80, 132 };

	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		char *plain = render_names(widths[i], "file", "fio");
		char *hostile = render_names(widths[i], "f\n259:0 99 1 0 1 0 0 0 0 0", "\x1b]0;pwn\a");

		/* table: header, row, name line, TOTAL, blank line; narrow: the counters on detail
		 * lines under the inode and under TOTAL instead of the header */
		assert_int_equal(count_lines(plain), widths[i] >= 75 ? 5 : 6);
		assert_int_equal(count_lines(hostile), count_lines(plain));
		for (const unsigned char *p = (const unsigned char *)hostile; *p; p++)
			if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
				fail_msg("width %d: control byte 0x%02x in:\n%s", widths[i], *p, hostile);
		assert_non_null(strstr(hostile, "\\e]0;pwn\\a[4242]"));
		if (widths[i] >= 75)
			assert_non_null(strstr(hostile, "  dir/f\\n259:0 99 1 0 1 0 0 0 0 0  "));
		free(plain);
		free(hostile);
	}
}

/* Escaped, a 15-byte comm can take 60 columns: it is cut so that the name line still fits. */
static void test_escaped_comm_fits_the_width(void **state)
{
	char comm[DT_TASK_COMM_LEN];

	memset(comm, 0xff, sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = 0;
	for (int width = 40; width <= 132; width++) {
		char *text = render_names(width, "\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\xc3", comm), *save;

		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if ((int)strlen(l) > width)
				fail_msg("width %d: %zu columns: '%s'", width, strlen(l), l);
		free(text);
	}
}

/* ---- --hist-by ---------------------------------------------------------------------- */

/* The report of s with -n top at width; frees s. */
static char *report_top(struct dt_snapshot *s, int width, uint32_t top)
{
	struct dt_config cfg;
	struct dt_report_ctx ctx = { .cfg = &cfg, .width = width };
	struct dt_capture c;

	dt_config_defaults(&cfg);
	cfg.top = top;
	dt_capture_begin(&c);
	dt_report_text(c.f, &ctx, s);
	dt_capture_end(&c);
	dt_snapshot_free(s);
	return c.buf;
}

static void add_hist(struct dt_snapshot *s, struct dt_khist_key k, int stage, int slot, uint64_t n)
{
	struct dt_hist_slots h = {};

	k.stage = (__u8)stage;
	h.slots[slot] = n;
	assert_int_equal(dt_snapshot_add_khist(s, &k, &h), 0);
}

static void no_control_bytes(const char *text, int width)
{
	char *copy = strdup(text), *save;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("width %d: control byte 0x%02x in:\n%s", width, *p, text);
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if ((int)strlen(l) > width)
			fail_msg("width %d: %zu columns: '%s'", width, strlen(l), l);
	free(copy);
}

/* Three files, busiest first: ino 3 (30 faults), 2, 1; each with its own pte_fault samples,
 * ino 2 also sync_fault; a hostile name on ino 3. Host-wide: 777 samples, which no block has. */
static void hist_by_files(struct dt_snapshot *s)
{
	dt_snapshot_init(s);
	s->hist_by = DT_HB_FILE;
	for (int i = 1; i <= 3; i++) {
		struct dt_inode_key k = { .dev = dt_dev_encode(259, 0), .ino = (uint64_t)i };
		struct dt_khist_key kk = { .inode = k };
		struct dt_inode_val v = {};

		v.counters[DT_C_PTE_FAULTS] = 10 * (uint64_t)i;
		snprintf(v.path[0], DT_NAME_LEN, i == 3 ? "f\x1b[2J\nforged ==" : "file-%d", i);
		assert_non_null(dt_snapshot_add_inode(s, &k, &v));
		add_hist(s, kk, DT_H_PTE_FAULT, 4, 10 * (uint64_t)i);
		if (i == 2)
			add_hist(s, kk, DT_H_SYNC_FAULT, 6, 5);
	}
	s->hists[DT_H_PTE_FAULT].slots[4] = 777;
	dt_snapshot_sort(s);
	dt_snapshot_sort_khists(s);
	dt_snapshot_finish(s);
}

/* --hist-by file: a block per inode of the table (-n of them), busiest first, each with its
 * own histograms only, and no host-wide histogram; hostile names escaped; every width. */
static void test_hist_by_file_blocks(void **state)
{
	for (int width = 40; width <= 132; width += 23) {
		struct dt_snapshot s;
		char *text, *b3, *b2;

		hist_by_files(&s);
		text = report_top(&s, width, 2);
		no_control_bytes(text, width);
		b3 = strstr(text, "== 259:0 ino 3 ");
		b2 = strstr(text, "== 259:0 ino 2 ");
		assert_non_null(b3);
		assert_non_null(b2);
		assert_true(b3 < b2);
		assert_null(strstr(text, "== 259:0 ino 1 ")); /* -n 2 */
		assert_non_null(strstr(b3, "pte_fault latency, 30 samples:"));
		assert_true(strstr(b3, "pte_fault latency, 30 samples:") < b2);
		assert_non_null(strstr(b2, "pte_fault latency, 20 samples:"));
		assert_non_null(strstr(b2, "sync_fault latency, 5 samples:"));
		assert_true(strstr(b3, "sync_fault latency") > b2); /* ino 3 has none */
		assert_null(strstr(text, "777 samples"));
		assert_non_null(strstr(text, "\\e[2J\\nforged =="));
		free(text);
	}
}

/* --hist-by process: the table (PID, COMM escaped, the counter columns) then a block per
 * process, -n of each, busiest first; the narrow layout keeps every counter. */
static void test_hist_by_process_table(void **state)
{
	static const char *const comms[] = { "fio", "\x1b]0;pwn\a", "idle" };

	for (int width = 40; width <= 132; width += 23) {
		struct dt_snapshot s;
		char *text, *p1, *p2;

		dt_snapshot_init(&s);
		s.hist_by = DT_HB_PROCESS;
		for (int i = 0; i < 3; i++) {
			struct dt_pid_val v = {};
			struct dt_khist_key kk = { .tgid = 100 + (uint32_t)i };

			v.counters[DT_C_PTE_FAULTS] = 1000 * (uint64_t)(i + 1);
			v.counters[DT_C_HOLE_LOADS] = 7;
			v.fallbacks[DT_FB_EOF] = 3;
			snprintf(v.comm, sizeof(v.comm), "%s", comms[i]);
			assert_int_equal(dt_snapshot_add_pid(&s, 100 + (uint32_t)i, &v), 0);
			add_hist(&s, kk, DT_H_PTE_FAULT, 2, 1000 * (uint64_t)(i + 1));
		}
		dt_snapshot_sort_pids(&s);
		dt_snapshot_sort_khists(&s);
		text = report_top(&s, width, 2);
		no_control_bytes(text, width);
		if (width >= 75) {
			assert_non_null(strstr(text, "PID      COMM                 PTE"));
			assert_non_null(strstr(text, "102      idle                3000"));
			assert_non_null(strstr(text, "101      \\e]0;pwn\\a          2000"));
		} else { /* narrow: PID COMM, then every counter on its detail line */
			assert_non_null(strstr(text, "102      idle\n  counters: pte_faults=3000"));
		}

		assert_non_null(strstr(text, "  fallback reasons: eof=3"));
		assert_non_null(strstr(text, "(1 more processes: see -n, --json)"));
		p1 = strstr(text, "== process 102 idle ==\n\npte_fault latency, 3000 samples:");
		p2 = strstr(text, "== process 101 \\e]0;pwn\\a ==\n\npte_fault latency, 2000 samples:");
		assert_non_null(p1);
		assert_non_null(p2);
		assert_true(p1 < p2);
		assert_null(strstr(text, "== process 100 "));
		free(text);
	}
}

/* --hist-by device: a block per device with its counters and histograms. */
static void test_hist_by_device_blocks(void **state)
{
	struct dt_snapshot s;
	struct dt_inode_key k = { .dev = dt_dev_encode(259, 1), .ino = 5 };
	struct dt_khist_key kk = { .inode = { .dev = dt_dev_encode(259, 1) } };
	struct dt_inode_val v = {};
	char *text;

	dt_snapshot_init(&s);
	s.hist_by = DT_HB_DEVICE;
	v.counters[DT_C_PMD_FAULTS] = 4;
	assert_non_null(dt_snapshot_add_inode(&s, &k, &v));
	add_hist(&s, kk, DT_H_PMD_FAULT, 9, 4);
	dt_snapshot_sort_khists(&s);
	dt_snapshot_finish(&s);
	text = report_top(&s, 80, 10);
	assert_non_null(strstr(text, "== device 259:1 ==\n  counters: pmd_faults=4\n\n"
				     "pmd_fault latency, 4 samples:"));
	free(text);
}

/* The final report ends with what to do about each reason and topic that occurred, and only
 * those; an interval report does not repeat it; every line fits every width. */
static void test_advice_in_final_report(void **state)
{
	char *text = render_interval(80, true, 0, 1000000000ULL), *save;
	const char *what = strstr(text, "\nWhat to do ");

	assert_non_null(what);
	assert_non_null(strstr(what, "\n  misaligned, 12345678 fallbacks: The mapping's address"));
	assert_non_null(strstr(what, "\n  entry_conflict, 9 fallbacks: "));
	assert_non_null(strstr(what, "\n  races, 1000000012 races: ")); /* 1000000007 + DT_C_RACES */
	assert_non_null(strstr(what, "\n  hole_loads, "));
	assert_null(strstr(what, "extent_short,"));
	assert_null(strstr(what, "fsync_bound,")); /* no fsync samples */
	free(text);
	text = render_interval(80, false, 0, 1000000000ULL);
	assert_null(strstr(text, "What to do"));
	free(text);
	for (int width = 40; width <= 132; width++) {
		text = render_interval(width, true, 0, 1000000000ULL);
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if ((int)strlen(l) > width)
				fail_msg("width %d: %zu columns: '%s'", width, strlen(l), l);
		free(text);
	}
}

/* fsync_bound: the fsync stage holds at least half of the sync faults' time. */
static void test_fsync_bound(void **state)
{
	struct dt_snapshot s;

	dt_snapshot_init(&s);
	s.hists[DT_H_SYNC_FAULT].slots[3] = 7;
	s.hist_sum_ns[DT_H_SYNC_FAULT] = 1000;
	s.hist_sum_ns[DT_H_FSYNC] = 499;
	assert_int_equal(dt_advice_count(&s, DT_A_FSYNC_BOUND), 0);
	s.hist_sum_ns[DT_H_FSYNC] = 500;
	assert_int_equal(dt_advice_count(&s, DT_A_FSYNC_BOUND), 7);
	s.hist_sum_ns[DT_H_SYNC_FAULT] = 0; /* sync faults not timed: nothing to compare with */
	assert_int_equal(dt_advice_count(&s, DT_A_FSYNC_BOUND), 0);
	dt_snapshot_free(&s);
}

static void add_offset(struct dt_snapshot *s, const struct dt_inode_key *k, uint64_t mib, int kind,
		       int reason, uint64_t n)
{
	struct dt_offset_key ok = { .inode = *k, .offset = mib << 20, .kind = kind, .reason = reason };

	assert_int_equal(dt_snapshot_add_offset(s, &ok, n), 0);
}

/* The "fallbacks at:" and "races at:" lines under the inode's row: the lowest blocks first
 * (given in any order, a row given twice merged), their reasons and counts, and how many events
 * are not shown: those of the rows past the fourth, and those no row recorded (fallbacks 7,
 * rows 6 events). Another inode's rows stay on its own lines. */
static void test_offset_lines(void **state)
{
	struct dt_inode_key k = { .dev = dt_dev_encode(259, 0), .ino = 12, .gen = 5 };
	struct dt_inode_key other = { .dev = dt_dev_encode(259, 0), .ino = 12, .gen = 6 };
	struct dt_inode_val v = {};
	struct dt_snapshot s;
	char *text;

	strcpy(v.path[0], "f");
	v.counters[DT_C_PMD_FAULTS] = 10;
	v.counters[DT_C_FALLBACKS] = 7;
	v.counters[DT_C_RACES] = 3;
	v.fallbacks[DT_FB_EOF] = 3;
	v.fallbacks[DT_FB_EXTENT_SHORT] = 2;
	v.fallbacks[DT_FB_MISALIGNED] = 2;
	dt_snapshot_init(&s);
	assert_non_null(dt_snapshot_add_inode(&s, &k, &v));
	add_offset(&s, &k, 14, DT_OFF_FALLBACK, DT_FB_EOF, 1);
	add_offset(&s, &k, 10, DT_OFF_FALLBACK, DT_FB_EOF, 1);
	add_offset(&s, &k, 4, DT_OFF_FALLBACK, DT_FB_EXTENT_SHORT, 1);
	add_offset(&s, &k, 12, DT_OFF_FALLBACK, DT_FB_EOF, 1);
	add_offset(&s, &k, 0, DT_OFF_FALLBACK, DT_FB_MISALIGNED, 1);
	add_offset(&s, &k, 4, DT_OFF_FALLBACK, DT_FB_EXTENT_SHORT, 1); /* merged: x2 */
	add_offset(&s, &k, 2, DT_OFF_RACE, 0, 3);
	add_offset(&s, &other, 0, DT_OFF_RACE, 0, 9); /* another generation: another file */
	dt_snapshot_sort_offsets(&s);
	s.totals[DT_C_FALLBACKS] = 7;
	text = report(&s, 132);
	if (!strstr(text, "\n  fallbacks at: 0 MiB misaligned, 4 MiB extent_short x2, 10 MiB eof, "
			  "12 MiB eof (+2 more)\n  races at: 2 MiB x3\n"))
		fail_msg("no offset lines in:\n%s", text);
	assert_null(strstr(text, "x9"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_fit_every_width),
		cmocka_unit_test(test_narrow_layout_keeps_every_counter),
		cmocka_unit_test(test_every_drop_is_warned),
		cmocka_unit_test(test_hostile_names_stay_one_row),
		cmocka_unit_test(test_escaped_comm_fits_the_width),
		cmocka_unit_test(test_details_are_labelled),
		cmocka_unit_test(test_partial_final_report),
		cmocka_unit_test(test_advice_in_final_report),
		cmocka_unit_test(test_fsync_bound),
		cmocka_unit_test(test_offset_lines),
		cmocka_unit_test(test_hist_by_file_blocks),
		cmocka_unit_test(test_hist_by_process_table),
		cmocka_unit_test(test_hist_by_device_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
