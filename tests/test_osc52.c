/*
 * Tests of util/osc52.h: base64 against RFC 4648's vectors and every
 * padding length, the OSC 52 sequence around it, the size cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/osc52.h"

static void test_base64(void **state)
{
	(void)state;
	/* RFC 4648, section 10 */
	static const char *const vec[][2] = {
	        {"", ""},
	        {"f", "Zg=="},
	        {"fo", "Zm8="},
	        {"foo", "Zm9v"},
	        {"foob", "Zm9vYg=="},
	        {"fooba", "Zm9vYmE="},
	        {"foobar", "Zm9vYmFy"},
	};
	char out[64];
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t n = base64_encode(vec[i][0], strlen(vec[i][0]), out);
		assert_string_equal(out, vec[i][1]);
		assert_int_equal(n, strlen(vec[i][1]));
		assert_int_equal(base64_len(strlen(vec[i][0])), n);
	}
	/* bytes above 0x7f and NUL */
	const uint8_t bin[] = {0x00, 0xff, 0xfe, 0x80};
	base64_encode(bin, sizeof(bin), out);
	assert_string_equal(out, "AP/+gA==");
}

static void test_sequence(void **state)
{
	(void)state;
	size_t n;
	char *s = osc52_sequence("site1\t#4", 8, &n);
	assert_non_null(s);
	assert_string_equal(s, "\033]52;c;c2l0ZTEJIzQ=\a");
	assert_int_equal(n, strlen(s));
	free(s);
	/* the cap: at most OSC52_MAX bytes, more is refused */
	char *big = malloc(OSC52_MAX + 1);
	memset(big, 'a', OSC52_MAX + 1);
	s = osc52_sequence(big, OSC52_MAX, &n);
	assert_non_null(s);
	assert_int_equal(n, 7 + base64_len(OSC52_MAX) + 1);
	assert_int_equal(s[n - 1], '\a');
	free(s);
	assert_null(osc52_sequence(big, OSC52_MAX + 1, &n));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_base64),
	        cmocka_unit_test(test_sequence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
