/* SPDX-License-Identifier: GPL-2.0 */
/* What to do about what a report shows: the remedy of each fallback reason and advice topic
 * (include/dt_tables.h) that occurred, for the end of the final text report. */
#ifndef DT_ADVICE_H
#define DT_ADVICE_H

#include <stdint.h>
#include <stdio.h>
#include "snapshot.h"

#define DT_ENUM_A(id, ...) DT_A_##id,
enum dt_advice { DT_ADVICE(DT_ENUM_A) DT_A_NR };
#undef DT_ENUM_A

extern const char *const dt_fallback_remedies[DT_FB_NR];
extern const char *const dt_advice_names[DT_A_NR];
extern const char *const dt_advice_remedies[DT_A_NR];

/* How many events topic a is about in s (its counter, or the fsync samples for fsync_bound);
 * 0 when it does not apply. */
uint64_t dt_advice_count(const struct dt_snapshot *s, enum dt_advice a);
/* "What to do" and one wrapped paragraph per reason and topic that applies, within width
 * columns; nothing when none applies. */
void dt_report_advice(FILE *out, const struct dt_snapshot *s, int width);

#endif
