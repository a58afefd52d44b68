// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include "json_writer.h"
#include "untrusted.h"

void dt_json_init(struct dt_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

/* Comma before every value but the first at its level; none right after a key. */
static void sep(struct dt_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
}

static void open(struct dt_json *j, char c)
{
	sep(j);
	fputc(c, j->out);
	if (j->depth < DT_JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct dt_json *j, char c)
{
	fputc(c, j->out);
	if (j->depth > 0)
		j->depth--;
}

void dt_json_begin_object(struct dt_json *j) { open(j, '{'); }
void dt_json_end_object(struct dt_json *j) { close_(j, '}'); }
void dt_json_begin_array(struct dt_json *j) { open(j, '['); }
void dt_json_end_array(struct dt_json *j) { close_(j, ']'); }

void dt_json_key(struct dt_json *j, const char *key)
{
	sep(j);
	dt_untrusted_json(j->out, key, strlen(key));
	fputc(':', j->out);
	j->after_key = true;
}

void dt_json_string_n(struct dt_json *j, const char *s, size_t n)
{
	sep(j);
	dt_untrusted_json(j->out, s, n);
}

void dt_json_string(struct dt_json *j, const char *s)
{
	dt_json_string_n(j, s, strlen(s));
}

void dt_json_u64(struct dt_json *j, uint64_t v)
{
	sep(j);
	fprintf(j->out, "%" PRIu64, v);
}

void dt_json_i64(struct dt_json *j, int64_t v)
{
	sep(j);
	fprintf(j->out, "%" PRId64, v);
}

void dt_json_bool(struct dt_json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->out);
}

void dt_json_null(struct dt_json *j)
{
	sep(j);
	fputs("null", j->out);
}
