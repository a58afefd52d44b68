// SPDX-License-Identifier: GPL-2.0
/* Untrusted strings (src/untrusted.c): file names and comm as terminal text, Prometheus label
 * values and JSON strings. Whatever the bytes, the terminal text holds no control and no line
 * break and can be read back to the same bytes, the label value is valid UTF-8 the exposition
 * format accepts, and the JSON is valid with invalid bytes distinguishable from characters. */
#include <json-c/json.h>
#include <locale.h>
#include <unistd.h>
#include <wchar.h>
#include "test_support.h"
#include "cli.h"
#include "daxtrace.h"
#include "report.h"
#include "untrusted.h"

static char *text(const char *s, size_t n)
{
	static char out[DT_UNTRUSTED_TEXT_SIZE(256)];

	dt_untrusted_text(out, sizeof(out), s, n);
	return out;
}

/* The characters of s[0..n) through libc's decoder, strict as UTF-8 is (glibc also accepts
 * 5-byte forms and values above U+10FFFF); -1 at the first invalid byte. */
static int decode(const char *s, size_t n, wchar_t *out, size_t max)
{
	mbstate_t st = { 0 };
	size_t i = 0, k = 0;

	while (i < n && k < max) {
		wchar_t w;
		size_t r = mbrtowc(&w, s + i, n - i, &st);

		if (r == (size_t)-1 || r == (size_t)-2 || r > 4 || (uint32_t)w > 0x10ffff)
			return -1;
		out[k++] = w;
		i += r ? r : 1;
	}
	return (int)k;
}

/* What a terminal or a viewer acts on, or that reorders the text around it. */
static bool is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x61c || c == 0x200e || c == 0x200f ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* out is valid UTF-8 and holds no control character (so no line break either). */
static void assert_inert(const char *out, const char *what)
{
	wchar_t w[1024];
	int n = decode(out, strlen(out), w, 1024);

	if (n < 0)
		fail_msg("%s: not valid UTF-8: '%s'", what, out);
	for (int i = 0; i < n; i++)
		if (is_control((uint32_t)w[i]))
			fail_msg("%s: control U+%04X in '%s'", what, (unsigned)w[i], out);
}

/* Reads the terminal form back to bytes; -1 if it is not one this module writes. */
static int unescape(const char *t, char *out)
{
	static const char named[] = "e\x1bn\nr\rt\ta\ab\b\\\\";
	int n = 0;

	while (*t) {
		unsigned v;
		const char *c;

		if (*t != '\\') {
			out[n++] = *t++;
			continue;
		}
		if (t[1] && (c = strchr(named, t[1])) && (c - named) % 2 == 0) {
			out[n++] = c[1];
			t += 2;
		} else if (t[1] == 'x' && sscanf(t + 2, "%2x", &v) == 1) {
			out[n++] = (char)v;
			t += 4;
		} else if (t[1] == 'u' && sscanf(t + 2, "%4x", &v) == 1) {
			n += (int)wcrtomb(out + n, (wchar_t)v, &(mbstate_t){ 0 });
			t += 6;
		} else {
			return -1;
		}
	}
	out[n] = 0;
	return n;
}

struct text_case {
	const char *in, *want;
};

static void test_text_escapes_each_class(void **state)
{
	static const struct text_case cases[] = {
		{ "\x1b]0;pwn\a", "\\e]0;pwn\\a" },           /* OSC: retitles the terminal */
		{ "\x1b[2J", "\\e[2J" },                      /* CSI: clears it */
		{ "bell\a", "bell\\a" },
		{ "over\rwrite", "over\\rwrite" },
		{ "back\bspace", "back\\bspace" },
		{ "tab\tnl\n", "tab\\tnl\\n" },
		{ "\n259:0 99", "\\n259:0 99" },              /* a forged row */
		{ "\x01\x0c\x1f", "\\x01\\x0c\\x1f" },
		{ "del\x7f", "del\\x7f" },
		{ "\x9b" "2J", "\\x9b2J" },                   /* raw 8-bit CSI: invalid UTF-8 */
		{ "\xc2\x9b" "2J", "\\u009b2J" },             /* U+009B, the CSI as a character */
		{ "\xc2\x80\xc2\x9f", "\\u0080\\u009f" },
		{ "\xff", "\\xff" },
		{ "\xc0\xaf", "\\xc0\\xaf" },                 /* overlong '/' */
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },        /* surrogate */
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" }, /* > U+10FFFF */
		{ "caf\xc3", "caf\\xc3" },                    /* a character cut at the end */
		{ "a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u2028b\\u2029" },
		{ "x\xe2\x80\xae" "gpj.exe", "x\\u202egpj.exe" }, /* displays as "exe.jpg" */
		{ "\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c",
		  "\\u202a\\u2066\\u2069\\u200f\\u061c" },
		{ "back\\slash", "back\\\\slash" },           /* so that \x41 in a name stays apart */
		{ "caf\xc3\xa9", "caf\xc3\xa9" },             /* printable UTF-8 unchanged */
		{ "\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "\xc2\xa0\xe2\x80\x8b", "\xc2\xa0\xe2\x80\x8b" }, /* NBSP, ZWSP: not controls */
		{ "a \"q\" ~", "a \"q\" ~" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = text(cases[i].in, strlen(cases[i].in));

		if (strcmp(got, cases[i].want))
			fail_msg("case %zu: got '%s', expected '%s'", i, got, cases[i].want);
		assert_int_equal(dt_untrusted_text_len(cases[i].in, strlen(cases[i].in)),
				 strlen(cases[i].want));
	}
}

/* BPF captures a component in 48 bytes, NUL included: "é" at bytes 46-47 keeps only 0xc3. */
static void test_capture_cuts_a_character(void **state)
{
	char comp[DT_NAME_LEN], want[64];

	memset(comp, 'a', sizeof(comp));
	memcpy(comp + 46, "\xc3\xa9", 2);
	snprintf(want, sizeof(want), "%.46s\\xc3", comp);
	assert_string_equal(text(comp, DT_NAME_LEN - 1), want);
	/* and the escape of a whole 47-byte component fits the documented size */
	memset(comp, 0x1b, sizeof(comp));
	assert_int_equal(dt_untrusted_text_len(comp, DT_NAME_LEN - 1), 2 * (DT_NAME_LEN - 1));
	memset(comp, 0xff, sizeof(comp));
	assert_true(dt_untrusted_text_len(comp, DT_NAME_LEN - 1) <
		    DT_UNTRUSTED_TEXT_SIZE(DT_NAME_LEN - 1));
}

/* Every byte pair and a pseudo-random sample of longer strings: the text is inert, one line,
 * and reads back to the bytes it came from (the escape is unambiguous). */
static void test_text_is_inert_and_unambiguous(void **state)
{
	char in[48], back[48 * 4], out[DT_UNTRUSTED_TEXT_SIZE(48)];
	uint32_t seed = 12345;

	for (int round = 0; round < 65536 + 20000; round++) {
		size_t n;

		if (round < 65536) {
			in[0] = (char)(round >> 8 ?: 1);
			in[1] = (char)(round & 0xff);
			n = in[1] ? 2 : 1;
		} else {
			n = 1 + round % 47;
			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245 + 12345;
				/* biased toward the bytes that start, continue or break sequences */
				in[i] = (char)((seed >> 16) % 4 ? 0x80 | (seed >> 8 & 0x7f) : (seed >> 8 & 0xff) ?: 'x');
			}
		}
		in[n] = 0;
		dt_untrusted_text(out, sizeof(out), in, n);
		assert_inert(out, "text");
		if (unescape(out, back) != (int)strlen(in) || strcmp(back, in))
			fail_msg("round %d: '%s' does not read back to its %zu bytes", round, out,
				 strlen(in));
	}
}

/* A buffer too small cuts between units, always ends in a NUL, writes nothing past size. */
static void test_text_cut_between_units(void **state)
{
	static const struct { const char *in; size_t size; const char *want; } cases[] = {
		{ "ab\x1b", 4, "ab" },   /* not "ab\" */
		{ "ab\x1b", 5, "ab\\e" },
		{ "a\xff", 4, "a" },     /* not "a\x" */
		{ "a\xff", 6, "a\\xff" },
		{ "a\xc3\xa9", 3, "a" }, /* not half of the é */
		{ "a\xc3\xa9", 4, "a\xc3\xa9" },
		{ "a\xc2\x9b", 7, "a" },
		{ "\xf0\x9f\x98\x80", 4, "" },
		{ "abc", 1, "" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(dt_untrusted_text(buf, cases[i].size, cases[i].in, strlen(cases[i].in)),
				 strlen(cases[i].want));
		if (strcmp(buf, cases[i].want))
			fail_msg("case %zu: got '%s', expected '%s'", i, buf, cases[i].want);
		for (size_t k = cases[i].size; k < sizeof(buf); k++)
			assert_int_equal(buf[k], 'Z');
	}
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(dt_untrusted_text(buf, 0, "abc", 3), 0);
	assert_int_equal(buf[0], 'Z');
}

/* The end of a long name, "..." first, at most max bytes, starting at a unit of the input. */
static void test_text_tail_cut_between_units(void **state)
{
	const char *in = "/mnt/pmem/\xe4\xb8\xad\x1b\xc3\xa9\xff\xc2\x9b/f\\le";
	size_t full = dt_untrusted_text_len(in, strlen(in));
	char buf[128];

	for (size_t max = 4; max <= full + 2; max++) {
		size_t n = dt_untrusted_text_tail(buf, sizeof(buf), in, strlen(in), max);
		bool found = false;

		assert_int_equal(n, strlen(buf));
		assert_true(n <= max);
		assert_inert(buf, "tail");
		if (max >= full) {
			assert_string_equal(buf, text(in, strlen(in)));
			continue;
		}
		assert_memory_equal(buf, "...", 3);
		for (size_t k = 0; k <= strlen(in) && !found; k++)
			found = !strcmp(buf + 3, text(in + k, strlen(in) - k));
		if (!found)
			fail_msg("max %zu: '%s' is not the end of the input cut between units", max, buf);
	}
	dt_untrusted_text_tail(buf, sizeof(buf), in, strlen(in), 8);
	assert_string_equal(buf, "...f\\\\le");
	dt_untrusted_text_tail(buf, sizeof(buf), in, strlen(in), 20);
	assert_string_equal(buf, "...\\xff\\u009b/f\\\\le");
}

/* The exposition format: a label value is UTF-8 in which only \\ \" \n are escapes and no raw
 * quote or newline appears. Returns the value read, NULL if the grammar rejects it. */
static char *read_label(const char *v, char *out)
{
	char *o = out;

	for (; *v; v++) {
		if (*v == '"' || *v == '\n')
			return NULL;
		if (*v == '\\') {
			v++;
			if (*v != '\\' && *v != '"' && *v != 'n')
				return NULL;
			*o++ = *v == 'n' ? '\n' : *v;
		} else {
			*o++ = *v;
		}
	}
	*o = 0;
	return out;
}

static void test_prom_label_value(void **state)
{
	static const char *const cases[] = {
		"\x1b]0;pwn\a", "a\nb", "q\"uote", "back\\slash", "\xff", "\xc0\xaf",
		"\xed\xa0\x80", "\x9b", "\xc2\x9b", "\x7f", "caf\xc3", "\xe2\x80\xae" "gpj.exe",
		"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80",
	};
	char v[DT_UNTRUSTED_PROM_MAX + 1], read[sizeof(v)];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dt_untrusted_prom(v, sizeof(v), cases[i], strlen(cases[i]));
		if (!read_label(v, read))
			fail_msg("case %zu: not a label value: %s", i, v);
		assert_inert(v, "label");
		/* a scraper reads what the terminal shows */
		assert_string_equal(read, text(cases[i], strlen(cases[i])));
	}
	dt_untrusted_prom(v, sizeof(v), "x\"y", 3);
	assert_string_equal(v, "x\\\"y");
	dt_untrusted_prom(v, sizeof(v), "\xff\\", 2);
	assert_string_equal(v, "\\\\xff\\\\\\\\");
}

/* Long names: at most DT_UNTRUSTED_PROM_MAX bytes, the end kept, cut between characters. */
static void test_prom_label_is_bounded(void **state)
{
	char in[1024] = "", v[DT_UNTRUSTED_PROM_MAX + 1], read[sizeof(v)];
	size_t n;

	for (int i = 0; i < 200; i++)
		strcat(in, i % 3 ? "\xe4\xb8\xad" : "\"");
	strcat(in, "END");
	n = dt_untrusted_prom(v, sizeof(v), in, strlen(in));
	assert_int_equal(n, strlen(v));
	assert_true(n <= DT_UNTRUSTED_PROM_MAX && n > DT_UNTRUSTED_PROM_MAX - 4);
	assert_memory_equal(v, "...", 3);
	assert_string_equal(v + n - 3, "END");
	assert_non_null(read_label(v, read));
	assert_inert(v, "long label");
}

/* The textfile itself: the path label of a hostile name is the escaped form, on one line. */
static void test_prom_report_uses_it(void **state)
{
	struct dt_inode_key k = { .dev = dt_dev_encode(259, 0), .ino = 12 };
	struct dt_inode_val v = { .counters[DT_C_PTE_FAULTS] = 3 };
	struct dt_config cfg;
	struct dt_report_ctx ctx = { .cfg = &cfg };
	char path[] = "/tmp/dt-untrusted-XXXXXX", line[1024];
	struct dt_snapshot s;
	bool seen = false;
	FILE *f;

	close(mkstemp(path));
	dt_config_defaults(&cfg);
	cfg.prometheus_top = 1;
	snprintf(v.path[0], DT_NAME_LEN, "x\xff\x1b[2J\n\"");
	dt_snapshot_init(&s);
	assert_non_null(dt_snapshot_add_inode(&s, &k, &v));
	assert_int_equal(dt_report_prometheus(path, &ctx, &s), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		assert_inert(line, "textfile line");
		seen |= !!strstr(line, ",path=\"x\\\\xff\\\\e[2J\\\\n\\\"\"} 3");
	}
	assert_true(seen);
	fclose(f);
	unlink(path);
	dt_snapshot_free(&s);
}

static char *json(const char *s, size_t n)
{
	struct dt_capture c;

	dt_capture_begin(&c);
	dt_untrusted_json(c.f, s, n);
	dt_capture_end(&c);
	return c.buf;
}

/* The value json-c reads back from the string s encodes to (strict, UTF-8 validated). */
static char *json_value(const char *s, size_t n)
{
	struct json_tokener *tok = json_tokener_new();
	char *doc = json(s, n), *value;
	struct json_object *o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, doc, (int)strlen(doc));
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != strlen(doc))
		fail_msg("invalid JSON: %s", doc);
	assert_inert(doc, "json text");
	value = strdup(json_object_get_string(o));
	json_object_put(o);
	json_tokener_free(tok);
	free(doc);
	return value;
}

static void test_json_string(void **state)
{
	static const char *const kept[] = {
		"\x1b]0;pwn\a", "\x1b[2J", "a\r\b\t\n", "\x7f", "\xc2\x9b", "\xe2\x80\xa8",
		"\xe2\x80\xae" "gpj", "back\\slash \"q\"", "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80",
	};
	char *ff, *y, *doc;

	/* controls are escaped in the text, and read back as themselves */
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		char *v = json_value(kept[i], strlen(kept[i]));

		assert_string_equal(v, kept[i]);
		free(v);
	}
	/* an invalid byte is U+FFFD, not the character with its value */
	ff = json_value("\xff", 1);
	y = json_value("\xc3\xbf", 2);
	assert_string_equal(ff, "\xef\xbf\xbd");
	assert_string_equal(y, "\xc3\xbf");
	assert_string_not_equal(ff, y);
	free(ff);
	free(y);
	doc = json("\xc0\xaf\xed\xa0\x80" "caf\xc3", 9);
	assert_string_equal(doc, "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffdcaf\\ufffd\"");
	free(doc);
	doc = json("\xc2\x9b\x7f\xe2\x80\xa9", 6);
	assert_string_equal(doc, "\"\\u009b\\u007f\\u2029\"");
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escapes_each_class),
		cmocka_unit_test(test_capture_cuts_a_character),
		cmocka_unit_test(test_text_is_inert_and_unambiguous),
		cmocka_unit_test(test_text_cut_between_units),
		cmocka_unit_test(test_text_tail_cut_between_units),
		cmocka_unit_test(test_prom_label_value),
		cmocka_unit_test(test_prom_label_is_bounded),
		cmocka_unit_test(test_prom_report_uses_it),
		cmocka_unit_test(test_json_string),
	};

	/* libc's decoder is the oracle: it must read UTF-8 */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "test_untrusted: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
