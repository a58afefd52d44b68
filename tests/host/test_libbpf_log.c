// SPDX-License-Identifier: GPL-2.0
/* Where libbpf's own messages go through daxtrace's print callback (src/libbpf_log.c): a
 * warning no step expected reaches stderr, the messages of a step that failed as expected do
 * not, those of an expected-to-fail step that succeeded do, and debug output needs -v. The
 * warning is a real one: libbpf parsing a file that is no BTF. Needs no root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "libbpf_log.h"

static char not_btf[] = "/tmp/dt-not-btf-XXXXXX";
static char captured[1 << 16];

/* Runs fn with fd 2 sent to a file; captured then holds what it wrote there. */
static void capture_stderr(void (*fn)(void))
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(f);
	n = fread(captured, 1, sizeof(captured) - 1, f);
	captured[n] = 0;
	fclose(f);
}

/* libbpf warns ("libbpf: failed to get EHDR from ...") and fails. */
static void parse_not_btf(void)
{
	assert_null(btf__parse(not_btf, NULL));
}

static void unexpected(void)
{
	parse_not_btf();
}

static void expected_and_failed(void)
{
	dt_libbpf_expect_failure();
	parse_not_btf();
	errno = ENOEXEC;
	dt_libbpf_expect_end(true);
	assert_int_equal(errno, ENOEXEC); /* for the caller to report */
}

static void expected_but_worked(void)
{
	dt_libbpf_expect_failure();
	parse_not_btf();
	dt_libbpf_expect_end(false);
}

/* Only debug messages: what libbpf says when it reads the running kernel's BTF. */
static void debug_only(void)
{
	struct btf *b = btf__load_vmlinux_btf();

	if (b)
		btf__free(b);
}

static int setup(void **state)
{
	int fd = mkstemp(not_btf);

	if (fd < 0 || write(fd, "no BTF here\n", 12) != 12)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(not_btf);
	return 0;
}

static void test_unexpected_warning_shown(void **state)
{
	dt_libbpf_log_init(false);
	capture_stderr(unexpected);
	assert_non_null(strstr(captured, "libbpf: "));
	assert_non_null(strstr(captured, not_btf));
}

static void test_expected_failure_quiet(void **state)
{
	dt_libbpf_log_init(false);
	capture_stderr(expected_and_failed);
	assert_string_equal(captured, "");
}

static void test_expected_step_that_worked_shown(void **state)
{
	dt_libbpf_log_init(false);
	capture_stderr(expected_but_worked);
	assert_non_null(strstr(captured, not_btf));
}

static void test_verbose_shows_everything(void **state)
{
	dt_libbpf_log_init(false);
	capture_stderr(debug_only);
	assert_string_equal(captured, "");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip(); /* no kernel BTF: nothing for libbpf to say at debug level */
	dt_libbpf_log_init(true);
	capture_stderr(debug_only);
	assert_non_null(strstr(captured, "libbpf: "));
	capture_stderr(expected_and_failed); /* -v: the expected failure's messages too */
	assert_non_null(strstr(captured, not_btf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unexpected_warning_shown),
		cmocka_unit_test(test_expected_failure_quiet),
		cmocka_unit_test(test_expected_step_that_worked_shown),
		cmocka_unit_test(test_verbose_shows_everything),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
