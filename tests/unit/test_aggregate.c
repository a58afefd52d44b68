// SPDX-License-Identifier: GPL-2.0
/* Snapshot building (src/aggregate.c): merging, top process, ordering, path components. */
#include "test_support.h"
#include "snapshot.h"

static struct dt_inode_key key(uint32_t dev, uint64_t ino)
{
	struct dt_inode_key k = { .dev = dev, .ino = ino };

	return k;
}

/* Components basename first, as BPF stores them; NULL ends the list. */
static void set_path(struct dt_inode_val *v, const char *c0, const char *c1, const char *c2,
		     const char *c3)
{
	const char *c[DT_PATH_DEPTH] = { c0, c1, c2, c3 };

	memset(v->path, 0, sizeof(v->path));
	for (int i = 0; i < DT_PATH_DEPTH && c[i]; i++)
		strncpy(v->path[i], c[i], DT_NAME_LEN);
}

static struct dt_inode_val val(uint64_t base)
{
	struct dt_inode_val v;

	memset(&v, 0, sizeof(v));
	for (int i = 0; i < DT_C_NR; i++)
		v.counters[i] = base + (uint64_t)i;
	for (int i = 0; i < DT_FB_NR; i++)
		v.fallbacks[i] = base * 2 + (uint64_t)i;
	return v;
}

static struct dt_proc_entry proc(uint32_t dev, uint64_t ino, uint32_t tgid, uint64_t faults,
				 const char *comm)
{
	struct dt_proc_entry p;

	memset(&p, 0, sizeof(p));
	p.key.inode = key(dev, ino);
	p.key.tgid = tgid;
	p.val.faults = faults;
	strncpy(p.val.comm, comm, DT_TASK_COMM_LEN);
	return p;
}

static void test_add_new_and_merge(void **state)
{
	struct dt_snapshot s;
	struct dt_inode_key a = key(dt_dev_encode(259, 3), 12), b = key(dt_dev_encode(259, 3), 13);
	struct dt_inode_val va = val(10), vb = val(1000), va2 = val(5);
	struct dt_inode_rec *r;

	dt_snapshot_init(&s);
	assert_int_equal(s.n_inodes, 0);
	assert_null(s.inodes);

	set_path(&va, "file", "dir", NULL, NULL);
	set_path(&va2, "renamed", "other", NULL, NULL);
	r = dt_snapshot_add_inode(&s, &a, &va);
	assert_non_null(r);
	assert_int_equal(r->key.ino, 12);
	assert_memory_equal(&r->val, &va, sizeof(va));
	assert_int_equal(r->pid, 0);
	assert_string_equal(r->comm, "");
	assert_non_null(dt_snapshot_add_inode(&s, &b, &vb));

	/* same (dev, ino, generation) again: merged */
	r = dt_snapshot_add_inode(&s, &a, &va2);
	assert_ptr_equal(r, &s.inodes[0]);
	assert_int_equal(s.n_inodes, 2);
	for (int i = 0; i < DT_C_NR; i++)
		assert_int_equal(r->val.counters[i], 10 + i + 5 + i);
	for (int i = 0; i < DT_FB_NR; i++)
		assert_int_equal(r->val.fallbacks[i], 20 + i + 10 + i);
	/* the first path seen is kept */
	assert_string_equal(r->val.path[0], "file");
	assert_string_equal(r->val.path[1], "dir");
	assert_string_equal(r->val.path[2], "");
	/* the other record is untouched */
	assert_memory_equal(&s.inodes[1].val, &vb, sizeof(vb));
	assert_int_equal(s.inodes[1].key.ino, 13);

	/* same ino on another device is another inode */
	assert_non_null(dt_snapshot_add_inode(&s, &(struct dt_inode_key){ .dev = dt_dev_encode(8, 1), .ino = 12 },
					      &vb));
	assert_int_equal(s.n_inodes, 3);
	/* the same inode number with another generation is another file (the number was reused) */
	a.gen = 7;
	r = dt_snapshot_add_inode(&s, &a, &vb);
	assert_int_equal(s.n_inodes, 4);
	assert_ptr_equal(r, &s.inodes[3]);
	assert_int_equal(s.inodes[0].val.counters[0], 10 + 5);
	dt_snapshot_free(&s);
	assert_null(s.inodes);
	assert_int_equal(s.n_inodes, 0);
	assert_int_equal(s.cap_inodes, 0);
}

static void test_merge_fills_missing_path(void **state)
{
	struct dt_snapshot s;
	struct dt_inode_key a = key(dt_dev_encode(1, 0), 5);
	struct dt_inode_val v1 = val(1), v2 = val(2);
	struct dt_inode_rec *r;

	dt_snapshot_init(&s);
	set_path(&v2, "late", "name", NULL, NULL);
	/* first seen by writeback only: no dentry, no path */
	assert_non_null(dt_snapshot_add_inode(&s, &a, &v1));
	r = dt_snapshot_add_inode(&s, &a, &v2);
	assert_string_equal(r->val.path[0], "late");
	assert_string_equal(r->val.path[1], "name");
	/* a later entry without a path does not erase it */
	r = dt_snapshot_add_inode(&s, &a, &v1);
	assert_string_equal(r->val.path[0], "late");
	assert_int_equal(r->val.counters[DT_C_PTE_FAULTS], 1 + 2 + 1);
	assert_int_equal(s.n_inodes, 1);
	dt_snapshot_free(&s);
}

static void test_add_grows(void **state)
{
	struct dt_snapshot s;
	const size_t n = 300;

	dt_snapshot_init(&s);
	for (size_t i = 0; i < n; i++) {
		struct dt_inode_key k = key(dt_dev_encode((uint32_t)(i % 3), 0), 1000 + i);
		struct dt_inode_val v = val(i);

		assert_non_null(dt_snapshot_add_inode(&s, &k, &v));
	}
	assert_int_equal(s.n_inodes, n);
	assert_true(s.cap_inodes >= n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(s.inodes[i].key.ino, 1000 + i);
		assert_int_equal(s.inodes[i].key.dev, dt_dev_encode((uint32_t)(i % 3), 0));
		assert_int_equal(s.inodes[i].val.counters[DT_C_WRITEBACKS], i + DT_C_WRITEBACKS);
	}
	/* merging into an early record after the reallocations */
	{
		struct dt_inode_key k = key(0, 1000);
		struct dt_inode_val v = val(1);

		assert_ptr_equal(dt_snapshot_add_inode(&s, &k, &v), &s.inodes[0]);
		assert_int_equal(s.n_inodes, n);
		assert_int_equal(s.inodes[0].val.counters[DT_C_PTE_FAULTS], 0 + 1);
	}
	dt_snapshot_free(&s);
}

static void test_assign_procs(void **state)
{
	struct dt_snapshot s;
	struct dt_inode_val v = val(1);
	struct dt_inode_key a = key(dt_dev_encode(259, 0), 1), b = key(dt_dev_encode(259, 0), 2), c = key(dt_dev_encode(259, 0), 3);
	struct dt_proc_entry p[] = {
		proc(dt_dev_encode(259, 0), 1, 300, 5, "small"),
		proc(dt_dev_encode(259, 0), 1, 200, 9, "big"),
		proc(dt_dev_encode(259, 0), 1, 400, 7, "middle"),
		proc(dt_dev_encode(259, 0), 2, 50, 4, "tie-high"),
		proc(dt_dev_encode(259, 0), 2, 40, 4, "tie-low"),
		proc(dt_dev_encode(259, 0), 2, 60, 4, "tie-higher"),
		proc(dt_dev_encode(259, 0), 99, 1, 1000, "unknown-ino"),
		proc(dt_dev_encode(8, 0), 1, 2, 1000, "unknown-dev"),
	};

	dt_snapshot_init(&s);
	dt_snapshot_add_inode(&s, &a, &v);
	dt_snapshot_add_inode(&s, &b, &v);
	dt_snapshot_add_inode(&s, &c, &v);
	dt_snapshot_assign_procs(&s, p, sizeof(p) / sizeof(p[0]));

	assert_int_equal(s.n_inodes, 3); /* procs of unknown inodes add nothing */
	assert_int_equal(s.inodes[0].pid, 200);
	assert_int_equal(s.inodes[0].pid_faults, 9);
	assert_string_equal(s.inodes[0].comm, "big");
	assert_int_equal(s.inodes[1].pid, 40);
	assert_int_equal(s.inodes[1].pid_faults, 4);
	assert_string_equal(s.inodes[1].comm, "tie-low");
	/* no process for c */
	assert_int_equal(s.inodes[2].pid, 0);
	assert_int_equal(s.inodes[2].pid_faults, 0);
	assert_string_equal(s.inodes[2].comm, "");
	dt_snapshot_free(&s);
}

/* The winner does not depend on the order the map is read in. */
static void test_assign_procs_order_independent(void **state)
{
	struct dt_proc_entry p[] = {
		proc(7, 1, 30, 8, "c"),
		proc(7, 1, 10, 8, "a"),
		proc(7, 1, 20, 8, "b"),
		proc(7, 1, 5, 3, "fewer"),
	};
	size_t n = sizeof(p) / sizeof(p[0]);

	for (size_t rot = 0; rot < n; rot++) {
		struct dt_proc_entry q[4];
		struct dt_snapshot s;
		struct dt_inode_key k = key(7, 1);
		struct dt_inode_val v = val(0);

		for (size_t i = 0; i < n; i++)
			q[i] = p[(i + rot) % n];
		dt_snapshot_init(&s);
		dt_snapshot_add_inode(&s, &k, &v);
		dt_snapshot_assign_procs(&s, q, n);
		assert_int_equal(s.inodes[0].pid, 10);
		assert_string_equal(s.inodes[0].comm, "a");
		assert_int_equal(s.inodes[0].pid_faults, 8);
		dt_snapshot_free(&s);
	}
}

static void test_assign_procs_comm_terminated(void **state)
{
	struct dt_snapshot s;
	struct dt_inode_key k = key(7, 1);
	struct dt_inode_val v = val(0);
	struct dt_proc_entry p = proc(7, 1, 10, 1, "");

	memset(p.val.comm, 'x', sizeof(p.val.comm)); /* no NUL from BPF */
	dt_snapshot_init(&s);
	dt_snapshot_add_inode(&s, &k, &v);
	dt_snapshot_assign_procs(&s, &p, 1);
	assert_int_equal(strlen(s.inodes[0].comm), DT_TASK_COMM_LEN - 1);
	dt_snapshot_free(&s);
}

static void add_activity(struct dt_snapshot *s, uint32_t dev, uint64_t ino, uint64_t pte,
			 uint64_t pmd, uint64_t wb)
{
	struct dt_inode_key k = key(dev, ino);
	struct dt_inode_val v;

	memset(&v, 0, sizeof(v));
	v.counters[DT_C_PTE_FAULTS] = pte;
	v.counters[DT_C_PMD_FAULTS] = pmd;
	v.counters[DT_C_WRITEBACKS] = wb;
	v.counters[DT_C_SYNC_FAULTS] = 1000000; /* not a sort key */
	assert_non_null(dt_snapshot_add_inode(s, &k, &v));
}

static void test_sort(void **state)
{
	struct dt_snapshot s;
	static const struct { uint32_t dev; uint64_t ino; } want[] = {
		{ 1, 50 },   /* 100 faults */
		{ 1, 60 },   /* 60 faults (PTE + PMD), 0 writebacks */
		{ 2, 1 },    /* 10 faults, 9 writebacks */
		{ 1, 9 },    /* 10 faults, 5 writebacks, dev 1 */
		{ 2, 3 },    /* 10 faults, 5 writebacks, dev 2, ino 3 */
		{ 2, 7 },    /* ... ino 7 */
		{ 3, 1 },    /* 0 faults, 100 writebacks */
		{ 0, 1 },    /* nothing */
	};

	dt_snapshot_init(&s);
	add_activity(&s, 2, 7, 10, 0, 5);
	add_activity(&s, 0, 1, 0, 0, 0);
	add_activity(&s, 3, 1, 0, 0, 100);
	add_activity(&s, 2, 3, 4, 6, 5);
	add_activity(&s, 1, 60, 20, 40, 0);
	add_activity(&s, 1, 9, 0, 10, 5);
	add_activity(&s, 1, 50, 100, 0, 0);
	add_activity(&s, 2, 1, 10, 0, 9);
	dt_snapshot_sort(&s);
	assert_int_equal(s.n_inodes, 8);
	for (size_t i = 0; i < s.n_inodes; i++) {
		if (s.inodes[i].key.dev != want[i].dev || s.inodes[i].key.ino != want[i].ino)
			fail_msg("position %zu: %u/%llu, expected %u/%llu", i, s.inodes[i].key.dev,
				 (unsigned long long)s.inodes[i].key.ino, want[i].dev,
				 (unsigned long long)want[i].ino);
	}
	assert_int_equal(dt_inode_activity(&s.inodes[1]), 60);
	/* sorting again changes nothing (a total order) */
	dt_snapshot_sort(&s);
	for (size_t i = 0; i < s.n_inodes; i++)
		assert_int_equal(s.inodes[i].key.ino, want[i].ino);
	dt_snapshot_free(&s);
}

static void test_sort_large_values(void **state)
{
	struct dt_snapshot s;

	/* comparisons, not subtractions: values far apart must not wrap */
	dt_snapshot_init(&s);
	add_activity(&s, 1, 1, 1, 0, 0);
	add_activity(&s, 1, 2, UINT64_MAX / 2, 0, 0);
	add_activity(&s, 0xffffffffu, 3, 0, 0, 0);
	add_activity(&s, 1, 4, 0, 0, UINT64_MAX);
	dt_snapshot_sort(&s);
	assert_int_equal(s.inodes[0].key.ino, 2);
	assert_int_equal(s.inodes[1].key.ino, 1);
	assert_int_equal(s.inodes[2].key.ino, 4);
	assert_int_equal(s.inodes[3].key.ino, 3);
	dt_snapshot_free(&s);

	/* empty and single-element snapshots */
	dt_snapshot_init(&s);
	dt_snapshot_sort(&s);
	add_activity(&s, 1, 1, 1, 0, 0);
	dt_snapshot_sort(&s);
	assert_int_equal(s.inodes[0].key.ino, 1);
	dt_snapshot_free(&s);
}

static void test_join_components(void **state)
{
	struct dt_inode_val v;
	char buf[256];

	memset(&v, 0, sizeof(v));
	memset(buf, 'Z', sizeof(buf));
	dt_join_components(&v, buf, sizeof(buf));
	assert_string_equal(buf, "");

	set_path(&v, "c", NULL, NULL, NULL);
	dt_join_components(&v, buf, sizeof(buf));
	assert_string_equal(buf, "c");

	set_path(&v, "c", "b", "a", NULL);
	dt_join_components(&v, buf, sizeof(buf));
	assert_string_equal(buf, "a/b/c");

	set_path(&v, "pool.img", "data", "pmem0", "mnt");
	dt_join_components(&v, buf, sizeof(buf));
	assert_string_equal(buf, "mnt/pmem0/data/pool.img");

	/* the walk stops at the first empty component */
	set_path(&v, "c", "", "a", NULL);
	dt_join_components(&v, buf, sizeof(buf));
	assert_string_equal(buf, "c");

	/* components that fill DT_NAME_LEN with no NUL */
	memset(v.path, 'n', sizeof(v.path));
	dt_join_components(&v, buf, sizeof(buf));
	assert_int_equal(strlen(buf), DT_PATH_DEPTH * DT_NAME_LEN + DT_PATH_DEPTH - 1);
	for (int i = 0; i < DT_PATH_DEPTH; i++) {
		assert_int_equal(strspn(buf + i * (DT_NAME_LEN + 1), "n"), DT_NAME_LEN);
		if (i < DT_PATH_DEPTH - 1)
			assert_int_equal(buf[i * (DT_NAME_LEN + 1) + DT_NAME_LEN], '/');
	}
}

static void test_join_components_small_buffer(void **state)
{
	struct dt_inode_val v;
	char buf[16];

	memset(&v, 0, sizeof(v));
	set_path(&v, "c", "b", "a", NULL);
	/* exactly enough */
	dt_join_components(&v, buf, 6);
	assert_string_equal(buf, "a/b/c");
	/* never past len, always terminated */
	for (size_t len = 1; len < 6; len++) {
		memset(buf, 'Z', sizeof(buf));
		dt_join_components(&v, buf, len);
		assert_true(strlen(buf) < len);
		assert_int_equal(strncmp(buf, "a/b/c", strlen(buf)), 0);
		for (size_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 'Z');
	}
	/* len 0 writes nothing */
	memset(buf, 'Z', sizeof(buf));
	dt_join_components(&v, buf, 0);
	assert_int_equal(buf[0], 'Z');
}

static void test_hist_count(void **state)
{
	struct dt_hist_slots h;

	memset(&h, 0, sizeof(h));
	assert_int_equal(dt_hist_count(&h), 0);
	h.slots[0] = 1;
	h.slots[DT_MAX_SLOTS - 1] = 2;
	h.slots[10] = 30;
	assert_int_equal(dt_hist_count(&h), 33);
	for (int i = 0; i < DT_MAX_SLOTS; i++)
		h.slots[i] = 1ULL << 40;
	assert_int_equal(dt_hist_count(&h), (uint64_t)DT_MAX_SLOTS << 40);
}

static void test_clear_keeps_capacity(void **state)
{
	struct dt_snapshot s;
	struct dt_inode_rec *buf;
	size_t cap;

	dt_snapshot_init(&s);
	for (int i = 0; i < 100; i++)
		add_activity(&s, 1, (uint64_t)i + 1, 1, 0, 0);
	s.totals[DT_C_PTE_FAULTS] = 100;
	s.fallback_totals[DT_FB_EOF] = 3;
	s.hists[DT_H_FSYNC].slots[4] = 9;
	s.diag[DT_D_LOST_EVENTS] = 2;
	s.interval_ns = 1000000000;
	s.inflight = 4;
	buf = s.inodes;
	cap = s.cap_inodes;
	assert_true(cap >= 100);

	dt_snapshot_clear(&s);
	assert_int_equal(s.n_inodes, 0);
	assert_ptr_equal(s.inodes, buf);
	assert_int_equal(s.cap_inodes, cap);
	assert_int_equal(s.totals[DT_C_PTE_FAULTS], 0);
	assert_int_equal(s.fallback_totals[DT_FB_EOF], 0);
	assert_int_equal(dt_hist_count(&s.hists[DT_H_FSYNC]), 0);
	assert_int_equal(s.diag[DT_D_LOST_EVENTS], 0);
	assert_int_equal(s.interval_ns, 0);
	assert_int_equal(s.inflight, 0);

	/* refilling reuses the buffer, and old records are gone (no merge into them) */
	for (int i = 0; i < 100; i++)
		add_activity(&s, 1, (uint64_t)i + 1, 1, 0, 0);
	assert_ptr_equal(s.inodes, buf);
	assert_int_equal(s.n_inodes, 100);
	assert_int_equal(s.inodes[0].val.counters[DT_C_PTE_FAULTS], 1);
	dt_snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_new_and_merge),
		cmocka_unit_test(test_merge_fills_missing_path),
		cmocka_unit_test(test_add_grows),
		cmocka_unit_test(test_assign_procs),
		cmocka_unit_test(test_assign_procs_order_independent),
		cmocka_unit_test(test_assign_procs_comm_terminated),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_sort_large_values),
		cmocka_unit_test(test_join_components),
		cmocka_unit_test(test_join_components_small_buffer),
		cmocka_unit_test(test_hist_count),
		cmocka_unit_test(test_clear_keeps_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
