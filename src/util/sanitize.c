/*
 * Sanitising works unit by unit: a unit is either one printable character
 * (copied as it is, with its display width) or one escape (ASCII, as wide as
 * it is long). Every public function is a loop over next_unit(), which is
 * the single place that decides what is safe, so buffer output, width and
 * fitting can never disagree about it.
 *
 * The UTF-8 decoder is strict (RFC 3629): overlong forms, surrogates, code
 * points above U+10FFFF and truncated sequences are invalid, and each byte of
 * an invalid sequence is escaped on its own as \xNN, so one bad byte cannot
 * swallow good characters after it.
 */
#if !defined(_XOPEN_SOURCE) || _XOPEN_SOURCE < 700
#undef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "util/sanitize.h"

#include <langinfo.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "util/text.h"
#include "vici/xmalloc.h"

struct unit {
	const char *p; /* the bytes to output: into the input or into esc */
	size_t n;
	size_t w;       /* display columns */
	bool combining; /* a zero-width mark attached to the previous unit */
	char esc[12];
};

bool sanitize_locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

/* Characters wcwidth() may call printable but that change how the text
 * around them is shown (bidi controls, invisible format characters,
 * separators, variation selectors, tags): always escaped. */
static bool cp_is_format(uint32_t c)
{
	if (c < 0xad)
		return false;
	return c == 0xad || c == 0x34f || c == 0x61c || c == 0x115f || c == 0x1160 || c == 0x17b4 ||
	       c == 0x17b5 || (c >= 0x180b && c <= 0x180f) || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c == 0x3164 ||
	       (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff || c == 0xffa0 ||
	       (c >= 0xfff0 && c <= 0xfffb) || (c >= 0x1bca0 && c <= 0x1bca3) ||
	       (c >= 0x1d173 && c <= 0x1d17a) || (c >= 0xe0000 && c <= 0xe0fff);
}

int sanitize_cp_width(uint32_t cp, unsigned flags)
{
	if (cp < 0x20 || cp == 0x7f)
		return -1;
	if (cp < 0x7f)
		return 1;
	if ((flags & SANITIZE_ASCII) || cp <= 0x9f || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp_is_format(cp))
		return -1;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? -1 : w;
}

static const char hexdig[] = "0123456789abcdef";

static void unit_escape_byte(struct unit *u, uint8_t b)
{
	u->esc[0] = '\\';
	switch (b) {
	case '\t':
		u->esc[1] = 't', u->n = 2;
		break;
	case '\n':
		u->esc[1] = 'n', u->n = 2;
		break;
	case '\r':
		u->esc[1] = 'r', u->n = 2;
		break;
	case '\\':
		u->esc[1] = '\\', u->n = 2;
		break;
	default:
		u->esc[1] = 'x';
		u->esc[2] = hexdig[b >> 4];
		u->esc[3] = hexdig[b & 15];
		u->n = 4;
	}
	u->p = u->esc;
	u->w = u->n;
	u->combining = false;
}

static void unit_escape_cp(struct unit *u, uint32_t cp)
{
	int digits = cp > 0xffff ? 8 : 4;

	u->esc[0] = '\\';
	u->esc[1] = cp > 0xffff ? 'U' : 'u';
	for (int i = 0; i < digits; i++)
		u->esc[2 + i] = hexdig[(cp >> (4 * (digits - 1 - i))) & 15];
	u->n = 2 + (size_t)digits;
	u->p = u->esc;
	u->w = u->n;
	u->combining = false;
}

/* Reads the unit at s[i..len) into u and returns the index after it.
 * *marks is the number of combining marks already attached to the previous
 * printable character, or -1 if there is none to attach to. */
static size_t next_unit(const uint8_t *s, size_t len, size_t i, unsigned flags, int *marks,
                        struct unit *u)
{
	uint8_t b = s[i];

	if (b >= 0x20 && b < 0x7f && !(b == '\\' && (flags & SANITIZE_ESCAPE_BACKSLASH))) {
		u->p = (const char *)s + i;
		u->n = u->w = 1;
		u->combining = false;
		*marks = 0;
		return i + 1;
	}
	if (b < 0x80) {
		unit_escape_byte(u, b);
		*marks = -1;
		return i + 1;
	}
	uint32_t cp;
	size_t n = utf8_decode(s + i, len - i, &cp);
	if (n == 0) {
		unit_escape_byte(u, b);
		*marks = -1;
		return i + 1;
	}
	int w = sanitize_cp_width(cp, flags);
	if (w < 0 || (w == 0 && (*marks < 0 || *marks >= SANITIZE_MAX_COMBINING))) {
		unit_escape_cp(u, cp);
		*marks = -1;
		return i + n;
	}
	u->p = (const char *)s + i;
	u->n = n;
	u->w = (size_t)w;
	u->combining = w == 0;
	*marks = w == 0 ? *marks + 1 : 0;
	return i + n;
}

/* The length of the run of plain printable ASCII starting at s[i]. */
static size_t ascii_run(const uint8_t *s, size_t len, size_t i, unsigned flags)
{
	size_t j = i;

	while (j < len && s[j] >= 0x20 && s[j] < 0x7f &&
	       !(s[j] == '\\' && (flags & SANITIZE_ESCAPE_BACKSLASH)))
		j++;
	return j - i;
}

size_t sanitize_buf(char *dst, size_t dstsize, const void *src, size_t len, unsigned flags)
{
	const uint8_t *s = src;
	size_t i = 0, out = 0, total = 0;
	bool full = dstsize == 0;
	int marks = -1;
	struct unit u;

	while (i < len) {
		size_t run = ascii_run(s, len, i, flags);
		if (run > 0) {
			if (!full) {
				size_t room = dstsize - 1 - out;
				size_t k = run < room ? run : room;
				memcpy(dst + out, s + i, k);
				out += k;
				full = k < run;
			}
			total += run;
			i += run;
			marks = 0;
			continue;
		}
		i = next_unit(s, len, i, flags, &marks, &u);
		if (!full && out + u.n < dstsize) {
			memcpy(dst + out, u.p, u.n);
			out += u.n;
		} else {
			full = true;
		}
		total += u.n;
	}
	if (dstsize > 0)
		dst[out] = '\0';
	return total;
}

char *sanitize_dup(const void *src, size_t len, unsigned flags)
{
	size_t n = sanitize_buf(NULL, 0, src, len, flags);
	char *p = xmalloc(n + 1);

	sanitize_buf(p, n + 1, src, len, flags);
	return p;
}

char *sanitize_strdup(const char *s, unsigned flags)
{
	return s ? sanitize_dup(s, strlen(s), flags) : xstrdup("");
}

size_t sanitize_width(const void *src, size_t len, unsigned flags)
{
	const uint8_t *s = src;
	size_t i = 0, w = 0;
	int marks = -1;
	struct unit u;

	while (i < len) {
		size_t run = ascii_run(s, len, i, flags);
		if (run > 0) {
			w += run;
			i += run;
			marks = 0;
			continue;
		}
		i = next_unit(s, len, i, flags, &marks, &u);
		w += u.w;
	}
	return w;
}

size_t sanitize_fit(char *dst, size_t dstsize, const void *src, size_t len, size_t width,
                    unsigned flags)
{
	const uint8_t *s = src;
	const char *ell = (flags & SANITIZE_ASCII) ? "~" : "\xe2\x80\xa6";
	size_t elen = strlen(ell);
	size_t i = 0, out = 0, cols = 0, mark_out = 0, mark_cols = 0;
	bool mark_ok = width >= 1 && elen < dstsize;
	int marks = -1;
	struct unit u;

	if (dstsize == 0)
		return 0;
	while (i < len) {
		size_t run = ascii_run(s, len, i, flags);
		if (run > 0) {
			/* Fast path: plain ASCII, one byte per column. */
			size_t fit = run;
			if (fit > width - cols)
				fit = width - cols;
			if (fit > dstsize - 1 - out)
				fit = dstsize - 1 - out;
			if (cols + 1 <= width && out + elen < dstsize) {
				size_t pm = run;
				if (pm > width - 1 - cols)
					pm = width - 1 - cols;
				if (pm > dstsize - elen - out - 1)
					pm = dstsize - elen - out - 1;
				mark_out = out + pm, mark_cols = cols + pm;
			}
			memcpy(dst + out, s + i, fit);
			if (fit == run) {
				out += run, cols += run, i += run;
				marks = 0;
				continue;
			}
			out = mark_out, cols = mark_cols;
			if (mark_ok) {
				memcpy(dst + out, ell, elen);
				out += elen;
				cols++;
			}
			break;
		}
		i = next_unit(s, len, i, flags, &marks, &u);
		if (cols + u.w > width || out + u.n >= dstsize) {
			/* Does not fit: go back to the last point with room
			 * for the ellipsis. */
			out = mark_out, cols = mark_cols;
			if (mark_ok) {
				memcpy(dst + out, ell, elen);
				out += elen;
				cols++;
			}
			break;
		}
		memcpy(dst + out, u.p, u.n);
		out += u.n;
		cols += u.w;
		if (cols + 1 <= width && out + elen < dstsize)
			mark_out = out, mark_cols = cols;
	}
	if (flags & SANITIZE_PAD) {
		while (cols < width && out + 1 < dstsize)
			dst[out++] = ' ', cols++;
	}
	dst[out] = '\0';
	return cols;
}
