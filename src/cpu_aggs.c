// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cpu_aggs.h"
#include "sorted_keys.h"

/* A slot's counters and fallbacks are one run of sums, as at the start of an inode row. */
_Static_assert(offsetof(struct dt_cpu_slot, fallbacks) ==
		       offsetof(struct dt_cpu_slot, counters) + 8 * DT_C_NR,
	       "slot sums are contiguous");
_Static_assert(offsetof(struct dt_inode_val, fallbacks) == 8 * DT_C_NR &&
		       offsetof(struct dt_proc_val, faults) == 0,
	       "row values start with their sums");

void dt_cpu_aggs_hists(const struct dt_cpu_aggs *a, struct dt_hist_slots *hists, __u64 *sum_ns)
{
	memset(hists, 0, DT_H_NR * sizeof(*hists));
	memset(sum_ns, 0, DT_H_NR * sizeof(*sum_ns));
	for (size_t c = 0; c < a->n; c++) {
		for (int h = 0; h < DT_H_NR; h++) {
			for (int i = 0; i < DT_MAX_SLOTS; i++)
				hists[h].slots[i] += a->cpu[c].hists[h].slots[i];
			sum_ns[h] += a->cpu[c].hist_sum_ns[h];
		}
	}
}

struct layout {
	size_t ksz, vsz, words;
};

static struct layout layout_of(enum dt_slot_rows rows)
{
	if (rows == DT_SLOT_ROWS_INODES)
		return (struct layout){ sizeof(struct dt_inode_key), sizeof(struct dt_inode_val),
					DT_C_NR + DT_FB_NR };
	return (struct layout){ sizeof(struct dt_proc_key), sizeof(struct dt_proc_val), 1 };
}

/* The slot's key in `rows` and the sums it adds there; false when it adds nothing. */
static bool slot_view(const struct dt_cpu_slot *s, enum dt_slot_rows rows, void *key,
		      const __u64 **sums)
{
	struct dt_proc_key pk = {};

	if (rows == DT_SLOT_ROWS_INODES) {
		if (!(s->state & DT_SLOT_CLAIMED))
			return false;
		memcpy(key, &s->inode, sizeof(s->inode));
		*sums = s->counters;
		return true;
	}
	if (!(s->state & DT_SLOT_PROC))
		return false;
	pk.inode = s->inode;
	pk.tgid = s->tgid;
	memcpy(key, &pk, sizeof(pk));
	*sums = &s->faults;
	return true;
}

/* The entry with this key: in the sorted first n_sorted, then among the rest. */
static char *find(char *ents, size_t n_sorted, size_t n, size_t es, const void *key, size_t ksz)
{
	char *hit = dt_keys_find(ents, n_sorted, es, key, ksz);

	for (size_t i = n_sorted; !hit && i < n; i++)
		if (!memcmp(ents + i * es, key, ksz))
			hit = ents + i * es;
	return hit;
}

static void add_sums(char *value, const __u64 *sums, size_t words)
{
	for (size_t w = 0; w < words; w++) {
		__u64 v;

		memcpy(&v, value + 8 * w, 8);
		v += sums[w];
		memcpy(value + 8 * w, &v, 8);
	}
}

int dt_cpu_aggs_merge(const struct dt_cpu_aggs *a, enum dt_slot_rows rows, char **ents,
		      size_t *n, char **pins, size_t *n_pins)
{
	struct layout l = layout_of(rows);
	size_t es = l.ksz + l.vsz, n_sorted = *n, cap = *n, np = 0;
	char key[sizeof(struct dt_proc_key)], *e = *ents, *p;

	*pins = NULL;
	*n_pins = 0;
	dt_keys_sort(e, n_sorted, es, l.ksz);
	p = malloc((a->n ? a->n : 1) * DT_CPU_SLOTS * l.ksz);
	if (!p)
		return -ENOMEM;
	for (size_t c = 0; c < a->n; c++) {
		for (int i = 0; i < DT_CPU_SLOTS; i++) {
			const __u64 *sums;
			char *hit;

			if (!slot_view(&a->cpu[c].slots[i], rows, key, &sums))
				continue;
			memcpy(p + np++ * l.ksz, key, l.ksz);
			hit = find(e, n_sorted, *n, es, key, l.ksz);
			if (!hit) {
				/* its shared row was deleted as idle while this slot was claimed */
				if (*n == cap) {
					size_t ncap = cap ? 2 * cap : 64;
					char *ne = realloc(e, ncap * es);

					if (!ne) {
						*ents = e;
						free(p);
						return -ENOMEM;
					}
					e = ne;
					cap = ncap;
				}
				hit = e + (*n)++ * es;
				memset(hit, 0, es);
				memcpy(hit, key, l.ksz);
			}
			add_sums(hit + l.ksz, sums, l.words);
		}
	}
	*ents = e;
	dt_keys_sort(e, *n, es, l.ksz);
	dt_keys_sort(p, np, l.ksz, l.ksz);
	*pins = p;
	*n_pins = np;
	return 0;
}
