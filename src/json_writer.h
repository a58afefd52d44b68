/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal streaming JSON writer: it tracks nesting to place commas; strings, keys included,
 * are written as dt_untrusted_json() (src/untrusted.h) says. */
#ifndef DT_JSON_WRITER_H
#define DT_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DT_JSON_MAX_DEPTH 16

struct dt_json {
	FILE *out;
	int depth;
	bool first[DT_JSON_MAX_DEPTH];
	bool after_key;
};

void dt_json_init(struct dt_json *j, FILE *out);
void dt_json_begin_object(struct dt_json *j);
void dt_json_end_object(struct dt_json *j);
void dt_json_begin_array(struct dt_json *j);
void dt_json_end_array(struct dt_json *j);
void dt_json_key(struct dt_json *j, const char *key);
void dt_json_string(struct dt_json *j, const char *s);
void dt_json_string_n(struct dt_json *j, const char *s, size_t n);
void dt_json_u64(struct dt_json *j, uint64_t v);
void dt_json_i64(struct dt_json *j, int64_t v);
void dt_json_bool(struct dt_json *j, bool v);
void dt_json_null(struct dt_json *j);

#endif
