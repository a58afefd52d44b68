// SPDX-License-Identifier: GPL-2.0
/* The per-CPU aggregates folded into the reports' rows (src/cpu_aggs.c): histograms summed over
 * the CPUs; each CPU's (inode, process) slots added to the inode and process rows of their
 * key, with a row made for a key the map no longer has; the slots' keys pinned. */
#include "test_support.h"
#include "cpu_aggs.h"

static void claim(struct dt_cpu_slot *s, uint64_t ino, uint32_t tgid, uint64_t pte, uint64_t faults)
{
	s->state = DT_SLOT_CLAIMED | (faults ? DT_SLOT_PROC : 0);
	s->inode.dev = 7;
	s->inode.ino = ino;
	s->tgid = tgid;
	s->counters[DT_C_PTE_FAULTS] = pte;
	s->fallbacks[DT_FB_EOF] = pte ? 1 : 0;
	s->faults = faults;
}

/* Two CPUs: inode 5 on both (one with its shared row), inode 9 on one with no shared row. */
static struct dt_cpu_aggs two_cpus(void)
{
	struct dt_cpu_aggs a = { calloc(2, sizeof(struct dt_cpu_agg)), 2 };

	claim(&a.cpu[0].slots[3], 5, 100, 2, 2);
	claim(&a.cpu[1].slots[40], 5, 100, 3, 3);
	claim(&a.cpu[1].slots[41], 9, 200, 4, 0); /* its faults never reached a process row */
	a.cpu[0].hists[DT_H_FSYNC].slots[2] = 1;
	a.cpu[1].hists[DT_H_FSYNC].slots[2] = 2;
	a.cpu[1].hist_sum_ns[DT_H_FSYNC] = 30;
	return a;
}

static void test_hists_sum_over_cpus(void **state)
{
	struct dt_cpu_aggs a = two_cpus();
	struct dt_hist_slots h[DT_H_NR];
	__u64 sum[DT_H_NR];

	dt_cpu_aggs_hists(&a, h, sum);
	assert_int_equal(h[DT_H_FSYNC].slots[2], 3);
	assert_int_equal(sum[DT_H_FSYNC], 30);
	assert_int_equal(h[DT_H_PTE_FAULT].slots[2], 0);
	free(a.cpu);
}

static void test_slots_add_to_inode_rows(void **state)
{
	struct dt_cpu_aggs a = two_cpus();
	size_t es = sizeof(struct dt_inode_key) + sizeof(struct dt_inode_val), n = 1, np;
	char *ents = calloc(1, es), *pins;
	struct dt_inode_key k = { .dev = 7, .ino = 5 };
	struct dt_inode_val v = { .counters = { [DT_C_PTE_FAULTS] = 10 } };

	strcpy(v.path[0], "five");
	memcpy(ents, &k, sizeof(k));
	memcpy(ents + sizeof(k), &v, sizeof(v));
	assert_int_equal(dt_cpu_aggs_merge(&a, DT_SLOT_ROWS_INODES, &ents, &n, &pins, &np), 0);
	assert_int_equal(n, 2);
	memcpy(&v, ents + sizeof(k), sizeof(v));
	assert_int_equal(v.counters[DT_C_PTE_FAULTS], 15);
	assert_int_equal(v.fallbacks[DT_FB_EOF], 2);
	assert_string_equal(v.path[0], "five");
	memcpy(&k, ents + es, sizeof(k));
	memcpy(&v, ents + es + sizeof(k), sizeof(v));
	assert_int_equal(k.ino, 9);
	assert_int_equal(v.counters[DT_C_PTE_FAULTS], 4);
	assert_string_equal(v.path[0], "");
	/* every slot's key, sorted: 5 twice (two CPUs), then 9 */
	assert_int_equal(np, 3);
	memcpy(&k, pins + 2 * sizeof(k), sizeof(k));
	assert_int_equal(k.ino, 9);
	free(pins);
	free(ents);
	free(a.cpu);
}

static void test_slots_add_to_process_rows(void **state)
{
	struct dt_cpu_aggs a = two_cpus();
	size_t n = 0, np;
	char *ents = NULL, *pins;
	struct dt_proc_key k;
	struct dt_proc_val v;

	assert_int_equal(dt_cpu_aggs_merge(&a, DT_SLOT_ROWS_PROCS, &ents, &n, &pins, &np), 0);
	assert_int_equal(n, 1); /* inode 9's slot has no process row */
	memcpy(&k, ents, sizeof(k));
	memcpy(&v, ents + sizeof(k), sizeof(v));
	assert_int_equal(k.inode.ino, 5);
	assert_int_equal(k.tgid, 100);
	assert_int_equal(v.faults, 5);
	assert_int_equal(np, 2);
	free(pins);
	free(ents);
	free(a.cpu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hists_sum_over_cpus),
		cmocka_unit_test(test_slots_add_to_inode_rows),
		cmocka_unit_test(test_slots_add_to_process_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
