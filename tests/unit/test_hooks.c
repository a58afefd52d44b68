// SPDX-License-Identifier: GPL-2.0
/* Hook flavours (src/flavours.c): what a program's section says about it, and the names
 * check, --json and Prometheus print for each attach mode. */
#include "test_support.h"
#include "flavours.h"

static void test_flavour_of_section(void **state)
{
	static const struct {
		const char *section, *target;
		enum dt_attach_mode mode;
		enum dt_hook_kind kind;
		bool exit;
	} cases[] = {
		{ "tp_btf/dax_pte_fault", "dax_pte_fault", DT_ATTACH_TP_BTF, DT_HOOK_TRACEPOINT, false },
		{ "raw_tp/dax_pte_fault", "dax_pte_fault", DT_ATTACH_RAW_TP, DT_HOOK_TRACEPOINT, false },
		{ "fentry/insert_pfn", "insert_pfn", DT_ATTACH_FENTRY, DT_HOOK_FUNCTION, false },
		{ "fexit/insert_pfn", "insert_pfn", DT_ATTACH_FENTRY, DT_HOOK_FUNCTION, true },
		{ "kprobe/insert_pfn", "insert_pfn", DT_ATTACH_KPROBE, DT_HOOK_FUNCTION, false },
		{ "kretprobe/insert_pfn", "insert_pfn", DT_ATTACH_KPROBE, DT_HOOK_FUNCTION, true },
		{ "license", "license", DT_ATTACH_NONE, DT_HOOK_TRACEPOINT, false },
		{ "tp/sched/sched_switch", "tp/sched/sched_switch", DT_ATTACH_NONE, DT_HOOK_TRACEPOINT,
		  false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum dt_hook_kind kind = DT_HOOK_FUNCTION;
		const char *target = NULL;
		bool exit = !cases[i].exit;

		assert_int_equal(dt_flavour_of(cases[i].section, &target, &kind, &exit), cases[i].mode);
		assert_string_equal(target, cases[i].target);
		assert_int_equal(kind, cases[i].kind);
		assert_int_equal(exit, cases[i].exit);
	}
}

static void test_attach_mode_names(void **state)
{
	assert_string_equal(dt_attach_mode_name(DT_ATTACH_NONE), "unavailable");
	assert_string_equal(dt_attach_mode_name(DT_ATTACH_TP_BTF), "tp_btf");
	assert_string_equal(dt_attach_mode_name(DT_ATTACH_RAW_TP), "raw_tp");
	assert_string_equal(dt_attach_mode_name(DT_ATTACH_FENTRY), "fentry");
	assert_string_equal(dt_attach_mode_name(DT_ATTACH_KPROBE), "kprobe");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flavour_of_section),
		cmocka_unit_test(test_attach_mode_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
