/* SPDX-License-Identifier: GPL-2.0 */
/* log2 latency histograms: bucket bounds in a display unit, and the text rendering. */
#ifndef DT_HIST_H
#define DT_HIST_H

#include <stdint.h>
#include <stdio.h>
#include "daxtrace.h"

enum dt_unit { DT_UNIT_NS, DT_UNIT_US, DT_UNIT_MS };

const char *dt_unit_name(enum dt_unit u); /* "nsecs", "usecs", "msecs" */
uint64_t dt_unit_div(enum dt_unit u);

/* BPF puts a latency in the slot of (ns / dt_unit_div(unit)), as bcc's tools do, so slot i holds
 * [2^i, 2^(i+1)) display units (slot 0 also holds 0). Its bounds in display units, [low, high]:
 * 0 -> 1, 2 -> 3, 4 -> 7, ...; the last slot is open-ended (high = UINT64_MAX). */
void dt_slot_range(int i, uint64_t *low, uint64_t *high);
/* The same slot in ns, exact: [low * div, (high + 1) * div - 1]; open-ended at the top. */
void dt_slot_range_ns(int i, enum dt_unit unit, uint64_t *low, uint64_t *high);

/* Prints `low -> high : count |****|` lines within `width` columns (>= 40), trimming empty
 * slots at both ends; prints nothing for an empty histogram. Bars are floored as in bcc's
 * print_log2_hist (count * bar / max), so a count far below the largest may show no star. When
 * the numbers leave no room for a bar, rows have none. */
void dt_hist_print(FILE *out, const struct dt_hist_slots *h, enum dt_unit unit, int width);

/* The percentiles every histogram reports, as the slot that holds each: the smallest slot whose
 * cumulative count reaches ceil(p% of all samples). */
#define DT_PERCENTILES(X) X(50) X(90) X(99)
/* The slot holding percentile pct (1..100) of h, or -1 for an empty histogram. */
int dt_hist_percentile(const struct dt_hist_slots *h, unsigned pct);
/* "p50 LOW -> HIGH, p90 ..., p99 ... UNIT", wrapped between items to width columns (an item
 * is at most 52); nothing for an empty histogram. */
void dt_hist_print_percentiles(FILE *out, const struct dt_hist_slots *h, enum dt_unit unit,
			       int width);

#endif
