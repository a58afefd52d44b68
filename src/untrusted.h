/* SPDX-License-Identifier: GPL-2.0 */
/* Strings any unprivileged user chooses (file names, comm) in the form each output can carry
 * safely: printed, they are data, never terminal control, and a row stays one line.
 *
 * The input is bytes s[0..n), ending early at a NUL. It is read as UTF-8, one unit at a time: a
 * valid character, or one byte that is not part of a valid sequence (overlong, surrogate,
 * above U+10FFFF, truncated as BPF's 47-byte capture can cut it, or a stray 0x80-0xbf). Unsafe
 * characters are C0 controls, DEL, C1 controls (U+0080..U+009F, e.g. the 8-bit CSI U+009B),
 * U+2028/U+2029 and the Bidi_Control characters (U+061C, U+200E/F, U+202A..E, U+2066..9),
 * which can make a name display as another. Output is cut only between units. */
#ifndef DT_UNTRUSTED_H
#define DT_UNTRUSTED_H

#include <stddef.h>
#include <stdio.h>

/* Terminal text, in the style of `ls -b`: \e \n \r \t \a \b, \\ for a backslash, \xHH for
 * other C0 controls, DEL and each invalid byte, \uXXXX (four hex digits) for the other unsafe
 * characters (so a raw byte 0x9b reads \x9b and the character U+009B reads \u009b). Every
 * other valid character is copied. At most 4 bytes per input byte. */
#define DT_UNTRUSTED_TEXT_SIZE(n) (4 * (n) + 1) /* a buffer for the whole escaped form */

/* The escaped form into out[size], always NUL-terminated (unless size is 0), cut at the end
 * between units if it does not fit. Returns the bytes written, not counting the NUL. */
size_t dt_untrusted_text(char *out, size_t size, const char *s, size_t n);
/* The length in bytes of the whole escaped form, NUL not counted. It bounds the display
 * width: no character is wider than its UTF-8 length. */
size_t dt_untrusted_text_len(const char *s, size_t n);
/* The escaped form if it is at most max bytes, else "..." and the longest end of it made of
 * whole units that keeps the total within max; into out[size] as dt_untrusted_text(). */
size_t dt_untrusted_text_tail(char *out, size_t size, const char *s, size_t n, size_t max);

/* A Prometheus label value, without its quotes: the terminal text above, with \ and " then
 * escaped as the exposition format wants, so the value a scraper reads is exactly what the
 * terminal shows. Always valid UTF-8 without control characters; if longer than
 * DT_UNTRUSTED_PROM_MAX bytes it keeps the end, as dt_untrusted_text_tail(). */
#define DT_UNTRUSTED_PROM_MAX 256
size_t dt_untrusted_prom(char *out, size_t size, const char *s, size_t n);

/* A JSON string literal with its quotes, to f: \" \\ \n \r \t, \u00XX for other C0 controls,
 * DEL, C1 controls and \uXXXX for the other unsafe characters, \ufffd (U+FFFD) for each
 * invalid byte. Valid characters keep their value. */
void dt_untrusted_json(FILE *f, const char *s, size_t n);

#endif
