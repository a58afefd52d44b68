/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the BPF maps and globals into a snapshot; optionally resetting them (interval mode). */
#ifndef DT_COLLECT_H
#define DT_COLLECT_H

#include <stdbool.h>
#include "snapshot.h"

struct daxtrace_bpf;

/* Reads everything since start; with reset, what happened since the last reset, which this
 * read then becomes (and every later read, reset or not, counts from there). */
int dt_collect(struct daxtrace_bpf *skel, struct dt_snapshot *s, bool reset);
/* Frees what interval reads keep between calls. */
void dt_collect_end(void);
/* Drops in-flight sequences idle for longer than max_idle_ns (threads that exited
 * mid-fault); counts the abandoned ones as stale. Returns the number still open. */
uint64_t dt_sweep_inflight(struct daxtrace_bpf *skel, uint64_t max_idle_ns);

#endif
