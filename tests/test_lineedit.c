/*
 * Tests for src/ui/lineedit: key sequences against the resulting text and
 * cursor, history browsing, kill/yank, refusing unsafe characters, and the
 * visible slice with horizontal scrolling and wide characters.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/lineedit.h"

#define K(k) lineedit_key(le, LINEEDIT_KEY_##k, 0)
#define CTRL(c) lineedit_key(le, LINEEDIT_KEY_CHAR, (uint32_t)((c)&0x1f))

/* Types UTF-8 text character by character. */
static void type(struct lineedit *le, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c;
		size_t n;
		if (*p < 0x80)
			c = *p, n = 1;
		else if (*p < 0xe0)
			c = *p & 0x1f, n = 2;
		else if (*p < 0xf0)
			c = *p & 0x0f, n = 3;
		else
			c = *p & 0x07, n = 4;
		for (size_t i = 1; i < n; i++)
			c = c << 6 | (p[i] & 0x3f);
		p += n;
		assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, c), LINEEDIT_CHANGED);
	}
}

/* Asserts text and cursor; the cursor is given as '|' in want. */
static void expect(struct lineedit *le, const char *want)
{
	const char *bar = strchr(want, '|');
	assert_non_null(bar);
	char text[256];
	snprintf(text, sizeof(text), "%.*s%s", (int)(bar - want), want, bar + 1);
	assert_string_equal(lineedit_text(le), text);
	assert_int_equal(lineedit_cursor_byte(le), (size_t)(bar - want));
}

static void test_insert_move(void **state)
{
	struct lineedit *le = lineedit_new(10);
	expect(le, "|");
	assert_int_equal(K(LEFT), LINEEDIT_IGNORED);
	assert_int_equal(K(BACKSPACE), LINEEDIT_IGNORED);
	assert_int_equal(K(DELETE), LINEEDIT_IGNORED);
	type(le, "initiate net");
	expect(le, "initiate net|");
	assert_int_equal(K(RIGHT), LINEEDIT_IGNORED);
	K(LEFT);
	K(LEFT);
	expect(le, "initiate n|et");
	type(le, "-x");
	expect(le, "initiate n-x|et");
	CTRL('a');
	expect(le, "|initiate n-xet");
	CTRL('f');
	expect(le, "i|nitiate n-xet");
	CTRL('e');
	expect(le, "initiate n-xet|");
	CTRL('b');
	expect(le, "initiate n-xe|t");
	K(HOME);
	expect(le, "|initiate n-xet");
	K(END);
	expect(le, "initiate n-xet|");
	K(WORD_LEFT);
	expect(le, "initiate |n-xet");
	K(WORD_LEFT);
	expect(le, "|initiate n-xet");
	K(WORD_RIGHT);
	expect(le, "initiate| n-xet");
	assert_int_equal(lineedit_length(le), 14);
	assert_int_equal(lineedit_cursor(le), 8);
	lineedit_free(le);
}

static void test_delete(void **state)
{
	struct lineedit *le = lineedit_new(10);
	type(le, "abcdef");
	K(BACKSPACE);
	expect(le, "abcde|");
	CTRL('h');
	expect(le, "abcd|");
	lineedit_key(le, LINEEDIT_KEY_CHAR, 0x7f);
	expect(le, "abc|");
	K(HOME);
	K(DELETE);
	expect(le, "|bc");
	CTRL('d');
	expect(le, "|c");
	CTRL('d');
	expect(le, "|");
	assert_int_equal(CTRL('d'), LINEEDIT_IGNORED);
	lineedit_free(le);
}

static void test_kill_yank(void **state)
{
	struct lineedit *le = lineedit_new(10);
	assert_int_equal(CTRL('y'), LINEEDIT_IGNORED);
	type(le, "terminate  my conn");
	CTRL('w');
	expect(le, "terminate  my |");
	CTRL('w');
	expect(le, "terminate  |");
	CTRL('y');
	expect(le, "terminate  my |");
	K(HOME);
	K(WORD_RIGHT);
	CTRL('k');
	expect(le, "terminate|");
	CTRL('y');
	expect(le, "terminate  my |");
	CTRL('b');
	CTRL('b');
	CTRL('u');
	expect(le, "|y ");
	CTRL('y');
	expect(le, "terminate  m|y ");
	K(END);
	assert_int_equal(CTRL('k'), LINEEDIT_IGNORED);
	lineedit_free(le);
}

static void test_results(void **state)
{
	struct lineedit *le = lineedit_new(10);
	type(le, "q");
	assert_int_equal(K(ENTER), LINEEDIT_ACCEPT);
	assert_int_equal(CTRL('m'), LINEEDIT_ACCEPT);
	assert_int_equal(CTRL('j'), LINEEDIT_ACCEPT);
	assert_int_equal(K(CANCEL), LINEEDIT_CANCEL);
	assert_int_equal(CTRL('c'), LINEEDIT_CANCEL);
	assert_int_equal(CTRL('g'), LINEEDIT_CANCEL);
	assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, 0x1b), LINEEDIT_CANCEL);
	assert_int_equal(K(TAB), LINEEDIT_COMPLETE);
	assert_int_equal(CTRL('i'), LINEEDIT_COMPLETE);
	assert_int_equal(K(NONE), LINEEDIT_IGNORED);
	assert_int_equal(CTRL('l'), LINEEDIT_IGNORED);
	expect(le, "q|");
	lineedit_clear(le);
	expect(le, "|");
	lineedit_free(le);
}

static void test_refuses_unsafe(void **state)
{
	struct lineedit *le = lineedit_new(10);
	static const uint32_t bad[] = {0x85,   0x9b,   0x202e, 0x2066,
	                               0x200b, 0xfeff, 0xd800, 0x110000};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, bad[i]), LINEEDIT_IGNORED);
	/* a combining mark needs a base */
	assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, 0x301), LINEEDIT_IGNORED);
	type(le, "e\xcc\x81\xe6\x9d\xb1");
	expect(le, "e\xcc\x81\xe6\x9d\xb1|");
	/* deleting the base of a mark drops the mark with it, so the text is
	 * never one that the sanitiser would show differently */
	K(HOME);
	K(DELETE);
	expect(le, "|\xe6\x9d\xb1");
	/* at most SANITIZE_MAX_COMBINING marks on one character */
	lineedit_set_text(le, "a");
	for (int i = 0; i < 4; i++)
		assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, 0x301), LINEEDIT_CHANGED);
	assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, 0x301), LINEEDIT_IGNORED);
	assert_int_equal(lineedit_length(le), 5);
	/* set_text and replace drop invalid and unsafe input */
	lineedit_set_text(le, "a\x1b[2Jb\xff\xe2\x80\xae"
	                      "c\xc0\xaf");
	expect(le, "a[2Jbc|");
	lineedit_free(le);
}

static void test_ascii_mode(void **state)
{
	struct lineedit *le = lineedit_new(3);
	type(le, "gr\xc3\xbc\xc3\x9f");
	lineedit_set_ascii(le, true);
	expect(le, "gr|");
	assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, 0xe9), LINEEDIT_IGNORED);
	assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, 'x'), LINEEDIT_CHANGED);
	lineedit_set_text(le, "a\xe6\x9d\xb1"
	                      "b");
	expect(le, "ab|");
	lineedit_set_ascii(le, false);
	type(le, "\xe6\x9d\xb1");
	expect(le, "ab\xe6\x9d\xb1|");
	lineedit_free(le);
}

static void test_history(void **state)
{
	struct lineedit *le = lineedit_new(3);
	assert_int_equal(K(UP), LINEEDIT_IGNORED);
	lineedit_history_add(le, "one");
	lineedit_history_add(le, "two");
	lineedit_history_add(le, "two"); /* repeat skipped */
	lineedit_history_add(le, "");    /* empty skipped */
	lineedit_history_add(le, "three");
	assert_int_equal(lineedit_history_count(le), 3);
	lineedit_history_add(le, "four"); /* "one" drops out */
	assert_int_equal(lineedit_history_count(le), 3);

	type(le, "partial");
	CTRL('a');
	assert_int_equal(K(UP), LINEEDIT_CHANGED);
	expect(le, "four|");
	CTRL('p');
	expect(le, "three|");
	K(UP);
	expect(le, "two|");
	assert_int_equal(K(UP), LINEEDIT_IGNORED);
	expect(le, "two|");
	K(DOWN);
	expect(le, "three|");
	CTRL('n');
	expect(le, "four|");
	K(DOWN);
	expect(le, "partial|"); /* the typed line comes back */
	assert_int_equal(K(DOWN), LINEEDIT_IGNORED);
	/* accept a recalled entry */
	K(UP);
	K(UP);
	type(le, "!");
	expect(le, "three!|");
	assert_int_equal(K(ENTER), LINEEDIT_ACCEPT);
	lineedit_history_add(le, lineedit_text(le));
	lineedit_clear(le);
	K(UP);
	expect(le, "three!|");
	K(DOWN);
	expect(le, "|");
	lineedit_free(le);

	le = lineedit_new(0);
	lineedit_history_add(le, "x");
	assert_int_equal(lineedit_history_count(le), 0);
	assert_int_equal(K(UP), LINEEDIT_IGNORED);
	lineedit_free(le);
}

static void test_replace(void **state)
{
	struct lineedit *le = lineedit_new(3);
	type(le, "init net");
	K(WORD_LEFT);
	K(LEFT);
	lineedit_replace(le, 0, 4, "initiate");
	expect(le, "initiate| net");
	K(END);
	lineedit_replace(le, 9, 12, "'net one' ");
	expect(le, "initiate 'net one' |");
	/* offsets past the end are clamped, inside a character rounded down */
	lineedit_set_text(le, "\xe6\x9d\xb1x");
	lineedit_replace(le, 1, 100, "y");
	expect(le, "y|");
	lineedit_free(le);
}

static void test_paste(void **state)
{
	(void)state;
	struct lineedit *le = lineedit_new(3);
	size_t cut = 99;
	type(le, "ab");
	K(LEFT);
	/* at the cursor; ESC, C0, DEL, C1 and invalid UTF-8 dropped, the rest
	 * kept (UTF-8 too) */
	static const char p[] = "x\033[1~\r\n\t\177\xc2\x9b\xff\xe6\x9d\xb1y";
	assert_int_equal(lineedit_paste(le, p, sizeof(p) - 1, &cut), 6);
	assert_int_equal(cut, 0);
	expect(le, "ax[1~\xe6\x9d\xb1y|b");
	/* a paste with nothing showable changes nothing */
	assert_int_equal(lineedit_paste(le, "\033\003", 2, NULL), 0);
	expect(le, "ax[1~\xe6\x9d\xb1y|b");
	/* the line is full: what does not fit is counted, not inserted */
	lineedit_clear(le);
	char *big = malloc(LINEEDIT_MAX + 10);
	memset(big, 'z', LINEEDIT_MAX + 10);
	assert_int_equal(lineedit_paste(le, big, LINEEDIT_MAX + 10, &cut), LINEEDIT_MAX);
	assert_int_equal(cut, 10);
	assert_int_equal(lineedit_length(le), LINEEDIT_MAX);
	free(big);
	lineedit_free(le);
}

static void view(struct lineedit *le, size_t width, const char *want, size_t cursor_col, bool left,
                 bool right)
{
	struct lineedit_view v;
	lineedit_view(le, width, &v);
	char got[256];
	snprintf(got, sizeof(got), "%.*s", (int)v.len, v.text);
	assert_string_equal(got, want);
	assert_int_equal(v.cursor_col, cursor_col);
	assert_true(v.cols <= width);
	assert_true(v.cursor_col < width);
	assert_int_equal(v.more_left, left);
	assert_int_equal(v.more_right, right);
}

static void test_view_scroll(void **state)
{
	struct lineedit *le = lineedit_new(3);
	view(le, 10, "", 0, false, false);
	type(le, "0123456789abc");
	/* the cursor at the end needs a cell of its own */
	view(le, 10, "456789abc", 9, true, false);
	K(HOME);
	view(le, 10, "0123456789", 0, false, true);
	/* moving right inside the window does not scroll */
	for (int i = 0; i < 9; i++)
		K(RIGHT);
	view(le, 10, "0123456789", 9, false, true);
	K(RIGHT);
	view(le, 10, "123456789a", 9, true, true);
	/* moving back left inside the window does not scroll either */
	K(LEFT);
	view(le, 10, "123456789a", 8, true, true);
	K(END);
	view(le, 10, "456789abc", 9, true, false);
	/* deleting lets the text flow back in */
	for (int i = 0; i < 5; i++)
		K(BACKSPACE);
	view(le, 10, "01234567", 8, false, false);
	lineedit_free(le);
}

static void test_view_wide(void **state)
{
	struct lineedit *le = lineedit_new(3);
	/* five CJK characters: 10 columns */
	type(le, "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd\xe5\xa4\xa7\xe9\x98\xaa");
	view(le, 6, "\xe5\xa4\xa7\xe9\x98\xaa", 4, true, false);
	K(HOME);
	view(le, 5, "\xe6\x9d\xb1\xe4\xba\xac", 0, false, true);
	K(RIGHT);
	K(RIGHT);
	/* the cursor is on the third wide character, which needs 2 columns */
	view(le, 5, "\xe4\xba\xac\xe9\x83\xbd", 2, true, true);
	/* width 1: a wide character cannot be shown, the cursor still is */
	view(le, 1, "", 0, true, true);
	lineedit_free(le);
}

/* A full line: input beyond LINEEDIT_MAX is refused, and editing and drawing
 * stay fast (this would take seconds if any of it were quadratic per key). */
static void test_long_line(void **state)
{
	struct lineedit *le = lineedit_new(3);
	struct lineedit_view v;
	for (int i = 0; i < LINEEDIT_MAX; i++) {
		assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, (uint32_t)('a' + i % 26)),
		                 LINEEDIT_CHANGED);
		lineedit_view(le, 20, &v);
		assert_int_equal(v.cursor_col, i + 1 < 19 ? (size_t)i + 1 : 19);
	}
	assert_int_equal(lineedit_key(le, LINEEDIT_KEY_CHAR, 'x'), LINEEDIT_IGNORED);
	assert_int_equal(lineedit_length(le), LINEEDIT_MAX);
	CTRL('u');
	for (int i = 0; i < 3; i++)
		assert_int_equal(CTRL('y'), i == 0 ? LINEEDIT_CHANGED : LINEEDIT_IGNORED);
	assert_int_equal(lineedit_length(le), LINEEDIT_MAX);
	for (int i = 0; i < LINEEDIT_MAX; i++) {
		K(LEFT);
		lineedit_view(le, 20, &v);
	}
	assert_int_equal(v.cursor_col, 0);
	assert_false(v.more_left);
	assert_true(v.more_right);
	lineedit_free(le);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "no C.UTF-8 locale\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_insert_move),    cmocka_unit_test(test_delete),
	        cmocka_unit_test(test_kill_yank),      cmocka_unit_test(test_results),
	        cmocka_unit_test(test_refuses_unsafe), cmocka_unit_test(test_history),
	        cmocka_unit_test(test_ascii_mode),     cmocka_unit_test(test_replace),
	        cmocka_unit_test(test_paste),          cmocka_unit_test(test_view_scroll),
	        cmocka_unit_test(test_view_wide),      cmocka_unit_test(test_long_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
