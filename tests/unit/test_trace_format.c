// SPDX-License-Identifier: GPL-2.0
/* `trace` text lines (src/trace_stream.c): dt_fault_result_str(), a vm_fault_t as the RESULT
 * column, and a hostile comm kept to one line. */
#include <limits.h>
#include "test_support.h"
#include "cli.h"
#include "trace_stream.h"

static void expect(int result, const char *want)
{
	char buf[256];

	memset(buf, 'Z', sizeof(buf));
	dt_fault_result_str(result, buf, sizeof(buf));
	if (strcmp(buf, want))
		fail_msg("dt_fault_result_str(0x%x) = '%s', expected '%s'", (unsigned)result, buf,
			 want);
}

static void test_zero(void **state)
{
	expect(0, "0");
}

static void test_single_bits(void **state)
{
	expect(0x0001, "OOM");
	expect(0x0002, "SIGBUS");
	expect(0x0004, "MAJOR");
	expect(0x0010, "HWPOISON");
	expect(0x0020, "HWPOISON_LARGE");
	expect(0x0040, "SIGSEGV");
	expect(0x0100, "NOPAGE");
	expect(0x0200, "LOCKED");
	expect(0x0400, "RETRY");
	expect(0x0800, "FALLBACK");
	expect(0x1000, "DONE_COW");
	expect(0x2000, "NEEDDSYNC");
	expect(0x4000, "COMPLETED");
}

static void test_combinations(void **state)
{
	/* a PTE sync fault: NEEDDSYNC|MAJOR, printed in bit order */
	expect(0x2004, "MAJOR|NEEDDSYNC");
	expect(0x2000 | 0x100, "NOPAGE|NEEDDSYNC");
	expect(0x0102, "SIGBUS|NOPAGE");
	expect(0x7f77, "OOM|SIGBUS|MAJOR|HWPOISON|HWPOISON_LARGE|SIGSEGV|NOPAGE|LOCKED|RETRY|"
		       "FALLBACK|DONE_COW|NEEDDSYNC|COMPLETED");
}

static void test_unknown_bits(void **state)
{
	/* 0x8 (VM_FAULT_WRITE on old kernels) and 0x80 have no name here */
	expect(0x8, "0x8");
	expect(0x80, "0x80");
	expect(0x2008, "NEEDDSYNC|0x8");
	expect(0x2088, "NEEDDSYNC|0x88");
	expect(0xf0000, "0xf0000"); /* VM_FAULT_HINDEX_MASK */
	expect(0x30802, "SIGBUS|FALLBACK|0x30000");
}

static void test_negative_errno(void **state)
{
	expect(-5, "-5");
	expect(-28, "-28");
	expect(-1, "-1");
	expect(INT_MIN, "-2147483648");
}

static void test_small_buffer(void **state)
{
	char buf[32];

	/* truncated, terminated, and nothing written past len */
	memset(buf, 'Z', sizeof(buf));
	dt_fault_result_str(0x2004, buf, 8);
	assert_string_equal(buf, "MAJOR|N");
	for (size_t i = 8; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'Z');

	memset(buf, 'Z', sizeof(buf));
	dt_fault_result_str(0x7f7f, buf, 8);
	assert_int_equal(strlen(buf), 7);
	assert_memory_equal(buf, "OOM|SIG", 7);
	for (size_t i = 8; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'Z');

	memset(buf, 'Z', sizeof(buf));
	dt_fault_result_str(-123456, buf, 4);
	assert_string_equal(buf, "-12");
	for (size_t i = 4; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'Z');

	/* exactly fits */
	memset(buf, 'Z', sizeof(buf));
	dt_fault_result_str(0x100, buf, 7);
	assert_string_equal(buf, "NOPAGE");
	memset(buf, 'Z', sizeof(buf));
	dt_fault_result_str(0x8, buf, 4);
	assert_string_equal(buf, "0x8");
	memset(buf, 'Z', sizeof(buf));
	dt_fault_result_str(0, buf, 2);
	assert_string_equal(buf, "0");
}

static char *trace_line(const char *comm)
{
	struct dt_event e = { .ts_ns = 1000, .ino = 12, .dev = dt_dev_encode(259, 0), .pid = 7, .tid = 8,
			      .result = 0x2004, .type = 0 };
	struct dt_config cfg;
	struct dt_trace_ctx t = { .cfg = &cfg };
	struct dt_capture c;

	dt_config_defaults(&cfg);
	strncpy(e.comm, comm, sizeof(e.comm) - 1);
	dt_capture_begin(&c);
	t.out = c.f;
	dt_trace_event(&t, &e, sizeof(e));
	dt_capture_end(&c);
	return c.buf;
}

/* A comm set with prctl(PR_SET_NAME) to a clear-screen and a newline: one line, escaped, no
 * control byte; a plain comm keeps its 15-column field. */
static void test_hostile_comm_stays_one_line(void **state)
{
	char *plain = trace_line("fio"), *hostile = trace_line("\x1b[2J\n0.1 x\x9b\x7f");
	char want[64];

	snprintf(want, sizeof(want), " %-15s %7u %7u ", "fio", 7, 8);
	assert_non_null(strstr(plain, want));
	assert_int_equal(strchr(plain, '\n') - plain, (long)strlen(plain) - 1);
	assert_int_equal(strchr(hostile, '\n') - hostile, (long)strlen(hostile) - 1);
	for (const unsigned char *p = (const unsigned char *)hostile; p[1]; p++)
		if (*p < 0x20 || *p >= 0x7f)
			fail_msg("control or non-ASCII byte 0x%02x in: %s", *p, hostile);
	/* wider than 15 columns: the field grows, the row does not break */
	snprintf(want, sizeof(want), " %s %7u %7u ", "\\e[2J\\n0.1 x\\x9b\\x7f", 7, 8);
	assert_non_null(strstr(hostile, want));
	free(plain);
	free(hostile);
}

/* The inode rows the fake lookup knows: one file named by a hostile basename. */
static int lookups;

static int fake_lookup(void *arg, const struct dt_inode_key *k, struct dt_inode_val *v)
{
	(void)arg;
	memset(v, 0, sizeof(*v));
	lookups++;
	if (k->ino != 12 || k->gen != 9)
		return -1;
	strcpy(v->path[0], "f\n0.2 x\x1b[2J"); /* forges a line, clears the screen */
	strcpy(v->path[1], "dir");
	return 0;
}

static char *event_out(bool json, int type, __u64 pgoff, __u32 gen)
{
	struct dt_event e = { .ts_ns = 1000, .ino = 12, .dev = dt_dev_encode(250, 77), .pid = 7,
			      .tid = 8, .result = 0x2004, .type = type, .pgoff = pgoff, .gen = gen };
	struct dt_config cfg;
	struct dt_trace_ctx t = { .cfg = &cfg, .lookup = fake_lookup };
	struct dt_capture c;

	dt_config_defaults(&cfg);
	cfg.json = json;
	strcpy(e.comm, "daxload");
	dt_capture_begin(&c);
	t.out = c.f;
	dt_trace_event(&t, &e, sizeof(e));
	dt_capture_end(&c);
	return c.buf;
}

static void one_clean_line(const char *s)
{
	assert_int_equal(strchr(s, '\n') - s, (long)strlen(s) - 1);
	for (const unsigned char *p = (const unsigned char *)s; p[1]; p++)
		if (*p < 0x20 || *p >= 0x7f)
			fail_msg("control or non-ASCII byte 0x%02x in: %s", *p, s);
}

/* Every event names its file (resolved once per inode: the second event of it is served from
 * the cache) and its file offset, pgoff << 12; a hostile name stays data on one line, in text
 * and in JSON; an inode with no row (another generation) has no path; fsync_failed has no
 * offset. The file's device is mounted nowhere, so the path is the components BPF saw. */
static void test_path_and_offset(void **state)
{
	char *s;

	lookups = 0;
	s = event_out(false, DT_E_PTE_DONE, 0x201, 9);
	one_clean_line(s);
	if (!strstr(s, " 12     0x201000 ") || !strstr(s, " dir/f\\n0.2 x\\e[2J\n"))
		fail_msg("no offset or escaped path in: %s", s);
	free(s);
	s = event_out(true, DT_E_WRITEBACK_ONE, 0x400, 9);
	one_clean_line(s);
	if (!strstr(s, "\"pgoff\":1024,\"offset\":4194304,\"path\":\"dir/f\\n0.2 x\\u001b[2J\","
		       "\"deleted\":false,"))
		fail_msg("no offset or path in: %s", s);
	free(s);
	assert_int_equal(lookups, 1);
	s = event_out(true, DT_E_FSYNC_FAILED, 0, 10);
	if (!strstr(s, "\"offset\":null,\"path\":\"\","))
		fail_msg("fsync_failed of an unknown inode: %s", s);
	free(s);
	s = event_out(false, DT_E_FSYNC_FAILED, 0, 10);
	if (!strstr(s, " 12            - ") || !strstr(s, " -\n"))
		fail_msg("fsync_failed of an unknown inode: %s", s);
	free(s);
	dt_trace_end(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_single_bits),
		cmocka_unit_test(test_combinations),
		cmocka_unit_test(test_unknown_bits),
		cmocka_unit_test(test_negative_errno),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_hostile_comm_stays_one_line),
		cmocka_unit_test(test_path_and_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
