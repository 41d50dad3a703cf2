/* Unit tests for src/util/text: strict UTF-8 and typo suggestions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/text.h"

static void test_decode(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		size_t want; /* 0: invalid */
		uint32_t cp;
	} rows[] = {
		{"A", 1, 1, 'A'},
		{"\x7f", 1, 1, 0x7f},
		{"\xc3\xa9", 2, 2, 0xe9},
		{"\xe2\x82\xac", 3, 3, 0x20ac},
		{"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
		{"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
		{"", 0, 0, 0},                  /* nothing to decode */
		{"\x80", 1, 0, 0},              /* lone continuation byte */
		{"\xc0\xaf", 2, 0, 0},          /* overlong '/' */
		{"\xe0\x80\x80", 3, 0, 0},      /* overlong NUL */
		{"\xed\xa0\x80", 3, 0, 0},      /* surrogate U+D800 */
		{"\xf4\x90\x80\x80", 4, 0, 0},  /* above U+10FFFF */
		{"\xf8\x88\x80\x80\x80", 5, 0, 0},
		{"\xc3", 1, 0, 0},              /* truncated */
		{"\xe2\x82", 2, 0, 0},          /* truncated */
		{"\xe2\x28\xa1", 3, 0, 0},      /* bad continuation */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t cp = 0xffffffff;
		size_t n = utf8_decode((const uint8_t *)rows[i].in, rows[i].len, &cp);
		if (n != rows[i].want)
			fail_msg("row %zu: decoded %zu bytes, want %zu", i, n, rows[i].want);
		if (n)
			assert_int_equal(cp, rows[i].cp);
		assert_int_equal(utf8_valid(rows[i].in, rows[i].len),
		                 rows[i].want == rows[i].len);
	}
}

static void test_encode_round_trip(void **state)
{
	static const uint32_t cps[] = {0, 'a', 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000,
	                               0xfffd, 0xffff, 0x10000, 0x10ffff};
	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		char buf[4];
		uint32_t back;
		size_t n = utf8_encode(cps[i], buf);
		assert_int_equal(n, utf8_len(cps[i]));
		assert_int_equal(utf8_decode((const uint8_t *)buf, n, &back), n);
		assert_int_equal(back, cps[i]);
	}
}

static void test_valid_strings(void **state)
{
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("plain ascii", 11));
	assert_true(utf8_valid("gr\xc3\xbc\xc3\x9f \xe2\x82\xac", 10));
	assert_false(utf8_valid("ok\xffok", 5));
	assert_false(utf8_valid("ends in \xe2\x82", 10));
}

static void test_suggest(void **state)
{
	const char *c[] = {"alpha", "beta", "gamma", "initiate", "terminate"};
	assert_string_equal(text_suggest("alpah", c, 5), "alpha");
	assert_string_equal(text_suggest("bet", c, 5), "beta");
	assert_string_equal(text_suggest("initate", c, 5), "initiate");
	assert_null(text_suggest("zzzzz", c, 5));
	assert_null(text_suggest("x", c, 5));        /* short words allow one edit only */
	assert_null(text_suggest("bxyz", c, 5));     /* 3 edits from "beta" */
	assert_null(text_suggest("alpha", c, 0));    /* no candidates */
	const char *longer[] = {"a-name-that-is-much-longer-than-sixty-four-characters-for-sure-yes"};
	assert_null(text_suggest("a-name-that-is-much-longer-than-sixty-four-characters-for-sure-yez",
	                         longer, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_decode),
	        cmocka_unit_test(test_encode_round_trip),
	        cmocka_unit_test(test_valid_strings),
	        cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
