// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: arbitrary bytes as file names, comm and kernel strings in the JSON report (as a
 * hostile file name would arrive), and as raw strings and keys in the writer. Whatever the
 * bytes, the output must be one valid JSON document (json-c parses it strictly), and their
 * terminal and Prometheus forms (src/untrusted.h) must hold no control byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "cli.h"
#include "json_writer.h"
#include "report.h"
#include "untrusted.h"

static void must_parse(char *doc, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, doc, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		fprintf(stderr, "invalid JSON: %.*s\n", (int)len, doc);
		abort();
	}
	json_object_put(o);
	json_tokener_free(tok);
}

/* No C0 control, DEL or C1 control (U+0080..U+009F is C2 80..C2 9F in UTF-8). */
static void must_be_inert(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		     (unsigned char)s[i + 1] <= 0x9f)) {
			fprintf(stderr, "control byte 0x%02x at %zu\n", c, i);
			abort();
		}
	}
}

static void untrusted_forms(const char *data, size_t size)
{
	size_t cap = DT_UNTRUSTED_TEXT_SIZE(size), n;
	char *out = malloc(cap), prom[DT_UNTRUSTED_PROM_MAX + 1];

	if (!out)
		return;
	n = dt_untrusted_text(out, cap, data, size);
	if (n != strlen(out) || n != dt_untrusted_text_len(data, size))
		abort(); /* the documented size holds the whole escaped form */
	must_be_inert(out, n);
	n = dt_untrusted_text_tail(out, cap, data, size, 40);
	if (n > 40)
		abort();
	must_be_inert(out, n);
	n = dt_untrusted_prom(prom, sizeof(prom), data, size);
	if (n > DT_UNTRUSTED_PROM_MAX)
		abort();
	must_be_inert(prom, n);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_snapshot s;
	struct dt_inode_key k = { .dev = dt_dev_encode(259, 0), .ino = 12 };
	struct dt_inode_val v = {};
	struct dt_config cfg;
	struct dt_report_ctx ctx = { .cfg = &cfg };
	struct dt_inode_rec *r;
	char *doc = NULL, kernel[64] = "";
	size_t len = 0;
	struct dt_json j;
	FILE *f;

	/* the writer alone: the input as a key and as a value */
	f = open_memstream(&doc, &len);
	dt_json_init(&j, f);
	dt_json_begin_object(&j);
	dt_json_key(&j, "k");
	dt_json_string_n(&j, (const char *)data, size);
	dt_json_end_object(&j);
	fclose(f);
	must_parse(doc, len);
	free(doc);
	untrusted_forms((const char *)data, size);

	/* the whole report, with the bytes in every free-text field */
	dt_config_defaults(&cfg);
	for (int i = 0; i < DT_PATH_DEPTH; i++)
		memcpy(v.path[i], data, size < DT_NAME_LEN - 1 ? size : DT_NAME_LEN - 1);
	memcpy(kernel, data, size < sizeof(kernel) - 1 ? size : sizeof(kernel) - 1);
	ctx.kernel = kernel;
	dt_snapshot_init(&s);
	r = dt_snapshot_add_inode(&s, &k, &v);
	if (r)
		memcpy(r->comm, data, size < DT_TASK_COMM_LEN - 1 ? size : DT_TASK_COMM_LEN - 1);
	doc = NULL;
	f = open_memstream(&doc, &len);
	dt_report_json(f, &ctx, &s);
	fclose(f);
	if (!len || doc[len - 1] != '\n' || memchr(doc, '\n', len - 1))
		abort(); /* NDJSON: exactly one line */
	must_parse(doc, len - 1);
	free(doc);
	dt_snapshot_free(&s);
	return 0;
}
