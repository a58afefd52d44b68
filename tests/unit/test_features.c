// SPDX-License-Identifier: GPL-2.0
/* The kernel feature table (src/kernel_features.c): every row complete, the one line printed
 * for each kind of missing feature (the texts are the interface: a change here is on
 * purpose), DAXTRACE_FAKE_MISSING's parsing, and the check --json object. */
#include "test_support.h"
#include "exitcodes.h"
#include "kernel_features.h"

static void all_present(struct dt_features *f)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < DT_F_NR; i++)
		f->state[i] = DT_FEAT_PRESENT;
}

static void test_table_rows(void **state)
{
	for (int i = 0; i < DT_F_NR; i++) {
		const struct dt_feature_def *d = &dt_feature_defs[i];
		unsigned major = 0, minor = 0;
		char end;

		assert_non_null(d->name);
		assert_non_null(d->what);
		assert_non_null(d->probe);
		assert_non_null(d->without);
		/* a mainline release, "X.Y", and one daxtrace can be run on to prove the row */
		assert_int_equal(sscanf(d->since, "%u.%u%c", &major, &minor, &end), 2);
		assert_true(major >= 3 && major <= 6);
		assert_null(strchr(d->name, ','));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(d->name, dt_feature_defs[j].name);
	}
	/* the ring buffer is needed by trace alone; tp_btf only improves the hooks */
	assert_int_equal(dt_feature_defs[DT_F_RINGBUF].need, DT_NEED_TRACE);
	assert_int_equal(dt_feature_defs[DT_F_TP_BTF].need, DT_NEED_NONE);
	assert_int_equal(dt_feature_defs[DT_F_RAW_TP].need, DT_NEED_ALL);
}

static void test_verdicts(void **state)
{
	struct dt_features f;
	char msg[512];

	all_present(&f);
	for (int m = DT_MODE_SUMMARY; m <= DT_MODE_CHECK; m++) {
		assert_int_equal(dt_features_verdict(&f, m, msg, sizeof(msg)), 0);
		assert_string_equal(msg, "");
	}
	/* unknown (not root) is no verdict */
	memset(&f, 0, sizeof(f));
	assert_int_equal(dt_features_verdict(&f, DT_MODE_TRACE, msg, sizeof(msg)), 0);

	all_present(&f);
	f.state[DT_F_RINGBUF] = DT_FEAT_MISSING;
	assert_int_equal(dt_features_verdict(&f, DT_MODE_SUMMARY, msg, sizeof(msg)), 0);
	assert_int_equal(dt_features_verdict(&f, DT_MODE_CHECK, msg, sizeof(msg)), 0);
	assert_int_equal(dt_features_verdict(&f, DT_MODE_TRACE, msg, sizeof(msg)), DT_EXIT_UNSUPPORTED);
	assert_string_equal(msg, "this kernel lacks the BPF ring buffer (Linux 5.8), which `trace` "
			    "needs; the summary mode (daxtrace without `trace`) runs without it");

	all_present(&f);
	f.state[DT_F_TP_BTF] = DT_FEAT_MISSING;
	assert_int_equal(dt_features_verdict(&f, DT_MODE_TRACE, msg, sizeof(msg)), 0);

	/* several: every one named, and the newest kernel among them */
	all_present(&f);
	f.state[DT_F_RAW_TP] = f.state[DT_F_PROBE_READ] = f.state[DT_F_RINGBUF] = DT_FEAT_MISSING;
	assert_int_equal(dt_features_verdict(&f, DT_MODE_TRACE, msg, sizeof(msg)), DT_EXIT_UNSUPPORTED);
	assert_string_equal(msg, "this kernel lacks BPF raw tracepoints (Linux 4.17), the "
			    "bpf_probe_read_kernel helpers (Linux 5.5), the BPF ring buffer (Linux 5.8): "
			    "daxtrace needs Linux 5.8 or later (daxtrace check lists what this kernel has)");
	assert_int_equal(dt_features_verdict(&f, DT_MODE_SUMMARY, msg, sizeof(msg)), DT_EXIT_UNSUPPORTED);
	assert_string_equal(msg, "this kernel lacks BPF raw tracepoints (Linux 4.17), the "
			    "bpf_probe_read_kernel helpers (Linux 5.5): daxtrace needs Linux 5.5 or "
			    "later (daxtrace check lists what this kernel has)");
	/* versions compare as numbers: 4.17 is newer than 4.2 */
	all_present(&f);
	f.state[DT_F_RAW_TP] = f.state[DT_F_BASE_HELPERS] = DT_FEAT_MISSING;
	dt_features_verdict(&f, DT_MODE_CHECK, msg, sizeof(msg));
	assert_non_null(strstr(msg, "daxtrace needs Linux 4.17 or later"));
	/* a short buffer is cut, never overrun */
	assert_int_equal(dt_features_verdict(&f, DT_MODE_CHECK, msg, 10), DT_EXIT_UNSUPPORTED);
	assert_int_equal(strlen(msg), 9);

	all_present(&f);
	f.state[DT_F_BTF] = DT_FEAT_MISSING;
	dt_features_verdict(&f, DT_MODE_SUMMARY, msg, sizeof(msg));
	assert_string_equal(msg, "this kernel lacks kernel BTF (CONFIG_DEBUG_INFO_BTF=y; else --btf "
			    "FILE) (Linux 5.2): daxtrace needs Linux 5.2 or later (daxtrace check "
			    "lists what this kernel has)");
}

static void test_fake_missing(void **state)
{
	struct dt_features f;

	all_present(&f);
	dt_features_fake_missing(&f, NULL);
	dt_features_fake_missing(&f, "");
	for (int i = 0; i < DT_F_NR; i++)
		assert_int_equal(f.state[i], DT_FEAT_PRESENT);
	dt_features_fake_missing(&f, "ringbuf,nonsense,,raw_tp,ring");
	for (int i = 0; i < DT_F_NR; i++)
		assert_int_equal(f.state[i], i == DT_F_RINGBUF || i == DT_F_RAW_TP ? DT_FEAT_MISSING
										 : DT_FEAT_PRESENT);
}

static void test_json(void **state)
{
	struct dt_features f;
	struct dt_capture c;
	struct dt_json j;

	all_present(&f);
	f.state[DT_F_RINGBUF] = DT_FEAT_MISSING;
	f.state[DT_F_TP_BTF] = DT_FEAT_UNKNOWN;
	dt_capture_begin(&c);
	dt_json_init(&j, c.f);
	dt_json_begin_object(&j);
	dt_json_features(&j, &f);
	dt_json_end_object(&j);
	dt_capture_end(&c);
	assert_non_null(strstr(c.buf, "{\"kernel_features\":{\"btf\":{\"state\":\"present\","
				      "\"since\":\"5.2\",\"needed_by\":\"all\","));
	assert_non_null(strstr(c.buf, "\"tp_btf\":{\"state\":\"unknown\",\"since\":\"5.5\","
				      "\"needed_by\":\"none\","));
	assert_non_null(strstr(c.buf, "\"ringbuf\":{\"state\":\"missing\",\"since\":\"5.8\","
				      "\"needed_by\":\"trace\","));
	assert_non_null(strstr(c.buf, "\"helpers\":[131,132]}}}"));
	assert_non_null(strstr(c.buf, "\"raw_tp\":{\"state\":\"present\",\"since\":\"4.17\","
				      "\"needed_by\":\"all\",\"without\":\"nothing runs\",\"helpers\":[]}"));
	free(c.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_fake_missing),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
