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

void dt_slot_range(int i, uint64_t *low, uint64_t *high)
{
	*low = i == 0 ? 0 : 1ULL << i;
	*high = i >= DT_MAX_SLOTS - 1 ? UINT64_MAX : (2ULL << i) - 1;
}

void dt_slot_range_ns(int i, enum dt_unit unit, uint64_t *low, uint64_t *high)
{
	uint64_t div = dt_unit_div(unit);

	dt_slot_range(i, low, high);
	*low *= div;
	if (*high != UINT64_MAX)
		*high = (*high + 1) * div - 1;
}

/* Slot i's bounds as text, "inf" for the open-ended top: returns the length of `hi`. */
static int bounds(int i, char *lo, char *hi, size_t len)
{
	uint64_t l, h;

	dt_slot_range(i, &l, &h);
	snprintf(lo, len, "%" PRIu64, l);
	if (h == UINT64_MAX)
		return snprintf(hi, len, "inf");
	return snprintf(hi, len, "%" PRIu64, h);
}

void dt_hist_print(FILE *out, const struct dt_hist_slots *h, enum dt_unit unit, int width)
{
	int first = -1, last = -1, stars;
	uint64_t max = 0;
	char lo[24], hi[24], cnt[24];
	int wl = 5, wh = 5, wc = 5;

	for (int i = 0; i < DT_MAX_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (h->slots[i] > max)
			max = h->slots[i];
	}
	if (first < 0)
		return;
	for (int i = first; i <= last; i++) {
		int k = bounds(i, lo, hi, sizeof(lo));
		int l = (int)strlen(lo);
		int c = snprintf(cnt, sizeof(cnt), "%" PRIu64, (uint64_t)h->slots[i]);

		if (l > wl) wl = l;
		if (k > wh) wh = k;
		if (c > wc) wc = c;
	}
	/* "LOW -> HIGH : COUNT |stars|": the bar takes what the width leaves, up to 40; when the
	 * numbers leave no room at all (10-digit bounds and counts in 40 columns), no bar */
	stars = width - (wl + 4 + wh + 3 + wc + 3);
	if (stars > 40)
		stars = 40;
	if (stars < 1)
		stars = 0;
	fprintf(out, "%*s%-*s : %-*s", wl + 4 + wh - (int)strlen(dt_unit_name(unit)), "",
		(int)strlen(dt_unit_name(unit)), dt_unit_name(unit), stars ? wc : 0, "count");
	if (stars)
		fprintf(out, " %.*s", stars + 2, "distribution");
	fputc('\n', out);
	for (int i = first; i <= last; i++) {
		/* floored, as bcc's print_stars(); 128 bits so that huge counts cannot wrap */
		int s = stars ? (int)((unsigned __int128)h->slots[i] * (unsigned)stars / max) : 0;
		char bar[64];

		memset(bar, '*', (size_t)s);
		bar[s] = 0;
		bounds(i, lo, hi, sizeof(lo));
		fprintf(out, "%*s -> %-*s : %-*" PRIu64, wl, lo, wh, hi, stars ? wc : 0,
			(uint64_t)h->slots[i]);
		if (stars)
			fprintf(out, " |%-*s|", stars, bar);
		fputc('\n', out);
	}
}

int dt_hist_percentile(const struct dt_hist_slots *h, unsigned pct)
{
	unsigned __int128 n = 0, seen = 0, rank;

	for (int i = 0; i < DT_MAX_SLOTS; i++)
		n += h->slots[i];
	if (!n)
		return -1;
	rank = (n * pct + 99) / 100; /* ceil, in 128 bits: counts are u64 */
	if (!rank)
		rank = 1;
	for (int i = 0; i < DT_MAX_SLOTS; i++) {
		seen += h->slots[i];
		if (seen >= rank)
			return i;
	}
	return DT_MAX_SLOTS - 1;
}

void dt_hist_print_percentiles(FILE *out, const struct dt_hist_slots *h, enum dt_unit unit,
			       int width)
{
#define PCT(p) p,
	static const unsigned pcts[] = { DT_PERCENTILES(PCT) };
	size_t n = sizeof(pcts) / sizeof(pcts[0]);
	char item[80], lo[24], hi[24];
	int col = 0;

	if (dt_hist_percentile(h, 50) < 0)
		return;
	for (size_t k = 0; k < n; k++) {
		int len;

		bounds(dt_hist_percentile(h, pcts[k]), lo, hi, sizeof(lo));
		/* the unit after the last one, a comma after the others */
		len = snprintf(item, sizeof(item), "p%u %s -> %s%s%s", pcts[k], lo, hi,
			       k + 1 < n ? "," : " ", k + 1 < n ? "" : dt_unit_name(unit));
		if (col && col + 1 + len > width) {
			fputc('\n', out);
			col = 0;
		}
		col += fprintf(out, "%s%s", col ? " " : "", item);
	}
	fputc('\n', out);
}
