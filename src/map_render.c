// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include "map.h"
#include "names.h"
#include "paths.h"
#include "trace_stream.h"
#include "untrusted.h"

/* One letter per fallback reason, in the order of DT_FALLBACKS: a new reason must get one. */
static const char fb_letters[] = "mcsveXSzudU";
_Static_assert(sizeof(fb_letters) - 1 == DT_FB_NR, "one strip letter per DT_FALLBACKS reason");

static const char *const kind_names[DT_MAP_NR] = { "not_reached", "pmd", "fallback", "hole" };
static const char *const why_names[DT_MAP_WHY_NR] = { NULL, "no_pmd_attempt", "pmd_failed",
						       "beyond_block_table" };

const char *dt_map_kind_name(unsigned kind)
{
	return kind < DT_MAP_NR ? kind_names[kind] : "?";
}

const char *dt_map_why_name(unsigned why)
{
	return why < DT_MAP_WHY_NR && why_names[why] ? why_names[why] : "";
}

void dt_map_apply(struct dt_map_file *f, const struct dt_event *e)
{
	struct dt_map_block *b;
	uint64_t blk;

	if (e->dev != f->kdev || e->ino != f->ino)
		return;
	if (f->tid && e->tid != f->tid) {
		f->foreign++;
		return;
	}
	blk = e->pgoff >> 9; /* 512 pages of 4 KiB per block */
	if (blk >= f->examined)
		return;
	b = &f->blocks[blk];
	switch (e->type) {
	case DT_E_PMD_DONE:
		if (b->attempts < UINT8_MAX)
			b->attempts++;
		b->result = (uint16_t)e->result;
		if (e->result == DT_VM_FAULT_FALLBACK) {
			b->kind = DT_MAP_FALLBACK;
			b->reason = e->fallback && e->fallback <= DT_FB_NR ? e->fallback - 1 : DT_FB_UNKNOWN;
		} else if ((e->result & DT_VM_FAULT_FAULT_ERROR) || !(e->result & DT_VM_FAULT_NOPAGE)) {
			b->kind = DT_MAP_NOT_REACHED;
			b->why = DT_MAP_WHY_FAULT_ERROR;
		} else if (b->kind != DT_MAP_HOLE) { /* the hole load came first, same attempt */
			b->kind = DT_MAP_PMD;
		}
		break;
	case DT_E_PMD_LOAD_HOLE:
		b->kind = DT_MAP_HOLE;
		break;
	case DT_E_LOAD_HOLE:
		b->pte_hole = 1;
		break;
	default:
		break;
	}
}

void dt_map_finish(struct dt_map_file *f)
{
	for (uint64_t i = 0; i < f->examined; i++) {
		struct dt_map_block *b = &f->blocks[i];

		if (b->kind == DT_MAP_NOT_REACHED && !b->attempts)
			b->why = DT_MAP_WHY_NO_ATTEMPT;
		if (b->kind != DT_MAP_FALLBACK)
			b->pte_hole = 0;
	}
}

char dt_map_char(const struct dt_map_block *b)
{
	if (b->signal)
		return '!';
	switch (b->kind) {
	case DT_MAP_PMD:
		return 'H';
	case DT_MAP_HOLE:
		return '.';
	case DT_MAP_FALLBACK:
		return b->reason < DT_FB_NR ? fb_letters[b->reason] : '?';
	default:
		return '-';
	}
}

/* Legend items, each whole on a line, wrapped to the width under an indent. */
struct legend {
	FILE *out;
	int width, col, indent;
};

static void legend_item(struct legend *l, const char *fmt, char c, const char *text)
{
	char item[96];
	int w = snprintf(item, sizeof(item), fmt, c, text);

	if (l->col > l->indent && l->col + 2 + w > l->width) {
		fprintf(l->out, "\n%*s", l->indent, "");
		l->col = l->indent;
	} else if (l->col > l->indent) {
		l->col += fprintf(l->out, "  ");
	}
	l->col += fprintf(l->out, "%s", item);
}

void dt_map_legend(FILE *out, int width)
{
	struct legend l = { .out = out, .width = width, .indent = 8 };

	l.col = fprintf(out, "legend: ");
	legend_item(&l, "%c %s", 'H', "PMD (2 MiB)");
	legend_item(&l, "%c %s", '.', "hole/unwritten");
	legend_item(&l, "%c %s", '-', "not reached");
	legend_item(&l, "%c %s", '!', "read failed");
	l.col = fprintf(out, "\n%*sfallback to 4 KiB:", l.indent, "") - 1;
	for (int i = 0; i < DT_FB_NR; i++)
		legend_item(&l, "%c %s", fb_letters[i], dt_fallback_names[i]);
	fputc('\n', out);
}

/* "4 MiB", or "1.5 GiB" above 1 GiB. */
static int offset_str(char *buf, size_t len, uint64_t off)
{
	if (off >= (1ULL << 30) && off % (1ULL << 30) == 0)
		return snprintf(buf, len, "%" PRIu64 " GiB", off >> 30);
	return snprintf(buf, len, "%" PRIu64 " MiB", off >> 20);
}

#define VERDICT_OFFSETS 8 /* offsets listed per fallback reason; the rest are counted */

void dt_map_verdict(const struct dt_map_file *f, char *buf, size_t len)
{
	uint64_t n[DT_MAP_NR] = {}, fb[DT_FB_NR] = {}, errors = 0;
	size_t used = 0;

#define PUT(...) (used += (size_t)snprintf(buf + used, used < len ? len - used : 0, __VA_ARGS__))
	if (!len)
		return;
	buf[0] = 0;
	for (uint64_t i = 0; i < f->examined; i++) {
		const struct dt_map_block *b = &f->blocks[i];

		n[b->kind < DT_MAP_NR ? b->kind : DT_MAP_NOT_REACHED]++;
		if (b->kind == DT_MAP_FALLBACK && b->reason < DT_FB_NR)
			fb[b->reason]++;
		errors += b->signal != 0;
	}
	if (!f->nblocks) {
		PUT("empty file: no blocks");
		return;
	}
	PUT("%" PRIu64 " of %" PRIu64 " block%s map%s as 2 MiB", n[DT_MAP_PMD], f->nblocks,
	    f->nblocks == 1 ? "" : "s", f->nblocks == 1 ? "s" : "");
	if (n[DT_MAP_FALLBACK]) {
		PUT("; %" PRIu64 " fall%s back:", n[DT_MAP_FALLBACK], n[DT_MAP_FALLBACK] == 1 ? "s" : "");
		for (int r = 0, first = 1; r < DT_FB_NR; r++) {
			uint64_t listed = 0;

			if (!fb[r])
				continue;
			PUT("%s %s at", first ? "" : ";", dt_fallback_names[r]);
			first = 0;
			for (uint64_t i = 0; i < f->examined && listed < VERDICT_OFFSETS; i++) {
				const struct dt_map_block *b = &f->blocks[i];
				char off[32];

				if (b->kind != DT_MAP_FALLBACK || b->reason != r)
					continue;
				offset_str(off, sizeof(off), i * DT_MAP_BLOCK);
				PUT("%s %s", listed ? "," : "", off);
				listed++;
			}
			if (fb[r] > listed)
				PUT(" and %" PRIu64 " more", fb[r] - listed);
		}
	}
	if (n[DT_MAP_HOLE])
		PUT("; %" PRIu64 " hole%s (zero page)", n[DT_MAP_HOLE], n[DT_MAP_HOLE] == 1 ? "" : "s");
	if (n[DT_MAP_NOT_REACHED] + (f->nblocks - f->examined))
		PUT("; %" PRIu64 " not reached", n[DT_MAP_NOT_REACHED] + (f->nblocks - f->examined));
	if (errors)
		PUT("; %" PRIu64 " read%s failed", errors, errors == 1 ? "" : "s");
#undef PUT
}

void dt_map_text(FILE *out, const struct dt_map_file *f, int width)
{
	char path[DT_UNTRUSTED_TEXT_SIZE(4096)], dev[16], verdict[1024], label[32];
	size_t plen = strlen(f->path);
	int lw, per_line;

	dt_untrusted_text(path, sizeof(path), f->path, plen < 4096 ? plen : 4096);
	dt_format_dev(f->kdev, dev, sizeof(dev));
	fprintf(out, "%s  (dev %s ino %" PRIu64 ", %" PRIu64 " bytes, %" PRIu64 " block%s of 2 MiB)\n",
		path, dev, f->ino, f->size, f->nblocks, f->nblocks == 1 ? "" : "s");
	/* the widest offset label decides the column, so the strips line up */
	/* always MiB, so that a column reads as one scale */
	lw = snprintf(label, sizeof(label), "%" PRIu64 " MiB",
		      f->examined ? (uint64_t)(f->examined - 1) * (uint64_t)(DT_MAP_BLOCK >> 20) : 0);
	per_line = width - lw - 4;
	per_line = per_line < 8 ? 8 : per_line - per_line % 8;
	for (uint64_t i = 0; i < f->examined; i += (uint64_t)per_line) {
		char line[1024];
		int k = 0;

		snprintf(label, sizeof(label), "%" PRIu64 " MiB", i * (uint64_t)(DT_MAP_BLOCK >> 20));
		for (uint64_t b = i; b < f->examined && k < per_line && k < (int)sizeof(line) - 1; b++)
			line[k++] = dt_map_char(&f->blocks[b]);
		line[k] = 0;
		fprintf(out, "  %*s %s\n", lw, label, line);
	}
	if (f->nblocks > f->examined)
		fprintf(out, "  ... %" PRIu64 " blocks after the first %u not examined\n",
			f->nblocks - f->examined, DT_MAP_MAX_BLOCKS);
	dt_map_verdict(f, verdict, sizeof(verdict));
	fprintf(out, "  %s\n", verdict);
}

void dt_map_json(struct dt_json *j, const struct dt_map_file *f)
{
	char dev[16], verdict[1024], result[96];

	dt_format_dev(f->kdev, dev, sizeof(dev));
	dt_json_begin_object(j);
	dt_json_key(j, "path");
	dt_json_string(j, f->path);
	dt_json_key(j, "dev");
	dt_json_string(j, dev);
	dt_json_key(j, "ino");
	dt_json_u64(j, f->ino);
	dt_json_key(j, "size");
	dt_json_u64(j, f->size);
	dt_json_key(j, "block_size");
	dt_json_u64(j, DT_MAP_BLOCK);
	dt_json_key(j, "blocks_not_examined");
	dt_json_u64(j, f->nblocks - f->examined);
	dt_map_verdict(f, verdict, sizeof(verdict));
	dt_json_key(j, "verdict");
	dt_json_string(j, verdict);
	dt_json_key(j, "blocks");
	dt_json_begin_array(j);
	for (uint64_t i = 0; i < f->examined; i++) {
		const struct dt_map_block *b = &f->blocks[i];

		dt_json_begin_object(j);
		dt_json_key(j, "offset");
		dt_json_u64(j, i * DT_MAP_BLOCK);
		dt_json_key(j, "mapping");
		dt_json_string(j, dt_map_kind_name(b->kind));
		dt_json_key(j, "reason");
		if (b->kind == DT_MAP_FALLBACK && b->reason < DT_FB_NR)
			dt_json_string(j, dt_fallback_names[b->reason]);
		else
			dt_json_null(j);
		if (b->kind == DT_MAP_NOT_REACHED) {
			dt_json_key(j, "why");
			dt_json_string(j, dt_map_why_name(b->why));
		}
		if (b->attempts) {
			dt_json_key(j, "pmd_attempts");
			dt_json_u64(j, b->attempts);
			dt_fault_result_str(b->result, result, sizeof(result));
			dt_json_key(j, "pmd_result");
			dt_json_string(j, result);
		}
		if (b->pte_hole) {
			dt_json_key(j, "pte_hole");
			dt_json_bool(j, true);
		}
		if (b->signal) {
			dt_json_key(j, "error");
			dt_json_string(j, b->signal == SIGBUS ? "SIGBUS" : b->signal == SIGSEGV ? "SIGSEGV" : "signal");
		}
		dt_json_end_object(j);
	}
	dt_json_end_array(j);
	dt_json_end_object(j);
}
