// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include "json_writer.h"

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

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) { len = 2; cp = s[0] & 0x1f; }
	else if ((s[0] & 0xf0) == 0xe0) { len = 3; cp = s[0] & 0x0f; }
	else if ((s[0] & 0xf8) == 0xf0) { len = 4; cp = s[0] & 0x07; }
	else return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void write_string(FILE *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	for (size_t i = 0; i < n && s[i];) {
		unsigned char c = s[i];
		size_t l;

		switch (c) {
		case '"': fputs("\\\"", out); i++; continue;
		case '\\': fputs("\\\\", out); i++; continue;
		case '\n': fputs("\\n", out); i++; continue;
		case '\t': fputs("\\t", out); i++; continue;
		case '\r': fputs("\\r", out); i++; continue;
		}
		if (c < 0x20) {
			fprintf(out, "\\u%04x", c);
			i++;
			continue;
		}
		l = utf8_len(s + i, n - i);
		if (!l) { /* file names are bytes, not UTF-8: show the byte, keep the JSON valid */
			fprintf(out, "\\u%04x", c);
			i++;
			continue;
		}
		fwrite(s + i, 1, l, out);
		i += l;
	}
	fputc('"', out);
}

void dt_json_key(struct dt_json *j, const char *key)
{
	sep(j);
	write_string(j->out, key, strlen(key));
	fputc(':', j->out);
	j->after_key = true;
}

void dt_json_string_n(struct dt_json *j, const char *s, size_t n)
{
	sep(j);
	write_string(j->out, s, n);
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
