// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "libbpf_log.h"

static bool verbose;
/* The messages of the step that may fail, while it runs; NULL outside such a step (or if the
 * memory stream could not be made: its messages then simply go to stderr). */
static FILE *held;
static char *held_buf;
static size_t held_len;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(held ? held : stderr, fmt, ap);
}

void dt_libbpf_log_init(bool v)
{
	verbose = v;
	libbpf_set_print(print_libbpf);
}

void dt_libbpf_expect_failure(void)
{
	if (!verbose && !held)
		held = open_memstream(&held_buf, &held_len);
}

void dt_libbpf_expect_end(bool failed)
{
	int saved = errno;

	if (!held)
		return;
	fclose(held);
	held = NULL;
	if (!failed)
		fwrite(held_buf, 1, held_len, stderr);
	free(held_buf);
	held_buf = NULL;
	errno = saved;
}
