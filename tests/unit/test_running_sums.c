// SPDX-License-Identifier: GPL-2.0
/* Interval counts from running sums (src/running_sums.c): the growth of every entry since the
 * last commit, nothing counted twice or lost across commits, idle entries evicted and settled. */
#include "test_support.h"
#include "running_sums.h"

struct ent {
	uint32_t key;
	uint64_t sums[2];
	char name[8]; /* not a sum: passed through */
};

struct seen {
	uint64_t total[2];
	int calls;
	char last_name[8];
};

static int on_growth(void *ctx, const void *key, const void *value)
{
	struct seen *s = ctx;
	const uint64_t *v = value;

	s->total[0] += v[0];
	s->total[1] += v[1];
	s->calls++;
	memcpy(s->last_name, (const char *)value + 16, 8);
	return 0;
}

/* The map as the kernel has it: key then value, packed as read_all packs them. */
static char *map_of(const struct ent *e, size_t n)
{
	char *m = malloc(n * 28);

	for (size_t i = 0; i < n; i++) {
		memcpy(m + i * 28, &e[i].key, 4);
		memcpy(m + i * 28 + 4, e[i].sums, 16);
		memcpy(m + i * 28 + 20, e[i].name, 8);
	}
	return m;
}

static void step(struct dt_running *r, const struct ent *e, size_t n, bool commit,
		 struct seen *s, size_t *n_evict, char **evict)
{
	char *m = map_of(e, n);

	memset(s, 0, sizeof(*s));
	assert_int_equal(dt_running_delta(r, m, n, commit, on_growth, s, evict, n_evict), 0);
	free(m);
}

static void test_intervals_add_up_to_the_running_sums(void **state)
{
	struct dt_running r;
	struct ent e[] = { { 7, { 10, 1 }, "a" }, { 3, { 5, 0 }, "b" } };
	struct seen s;
	size_t nev;
	char *ev;

	dt_running_init(&r, 4, 24, 2);
	step(&r, e, 2, true, &s, &nev, &ev);
	assert_int_equal(s.total[0], 15);
	assert_int_equal(s.total[1], 1);
	assert_int_equal(nev, 0);
	/* a peek between reports sees the growth so far, and changes nothing */
	e[0].sums[0] = 12;
	step(&r, e, 2, false, &s, &nev, &ev);
	assert_int_equal(s.total[0], 2);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.last_name, "a");
	e[0].sums[0] = 13;
	e[1].sums[1] = 4;
	step(&r, e, 2, true, &s, &nev, &ev);
	assert_int_equal(s.total[0], 3);
	assert_int_equal(s.total[1], 4);
	/* nothing grew: no entry reported */
	step(&r, e, 2, true, &s, &nev, &ev);
	assert_int_equal(s.calls, 0);
	dt_running_free(&r);
}

static void test_idle_entries_are_evicted_and_settled(void **state)
{
	struct dt_running r;
	struct ent e[] = { { 1, { 4, 0 }, "busy" }, { 2, { 9, 0 }, "idle" } };
	struct seen s;
	size_t nev;
	char *ev;
	uint64_t final[3] = { 11, 0, 0 };

	dt_running_init(&r, 4, 24, 2);
	step(&r, e, 2, true, &s, &nev, &ev);
	for (int round = 0; round < DT_RUNNING_IDLE; round++) {
		e[0].sums[0]++;
		step(&r, e, 2, true, &s, &nev, &ev);
		assert_int_equal(s.total[0], 1);
		if (round < DT_RUNNING_IDLE - 1)
			assert_int_equal(nev, 0);
	}
	/* key 2 was idle for DT_RUNNING_IDLE reports: evicted, with its last sums */
	assert_int_equal(nev, 1);
	assert_int_equal(*(uint32_t *)ev, 2);
	/* it gained 2 between the read and the delete: settled, not lost */
	memset(&s, 0, sizeof(s));
	assert_int_equal(dt_running_settle(&r, ev, final, on_growth, &s), 0);
	assert_int_equal(s.total[0], 2);
	free(ev);
	/* deleted from the map: when it comes back, all of it is new */
	e[1].sums[0] = 3;
	step(&r, e, 2, true, &s, &nev, &ev);
	assert_int_equal(s.total[0], 3);
	dt_running_free(&r);
}

/* A pinned key (a CPU's slot holds its counts) stays however idle: deleting its entry would
 * count the slot's share again when it comes back. */
static void test_pinned_entries_stay(void **state)
{
	struct dt_running r;
	struct ent e[] = { { 2, { 9, 0 }, "idle" } };
	uint32_t pin = 2;
	struct seen s;
	size_t nev;
	char *ev;

	dt_running_init(&r, 4, 24, 2);
	r.pins = (const char *)&pin;
	r.n_pins = 1;
	for (int round = 0; round <= DT_RUNNING_IDLE + 1; round++) {
		step(&r, e, 1, true, &s, &nev, &ev);
		assert_int_equal(nev, 0);
	}
	e[0].sums[0] = 10;
	step(&r, e, 1, true, &s, &nev, &ev);
	assert_int_equal(s.total[0], 1);
	dt_running_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intervals_add_up_to_the_running_sums),
		cmocka_unit_test(test_idle_entries_are_evicted_and_settled),
		cmocka_unit_test(test_pinned_entries_stay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
