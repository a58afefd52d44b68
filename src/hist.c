// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include "hist.h"

const char *dt_unit_name(enum dt_unit u)
{
	return u == DT_UNIT_NS ? "nsecs" : u == DT_UNIT_MS ? "msecs" : "usecs";
}

uint64_t dt_unit_div(enum dt_unit u)
{
	return u == DT_UNIT_NS ? 1 : u == DT_UNIT_MS ? 1000000 : 1000;
}

void dt_slot_range_ns(int i, uint64_t *low, uint64_t *high)
{
	*low = i == 0 ? 0 : 1ULL << i;
	*high = i >= DT_MAX_SLOTS - 1 ? UINT64_MAX : (2ULL << i) - 1;
}

/* Rows in display units: slots whose ranges collapse to the same [low, high] are summed. */
struct row {
	uint64_t low, high, count;
	int open_ended;
};

static int build_rows(const struct dt_hist_slots *h, enum dt_unit unit, struct row *rows)
{
	uint64_t div = dt_unit_div(unit);
	int n = 0;

	for (int i = 0; i < DT_MAX_SLOTS; i++) {
		uint64_t lo, hi;

		dt_slot_range_ns(i, &lo, &hi);
		lo /= div;
		if (hi != UINT64_MAX)
			hi /= div;
		/* slots below one display unit all start at 0: one row for them */
		if (n && rows[n - 1].low == lo) {
			rows[n - 1].high = hi;
			rows[n - 1].open_ended = hi == UINT64_MAX;
			rows[n - 1].count += h->slots[i];
			continue;
		}
		rows[n].low = lo;
		rows[n].high = hi;
		rows[n].count = h->slots[i];
		rows[n].open_ended = hi == UINT64_MAX;
		n++;
	}
	return n;
}

void dt_hist_print(FILE *out, const struct dt_hist_slots *h, enum dt_unit unit, int width)
{
	struct row rows[DT_MAX_SLOTS];
	int n = build_rows(h, unit, rows), first = -1, last = -1, stars;
	uint64_t max = 0;
	char lo[24], hi[24];
	int wl = 5, wh = 5, wc = 5;

	for (int i = 0; i < n; i++) {
		if (!rows[i].count)
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (rows[i].count > max)
			max = rows[i].count;
	}
	if (first < 0)
		return;
	for (int i = first; i <= last; i++) {
		int l = snprintf(lo, sizeof(lo), "%" PRIu64, rows[i].low);
		int k = rows[i].open_ended ? 3 : snprintf(hi, sizeof(hi), "%" PRIu64, rows[i].high);
		int c = snprintf(lo, sizeof(lo), "%" PRIu64, rows[i].count);

		if (l > wl) wl = l;
		if (k > wh) wh = k;
		if (c > wc) wc = c;
	}
	/* "LOW -> HIGH : COUNT |stars|" */
	/* the bar takes what the width leaves, up to 40, at least 1 */
	stars = width - (wl + 4 + wh + 3 + wc + 3);
	if (stars > 40)
		stars = 40;
	if (stars < 1)
		stars = 1;
	fprintf(out, "%*s%-*s : %-*s %.*s\n", wl + 4 + wh - (int)strlen(dt_unit_name(unit)), "",
		(int)strlen(dt_unit_name(unit)), dt_unit_name(unit), wc, "count", stars + 2,
		"distribution");
	for (int i = first; i <= last; i++) {
		int s = (int)((rows[i].count * (uint64_t)stars + max - 1) / max);
		char bar[64];

		if (!rows[i].count)
			s = 0;
		memset(bar, '*', (size_t)s);
		bar[s] = 0;
		snprintf(lo, sizeof(lo), "%" PRIu64, rows[i].low);
		if (rows[i].open_ended)
			snprintf(hi, sizeof(hi), "inf");
		else
			snprintf(hi, sizeof(hi), "%" PRIu64, rows[i].high);
		fprintf(out, "%*s -> %-*s : %-*" PRIu64 " |%-*s|\n", wl, lo, wh, hi, wc,
			rows[i].count, stars, bar);
	}
}
