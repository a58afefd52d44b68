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
	struct dt_offset_rec *offsets = s->offsets;
	struct dt_khist_rec *khists = s->khists;
	struct dt_proc_rec *pids = s->pids;
	struct dt_proc_entry *procs = s->procs;
	uint32_t *index = s->index;
	size_t cap = s->cap_inodes, index_cap = s->index_cap, cap_offsets = s->cap_offsets;
	size_t cap_khists = s->cap_khists, cap_pids = s->cap_pids, cap_procs = s->cap_procs;

	memset(s, 0, sizeof(*s));
	s->khists = khists;
	s->cap_khists = cap_khists;
	s->pids = pids;
	s->cap_pids = cap_pids;
	s->procs = procs;
	s->cap_procs = cap_procs;
	s->inodes = keep;
	s->cap_inodes = cap;
	s->offsets = offsets;
	s->cap_offsets = cap_offsets;
	s->index = index;
	s->index_cap = index_cap;
	if (index)
		memset(index, 0, index_cap * sizeof(*index));
}

void dt_snapshot_free(struct dt_snapshot *s)
{
	free(s->inodes);
	free(s->offsets);
	free(s->khists);
	free(s->pids);
	free(s->procs);
	free(s->index);
	memset(s, 0, sizeof(*s));
}

static int same_key(const struct dt_inode_key *a, const struct dt_inode_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->gen == b->gen;
}

static size_t slot_of(const struct dt_inode_key *k, size_t cap)
{
	return (size_t)((k->ino * 0x9e3779b97f4a7c15ULL) ^ (k->dev * 0xff51afd7ed558ccdULL) ^
			(k->gen * 0xc4ceb9fe1a85ec53ULL)) & (cap - 1);
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

struct dt_inode_rec *dt_snapshot_find(struct dt_snapshot *s, const struct dt_inode_key *k)
{
	return find(s, k);
}

int dt_snapshot_set_procs(struct dt_snapshot *s, const struct dt_proc_entry *p, size_t n)
{
	if (n > s->cap_procs) {
		struct dt_proc_entry *e = realloc(s->procs, n * sizeof(*e));

		if (!e)
			return -1;
		s->procs = e;
		s->cap_procs = n;
	}
	if (n)
		memcpy(s->procs, p, n * sizeof(*p));
	s->n_procs = n;
	return 0;
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
	if (a->key.gen != b->key.gen)
		return a->key.gen < b->key.gen ? -1 : 1;
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
		size_t mark = v->cut & (1u << i) ? sizeof(DT_CUT_MARK) - 1 : 0;

		if (used + n + mark + (i ? 1 : 0) + 1 > len)
			break;
		memcpy(buf + used, v->path[i], n);
		used += n;
		memcpy(buf + used, DT_CUT_MARK, mark);
		used += mark;
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

static void add_counts(struct dt_counts *to, const __u64 *c, const __u64 *fb)
{
	for (int i = 0; i < DT_C_NR; i++)
		to->counters[i] += c[i];
	for (int i = 0; i < DT_FB_NR; i++)
		to->fallbacks[i] += fb[i];
}

void dt_snapshot_add_unkeyed_dev(struct dt_snapshot *s, uint32_t dev, const struct dt_counts *c)
{
	size_t j = 0;

	while (j < s->n_unkeyed_devs && s->unkeyed_devs[j].dev != dev)
		j++;
	if (j == s->n_unkeyed_devs) {
		if (j == DT_MAX_DEVS)
			return; /* in the host totals only, as BPF does past DT_MAX_DEVS */
		memset(&s->unkeyed_devs[j], 0, sizeof(s->unkeyed_devs[j]));
		s->unkeyed_devs[j].dev = dev;
		s->n_unkeyed_devs++;
	}
	add_counts(&s->unkeyed_devs[j].c, c->counters, c->fallbacks);
}

void dt_snapshot_finish(struct dt_snapshot *s)
{
	struct dt_counts t = s->unkeyed;

	for (size_t i = 0; i < s->n_inodes; i++)
		add_counts(&t, s->inodes[i].val.counters, s->inodes[i].val.fallbacks);
	memcpy(s->totals, t.counters, sizeof(s->totals));
	memcpy(s->fallback_totals, t.fallbacks, sizeof(s->fallback_totals));
}

static uint64_t dev_activity(const struct dt_dev_rec *d)
{
	return d->c.counters[DT_C_PTE_FAULTS] + d->c.counters[DT_C_PMD_FAULTS] +
	       d->c.counters[DT_C_WRITEBACKS];
}

static int cmp_dev(const void *pa, const void *pb)
{
	const struct dt_dev_rec *a = pa, *b = pb;
	uint64_t x = dev_activity(a), y = dev_activity(b);

	if (x != y)
		return x > y ? -1 : 1;
	return a->dev < b->dev ? -1 : a->dev > b->dev;
}

static struct dt_dev_rec *dev_slot(struct dt_dev_rec *d, size_t *n, size_t cap, uint32_t dev)
{
	for (size_t j = 0; j < *n; j++)
		if (d[j].dev == dev)
			return &d[j];
	if (*n == cap)
		return NULL;
	memset(&d[*n], 0, sizeof(d[*n]));
	d[*n].dev = dev;
	return &d[(*n)++];
}

size_t dt_snapshot_devices(const struct dt_snapshot *s, struct dt_dev_rec *out, size_t max,
			   struct dt_dev_rec *other)
{
	/* Gathered with room for every device the rows and the unkeyed table can name, then cut to
	 * max busiest first, so that which devices get a series does not depend on row order. */
	size_t cap = s->n_inodes + s->n_unkeyed_devs, n = 0;
	struct dt_dev_rec *all = cap ? calloc(cap, sizeof(*all)) : NULL;

	memset(other, 0, sizeof(*other));
	if (cap && !all) { /* no memory: everything in `other`, still exact */
		add_counts(&other->c, s->totals, s->fallback_totals);
		return 0;
	}
	for (size_t i = 0; i < s->n_inodes; i++) {
		const struct dt_inode_rec *r = &s->inodes[i];

		add_counts(&dev_slot(all, &n, cap, r->key.dev)->c, r->val.counters, r->val.fallbacks);
	}
	for (size_t i = 0; i < s->n_unkeyed_devs; i++) {
		const struct dt_dev_rec *u = &s->unkeyed_devs[i];

		add_counts(&dev_slot(all, &n, cap, u->dev)->c, u->c.counters, u->c.fallbacks);
	}
	if (n > 1)
		qsort(all, n, sizeof(*all), cmp_dev);
	for (size_t i = 0; i < n; i++) {
		if (i < max)
			out[i] = all[i];
		else
			add_counts(&other->c, all[i].c.counters, all[i].c.fallbacks);
	}
	/* unkeyed events past the BPF device table belong to no known device */
	struct dt_counts known = {};

	for (size_t i = 0; i < s->n_unkeyed_devs; i++)
		add_counts(&known, s->unkeyed_devs[i].c.counters, s->unkeyed_devs[i].c.fallbacks);
	for (int i = 0; i < DT_C_NR; i++)
		other->c.counters[i] += s->unkeyed.counters[i] - known.counters[i];
	for (int i = 0; i < DT_FB_NR; i++)
		other->c.fallbacks[i] += s->unkeyed.fallbacks[i] - known.fallbacks[i];
	free(all);
	return n < max ? n : max;
}

int dt_snapshot_accumulate(struct dt_snapshot *to, const struct dt_snapshot *from,
			   size_t max_rows)
{
	for (int h = 0; h < DT_H_NR; h++) {
		for (int i = 0; i < DT_MAX_SLOTS; i++)
			to->hists[h].slots[i] += from->hists[h].slots[i];
		to->hist_sum_ns[h] += from->hist_sum_ns[h];
	}
	for (int i = 0; i < DT_D_NR; i++)
		to->diag[i] += from->diag[i];
	to->interval_ns += from->interval_ns;
	to->inflight = from->inflight;
	add_counts(&to->unkeyed, from->unkeyed.counters, from->unkeyed.fallbacks);
	for (size_t i = 0; i < from->n_unkeyed_devs; i++)
		dt_snapshot_add_unkeyed_dev(to, from->unkeyed_devs[i].dev, &from->unkeyed_devs[i].c);
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
	if (to->n_inodes > max_rows) {
		dt_snapshot_sort(to);
		for (size_t i = max_rows; i < to->n_inodes; i++) {
			struct dt_counts c;

			memcpy(c.counters, to->inodes[i].val.counters, sizeof(c.counters));
			memcpy(c.fallbacks, to->inodes[i].val.fallbacks, sizeof(c.fallbacks));
			add_counts(&to->unkeyed, c.counters, c.fallbacks);
			dt_snapshot_add_unkeyed_dev(to, to->inodes[i].key.dev, &c);
		}
		to->n_inodes = max_rows;
		to->index_stale = true;
	}
	dt_snapshot_finish(to);
	return 0;
}

int dt_snapshot_add_offset(struct dt_snapshot *s, const struct dt_offset_key *k, uint64_t count)
{
	if (s->n_offsets == s->cap_offsets) {
		size_t cap = s->cap_offsets ? s->cap_offsets * 2 : 64;
		struct dt_offset_rec *n = realloc(s->offsets, cap * sizeof(*n));

		if (!n)
			return -1;
		s->offsets = n;
		s->cap_offsets = cap;
	}
	s->offsets[s->n_offsets].key = *k;
	s->offsets[s->n_offsets].count = count;
	s->n_offsets++;
	return 0;
}

/* Inode, then kind, then offset, then reason: each inode's rows of one kind are a run, lowest
 * offset first. */
static int cmp_offset_key(const struct dt_offset_key *a, const struct dt_offset_key *b)
{
#define CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
	CMP(inode.dev);
	CMP(inode.ino);
	CMP(inode.gen);
	CMP(kind);
	CMP(offset);
	CMP(reason);
#undef CMP
	return 0;
}

static int cmp_offset(const void *a, const void *b)
{
	return cmp_offset_key(&((const struct dt_offset_rec *)a)->key,
			      &((const struct dt_offset_rec *)b)->key);
}

void dt_snapshot_sort_offsets(struct dt_snapshot *s)
{
	size_t n = 0;

	if (s->n_offsets > 1)
		qsort(s->offsets, s->n_offsets, sizeof(s->offsets[0]), cmp_offset);
	for (size_t i = 0; i < s->n_offsets; i++) {
		if (n && !cmp_offset_key(&s->offsets[n - 1].key, &s->offsets[i].key))
			s->offsets[n - 1].count += s->offsets[i].count;
		else
			s->offsets[n++] = s->offsets[i];
	}
	s->n_offsets = n;
}

const struct dt_offset_rec *dt_snapshot_offsets(const struct dt_snapshot *s,
						const struct dt_inode_key *k, int kind, size_t *n)
{
	struct dt_offset_key lo = { .inode = *k, .kind = (__u8)kind };
	size_t a = 0, b = s->n_offsets, end;

	*n = 0;
	while (a < b) { /* the first row not below (k, kind, offset 0, reason 0) */
		size_t m = a + (b - a) / 2;

		if (cmp_offset_key(&s->offsets[m].key, &lo) < 0)
			a = m + 1;
		else
			b = m;
	}
	for (end = a; end < s->n_offsets; end++) {
		const struct dt_offset_key *e = &s->offsets[end].key;

		if (e->inode.dev != k->dev || e->inode.ino != k->ino || e->inode.gen != k->gen ||
		    e->kind != kind)
			break;
	}
	*n = end - a;
	return *n ? &s->offsets[a] : NULL;
}

/* Room for one more element in *arr (of size sz, *cap of them): 0, or -1 without memory. */
static int grow(void **arr, size_t n, size_t *cap, size_t sz)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, c * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}

int dt_snapshot_add_khist(struct dt_snapshot *s, const struct dt_khist_key *k,
			  const struct dt_hist_slots *h)
{
	if (grow((void **)&s->khists, s->n_khists, &s->cap_khists, sizeof(*s->khists)))
		return -1;
	s->khists[s->n_khists].key = *k;
	s->khists[s->n_khists].h = *h;
	s->n_khists++;
	return 0;
}

int dt_snapshot_add_pid(struct dt_snapshot *s, uint32_t tgid, const struct dt_pid_val *v)
{
	struct dt_proc_rec *p;

	if (grow((void **)&s->pids, s->n_pids, &s->cap_pids, sizeof(*s->pids)))
		return -1;
	p = &s->pids[s->n_pids++];
	memset(p, 0, sizeof(*p));
	p->pid = tgid;
	memcpy(p->comm, v->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = 0;
	memcpy(p->c.counters, v->counters, sizeof(p->c.counters));
	memcpy(p->c.fallbacks, v->fallbacks, sizeof(p->c.fallbacks));
	return 0;
}

static int cmp_khist_key(const struct dt_khist_key *a, const struct dt_khist_key *b)
{
#define CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
	CMP(inode.dev);
	CMP(inode.ino);
	CMP(inode.gen);
	CMP(tgid);
	CMP(stage);
#undef CMP
	return 0;
}

static int cmp_khist(const void *a, const void *b)
{
	return cmp_khist_key(&((const struct dt_khist_rec *)a)->key,
			     &((const struct dt_khist_rec *)b)->key);
}

void dt_snapshot_sort_khists(struct dt_snapshot *s)
{
	size_t n = 0;

	if (s->n_khists > 1)
		qsort(s->khists, s->n_khists, sizeof(s->khists[0]), cmp_khist);
	for (size_t i = 0; i < s->n_khists; i++) {
		if (n && !cmp_khist_key(&s->khists[n - 1].key, &s->khists[i].key))
			for (int j = 0; j < DT_MAX_SLOTS; j++)
				s->khists[n - 1].h.slots[j] += s->khists[i].h.slots[j];
		else
			s->khists[n++] = s->khists[i];
	}
	s->n_khists = n;
}

static uint64_t pid_activity(const struct dt_proc_rec *p)
{
	return p->c.counters[DT_C_PTE_FAULTS] + p->c.counters[DT_C_PMD_FAULTS];
}

static int cmp_pid(const void *pa, const void *pb)
{
	const struct dt_proc_rec *a = pa, *b = pb;
	uint64_t x = pid_activity(a), y = pid_activity(b);

	if (x != y)
		return x > y ? -1 : 1;
	x = a->c.counters[DT_C_WRITEBACKS];
	y = b->c.counters[DT_C_WRITEBACKS];
	if (x != y)
		return x > y ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

void dt_snapshot_sort_pids(struct dt_snapshot *s)
{
	if (s->n_pids > 1)
		qsort(s->pids, s->n_pids, sizeof(s->pids[0]), cmp_pid);
}

static const struct dt_hist_slots *key_hist(const struct dt_snapshot *s,
					    const struct dt_khist_key *k)
{
	size_t a = 0, b = s->n_khists;

	while (a < b) {
		size_t m = a + (b - a) / 2;
		int c = cmp_khist_key(&s->khists[m].key, k);

		if (!c)
			return dt_hist_count(&s->khists[m].h) ? &s->khists[m].h : NULL;
		if (c < 0)
			a = m + 1;
		else
			b = m;
	}
	return NULL;
}

const struct dt_hist_slots *dt_snapshot_inode_hist(const struct dt_snapshot *s,
						   size_t inode_index, int stage)
{
	struct dt_khist_key k = { .stage = (__u8)stage };

	if (s->hist_by != DT_HB_FILE || inode_index >= s->n_inodes || stage < 0 || stage >= DT_H_NR)
		return NULL;
	k.inode = s->inodes[inode_index].key;
	return key_hist(s, &k);
}

const struct dt_hist_slots *dt_snapshot_pid_hist(const struct dt_snapshot *s, size_t proc_index,
						  int stage)
{
	struct dt_khist_key k = { .stage = (__u8)stage };

	if (s->hist_by != DT_HB_PROCESS || proc_index >= s->n_pids || stage < 0 || stage >= DT_H_NR)
		return NULL;
	k.tgid = s->pids[proc_index].pid;
	return key_hist(s, &k);
}

const struct dt_hist_slots *dt_snapshot_dev_hist(const struct dt_snapshot *s, uint32_t dev,
						 int stage)
{
	struct dt_khist_key k = { .stage = (__u8)stage };

	if (s->hist_by != DT_HB_DEVICE || stage < 0 || stage >= DT_H_NR)
		return NULL;
	k.inode.dev = dev;
	return key_hist(s, &k);
}
