// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include "advice.h"
#include "names.h"

#define REMEDY_FB(id, name, meaning, remedy) [DT_FB_##id] = remedy,
const char *const dt_fallback_remedies[DT_FB_NR] = { DT_FALLBACKS(REMEDY_FB) };
#define NAME_A(id, name, counted, remedy) [DT_A_##id] = name,
const char *const dt_advice_names[DT_A_NR] = { DT_ADVICE(NAME_A) };
#define COUNTED_A(id, name, counted, remedy) [DT_A_##id] = counted,
static const char *const counted[DT_A_NR] = { DT_ADVICE(COUNTED_A) };
#define REMEDY_A(id, name, counted, remedy) [DT_A_##id] = remedy,
const char *const dt_advice_remedies[DT_A_NR] = { DT_ADVICE(REMEDY_A) };

uint64_t dt_advice_count(const struct dt_snapshot *s, enum dt_advice a)
{
	uint64_t fsync = s->hist_sum_ns[DT_H_FSYNC], whole = s->hist_sum_ns[DT_H_SYNC_FAULT];

	switch (a) {
	case DT_A_RACES:
		return s->totals[DT_C_RACES];
	case DT_A_HOLE_LOADS:
		return s->totals[DT_C_HOLE_LOADS];
	case DT_A_FSYNC_BOUND:
		/* the fsync stage nests inside sync_fault, so fsync <= whole when both are timed */
		return whole && fsync >= whole / 2 ? dt_hist_count(&s->hists[DT_H_SYNC_FAULT]) : 0;
	case DT_A_NR:
		break;
	}
	return 0;
}

/* Words of p to out, wrapped at width; a new line starts with an indent of 4. Returns col. */
static int words(FILE *out, const char *p, int col, int width)
{
	while (*p) {
		size_t n = strcspn(p, " ");

		/* "4 KiB" and "2 MiB" stay on one line */
		if (p[n] == ' ' && (!strncmp(p + n + 1, "KiB", 3) || !strncmp(p + n + 1, "MiB", 3)))
			n += 1 + strcspn(p + n + 1, " ");

		if (col + 1 + (int)n > width && col > 4) {
			fputs("\n   ", out);
			col = 3;
		}
		col += fprintf(out, " %.*s", (int)n, p);
		p += n;
		p += strspn(p, " ");
	}
	return col;
}

/* "  HEAD: TEXT" word-wrapped to width, continuation lines indented by 4. The texts are ours
 * (include/dt_tables.h), not the traced host's: no escaping needed. */
static void paragraph(FILE *out, const char *head, const char *text, int width)
{
	char h[80];

	snprintf(h, sizeof(h), "%s:", head);
	fputc(' ', out); /* the second space of the indent comes with the first word */
	words(out, text, words(out, h, 1, width), width);
	fputc('\n', out);
}

static void heading(FILE *out, bool *any)
{
	if (!*any)
		fputs("\nWhat to do (all reasons: daxtrace(8)):\n", out);
	*any = true;
}

void dt_report_advice(FILE *out, const struct dt_snapshot *s, int width)
{
	bool any = false;
	char head[64];

	for (int r = 0; r < DT_FB_NR; r++) {
		if (!s->fallback_totals[r])
			continue;
		heading(out, &any);
		snprintf(head, sizeof(head), "%s, %" PRIu64 " fallback%s", dt_fallback_names[r],
			 (uint64_t)s->fallback_totals[r], s->fallback_totals[r] == 1 ? "" : "s");
		paragraph(out, head, dt_fallback_remedies[r], width);
	}
	for (int a = 0; a < DT_A_NR; a++) {
		uint64_t n = dt_advice_count(s, (enum dt_advice)a);

		if (!n)
			continue;
		heading(out, &any);
		snprintf(head, sizeof(head), "%s, %" PRIu64 " %s", dt_advice_names[a], n, counted[a]);
		paragraph(out, head, dt_advice_remedies[a], width);
	}
}
