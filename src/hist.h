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

/* The nanosecond range of slot i: [low, high]. The last slot is open-ended (high = UINT64_MAX). */
void dt_slot_range_ns(int i, uint64_t *low, uint64_t *high);

/* Prints `low -> high : count |****|` lines within `width` columns (>= 40), trimming empty
 * slots at both ends; prints nothing for an empty histogram. Slots are merged when a display
 * unit coarser than ns makes several of them fall into the same range. */
void dt_hist_print(FILE *out, const struct dt_hist_slots *h, enum dt_unit unit, int width);

#endif
