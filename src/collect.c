// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect.h"
#include "cpu_aggs.h"
#include "running_sums.h"
#include "daxtrace.h"
#include "daxtrace.skel.h"

/* The rare globals live in the mmap-ed .bss: plain loads, or exchanges when resetting, so that
 * no increment made between read and reset is lost. */
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
	for (int i = 0; i < DT_D_NR; i++)
		s->diag[i] = take(&b->diag[i], reset);
}

/* Every CPU's copy of cpu_aggs, read in one lookup. */
static int read_cpu_aggs(struct daxtrace_bpf *skel, struct dt_cpu_aggs *a)
{
	int n = libbpf_num_possible_cpus();
	__u32 zero = 0;

	a->cpu = NULL;
	a->n = 0;
	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	a->cpu = calloc(n, sizeof(*a->cpu));
	if (!a->cpu)
		return -ENOMEM;
	a->n = n;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.cpu_aggs), &zero, a->cpu))
		return -errno;
	return 0;
}

/* The per-CPU histograms cannot be exchanged for zero from user space: they only grow, and a
 * reset remembers where they were, so that the next reading is the growth since. */
static struct {
	struct dt_hist_slots hists[DT_H_NR];
	__u64 sum_ns[DT_H_NR];
} hists_at_reset;

static void take_hists(const struct dt_cpu_aggs *a, struct dt_snapshot *s, bool reset)
{
	struct dt_hist_slots now[DT_H_NR];
	__u64 sum_ns[DT_H_NR];

	dt_cpu_aggs_hists(a, now, sum_ns);
	for (int h = 0; h < DT_H_NR; h++) {
		for (int i = 0; i < DT_MAX_SLOTS; i++)
			s->hists[h].slots[i] = now[h].slots[i] - hists_at_reset.hists[h].slots[i];
		s->hist_sum_ns[h] = sum_ns[h] - hists_at_reset.sum_ns[h];
	}
	if (reset) {
		memcpy(hists_at_reset.hists, now, sizeof(now));
		memcpy(hists_at_reset.sum_ns, sum_ns, sizeof(sum_ns));
	}
}

/* Every entry of a hash map, as key then value, into *out. The keys are listed first, then
 * each is read: listing first keeps the walk linear and reads every key once; an entry that is
 * gone meanwhile is skipped, one inserted meanwhile is read next time. */
static int read_all(int fd, size_t ksz, size_t vsz, char **out, size_t *n_out)
{
	size_t n = 0, cap = 1024, es = ksz + vsz;
	char *keys = malloc(cap * ksz), *ents;

	*out = NULL;
	*n_out = 0;
	if (!keys)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, n ? keys + (n - 1) * ksz : NULL, keys + n * ksz)) {
		if (++n == cap) {
			char *k = realloc(keys, 2 * cap * ksz);

			if (!k) {
				free(keys);
				return -ENOMEM;
			}
			keys = k;
			cap *= 2;
		}
	}
	ents = malloc((n ? n : 1) * es);
	if (!ents) {
		free(keys);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(ents + *n_out * es, keys + i * ksz, ksz);
		if (!bpf_map_lookup_elem(fd, keys + i * ksz, ents + *n_out * es + ksz))
			(*n_out)++;
	}
	free(keys);
	*out = ents;
	return 0;
}

/* The running sums of the three per-key maps, once -i has reported an interval. */
static struct {
	struct dt_running inodes, procs, devs, offsets, khists, pids;
	bool on;
} running;

static void running_start(void)
{
	if (running.on)
		return;
	dt_running_init(&running.inodes, sizeof(struct dt_inode_key), sizeof(struct dt_inode_val),
			DT_C_NR + DT_FB_NR);
	dt_running_init(&running.procs, sizeof(struct dt_proc_key), sizeof(struct dt_proc_val), 1);
	dt_running_init(&running.devs, sizeof(__u32), sizeof(struct dt_counts), DT_C_NR + DT_FB_NR);
	dt_running_init(&running.offsets, sizeof(struct dt_offset_key), sizeof(__u64), 1);
	dt_running_init(&running.khists, sizeof(struct dt_khist_key), sizeof(struct dt_hist_slots),
			DT_MAX_SLOTS);
	dt_running_init(&running.pids, sizeof(__u32), sizeof(struct dt_pid_val), DT_C_NR + DT_FB_NR);
	running.on = true;
}

void dt_collect_end(void)
{
	dt_running_free(&running.inodes);
	dt_running_free(&running.procs);
	dt_running_free(&running.devs);
	dt_running_free(&running.offsets);
	dt_running_free(&running.khists);
	dt_running_free(&running.pids);
	running.on = false;
	memset(&hists_at_reset, 0, sizeof(hists_at_reset));
}

/* The CPUs' slots to add to the entries of a map, when it is the inode or process map. */
struct slots {
	const struct dt_cpu_aggs *aggs;
	enum dt_slot_rows rows;
};

/* Calls fn for every entry of a map, with what slots add to it: its value since start, or, in
 * interval mode, what it gained since the last report (which `commit` makes this one). */
static int read_map(int fd, struct dt_running *r, size_t ksz, size_t vsz, bool commit,
		    const struct slots *slots, dt_running_fn fn, void *ctx)
{
	char *ents, *ev = NULL, *final = NULL, *pins = NULL;
	size_t n, n_ev = 0, n_pins = 0;
	int err = read_all(fd, ksz, vsz, &ents, &n);

	if (!err && slots)
		err = dt_cpu_aggs_merge(slots->aggs, slots->rows, &ents, &n, &pins, &n_pins);
	if (err) {
		free(ents);
		return err;
	}
	r->pins = pins;
	r->n_pins = n_pins;
	if (!running.on) {
		/* entries are packed: a value after a 4-byte key is copied out to be aligned */
		char *val = malloc(vsz);

		err = val ? 0 : -ENOMEM;
		for (size_t i = 0; i < n && !err; i++) {
			memcpy(val, ents + i * (ksz + vsz) + ksz, vsz);
			err = fn(ctx, ents + i * (ksz + vsz), val);
		}
		free(val);
		free(ents);
		free(pins);
		return err;
	}
	err = dt_running_delta(r, ents, n, commit, fn, ctx, &ev, &n_ev);
	free(pins);
	r->pins = NULL;
	r->n_pins = 0;
	if (n_ev && !(final = malloc(vsz)))
		err = err ?: -ENOMEM;
	for (size_t i = 0; i < n_ev; i++) {
		const char *e = ev + i * (ksz + 8 * r->words);

		/* what it gained between the read above and the delete is settled now */
		if (!bpf_map_lookup_and_delete_elem(fd, e, final)) {
			if (!err)
				err = dt_running_settle(r, e, final, fn, ctx);
		} else if (errno != ENOENT && !bpf_map_lookup_elem(fd, e, final)) {
			/* Hash maps take lookup-and-delete from 5.14 only. Left in the map, the
			 * entry would count its whole value again at the next report, its baseline
			 * being gone: delete it after reading it instead. An increment between the
			 * two is lost, on an entry idle for DT_RUNNING_IDLE reports. */
			if (!bpf_map_delete_elem(fd, e) && !err)
				err = dt_running_settle(r, e, final, fn, ctx);
		}
	}
	free(final);
	free(ev);
	free(ents);
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

static int add_offset(void *ctx, const void *k, const void *v)
{
	return dt_snapshot_add_offset(ctx, k, *(const __u64 *)v) ? -ENOMEM : 0;
}

static int add_khist(void *ctx, const void *k, const void *v)
{
	return dt_snapshot_add_khist(ctx, k, v) ? -ENOMEM : 0;
}

static int add_pid(void *ctx, const void *k, const void *v)
{
	return dt_snapshot_add_pid(ctx, *(const __u32 *)k, v) ? -ENOMEM : 0;
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
	struct dt_cpu_aggs aggs;
	int err;

	if (reset)
		running_start();
	take_globals(skel, s, reset);
	s->diag[DT_D_KERNEL_SKIPPED] = kernel_skipped(skel, reset);
	err = read_cpu_aggs(skel, &aggs);
	if (!err)
		take_hists(&aggs, s, reset);
	if (!err)
		err = read_map(bpf_map__fd(skel->maps.inodes), &running.inodes,
			       sizeof(struct dt_inode_key), sizeof(struct dt_inode_val), reset,
			       &(struct slots){ &aggs, DT_SLOT_ROWS_INODES }, add_inode, s);
	if (!err)
		err = read_map(bpf_map__fd(skel->maps.procs), &running.procs,
			       sizeof(struct dt_proc_key), sizeof(struct dt_proc_val), reset,
			       &(struct slots){ &aggs, DT_SLOT_ROWS_PROCS }, add_proc, &procs);
	free(aggs.cpu);
	if (!err)
		err = read_map(bpf_map__fd(skel->maps.unkeyed_devs), &running.devs, sizeof(__u32),
			       sizeof(struct dt_counts), reset, NULL, add_unkeyed_dev, s);
	if (!err)
		err = read_map(bpf_map__fd(skel->maps.offsets), &running.offsets,
			       sizeof(struct dt_offset_key), sizeof(__u64), reset, NULL, add_offset, s);
	s->hist_by = skel->rodata->hist_by;
	if (!err && s->hist_by)
		err = read_map(bpf_map__fd(skel->maps.key_hists), &running.khists,
			       sizeof(struct dt_khist_key), sizeof(struct dt_hist_slots), reset,
			       NULL, add_khist, s);
	if (!err && s->hist_by == DT_HB_PROCESS)
		err = read_map(bpf_map__fd(skel->maps.pids), &running.pids, sizeof(__u32),
			       sizeof(struct dt_pid_val), reset, NULL, add_pid, s);
	if (!err) {
		dt_snapshot_assign_procs(s, procs.e, procs.n);
		if (dt_snapshot_set_procs(s, procs.e, procs.n))
			err = -ENOMEM;
	}
	dt_snapshot_sort_offsets(s);
	dt_snapshot_sort_khists(s);
	dt_snapshot_sort_pids(s);
	free(procs.e);
	dt_snapshot_sort(s);
	dt_snapshot_finish(s);
	return err;
}

static bool seq_active(const struct dt_seq *s)
{
	return s->phase != DT_P_IDLE && s->phase != DT_P_RETRY;
}

/* The hash variant: each entry is a thread's open sequence. An idle one is deleted; its thread,
 * should it resume at that moment, finds no sequence, as with the array. The next key is taken
 * before the current one may go, so that the walk goes on where it was. */
static uint64_t sweep_hash(struct daxtrace_bpf *skel, uint64_t now, uint64_t max_idle_ns)
{
	int fd = bpf_map__fd(skel->maps.inflight);
	__u32 key, next;
	bool more = !bpf_map_get_next_key(fd, NULL, &next);
	uint64_t open = 0;

	while (more) {
		struct dt_seq s;

		key = next;
		more = !bpf_map_get_next_key(fd, &key, &next);
		if (bpf_map_lookup_elem(fd, &key, &s))
			continue; /* its sequence ended meanwhile */
		if (now > s.t_last && now - s.t_last > max_idle_ns) {
			if (!bpf_map_delete_elem(fd, &key) && seq_active(&s))
				__atomic_fetch_add(&skel->bss->diag[DT_D_STALE], 1, __ATOMIC_RELAXED);
		} else if (seq_active(&s)) {
			open++;
		}
	}
	return open;
}

/* Counts the open sequences of the in-flight table and frees the slots of those idle for
 * max_idle_ns (their thread was killed mid-fault), counting them as stale. The array is
 * mmap-ed: a slot is freed with a compare-and-swap on its owner, as BPF claims it, so a thread
 * that resumes at that moment finds its slot gone rather than shared. */
uint64_t dt_sweep_inflight(struct daxtrace_bpf *skel, uint64_t max_idle_ns)
{
	const struct bpf_map *m = skel->maps.inflight;
	size_t len = (size_t)bpf_map__value_size(m) * bpf_map__max_entries(m);
	struct timespec ts;
	struct dt_seq *t;
	uint64_t now, open = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns() is CLOCK_MONOTONIC */
	now = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (bpf_map__type(m) == BPF_MAP_TYPE_HASH)
		return sweep_hash(skel, now, max_idle_ns);
	t = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
	if (t == MAP_FAILED)
		return 0;
	for (uint32_t i = 0; i < bpf_map__max_entries(m); i++) {
		struct dt_seq *s = &t[i];
		uint32_t owner = __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE);
		uint64_t last = __atomic_load_n(&s->t_last, __ATOMIC_RELAXED);
		bool active = seq_active(s);

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
