// SPDX-License-Identifier: GPL-2.0
/* daxtrace top's screen: one rendering per interval (src/top_render.c), cleared and redrawn
 * in place when the output is a terminal (and not -C), else printed one after the other; the
 * q key ends it where stdin is a terminal; the whole run's totals at the end. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "top_screen.h"

/* Inode rows the whole-run summary keeps; less active ones are folded into its totals. */
#define SUMMARY_ROWS 4096

/* Home, then erase the screen: drawn from the top, nothing scrolls. */
#define CLEAR "\033[H\033[2J"

void dt_top_begin(struct dt_top *t, const struct dt_config *cfg, FILE *out)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->out = out;
	t->tty = isatty(fileno(out)) == 1;
	t->clear = t->tty && !cfg->top_no_clear;
	dt_snapshot_init(&t->cum);
	/* keys only from a terminal that is ours alone (a COMMAND shares it) and whose foreground
	 * we are: changing the modes from the background would stop us with SIGTTOU */
	if (!cfg->command && isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp() &&
	    !tcgetattr(STDIN_FILENO, &t->saved)) {
		struct termios raw = t->saved;

		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO); /* ISIG stays: Ctrl-C is SIGINT */
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		t->keys = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
}

/* Columns and lines of the output: the terminal's, else COLUMNS (lines unlimited). */
static void screen_size(const struct dt_top *t, int *width, int *height)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	*width = 80;
	*height = 0;
	if (t->tty && !ioctl(fileno(t->out), TIOCGWINSZ, &ws) && ws.ws_col) {
		*width = ws.ws_col;
		/* the last line stays empty: a newline there would scroll the screen */
		if (t->clear)
			*height = ws.ws_row > 1 ? ws.ws_row - 1 : 1;
	} else if (cols && atoi(cols) > 0) {
		*width = atoi(cols);
	}
}

static void draw(struct dt_top *t, struct dt_snapshot *s, uint64_t wall_ns, bool summary)
{
	struct dt_top_view v = { .rows = t->cfg->top_rows, .procs = t->cfg->top_procs,
				 .sort = t->cfg->top_sort, .unit = t->cfg->unit,
				 .summary = summary, .wall_ns = wall_ns };
	struct dt_top_rows rows = {};

	screen_size(t, &v.width, &v.height);
	if (summary)
		v.height = 0;
	if (dt_top_rows_build(s, v.procs, &rows)) {
		fprintf(stderr, "daxtrace: out of memory building the rows of top\n");
		t->failed = true;
	}
	dt_top_rows_sort(&rows, v.sort);
	dt_top_render(t->out, &v, s, &rows);
	dt_top_rows_free(&rows);
}

void dt_top_screen(struct dt_top *t, struct dt_snapshot *s, uint64_t wall_ns)
{
	if (dt_snapshot_accumulate(&t->cum, s, SUMMARY_ROWS) || dt_top_accumulate_procs(&t->cum, s)) {
		fprintf(stderr, "daxtrace: out of memory adding up the intervals of top\n");
		t->failed = true;
	}
	if (t->clear)
		fputs(CLEAR, t->out);
	else if (t->screens)
		fputc('\n', t->out);
	draw(t, s, wall_ns, false);
	t->screens++;
	fflush(t->out);
}

bool dt_top_wait(struct dt_top *t, uint64_t deadline_ns)
{
	for (;;) {
		struct timespec ts;
		uint64_t now;
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		char c;
		int n;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
		if (now >= deadline_ns)
			return false;
		if (!t->keys) {
			ts.tv_sec = (time_t)((deadline_ns - now) / 1000000000ULL);
			ts.tv_nsec = (long)((deadline_ns - now) % 1000000000ULL);
			nanosleep(&ts, NULL);
			return false;
		}
		/* at most a second at a time: a long -i must not overflow the int */
		n = poll(&p, 1, deadline_ns - now > 1000000000ULL ? 1000 :
				(int)((deadline_ns - now + 999999) / 1000000));
		if (n < 0)
			return false; /* a signal: the loop looks at it */
		if (!n)
			continue;
		if (read(STDIN_FILENO, &c, 1) != 1) {
			t->keys = false; /* end of input: no more keys, sleep instead */
			continue;
		}
		if (c == 'q' || c == 'Q')
			return true;
	}
}

void dt_top_end(struct dt_top *t, bool summary, uint64_t wall_ns)
{
	if (t->keys) {
		/* sent to the background meanwhile (Ctrl-Z, bg), the modes are still put back: with
		 * SIGTTOU ignored, tcsetattr is not refused */
		struct sigaction ign = { .sa_handler = SIG_IGN }, old;

		sigaction(SIGTTOU, &ign, &old);
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
		sigaction(SIGTTOU, &old, NULL);
	}
	t->keys = false;
	if (summary) {
		fputc('\n', t->out);
		draw(t, &t->cum, wall_ns, true);
		fflush(t->out);
	}
	dt_snapshot_free(&t->cum);
}
