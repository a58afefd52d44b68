// SPDX-License-Identifier: GPL-2.0
/* Drives the raw_tp programs through BPF_PROG_TEST_RUN with made-up arguments, on this thread,
 * and checks counters, fallback reasons and histogram sample counts. Pointer arguments are
 * mostly plain numbers: reads through them fail and give 0, but the vmf value still keys the
 * in-flight sequence, which is what the state machine runs on. Where a fallback reason depends
 * on what the programs read (the vmf, its VMA, the iomap), the arguments point at a BPF array
 * value the test fills in: kernel memory the programs can read (see kmem_setup). Every case
 * runs against both objects: the in-flight array claimed with compare-and-swap and the hash
 * variant (src/inflight.c); a last case drives sequences from one thread per CPU at once.
 * Needs root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <time.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect.h"
#include "cpu_aggs.h"
#include "daxtrace.h"
#include "daxtrace.skel.h"
#include "defaults.h"
#include "inflight.h"
#include "kmem.h"
#include "sorted_keys.h"

#define KMEM_SIZE 1024 /* the kernel memory the cases fill in (kmem_setup) */
#define NOPAGE 0x100
#define FALLBACK 0x800
#define NEEDDSYNC 0x2000
#define SIGBUS 0x2
#define MAJOR 0x4

static struct daxtrace_bpf *skel;
static enum dt_inflight variant; /* the object under test */

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return 0;
}

/* The raw_tp programs only, with histogram slots of unit_ns (the loader's -m/--nanoseconds),
 * and --hist-by hist_by with max_hists (key, stage) rows and max_procs processes (as the
 * loader sizes them; without --hist-by their maps keep the object's one entry). */
static struct daxtrace_bpf *open_hist_by(uint64_t unit_ns, int hist_by, uint32_t max_hists,
					 uint32_t max_procs)
{
	struct daxtrace_bpf *o = dt_inflight_open(variant, NULL);
	struct bpf_program *p;

	if (!o)
		return NULL;
	o->rodata->hist_unit_ns = unit_ns;
	o->rodata->hist_by = (__u8)hist_by;
	if (hist_by && (bpf_map__set_max_entries(o->maps.key_hists, max_hists) ||
			bpf_map__set_max_entries(o->maps.pids, max_procs))) {
		daxtrace_bpf__destroy(o);
		return NULL;
	}
	bpf_object__for_each_program(p, o->obj)
		bpf_program__set_autoload(p, !strncmp(bpf_program__section_name(p), "raw_tp/", 7));
	if (daxtrace_bpf__load(o)) {
		daxtrace_bpf__destroy(o);
		return NULL;
	}
	return o;
}

static struct daxtrace_bpf *open_raw_tp(uint64_t unit_ns)
{
	return open_hist_by(unit_ns, DT_HB_NONE, 0, 0);
}

static int setup(void **state)
{
	libbpf_set_print(quiet);
	skel = open_raw_tp(1000);
	return skel ? kmem_setup(KMEM_SIZE) : -1;
}

static int teardown(void **state)
{
	kmem_teardown();
	daxtrace_bpf__destroy(skel);
	return 0;
}

/* The first of the DT_SEQ_WAYS in-flight slots this thread may use (array). */
static uint32_t set_base(void)
{
	return ((uint32_t)gettid() & skel->rodata->seq_set_mask) * DT_SEQ_WAYS;
}

static void put_slot(uint32_t k, uint32_t owner, uint64_t t_last, int phase)
{
	struct dt_seq s = { .owner = owner, .t_last = t_last, .phase = phase };

	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.inflight), &k, &s, BPF_ANY), 0);
}

static uint32_t slot_owner(uint32_t k)
{
	struct dt_seq s;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.inflight), &k, &s), 0);
	return s.owner;
}

/* Another thread's open sequence, as its i-th of the set (array) or under its id (hash). */
static void put_seq(uint32_t i, uint32_t owner, uint64_t t_last, int phase)
{
	put_slot(variant == DT_INFLIGHT_HASH ? owner : set_base() + i, owner, t_last, phase);
}

/* Whether thread `owner` holds a sequence: in slot i of the set (array), or at all (hash). */
static bool has_seq(uint32_t i, uint32_t owner)
{
	struct dt_seq s;

	if (variant == DT_INFLIGHT_ARRAY)
		return slot_owner(set_base() + i) == owner;
	return !bpf_map_lookup_elem(bpf_map__fd(skel->maps.inflight), &owner, &s) &&
	       s.owner == owner;
}

/* How many sequences thread tid holds. */
static int held_by(uint32_t tid)
{
	int n = 0;

	if (variant == DT_INFLIGHT_HASH)
		return has_seq(0, tid);
	for (uint32_t i = 0; i < DT_SEQ_WAYS; i++)
		n += slot_owner(set_base() + i) == tid;
	return n;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void clear_map(struct bpf_map *m, size_t key_size)
{
	char key[64];
	int fd = bpf_map__fd(m);

	assert_true(key_size <= sizeof(key));
	while (!bpf_map_get_next_key(fd, NULL, key))
		bpf_map_delete_elem(fd, key);
}

/* An empty in-flight table: the hash without entries, or this thread's set of free slots. */
static void clear_inflight(void)
{
	if (variant == DT_INFLIGHT_HASH) {
		clear_map(skel->maps.inflight, sizeof(__u32));
		return;
	}
	for (uint32_t i = 0; i < DT_SEQ_WAYS; i++)
		put_slot(set_base() + i, 0, 0, DT_P_IDLE);
}

/* Every CPU's copy of o's cpu_aggs, into a (a->cpu freed by the caller). */
static void read_aggs(struct daxtrace_bpf *o, struct dt_cpu_aggs *a)
{
	__u32 zero = 0;

	a->n = libbpf_num_possible_cpus();
	a->cpu = calloc(a->n, sizeof(*a->cpu));
	assert_non_null(a->cpu);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(o->maps.cpu_aggs), &zero, a->cpu), 0);
}

/* Counter c of inode k as a report sees it: its shared row merged with every CPU's slots by
 * the reports' own code. */
static uint64_t inode_counter(struct daxtrace_bpf *o, const struct dt_inode_key *k, int c)
{
	const size_t ksz = sizeof(*k), es = ksz + sizeof(struct dt_inode_val);
	char *ents = calloc(1, es), *pins, *hit;
	struct dt_cpu_aggs a;
	size_t n, n_pins;
	uint64_t v = 0;

	assert_non_null(ents);
	memcpy(ents, k, ksz);
	n = bpf_map_lookup_elem(bpf_map__fd(o->maps.inodes), k, ents + ksz) ? 0 : 1;
	read_aggs(o, &a);
	assert_int_equal(dt_cpu_aggs_merge(&a, DT_SLOT_ROWS_INODES, &ents, &n, &pins, &n_pins), 0);
	hit = dt_keys_find(ents, n, es, k, ksz);
	if (hit)
		memcpy(&v, hit + ksz + offsetof(struct dt_inode_val, counters[c]), sizeof(v));
	free(a.cpu);
	free(ents);
	free(pins);
	return v;
}

/* The histograms summed over the CPUs. */
static void hists_now(struct dt_hist_slots *h, __u64 *sum_ns)
{
	struct dt_cpu_aggs a;

	read_aggs(skel, &a);
	dt_cpu_aggs_hists(&a, h, sum_ns);
	free(a.cpu);
}

static void clear_aggs(struct daxtrace_bpf *o)
{
	size_t n = libbpf_num_possible_cpus();
	void *zeros = calloc(n, sizeof(struct dt_cpu_agg));
	__u32 zero = 0;

	assert_non_null(zeros);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(o->maps.cpu_aggs), &zero, zeros, 0), 0);
	free(zeros);
}

/* Zero all aggregates and the thread's in-flight set between tests. */
static int reset(void **state)
{
	memset(skel->bss, 0, sizeof(*skel->bss));
	clear_aggs(skel);
	clear_map(skel->maps.inodes, sizeof(struct dt_inode_key));
	clear_map(skel->maps.procs, sizeof(struct dt_proc_key));
	clear_map(skel->maps.unkeyed_devs, sizeof(__u32));
	clear_map(skel->maps.offsets, sizeof(struct dt_offset_key));
	clear_map(skel->maps.key_hists, sizeof(struct dt_khist_key));
	clear_map(skel->maps.pids, sizeof(__u32));
	skel->bss->dstmap_hooked = true;
	clear_inflight();
	return 0;
}

/* One run of prog on this thread and CPU with nargs u64 arguments: 0 or -errno. */
static int try_run(struct bpf_program *prog, int nargs, ...)
{
	uint64_t args[6] = {};
	va_list ap;

	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		args[i] = va_arg(ap, uint64_t);
	va_end(ap);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = nargs * 8);
	return bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
}

#define run(prog, nargs, ...) assert_int_equal(try_run(prog, nargs, __VA_ARGS__), 0)

#define VMF 0xffff888000001000ULL
#define VMF2 0xffff888000002000ULL

/* Kernel memory with contents of the test's choosing, for the pointer arguments whose
 * targets the programs read (tests/lib/kmem.h). The cases below use kmem_set and kmem_store as
 * assertions: the macros call the library's functions (a macro does not expand inside itself). */
#define kmem_set(base, type, field, value) \
	assert_int_equal(kmem_set(base, type, field, value), 0)
#define kmem_store() assert_int_equal(kmem_store(), 0)

/* Where the structs go in the kernel memory. */
#define K_VMF 64
#define K_VMA 256
#define K_IOMAP 640
#define PMD_SIZE 0x200000ULL
#define VM_SHARED 0x8
#define FAULT_FLAG_WRITE 0x1
#define IOMAP_MAPPED 2

/* A write fault at a 2 MiB-aligned address, page offset 0, in a shared VMA that holds the
 * whole 2 MiB block: no geometry reason to fall back. Returns the vmf argument. */
static uint64_t kmem_pmd_fault_vmf(void)
{
	const uint64_t addr = 0x7f0000000000ULL;

	memset(kmem, 0, kmem_size);
	kmem_set(K_VMF, "vm_fault", "vma", kmem_addr + K_VMA);
	kmem_set(K_VMF, "vm_fault", "pgoff", 0);
	kmem_set(K_VMF, "vm_fault", "address", addr);
	kmem_set(K_VMF, "vm_fault", "flags", FAULT_FLAG_WRITE);
	kmem_set(K_VMA, "vm_area_struct", "vm_start", addr);
	kmem_set(K_VMA, "vm_area_struct", "vm_end", addr + PMD_SIZE);
	kmem_set(K_VMA, "vm_area_struct", "vm_flags", VM_SHARED);
	return kmem_addr + K_VMF;
}

static uint64_t hist_n(int h)
{
	struct dt_hist_slots hists[DT_H_NR];
	__u64 sum_ns[DT_H_NR];
	uint64_t n = 0;

	hists_now(hists, sum_ns);
	for (int i = 0; i < DT_MAX_SLOTS; i++)
		n += hists[h].slots[i];
	return n;
}

/* What the report would show: the inode rows plus the unkeyed events. */
static struct dt_snapshot snap_now(void)
{
	struct dt_snapshot s;

	dt_snapshot_init(&s);
	assert_int_equal(dt_collect(skel, &s, false), 0);
	return s;
}

static uint64_t total(int c)
{
	struct dt_snapshot s = snap_now();
	uint64_t v = s.totals[c];

	dt_snapshot_free(&s);
	return v;
}

static uint64_t fb_total(int r)
{
	struct dt_snapshot s = snap_now();
	uint64_t v = s.fallback_totals[r];

	dt_snapshot_free(&s);
	return v;
}

#define T(c) total(c)

/* PMD attempt falls back, PTE attempt needs a sync, mkwrite upgrades the PTE. */
static void test_pmd_fallback_then_pte_sync(void **state)
{
	typeof(skel->progs) *p = &skel->progs;

	run(p->raw_dax_pmd_fault, 4, 0ULL, VMF, 1024ULL, 0ULL);
	run(p->raw_dax_pmd_fault_done, 4, 0ULL, VMF, 1024ULL, (uint64_t)FALLBACK);
	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)(NEEDDSYNC | MAJOR));
	run(p->raw_ext4_sync_file_exit, 2, 0ULL, 0ULL);
	run(p->raw_dax_insert_pfn_mkwrite, 3, 0ULL, VMF, (uint64_t)NOPAGE);

	assert_int_equal(T(DT_C_PMD_FAULTS), 1);
	assert_int_equal(T(DT_C_PTE_FAULTS), 1);
	assert_int_equal(T(DT_C_FALLBACKS), 1);
	assert_int_equal(T(DT_C_SYNC_FAULTS), 1);
	assert_int_equal(T(DT_C_PTE_UPGRADES), 1);
	assert_int_equal(T(DT_C_PMD_UPGRADES), 0);
	/* vmf fields read as 0: vm_end 0 < 2 MiB block end */
	assert_int_equal(fb_total(DT_FB_VMA_END), 1);
	assert_int_equal(hist_n(DT_H_PMD_FAULT), 1);
	assert_int_equal(hist_n(DT_H_PTE_FAULT), 1);
	assert_int_equal(hist_n(DT_H_SYNC_FAULT), 1);
	assert_int_equal(hist_n(DT_H_FSYNC), 1);
	assert_int_equal(hist_n(DT_H_MKWRITE), 1);
	assert_int_equal(skel->bss->diag[DT_D_UNMATCHED], 0);
}

/* A PMD NEEDDSYNC sizes the upgrade as PMD. */
static void test_pmd_sync_upgrade(void **state)
{
	typeof(skel->progs) *p = &skel->progs;

	run(p->raw_dax_pmd_fault, 4, 0ULL, VMF, 1024ULL, 0ULL);
	run(p->raw_dax_pmd_fault_done, 4, 0ULL, VMF, 1024ULL, (uint64_t)NEEDDSYNC);
	run(p->raw_dax_insert_pfn_mkwrite, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	assert_int_equal(T(DT_C_PMD_UPGRADES), 1);
	assert_int_equal(T(DT_C_PTE_UPGRADES), 0);
	assert_int_equal(T(DT_C_SYNC_FAULTS), 1);
	assert_int_equal(hist_n(DT_H_SYNC_FAULT), 1);
	assert_int_equal(hist_n(DT_H_MKWRITE), 0); /* no fsync end seen: no mkwrite split */
}

/* no_entry ends the sequence as a race, not an upgrade. */
static void test_race(void **state)
{
	typeof(skel->progs) *p = &skel->progs;

	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NEEDDSYNC);
	run(p->raw_dax_insert_pfn_mkwrite_no_entry, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	assert_int_equal(T(DT_C_RACES), 1);
	assert_int_equal(T(DT_C_PTE_UPGRADES), 0);
	assert_int_equal(hist_n(DT_H_SYNC_FAULT), 1);
	/* the re-fault is a new, non-sync sequence */
	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	assert_int_equal(T(DT_C_PTE_FAULTS), 2);
	assert_int_equal(T(DT_C_SYNC_FAULTS), 1);
}

/* A failed fsync (ext4_sync_file_exit ret < 0) ends the sync fault with no mkwrite event. */
static void test_fsync_failure(void **state)
{
	typeof(skel->progs) *p = &skel->progs;

	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NEEDDSYNC);
	run(p->raw_ext4_sync_file_exit, 2, 0ULL, (uint64_t)-5);
	assert_int_equal(T(DT_C_FSYNC_FAILURES), 1);
	assert_int_equal(hist_n(DT_H_SYNC_FAULT), 1);
	assert_int_equal(hist_n(DT_H_FSYNC), 1);
}

/* mkwrite with SIGBUS is an error, not an upgrade; fault errors are counted on *_done. */
static void test_errors(void **state)
{
	typeof(skel->progs) *p = &skel->progs;

	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NEEDDSYNC);
	run(p->raw_dax_insert_pfn_mkwrite, 3, 0ULL, VMF, (uint64_t)SIGBUS);
	assert_int_equal(T(DT_C_MKWRITE_ERRORS), 1);
	assert_int_equal(T(DT_C_PTE_UPGRADES), 0);
	run(p->raw_dax_pte_fault, 3, 0ULL, VMF2, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF2, (uint64_t)SIGBUS);
	assert_int_equal(T(DT_C_FAULT_ERRORS), 1);
}

/* An mkwrite with no open sequence is counted as unmatched, never guessed. */
static void test_unmatched(void **state)
{
	run(skel->progs.raw_dax_insert_pfn_mkwrite, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	assert_int_equal(T(DT_C_PTE_UPGRADES) + T(DT_C_PMD_UPGRADES), 0);
	assert_int_equal(skel->bss->diag[DT_D_UNMATCHED], 1);
}

/* A new fault while a sync is pending abandons the old sequence: counted as stale. */
static void test_stale(void **state)
{
	typeof(skel->progs) *p = &skel->progs;

	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NEEDDSYNC);
	run(p->raw_dax_pte_fault, 3, 0ULL, VMF2, 0ULL);
	assert_int_equal(skel->bss->diag[DT_D_STALE], 1);
}

/* A PMD fallback's reason, with the geometry in kernel memory so that the vmf checks pass and
 * only the iomap part decides. DSTMAP: whether iomap_iter_dstmap fires in the attempt, with
 * an extent of LENGTH bytes at file offset 0. Returns the one reason counted. */
static int pmd_fallback_reason(int dstmap, uint64_t length)
{
	typeof(skel->progs) *p = &skel->progs;
	uint64_t vmf = kmem_pmd_fault_vmf(), sum = 0;
	int reason = -1;

	kmem_set(K_IOMAP, "iomap", "offset", 0);
	kmem_set(K_IOMAP, "iomap", "length", length);
	kmem_set(K_IOMAP, "iomap", "type", IOMAP_MAPPED);
	kmem_store();
	run(p->raw_dax_pmd_fault, 4, 0ULL, vmf, 4096ULL, 0ULL);
	if (dstmap)
		run(p->raw_iomap_iter_dstmap, 2, 0ULL, kmem_addr + K_IOMAP);
	run(p->raw_dax_pmd_fault_done, 4, 0ULL, vmf, 4096ULL, (uint64_t)FALLBACK);
	for (int r = 0; r < DT_FB_NR; r++) {
		uint64_t n = fb_total(r);

		sum += n;
		if (n)
			reason = r;
	}
	assert_int_equal(T(DT_C_FALLBACKS), 1);
	assert_int_equal(sum, 1);
	return reason;
}

/* No iomap lookup in the attempt (grab_mapping_entry found PTE entries): entry_conflict. */
static void test_entry_conflict_needs_no_dstmap(void **state)
{
	assert_int_equal(pmd_fallback_reason(false, 0), DT_FB_ENTRY_CONFLICT);
}

/* The attempt's dstmap decides the later reasons: a short extent, else a mapped 2 MiB extent
 * the device could not map as one (direct_access). */
static void test_dstmap_decides_later_reasons(void **state)
{
	assert_int_equal(pmd_fallback_reason(true, 4096), DT_FB_EXTENT_SHORT);
	reset(state);
	assert_int_equal(pmd_fallback_reason(true, PMD_SIZE), DT_FB_DIRECT_ACCESS);
}

/* Sequences other threads can have open where this thread's would go: the slots of its set
 * (array), or the whole hash. */
static uint32_t table_room(void)
{
	return variant == DT_INFLIGHT_HASH ? bpf_map__max_entries(skel->maps.inflight) : DT_SEQ_WAYS;
}

/* Other threads fill all the room this thread's sequence could take: the fault is counted but
 * not timed, the mkwrite has no sequence to end, and the others' sequences are left alone. */
static void test_full_table_counts_without_timing(void **state)
{
	typeof(skel->progs) *p = &skel->progs;
	uint32_t room = table_room();
	uint64_t now = mono_ns();

	for (uint32_t i = 0; i < room; i++)
		put_seq(i, 0x7ff00000 + i, now, DT_P_SYNC_PENDING);
	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NEEDDSYNC);
	run(p->raw_ext4_sync_file_exit, 2, 0ULL, 0ULL);
	run(p->raw_dax_insert_pfn_mkwrite, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	assert_int_equal(T(DT_C_PTE_FAULTS), 1);
	assert_int_equal(T(DT_C_SYNC_FAULTS), 1);
	assert_int_equal(skel->bss->diag[DT_D_INFLIGHT_OVERFLOW], 1);
	assert_int_equal(skel->bss->diag[DT_D_UNMATCHED], 1);
	assert_int_equal(hist_n(DT_H_PTE_FAULT) + hist_n(DT_H_SYNC_FAULT), 0);
	for (uint32_t i = 0; i < room; i++)
		assert_true(has_seq(i, 0x7ff00000 + i));
}

/* A sequence idle for DT_SEQ_STALE_NS was abandoned: it gives way to a new one, the
 * abandonment is counted, and the room is free again when the new sequence ends. In the array
 * a thread takes the abandoned slot of its set itself; in the hash BPF never touches another
 * thread's entry, and the sweep deletes it. */
static void test_abandoned_seq_gives_way(void **state)
{
	typeof(skel->progs) *p = &skel->progs;
	uint32_t room = table_room(), tid = (uint32_t)gettid();
	uint64_t now = mono_ns();

	for (uint32_t i = 0; i < room; i++)
		put_seq(i, 0x7ff00000 + i, i == 2 ? now - DT_SEQ_STALE_NS - 1000000000ULL : now,
			DT_P_SYNC_PENDING);
	if (variant == DT_INFLIGHT_HASH) {
		run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
		assert_int_equal(skel->bss->diag[DT_D_INFLIGHT_OVERFLOW], 1);
		assert_int_equal(dt_sweep_inflight(skel, DT_SEQ_STALE_NS), room - 1);
		skel->bss->diag[DT_D_INFLIGHT_OVERFLOW] = 0;
	}
	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	assert_true(has_seq(2, tid));
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NEEDDSYNC);
	run(p->raw_dax_insert_pfn_mkwrite, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	assert_int_equal(T(DT_C_PTE_UPGRADES), 1);
	assert_int_equal(hist_n(DT_H_SYNC_FAULT), 1);
	assert_int_equal(skel->bss->diag[DT_D_STALE], 1);
	assert_int_equal(skel->bss->diag[DT_D_INFLIGHT_OVERFLOW], 0);
	assert_false(has_seq(2, tid));
	assert_int_equal(held_by(tid), 0);
	assert_true(has_seq(3, 0x7ff00003));
}

/* A thread holds a sequence from its fault to the end of the sequence, and only then. */
static void test_slot_held_while_open(void **state)
{
	typeof(skel->progs) *p = &skel->progs;
	uint32_t tid = (uint32_t)gettid();

	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NEEDDSYNC);
	assert_int_equal(held_by(tid), 1);
	run(p->raw_dax_insert_pfn_mkwrite, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	assert_int_equal(held_by(tid), 0);
	/* a plain (non-sync) fault ends at its _done */
	run(p->raw_dax_pte_fault, 3, 0ULL, VMF2, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF2, (uint64_t)NOPAGE);
	assert_int_equal(held_by(tid), 0);
}

/* The user-space sweep counts open sequences, and frees the room of abandoned ones, counting
 * an abandoned sync as stale. */
static void test_sweep(void **state)
{
	uint64_t now = mono_ns(), old = now - DT_SEQ_STALE_NS - 1000000000ULL;

	put_seq(0, 0x7ff00000, old, DT_P_SYNC_PENDING);
	put_seq(1, 0x7ff00001, now, DT_P_SYNC_PENDING);
	put_seq(2, 0x7ff00002, old, DT_P_RETRY);
	put_seq(3, 0x7ff00003, now, DT_P_RETRY);
	assert_int_equal(dt_sweep_inflight(skel, DT_SEQ_STALE_NS), 1);
	assert_int_equal(skel->bss->diag[DT_D_STALE], 1);
	assert_false(has_seq(0, 0x7ff00000));
	assert_true(has_seq(1, 0x7ff00001));
	assert_false(has_seq(2, 0x7ff00002));
	assert_true(has_seq(3, 0x7ff00003));
}

/* The snapshot's rows of kind for the inode (0, 0, 0) the tests' NULL inode reads as. */
static size_t offsets_of(struct dt_snapshot *s, int kind, const struct dt_offset_rec **o)
{
	struct dt_inode_key k = {};
	size_t n;

	*o = dt_snapshot_offsets(s, &k, kind, &n);
	return n;
}

/* A fallback at page 0x403 is in the 2 MiB block at 4 MiB, with its reason (the address is
 * 2 MiB-aligned, the page is not: misaligned); twice there is one row of 2. A race at page 0x3ff
 * is in the block at 2 MiB. */
static void test_offsets(void **state)
{
	typeof(skel->progs) *p = &skel->progs;
	uint64_t vmf = kmem_pmd_fault_vmf();
	const struct dt_offset_rec *o;
	struct dt_snapshot s;

	kmem_set(K_VMF, "vm_fault", "pgoff", 0x403);
	kmem_store();
	for (int i = 0; i < 2; i++) {
		run(p->raw_dax_pmd_fault, 4, 0ULL, vmf, 4096ULL, 0ULL);
		run(p->raw_dax_pmd_fault_done, 4, 0ULL, vmf, 4096ULL, (uint64_t)FALLBACK);
	}
	kmem_set(K_VMF, "vm_fault", "pgoff", 0x3ff);
	kmem_store();
	run(p->raw_dax_pte_fault, 3, 0ULL, vmf, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, vmf, (uint64_t)NEEDDSYNC);
	run(p->raw_dax_insert_pfn_mkwrite_no_entry, 3, 0ULL, vmf, (uint64_t)NOPAGE);
	s = snap_now();
	assert_int_equal(s.n_offsets, 2);
	assert_int_equal(offsets_of(&s, DT_OFF_FALLBACK, &o), 1);
	assert_int_equal(o[0].key.offset, 4ULL << 20);
	assert_int_equal(o[0].key.reason, DT_FB_MISALIGNED);
	assert_int_equal(o[0].count, 2);
	assert_int_equal(offsets_of(&s, DT_OFF_RACE, &o), 1);
	assert_int_equal(o[0].key.offset, 2ULL << 20);
	assert_int_equal(o[0].count, 1);
	assert_int_equal(s.totals[DT_C_FALLBACKS], 2);
	assert_int_equal(s.totals[DT_C_RACES], 1);
	assert_int_equal(skel->bss->diag[DT_D_OFFSET_OVERFLOW], 0);
	dt_snapshot_free(&s);
}

/* With -i each report has the interval's growth of each block's row: 1, then 2, then none. */
static void test_offsets_interval(void **state)
{
	typeof(skel->progs) *p = &skel->progs;
	uint64_t vmf = kmem_pmd_fault_vmf();
	const struct dt_offset_rec *o;
	struct dt_snapshot s;
	size_t want[3] = { 1, 2, 0 };

	kmem_set(K_VMF, "vm_fault", "pgoff", 0x603);
	kmem_store();
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < want[round]; i++) {
			run(p->raw_dax_pmd_fault, 4, 0ULL, vmf, 4096ULL, 0ULL);
			run(p->raw_dax_pmd_fault_done, 4, 0ULL, vmf, 4096ULL, (uint64_t)FALLBACK);
		}
		dt_snapshot_init(&s);
		assert_int_equal(dt_collect(skel, &s, true), 0);
		if (want[round]) {
			assert_int_equal(offsets_of(&s, DT_OFF_FALLBACK, &o), 1);
			assert_int_equal(o[0].key.offset, 6ULL << 20);
			assert_int_equal(o[0].count, want[round]);
		} else {
			assert_int_equal(offsets_of(&s, DT_OFF_FALLBACK, &o), 0);
		}
		dt_snapshot_free(&s);
	}
	dt_collect_end();
}

/* With the offsets map full, a fallback in a new block is still counted, its offset is not, and
 * offset_map_full says so; one in a block that has its row still adds to it. */
static void test_offsets_map_full(void **state)
{
	typeof(skel->progs) *p = &skel->progs;
	uint64_t vmf = kmem_pmd_fault_vmf(), one = 1;
	uint32_t max = bpf_map__max_entries(skel->maps.offsets);
	int fd = bpf_map__fd(skel->maps.offsets);
	struct dt_offset_key k = { .inode = { .ino = 777 } };
	const struct dt_offset_rec *o;
	struct dt_snapshot s;

	assert_int_equal(max, DT_DEFAULT_MAX_OFFSETS);
	/* another file's rows fill all but one entry; the first fallback takes the last */
	for (uint32_t i = 0; i + 1 < max; i++) {
		k.offset = (uint64_t)i << 21;
		assert_int_equal(bpf_map_update_elem(fd, &k, &one, BPF_NOEXIST), 0);
	}
	kmem_set(K_VMF, "vm_fault", "pgoff", 0x3);
	kmem_store();
	run(p->raw_dax_pmd_fault, 4, 0ULL, vmf, 4096ULL, 0ULL);
	run(p->raw_dax_pmd_fault_done, 4, 0ULL, vmf, 4096ULL, (uint64_t)FALLBACK);
	assert_int_equal(skel->bss->diag[DT_D_OFFSET_OVERFLOW], 0);
	kmem_set(K_VMF, "vm_fault", "pgoff", 0x203); /* the next block: no room */
	kmem_store();
	for (int i = 0; i < 3; i++) {
		run(p->raw_dax_pmd_fault, 4, 0ULL, vmf, 4096ULL, 0ULL);
		run(p->raw_dax_pmd_fault_done, 4, 0ULL, vmf, 4096ULL, (uint64_t)FALLBACK);
	}
	assert_int_equal(skel->bss->diag[DT_D_OFFSET_OVERFLOW], 3);
	kmem_set(K_VMF, "vm_fault", "pgoff", 0x1);
	kmem_store();
	run(p->raw_dax_pmd_fault, 4, 0ULL, vmf, 4096ULL, 0ULL);
	run(p->raw_dax_pmd_fault_done, 4, 0ULL, vmf, 4096ULL, (uint64_t)FALLBACK);
	assert_int_equal(skel->bss->diag[DT_D_OFFSET_OVERFLOW], 3);
	s = snap_now();
	assert_int_equal(s.totals[DT_C_FALLBACKS], 5);
	assert_int_equal(offsets_of(&s, DT_OFF_FALLBACK, &o), 1);
	assert_int_equal(o[0].key.offset, 0);
	assert_int_equal(o[0].count, 2);
	assert_int_equal(s.diag[DT_D_OFFSET_OVERFLOW], 3);
	dt_snapshot_free(&s);
}

/* --max-inflight N gives N slots rounded up to a power of two, at least one set. */
static void test_slot_count(void **state)
{
	assert_int_equal(dt_seq_slots(16), 16);
	assert_int_equal(dt_seq_slots(17), 32);
	assert_int_equal(dt_seq_slots(4096), 4096);
	assert_int_equal(dt_seq_slots(1), DT_SEQ_WAYS);
	if (variant == DT_INFLIGHT_ARRAY)
		assert_int_equal(bpf_map__max_entries(skel->maps.inflight),
				 (skel->rodata->seq_set_mask + 1) * DT_SEQ_WAYS);
	else /* one entry per thread: --max-inflight as given (src/loader.c) */
		assert_int_equal(bpf_map__max_entries(skel->maps.inflight), DT_DEFAULT_MAX_INFLIGHT);
}

/* The writeback inside a sync fault's fsync is timed in the sequence, without wb_start;
 * writeback with no sequence open (fsync(2), a kworker) goes through wb_start. */
static void test_writeback_timing(void **state)
{
	typeof(skel->progs) *p = &skel->progs;
	int wb = bpf_map__fd(skel->maps.wb_start);
	uint32_t tid = (uint32_t)gettid();
	uint64_t t0;

	bpf_map_delete_elem(wb, &tid);
	run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NEEDDSYNC);
	run(p->raw_dax_writeback_range, 3, 0ULL, 0ULL, 0ULL);
	assert_int_not_equal(bpf_map_lookup_elem(wb, &tid, &t0), 0);
	run(p->raw_dax_writeback_range_done, 3, 0ULL, 0ULL, 0ULL);
	assert_int_equal(hist_n(DT_H_WRITEBACK), 1);
	/* a second _done in the same fsync has no start left: no sample */
	run(p->raw_dax_writeback_range_done, 3, 0ULL, 0ULL, 0ULL);
	assert_int_equal(hist_n(DT_H_WRITEBACK), 1);
	run(p->raw_dax_insert_pfn_mkwrite, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	assert_int_equal(T(DT_C_PTE_UPGRADES), 1);

	run(p->raw_dax_writeback_range, 3, 0ULL, 0ULL, 0ULL);
	assert_int_equal(bpf_map_lookup_elem(wb, &tid, &t0), 0);
	run(p->raw_dax_writeback_range_done, 3, 0ULL, 0ULL, 0ULL);
	assert_int_not_equal(bpf_map_lookup_elem(wb, &tid, &t0), 0);
	assert_int_equal(hist_n(DT_H_WRITEBACK), 2);
}

/* One timed PTE attempt in each display unit: its slot is log2 of its latency in that unit
 * (hist_sum_ns has the latency itself, in ns, whatever the unit). */
static void test_hist_slot_in_display_unit(void **state)
{
	static const uint64_t units[] = { 1, 1000, 1000000 };
	struct daxtrace_bpf *keep = skel;

	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		struct dt_hist_slots hists[DT_H_NR];
		__u64 sum_ns[DT_H_NR];
		uint64_t ns;
		int slot = -1;

		skel = open_raw_tp(units[u]);
		assert_non_null(skel);
		reset(state);
		run(skel->progs.raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
		usleep(2500); /* 2.5 ms or more: a different slot in each unit */
		run(skel->progs.raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NOPAGE);
		hists_now(hists, sum_ns);
		ns = sum_ns[DT_H_PTE_FAULT];
		for (int i = 0; i < DT_MAX_SLOTS; i++)
			if (hists[DT_H_PTE_FAULT].slots[i])
				slot = i;
		assert_int_equal(hist_n(DT_H_PTE_FAULT), 1);
		assert_true(ns >= 2500000);
		assert_int_equal(slot, dt_log2_slot(ns / units[u]));
		daxtrace_bpf__destroy(skel);
	}
	skel = keep;
}

/* Per-inode records and the process map fill in alongside the totals. */
static void test_inode_record(void **state)
{
	struct dt_inode_key k = {};
	struct dt_inode_val v;
	int fd = bpf_map__fd(skel->maps.inodes);

	run(skel->progs.raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(skel->progs.raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), 0); /* (dev 0, ino 0): NULL inode */
	assert_int_equal(inode_counter(skel, &k, DT_C_PTE_FAULTS), 1);
}

/* Pins this thread to cpu, so that the programs it runs use that CPU's aggregates. */
static void on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	assert_int_equal(sched_setaffinity(0, sizeof(set), &set), 0);
}

static void any_cpu(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int i = 0; i < libbpf_num_possible_cpus() && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* One file's counts live in per-CPU slots and, where a CPU's ways for the pair are taken by
 * other pairs, in the shared rows; the report sums them exactly. CPU 0's four ways for (the
 * NULL inode, this process) are filled first, so its fault counts in the shared rows; the last
 * CPU's fault claims a slot there. */
static void test_cpu_slots_and_shared_rows(void **state)
{
	int last = libbpf_num_possible_cpus() - 1;
	struct dt_inode_key k = {};
	struct dt_cpu_aggs a;
	struct dt_snapshot s;
	struct dt_inode_val v;
	__u32 tgid = getpid(), zero = 0, h = dt_slot_hash(&k, tgid);

	read_aggs(skel, &a);
	for (int i = 0; i < DT_CPU_SLOT_WAYS; i++) {
		struct dt_cpu_slot *sl = &a.cpu[0].slots[(h + i) & (DT_CPU_SLOTS - 1)];

		sl->state = DT_SLOT_CLAIMED;
		sl->inode.ino = 1000 + i;
	}
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.cpu_aggs), &zero, a.cpu, 0), 0);
	free(a.cpu);
	for (int cpu = 0; cpu <= last; cpu += last ? last : 1) {
		on_cpu(cpu);
		run(skel->progs.raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
		run(skel->progs.raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	}
	any_cpu();
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.inodes), &k, &v), 0);
	assert_int_equal(v.counters[DT_C_PTE_FAULTS], 1); /* CPU 0's */
	assert_int_equal(inode_counter(skel, &k, DT_C_PTE_FAULTS), last ? 2 : 1);
	s = snap_now();
	assert_int_equal(s.totals[DT_C_PTE_FAULTS], last ? 2 : 1);
	assert_int_equal(hist_n(DT_H_PTE_FAULT), last ? 2 : 1);
	dt_snapshot_free(&s);
}

/* The inode map full: events still count, in the unkeyed totals of the host and of their
 * device, so that TOTAL and the device totals stay exact and equal to rows + unkeyed. */
static void test_full_inode_map_keeps_totals_exact(void **state)
{
	int fd = bpf_map__fd(skel->maps.inodes);
	struct dt_inode_key k = { .dev = dt_dev_encode(259, 0), .ino = 1 };
	struct dt_inode_val v = {};
	struct dt_snapshot s;
	struct dt_dev_rec d[2], other;
	uint32_t n = bpf_map__max_entries(skel->maps.inodes);

	v.counters[DT_C_PTE_FAULTS] = 1;
	for (uint32_t i = 0; i < n; i++, k.ino++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
	/* the fault's inode (dev 0, ino 0: a NULL inode here) finds no room */
	run(skel->progs.raw_dax_pmd_fault, 4, 0ULL, VMF, 1024ULL, 0ULL);
	run(skel->progs.raw_dax_pmd_fault_done, 4, 0ULL, VMF, 1024ULL, (uint64_t)FALLBACK);
	assert_int_equal(skel->bss->diag[DT_D_INODE_OVERFLOW], 1);
	assert_int_equal(skel->bss->unkeyed[DT_C_PMD_FAULTS], 1);
	assert_int_equal(skel->bss->unkeyed[DT_C_FALLBACKS], 1);
	assert_int_equal(skel->bss->unkeyed_fallbacks[DT_FB_VMA_END], 1);
	s = snap_now();
	assert_int_equal(s.n_inodes, n);
	assert_int_equal(s.totals[DT_C_PTE_FAULTS], n);
	assert_int_equal(s.totals[DT_C_PMD_FAULTS], 1);
	assert_int_equal(s.fallback_totals[DT_FB_VMA_END], 1);
	assert_int_equal(dt_snapshot_devices(&s, d, 2, &other), 2);
	assert_int_equal(d[0].dev, dt_dev_encode(259, 0));
	assert_int_equal(d[0].c.counters[DT_C_PTE_FAULTS], n);
	assert_int_equal(d[1].dev, 0);
	assert_int_equal(d[1].c.counters[DT_C_PMD_FAULTS], 1);
	assert_int_equal(d[1].c.fallbacks[DT_FB_VMA_END], 1);
	dt_snapshot_free(&s);
}

/* ---- --hist-by ---------------------------------------------------------------------- */

/* A PMD attempt that falls back, then a PTE sync fault with its fsync and mkwrite, n times:
 * samples in pmd_fault, pte_fault, sync_fault, fsync and mkwrite, n each. */
static void sync_faults(int n)
{
	typeof(skel->progs) *p = &skel->progs;

	for (int i = 0; i < n; i++) {
		run(p->raw_dax_pmd_fault, 4, 0ULL, VMF, 1024ULL, 0ULL);
		run(p->raw_dax_pmd_fault_done, 4, 0ULL, VMF, 1024ULL, (uint64_t)FALLBACK);
		run(p->raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
		run(p->raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NEEDDSYNC);
		run(p->raw_ext4_sync_file_exit, 2, 0ULL, 0ULL);
		run(p->raw_dax_insert_pfn_mkwrite, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	}
}

static const int timed[] = { DT_H_PMD_FAULT, DT_H_PTE_FAULT, DT_H_SYNC_FAULT, DT_H_FSYNC,
			     DT_H_MKWRITE };

static uint64_t count_of(const struct dt_hist_slots *h)
{
	return h ? dt_hist_count(h) : 0;
}

/* The object under test is replaced by one with --hist-by kind. */
static void use_hist_by(int kind, uint32_t max_hists, uint32_t max_procs)
{
	daxtrace_bpf__destroy(skel);
	skel = open_hist_by(1000, kind, max_hists, max_procs);
	assert_non_null(skel);
	reset(NULL);
}

static int back_to_default(void **state)
{
	daxtrace_bpf__destroy(skel);
	skel = open_raw_tp(1000);
	return skel ? 0 : -1;
}

/* Without --hist-by the per-key maps have one entry and no event touches them. */
static void test_no_hist_by_no_key_maps(void **state)
{
	__u32 key;
	struct dt_khist_key kk;

	assert_int_equal(bpf_map__max_entries(skel->maps.key_hists), 1);
	assert_int_equal(bpf_map__max_entries(skel->maps.pids), 1);
	sync_faults(2);
	assert_int_equal(hist_n(DT_H_PTE_FAULT), 2);
	assert_int_not_equal(bpf_map_get_next_key(bpf_map__fd(skel->maps.key_hists), NULL, &kk), 0);
	assert_int_not_equal(bpf_map_get_next_key(bpf_map__fd(skel->maps.pids), NULL, &key), 0);
}

/* --hist-by file: each stage of the inode has exactly its samples, equal to the host-wide
 * ones and to its counters (pmd_faults, pte_faults, sync_faults). */
static void test_hist_by_file(void **state)
{
	struct dt_snapshot s;

	use_hist_by(DT_HB_FILE, DT_DEFAULT_MAX_HISTS, 16);
	assert_int_equal(bpf_map__max_entries(skel->maps.key_hists), DT_DEFAULT_MAX_HISTS);
	sync_faults(3);
	s = snap_now();
	assert_int_equal(s.hist_by, DT_HB_FILE);
	assert_int_equal(s.n_inodes, 1);
	for (size_t i = 0; i < sizeof(timed) / sizeof(timed[0]); i++) {
		assert_int_equal(count_of(dt_snapshot_inode_hist(&s, 0, timed[i])), 3);
		assert_int_equal(count_of(dt_snapshot_inode_hist(&s, 0, timed[i])), hist_n(timed[i]));
	}
	assert_null(dt_snapshot_inode_hist(&s, 0, DT_H_INSERT));
	assert_null(dt_snapshot_pid_hist(&s, 0, DT_H_PTE_FAULT)); /* another kind */
	assert_int_equal(s.inodes[0].val.counters[DT_C_PTE_FAULTS], 3);
	assert_int_equal(s.n_pids, 0); /* the process table is --hist-by process only */
	assert_int_equal(s.diag[DT_D_HIST_OVERFLOW], 0);
	dt_snapshot_free(&s);
}

/* --hist-by process: this process's row has every counter and fallback reason the totals
 * have, its comm, and its histograms the samples. */
static void test_hist_by_process(void **state)
{
	struct dt_snapshot s;
	char comm[16] = "";

	use_hist_by(DT_HB_PROCESS, DT_DEFAULT_MAX_HISTS, DT_DEFAULT_MAX_PROCS);
	sync_faults(4);
	run(skel->progs.raw_dax_writeback_one, 3, 0ULL, 0ULL, 0ULL);
	s = snap_now();
	assert_int_equal(s.n_pids, 1);
	assert_int_equal(s.pids[0].pid, getpid());
	prctl(PR_GET_NAME, comm);
	assert_string_equal(s.pids[0].comm, comm);
	for (int c = 0; c < DT_C_NR; c++)
		assert_int_equal(s.pids[0].c.counters[c], s.totals[c]);
	for (int r = 0; r < DT_FB_NR; r++)
		assert_int_equal(s.pids[0].c.fallbacks[r], s.fallback_totals[r]);
	assert_int_equal(s.pids[0].c.counters[DT_C_PTE_FAULTS], 4);
	assert_int_equal(s.pids[0].c.fallbacks[DT_FB_VMA_END], 4);
	assert_int_equal(s.pids[0].c.counters[DT_C_WRITEBACKS], 1);
	for (size_t i = 0; i < sizeof(timed) / sizeof(timed[0]); i++)
		assert_int_equal(count_of(dt_snapshot_pid_hist(&s, 0, timed[i])), 4);
	assert_null(dt_snapshot_pid_hist(&s, 1, DT_H_PTE_FAULT));
	dt_snapshot_free(&s);
}

/* --hist-by device: the device's (dev 0 here) histograms. */
static void test_hist_by_device(void **state)
{
	struct dt_snapshot s;

	use_hist_by(DT_HB_DEVICE, DT_DEFAULT_MAX_HISTS, 16);
	sync_faults(2);
	s = snap_now();
	for (size_t i = 0; i < sizeof(timed) / sizeof(timed[0]); i++)
		assert_int_equal(count_of(dt_snapshot_dev_hist(&s, 0, timed[i])), 2);
	assert_null(dt_snapshot_dev_hist(&s, 1, DT_H_PTE_FAULT));
	assert_int_equal(s.n_pids, 0);
	dt_snapshot_free(&s);
}

/* With -i each report has the interval's samples per key: 2, then 1, then none. */
static void test_hist_by_interval(void **state)
{
	int want[3] = { 2, 1, 0 };
	struct dt_snapshot s;

	use_hist_by(DT_HB_PROCESS, DT_DEFAULT_MAX_HISTS, 16);
	for (int round = 0; round < 3; round++) {
		sync_faults(want[round]);
		dt_snapshot_init(&s);
		assert_int_equal(dt_collect(skel, &s, true), 0);
		assert_int_equal(count_of(dt_snapshot_pid_hist(&s, 0, DT_H_SYNC_FAULT)), want[round]);
		assert_int_equal(s.n_pids ? s.pids[0].c.counters[DT_C_SYNC_FAULTS] : 0, want[round]);
		dt_snapshot_free(&s);
	}
	dt_collect_end();
}

/* The histogram map full: every sample with no row is in hist_map_full, and the host-wide
 * histograms still have all of them. */
static void test_hist_map_full(void **state)
{
	struct dt_khist_key k = { .inode = { .ino = 999 } };
	struct dt_hist_slots one = { .slots = { 1 } };
	struct dt_snapshot s;
	uint64_t all = 0;

	use_hist_by(DT_HB_FILE, 16, 16);
	for (k.stage = 0; k.stage < 16; k.stage++)
		assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.key_hists), &k, &one,
						     BPF_NOEXIST), 0);
	sync_faults(2);
	for (size_t i = 0; i < sizeof(timed) / sizeof(timed[0]); i++) {
		assert_int_equal(hist_n(timed[i]), 2);
		all += hist_n(timed[i]);
	}
	assert_int_equal(skel->bss->diag[DT_D_HIST_OVERFLOW], all);
	s = snap_now();
	assert_null(dt_snapshot_inode_hist(&s, 0, DT_H_PTE_FAULT));
	assert_int_equal(s.totals[DT_C_PTE_FAULTS], 2);
	dt_snapshot_free(&s);
}

/* The process map full: the events of a process with no row are in process_map_full, once per
 * counted event, and the totals are exact. */
static void test_process_map_full(void **state)
{
	struct dt_pid_val v = {};
	struct dt_snapshot s;
	uint64_t counted = 0;

	use_hist_by(DT_HB_PROCESS, DT_DEFAULT_MAX_HISTS, 16);
	for (__u32 pid = 1u << 30; pid < (1u << 30) + 16; pid++)
		assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.pids), &pid, &v,
						     BPF_NOEXIST), 0);
	sync_faults(2);
	s = snap_now();
	for (int c = 0; c < DT_C_NR; c++)
		counted += s.totals[c];
	for (int r = 0; r < DT_FB_NR; r++)
		counted += s.fallback_totals[r];
	assert_int_equal(s.totals[DT_C_PTE_FAULTS], 2);
	assert_int_equal(s.n_pids, 16);
	for (size_t i = 0; i < s.n_pids; i++)
		assert_int_not_equal(s.pids[i].pid, getpid());
	assert_int_equal(s.diag[DT_D_PROCESS_OVERFLOW], counted);
	dt_snapshot_free(&s);
}

/* Threads at once: one per CPU (at least two), each pinned to its CPU, start together and run
 * ROUNDS sequences each, a PMD attempt that falls back and then a PTE sync fault, with a vmf of
 * their own. The programs run in each thread's context, so each has its own thread id. Every
 * count and every histogram's sample count must be exact, no sequence may be lost or shared
 * (no overflow, stale or unmatched), and the table must be empty afterwards. */
#define ROUNDS 1000

struct worker {
	pthread_t thread;
	pthread_barrier_t *go;
	int cpu;
	int err;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	typeof(skel->progs) *p = &skel->progs;
	/* a user-space address: every read through it fails and gives 0 (vm_end 0: vma_end), as
	 * VMF's do; a made-up kernel address from the thread id could be mapped memory */
	uint64_t vmf = 0x100000000ULL + ((uint64_t)gettid() << 12);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	w->err = sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
	pthread_barrier_wait(w->go);
	for (int i = 0; i < ROUNDS && !w->err; i++) {
		w->err = try_run(p->raw_dax_pmd_fault, 4, 0ULL, vmf, 1024ULL, 0ULL) ?:
			 try_run(p->raw_dax_pmd_fault_done, 4, 0ULL, vmf, 1024ULL, (uint64_t)FALLBACK) ?:
			 try_run(p->raw_dax_pte_fault, 3, 0ULL, vmf, 0ULL) ?:
			 try_run(p->raw_dax_pte_fault_done, 3, 0ULL, vmf, (uint64_t)NEEDDSYNC) ?:
			 try_run(p->raw_ext4_sync_file_exit, 2, 0ULL, 0ULL) ?:
			 try_run(p->raw_dax_insert_pfn_mkwrite, 3, 0ULL, vmf, (uint64_t)NOPAGE);
	}
	return NULL;
}

static void test_threads_at_once(void **state)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = cpus < 2 ? 2 : cpus > 64 ? 64 : (int)cpus;
	struct worker w[64] = {};
	pthread_barrier_t go;
	uint64_t all;
	__u32 key;

	pthread_barrier_init(&go, NULL, n);
	for (int i = 0; i < n; i++) {
		w[i].go = &go;
		w[i].cpu = i % (cpus > 0 ? (int)cpus : 1);
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		assert_int_equal(w[i].err, 0);
	}
	pthread_barrier_destroy(&go);
	all = (uint64_t)n * ROUNDS;
	assert_int_equal(T(DT_C_PMD_FAULTS), all);
	assert_int_equal(T(DT_C_FALLBACKS), all);
	assert_int_equal(fb_total(DT_FB_VMA_END), all);
	assert_int_equal(T(DT_C_PTE_FAULTS), all);
	assert_int_equal(T(DT_C_SYNC_FAULTS), all);
	assert_int_equal(T(DT_C_PTE_UPGRADES), all);
	assert_int_equal(T(DT_C_PMD_UPGRADES), 0);
	assert_int_equal(hist_n(DT_H_PMD_FAULT), all);
	assert_int_equal(hist_n(DT_H_PTE_FAULT), all);
	assert_int_equal(hist_n(DT_H_SYNC_FAULT), all);
	assert_int_equal(hist_n(DT_H_FSYNC), all);
	assert_int_equal(hist_n(DT_H_MKWRITE), all);
	for (int d = 0; d < DT_D_NR; d++)
		assert_int_equal(skel->bss->diag[d], 0);
	if (variant == DT_INFLIGHT_HASH) {
		assert_int_not_equal(bpf_map_get_next_key(bpf_map__fd(skel->maps.inflight), NULL, &key), 0);
	} else {
		for (key = 0; key < bpf_map__max_entries(skel->maps.inflight); key++)
			assert_int_equal(slot_owner(key), 0);
	}
}

/* --path and -c (wanted(), bpf/seq.bpf.h): an object of its own with filter_paths and
 * filter_cgroup on, and the PTE faults of the NULL inode (dev 0, generation 0, inode 0) run on
 * this thread, counted or not by what the filter maps hold. */
static struct daxtrace_bpf *open_filtered(bool paths, bool cgroup)
{
	struct daxtrace_bpf *o = dt_inflight_open(variant, NULL);
	struct bpf_program *p;

	if (!o)
		return NULL;
	o->rodata->filter_paths = paths;
	o->rodata->filter_cgroup = cgroup;
	o->rodata->filter_any = paths || cgroup;
	bpf_object__for_each_program(p, o->obj)
		bpf_program__set_autoload(p, !strncmp(bpf_program__section_name(p), "raw_tp/", 7));
	if (daxtrace_bpf__load(o)) {
		daxtrace_bpf__destroy(o);
		return NULL;
	}
	return o;
}

/* One PTE fault of the NULL inode; 1 if o counted it, 0 if its filters dropped it. */
static int counted(struct daxtrace_bpf *o)
{
	struct dt_inode_key k = {};
	uint64_t before, after;

	before = inode_counter(o, &k, DT_C_PTE_FAULTS);
	run(o->progs.raw_dax_pte_fault, 3, 0ULL, VMF, 0ULL);
	run(o->progs.raw_dax_pte_fault_done, 3, 0ULL, VMF, (uint64_t)NOPAGE);
	after = inode_counter(o, &k, DT_C_PTE_FAULTS);
	return (int)(after - before);
}

static void test_path_filter(void **state)
{
	struct daxtrace_bpf *o = open_filtered(true, false);
	struct dt_inode_key file = {}, other_gen = { .gen = 1 }, other_ino = { .ino = 1 };
	__u32 dev = 0, other_dev = dt_dev_encode(259, 0);
	__u8 one = 1;
	int files, devs;

	assert_non_null(o);
	files = bpf_map__fd(o->maps.path_files);
	devs = bpf_map__fd(o->maps.path_devs);
	assert_int_equal(counted(o), 0); /* nothing allowed */
	assert_int_equal(bpf_map_update_elem(files, &other_gen, &one, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(files, &other_ino, &one, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(devs, &other_dev, &one, BPF_ANY), 0);
	assert_int_equal(counted(o), 0); /* another generation, inode or device */
	assert_int_equal(bpf_map_update_elem(files, &file, &one, BPF_ANY), 0);
	assert_int_equal(counted(o), 1); /* the file */
	assert_int_equal(bpf_map_delete_elem(files, &file), 0);
	assert_int_equal(counted(o), 0);
	assert_int_equal(bpf_map_update_elem(devs, &dev, &one, BPF_ANY), 0);
	assert_int_equal(counted(o), 1); /* its filesystem */
	daxtrace_bpf__destroy(o);
}

/* This thread's cgroup v2 directory (/proc/self/cgroup "0::PATH" under the cgroup2 mount). */
static int own_cgroup(char *dir, size_t len, char *mnt, size_t mlen)
{
	char line[4096], fs[64];
	FILE *f = fopen("/proc/self/mounts", "re");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %4095s %63s", mnt, fs) == 2 && !strcmp(fs, "cgroup2");
	fclose(f);
	if (!found || !(f = fopen("/proc/self/cgroup", "re")))
		return -1;
	found = 0;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(dir, len, "%.2000s%.2000s", mnt, line + 3);
			found = 1;
		}
	fclose(f);
	(void)mlen;
	return found ? 0 : -1;
}

static void test_cgroup_filter(void **state)
{
	struct daxtrace_bpf *o = open_filtered(false, true);
	char own[4096], mnt[4096], out[4200];
	__u32 zero = 0, fd;
	int cg, own_fd, root_fd, out_fd;

	assert_non_null(o);
	if (own_cgroup(own, sizeof(own), mnt, sizeof(mnt))) {
		daxtrace_bpf__destroy(o);
		skip(); /* no cgroup2 mount: reported as skipped, not passed */
	}
	snprintf(out, sizeof(out), "%s/dt-test-out-%d", mnt, (int)getpid());
	assert_true(!mkdir(out, 0755) || errno == EEXIST);
	cg = bpf_map__fd(o->maps.cgroup_map);
	own_fd = open(own, O_RDONLY | O_DIRECTORY);
	root_fd = open(mnt, O_RDONLY | O_DIRECTORY);
	out_fd = open(out, O_RDONLY | O_DIRECTORY);
	assert_true(own_fd >= 0 && root_fd >= 0 && out_fd >= 0);
	assert_int_equal(counted(o), 0); /* no cgroup in the map */
	fd = (__u32)out_fd;
	assert_int_equal(bpf_map_update_elem(cg, &zero, &fd, BPF_ANY), 0);
	assert_int_equal(counted(o), 0); /* a cgroup this thread is not in */
	fd = (__u32)own_fd;
	assert_int_equal(bpf_map_update_elem(cg, &zero, &fd, BPF_ANY), 0);
	assert_int_equal(counted(o), 1); /* its own */
	fd = (__u32)root_fd;
	assert_int_equal(bpf_map_update_elem(cg, &zero, &fd, BPF_ANY), 0);
	assert_int_equal(counted(o), 1); /* an ancestor: "or below" */
	close(own_fd);
	close(root_fd);
	close(out_fd);
	rmdir(out);
	daxtrace_bpf__destroy(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pmd_fallback_then_pte_sync, reset),
		cmocka_unit_test_setup(test_pmd_sync_upgrade, reset),
		cmocka_unit_test_setup(test_race, reset),
		cmocka_unit_test_setup(test_fsync_failure, reset),
		cmocka_unit_test_setup(test_errors, reset),
		cmocka_unit_test_setup(test_unmatched, reset),
		cmocka_unit_test_setup(test_stale, reset),
		cmocka_unit_test_setup(test_entry_conflict_needs_no_dstmap, reset),
		cmocka_unit_test_setup(test_dstmap_decides_later_reasons, reset),
		cmocka_unit_test_setup(test_writeback_timing, reset),
		cmocka_unit_test_setup(test_inode_record, reset),
		cmocka_unit_test_setup(test_cpu_slots_and_shared_rows, reset),
		cmocka_unit_test_setup(test_full_inode_map_keeps_totals_exact, reset),
		cmocka_unit_test_setup(test_hist_slot_in_display_unit, reset),
		cmocka_unit_test_setup(test_full_table_counts_without_timing, reset),
		cmocka_unit_test_setup(test_abandoned_seq_gives_way, reset),
		cmocka_unit_test_setup(test_slot_held_while_open, reset),
		cmocka_unit_test_setup(test_sweep, reset),
		cmocka_unit_test_setup(test_slot_count, reset),
		cmocka_unit_test_setup(test_offsets, reset),
		cmocka_unit_test_setup(test_offsets_map_full, reset),
		cmocka_unit_test_setup(test_offsets_interval, reset),
		cmocka_unit_test_setup(test_threads_at_once, reset),
		cmocka_unit_test(test_path_filter),
		cmocka_unit_test(test_cgroup_filter),
		cmocka_unit_test_setup(test_no_hist_by_no_key_maps, reset),
		cmocka_unit_test_setup_teardown(test_hist_by_file, reset, back_to_default),
		cmocka_unit_test_setup_teardown(test_hist_by_process, reset, back_to_default),
		cmocka_unit_test_setup_teardown(test_hist_by_device, reset, back_to_default),
		cmocka_unit_test_setup_teardown(test_hist_by_interval, reset, back_to_default),
		cmocka_unit_test_setup_teardown(test_hist_map_full, reset, back_to_default),
		cmocka_unit_test_setup_teardown(test_process_map_full, reset, back_to_default),
	};
	int failed;

	variant = DT_INFLIGHT_ARRAY;
	failed = cmocka_run_group_tests_name("inflight array", tests, setup, teardown);
	variant = DT_INFLIGHT_HASH;
	return failed + cmocka_run_group_tests_name("inflight hash", tests, setup, teardown);
}
