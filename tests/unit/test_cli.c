// SPDX-License-Identifier: GPL-2.0
/* dt_parse_args() (src/cli.c): every option, the subcommands, the COMMAND, and the errors. */
#include <fcntl.h>
#include <unistd.h>
#include "test_support.h"
#include "cli.h"
#include "defaults.h"
#include "exitcodes.h"
#include "paths.h"
#include "top.h"

#ifndef DAXTRACE_VERSION
#error "the build passes -DDAXTRACE_VERSION"
#endif

/* argv must be writable (argp and --dev write into it): copies live here until the next
 * parse, so that cfg.command and cfg.btf_path stay valid in between. */
#define MAX_ARGS 160 /* 65 --path and their values */
static char arg_store[MAX_ARGS][128];
static char *argv_store[MAX_ARGS + 1];

/* What the parser printed, with fd 1 and fd 2 redirected to files during the call. */
static char out_text[16384], err_text[16384];

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
}

/* Parses the NULL-terminated list a after "daxtrace" into *c (defaults first). */
static int parse_list(struct dt_config *c, const char **a)
{
	int argc = 0, rc, saved_out, saved_err;
	FILE *out = tmpfile(), *err = tmpfile();

	assert_non_null(out);
	assert_non_null(err);
	strcpy(arg_store[argc], "daxtrace");
	argv_store[argc] = arg_store[argc];
	argc++;
	for (; *a; a++) {
		assert_true(argc < MAX_ARGS);
		strcpy(arg_store[argc], *a);
		argv_store[argc] = arg_store[argc];
		argc++;
	}
	argv_store[argc] = NULL;
	dt_config_defaults(c);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	assert_true(saved_out >= 0 && saved_err >= 0);
	dup2(fileno(out), 1);
	dup2(fileno(err), 2);
	rc = dt_parse_args(argc, argv_store, c);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	slurp(out, out_text, sizeof(out_text));
	slurp(err, err_text, sizeof(err_text));
	return rc;
}

static int parse_v(struct dt_config *c, const char *first, va_list ap)
{
	const char *a[MAX_ARGS + 1];
	int n = 0;

	for (const char *x = first; x; x = va_arg(ap, const char *)) {
		assert_true(n < MAX_ARGS);
		assert_true(strlen(x) < sizeof(arg_store[0]));
		a[n++] = x;
	}
	a[n] = NULL;
	return parse_list(c, a);
}

static int parse(struct dt_config *c, ...)
{
	va_list ap;
	const char *first;
	int rc;

	va_start(ap, c);
	first = va_arg(ap, const char *);
	rc = parse_v(c, first, ap);
	va_end(ap);
	return rc;
}

#define PARSE(c, ...) parse(c, ##__VA_ARGS__, (const char *)NULL)



/* A usage error: 64, a message on stderr, nothing on stdout, no early exit. */
#define EXPECT_USAGE(msg, ...)                                                         \
	do {                                                                               \
		struct dt_config c_;                                                       \
		int rc_ = PARSE(&c_, __VA_ARGS__);                                         \
		if (rc_ != DT_EXIT_USAGE)                                                  \
			fail_msg("%s: rc %d, expected 64 (stderr: %s)", #__VA_ARGS__, rc_, \
				 err_text);                                                \
		if (!strstr(err_text, msg))                                                \
			fail_msg("%s: stderr lacks '%s': %s", #__VA_ARGS__, msg, err_text); \
		assert_string_equal(out_text, "");                                         \
		assert_false(c_.exit_now);                                                 \
	} while (0)

#define EXPECT_OK(c, ...)                                                                  \
	do {                                                                               \
		int rc_ = PARSE(c, __VA_ARGS__);                                           \
		if (rc_ != 0)                                                              \
			fail_msg("%s: rc %d (stderr: %s)", #__VA_ARGS__, rc_, err_text);   \
		assert_string_equal(err_text, "");                                         \
	} while (0)

static void test_defaults(void **state)
{
	struct dt_config c;

	assert_int_equal(PARSE(&c), 0);
	assert_string_equal(err_text, "");
	assert_string_equal(out_text, "");
	assert_int_equal(c.mode, DT_MODE_SUMMARY);
	assert_int_equal(c.interval_s, 0);
	assert_int_equal(c.duration_s, 0);
	assert_int_equal(c.pid, 0);
	assert_false(c.dev_set);
	assert_int_equal(c.ino, 0);
	assert_int_equal(c.unit, DT_UNIT_US);
	assert_false(c.timestamps);
	assert_false(c.verbose);
	assert_false(c.json);
	assert_int_equal(c.top, 10);
	assert_int_equal(c.max_inodes, DT_DEFAULT_MAX_INODES);
	assert_int_equal(c.max_procs, DT_DEFAULT_MAX_PROCS);
	assert_int_equal(c.max_inflight, DT_DEFAULT_MAX_INFLIGHT);
	assert_int_equal(c.ringbuf_kb, DT_DEFAULT_RINGBUF_KB);
	assert_false(c.force_raw_tp);
	assert_false(c.no_func_probes);
	assert_false(c.force_kprobes);
	assert_false(c.force_inflight_hash);
	assert_null(c.btf_path);
	assert_null(c.command);
	assert_false(c.exit_now);
}

static void test_all_short_and_long_options(void **state)
{
	struct dt_config c;

	EXPECT_OK(&c, "-i", "2", "-d", "10", "-p", "1234", "-n", "5", "-m", "-T", "-v", "--json",
		  "--dev", "259:3", "--ino", "12", "--max-inodes", "100", "--max-procs", "200",
		  "--max-inflight", "300", "--ringbuf-kb", "8", "--btf", "/tmp/vmlinux.btf",
		  "--raw-tp", "--no-func-probes", "--kprobes", "--inflight-hash");
	assert_int_equal(c.mode, DT_MODE_SUMMARY);
	assert_int_equal(c.interval_s, 2);
	assert_int_equal(c.duration_s, 10);
	assert_int_equal(c.pid, 1234);
	assert_int_equal(c.top, 5);
	assert_int_equal(c.unit, DT_UNIT_MS);
	assert_true(c.timestamps);
	assert_true(c.verbose);
	assert_true(c.json);
	assert_true(c.dev_set);
	assert_int_equal(c.dev_major, 259);
	assert_int_equal(c.dev_minor, 3);
	assert_int_equal(c.ino, 12);
	assert_int_equal(c.max_inodes, 100);
	assert_int_equal(c.max_procs, 200);
	assert_int_equal(c.max_inflight, 300);
	assert_int_equal(c.ringbuf_kb, 8);
	assert_non_null(c.btf_path);
	assert_string_equal(c.btf_path, "/tmp/vmlinux.btf");
	assert_true(c.force_raw_tp);
	assert_true(c.no_func_probes);
	assert_true(c.force_kprobes);
	assert_true(c.force_inflight_hash);
	assert_null(c.command);
	assert_false(c.exit_now);

	EXPECT_OK(&c, "--interval=3", "--duration", "30", "--pid=77", "--top=1", "--timestamp",
		  "--verbose", "--milliseconds", "--btf=/x");
	assert_int_equal(c.interval_s, 3);
	assert_int_equal(c.duration_s, 30);
	assert_int_equal(c.pid, 77);
	assert_int_equal(c.top, 1);
	assert_true(c.timestamps);
	assert_true(c.verbose);
	assert_int_equal(c.unit, DT_UNIT_MS);
	assert_string_equal(c.btf_path, "/x");

	/* attached short arguments */
	EXPECT_OK(&c, "-i5", "-p42", "-vT");
	assert_int_equal(c.interval_s, 5);
	assert_int_equal(c.pid, 42);
	assert_true(c.verbose);
	assert_true(c.timestamps);
}

static void test_units_last_wins(void **state)
{
	struct dt_config c;

	EXPECT_OK(&c, "--nanoseconds");
	assert_int_equal(c.unit, DT_UNIT_NS);
	EXPECT_OK(&c, "-m", "--nanoseconds");
	assert_int_equal(c.unit, DT_UNIT_NS);
	EXPECT_OK(&c, "--nanoseconds", "-m");
	assert_int_equal(c.unit, DT_UNIT_MS);
}

static void test_value_limits(void **state)
{
	struct dt_config c;

	EXPECT_OK(&c, "-i", "31536000", "-d", "31536000");
	assert_int_equal(c.interval_s, 31536000);
	assert_int_equal(c.duration_s, 31536000);
	EXPECT_OK(&c, "-p", "2147483647");
	assert_int_equal(c.pid, 2147483647);
	EXPECT_OK(&c, "-n", "1000000", "--max-inodes", "16", "--max-procs", "16777216",
		  "--max-inflight", "4194304");
	assert_int_equal(c.top, 1000000);
	assert_int_equal(c.max_inodes, 16);
	assert_int_equal(c.max_procs, 16777216);
	assert_int_equal(c.max_inflight, 4194304);
	EXPECT_OK(&c, "--ringbuf-kb", "4");
	assert_int_equal(c.ringbuf_kb, 4);
	EXPECT_OK(&c, "--ringbuf-kb", "1048576");
	assert_int_equal(c.ringbuf_kb, 1048576);
	EXPECT_OK(&c, "--dev", "4095:1048575");
	assert_int_equal(c.dev_major, 4095);
	assert_int_equal(c.dev_minor, 1048575);
	EXPECT_OK(&c, "--dev", "0:45");
	assert_true(c.dev_set);
	assert_int_equal(c.dev_major, 0);
	assert_int_equal(c.dev_minor, 45);
	EXPECT_OK(&c, "--ino", "18446744073709551615");
	assert_true(c.ino == UINT64_MAX);
	/* interval == duration is fine */
	EXPECT_OK(&c, "-i", "5", "-d", "5");
	assert_int_equal(c.interval_s, 5);
	/* leading zeros are digits */
	EXPECT_OK(&c, "-i", "007");
	assert_int_equal(c.interval_s, 7);
}

static void test_dev_arg_left_intact(void **state)
{
	struct dt_config c;

	EXPECT_OK(&c, "--dev", "259:3");
	assert_string_equal(argv_store[2], "259:3");
	EXPECT_USAGE("4096:0", "--dev", "4096:0");
	assert_string_equal(argv_store[2], "4096:0");
	EXPECT_USAGE("1:x", "--dev", "1:x");
	assert_string_equal(argv_store[2], "1:x");
}

static void test_subcommand_trace(void **state)
{
	struct dt_config c;

	EXPECT_OK(&c, "trace");
	assert_int_equal(c.mode, DT_MODE_TRACE);
	assert_null(c.command);
	EXPECT_OK(&c, "trace", "-p", "5", "-d", "3", "--json", "--ringbuf-kb", "256", "-T");
	assert_int_equal(c.mode, DT_MODE_TRACE);
	assert_int_equal(c.pid, 5);
	assert_int_equal(c.duration_s, 3);
	assert_true(c.json);
	assert_true(c.timestamps);
	assert_int_equal(c.ringbuf_kb, 256);
	EXPECT_OK(&c, "trace", "--", "./app", "-i", "3");
	assert_int_equal(c.mode, DT_MODE_TRACE);
	assert_int_equal(c.interval_s, 0);
	assert_non_null(c.command);
	assert_string_equal(c.command[0], "./app");
	assert_string_equal(c.command[1], "-i");
	assert_string_equal(c.command[2], "3");
	assert_null(c.command[3]);
}

static void test_subcommand_check(void **state)
{
	struct dt_config c;

	EXPECT_OK(&c, "check");
	assert_int_equal(c.mode, DT_MODE_CHECK);
	EXPECT_OK(&c, "check", "-v", "--json");
	assert_int_equal(c.mode, DT_MODE_CHECK);
	assert_true(c.verbose);
	assert_true(c.json);
	assert_null(c.command);
}

static void test_command_after_dashdash(void **state)
{
	struct dt_config c;

	EXPECT_OK(&c, "--", "cmd", "a", "-b");
	assert_int_equal(c.mode, DT_MODE_SUMMARY);
	assert_non_null(c.command);
	assert_string_equal(c.command[0], "cmd");
	assert_string_equal(c.command[1], "a");
	assert_string_equal(c.command[2], "-b");
	assert_null(c.command[3]);
	assert_false(c.verbose);

	/* options before `--` apply; after it they belong to COMMAND */
	EXPECT_OK(&c, "-i", "1", "-m", "--", "./app", "--bench", "-v", "--", "x");
	assert_int_equal(c.interval_s, 1);
	assert_int_equal(c.unit, DT_UNIT_MS);
	assert_false(c.verbose);
	assert_string_equal(c.command[0], "./app");
	assert_string_equal(c.command[1], "--bench");
	assert_string_equal(c.command[2], "-v");
	assert_string_equal(c.command[3], "--");
	assert_string_equal(c.command[4], "x");
	assert_null(c.command[5]);
}

static void test_command_without_dashdash(void **state)
{
	struct dt_config c;

	/* the first positional argument starts COMMAND: its own flags are not ours */
	EXPECT_OK(&c, "-d", "5", "./app", "-x", "--json", "-i", "0");
	assert_int_equal(c.duration_s, 5);
	assert_false(c.json);
	assert_int_equal(c.interval_s, 0);
	assert_string_equal(c.command[0], "./app");
	assert_string_equal(c.command[1], "-x");
	assert_string_equal(c.command[2], "--json");
	assert_string_equal(c.command[3], "-i");
	assert_string_equal(c.command[4], "0");
	assert_null(c.command[5]);

	EXPECT_OK(&c, "ls");
	assert_string_equal(c.command[0], "ls");
	assert_null(c.command[1]);
}

/* daxtrace top: its defaults, each option, and every way to misuse them. */
static void test_top(void **state)
{
	struct dt_config c;

	EXPECT_OK(&c, "top");
	assert_int_equal(c.mode, DT_MODE_TOP);
	assert_int_equal(c.interval_s, 1);
	assert_int_equal(c.top_rows, DT_TOP_DEFAULT_ROWS);
	assert_int_equal(c.top_sort, DT_TOP_SORT_FAULTS);
	assert_false(c.top_no_clear);
	assert_false(c.top_procs);
	EXPECT_OK(&c, "top", "-C", "-P", "-r", "3", "-s", "fallbacks", "-i", "5", "-d", "10", "--dev",
		  "259:0", "--ino", "12", "-m");
	assert_true(c.top_no_clear && c.top_procs);
	assert_int_equal(c.top_rows, 3);
	assert_int_equal(c.top_sort, DT_TOP_SORT_FALLBACKS);
	assert_int_equal(c.interval_s, 5);
	assert_int_equal(c.duration_s, 10);
	for (int k = 0; k < DT_TOP_SORT_NR; k++) {
		EXPECT_OK(&c, "top", "--sort", dt_top_sort_name(k));
		assert_int_equal(c.top_sort, k);
		/* the list in --help and in the error names every key */
		assert_non_null(strstr(DT_TOP_SORT_KEYS, dt_top_sort_name(k)));
	}
	EXPECT_OK(&c, "top", "-p", "1");
	assert_int_equal(c.pid, 1);
	EXPECT_OK(&c, "top", "--", "sleep", "1");
	assert_string_equal(c.command[0], "sleep");
	EXPECT_USAGE("invalid --sort 'bogus': expected one of faults,", "top", "-s", "bogus");
	EXPECT_USAGE("invalid --sort", "top", "-s", "");
	EXPECT_USAGE("--rows", "top", "-r", "0");
	EXPECT_USAGE("--rows", "top", "-r", "x");
	EXPECT_USAGE("interval", "top", "-i", "0");
	EXPECT_USAGE("go with 'top'", "-C");
	EXPECT_USAGE("go with 'top'", "trace", "-P");
	EXPECT_USAGE("go with 'top'", "-r", "5");
	EXPECT_USAGE("go with 'top'", "-s", "sync");
	EXPECT_USAGE("--json and --stats do not apply", "top", "--json");
	EXPECT_USAGE("--json and --stats do not apply", "top", "--stats");
	EXPECT_USAGE("--prometheus goes with the summary mode", "top", "--prometheus", "/tmp/x");
	EXPECT_USAGE("longer than duration", "top", "-i", "5", "-d", "2");
	EXPECT_USAGE("exclude each other", "top", "-p", "1", "--", "true");
}

static void test_usage_errors(void **state)
{
	EXPECT_USAGE("bogus", "--bogus");
	EXPECT_USAGE("invalid option", "-z");
	EXPECT_USAGE("interval", "-i", "0");
	EXPECT_USAGE("interval", "-i", "-1");
	EXPECT_USAGE("interval", "-i", "abc");
	EXPECT_USAGE("interval", "-i", "");
	EXPECT_USAGE("interval", "-i", "1x");
	EXPECT_USAGE("interval", "-i", " 1");
	EXPECT_USAGE("interval", "-i", "+1");
	EXPECT_USAGE("interval", "-i", "0x10");
	EXPECT_USAGE("interval", "-i", "99999999999999999999");
	EXPECT_USAGE("interval", "-i", "31536001");
	EXPECT_USAGE("requires an argument", "-i");
	EXPECT_USAGE("duration", "-d", "0");
	EXPECT_USAGE("PID", "-p", "0");
	EXPECT_USAGE("PID", "-p", "2147483648");
	EXPECT_USAGE("--top", "-n", "0");
	EXPECT_USAGE("--top", "-n", "1000001");
	EXPECT_USAGE("MAJ:MIN", "--dev", "1");
	EXPECT_USAGE("major", "--dev", "a:b");
	EXPECT_USAGE("major", "--dev", ":1");
	EXPECT_USAGE("minor", "--dev", "1:");
	EXPECT_USAGE("minor", "--dev", "1:-1");
	EXPECT_USAGE("major", "--dev", "4096:0");
	EXPECT_USAGE("minor", "--dev", "8:1048576");
	EXPECT_USAGE("0:0", "--dev", "0:0");
	EXPECT_USAGE("--ino", "--ino", "0");
	EXPECT_USAGE("--ino", "--ino", "-3");
	EXPECT_USAGE("--ino", "--ino", "18446744073709551616");
	EXPECT_USAGE("--ringbuf-kb", "--ringbuf-kb", "3");
	EXPECT_USAGE("power of two", "--ringbuf-kb", "6");
	EXPECT_USAGE("power of two", "--ringbuf-kb", "12");
	EXPECT_USAGE("--ringbuf-kb", "--ringbuf-kb", "2");
	EXPECT_USAGE("--ringbuf-kb", "--ringbuf-kb", "2097152");
	EXPECT_USAGE("--max-inodes", "--max-inodes", "15");
	EXPECT_USAGE("--max-procs", "--max-procs", "16777217");
	EXPECT_USAGE("--max-inflight", "--max-inflight", "4194305");
	EXPECT_USAGE("allow an argument", "--json=1");
}

static void test_conflicts(void **state)
{
	EXPECT_USAGE("exclude each other", "-p", "5", "--", "cmd");
	EXPECT_USAGE("exclude each other", "-p", "5", "cmd");
	EXPECT_USAGE("exclude each other", "trace", "-p", "5", "--", "cmd");
	EXPECT_USAGE("takes no COMMAND", "check", "--", "cmd");
	EXPECT_USAGE("takes no COMMAND", "check", "cmd");
	EXPECT_USAGE("-i does not apply", "trace", "-i", "1");
	EXPECT_USAGE("longer than duration", "-i", "10", "-d", "5");
	EXPECT_USAGE("longer than duration", "trace", "-i", "10", "-d", "5");
	/* one error is enough: a bad value stops the parse */
	EXPECT_USAGE("interval", "-i", "0", "-d", "5");
}

/* --hist-by KEY: file, process or device (summary mode only); its map size --max-hists. */
static void test_hist_by(void **state)
{
	struct dt_config c;

	EXPECT_OK(&c, "-d", "1");
	assert_int_equal(c.hist_by, DT_HB_NONE);
	assert_int_equal(c.max_hists, DT_DEFAULT_MAX_HISTS);
	EXPECT_OK(&c, "--hist-by", "file");
	assert_int_equal(c.hist_by, DT_HB_FILE);
	EXPECT_OK(&c, "--hist-by=process", "--max-hists", "64");
	assert_int_equal(c.hist_by, DT_HB_PROCESS);
	assert_int_equal(c.max_hists, 64);
	EXPECT_OK(&c, "--hist-by", "device", "--json", "-i", "1");
	assert_int_equal(c.hist_by, DT_HB_DEVICE);
	EXPECT_USAGE("invalid --hist-by 'inode': expected file, process or device", "--hist-by", "inode");
	EXPECT_USAGE("invalid --hist-by '': expected", "--hist-by", "");
	EXPECT_USAGE("invalid --hist-by 'File'", "--hist-by", "File");
	EXPECT_USAGE("requires an argument", "--hist-by");
	EXPECT_USAGE("--max-hists", "--max-hists", "15");
	EXPECT_USAGE("--max-hists", "--max-hists", "16777217");
	EXPECT_USAGE("--hist-by goes with the summary mode", "trace", "--hist-by", "file");
	EXPECT_USAGE("--hist-by goes with the summary mode", "map", "--hist-by", "file", "/x");
}

static void test_help_and_version(void **state)
{
	struct dt_config c;

	assert_int_equal(PARSE(&c, "--help"), 0);
	assert_true(c.exit_now);
	assert_non_null(strstr(out_text, "USAGE: daxtrace [OPTION...]"));
	assert_non_null(strstr(out_text, "--interval=SEC"));
	assert_non_null(strstr(out_text, "--ringbuf-kb=KB"));
	assert_non_null(strstr(out_text, "EXIT STATUS"));
	assert_string_equal(err_text, "");

	assert_int_equal(PARSE(&c, "--usage"), 0);
	assert_true(c.exit_now);
	assert_non_null(strstr(out_text, "Usage: daxtrace"));
	assert_string_equal(err_text, "");

	assert_int_equal(PARSE(&c, "--version"), 0);
	assert_true(c.exit_now);
	assert_string_equal(out_text, "daxtrace " DAXTRACE_VERSION "\n");
	assert_string_equal(err_text, "");

	assert_int_equal(PARSE(&c, "-V"), 0);
	assert_true(c.exit_now);
	assert_string_equal(out_text, "daxtrace " DAXTRACE_VERSION "\n");

	/* --help wins over the checks done at the end, like -p with a COMMAND */
	assert_int_equal(PARSE(&c, "-p", "5", "--help", "--", "cmd"), 0);
	assert_true(c.exit_now);
	assert_int_equal(PARSE(&c, "trace", "--version"), 0);
	assert_true(c.exit_now);
	assert_int_equal(PARSE(&c, "check", "--help"), 0);
	assert_true(c.exit_now);

	/* a plain parse does not set it */
	assert_int_equal(PARSE(&c, "-v"), 0);
	assert_false(c.exit_now);
	assert_string_equal(out_text, "");
}

/* The map sizes by default, as the man page states them: the first "default N" after each
 * option's entry. make check-unit runs from the top of the tree. */
static const struct {
	const char *man_entry;
	unsigned long value;
	const char *help;
} map_defaults[] = {
	{ ".BR \\-\\-max\\-inodes =", DT_DEFAULT_MAX_INODES, "--max-inodes=N" },
	{ ".BR \\-\\-max\\-procs =", DT_DEFAULT_MAX_PROCS, "--max-procs=N" },
	{ ".BR \\-\\-max\\-offsets =", DT_DEFAULT_MAX_OFFSETS, "--max-offsets=N" },
	{ ".BR \\-\\-max\\-hists =", DT_DEFAULT_MAX_HISTS, "--max-hists=N" },
	{ ".BR \\-\\-max\\-inflight =", DT_DEFAULT_MAX_INFLIGHT, "--max-inflight=N" },
	{ ".BR \\-\\-ringbuf\\-kb =", DT_DEFAULT_RINGBUF_KB, "--ringbuf-kb=KB" },
};

static void test_map_defaults_documented(void **state)
{
	static char man[1 << 16];
	struct dt_config c;
	FILE *f = fopen("docs/daxtrace.8", "r");
	size_t n;

	assert_non_null(f);
	n = fread(man, 1, sizeof(man) - 1, f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(man) - 1);
	man[n] = 0;
	assert_int_equal(PARSE(&c, "--help"), 0);
	for (size_t i = 0; i < sizeof(map_defaults) / sizeof(map_defaults[0]); i++) {
		const char *entry = strstr(man, map_defaults[i].man_entry), *def, *opt;
		unsigned long documented;

		assert_non_null(entry);
		def = strstr(entry, "default ");
		assert_non_null(def);
		documented = strtoul(def + strlen("default "), NULL, 10);
		if (documented != map_defaults[i].value)
			fail_msg("docs/daxtrace.8: %s default %lu, the code's is %lu", map_defaults[i].help,
				 documented, map_defaults[i].value);
		/* and --help says the same after its option (argp may wrap the line there) */
		opt = strstr(out_text, map_defaults[i].help);
		assert_non_null(opt);
		def = strstr(opt, "(default");
		assert_non_null(def);
		assert_int_equal(strtoul(def + strlen("(default"), NULL, 10), map_defaults[i].value);
	}
}

static void test_kernel_dev(void **state)
{
	char buf[32];

	assert_int_equal(dt_dev_encode(259, 3), (dt_dev_encode(259, 0)) | 3);
	assert_int_equal(dt_dev_encode(259, 3), 0x10300003);
	assert_int_equal(dt_dev_encode(8, 1), 0x800001);
	assert_int_equal(dt_dev_encode(0, 0), 0);
	assert_int_equal(dt_dev_encode(4095, 1048575), 0xffffffffu);
	assert_int_equal(dt_dev_major(0x10300003), 259);
	assert_int_equal(dt_dev_minor(0x10300003), 3);
	assert_int_equal(dt_dev_major(0xffffffffu), DT_DEV_MAJOR_MAX);
	assert_int_equal(dt_dev_minor(0xffffffffu), DT_DEV_MINOR_MAX);
	/* the same encoding dt_format_dev() reads back */
	dt_format_dev(dt_dev_encode(259, 3), buf, sizeof(buf));
	assert_string_equal(buf, "259:3");
	dt_format_dev(dt_dev_encode(4095, 1048575), buf, sizeof(buf));
	assert_string_equal(buf, "4095:1048575");
}

/* map: its PATHs (options before them, `--` for a name that starts with '-'), and the
 * options that do not apply are refused. */
/* --path (repeatable, bounded), --dev PATH and -c: the parser only keeps the strings; they are
 * resolved before load (src/filters.c, tests/host/run). */
static void test_path_filters(void **state)
{
	static const char *list[2 * (DT_MAX_FILTER_PATHS + 1) + 1];
	static char names[DT_MAX_FILTER_PATHS + 1][16];
	struct dt_config c;
	int n = 0;

	(void)state;
	assert_int_equal(parse_list(&c, (const char *[]){ NULL }), 0);
	assert_int_equal(c.n_filter_paths, 0);
	assert_null(c.cgroup);
	assert_null(c.dev_path);
	assert_int_equal(c.cgroup_fd, -1);
	EXPECT_OK(&c, "--path", "/mnt/dax/a", "--path", "/mnt/dax", "-c", "/sys/fs/cgroup/x");
	assert_int_equal(c.n_filter_paths, 2);
	assert_string_equal(c.filter_paths[0], "/mnt/dax/a");
	assert_string_equal(c.filter_paths[1], "/mnt/dax");
	assert_string_equal(c.cgroup, "/sys/fs/cgroup/x");
	EXPECT_OK(&c, "trace", "--cgroup", "/sys/fs/cgroup/y", "--path", "rel/file");
	assert_string_equal(c.cgroup, "/sys/fs/cgroup/y");
	assert_string_equal(c.filter_paths[0], "rel/file");
	/* --dev: a path is anything with a '/'; the last --dev wins */
	EXPECT_OK(&c, "--dev", "/mnt/dax");
	assert_true(c.dev_set);
	assert_string_equal(c.dev_path, "/mnt/dax");
	EXPECT_OK(&c, "--dev", "./x", "--dev", "259:3");
	assert_null(c.dev_path);
	assert_int_equal(c.dev_major, 259);
	assert_int_equal(c.dev_minor, 3);
	EXPECT_OK(&c, "--dev", "259:3", "--dev", "/mnt/dax");
	assert_string_equal(c.dev_path, "/mnt/dax");
	EXPECT_USAGE("or a path", "--dev", "dax");
	EXPECT_USAGE("--path needs", "--path", "");
	EXPECT_USAGE("requires an argument", "--path");
	EXPECT_USAGE("-c needs", "-c", "");
	EXPECT_USAGE("requires an argument", "--cgroup");
	EXPECT_USAGE("do not apply", "map", "--path", "/mnt/dax", "/f");
	EXPECT_USAGE("do not apply", "map", "-c", "/sys/fs/cgroup", "/f");
	EXPECT_USAGE("do not apply", "map", "--dev", "/mnt/dax", "/f");

	/* at most DT_MAX_FILTER_PATHS, then one line saying so */
	for (int i = 0; i < DT_MAX_FILTER_PATHS + 1; i++) {
		snprintf(names[i], sizeof(names[i]), "/mnt/dax/%d", i);
		list[n++] = "--path";
		list[n++] = names[i];
	}
	list[n] = NULL;
	assert_int_equal(parse_list(&c, list), DT_EXIT_USAGE);
	assert_non_null(strstr(err_text, "too many --path: at most 64"));
	list[n - 2] = NULL; /* the first 64 */
	assert_int_equal(parse_list(&c, list), 0);
	assert_int_equal(c.n_filter_paths, DT_MAX_FILTER_PATHS);
	assert_string_equal(c.filter_paths[DT_MAX_FILTER_PATHS - 1], "/mnt/dax/63");
}

static void test_subcommand_map(void **state)
{
	struct dt_config c;

	(void)state;
	EXPECT_OK(&c, "map", "--json", "-o", "out.json", "/mnt/dax/a", "/mnt/dax/b");
	assert_int_equal(c.mode, DT_MODE_MAP);
	assert_true(c.json);
	assert_null(c.command);
	assert_non_null(c.paths);
	assert_string_equal(c.paths[0], "/mnt/dax/a");
	assert_string_equal(c.paths[1], "/mnt/dax/b");
	assert_null(c.paths[2]);
	EXPECT_OK(&c, "map", "--", "-odd-name");
	assert_string_equal(c.paths[0], "-odd-name");
	EXPECT_USAGE("'map' needs a PATH", "map");
	EXPECT_USAGE("'map' needs a PATH", "map", "--json");
	EXPECT_USAGE("do not apply", "map", "-i", "1", "/f");
	EXPECT_USAGE("do not apply", "map", "-p", "1", "/f");
	EXPECT_USAGE("do not apply", "map", "--ino", "5", "/f");
	EXPECT_USAGE("do not apply", "map", "--prometheus", "/tmp/p", "/f");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_short_and_long_options),
		cmocka_unit_test(test_units_last_wins),
		cmocka_unit_test(test_value_limits),
		cmocka_unit_test(test_dev_arg_left_intact),
		cmocka_unit_test(test_subcommand_trace),
		cmocka_unit_test(test_subcommand_check),
		cmocka_unit_test(test_subcommand_map),
		cmocka_unit_test(test_path_filters),
		cmocka_unit_test(test_command_after_dashdash),
		cmocka_unit_test(test_command_without_dashdash),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_hist_by),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_map_defaults_documented),
		cmocka_unit_test(test_kernel_dev),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
