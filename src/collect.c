// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
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
		s->unkeyed.counters[i] = take(&b->unkeyed[i], reset);
	for (int i = 0; i < DT_FB_NR; i++)
		s->unkeyed.fallbacks[i] = take(&b->unkeyed_fallbacks[i], reset);
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

/* The host-wide unkeyed counts come from .bss: only the per-device split is taken here. */
static int add_unkeyed_dev(void *ctx, const void *k, const void *v)
{
	dt_snapshot_add_unkeyed_dev(ctx, *(const __u32 *)k, v);
	return 0;
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

/* The kernel counts, per program, the runs its recursion guard skipped; the counters only grow,
 * so an interval reports the growth since the last reset. One BPF object per process. */
static uint64_t skipped_at_reset;

static uint64_t kernel_skipped(struct daxtrace_bpf *skel, bool reset)
{
	struct bpf_program *p;
	uint64_t total = 0, since;

	bpf_object__for_each_program(p, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd >= 0 && !bpf_prog_get_info_by_fd(fd, &info, &len))
			total += info.recursion_misses;
	}
	since = total - skipped_at_reset;
	if (reset)
		skipped_at_reset = total;
	return since;
}

int dt_collect(struct daxtrace_bpf *skel, struct dt_snapshot *s, bool reset)
{
	struct procs procs = {};
	int err;

	take_globals(skel, s, reset);
	s->diag[DT_D_KERNEL_SKIPPED] = kernel_skipped(skel, reset);
	err = walk(bpf_map__fd(skel->maps.inodes), sizeof(struct dt_inode_key),
		   sizeof(struct dt_inode_val), reset, add_inode, s);
	if (!err)
		err = walk(bpf_map__fd(skel->maps.procs), sizeof(struct dt_proc_key),
			   sizeof(struct dt_proc_val), reset, add_proc, &procs);
	if (!err)
		err = walk(bpf_map__fd(skel->maps.unkeyed_devs), sizeof(__u32),
			   sizeof(struct dt_counts), reset, add_unkeyed_dev, s);
	if (!err)
		dt_snapshot_assign_procs(s, procs.e, procs.n);
	free(procs.e);
	dt_snapshot_sort(s);
	dt_snapshot_finish(s);
	return err;
}

/* Counts the open sequences of the in-flight table and frees the slots of those idle for
 * max_idle_ns (their thread was killed mid-fault), counting them as stale. The table is
 * mmap-ed: a slot is freed with a compare-and-swap on its owner, as BPF claims it, so a thread
 * that resumes at that moment finds its slot gone rather than shared. */
uint64_t dt_sweep_inflight(struct daxtrace_bpf *skel, uint64_t max_idle_ns)
{
	const struct bpf_map *m = skel->maps.inflight;
	size_t len = (size_t)bpf_map__value_size(m) * bpf_map__max_entries(m);
	struct timespec ts;
	struct dt_seq *t;
	uint64_t now, open = 0;

	t = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
	if (t == MAP_FAILED)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns() is CLOCK_MONOTONIC */
	now = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	for (uint32_t i = 0; i < bpf_map__max_entries(m); i++) {
		struct dt_seq *s = &t[i];
		uint32_t owner = __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE);
		uint64_t last = __atomic_load_n(&s->t_last, __ATOMIC_RELAXED);
		bool active = s->phase != DT_P_IDLE && s->phase != DT_P_RETRY;

		if (!owner)
			continue;
		if (now > last && now - last > max_idle_ns) {
			if (__atomic_compare_exchange_n(&s->owner, &owner, 0, false, __ATOMIC_SEQ_CST,
							__ATOMIC_RELAXED) && active)
				__atomic_fetch_add(&skel->bss->diag[DT_D_STALE], 1, __ATOMIC_RELAXED);
		} else if (active) {
			open++;
		}
	}
	munmap(t, len);
	return open;
}
