// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect.h"
#include "daxtrace.h"
#include "daxtrace.skel.h"

/* The globals live in the mmap-ed .bss: plain loads, or exchanges when resetting, so that no
 * increment made between read and reset is lost. */
static uint64_t take(__u64 *p, bool reset)
{
	return reset ? __atomic_exchange_n(p, 0, __ATOMIC_RELAXED) : __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void take_globals(struct daxtrace_bpf *skel, struct dt_snapshot *s, bool reset)
{
	struct daxtrace_bpf__bss *b = skel->bss;

	for (int i = 0; i < DT_C_NR; i++)
		s->totals[i] = take(&b->totals[i], reset);
	for (int i = 0; i < DT_FB_NR; i++)
		s->fallback_totals[i] = take(&b->fallback_totals[i], reset);
	for (int h = 0; h < DT_H_NR; h++)
		for (int i = 0; i < DT_MAX_SLOTS; i++)
			s->hists[h].slots[i] = take(&b->hists[h].slots[i], reset);
	for (int i = 0; i < DT_D_NR; i++)
		s->diag[i] = take(&b->diag[i], reset);
	for (int h = 0; h < DT_H_NR; h++)
		s->hist_sum_ns[h] = take(&b->hist_sum_ns[h], reset);
}

/* Calls fn for every entry of a hash map. The keys are listed first, then each is read
 * (and with reset, deleted by lookup_and_delete: an increment racing with it is the only
 * loss). Listing first keeps the walk linear and reads every key once. */
static int walk(int fd, size_t ksz, size_t vsz, bool reset,
		int (*fn)(void *ctx, const void *k, const void *v), void *ctx)
{
	size_t n = 0, cap = 1024;
	char *keys = malloc(cap * ksz), *val = malloc(vsz);
	int err = 0;

	if (!keys || !val) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(fd, n ? keys + (n - 1) * ksz : NULL, keys + n * ksz)) {
		if (++n == cap) {
			char *k = realloc(keys, 2 * cap * ksz);

			if (!k) {
				err = -ENOMEM;
				goto out;
			}
			keys = k;
			cap *= 2;
		}
	}
	for (size_t i = 0; i < n && !err; i++) {
		const void *key = keys + i * ksz;

		if (reset ? bpf_map_lookup_and_delete_elem(fd, key, val) : bpf_map_lookup_elem(fd, key, val))
			continue; /* gone meanwhile */
		err = fn(ctx, key, val);
	}
out:
	free(keys);
	free(val);
	return err;
}

static int add_inode(void *ctx, const void *k, const void *v)
{
	return dt_snapshot_add_inode(ctx, k, v) ? 0 : -ENOMEM;
}

struct procs {
	struct dt_proc_entry *e;
	size_t n, cap;
};

static int add_proc(void *ctx, const void *k, const void *v)
{
	struct procs *p = ctx;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct dt_proc_entry *e = realloc(p->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		p->e = e;
		p->cap = cap;
	}
	memcpy(&p->e[p->n].key, k, sizeof(p->e[0].key));
	memcpy(&p->e[p->n].val, v, sizeof(p->e[0].val));
	p->n++;
	return 0;
}

int dt_collect(struct daxtrace_bpf *skel, struct dt_snapshot *s, bool reset)
{
	struct procs procs = {};
	int err;

	take_globals(skel, s, reset);
	err = walk(bpf_map__fd(skel->maps.inodes), sizeof(struct dt_inode_key),
		   sizeof(struct dt_inode_val), reset, add_inode, s);
	if (!err)
		err = walk(bpf_map__fd(skel->maps.procs), sizeof(struct dt_proc_key),
			   sizeof(struct dt_proc_val), reset, add_proc, &procs);
	if (!err)
		dt_snapshot_assign_procs(s, procs.e, procs.n);
	free(procs.e);
	dt_snapshot_sort(s);
	return err;
}

uint64_t dt_sweep_inflight(struct daxtrace_bpf *skel, uint64_t max_idle_ns)
{
	int fd = bpf_map__fd(skel->maps.inflight);
	struct timespec ts;
	uint32_t key, next, *prev = NULL;
	struct dt_seq seq;
	uint64_t now, open = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns() is CLOCK_MONOTONIC */
	now = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &seq))
			continue;
		bool active = seq.phase != DT_P_IDLE && seq.phase != DT_P_RETRY;

		if (now > seq.t_last && now - seq.t_last > max_idle_ns) {
			if (active)
				__atomic_fetch_add(&skel->bss->diag[DT_D_STALE], 1, __ATOMIC_RELAXED);
			bpf_map_delete_elem(fd, &key);
			prev = NULL;
		} else if (active) {
			open++;
		}
	}
	return open;
}
