// SPDX-License-Identifier: GPL-2.0
#include "names.h"

/* From include/dt_tables.h. The counter, reason and diagnostic names are the JSON keys of the
 * documented schema (docs/JSON.md): never rename. */
#define NAME_C(id, key, ...) [DT_C_##id] = key,
const char *const dt_counter_names[DT_C_NR] = { DT_COUNTERS(NAME_C) };

#define NAME_FB(id, name, ...) [DT_FB_##id] = name,
const char *const dt_fallback_names[DT_FB_NR] = { DT_FALLBACKS(NAME_FB) };

#define NAME_H(id, name, ...) [DT_H_##id] = name,
const char *const dt_hist_names[DT_H_NR] = { DT_HISTS(NAME_H) };

#define NAME_D(id, name, ...) [DT_D_##id] = name,
const char *const dt_diag_names[DT_D_NR] = { DT_DIAGS(NAME_D) };

#define NAME_E(id, name) [DT_E_##id] = name,
const char *const dt_event_names[DT_E_NR] = { DT_EVENTS(NAME_E) };

