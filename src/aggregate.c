// SPDX-License-Identifier: GPL-2.0
/* Building a snapshot from raw map entries: merging, top process, ordering. No libbpf here,
 * so tests/unit can drive it with made-up entries. */
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"

void dt_snapshot_init(struct dt_snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void dt_snapshot_clear(struct dt_snapshot *s)
{
	struct dt_inode_rec *keep = s->inodes;
	uint32_t *index = s->index;
	size_t cap = s->cap_inodes, index_cap = s->index_cap;

	memset(s, 0, sizeof(*s));
	s->inodes = keep;
	s->cap_inodes = cap;
	s->index = index;
	s->index_cap = index_cap;
	if (index)
		memset(index, 0, index_cap * sizeof(*index));
}

void dt_snapshot_free(struct dt_snapshot *s)
{
	free(s->inodes);
	free(s->index);
	memset(s, 0, sizeof(*s));
}

static int same_key(const struct dt_inode_key *a, const struct dt_inode_key *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static size_t slot_of(const struct dt_inode_key *k, size_t cap)
{
	return (size_t)((k->ino * 0x9e3779b97f4a7c15ULL) ^ (k->dev * 0xff51afd7ed558ccdULL)) & (cap - 1);
}

/* Makes room for one more record in the index, rebuilding it when stale or half full. */
static int index_reserve(struct dt_snapshot *s)
{
	size_t cap = s->index_cap;

	if (!s->index_stale && s->index && (s->n_inodes + 1) * 2 <= cap)
		return 0;
	while ((s->n_inodes + 1) * 2 > cap)
		cap = cap ? cap * 2 : 256;
	if (cap != s->index_cap) {
		uint32_t *n = realloc(s->index, cap * sizeof(*n));

		if (!n)
			return -1;
		s->index = n;
		s->index_cap = cap;
	}
	memset(s->index, 0, cap * sizeof(*s->index));
	for (size_t i = 0; i < s->n_inodes; i++) {
		size_t j = slot_of(&s->inodes[i].key, cap);

		while (s->index[j])
			j = (j + 1) & (cap - 1);
		s->index[j] = (uint32_t)i + 1;
	}
	s->index_stale = false;
	return 0;
}

/* The record of k, or NULL; *slot is where k would be inserted. Needs a fresh index. */
static struct dt_inode_rec *find_slot(struct dt_snapshot *s, const struct dt_inode_key *k,
				      size_t *slot)
{
	size_t j = slot_of(k, s->index_cap);

	for (; s->index[j]; j = (j + 1) & (s->index_cap - 1))
		if (same_key(&s->inodes[s->index[j] - 1].key, k))
			return &s->inodes[s->index[j] - 1];
	*slot = j;
	return NULL;
}

static struct dt_inode_rec *find(struct dt_snapshot *s, const struct dt_inode_key *k)
{
	size_t slot;

	if (!s->n_inodes || index_reserve(s))
		return NULL;
	return find_slot(s, k, &slot);
}

struct dt_inode_rec *dt_snapshot_add_inode(struct dt_snapshot *s, const struct dt_inode_key *k,
					   const struct dt_inode_val *v)
{
	struct dt_inode_rec *r;
	size_t slot;

	if (index_reserve(s))
		return NULL;
	r = find_slot(s, k, &slot);
	if (r) {
		for (int i = 0; i < DT_C_NR; i++)
			r->val.counters[i] += v->counters[i];
		for (int i = 0; i < DT_FB_NR; i++)
			r->val.fallbacks[i] += v->fallbacks[i];
		if (!r->val.path[0][0])
			memcpy(r->val.path, v->path, sizeof(v->path));
		return r;
	}
	if (s->n_inodes == s->cap_inodes) {
		size_t cap = s->cap_inodes ? s->cap_inodes * 2 : 64;
		struct dt_inode_rec *n = realloc(s->inodes, cap * sizeof(*n));

		if (!n)
			return NULL;
		s->inodes = n;
		s->cap_inodes = cap;
	}
	s->index[slot] = (uint32_t)s->n_inodes + 1;
	r = &s->inodes[s->n_inodes++];
	memset(r, 0, sizeof(*r));
	r->key = *k;
	r->key.pad = 0;
	r->val = *v;
	return r;
}

void dt_snapshot_assign_procs(struct dt_snapshot *s, const struct dt_proc_entry *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct dt_inode_rec *r = find(s, &p[i].key.inode);

		if (!r)
			continue;
		if (p[i].val.faults > r->pid_faults ||
		    (p[i].val.faults == r->pid_faults && p[i].key.tgid < r->pid)) {
			r->pid = p[i].key.tgid;
			r->pid_faults = p[i].val.faults;
			memcpy(r->comm, p[i].val.comm, sizeof(r->comm));
			r->comm[sizeof(r->comm) - 1] = 0;
		}
	}
}

uint64_t dt_inode_activity(const struct dt_inode_rec *r)
{
	return r->val.counters[DT_C_PTE_FAULTS] + r->val.counters[DT_C_PMD_FAULTS];
}

static int cmp_rec(const void *pa, const void *pb)
{
	const struct dt_inode_rec *a = pa, *b = pb;
	uint64_t fa = dt_inode_activity(a), fb = dt_inode_activity(b);
	uint64_t wa = a->val.counters[DT_C_WRITEBACKS], wb = b->val.counters[DT_C_WRITEBACKS];

	if (fa != fb)
		return fa > fb ? -1 : 1;
	if (wa != wb)
		return wa > wb ? -1 : 1;
	if (a->key.dev != b->key.dev)
		return a->key.dev < b->key.dev ? -1 : 1;
	if (a->key.ino != b->key.ino)
		return a->key.ino < b->key.ino ? -1 : 1;
	return 0;
}

void dt_snapshot_sort(struct dt_snapshot *s)
{
	if (s->n_inodes > 1) {
		qsort(s->inodes, s->n_inodes, sizeof(s->inodes[0]), cmp_rec);
		s->index_stale = true;
	}
}

void dt_join_components(const struct dt_inode_val *v, char *buf, size_t len)
{
	size_t used = 0;
	int top = -1;

	if (!len)
		return;
	buf[0] = 0;
	for (int i = 0; i < DT_PATH_DEPTH && v->path[i][0]; i++)
		top = i;
	for (int i = top; i >= 0; i--) {
		size_t n = strnlen(v->path[i], DT_NAME_LEN);

		if (used + n + (i ? 1 : 0) + 1 > len)
			break;
		memcpy(buf + used, v->path[i], n);
		used += n;
		if (i)
			buf[used++] = '/';
		buf[used] = 0;
	}
}

uint64_t dt_hist_count(const struct dt_hist_slots *h)
{
	uint64_t n = 0;

	for (int i = 0; i < DT_MAX_SLOTS; i++)
		n += h->slots[i];
	return n;
}

int dt_snapshot_accumulate(struct dt_snapshot *to, const struct dt_snapshot *from)
{
	for (int i = 0; i < DT_C_NR; i++)
		to->totals[i] += from->totals[i];
	for (int i = 0; i < DT_FB_NR; i++)
		to->fallback_totals[i] += from->fallback_totals[i];
	for (int h = 0; h < DT_H_NR; h++) {
		for (int i = 0; i < DT_MAX_SLOTS; i++)
			to->hists[h].slots[i] += from->hists[h].slots[i];
		to->hist_sum_ns[h] += from->hist_sum_ns[h];
	}
	for (int i = 0; i < DT_D_NR; i++)
		to->diag[i] += from->diag[i];
	to->interval_ns += from->interval_ns;
	to->inflight = from->inflight;
	for (size_t i = 0; i < from->n_inodes; i++) {
		const struct dt_inode_rec *f = &from->inodes[i];
		struct dt_inode_rec *r = dt_snapshot_add_inode(to, &f->key, &f->val);

		if (!r)
			return -1;
		if (f->comm[0]) { /* the latest interval's top process */
			memcpy(r->comm, f->comm, sizeof(r->comm));
			r->pid = f->pid;
		}
	}
	return 0;
}
