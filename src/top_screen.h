/* SPDX-License-Identifier: GPL-2.0 */
/* daxtrace top's screen and keys (src/top.c), called from the session loop (src/session.c). */
#ifndef DT_TOP_SCREEN_H
#define DT_TOP_SCREEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h>
#include "cli.h"
#include "top.h"

struct dt_top {
	const struct dt_config *cfg;
	FILE *out;
	bool tty;       /* out is a terminal: its size is known */
	bool clear;     /* ... and no -C: each screen replaces the last */
	bool keys;      /* stdin is a terminal in non-canonical mode: q quits */
	bool failed;    /* out of memory: exit 1 */
	struct termios saved;
	struct dt_snapshot cum; /* every interval added up, for the summary */
	unsigned screens;
};

/* Sets up the screen (and stdin for keys where it is a terminal of ours alone). */
void dt_top_begin(struct dt_top *t, const struct dt_config *cfg, FILE *out);
/* One interval's screen; adds s to the summary. */
void dt_top_screen(struct dt_top *t, struct dt_snapshot *s, uint64_t wall_ns);
/* Sleeps until deadline_ns (CLOCK_MONOTONIC), a signal, or a key; true if it was q. */
bool dt_top_wait(struct dt_top *t, uint64_t deadline_ns);
/* Gives the terminal back; with summary, prints the whole run's totals first. */
void dt_top_end(struct dt_top *t, bool summary, uint64_t wall_ns);

#endif
