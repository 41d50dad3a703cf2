/*
 * Tests for src/util/sanitize: hostile byte strings must come out as valid,
 * printable UTF-8 with nothing a terminal would interpret; widths and fitting
 * must respect character boundaries and wide characters.
 */
#if !defined(_XOPEN_SOURCE) || _XOPEN_SOURCE < 700
#undef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/sanitize.h"

/* Independent checker: valid UTF-8 (strict), no C0, no DEL, no C1, no bidi
 * or zero-width format characters. */
static void assert_safe(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	for (size_t i = 0; i < n;) {
		uint8_t b = p[i];
		if (b < 0x80) {
			if (b < 0x20 || b == 0x7f)
				fail_msg("control byte 0x%02x at %zu in \"%s\"", b, i, s);
			i++;
			continue;
		}
		size_t len = 0;
		uint32_t cp = 0;
		if (b >= 0xc2 && b <= 0xdf)
			len = 2, cp = b & 0x1f;
		else if (b >= 0xe0 && b <= 0xef)
			len = 3, cp = b & 0x0f;
		else if (b >= 0xf0 && b <= 0xf4)
			len = 4, cp = b & 0x07;
		else
			fail_msg("invalid lead byte 0x%02x at %zu", b, i);
		assert_true(i + len <= n);
		for (size_t k = 1; k < len; k++) {
			assert_int_equal(p[i + k] & 0xc0, 0x80);
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		assert_false(len == 3 && cp < 0x800);
		assert_false(len == 4 && cp < 0x10000);
		assert_false(cp >= 0xd800 && cp <= 0xdfff);
		assert_false(cp >= 0x80 && cp <= 0x9f);
		assert_false(cp >= 0x202a && cp <= 0x202e);
		assert_false(cp >= 0x2066 && cp <= 0x2069);
		assert_false(cp >= 0x200b && cp <= 0x200f);
		assert_false(cp == 0xfeff);
		i += len;
	}
}

static char *san(const void *s, size_t n, unsigned flags)
{
	char *r = sanitize_dup(s, n, flags);
	assert_safe(r, strlen(r));
	/* idempotent: a safe string is left as it is (except that escaping
	 * backslashes doubles them again, by design) */
	if (!(flags & SANITIZE_ESCAPE_BACKSLASH)) {
		char *again = sanitize_strdup(r, flags);
		assert_string_equal(again, r);
		free(again);
	}
	return r;
}

#define CHECK(in, flags, want)                                                                     \
	do {                                                                                       \
		char *r_ = san(in, sizeof(in) - 1, flags);                                         \
		assert_string_equal(r_, want);                                                     \
		free(r_);                                                                          \
	} while (0)

static void test_printable_kept(void **state)
{
	CHECK("moon-sun", 0, "moon-sun");
	CHECK("C=CH, O=strongSwan, CN=moon", 0, "C=CH, O=strongSwan, CN=moon");
	CHECK("gr\xc3\xbc\xc3\x9f dich", 0, "gr\xc3\xbc\xc3\x9f dich");
	CHECK("\xe6\x9d\xb1\xe4\xba\xac", 0, "\xe6\x9d\xb1\xe4\xba\xac");
	CHECK("", 0, "");
	CHECK("back\\slash", 0, "back\\slash");
	CHECK("back\\slash", SANITIZE_ESCAPE_BACKSLASH, "back\\\\slash");
}

static void test_every_c0_and_del(void **state)
{
	for (int c = 0; c < 0x20; c++) {
		char in[3] = {'a', (char)c, 'b'};
		char *r = san(in, 3, 0);
		char want[16];
		if (c == '\t')
			strcpy(want, "a\\tb");
		else if (c == '\n')
			strcpy(want, "a\\nb");
		else if (c == '\r')
			strcpy(want, "a\\rb");
		else
			snprintf(want, sizeof(want), "a\\x%02xb", c);
		assert_string_equal(r, want);
		free(r);
	}
	CHECK("\x7f", 0, "\\x7f");
}

static void test_escape_sequences(void **state)
{
	CHECK("\x1b[2J\x1b[H", 0, "\\x1b[2J\\x1b[H");
	CHECK("\x1b]0;pwned\x07", 0, "\\x1b]0;pwned\\x07");
	/* 8-bit CSI and OSC as raw bytes are invalid UTF-8 */
	CHECK("\x9b"
	      "31m",
	      0, "\\x9b31m");
	/* C1 controls encoded as UTF-8 */
	for (uint32_t cp = 0x80; cp <= 0x9f; cp++) {
		char in[2] = {(char)(0xc0 | cp >> 6), (char)(0x80 | (cp & 0x3f))};
		char *r = san(in, 2, 0);
		char want[16];
		snprintf(want, sizeof(want), "\\u%04x", cp);
		assert_string_equal(r, want);
		free(r);
	}
}

static void test_invalid_utf8(void **state)
{
	/* overlong '/' and overlong NUL */
	CHECK("\xc0\xaf", 0, "\\xc0\\xaf");
	CHECK("\xc0\x80", 0, "\\xc0\\x80");
	CHECK("\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf");
	CHECK("\xf0\x80\x80\xaf", 0, "\\xf0\\x80\\x80\\xaf");
	/* surrogates U+D800, U+DFFF */
	CHECK("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
	CHECK("\xed\xbf\xbf", 0, "\\xed\\xbf\\xbf");
	/* above U+10FFFF */
	CHECK("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80");
	CHECK("\xff\xfe", 0, "\\xff\\xfe");
	/* truncated sequences, at the end and followed by good text */
	CHECK("ab\xe6\x9d", 0, "ab\\xe6\\x9d");
	CHECK("\xe6\x9dx", 0, "\\xe6\\x9dx");
	CHECK("\xf0\x9f\x98", 0, "\\xf0\\x9f\\x98");
	/* a lone continuation byte */
	CHECK("\x80z", 0, "\\x80z");
}

static void test_nul_inside(void **state)
{
	char *r = san("a\0b", 3, 0);
	assert_string_equal(r, "a\\x00b");
	free(r);
}

static void test_bidi_and_invisible(void **state)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE */
	CHECK("abc\xe2\x80\xae"
	      "fdp.exe",
	      0, "abc\\u202efdp.exe");
	for (uint32_t cp = 0x202a; cp <= 0x202e; cp++) {
		char in[3] = {(char)(0xe0 | cp >> 12), (char)(0x80 | ((cp >> 6) & 0x3f)),
		              (char)(0x80 | (cp & 0x3f))};
		char *r = san(in, 3, 0);
		assert_int_equal(r[0], '\\');
		assert_int_equal(strlen(r), 6);
		free(r);
	}
	CHECK("\xe2\x81\xa6x\xe2\x81\xa9", 0, "\\u2066x\\u2069");
	CHECK("a\xe2\x80\x8b"
	      "b",
	      0, "a\\u200bb");                       /* zero width space */
	CHECK("\xef\xbb\xbfx", 0, "\\ufeffx");       /* BOM */
	CHECK("a\xe2\x80\xa8z", 0, "a\\u2028z");     /* line separator */
	CHECK("\xf3\xa0\x80\x81", 0, "\\U000e0001"); /* language tag */
}

static void test_combining(void **state)
{
	/* e + COMBINING ACUTE kept */
	CHECK("e\xcc\x81", 0, "e\xcc\x81");
	/* a mark with nothing to attach to is escaped */
	CHECK("\xcc\x81"
	      "e",
	      0, "\\u0301e");
	CHECK("\x1b\xcc\x81", 0, "\\x1b\\u0301");
	/* at most SANITIZE_MAX_COMBINING marks per character */
	char *r = san("e\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81", 11, 0);
	assert_string_equal(r, "e\xcc\x81\xcc\x81\xcc\x81\xcc\x81\\u0301");
	free(r);
}

static void test_ascii_mode(void **state)
{
	CHECK("gr\xc3\xbc\xc3\x9f", SANITIZE_ASCII, "gr\\u00fc\\u00df");
	CHECK("\xf0\x9f\x98\x80", SANITIZE_ASCII, "\\U0001f600");
	CHECK("\x1b\xff ok", SANITIZE_ASCII, "\\x1b\\xff ok");
	char *r = sanitize_dup("\xe6\x9d\xb1", 3, SANITIZE_ASCII);
	for (char *p = r; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	free(r);
}

static void test_buf_truncation(void **state)
{
	char buf[8];
	/* returns the full length, like snprintf, and never cuts an escape */
	size_t n = sanitize_buf(buf, sizeof(buf), "abcde\x1b", 6, 0);
	assert_int_equal(n, 9);
	assert_string_equal(buf, "abcde");
	n = sanitize_buf(buf, sizeof(buf), "ab\xe6\x9d\xb1\xe6\x9d\xb1", 8, 0);
	assert_int_equal(n, 8);
	assert_string_equal(buf, "ab\xe6\x9d\xb1");
	n = sanitize_buf(buf, 1, "abc", 3, 0);
	assert_int_equal(n, 3);
	assert_string_equal(buf, "");
	assert_int_equal(sanitize_buf(NULL, 0, "\n", 1, 0), 2);
}

static void test_width(void **state)
{
	assert_int_equal(sanitize_width("abc", 3, 0), 3);
	assert_int_equal(sanitize_width("\xe6\x9d\xb1\xe4\xba\xac", 6, 0), 4);
	assert_int_equal(sanitize_width("e\xcc\x81", 3, 0), 1);
	assert_int_equal(sanitize_width("\x1b", 1, 0), 4);
	assert_int_equal(sanitize_width("\xe6\x9d\xb1", 3, SANITIZE_ASCII), 6);
	assert_int_equal(sanitize_width("", 0, 0), 0);
	assert_int_equal(sanitize_cp_width(0x6771, 0), 2);
	assert_int_equal(sanitize_cp_width('a', 0), 1);
	assert_int_equal(sanitize_cp_width(0x1b, 0), -1);
	assert_int_equal(sanitize_cp_width(0x301, 0), 0);
	assert_int_equal(sanitize_cp_width(0x202e, 0), -1);
	assert_int_equal(sanitize_cp_width(0xe9, SANITIZE_ASCII), -1);
}

static void fit(const char *in, size_t width, unsigned flags, const char *want, size_t want_cols)
{
	char buf[SANITIZE_FIT_BUFSIZE(40)];
	size_t cols = sanitize_fit(buf, sizeof(buf), in, strlen(in), width, flags);
	assert_string_equal(buf, want);
	assert_int_equal(cols, want_cols);
	assert_int_equal(sanitize_width(buf, strlen(buf), flags), want_cols);
	assert_true(cols <= width);
	assert_safe(buf, strlen(buf));
}

static void test_fit(void **state)
{
	fit("hello", 10, 0, "hello", 5);
	fit("hello", 5, 0, "hello", 5);
	fit("hello!", 5, 0, "hell\xe2\x80\xa6", 5);
	fit("hello!", 5, SANITIZE_ASCII, "hell~", 5);
	fit("hello", 10, SANITIZE_PAD, "hello     ", 10);
	fit("hello!", 1, 0, "\xe2\x80\xa6", 1);
	fit("hello", 0, 0, "", 0);
	fit("", 3, SANITIZE_PAD, "   ", 3);
	/* wide characters: never half of one */
	fit("\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", 6, 0, "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd",
	    6);
	fit("\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", 5, 0, "\xe6\x9d\xb1\xe4\xba\xac\xe2\x80\xa6",
	    5);
	fit("\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", 4, 0, "\xe6\x9d\xb1\xe2\x80\xa6", 3);
	fit("\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", 4, SANITIZE_PAD, "\xe6\x9d\xb1\xe2\x80\xa6 ",
	    4);
	fit("a\xe6\x9d\xb1", 2, 0, "a\xe2\x80\xa6", 2);
	/* escapes are not cut either */
	fit("ab\x1b", 5, 0, "ab\xe2\x80\xa6", 3);
	fit("ab\x1b", 6, 0, "ab\\x1b", 6);
	/* combining marks stay with their character */
	fit("e\xcc\x81\x65\xcc\x81", 2, 0, "e\xcc\x81\x65\xcc\x81", 2);
}

static void test_fit_small_buffer(void **state)
{
	char buf[6];
	/* 5 bytes of room: "ab" + ellipsis (3 bytes) */
	size_t cols = sanitize_fit(buf, sizeof(buf), "abcdefgh", 8, 20, 0);
	assert_string_equal(buf, "ab\xe2\x80\xa6");
	assert_int_equal(cols, 3);
	cols = sanitize_fit(buf, 1, "abc", 3, 20, 0);
	assert_string_equal(buf, "");
	assert_int_equal(cols, 0);
}

/* ASCII (the fast path) against a reference: every length, width and
 * buffer size, mixed with a UTF-8 character to switch paths mid-string. */
static void test_fit_ascii_exhaustive(void **state)
{
	static const char src[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
	char buf[64], want[64];

	for (size_t n = 0; n <= 40; n++) {
		for (size_t w = 0; w <= 42; w++) {
			for (size_t size = 1; size <= 50; size++) {
				size_t cols = sanitize_fit(buf, size, src, n, w, 0);
				/* reference: room for k characters, plus "…" when cut */
				size_t room = w < size - 1 ? w : size - 1;
				if (n <= room) {
					memcpy(want, src, n);
					want[n] = '\0';
				} else {
					size_t k = w - 1 < size - 4 ? w - 1 : size - 4;
					if (w == 0 || size < 4) {
						want[0] = '\0';
					} else {
						memcpy(want, src, k);
						strcpy(want + k, "\xe2\x80\xa6");
					}
				}
				assert_string_equal(buf, want);
				assert_int_equal(cols, sanitize_width(want, strlen(want), 0));
			}
		}
	}
	/* a path switch right at the edge */
	char in[] = "abcd\xc3\xa9"
	            "fgh";
	assert_int_equal(sanitize_fit(buf, sizeof(buf), in, strlen(in), 5, 0), 5);
	assert_string_equal(buf, "abcd\xe2\x80\xa6");
	assert_int_equal(sanitize_fit(buf, sizeof(buf), in, strlen(in), 8, 0), 8);
	assert_string_equal(buf, "abcd\xc3\xa9"
	                         "fgh");
	assert_int_equal(sanitize_fit(buf, sizeof(buf), in, strlen(in), 7, 0), 7);
	assert_string_equal(buf, "abcd\xc3\xa9"
	                         "f\xe2\x80\xa6");
}

/* Random bytes: the output is always safe and its width is what
 * sanitize_width says; fitting never exceeds the width. */
static void test_random_bytes(void **state)
{
	uint32_t x = 12345;
	unsigned char in[64];
	char buf[SANITIZE_FIT_BUFSIZE(30)];

	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(round % 64);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245 + 12345;
			uint8_t b = (uint8_t)(x >> 16);
			/* bias towards UTF-8 lead/continuation bytes */
			in[i] = (x & 0x100) ? (uint8_t)(0x80 | (b & 0x7f)) : b;
		}
		unsigned flags = round & 1 ? SANITIZE_ASCII : 0;
		char *r = sanitize_dup(in, n, flags);
		assert_safe(r, strlen(r));
		assert_int_equal(sanitize_width(in, n, flags), sanitize_width(r, strlen(r), flags));
		free(r);
		size_t w = (size_t)(round % 31);
		size_t cols = sanitize_fit(buf, sizeof(buf), in, n, w, flags | SANITIZE_PAD);
		assert_int_equal(cols, w);
		assert_safe(buf, strlen(buf));
		assert_int_equal(sanitize_width(buf, strlen(buf), flags), w);
	}
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "no C.UTF-8 locale\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_printable_kept),
	        cmocka_unit_test(test_every_c0_and_del),
	        cmocka_unit_test(test_escape_sequences),
	        cmocka_unit_test(test_invalid_utf8),
	        cmocka_unit_test(test_nul_inside),
	        cmocka_unit_test(test_bidi_and_invisible),
	        cmocka_unit_test(test_combining),
	        cmocka_unit_test(test_ascii_mode),
	        cmocka_unit_test(test_buf_truncation),
	        cmocka_unit_test(test_width),
	        cmocka_unit_test(test_fit),
	        cmocka_unit_test(test_fit_small_buffer),
	        cmocka_unit_test(test_fit_ascii_exhaustive),
	        cmocka_unit_test(test_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
