// SPDX-License-Identifier: GPL-2.0
/* dt_fault_result_str() (src/trace_stream.c): a vm_fault_t as the `trace` RESULT column. */
#include <limits.h>
#include "test_support.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_single_bits),
		cmocka_unit_test(test_combinations),
		cmocka_unit_test(test_unknown_bits),
		cmocka_unit_test(test_negative_errno),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
