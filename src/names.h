/* SPDX-License-Identifier: GPL-2.0 */
/* The one place that names counters, reasons, histograms and events, for every output. */
#ifndef DT_NAMES_H
#define DT_NAMES_H

#include "daxtrace.h"

extern const char *const dt_counter_names[DT_C_NR];
extern const char *const dt_fallback_names[DT_FB_NR];
extern const char *const dt_hist_names[DT_H_NR];
extern const char *const dt_diag_names[DT_D_NR];
extern const char *const dt_event_names[DT_E_NR];

#endif
