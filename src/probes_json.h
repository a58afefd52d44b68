/* SPDX-License-Identifier: GPL-2.0 */
/* The "probes" and "probe_notes" members of a JSON object (docs/JSON.md), shared by
 * `check --json` and the report documents. */
#ifndef DT_PROBES_JSON_H
#define DT_PROBES_JSON_H

#include <stdbool.h>
#include "json_writer.h"
#include "probes.h"

/* "probes": each hook's mode; "probe_notes": the note of each hook that has one. A report
 * leaves out the notes of attached hooks (all_notes false): it says what the run lacks, and
 * check says how each hook runs. hooks may be NULL: both objects are then empty. */
void dt_json_probes(struct dt_json *j, const struct dt_hooks *hooks, bool all_notes);

#endif
