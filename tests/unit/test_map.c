// SPDX-License-Identifier: GPL-2.0
/* `daxtrace map` without a kernel (src/map_render.c): events in, per-block answers, verdict,
 * strip and JSON out; a hostile path stays one escaped line and valid JSON. */
#include "test_support.h"
#include <json-c/json.h>
#include <signal.h>
#include "map.h"
#include "names.h"

#define KDEV dt_dev_encode(259, 0)
#define TID 4242

static struct dt_event ev(int type, uint64_t ino, uint64_t block, int result, int reason)
{
	struct dt_event e = { .type = (uint8_t)type, .ino = ino, .dev = KDEV, .tid = TID,
			      .pgoff = block * 512 + 3, .result = result };

	e.fallback = reason >= 0 ? (uint8_t)(reason + 1) : 0;
	return e;
}

static void apply(struct dt_map_file *f, struct dt_event e)
{
	dt_map_apply(f, &e);
}

/* 8 blocks: PMD, hole, extent_short (with a PTE hole), eof retried twice (6.12), untouched,
 * a failed PMD attempt, a read that raised SIGBUS, PMD; plus events the file must ignore. */
static struct dt_map_file *sample(const char *path)
{
	static struct dt_map_block blocks[8];
	static struct dt_map_file f;

	memset(blocks, 0, sizeof(blocks));
	f = (struct dt_map_file){ .path = path, .kdev = KDEV, .ino = 77, .size = 15 * DT_MAP_BLOCK / 2,
				  .nblocks = 8, .examined = 8, .blocks = blocks, .tid = TID };
	apply(&f, ev(DT_E_PMD_FAULT, 77, 0, 0, -1));
	apply(&f, ev(DT_E_PMD_DONE, 77, 0, DT_VM_FAULT_NOPAGE, -1));
	apply(&f, ev(DT_E_PMD_LOAD_HOLE, 77, 1, 0, -1));
	apply(&f, ev(DT_E_PMD_DONE, 77, 1, DT_VM_FAULT_NOPAGE, -1));
	apply(&f, ev(DT_E_PMD_DONE, 77, 2, DT_VM_FAULT_FALLBACK, DT_FB_EXTENT_SHORT));
	apply(&f, ev(DT_E_LOAD_HOLE, 77, 2, 0, -1));
	apply(&f, ev(DT_E_PMD_DONE, 77, 3, DT_VM_FAULT_FALLBACK, DT_FB_EOF));
	apply(&f, ev(DT_E_PMD_DONE, 77, 3, DT_VM_FAULT_FALLBACK, DT_FB_EOF));
	apply(&f, ev(DT_E_PMD_DONE, 77, 5, DT_VM_FAULT_SIGBUS, -1));
	blocks[6].signal = SIGBUS;
	apply(&f, ev(DT_E_PMD_DONE, 77, 6, DT_VM_FAULT_SIGBUS, -1));
	apply(&f, ev(DT_E_PMD_DONE, 77, 7, DT_VM_FAULT_NOPAGE, -1));
	/* another inode, another device, another thread, a block past the file: none counts */
	apply(&f, ev(DT_E_PMD_DONE, 78, 4, DT_VM_FAULT_NOPAGE, -1));
	{
		struct dt_event e = ev(DT_E_PMD_DONE, 77, 4, DT_VM_FAULT_NOPAGE, -1);

		e.dev = dt_dev_encode(259, 1);
		apply(&f, e);
		e.dev = KDEV;
		e.tid = TID + 1;
		apply(&f, e);
	}
	apply(&f, ev(DT_E_PMD_DONE, 77, 8, DT_VM_FAULT_NOPAGE, -1));
	dt_map_finish(&f);
	return &f;
}

static void test_blocks(void **state)
{
	struct dt_map_file *f = sample("/mnt/dax/f");
	static const char strip[] = "H.Se--!H";

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_int_equal(dt_map_char(&f->blocks[i]), strip[i]);
	assert_int_equal(f->blocks[3].attempts, 2);
	assert_true(f->blocks[2].pte_hole);
	assert_int_equal(f->blocks[4].why, DT_MAP_WHY_NO_ATTEMPT);
	assert_int_equal(f->blocks[5].why, DT_MAP_WHY_FAULT_ERROR);
	assert_int_equal(f->foreign, 1);
}

static void test_verdict(void **state)
{
	char buf[512];

	(void)state;
	dt_map_verdict(sample("/f"), buf, sizeof(buf));
	assert_string_equal(buf, "2 of 8 blocks map as 2 MiB; 2 fall back: eof at 6 MiB; "
				 "extent_short at 4 MiB; 1 hole (zero page); 3 not reached; "
				 "1 read failed");
	/* cut short, it stays a terminated string */
	dt_map_verdict(sample("/f"), buf, 10);
	assert_int_equal(strlen(buf), 9);
}

/* The legend and the strip of a 1000-block file wrap within the width, every line starting with the
 * offset of its first block, and the blocks add up. */
static void test_wrap(void **state)
{
	static struct dt_map_block blocks[1000];
	struct dt_map_file f = { .path = "/big", .kdev = KDEV, .ino = 1, .size = 1000 * DT_MAP_BLOCK,
				 .nblocks = 1000, .examined = 1000, .blocks = blocks };
	struct dt_capture c;
	int total = 0, lines = 0;

	(void)state;
	for (int i = 0; i < 1000; i++)
		blocks[i].kind = DT_MAP_PMD;
	for (int width = 40; width <= 200; width += 37) {
		char *line, *save = NULL;

		total = lines = 0;
		dt_capture_begin(&c);
		dt_map_legend(c.f, width);
		dt_map_text(c.f, &f, width);
		dt_capture_end(&c);
		for (line = strtok_r(c.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *h = strchr(line, 'H');
			unsigned long long mib;

			/* the header and the verdict are one line each, whatever their length */
			if (strlen(line) > (size_t)width && !strstr(line, "blocks map") &&
			    !strstr(line, "bytes,"))
				fail_msg("wider than %d: %s", width, line);
			if (!h || sscanf(line, " %llu MiB", &mib) != 1 || strstr(line, "legend"))
				continue;
			assert_int_equal(mib, (unsigned long long)total * 2);
			total += (int)strspn(h, "H");
			lines++;
		}
		assert_int_equal(total, 1000);
		assert_true(lines > 1);
		dt_capture_free(&c);
	}
}

static struct json_object *parse(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (!o || json_tokener_get_error(tok) != json_tokener_success)
		fail_msg("invalid JSON: %s", text);
	json_tokener_free(tok);
	return o;
}

static void test_json(void **state)
{
	static const char *const mapping[] = { "pmd", "hole", "fallback", "fallback", "not_reached",
					       "not_reached", "not_reached", "pmd" };
	static const char *const reason[] = { NULL, NULL, "extent_short", "eof", NULL, NULL, NULL, NULL };
	static const char hostile[] = "/mnt/dax/\x1b[2J\n{\"x\":1}\xff";
	struct dt_capture c;
	struct json_object *o, *blocks, *b, *v;
	struct dt_json j;

	(void)state;
	dt_capture_begin(&c);
	dt_json_init(&j, c.f);
	dt_map_json(&j, sample(hostile));
	dt_capture_end(&c);
	assert_null(strchr(c.buf, '\n'));
	assert_null(strchr(c.buf, '\x1b'));
	o = parse(c.buf);
	assert_true(json_object_object_get_ex(o, "path", &v));
	assert_string_equal(json_object_get_string(v), "/mnt/dax/\x1b[2J\n{\"x\":1}\xef\xbf\xbd");
	assert_true(json_object_object_get_ex(o, "dev", &v));
	assert_string_equal(json_object_get_string(v), "259:0");
	assert_true(json_object_object_get_ex(o, "blocks", &blocks));
	assert_int_equal(json_object_array_length(blocks), 8);
	for (int i = 0; i < 8; i++) {
		b = json_object_array_get_idx(blocks, (size_t)i);
		assert_true(json_object_object_get_ex(b, "offset", &v));
		assert_int_equal(json_object_get_uint64(v), (uint64_t)i * DT_MAP_BLOCK);
		assert_true(json_object_object_get_ex(b, "mapping", &v));
		assert_string_equal(json_object_get_string(v), mapping[i]);
		assert_true(json_object_object_get_ex(b, "reason", &v));
		if (reason[i])
			assert_string_equal(json_object_get_string(v), reason[i]);
		else
			assert_null(v);
	}
	b = json_object_array_get_idx(blocks, 6);
	assert_true(json_object_object_get_ex(b, "error", &v));
	assert_string_equal(json_object_get_string(v), "SIGBUS");
	json_object_put(o);
	dt_capture_free(&c);

	/* text: the path escaped, the header one line */
	dt_capture_begin(&c);
	dt_map_text(c.f, sample(hostile), 80);
	dt_capture_end(&c);
	assert_null(strchr(c.buf, '\x1b'));
	assert_non_null(strstr(c.buf, "/mnt/dax/\\e[2J\\n{\"x\":1}\\xff  (dev 259:0 ino 77, "));
	dt_capture_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
