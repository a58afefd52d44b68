// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "untrusted.h"

/* One valid character, or one byte that is not part of a valid UTF-8 sequence. */
struct unit {
	const unsigned char *p;
	size_t len;
	uint32_t cp; /* the character, or the byte if !valid */
	bool valid;
};

#define UNIT_MAX 8 /* the longest form of one unit: \\u2028 in a Prometheus label */

/* Length of the valid UTF-8 sequence at s (at most n bytes) and its character, 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *out)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80) {
		*out = s[0];
		return 1;
	}
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
	*out = cp;
	return len;
}

/* The unit at s[0..n) into u; 0 at the end (n bytes read, or a NUL). */
static size_t next_unit(const unsigned char *s, size_t n, struct unit *u)
{
	if (!n || !s[0])
		return 0;
	u->p = s;
	u->len = utf8_len(s, n, &u->cp);
	u->valid = u->len != 0;
	if (!u->valid) {
		u->len = 1;
		u->cp = s[0];
	}
	return u->len;
}

/* Characters a terminal acts on, or that change how the text around them is displayed:
 * U+2028/9 break lines in some viewers, Bidi_Control characters reorder (a name ending in
 * U+202E "gpj.exe" displays as "exe.jpg"). */
static bool unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* What differs between the terminal and the JSON form of a unit. */
struct form {
	const char *named; /* one-letter escapes, indexed by the ASCII character */
	size_t n_named;
	bool c0_as_u;      /* C0 controls and DEL as \u00XX (JSON has no \xHH) */
	bool invalid_fffd; /* an invalid byte as U+FFFD (JSON strings are characters, not bytes) */
};

static const char text_named[] = { ['\a'] = 'a', ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',
				   ['\r'] = 'r', [0x1b] = 'e', ['\\'] = '\\' };
static const struct form text_form = { text_named, sizeof(text_named), false, false };
static const char json_named[] = { ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r', ['"'] = '"',
				   ['\\'] = '\\' };
static const struct form json_form = { json_named, sizeof(json_named), true, true };

static size_t put_form(const struct form *f, const struct unit *u, char *b)
{
	if (!u->valid)
		return f->invalid_fffd ? (size_t)snprintf(b, UNIT_MAX, "\\ufffd")
				       : (size_t)snprintf(b, UNIT_MAX, "\\x%02x", u->cp);
	if (u->cp < f->n_named && f->named[u->cp])
		return (size_t)snprintf(b, UNIT_MAX, "\\%c", f->named[u->cp]);
	if ((u->cp < 0x20 || u->cp == 0x7f) && !f->c0_as_u)
		return (size_t)snprintf(b, UNIT_MAX, "\\x%02x", u->cp);
	if (unsafe(u->cp))
		return (size_t)snprintf(b, UNIT_MAX, "\\u%04x", u->cp);
	memcpy(b, u->p, u->len);
	return u->len;
}

typedef size_t (*form_fn)(const struct unit *u, char *b);

static size_t text_unit(const struct unit *u, char *b)
{
	return put_form(&text_form, u, b);
}

/* The exposition format knows only \\ \" \n; the terminal form has no newline. */
static size_t prom_unit(const struct unit *u, char *b)
{
	char t[UNIT_MAX];
	size_t n = text_unit(u, t), len = 0;

	for (size_t i = 0; i < n; i++) {
		if (t[i] == '\\' || t[i] == '"')
			b[len++] = '\\';
		b[len++] = t[i];
	}
	return len;
}

static size_t form_len(form_fn fn, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char b[UNIT_MAX];
	struct unit u;
	size_t total = 0;

	for (size_t i = 0, l; (l = next_unit(s + i, n - i, &u)); i += l)
		total += fn(&u, b);
	return total;
}

/* Appends the form of s to out[used..size) while whole units fit, then the NUL. */
static size_t form_put(form_fn fn, char *out, size_t size, size_t used, const char *str,
		       size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char b[UNIT_MAX];
	struct unit u;

	if (!size)
		return 0;
	for (size_t i = 0, l; (l = next_unit(s + i, n - i, &u)); i += l) {
		size_t bl = fn(&u, b);

		if (used + bl >= size)
			break;
		memcpy(out + used, b, bl);
		used += bl;
	}
	out[used] = 0;
	return used;
}

static size_t form_tail(form_fn fn, char *out, size_t size, const char *str, size_t n,
			size_t max)
{
	static const char cut[] = "...";
	const unsigned char *s = (const unsigned char *)str;
	size_t total = form_len(fn, str, n), skip, done = 0, i = 0, l, used;
	char b[UNIT_MAX];
	struct unit u;

	if (total <= max)
		return form_put(fn, out, size, 0, str, n);
	/* the end that fits next to the marker starts at the first unit at or after skip */
	skip = total - (max > strlen(cut) ? max - strlen(cut) : 0);
	for (; done < skip && (l = next_unit(s + i, n - i, &u)); i += l)
		done += fn(&u, b);
	used = snprintf(out, size, "%s", cut);
	if (used >= size)
		used = size ? size - 1 : 0;
	return form_put(fn, out, size, used, str + i, n - i);
}

size_t dt_untrusted_text(char *out, size_t size, const char *s, size_t n)
{
	return form_put(text_unit, out, size, 0, s, n);
}

size_t dt_untrusted_text_len(const char *s, size_t n)
{
	return form_len(text_unit, s, n);
}

size_t dt_untrusted_text_tail(char *out, size_t size, const char *s, size_t n, size_t max)
{
	return form_tail(text_unit, out, size, s, n, max);
}

size_t dt_untrusted_prom(char *out, size_t size, const char *s, size_t n)
{
	return form_tail(prom_unit, out, size, s, n, DT_UNTRUSTED_PROM_MAX);
}

void dt_untrusted_json(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char b[UNIT_MAX];
	struct unit u;

	fputc('"', f);
	for (size_t i = 0, l; (l = next_unit(s + i, n - i, &u)); i += l)
		fwrite(b, 1, put_form(&json_form, &u, b), f);
	fputc('"', f);
}
