/* SPDX-License-Identifier: GPL-2.0 */
/* daxtrace top: the busiest files (or processes, -P) of each interval, as rates per second.
 * top_render.c builds, sorts and renders the rows of a snapshot (pure: tests/unit/test_top.c);
 * top.c drives the screen (clearing, the q key, the summary at the end) from the session loop. */
#ifndef DT_TOP_H
#define DT_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hist.h"
#include "snapshot.h"

#define DT_TOP_DEFAULT_ROWS 20

/* -s KEY: X(ID, name); every key sorts busiest first. */
#define DT_TOP_SORTS(X) X(FAULTS, "faults") X(PTE, "pte") X(PMD, "pmd") X(SYNC, "sync") \
	X(FALLBACKS, "fallbacks") X(P99, "p99")
#define DT_TOP_SORT_KEYS "faults, pte, pmd, sync, fallbacks, p99"
#define DT_TOP_ENUM(id, name) DT_TOP_SORT_##id,
enum dt_top_sort { DT_TOP_SORTS(DT_TOP_ENUM) DT_TOP_SORT_NR };
#undef DT_TOP_ENUM

/* The sort key named s, or -1. */
int dt_top_sort_parse(const char *s);
const char *dt_top_sort_name(int key);

/* One row: a file, or (-P) a process. */
struct dt_top_row {
	struct dt_inode_key key;   /* the file; a process row: the file it faulted most */
	struct dt_inode_rec *file; /* that file's record in the snapshot, or NULL */
	uint32_t pid;              /* a process row's process */
	char comm[DT_TASK_COMM_LEN];
	uint32_t files;            /* a process row: the files it faulted */
	uint64_t faults;           /* PTE + PMD fault attempts */
	bool have_counts;          /* c[] is known: always for files (see dt_top_proc_counts) */
	uint64_t c[DT_C_NR];
	const struct dt_hist_slots *sync; /* sync-fault latency, or NULL: P99 shows "-" */
};

struct dt_top_rows {
	struct dt_top_row *r;
	size_t n, cap;
};

/* The rows of s, one per inode row, or with procs one per process of s->procs; 0 or -1
 * without memory. The rows point into s. */
int dt_top_rows_build(struct dt_snapshot *s, bool procs, struct dt_top_rows *out);
/* Busiest first by key (a row without the value last), then by faults, then by file or pid. */
void dt_top_rows_sort(struct dt_top_rows *rows, int key);
void dt_top_rows_free(struct dt_top_rows *rows);

/* The seams for --hist-by (per-file and per-process histograms and counters). Until it is
 * merged they return NULL / false and the columns show "-". */
/* The sync-fault latency histogram of a row: of its file, or with procs of its process. */
const struct dt_hist_slots *dt_top_sync_hist(const struct dt_snapshot *s,
					     const struct dt_top_row *r, bool procs);
/* A process's counters (PTE, PMD, SYNC, FALLBK, ...) into c, or false when unknown. */
bool dt_top_proc_counts(const struct dt_snapshot *s, uint32_t pid, uint64_t c[DT_C_NR]);

/* Adds from's procs rows into to's, merging rows of the same (inode, process): the -P
 * summary over the whole run. 0, or -1 without memory. */
int dt_top_accumulate_procs(struct dt_snapshot *to, const struct dt_snapshot *from);

struct dt_top_view {
	int width;       /* terminal columns; below 40 taken as 40 */
	int height;      /* lines the screen has, 0: no limit (not a terminal, or -C) */
	uint32_t rows;   /* -r */
	bool procs;      /* -P */
	int sort;        /* -s */
	enum dt_unit unit;
	bool summary;    /* the whole run: counts, not rates */
	uint64_t wall_ns; /* CLOCK_REALTIME of the screen, for its clock */
};

/* One screen of s (rows sorted already): a header with the interval and its totals, the
 * column header, the rows, and what did not fit. Lines end in \n; nothing else is a control
 * character, whatever the names. */
void dt_top_render(FILE *out, const struct dt_top_view *v, struct dt_snapshot *s,
		   const struct dt_top_rows *rows);

#endif
