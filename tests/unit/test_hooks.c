// SPDX-License-Identifier: GPL-2.0
/* What is said about hooks: the flavour of a program from its section (src/flavours.c), the
 * text of each hook note (src/hook_notes.c), and the probes/probe_notes JSON of check and of
 * the reports (src/probes_json.c). The texts are those check, --json and -v have printed
 * since they were prose in the code: a changed one must be changed here on purpose. */
#include <errno.h>
#include "test_support.h"
#include "flavours.h"
#include "hook_notes.h"
#include "json_writer.h"
#include "probes_json.h"

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

static void test_note_texts(void **state)
{
	static const struct {
		struct dt_hook_note note;
		const char *text;
	} cases[] = {
		{ { DT_HR_NONE, 0, NULL }, "" },
		{ { DT_HR_TP_MISSING, 0, NULL }, "tracepoint not in this kernel" },
		{ { DT_HR_NO_FUNC_PROBES, 0, NULL }, "disabled by --no-func-probes" },
		{ { DT_HR_INSERTS_PAGES, 0, NULL },
		  "not on this kernel's DAX insert path (it inserts pages)" },
		{ { DT_HR_INSERTS_PFNS, 0, NULL },
		  "not on this kernel's DAX insert path (it inserts PFNs)" },
		{ { DT_HR_FUNC_MISSING, 0, NULL }, "function not in this kernel (inlined or renamed)" },
		{ { DT_HR_HOOKED_INSTEAD, 0, "vmf_insert_pfn_pmd_prot" },
		  "vmf_insert_pfn_pmd_prot is hooked instead" },
		{ { DT_HR_FENTRY_AND_NO_KPROBE, EPERM, NULL },
		  "fentry: Operation not permitted; kprobe: not supported by this kernel" },
		{ { DT_HR_LOAD_FAILED, EINVAL, NULL }, "load failed: Invalid argument" },
		{ { DT_HR_ATTACH_FAILED, ENOENT, NULL }, "attach failed: No such file or directory" },
		{ { DT_HR_COMMAND_ONLY, 0, NULL }, "used only with -- COMMAND" },
		{ { DT_HR_COVERED, 0, "vfs_fsync_range" },
		  "not needed: the vfs_fsync_range exit ends the fsync on ext4 too" },
		{ { DT_HR_ENTRY_ONLY, 0, "vfs_fsync_range" },
		  "entry only: the vfs_fsync_range exit sees a failed fsync" },
	};
	char buf[160];

	/* every reason has its case */
	assert_int_equal(sizeof(cases) / sizeof(cases[0]), DT_HR_NR);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cases[i].note.reason, i);
		assert_ptr_equal(dt_hook_note_text(&cases[i].note, buf, sizeof(buf)), buf);
		assert_string_equal(buf, cases[i].text);
	}
	/* a hook left off on purpose, with nothing lost, is no news; a loss always is */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(dt_hook_note_by_design(&cases[i].note),
				 i == DT_HR_INSERTS_PAGES || i == DT_HR_INSERTS_PFNS ||
				 i == DT_HR_HOOKED_INSTEAD || i == DT_HR_COMMAND_ONLY ||
				 i == DT_HR_COVERED || i == DT_HR_ENTRY_ONLY);
}

static void render(const struct dt_hooks *hooks, bool all_notes, char **text)
{
	struct dt_capture c;
	struct dt_json j;

	dt_capture_begin(&c);
	dt_json_init(&j, c.f);
	dt_json_begin_object(&j);
	dt_json_probes(&j, hooks, all_notes);
	dt_json_end_object(&j);
	dt_capture_end(&c);
	*text = c.buf;
}

/* check lists every note; a report only those of hooks the run lacks. */
static void test_probes_json(void **state)
{
	struct dt_hooks *hooks = calloc(1, sizeof(*hooks));
	char *text;

	assert_non_null(hooks);
	strcpy(hooks->h[0].name, "dax_pte_fault");
	hooks->h[0].mode = DT_ATTACH_TP_BTF;
	strcpy(hooks->h[1].name, "dax_finish_sync_fault");
	hooks->h[1].mode = DT_ATTACH_FENTRY;
	hooks->h[1].note = (struct dt_hook_note){ DT_HR_ENTRY_ONLY, 0, "vfs_fsync_range" };
	strcpy(hooks->h[2].name, "sched_process_fork");
	hooks->h[2].note = (struct dt_hook_note){ DT_HR_COMMAND_ONLY, 0, NULL };
	hooks->n = 3;

	render(hooks, true, &text);
	assert_string_equal(text, "{\"probes\":{\"dax_pte_fault\":\"tp_btf\","
			    "\"dax_finish_sync_fault\":\"fentry\",\"sched_process_fork\":"
			    "\"unavailable\"},\"probe_notes\":{\"dax_finish_sync_fault\":\"entry only: "
			    "the vfs_fsync_range exit sees a failed fsync\",\"sched_process_fork\":"
			    "\"used only with -- COMMAND\"}}");
	free(text);
	render(hooks, false, &text);
	assert_string_equal(text, "{\"probes\":{\"dax_pte_fault\":\"tp_btf\","
			    "\"dax_finish_sync_fault\":\"fentry\",\"sched_process_fork\":"
			    "\"unavailable\"},\"probe_notes\":{\"sched_process_fork\":"
			    "\"used only with -- COMMAND\"}}");
	free(text);
	render(NULL, true, &text);
	assert_string_equal(text, "{\"probes\":{},\"probe_notes\":{}}");
	free(text);
	free(hooks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flavour_of_section),
		cmocka_unit_test(test_attach_mode_names),
		cmocka_unit_test(test_note_texts),
		cmocka_unit_test(test_probes_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
