/*
 * Tests of src/main/cli.c: argument parsing of `swantop call` and `swantop
 * listen`, durations, the help text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "main/cli.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define CALL(a, err, ...) cli_call_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), a, err, sizeof(err))
#define LISTEN(a, err, ...)                                                                        \
	cli_listen_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), a, err, sizeof(err))

static void test_call_basic(void **state)
{
	struct cli_call_args a;
	char err[256];
	assert_int_equal(CALL(&a, err, "call", "version"), 0);
	assert_string_equal(a.command, "version");
	assert_null(a.uri);
	assert_null(a.json);
	assert_int_equal(a.timeout_ms, -1);
	assert_false(a.pretty);
	assert_int_equal(a.nkv, 0);
	cli_call_args_free(&a);
}

static void test_call_everything(void **state)
{
	struct cli_call_args a;
	char err[256];
	assert_int_equal(CALL(&a, err, "call", "--pretty", "-u", "unix:///tmp/x.vici", "initiate",
	                      "child=net", "ike=a=b", "--timeout=1.5", "empty=", "--json",
	                      "{\"timeout\":3000}"),
	                 0);
	assert_string_equal(a.command, "initiate");
	assert_string_equal(a.uri, "unix:///tmp/x.vici");
	assert_true(a.pretty);
	assert_int_equal(a.timeout_ms, 1500);
	assert_string_equal(a.json, "{\"timeout\":3000}");
	assert_int_equal(a.nkv, 3);
	assert_string_equal(a.kv[0].key, "child");
	assert_string_equal(a.kv[0].value, "net");
	assert_string_equal(a.kv[1].key, "ike");
	assert_string_equal(a.kv[1].value, "a=b");
	assert_string_equal(a.kv[2].key, "empty");
	assert_string_equal(a.kv[2].value, "");
	cli_call_args_free(&a);

	assert_int_equal(CALL(&a, err, "call", "--uri=tcp://[::1]:4502", "-t", "0", "-p", "-j", "-",
	                      "terminate"),
	                 0);
	assert_string_equal(a.uri, "tcp://[::1]:4502");
	assert_int_equal(a.timeout_ms, 0);
	assert_string_equal(a.json, "-");
	cli_call_args_free(&a);

	/* after -- everything is positional */
	assert_int_equal(CALL(&a, err, "call", "--", "-odd", "--pretty=x"), 0);
	assert_string_equal(a.command, "-odd");
	assert_false(a.pretty);
	assert_string_equal(a.kv[0].key, "--pretty");
	cli_call_args_free(&a);

	assert_int_equal(CALL(&a, err, "call", "--help"), 0);
	assert_true(a.help);
	cli_call_args_free(&a);
}

struct bad {
	int argc;
	char **argv;
	const char *err;
};

static void test_call_errors(void **state)
{
	const struct bad cases[] = {
	        {ARGC("call"), ARGV("call"), "missing COMMAND"},
	        {ARGC("call", "--pretty"), ARGV("call", "--pretty"), "missing COMMAND"},
	        {ARGC("call", "version", "--uri"), ARGV("call", "version", "--uri"),
	         "needs a value"},
	        {ARGC("call", "version", "-j"), ARGV("call", "version", "-j"), "needs a value"},
	        {ARGC("call", "version", "--bogus"), ARGV("call", "version", "--bogus"),
	         "unknown option '--bogus'"},
	        {ARGC("call", "initiate", "child"), ARGV("call", "initiate", "child"),
	         "expected KEY=VALUE"},
	        {ARGC("call", "initiate", "=x"), ARGV("call", "initiate", "=x"), "empty key"},
	        {ARGC("call", "version", "--timeout", "abc"),
	         ARGV("call", "version", "--timeout", "abc"), "not a number of seconds"},
	        {ARGC("call", "version", "--timeout", "-1"),
	         ARGV("call", "version", "--timeout", "-1"), "not a number of seconds"},
	        {ARGC("call", "version", "--json", "{}", "--json", "{}"),
	         ARGV("call", "version", "--json", "{}", "--json", "{}"), "--json given twice"},
	        {ARGC("call", "ver sion"), ARGV("call", "ver sion"), "printable"},
	        {ARGC("call", "version", "-u", "bogus://x"),
	         ARGV("call", "version", "-u", "bogus://x"), "invalid URI 'bogus://x'"},
	        {ARGC("call", "version", "--uri=unix://relative"),
	         ARGV("call", "version", "--uri=unix://relative"), "invalid URI"},
	        {ARGC("call", "v\x1b"), ARGV("call", "v\x1b"), "printable"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cli_call_args a;
		char err[256] = "";
		int r = cli_call_parse(cases[i].argc, cases[i].argv, &a, err, sizeof(err));
		if (r != -EINVAL || !strstr(err, cases[i].err))
			fail_msg("case %zu: r=%d err \"%s\", want \"%s\"", i, r, err, cases[i].err);
		cli_call_args_free(&a);
	}
}

static void test_listen(void **state)
{
	struct cli_listen_args a;
	char err[256];
	assert_int_equal(LISTEN(&a, err, "listen", "ike-updown", "--no-reconnect", "log", "-u",
	                        "unix:///x", "log", "ike-updown", "alert"),
	                 0);
	assert_int_equal(a.nevents, 3);
	assert_string_equal(a.events[0], "ike-updown");
	assert_string_equal(a.events[1], "log");
	assert_string_equal(a.events[2], "alert");
	assert_true(a.no_reconnect);
	assert_string_equal(a.uri, "unix:///x");
	assert_int_equal(a.timeout_ms, -1);
	cli_listen_args_free(&a);
	assert_int_equal(LISTEN(&a, err, "listen", "log", "--timeout", "2.5"), 0);
	assert_int_equal(a.timeout_ms, 2500);
	cli_listen_args_free(&a);
	assert_int_equal(LISTEN(&a, err, "listen", "-t", "0", "log"), -EINVAL);
	assert_non_null(strstr(err, "above 0"));
	cli_listen_args_free(&a);
	assert_int_equal(LISTEN(&a, err, "listen", "log", "--timeout=x"), -EINVAL);
	cli_listen_args_free(&a);

	assert_int_equal(LISTEN(&a, err, "listen"), -EINVAL);
	assert_non_null(strstr(err, "at least one EVENT"));
	cli_listen_args_free(&a);
	assert_int_equal(LISTEN(&a, err, "listen", "log", "--pretty"), -EINVAL);
	assert_non_null(strstr(err, "unknown option"));
	cli_listen_args_free(&a);
	assert_int_equal(LISTEN(&a, err, "listen", "bad event"), -EINVAL);
	cli_listen_args_free(&a);
	assert_int_equal(LISTEN(&a, err, "listen", "log", "--uri"), -EINVAL);
	assert_non_null(strstr(err, "needs a value"));
	cli_listen_args_free(&a);
	assert_int_equal(LISTEN(&a, err, "listen", "log", "--uri", "tcp://host"), -EINVAL);
	assert_non_null(strstr(err, "invalid URI"));
	cli_listen_args_free(&a);
	assert_int_equal(LISTEN(&a, err, "listen", "-h"), 0);
	assert_true(a.help);
	cli_listen_args_free(&a);
}

static void test_seconds(void **state)
{
	int ms = -5;
	assert_int_equal(cli_parse_seconds("30", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(cli_parse_seconds("0.25", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(cli_parse_seconds("0", &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(cli_parse_seconds("0.0001", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(cli_parse_seconds("", &ms), -EINVAL);
	assert_int_equal(cli_parse_seconds("-1", &ms), -EINVAL);
	assert_int_equal(cli_parse_seconds("1x", &ms), -EINVAL);
	assert_int_equal(cli_parse_seconds("nan", &ms), -EINVAL);
	assert_int_equal(cli_parse_seconds("inf", &ms), -EINVAL);
	assert_int_equal(cli_parse_seconds("1e9", &ms), -EINVAL);
}

static void test_usage(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cli_usage(f);
	fclose(f);
	const char *want[] = {"--interval",    "--theme",        "--readonly",
	                      "swantop call",  "swantop listen", "--no-reconnect",
	                      "--pretty",      "--timeout",      "unix:///var/run/charon.vici",
	                      "2 usage error", "4 timeout",      "5 protocol violation",
	                      "base64"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("help text lacks \"%s\"", want[i]);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_call_basic),  cmocka_unit_test(test_call_everything),
	        cmocka_unit_test(test_call_errors), cmocka_unit_test(test_listen),
	        cmocka_unit_test(test_seconds),     cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
