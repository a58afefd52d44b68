/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by every tests/unit/test_*.c: cmocka's prerequisites, output capture, and the one
 * link-time gap of the pure objects (see dt_attach_mode_name below). Include it exactly once
 * per test program. */
#ifndef DT_TEST_SUPPORT_H
#define DT_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "probes.h"

/* An in-memory FILE whose contents can be read back after dt_capture_end(). */
struct dt_capture {
	FILE *f;
	char *buf;
	size_t len;
};

static inline void dt_capture_begin(struct dt_capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

/* Closes the stream; c->buf (NUL-terminated, c->len bytes) stays until dt_capture_free(). */
static inline void dt_capture_end(struct dt_capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	c->f = NULL;
	assert_non_null(c->buf);
}

static inline void dt_capture_free(struct dt_capture *c)
{
	free(c->buf);
	c->buf = NULL;
}

#endif
