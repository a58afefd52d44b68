// SPDX-License-Identifier: GPL-2.0
/* The JSON writer (src/json_writer.c) and the interval document (src/report_json.c), checked
 * byte for byte where it matters and otherwise through a strict JSON parser (json-c). */
#include <errno.h>
#include <json-c/json.h>
#include "test_support.h"
#include "defaults.h"
#include "json_writer.h"
#include "names.h"
#include "report.h"

/* ---- writer ---- */

typedef void (*writer_fn)(struct dt_json *j, const void *arg);

static char *write_doc(writer_fn fn, const void *arg)
{
	struct dt_capture c;
	struct dt_json j;

	dt_capture_begin(&c);
	dt_json_init(&j, c.f);
	fn(&j, arg);
	dt_capture_end(&c);
	return c.buf;
}

/* Strictly parses text[0..len) as one JSON value that must end exactly at len. */
static struct json_object *parse_strict(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	enum json_tokener_error err;

	assert_non_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	err = json_tokener_get_error(tok);
	if (!o || err != json_tokener_success)
		fail_msg("invalid JSON (%s) at offset %zu in: %.*s", json_tokener_error_desc(err),
			 json_tokener_get_parse_end(tok), (int)len, text);
	assert_int_equal(json_tokener_get_parse_end(tok), len);
	json_tokener_free(tok);
	return o;
}

static void nested(struct dt_json *j, const void *arg)
{
	dt_json_begin_object(j);
	dt_json_key(j, "a");
	dt_json_u64(j, 1);
	dt_json_key(j, "b");
	dt_json_begin_array(j);
	dt_json_u64(j, 1);
	dt_json_i64(j, -2);
	dt_json_begin_object(j);
	dt_json_key(j, "c");
	dt_json_bool(j, true);
	dt_json_key(j, "d");
	dt_json_null(j);
	dt_json_end_object(j);
	dt_json_begin_array(j);
	dt_json_end_array(j);
	dt_json_begin_array(j);
	dt_json_begin_array(j);
	dt_json_string(j, "x");
	dt_json_end_array(j);
	dt_json_bool(j, false);
	dt_json_end_array(j);
	dt_json_end_array(j);
	dt_json_key(j, "e");
	dt_json_begin_object(j);
	dt_json_end_object(j);
	dt_json_key(j, "f");
	dt_json_u64(j, UINT64_MAX);
	dt_json_key(j, "g");
	dt_json_i64(j, INT64_MIN);
	dt_json_end_object(j);
}

static void test_writer_nesting(void **state)
{
	char *out = write_doc(nested, NULL);
	struct json_object *o;

	assert_string_equal(out, "{\"a\":1,\"b\":[1,-2,{\"c\":true,\"d\":null},[],[[\"x\"],false]],"
				 "\"e\":{},\"f\":18446744073709551615,"
				 "\"g\":-9223372036854775808}");
	o = parse_strict(out, strlen(out));
	assert_int_equal(json_object_array_length(json_object_object_get(o, "b")), 5);
	json_object_put(o);
	free(out);
}

static void deep(struct dt_json *j, const void *arg)
{
	for (int i = 0; i < DT_JSON_MAX_DEPTH - 1; i++) {
		dt_json_begin_array(j);
		dt_json_u64(j, (uint64_t)i);
	}
	for (int i = 0; i < DT_JSON_MAX_DEPTH - 1; i++) {
		dt_json_end_array(j);
		dt_json_u64(j, 100 + (uint64_t)i);
	}
}

/* Nesting up to the maximum depth still places commas correctly. */
static void test_writer_deep(void **state)
{
	char *out = write_doc(deep, NULL);
	char want[1024] = "";
	size_t n = 0;

	for (int i = 0; i < DT_JSON_MAX_DEPTH - 1; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s[%d", i ? "," : "", i);
	for (int i = 0; i < DT_JSON_MAX_DEPTH - 1; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "],%d", 100 + i);
	assert_string_equal(out, want);
	free(out);
}

struct str_case {
	const char *in;
	size_t n;          /* 0: strlen */
	const char *json;  /* exact output */
	const char *value; /* what a JSON parser reads back */
};

static void one_string(struct dt_json *j, const void *arg)
{
	const struct str_case *c = arg;

	dt_json_begin_array(j);
	if (c->n)
		dt_json_string_n(j, c->in, c->n);
	else
		dt_json_string(j, c->in);
	dt_json_end_array(j);
}

#define R "\xef\xbf\xbd" /* U+FFFD REPLACEMENT CHARACTER */
#define U "\\ufffd"

static void test_writer_escaping(void **state)
{
	static const struct str_case cases[] = {
		{ "plain", 0, "\"plain\"", "plain" },
		{ "", 0, "\"\"", "" },
		{ "a\"b", 0, "\"a\\\"b\"", "a\"b" },
		{ "back\\slash", 0, "\"back\\\\slash\"", "back\\slash" },
		{ "nl\ntab\tcr\r", 0, "\"nl\\ntab\\tcr\\r\"", "nl\ntab\tcr\r" },
		{ "\x01\x1f\b\f", 0, "\"\\u0001\\u001f\\u0008\\u000c\"", "\x01\x1f\b\f" },
		/* DEL, C1 controls, line separators and bidi controls: escaped, value kept */
		{ "/ and \x7f", 0, "\"/ and \\u007f\"", "/ and \x7f" },
		{ "\xc2\x9b" "2J", 0, "\"\\u009b2J\"", "\xc2\x9b" "2J" },
		{ "\xe2\x80\xa8", 0, "\"\\u2028\"", "\xe2\x80\xa8" },
		{ "\xe2\x80\xae", 0, "\"\\u202e\"", "\xe2\x80\xae" },
		/* valid UTF-8 passes through: 2, 3 and 4 byte sequences */
		{ "caf\xc3\xa9", 0, "\"caf\xc3\xa9\"", "caf\xc3\xa9" },
		{ "\xe2\x82\xac", 0, "\"\xe2\x82\xac\"", "\xe2\x82\xac" },
		{ "\xf0\x9f\x98\x80", 0, "\"\xf0\x9f\x98\x80\"", "\xf0\x9f\x98\x80" },
		{ "\xf4\x8f\xbf\xbf", 0, "\"\xf4\x8f\xbf\xbf\"", "\xf4\x8f\xbf\xbf" }, /* U+10FFFF */
		/* invalid bytes: each one U+FFFD (R, written U), the rest kept */
		{ "a\xff" "b", 0, "\"a" U "b\"", "a" R "b" },
		{ "\x80", 0, "\"" U "\"", R },                            /* lone continuation */
		{ "x\xc3", 0, "\"x" U "\"", "x" R },                      /* truncated at end */
		{ "\xc3(", 0, "\"" U "(\"", R "(" },                      /* bad continuation */
		{ "\xc0\xaf", 0, "\"" U U "\"", R R },                    /* overlong '/' */
		{ "\xe0\x80\xaf", 0, "\"" U U U "\"", R R R },
		{ "\xed\xa0\x80", 0, "\"" U U U "\"", R R R },            /* surrogate */
		{ "\xf4\x90\x80\x80", 0, "\"" U U U U "\"", R R R R },    /* > U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", 0, "\"" U U U U U "\"", R R R R R }, /* 5-byte form */
		/* string_n: stops at n, and at a NUL before n */
		{ "abcdef", 3, "\"abc\"", "abc" },
		{ "ab\0cd", 5, "\"ab\"", "ab" },
		/* n cutting a valid sequence in half: the partial sequence is replaced */
		{ "\xc3\xa9", 1, "\"" U "\"", R },
		{ "\xe2\x82\xac", 2, "\"" U U "\"", R R },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct str_case *c = &cases[i];
		char *out = write_doc(one_string, c);
		char want[128];
		struct json_object *o;

		snprintf(want, sizeof(want), "[%s]", c->json);
		if (strcmp(out, want))
			fail_msg("case %zu: got %s, expected %s", i, out, want);
		o = parse_strict(out, strlen(out));
		assert_string_equal(json_object_get_string(json_object_array_get_idx(o, 0)),
				    c->value);
		json_object_put(o);
		free(out);
	}
}

static void keys_escaped(struct dt_json *j, const void *arg)
{
	dt_json_begin_object(j);
	dt_json_key(j, "k\"\n\xff");
	dt_json_string(j, "v");
	dt_json_end_object(j);
}

static void test_writer_key_escaping(void **state)
{
	char *out = write_doc(keys_escaped, NULL);
	struct json_object *o;

	assert_string_equal(out, "{\"k\\\"\\n\\ufffd\":\"v\"}");
	o = parse_strict(out, strlen(out));
	assert_non_null(json_object_object_get(o, "k\"\n\xef\xbf\xbd"));
	json_object_put(o);
	free(out);
}

/* ---- dt_report_json ---- */

#define DEV_A (dt_dev_encode(259, 3))
#define DEV_B (dt_dev_encode(8, 1))

struct report_fixture {
	struct dt_snapshot s;
	struct dt_config cfg;
	struct dt_hooks *hooks;
};

static void fill_snapshot(struct dt_snapshot *s)
{
	struct dt_inode_key ka = { .dev = DEV_A, .gen = 3141592653u, .ino = 12 }, kb = { .dev = DEV_B, .ino = 99 };
	struct dt_inode_val va, vb;
	struct dt_inode_rec *r;

	dt_snapshot_init(s);
	memset(&va, 0, sizeof(va));
	memset(&vb, 0, sizeof(vb));
	for (int i = 0; i < DT_C_NR; i++) {
		va.counters[i] = 100 + (uint64_t)i;
		vb.counters[i] = 200 + (uint64_t)i;
		s->totals[i] = 1000 + (uint64_t)i;
	}
	for (int i = 0; i < DT_FB_NR; i++) {
		va.fallbacks[i] = 300 + (uint64_t)i;
		vb.fallbacks[i] = 400 + (uint64_t)i;
		s->fallback_totals[i] = 2000 + (uint64_t)i;
	}
	vb.counters[DT_C_WRITEBACKS] = UINT64_MAX;
	/* components basename first; none of this exists on the test machine */
	strcpy(va.path[0], "db\"x\xff");
	strcpy(va.path[1], "daxtrace-unit-no-such-dir");
	/* all four components: the walk stopped below the root */
	strcpy(vb.path[0], "d");
	strcpy(vb.path[1], "c");
	strcpy(vb.path[2], "b");
	strcpy(vb.path[3], "a");
	r = dt_snapshot_add_inode(s, &ka, &va);
	assert_non_null(r);
	strcpy(r->comm, "fio");
	r->pid = 4242;
	assert_non_null(dt_snapshot_add_inode(s, &kb, &vb));

	s->interval_ns = 1000000000;
	s->inflight = 2;
	for (int i = 0; i < DT_D_NR; i++)
		s->diag[i] = 50 + (uint64_t)i;
	s->diag[DT_D_LOST_EVENTS] = 7;
	s->hists[DT_H_PTE_FAULT].slots[3] = 2;
	s->hists[DT_H_PTE_FAULT].slots[DT_MAX_SLOTS - 1] = 1;
	s->hists[DT_H_WRITEBACK].slots[0] = 5;
	s->hists[DT_H_FSYNC].slots[20] = 9;
}

static int report_setup(void **state)
{
	struct report_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	fill_snapshot(&f->s);
	dt_config_defaults(&f->cfg);
	f->cfg.json = true;
	f->hooks = calloc(1, sizeof(*f->hooks));
	if (!f->hooks)
		return -1;
	/* filled by hand: no libbpf */
	strcpy(f->hooks->h[0].name, "dax_pte_fault");
	f->hooks->h[0].mode = DT_ATTACH_TP_BTF;
	strcpy(f->hooks->h[1].name, "dax_insert_pfn_mkwrite");
	f->hooks->h[1].mode = DT_ATTACH_RAW_TP;
	strcpy(f->hooks->h[2].name, "dax_finish_sync_fault");
	f->hooks->h[2].kind = DT_HOOK_FUNCTION;
	f->hooks->h[2].mode = DT_ATTACH_FENTRY;
	strcpy(f->hooks->h[3].name, "vmf_insert_mixed_mkwrite");
	f->hooks->h[3].kind = DT_HOOK_FUNCTION;
	f->hooks->h[3].mode = DT_ATTACH_KPROBE;
	strcpy(f->hooks->h[4].name, "iomap_iter_dstmap");
	f->hooks->h[4].mode = DT_ATTACH_NONE;
	f->hooks->h[4].note = (struct dt_hook_note){ .reason = DT_HR_LOAD_FAILED, .err = EINVAL };
	strcpy(f->hooks->h[5].name, "ext4_sync_file_exit");
	f->hooks->h[5].mode = DT_ATTACH_NONE; /* unavailable, no reason given */
	strcpy(f->hooks->h[6].name, "attached_with_stale_why");
	f->hooks->h[6].mode = DT_ATTACH_FENTRY;
	f->hooks->h[6].note = (struct dt_hook_note){ .reason = DT_HR_ENTRY_ONLY,
						     .hook = "vfs_fsync_range" }; /* not a report's */
	f->hooks->n = 7;
	*state = f;
	return 0;
}

static int report_teardown(void **state)
{
	struct report_fixture *f = *state;

	dt_snapshot_free(&f->s);
	free(f->hooks);
	free(f);
	return 0;
}

/* Renders the document, checks it is exactly one line, and parses it strictly. */
static struct json_object *render_report(struct report_fixture *f, const struct dt_hooks *hooks,
					 bool final)
{
	struct dt_report_ctx ctx = {
		.cfg = &f->cfg,
		.hooks = hooks,
		.kernel = "6.18.0-unit \"test\"",
		.wall_ns = 1700000000123456789ULL,
		.width = 80,
		.final = final,
	};
	struct dt_capture c;
	struct json_object *o;

	dt_capture_begin(&c);
	dt_report_json(c.f, &ctx, &f->s);
	dt_capture_end(&c);
	assert_true(c.len > 2);
	assert_int_equal(c.buf[c.len - 1], '\n');
	assert_null(memchr(c.buf, '\n', c.len - 1)); /* NDJSON: one document, one line */
	assert_int_equal(strlen(c.buf), c.len);    /* no NUL bytes */
	o = parse_strict(c.buf, c.len - 1);
	assert_true(json_object_is_type(o, json_type_object));
	dt_capture_free(&c);
	return o;
}

static struct json_object *get(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key '%s' missing in %s", key, json_object_to_json_string(o));
	if (!json_object_is_type(v, type))
		fail_msg("key '%s' has type %s, expected %s", key,
			 json_type_to_name(json_object_get_type(v)), json_type_to_name(type));
	return v;
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	return json_object_get_uint64(get(o, key, json_type_int));
}

static const char *get_str(struct json_object *o, const char *key)
{
	return json_object_get_string(get(o, key, json_type_string));
}

/* Every counter and fallback reason of include/dt_tables.h, with the values c[i] and fb[r]; that
 * the docs name the same keys is tests/unit/check-tables.py's job. */
static void check_counters(struct json_object *o, const __u64 *c, const __u64 *fb)
{
	struct json_object *r;

	for (int i = 0; i < DT_C_NR; i++)
		assert_int_equal(get_u64(o, dt_counter_names[i]), c[i]);
	r = get(o, "fallback_reasons", json_type_object);
	assert_int_equal(json_object_object_length(r), DT_FB_NR);
	for (int i = 0; i < DT_FB_NR; i++)
		assert_int_equal(get_u64(r, dt_fallback_names[i]), fb[i]);
}

static void check_document(struct report_fixture *f, struct json_object *o, bool final)
{
	static const char *const top[] = {
		"timestamp_ns", "kernel", "probes", "probe_notes", "interval_ns", "final",
		"partial", "lost_events", "diagnostics", "totals", "inodes", "histograms",
	};
	struct json_object *t, *inodes, *in, *d, *hists;

	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		assert_true(json_object_object_get_ex(o, top[i], NULL));
	assert_int_equal(json_object_object_length(o), sizeof(top) / sizeof(top[0]));
	assert_int_equal(get_u64(o, "timestamp_ns"), 1700000000123456789ULL);
	assert_string_equal(get_str(o, "kernel"), "6.18.0-unit \"test\"");
	assert_int_equal(get_u64(o, "interval_ns"), 1000000000);
	assert_int_equal(json_object_get_boolean(get(o, "final", json_type_boolean)), final);
	/* no -i: the one document covers the whole run */
	assert_false(json_object_get_boolean(get(o, "partial", json_type_boolean)));
	assert_int_equal(get_u64(o, "lost_events"), 7);

	d = get(o, "diagnostics", json_type_object);
	assert_int_equal(get_u64(d, "inode_map_full"), 50);
	assert_int_equal(get_u64(d, "proc_map_full"), 51);
	assert_int_equal(get_u64(d, "inflight_map_full"), 52);
	assert_int_equal(get_u64(d, "lost_events"), 7);
	assert_int_equal(get_u64(d, "unmatched_mkwrite"), 54);
	assert_int_equal(get_u64(d, "stale_sequences"), 55);
	assert_int_equal(get_u64(d, "process_tree_full"), 56);
	assert_int_equal(get_u64(d, "bpf_recursion_misses"), 57);
	assert_int_equal(get_u64(d, "inflight"), 2);
	assert_int_equal(json_object_object_length(d), DT_D_NR + 1);

	t = get(o, "totals", json_type_object);
	assert_int_equal(get_u64(t, "inodes"), 2);
	check_counters(t, f->s.totals, f->s.fallback_totals);

	inodes = get(o, "inodes", json_type_array);
	assert_int_equal(json_object_array_length(inodes), 2);

	in = json_object_array_get_idx(inodes, 0);
	assert_string_equal(get_str(in, "dev"), "259:3");
	assert_int_equal(get_u64(in, "ino"), 12);
	/* the quote survives; 0xff comes back as U+FFFD */
	assert_string_equal(get_str(in, "path"), "daxtrace-unit-no-such-dir/db\"x\xef\xbf\xbd");
	assert_string_equal(get_str(in, "comm"), "fio");
	assert_int_equal(get_u64(in, "pid"), 4242);
	check_counters(in, f->s.inodes[0].val.counters, f->s.inodes[0].val.fallbacks);
	assert_int_equal(json_object_object_length(in), 8 + DT_C_NR + 1 + 4);
	assert_int_equal(get_u64(in, "generation"), f->s.inodes[0].key.gen);
	assert_false(json_object_get_boolean(get(in, "path_cut", json_type_boolean)));
	/* not under any mount point of 259:3, so it cannot be said to be deleted */
	assert_false(json_object_get_boolean(get(in, "deleted", json_type_boolean)));

	in = json_object_array_get_idx(inodes, 1);
	assert_string_equal(get_str(in, "dev"), "8:1");
	assert_int_equal(get_u64(in, "ino"), 99);
	assert_string_equal(get_str(in, "path"), ".../a/b/c/d");
	assert_string_equal(get_str(in, "comm"), "");
	assert_int_equal(get_u64(in, "pid"), 0);
	check_counters(in, f->s.inodes[1].val.counters, f->s.inodes[1].val.fallbacks);
	assert_true(get_u64(in, "writebacks") == UINT64_MAX);

	hists = get(o, "histograms", json_type_array);
	assert_int_equal(json_object_array_length(hists), DT_H_NR);
	for (int h = 0; h < DT_H_NR; h++) {
		struct json_object *ho = json_object_array_get_idx(hists, (size_t)h), *b;
		size_t nb = 0;
		uint64_t sum = 0;

		assert_string_equal(get_str(ho, "name"), dt_hist_names[h]);
		assert_string_equal(get_str(ho, "unit"), "ns");
		b = get(ho, "buckets", json_type_array);
		for (int i = 0; i < DT_MAX_SLOTS; i++)
			nb += f->s.hists[h].slots[i] != 0;
		assert_int_equal(json_object_array_length(b), nb);
		for (size_t i = 0; i < json_object_array_length(b); i++)
			sum += get_u64(json_object_array_get_idx(b, i), "count");
		assert_int_equal(sum, dt_hist_count(&f->s.hists[h]));
		assert_int_equal(get_u64(ho, "count"), sum);
	}
	/* exact buckets, in ns, of slots recorded in the default unit (us) */
	{
		struct json_object *b = get(json_object_array_get_idx(hists, DT_H_PTE_FAULT),
					    "buckets", json_type_array), *k;

		assert_int_equal(get_u64(json_object_array_get_idx(hists, DT_H_PTE_FAULT),
					 "slot_unit_ns"), 1000);
		k = json_object_array_get_idx(b, 0);
		assert_int_equal(get_u64(k, "low"), 8000);
		assert_int_equal(get_u64(k, "high"), 15999);
		assert_int_equal(get_u64(k, "count"), 2);
		k = json_object_array_get_idx(b, 1);
		assert_int_equal(get_u64(k, "low"), (1ULL << 31) * 1000);
		get(k, "high", json_type_null); /* open-ended */
		assert_int_equal(get_u64(k, "count"), 1);

		b = get(json_object_array_get_idx(hists, DT_H_WRITEBACK), "buckets", json_type_array);
		k = json_object_array_get_idx(b, 0);
		assert_int_equal(get_u64(k, "low"), 0);
		assert_int_equal(get_u64(k, "high"), 1999);
		assert_int_equal(get_u64(k, "count"), 5);

		b = get(json_object_array_get_idx(hists, DT_H_FSYNC), "buckets", json_type_array);
		k = json_object_array_get_idx(b, 0);
		assert_int_equal(get_u64(k, "low"), 1048576000ULL);
		assert_int_equal(get_u64(k, "high"), 2097151999ULL);
		assert_int_equal(get_u64(k, "count"), 9);
	}
}

/* The last document of an -i run says whether it covers less than the interval. */
static void test_report_partial(void **state)
{
	static const struct {
		uint32_t interval_s;
		uint64_t interval_ns;
		bool final, partial;
	} cases[] = {
		{ 5, 1300000000ULL, true, true },
		{ 5, 1300000000ULL, false, false }, /* an interval cut short is only ever the last */
		{ 5, 4960000000ULL, true, false },  /* -d a multiple of -i: a late wakeup is whole */
		{ 5, 4940000000ULL, true, true },
		{ 0, 1300000000ULL, true, false },  /* no -i: the whole run */
	};
	struct report_fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *o;

		f->cfg.interval_s = cases[i].interval_s;
		f->s.interval_ns = cases[i].interval_ns;
		o = render_report(f, NULL, cases[i].final);
		if (json_object_get_boolean(get(o, "partial", json_type_boolean)) != cases[i].partial)
			fail_msg("case %zu: partial is %d", i, !cases[i].partial);
		json_object_put(o);
	}
}

/* The slots are log2 of the display unit, so -m and --nanoseconds change the ns bounds. */
static void test_report_bucket_bounds_follow_unit(void **state)
{
	static const struct {
		enum dt_unit unit;
		uint64_t div, low, high;
	} cases[] = {
		{ DT_UNIT_NS, 1, 8, 15 },
		{ DT_UNIT_US, 1000, 8000, 15999 },
		{ DT_UNIT_MS, 1000000, 8000000, 15999999 },
	};
	struct report_fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *o, *h, *k;

		f->cfg.unit = cases[i].unit;
		o = render_report(f, NULL, false);
		h = json_object_array_get_idx(get(o, "histograms", json_type_array), DT_H_PTE_FAULT);
		assert_string_equal(get_str(h, "unit"), "ns");
		assert_int_equal(get_u64(h, "slot_unit_ns"), cases[i].div);
		k = json_object_array_get_idx(get(h, "buckets", json_type_array), 0);
		assert_int_equal(get_u64(k, "low"), cases[i].low);
		assert_int_equal(get_u64(k, "high"), cases[i].high);
		json_object_put(o);
	}
}

static void test_report_no_hooks(void **state)
{
	struct report_fixture *f = *state;
	struct json_object *o = render_report(f, NULL, false);

	check_document(f, o, false);
	assert_int_equal(json_object_object_length(get(o, "probes", json_type_object)), 0);
	assert_int_equal(json_object_object_length(get(o, "probe_notes", json_type_object)), 0);
	json_object_put(o);
}

static void test_report_with_hooks(void **state)
{
	struct report_fixture *f = *state;
	struct json_object *o = render_report(f, f->hooks, true), *p, *n;

	check_document(f, o, true);
	p = get(o, "probes", json_type_object);
	assert_int_equal(json_object_object_length(p), 7);
	assert_string_equal(get_str(p, "dax_pte_fault"), "tp_btf");
	assert_string_equal(get_str(p, "dax_insert_pfn_mkwrite"), "raw_tp");
	assert_string_equal(get_str(p, "dax_finish_sync_fault"), "fentry");
	assert_string_equal(get_str(p, "vmf_insert_mixed_mkwrite"), "kprobe");
	assert_string_equal(get_str(p, "iomap_iter_dstmap"), "unavailable");
	assert_string_equal(get_str(p, "ext4_sync_file_exit"), "unavailable");
	assert_string_equal(get_str(p, "attached_with_stale_why"), "fentry");
	/* notes: only unavailable hooks that have a reason */
	n = get(o, "probe_notes", json_type_object);
	assert_int_equal(json_object_object_length(n), 1);
	assert_string_equal(get_str(n, "iomap_iter_dstmap"), "load failed: Invalid argument");
	json_object_put(o);
}

static void test_report_empty_snapshot(void **state)
{
	struct report_fixture *f = *state;
	struct dt_snapshot keep = f->s;
	struct json_object *o, *h;

	dt_snapshot_init(&f->s);
	o = render_report(f, NULL, false);
	assert_int_equal(json_object_array_length(get(o, "inodes", json_type_array)), 0);
	assert_int_equal(get_u64(get(o, "totals", json_type_object), "inodes"), 0);
	h = get(o, "histograms", json_type_array);
	assert_int_equal(json_object_array_length(h), DT_H_NR);
	for (int i = 0; i < DT_H_NR; i++)
		assert_int_equal(json_object_array_length(get(json_object_array_get_idx(h, (size_t)i),
							      "buckets", json_type_array)), 0);
	json_object_put(o);
	f->s = keep;
}

static void add_offset(struct dt_snapshot *s, const struct dt_inode_key *k, uint64_t off, int kind,
		       int reason, uint64_t n)
{
	struct dt_offset_key ok = { .inode = *k, .offset = off, .kind = kind, .reason = reason };

	assert_int_equal(dt_snapshot_add_offset(s, &ok, n), 0);
}

/* fallback_offsets and race_offsets of each inode: its own rows only, the 16 lowest (given in
 * any order, a row given twice merged), each with its reason name, and _more the events not
 * listed (the rows past the 16th, and the fallbacks no row recorded). */
static void test_report_offsets(void **state)
{
	struct report_fixture *f = *state;
	const struct dt_inode_key ka = f->s.inodes[0].key, kb = f->s.inodes[1].key;
	struct json_object *o, *in, *a, *e;
	uint64_t listed = 0;

	for (int i = 0; i < 20; i++) /* 20 blocks, highest first */
		add_offset(&f->s, &ka, (uint64_t)(19 - i) << 21, DT_OFF_FALLBACK, i % DT_FB_NR, 1);
	add_offset(&f->s, &ka, 0, DT_OFF_FALLBACK, 19 % DT_FB_NR, 4); /* block 0 again: 5 */
	add_offset(&f->s, &ka, 4 << 21, DT_OFF_RACE, 0, 3);
	add_offset(&f->s, &ka, 1 << 21, DT_OFF_RACE, 0, 2);
	add_offset(&f->s, &kb, 8 << 21, DT_OFF_FALLBACK, DT_FB_EOF, 7);
	dt_snapshot_sort_offsets(&f->s);
	o = render_report(f, NULL, true);
	in = json_object_array_get_idx(get(o, "inodes", json_type_array), 0);
	a = get(in, "fallback_offsets", json_type_array);
	assert_int_equal(json_object_array_length(a), DT_OFFSETS_SHOWN);
	for (int i = 0; i < DT_OFFSETS_SHOWN; i++) {
		e = json_object_array_get_idx(a, i);
		assert_int_equal(json_object_object_length(e), 3);
		assert_int_equal(get_u64(e, "offset"), (uint64_t)i << 21);
		assert_string_equal(get_str(e, "reason"), dt_fallback_names[(19 - i) % DT_FB_NR]);
		assert_int_equal(get_u64(e, "count"), i ? 1 : 5);
		listed += get_u64(e, "count");
	}
	assert_int_equal(listed, 20);
	/* fallbacks 106 in the fixture: 24 recorded, 20 listed */
	assert_int_equal(f->s.inodes[0].val.counters[DT_C_FALLBACKS], 106);
	assert_int_equal(get_u64(in, "fallback_offsets_more"), 106 - 20);
	a = get(in, "race_offsets", json_type_array);
	assert_int_equal(json_object_array_length(a), 2);
	e = json_object_array_get_idx(a, 0);
	assert_int_equal(json_object_object_length(e), 2);
	assert_int_equal(get_u64(e, "offset"), 1 << 21);
	assert_int_equal(get_u64(e, "count"), 2);
	e = json_object_array_get_idx(a, 1);
	assert_int_equal(get_u64(e, "offset"), 4 << 21);
	assert_int_equal(get_u64(e, "count"), 3);
	assert_int_equal(get_u64(in, "race_offsets_more"), 105 - 5);

	in = json_object_array_get_idx(get(o, "inodes", json_type_array), 1);
	a = get(in, "fallback_offsets", json_type_array);
	assert_int_equal(json_object_array_length(a), 1);
	e = json_object_array_get_idx(a, 0);
	assert_int_equal(get_u64(e, "offset"), 8 << 21);
	assert_string_equal(get_str(e, "reason"), "eof");
	assert_int_equal(get_u64(e, "count"), 7);
	assert_int_equal(get_u64(in, "fallback_offsets_more"), 206 - 7);
	assert_int_equal(json_object_array_length(get(in, "race_offsets", json_type_array)), 0);
	assert_int_equal(get_u64(in, "race_offsets_more"), 205);
	json_object_put(o);
}

/* A NULL kernel string is written as "". */
static void test_report_null_kernel(void **state)
{
	struct report_fixture *f = *state;
	struct dt_report_ctx ctx = { .cfg = &f->cfg, .kernel = NULL };
	struct dt_capture c;
	struct json_object *o;

	dt_capture_begin(&c);
	dt_report_json(c.f, &ctx, &f->s);
	dt_capture_end(&c);
	o = parse_strict(c.buf, c.len - 1);
	assert_string_equal(get_str(o, "kernel"), "");
	json_object_put(o);
	dt_capture_free(&c);
}

/* Each histogram carries the bucket of p50, p90 and p99 in ns; null when it is empty. The
 * fixture's pte_fault has 2 samples in slot 3 and 1 in the open-ended top slot. */
static void test_report_percentiles(void **state)
{
	struct report_fixture *f = *state;
	struct json_object *o = render_report(f, NULL, false);
	struct json_object *hists = get(o, "histograms", json_type_array), *p, *k;

	p = get(json_object_array_get_idx(hists, DT_H_PTE_FAULT), "percentiles", json_type_object);
	k = get(p, "p50", json_type_object);
	assert_int_equal(get_u64(k, "low"), 8000);
	assert_int_equal(get_u64(k, "high"), 15999);
	k = get(p, "p90", json_type_object); /* rank 3 of 3: the top slot */
	assert_int_equal(get_u64(k, "low"), 2147483648000ULL);
	assert_true(json_object_is_type(json_object_object_get(k, "high"), json_type_null));
	get(p, "p99", json_type_object);
	p = get(json_object_array_get_idx(hists, DT_H_INSERT), "percentiles", json_type_object);
	assert_int_equal(json_object_object_length(p), 3);
	assert_true(json_object_is_type(json_object_object_get(p, "p50"), json_type_null));
	json_object_put(o);
}

/* ---- --hist-by ---- */

static void add_khist(struct dt_snapshot *s, struct dt_khist_key k, int stage, int slot, uint64_t n)
{
	struct dt_hist_slots h = {};

	k.stage = (__u8)stage;
	h.slots[slot] = n;
	assert_int_equal(dt_snapshot_add_khist(s, &k, &h), 0);
}

/* The "histograms" array of o: all 7 stages in order; returns stage h's count. */
static uint64_t key_hist_count(struct json_object *o, int h)
{
	struct json_object *a = get(o, "histograms", json_type_array);

	assert_int_equal(json_object_array_length(a), DT_H_NR);
	for (int i = 0; i < DT_H_NR; i++)
		assert_string_equal(get_str(json_object_array_get_idx(a, i), "name"), dt_hist_names[i]);
	return get_u64(json_object_array_get_idx(a, h), "count");
}

/* --hist-by file: each inode object has its own histograms (its rows only, the key with its
 * generation); without --hist-by it has none, and there are no processes or devices. */
static void test_report_hist_by_file(void **state)
{
	struct report_fixture *f = *state;
	struct dt_khist_key ka = { .inode = f->s.inodes[0].key }, kb = { .inode = f->s.inodes[1].key };
	struct dt_khist_key other_gen = ka;
	struct json_object *o, *in, *b;

	o = render_report(f, NULL, false);
	in = json_object_array_get_idx(get(o, "inodes", json_type_array), 0);
	assert_false(json_object_object_get_ex(in, "histograms", NULL));
	assert_false(json_object_object_get_ex(o, "processes", NULL));
	assert_false(json_object_object_get_ex(o, "devices", NULL));
	json_object_put(o);

	f->s.hist_by = DT_HB_FILE;
	other_gen.inode.gen++;
	add_khist(&f->s, kb, DT_H_SYNC_FAULT, 5, 4);
	add_khist(&f->s, ka, DT_H_PTE_FAULT, 3, 2);
	add_khist(&f->s, ka, DT_H_PTE_FAULT, 3, 1); /* merged with its twin */
	add_khist(&f->s, other_gen, DT_H_PTE_FAULT, 3, 100); /* another file */
	dt_snapshot_sort_khists(&f->s);
	o = render_report(f, NULL, false);
	in = json_object_array_get_idx(get(o, "inodes", json_type_array), 0);
	assert_int_equal(key_hist_count(in, DT_H_PTE_FAULT), 3);
	b = json_object_array_get_idx(get(json_object_array_get_idx(get(in, "histograms", json_type_array),
								    DT_H_PTE_FAULT), "buckets", json_type_array), 0);
	assert_int_equal(get_u64(b, "low"), 8000);
	assert_int_equal(get_u64(b, "count"), 3);
	assert_int_equal(key_hist_count(in, DT_H_SYNC_FAULT), 0);
	in = json_object_array_get_idx(get(o, "inodes", json_type_array), 1);
	assert_int_equal(key_hist_count(in, DT_H_SYNC_FAULT), 4);
	assert_int_equal(key_hist_count(in, DT_H_PTE_FAULT), 0);
	/* the top-level histograms stay the host-wide ones */
	assert_int_equal(get_u64(json_object_array_get_idx(get(o, "histograms", json_type_array),
							   DT_H_PTE_FAULT), "count"), 3);
	assert_false(json_object_object_get_ex(o, "processes", NULL));
	json_object_put(o);
}

/* --hist-by process: "processes", busiest first, pid, comm (hostile bytes escaped, the
 * document still parses), every counter and reason, and each one's histograms. */
static void test_report_hist_by_process(void **state)
{
	struct report_fixture *f = *state;
	struct json_object *o, *a, *p;

	f->s.hist_by = DT_HB_PROCESS;
	for (uint32_t i = 0; i < 2; i++) {
		struct dt_pid_val v = {};
		struct dt_khist_key k = { .tgid = 4000 + i };

		for (int c = 0; c < DT_C_NR; c++)
			v.counters[c] = 10 * (i + 1) + (uint64_t)c;
		for (int r = 0; r < DT_FB_NR; r++)
			v.fallbacks[r] = 500 * (i + 1) + (uint64_t)r;
		snprintf(v.comm, sizeof(v.comm), i ? "a\"b\n\x1b[0m\xff" : "fio");
		assert_int_equal(dt_snapshot_add_pid(&f->s, 4000 + i, &v), 0);
		add_khist(&f->s, k, DT_H_PMD_FAULT, 9, 7 + i);
	}
	dt_snapshot_sort_pids(&f->s);
	dt_snapshot_sort_khists(&f->s);
	o = render_report(f, NULL, false);
	a = get(o, "processes", json_type_array);
	assert_int_equal(json_object_array_length(a), 2);
	p = json_object_array_get_idx(a, 0); /* pid 4001: more faults */
	assert_int_equal(get_u64(p, "pid"), 4001);
	assert_string_equal(get_str(p, "comm"), "a\"b\n\x1b[0m\xef\xbf\xbd");
	check_counters(p, f->s.pids[0].c.counters, f->s.pids[0].c.fallbacks);
	assert_int_equal(get_u64(p, "pte_faults"), 20);
	assert_int_equal(key_hist_count(p, DT_H_PMD_FAULT), 8);
	assert_int_equal(key_hist_count(p, DT_H_PTE_FAULT), 0);
	p = json_object_array_get_idx(a, 1);
	assert_int_equal(get_u64(p, "pid"), 4000);
	assert_string_equal(get_str(p, "comm"), "fio");
	assert_int_equal(key_hist_count(p, DT_H_PMD_FAULT), 7);
	/* the inode objects have no per-key histograms in this mode */
	assert_false(json_object_object_get_ex(json_object_array_get_idx(get(o, "inodes", json_type_array), 0),
					       "histograms", NULL));
	json_object_put(o);
}

/* --hist-by device: "devices", one per device of the rows, with its counters and histograms. */
static void test_report_hist_by_device(void **state)
{
	struct report_fixture *f = *state;
	struct dt_khist_key ka = { .inode = { .dev = DEV_A } };
	struct json_object *o, *a, *d;

	f->s.hist_by = DT_HB_DEVICE;
	add_khist(&f->s, ka, DT_H_FSYNC, 12, 6);
	dt_snapshot_sort_khists(&f->s);
	o = render_report(f, NULL, false);
	a = get(o, "devices", json_type_array);
	assert_int_equal(json_object_array_length(a), 2);
	d = json_object_array_get_idx(a, 0); /* DEV_B: 201 + 200 faults, DEV_A 100 + 101 */
	assert_string_equal(get_str(d, "dev"), "8:1");
	assert_int_equal(get_u64(d, "pte_faults"), f->s.inodes[1].val.counters[DT_C_PTE_FAULTS]);
	assert_int_equal(key_hist_count(d, DT_H_FSYNC), 0);
	d = json_object_array_get_idx(a, 1);
	assert_string_equal(get_str(d, "dev"), "259:3");
	check_counters(d, f->s.inodes[0].val.counters, f->s.inodes[0].val.fallbacks);
	assert_int_equal(key_hist_count(d, DT_H_FSYNC), 6);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_nesting),
		cmocka_unit_test(test_writer_deep),
		cmocka_unit_test(test_writer_escaping),
		cmocka_unit_test(test_writer_key_escaping),
		cmocka_unit_test_setup_teardown(test_report_no_hooks, report_setup, report_teardown),
		cmocka_unit_test_setup_teardown(test_report_with_hooks, report_setup,
						report_teardown),
		cmocka_unit_test_setup_teardown(test_report_empty_snapshot, report_setup,
						report_teardown),
		cmocka_unit_test_setup_teardown(test_report_bucket_bounds_follow_unit, report_setup,
						report_teardown),
		cmocka_unit_test_setup_teardown(test_report_percentiles, report_setup,
						report_teardown),
		cmocka_unit_test_setup_teardown(test_report_partial, report_setup, report_teardown),
		cmocka_unit_test_setup_teardown(test_report_offsets, report_setup, report_teardown),
		cmocka_unit_test_setup_teardown(test_report_hist_by_file, report_setup, report_teardown),
		cmocka_unit_test_setup_teardown(test_report_hist_by_process, report_setup,
						report_teardown),
		cmocka_unit_test_setup_teardown(test_report_hist_by_device, report_setup,
						report_teardown),
		cmocka_unit_test_setup_teardown(test_report_null_kernel, report_setup,
						report_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
