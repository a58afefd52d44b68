/* SPDX-License-Identifier: GPL-2.0 */
/* `daxtrace map PATH...`: what the kernel does, block by 2 MiB block, when a file is read
 * through a 2 MiB-aligned shared mapping. This header is the pure part (src/map_render.c):
 * the per-block answer made from daxtrace's own events, the verdict line, the text strip
 * and the JSON; src/map.c opens, maps, touches and traces. */
#ifndef DT_MAP_H
#define DT_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cli.h"
#include "daxtrace.h"
#include "json_writer.h"

#define DT_MAP_BLOCK DT_PMD_SIZE
/* Blocks examined per file (4 TiB of file): the table costs 8 bytes a block. Blocks after it
 * are reported as not examined, with their count. */
#define DT_MAP_MAX_BLOCKS (1u << 21)

enum dt_map_kind {
	DT_MAP_NOT_REACHED, /* no PMD attempt seen for the block (yet) */
	DT_MAP_PMD,
	DT_MAP_FALLBACK,
	DT_MAP_HOLE, /* hole or unwritten extent: the huge zero page */
	DT_MAP_NR,
};

/* Why a block was not reached, when it was not. */
enum dt_map_why {
	DT_MAP_WHY_NONE,
	DT_MAP_WHY_NO_ATTEMPT, /* the kernel made no PMD attempt (THP off for the process or VMA) */
	DT_MAP_WHY_FAULT_ERROR, /* the PMD attempt failed (result in `result`) */
	DT_MAP_WHY_NOT_TOUCHED, /* beyond DT_MAP_MAX_BLOCKS */
	DT_MAP_WHY_NR,
};

struct dt_map_block {
	uint8_t kind;      /* enum dt_map_kind */
	uint8_t reason;    /* enum dt_fallback_reason, for DT_MAP_FALLBACK */
	uint8_t why;       /* enum dt_map_why, for DT_MAP_NOT_REACHED */
	uint8_t signal;    /* the signal reading the block's first byte raised, or 0 */
	uint8_t pte_hole;  /* after the fallback, the PTE fault loaded the zero page */
	uint8_t attempts;  /* PMD attempts seen (kernels from 6.12 retry a fallback once) */
	uint16_t result;   /* the last dax_pmd_fault_done result */
};

struct dt_map_file {
	const char *path;
	uint32_t kdev; /* the kernel's encoding, as the events carry it */
	uint64_t ino;
	uint64_t size;
	uint64_t nblocks;   /* ceil(size / 2 MiB) */
	uint64_t examined;  /* blocks in the table: min(nblocks, DT_MAP_MAX_BLOCKS) */
	struct dt_map_block *blocks;
	uint32_t tid;       /* the thread that touched the blocks: events of others are ignored */
	uint64_t foreign;   /* events for this file from another thread (none expected) */
};

/* Applies one of daxtrace's ring-buffer events to the file's blocks. */
void dt_map_apply(struct dt_map_file *f, const struct dt_event *e);
/* After the touch: blocks without any PMD attempt get their reason. */
void dt_map_finish(struct dt_map_file *f);

/* One character per block in the text strip, and the legend that explains them. */
char dt_map_char(const struct dt_map_block *b);
void dt_map_legend(FILE *out, int width);
/* "37 of 40 blocks map as 2 MiB; 3 fall back: extent_short at 4 MiB, 10 MiB, 22 MiB" */
void dt_map_verdict(const struct dt_map_file *f, char *buf, size_t len);
/* The file's header line, strip (wrapped to width, the offset at each line start) and verdict. */
void dt_map_text(FILE *out, const struct dt_map_file *f, int width);
/* The file's object in the "files" array. */
void dt_map_json(struct dt_json *j, const struct dt_map_file *f);
const char *dt_map_kind_name(unsigned kind);
const char *dt_map_why_name(unsigned why);

int dt_run_map(const struct dt_config *cfg);

#endif
