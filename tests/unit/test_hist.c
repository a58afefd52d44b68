// SPDX-License-Identifier: GPL-2.0
/* log2 histograms (src/hist.c): slot bounds and the text rendering. */
#include <inttypes.h>
#include "test_support.h"
#include "hist.h"
#include "snapshot.h"

#define S5 "*****"
#define S10 S5 S5
#define S20 S10 S10
#define S40 S20 S20
#define B5 "     "
#define B10 B5 B5
#define B20 B10 B10
#define B40 B20 B20

static char *render(const struct dt_hist_slots *h, enum dt_unit unit, int width)
{
	struct dt_capture c;

	dt_capture_begin(&c);
	dt_hist_print(c.f, h, unit, width);
	dt_capture_end(&c);
	return c.buf;
}

static void expect(const struct dt_hist_slots *h, enum dt_unit unit, int width, const char *want)
{
	char *got = render(h, unit, width);

	if (strcmp(got, want))
		fail_msg("got:\n%s\nexpected:\n%s", got, want);
	free(got);
}

static void test_units(void **state)
{
	assert_string_equal(dt_unit_name(DT_UNIT_NS), "nsecs");
	assert_string_equal(dt_unit_name(DT_UNIT_US), "usecs");
	assert_string_equal(dt_unit_name(DT_UNIT_MS), "msecs");
	assert_int_equal(dt_unit_div(DT_UNIT_NS), 1);
	assert_int_equal(dt_unit_div(DT_UNIT_US), 1000);
	assert_int_equal(dt_unit_div(DT_UNIT_MS), 1000000);
}

/* Slot bounds in display units, bcc's print_log2_hist rows: 0 -> 1, 2 -> 3, 4 -> 7, ... */
static void test_slot_range(void **state)
{
	uint64_t lo, hi, prev_hi = 0;

	dt_slot_range(0, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 1);
	dt_slot_range(1, &lo, &hi);
	assert_int_equal(lo, 2);
	assert_int_equal(hi, 3);
	dt_slot_range(2, &lo, &hi);
	assert_int_equal(lo, 4);
	assert_int_equal(hi, 7);
	dt_slot_range(10, &lo, &hi);
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 2047);
	dt_slot_range(DT_MAX_SLOTS - 2, &lo, &hi);
	assert_int_equal(lo, 1ULL << 30);
	assert_int_equal(hi, (1ULL << 31) - 1);
	dt_slot_range(DT_MAX_SLOTS - 1, &lo, &hi);
	assert_int_equal(lo, 1ULL << 31);
	assert_true(hi == UINT64_MAX);
	/* contiguous, and each bound lands in its own slot by dt_log2_slot() */
	for (int i = 0; i < DT_MAX_SLOTS; i++) {
		dt_slot_range(i, &lo, &hi);
		if (i)
			assert_int_equal(lo, prev_hi + 1);
		assert_int_equal(dt_log2_slot(lo), i);
		assert_int_equal(dt_log2_slot(hi), i);
		prev_hi = hi;
	}
}

/* The exact ns range of a slot recorded in each unit: what BPF's slot of (ns / div) holds. */
static void test_slot_range_ns(void **state)
{
	uint64_t lo, hi;

	dt_slot_range_ns(0, DT_UNIT_US, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 1999);
	dt_slot_range_ns(1, DT_UNIT_US, &lo, &hi);
	assert_int_equal(lo, 2000);
	assert_int_equal(hi, 3999);
	dt_slot_range_ns(2, DT_UNIT_US, &lo, &hi);
	assert_int_equal(lo, 4000);
	assert_int_equal(hi, 7999);
	dt_slot_range_ns(10, DT_UNIT_MS, &lo, &hi);
	assert_int_equal(lo, 1024000000ULL);
	assert_int_equal(hi, 2047999999ULL);
	dt_slot_range_ns(10, DT_UNIT_NS, &lo, &hi);
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 2047);
	for (int u = DT_UNIT_NS; u <= DT_UNIT_MS; u++) {
		uint64_t div = dt_unit_div((enum dt_unit)u), prev_hi = 0;

		dt_slot_range_ns(DT_MAX_SLOTS - 1, (enum dt_unit)u, &lo, &hi);
		assert_int_equal(lo, (1ULL << 31) * div);
		assert_true(hi == UINT64_MAX);
		for (int i = 0; i < DT_MAX_SLOTS; i++) {
			dt_slot_range_ns(i, (enum dt_unit)u, &lo, &hi);
			if (i)
				assert_int_equal(lo, prev_hi + 1);
			/* hist_add() in bpf/seq.bpf.h: dt_log2_slot(delta_ns / hist_unit_ns) */
			assert_int_equal(dt_log2_slot(lo / div), i);
			if (hi != UINT64_MAX)
				assert_int_equal(dt_log2_slot(hi / div), i);
			prev_hi = hi;
		}
	}
}

static void test_empty_prints_nothing(void **state)
{
	struct dt_hist_slots h;
	char *out;

	memset(&h, 0, sizeof(h));
	for (int u = DT_UNIT_NS; u <= DT_UNIT_MS; u++) {
		out = render(&h, (enum dt_unit)u, 80);
		assert_string_equal(out, "");
		free(out);
	}
}

static void test_nsecs_exact(void **state)
{
	struct dt_hist_slots h;

	memset(&h, 0, sizeof(h));
	h.slots[3] = 1;
	h.slots[4] = 4;
	h.slots[6] = 2;
	/* rows 8..127 only (leading and trailing empty slots trimmed, the empty 32..63 kept) */
	expect(&h, DT_UNIT_NS, 80,
	       "         nsecs : count distribution\n"
	       "    8 -> 15    : 1     |" S10 B20 B10 "|\n"
	       "   16 -> 31    : 4     |" S40 "|\n"
	       "   32 -> 63    : 0     |" B40 "|\n"
	       "   64 -> 127   : 2     |" S20 B20 "|\n");
	/* 60 columns: 35 stars, floored (8.75 -> 8, 17.5 -> 17), every bar line 60 wide */
	expect(&h, DT_UNIT_NS, 60,
	       "         nsecs : count distribution\n"
	       "    8 -> 15    : 1     |" "********" B20 "       " "|\n"
	       "   16 -> 31    : 4     |" S20 S10 S5 "|\n"
	       "   32 -> 63    : 0     |" B20 B10 B5 "|\n"
	       "   64 -> 127   : 2     |" S10 "*******" B10 "        " "|\n");
}

/* The slots are of the display unit: rows are whole, non-overlapping ranges of it. */
static void test_usecs_rows_do_not_overlap(void **state)
{
	struct dt_hist_slots h;

	memset(&h, 0, sizeof(h));
	h.slots[0] = 6; /* 0..1 us */
	h.slots[2] = 2; /* 4..7 us */
	h.slots[3] = 1; /* 8..15 us */
	expect(&h, DT_UNIT_US, 80,
	       "         usecs : count distribution\n"
	       "    0 -> 1     : 6     |" S40 "|\n"
	       "    2 -> 3     : 0     |" B40 "|\n"
	       "    4 -> 7     : 2     |" S10 "***" B20 "       " "|\n"
	       "    8 -> 15    : 1     |" S5 "*" B20 B10 "    " "|\n");

	memset(&h, 0, sizeof(h));
	h.slots[0] = 7;
	expect(&h, DT_UNIT_US, 80,
	       "         usecs : count distribution\n"
	       "    0 -> 1     : 7     |" S40 "|\n");
	expect(&h, DT_UNIT_NS, 80,
	       "         nsecs : count distribution\n"
	       "    0 -> 1     : 7     |" S40 "|\n");
}

static void test_msecs(void **state)
{
	struct dt_hist_slots h;

	memset(&h, 0, sizeof(h));
	h.slots[0] = 1; /* below 2 ms */
	h.slots[1] = 2; /* 2..3 ms */
	expect(&h, DT_UNIT_MS, 80,
	       "         msecs : count distribution\n"
	       "    0 -> 1     : 1     |" S20 B20 "|\n"
	       "    2 -> 3     : 2     |" S40 "|\n");
}

static void test_open_ended_last_slot(void **state)
{
	struct dt_hist_slots h;

	memset(&h, 0, sizeof(h));
	h.slots[DT_MAX_SLOTS - 2] = 1;
	h.slots[DT_MAX_SLOTS - 1] = 5;
	expect(&h, DT_UNIT_US, 80,
	       "                   usecs : count distribution\n"
	       "1073741824 -> 2147483647 : 1     |" S5 "***" B20 B10 "  " "|\n"
	       "2147483648 -> inf        : 5     |" S40 "|\n");

	memset(&h, 0, sizeof(h));
	h.slots[DT_MAX_SLOTS - 1] = 1;
	expect(&h, DT_UNIT_NS, 80,
	       "              nsecs : count distribution\n"
	       "2147483648 -> inf   : 1     |" S40 "|\n");
}

/* bcc's print_stars(): count * width / max, floored, so a small count next to a large one
 * shows no star (its count column still says it is there). */
static void test_bars_are_floored(void **state)
{
	struct dt_hist_slots h;

	memset(&h, 0, sizeof(h));
	h.slots[4] = 1;
	h.slots[5] = 100;
	h.slots[6] = 99;
	expect(&h, DT_UNIT_US, 80,
	       "         usecs : count distribution\n"
	       "   16 -> 31    : 1     |" B40 "|\n"
	       "   32 -> 63    : 100   |" S40 "|\n"
	       "   64 -> 127   : 99    |" S20 S10 S5 "****" " " "|\n");
}

/* 10-digit bounds and counts leave no room for a bar in 40 columns: rows without one. */
static void test_no_room_no_bar(void **state)
{
	struct dt_hist_slots h;

	memset(&h, 0, sizeof(h));
	h.slots[DT_MAX_SLOTS - 2] = 4000000000ULL;
	h.slots[DT_MAX_SLOTS - 1] = 1;
	expect(&h, DT_UNIT_US, 40,
	       "                   usecs : count\n"
	       "1073741824 -> 2147483647 : 4000000000\n"
	       "2147483648 -> inf        : 1\n");
}

static void test_trim_single_middle_slot(void **state)
{
	struct dt_hist_slots h;

	memset(&h, 0, sizeof(h));
	h.slots[20] = 3;
	expect(&h, DT_UNIT_NS, 80,
	       "             nsecs : count distribution\n"
	       "1048576 -> 2097151 : 3     |" S40 "|\n");
}

/* Parses a row "LOW -> HIGH : COUNT |***   |": the count and the number of stars. */
static void parse_row(const char *line, uint64_t *count, int *stars, int *bar_width)
{
	const char *colon = strstr(line, " : ");
	const char *open = strchr(line, '|');
	const char *close = strrchr(line, '|');

	assert_non_null(strstr(line, " -> "));
	assert_non_null(colon);
	assert_non_null(open);
	assert_true(close > open);
	*count = strtoull(colon + 3, NULL, 10);
	*stars = (int)strspn(open + 1, "*");
	*bar_width = (int)(close - open - 1);
	for (const char *p = open + 1 + *stars; p < close; p++)
		assert_int_equal(*p, ' ');
}

static void check_layout(const struct dt_hist_slots *h, enum dt_unit unit, int width)
{
	char *out = render(h, unit, width), *save = NULL;
	uint64_t counts[DT_MAX_SLOTS], max = 0, sum = 0;
	int stars[DT_MAX_SLOTS], n = 0, bar = -1, lines = 0;

	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int w;

		if ((int)strlen(line) > width)
			fail_msg("%d-column line too long (%zu): '%s'", width, strlen(line), line);
		if (lines++ == 0) {
			assert_non_null(strstr(line, dt_unit_name(unit)));
			assert_non_null(strstr(line, "count"));
			assert_non_null(strstr(line, "distribution"));
			continue;
		}
		assert_true(n < DT_MAX_SLOTS);
		parse_row(line, &counts[n], &stars[n], &w);
		if (bar < 0)
			bar = w;
		assert_int_equal(w, bar); /* every bar equally wide */
		if (counts[n] > max)
			max = counts[n];
		sum += counts[n];
		n++;
	}
	assert_true(n > 0);
	assert_true(bar >= 10 && bar <= 40);
	/* nothing lost by merging or trimming */
	assert_int_equal(sum, dt_hist_count(h));
	for (int i = 0; i < n; i++) {
		double exact = (double)counts[i] * bar / (double)max;

		if (counts[i] == max)
			assert_int_equal(stars[i], bar);
		if (!counts[i])
			assert_int_equal(stars[i], 0);
		/* floored: never more than the exact share, less by under one star */
		assert_true(stars[i] <= exact + 1e-9 && stars[i] > exact - 1);
		for (int k = 0; k < n; k++)
			if (counts[i] > counts[k])
				assert_true(stars[i] >= stars[k]);
	}
	free(out);
}

static void test_layout_properties(void **state)
{
	static const int widths[] = { 80, 60 };
	struct dt_hist_slots h;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (int round = 0; round < 40; round++) {
		memset(&h, 0, sizeof(h));
		for (int i = 0; i < DT_MAX_SLOTS; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* about half empty; some tiny, some with 12-digit counts */
			if (x & 1)
				h.slots[i] = (x >> 8) % (round & 1 ? 1000000000000ULL : 50);
		}
		if (round == 0) /* the full range, open-ended slot included */
			h.slots[0] = h.slots[DT_MAX_SLOTS - 1] = 1;
		if (!dt_hist_count(&h))
			h.slots[round % DT_MAX_SLOTS] = 1;
		for (int u = DT_UNIT_NS; u <= DT_UNIT_MS; u++)
			for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
				check_layout(&h, (enum dt_unit)u, widths[w]);
	}
}

static void test_width_40_typical(void **state)
{
	struct dt_hist_slots h;

	memset(&h, 0, sizeof(h));
	h.slots[10] = 120;
	h.slots[11] = 3400;
	h.slots[14] = 9;
	check_layout(&h, DT_UNIT_US, 40);
	check_layout(&h, DT_UNIT_NS, 40);
}

/* The percentile is the slot whose cumulative count first reaches ceil(p% of n). */
static void test_percentiles(void **state)
{
	struct dt_hist_slots h = {};

	assert_int_equal(dt_hist_percentile(&h, 50), -1);
	h.slots[4] = 1; /* one sample: every percentile is its slot */
	assert_int_equal(dt_hist_percentile(&h, 50), 4);
	assert_int_equal(dt_hist_percentile(&h, 99), 4);
	h = (struct dt_hist_slots){};
	h.slots[2] = 50, h.slots[5] = 40, h.slots[7] = 9, h.slots[20] = 1;
	assert_int_equal(dt_hist_percentile(&h, 50), 2);  /* rank 50: the last of slot 2 */
	assert_int_equal(dt_hist_percentile(&h, 90), 5);  /* rank 90 */
	assert_int_equal(dt_hist_percentile(&h, 99), 7);  /* rank 99 */
	assert_int_equal(dt_hist_percentile(&h, 100), 20);
	h.slots[2] = 51; /* n 101: p50 is rank 51, still slot 2; p99 rank 100 is slot 7 */
	assert_int_equal(dt_hist_percentile(&h, 50), 2);
	assert_int_equal(dt_hist_percentile(&h, 99), 7);
	h = (struct dt_hist_slots){};
	h.slots[1] = 1, h.slots[2] = 1, h.slots[3] = 1; /* ceil: p50 of 3 is the 2nd sample */
	assert_int_equal(dt_hist_percentile(&h, 50), 2);
	assert_int_equal(dt_hist_percentile(&h, 90), 3);
	h = (struct dt_hist_slots){};
	h.slots[0] = UINT64_MAX, h.slots[31] = UINT64_MAX; /* sums past 64 bits do not wrap */
	assert_int_equal(dt_hist_percentile(&h, 50), 0);
	assert_int_equal(dt_hist_percentile(&h, 99), 31);
}

static char *render_percentiles(const struct dt_hist_slots *h, enum dt_unit unit, int width)
{
	struct dt_capture c;

	dt_capture_begin(&c);
	dt_hist_print_percentiles(c.f, h, unit, width);
	dt_capture_end(&c);
	return c.buf;
}

/* One line when it fits, in the display unit's slot bounds; wrapped between items when not;
 * nothing for an empty histogram. */
static void test_percentile_line(void **state)
{
	struct dt_hist_slots h = {};
	char *got = render_percentiles(&h, DT_UNIT_US, 80);

	assert_string_equal(got, "");
	free(got);
	h.slots[2] = 50, h.slots[5] = 40, h.slots[7] = 9, h.slots[31] = 1;
	got = render_percentiles(&h, DT_UNIT_US, 80);
	assert_string_equal(got, "p50 4 -> 7, p90 32 -> 63, p99 128 -> 255 usecs\n");
	free(got);
	h = (struct dt_hist_slots){};
	h.slots[2] = 98, h.slots[31] = 2; /* p99 in the open-ended slot */
	got = render_percentiles(&h, DT_UNIT_NS, 80);
	assert_string_equal(got, "p50 4 -> 7, p90 4 -> 7, p99 2147483648 -> inf nsecs\n");
	free(got);
	got = render_percentiles(&h, DT_UNIT_NS, 40);
	assert_string_equal(got, "p50 4 -> 7, p90 4 -> 7,\np99 2147483648 -> inf nsecs\n");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_slot_range),
		cmocka_unit_test(test_slot_range_ns),
		cmocka_unit_test(test_empty_prints_nothing),
		cmocka_unit_test(test_nsecs_exact),
		cmocka_unit_test(test_usecs_rows_do_not_overlap),
		cmocka_unit_test(test_msecs),
		cmocka_unit_test(test_open_ended_last_slot),
		cmocka_unit_test(test_bars_are_floored),
		cmocka_unit_test(test_no_room_no_bar),
		cmocka_unit_test(test_trim_single_middle_slot),
		cmocka_unit_test(test_layout_properties),
		cmocka_unit_test(test_width_40_typical),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_percentile_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
