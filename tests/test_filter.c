/*
 * Unit tests for src/model/filter: the "/" filter language. A small table
 * of fake rows with six fields (one a list, one a number, one hidden from
 * free text) stands for a pane; each filter text is matched against every
 * row and the set of matching rows compared.
 */
#include <errno.h>
#include <locale.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/filter.h"

struct fake {
	const char *name, *state, *remote;
	const char *ts[3]; /* NULL-terminated */
	unsigned reqid;    /* 0: absent */
	const char *secret;
	size_t secret_len;
};

static const struct fake rows[] = {
        {"gw-moon", "ESTABLISHED", "192.168.0.1", {"10.1.0.0/16", "10.2.0.0/16"}, 1, "alpha", 5},
        {"gw-sun", "CONNECTING", "192.168.0.2", {NULL}, 2, "beta", 4},
        {"my conn", "INSTALLED", "10.0.0.9", {"10.0.0.0/24"}, 12, NULL, 0},
        {"Caf\xc3\xa9", "ESTABLISHED", "fe80::1", {"a=b"}, 0, "zz\0moon", 7},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static unsigned calls[6];

static bool get_str(int i, const char *s, filter_visit_fn visit, void *ctx)
{
	calls[i]++;
	return s && visit(ctx, s, strlen(s));
}

static bool get_name(const void *row, filter_visit_fn visit, void *ctx)
{
	return get_str(0, ((const struct fake *)row)->name, visit, ctx);
}

static bool get_state(const void *row, filter_visit_fn visit, void *ctx)
{
	return get_str(1, ((const struct fake *)row)->state, visit, ctx);
}

static bool get_remote(const void *row, filter_visit_fn visit, void *ctx)
{
	return get_str(2, ((const struct fake *)row)->remote, visit, ctx);
}

static bool get_ts(const void *row, filter_visit_fn visit, void *ctx)
{
	const struct fake *r = row;
	calls[3]++;
	for (size_t i = 0; r->ts[i]; i++)
		if (visit(ctx, r->ts[i], strlen(r->ts[i])))
			return true;
	return false;
}

static bool get_reqid(const void *row, filter_visit_fn visit, void *ctx)
{
	const struct fake *r = row;
	char buf[16];
	calls[4]++;
	if (!r->reqid)
		return false;
	return visit(ctx, buf, (size_t)snprintf(buf, sizeof(buf), "%u", r->reqid));
}

static bool get_secret(const void *row, filter_visit_fn visit, void *ctx)
{
	const struct fake *r = row;
	calls[5]++;
	return r->secret && visit(ctx, r->secret, r->secret_len);
}

static const struct filter_field fields[] = {
        {"name", true, get_name}, {"state", true, get_state}, {"remote", true, get_remote},
        {"ts", true, get_ts},     {"reqid", true, get_reqid}, {"secret", false, get_secret},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* The rows text matches, as a bit mask; fails the test on a compile error. */
static unsigned matching(const char *text)
{
	struct filter *f = NULL;
	char err[512];
	int rc = filter_compile(text, fields, NFIELDS, &f, err, sizeof(err));
	if (rc)
		fail_msg("\"%s\": %s", text, err);
	unsigned mask = 0;
	for (size_t i = 0; i < NROWS; i++)
		if (filter_match(f, &rows[i]))
			mask |= 1u << i;
	filter_free(f);
	return mask;
}

struct want {
	const char *text;
	unsigned rows;
};

static void check(const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned got = matching(w[i].text);
		if (got != w[i].rows)
			fail_msg("\"%s\" matches rows %#x, want %#x", w[i].text, got, w[i].rows);
	}
}
#define CHECK(w) check(w, sizeof(w) / sizeof(w[0]))

static void test_free_text(void **state)
{
	static const struct want w[] = {
	        {"", 0xf},
	        {"   ", 0xf},
	        {"moon", 0x1},
	        {"gw", 0x3},
	        {"GW-MOON", 0x1},
	        {"gw moon", 0x1},
	        {"  gw   moon  ", 0x1},
	        {"192.168", 0x3}, /* '.' is any character */
	        {"192x168", 0x0},
	        {"192\\.168.0.2", 0x2},
	        {"^gw-", 0x3},
	        {"sun$", 0x2},
	        {"(moon|sun)", 0x3},
	        {"^10\\.[0-9]+\\.0\\.", 0x5}, /* remote of row 2, ts of row 0 */
	        {"^(gw-){1}m[aeiou]{2}n$", 0x1},
	        {"^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", 0x7}, /* the IPv4 remotes */
	        {"(((g)))w{1,255}-", 0x3},
	        {"a\\\\b", 0x0},
	        {"conn", 0x6}, /* name of 2, state CONNECTING of 1 */
	        {"12", 0x4},   /* the number field */
	        {"caf", 0x8},
	        {"caf\xc3\xa9", 0x8},
	        {"alpha", 0x0}, /* not a visible field */
	        {"zz", 0x0},
	};
	CHECK(w);
}

static void test_fields(void **state)
{
	static const struct want w[] = {
	        {"state=established", 0x9},
	        {"STATE=Established", 0x9},
	        {"state=estab", 0x0}, /* the whole value */
	        {"state~^est", 0x9},
	        {"state~LISHED$", 0x9},
	        {"name~moon", 0x1},
	        {"name~gw-.", 0x3},
	        {"ts=10.0.0.0/24", 0x4}, /* any item of a list */
	        {"ts=10.1.0.0/16", 0x1},
	        {"ts=10.2.0.0/16", 0x1},
	        {"ts~^10\\.", 0x5},
	        {"ts=", 0x2}, /* empty or absent */
	        {"reqid=12", 0x4},
	        {"reqid=1", 0x1},
	        {"reqid=", 0x8},
	        {"secret=alpha", 0x1},
	        {"secret~^be", 0x2},
	        {"secret~zz", 0x8},
	        {"secret~moon", 0x0}, /* a value ends at its NUL */
	        {"secret=zz", 0x8},
	        {"state=established name~moon", 0x1},
	        {"state=established gw", 0x1},
	        {"name~", 0xf}, /* no constraint */
	};
	CHECK(w);
}

static void test_negation(void **state)
{
	static const struct want w[] = {
	        {"!moon", 0xe},
	        {"gw !moon", 0x2},
	        {"state!=established", 0x6},
	        {"!state=established", 0x6},
	        {"!state!=established", 0x9},
	        {"state!~^est", 0x6},
	        {"!state~^est", 0x6},
	        {"ts!~^10\\.", 0xa},
	        {"ts!=10.1.0.0/16", 0xe},
	        {"ts!=", 0xd},
	        {"reqid!=", 0x7},
	        {"!!moon", 0xf}, /* "!moon" as text is nowhere */
	};
	CHECK(w);
}

/* is:F holds when F has a non-empty value; it composes like any term. */
static void test_is(void **state)
{
	static const struct want w[] = {
	        {"is:reqid", 0x7},  {"IS:ReqID", 0x7}, {"!is:reqid", 0x8},
	        {"is:ts", 0xd},     {"is:ts gw", 0x1}, {"is:secret !moon", 0x2 | 0x8},
	        {"\"is:ts\"", 0x0}, /* quoted: the text is:ts, nowhere */
	};
	CHECK(w);
	struct filter *f;
	char err[512];
	assert_int_equal(filter_compile("is:stat", fields, NFIELDS, &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown field \"stat\" in \"is:stat\" (did you mean"));
	assert_int_equal(filter_compile("is:ts=x", fields, NFIELDS, &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"is:\" takes a field name only in \"is:ts=x\"");
	/* "is" alone and "is:" are free text */
	assert_int_equal(filter_compile("is: is", fields, NFIELDS, &f, err, sizeof(err)), 0);
	assert_int_equal(filter_terms(f), 2);
	filter_free(f);
}

/* Which fields a filter reads: named ones, and the visible ones for free text. */
static void test_uses(void **state)
{
	struct filter *f;
	char err[512];
	assert_false(filter_uses(NULL, "name"));
	assert_int_equal(filter_compile("secret=x", fields, NFIELDS, &f, err, sizeof(err)), 0);
	assert_true(filter_uses(f, "secret"));
	assert_false(filter_uses(f, "name"));
	filter_free(f);
	assert_int_equal(filter_compile("moon", fields, NFIELDS, &f, err, sizeof(err)), 0);
	assert_true(filter_uses(f, "name"));
	assert_true(filter_uses(f, "ts"));
	assert_false(filter_uses(f, "secret"));
	filter_free(f);
	assert_int_equal(filter_compile("!is:secret", fields, NFIELDS, &f, err, sizeof(err)), 0);
	assert_true(filter_uses(f, "secret"));
	filter_free(f);
}

static void test_quoting(void **state)
{
	static const struct want w[] = {
	        {"\"my conn\"", 0x4},
	        {"name=\"my conn\"", 0x4},
	        {"name=\"MY CONN\"", 0x4},
	        {"name=my\" \"conn", 0x4},
	        {"name=my\\ conn", 0x4},
	        {"my\\ conn", 0x4},
	        {"\"a=b\"", 0x8}, /* quoted: text, not a field */
	        {"\"ts=a=b\"", 0x0},
	        {"ts=\"a=b\"", 0x8},
	        {"\"gw\"\"-sun\"", 0x2},
	        {"a\"b c\"d", 0x0},
	        {"\"\"", 0xf},
	        {"\"x\\\"y\"", 0x0},
	        {"!\"my conn\"", 0xb},
	        {"\"state=established\"", 0x0},
	};
	CHECK(w);
	/* \" is a quote inside a value, and not the end of the quoted part */
	static const struct fake q = {"say \"hi\" now", "", "", {NULL}, 0, NULL, 0};
	struct filter *f;
	char err[256];
	assert_int_equal(filter_compile("name=\"say \\\"hi\\\" now\"", fields, NFIELDS, &f, err,
	                                sizeof(err)),
	                 0);
	assert_true(filter_match(f, &q));
	assert_false(filter_match(f, &rows[0]));
	filter_free(f);
	assert_int_equal(filter_compile("\"\\\"hi\\\"\"", fields, NFIELDS, &f, err, sizeof(err)),
	                 0);
	assert_true(filter_match(f, &q));
	filter_free(f);
}

static void check_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fail_msg("unprintable byte %#x in message", (unsigned char)*s);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} rows_[] = {
	        {"stat=up",
	         "unknown field \"stat\" in \"stat=up\" (did you mean \"state\"?); fields: "
	         "name, state, remote, ts, reqid, secret"},
	        {"gw bogus!=x",
	         "unknown field \"bogus\" in \"bogus!=x\"; fields: name, state, remote, "
	         "ts, reqid, secret"},
	        {"!Remot~x", "unknown field \"Remot\" in \"!Remot~x\" (did you mean \"remote\"?); "
	                     "fields: name, state, remote, ts, reqid, secret"},
	        {"foo( bar", "bad regular expression in \"foo(\": "},
	        {"name~[z-a]", "bad regular expression in \"name~[z-a]\": "},
	        {"a{2,1}", "bad regular expression in \"a{2,1}\": "},
	        {"\"abc", "unterminated quote in \"\"abc\""},
	        {"name=\"my conn", "unterminated quote in \"name=\"my conn\""},
	        {"moon !", "\"!\" needs a term after it in \"!\""},
	        {"!", "\"!\" needs a term after it in \"!\""},
	        {"x\x1b[31m(", "bad regular expression in \"x\\x1b[31m(\": "},
	        {"(a)\\1",
	         "bad regular expression in \"(a)\\1\": back-references are not supported"},
	        {"((a{30}){30}){30}",
	         "bad regular expression in \"((a{30}){30}){30}\": repetitions too large"},
	        {"(ab{50}){50}",
	         "bad regular expression in \"(ab{50}){50}\": repetitions too large"},
	        {"a+++", "bad regular expression in \"a+++\": a repetition right after another"},
	        {"!???+", "bad regular expression in \"!???+\": a repetition right after another"},
	        {"a{2}{3}",
	         "bad regular expression in \"a{2}{3}\": a repetition right after another"},
	        {"(x{40}y{40}){40}",
	         "bad regular expression in \"(x{40}y{40}){40}\": repetitions too large"},
	        {"a{256}", "bad regular expression in \"a{256}\": repetition count above 255"},
	        {"a{1,256}", "bad regular expression in \"a{1,256}\": repetition count above 255"},
	};
	for (size_t i = 0; i < sizeof(rows_) / sizeof(rows_[0]); i++) {
		struct filter *f = (struct filter *)1;
		char err[512];
		assert_int_equal(
		        filter_compile(rows_[i].text, fields, NFIELDS, &f, err, sizeof(err)),
		        -EINVAL);
		assert_null(f);
		check_printable(err);
		if (strncmp(err, rows_[i].want, strlen(rows_[i].want)))
			fail_msg("\"%s\": \"%s\", want \"%s...\"", rows_[i].text, err,
			         rows_[i].want);
		if (strstr(rows_[i].want, "regular") &&
		    strlen(err) <=
		            strlen("bad regular expression in \"\": ") + strlen(rows_[i].text))
			fail_msg("\"%s\": no reason in \"%s\"", rows_[i].text, err);
	}
	/* no field table: the message says so; small and missing buffers */
	struct filter *f;
	char err[16];
	assert_int_equal(filter_compile("a=b", NULL, 0, &f, err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(filter_compile("a=b", fields, NFIELDS, &f, NULL, 0), -EINVAL);
	char big[256];
	assert_int_equal(filter_compile("a=b", NULL, 0, &f, big, sizeof(big)), -EINVAL);
	assert_string_equal(big, "unknown field \"a\" in \"a=b\"; fields: none");
	/* a long term is cut in the message, which stays one line */
	char text[600];
	memset(text, 'x', sizeof(text));
	memcpy(text + 500, "=(", 3);
	assert_int_equal(filter_compile(text, fields, NFIELDS, &f, big, sizeof(big)), -EINVAL);
	check_printable(big);
	assert_true(strlen(big) < 200);
}

static void test_lazy(void **state)
{
	struct filter *f;
	char err[256];
	const unsigned none[6] = {0};

	assert_int_equal(filter_compile("name=gw-moon", fields, NFIELDS, &f, err, sizeof(err)), 0);
	memset(calls, 0, sizeof(calls));
	assert_false(filter_match(f, &rows[1]));
	assert_int_equal(calls[0], 1);
	assert_memory_equal(calls + 1, none, sizeof(unsigned) * 5);
	filter_free(f);

	/* free text asks the visible fields in order until one matches */
	assert_int_equal(filter_compile("gw", fields, NFIELDS, &f, err, sizeof(err)), 0);
	memset(calls, 0, sizeof(calls));
	assert_true(filter_match(f, &rows[0]));
	assert_int_equal(calls[0], 1);
	assert_memory_equal(calls + 1, none, sizeof(unsigned) * 5);
	filter_free(f);
	assert_int_equal(filter_compile("192.168.0.1", fields, NFIELDS, &f, err, sizeof(err)), 0);
	memset(calls, 0, sizeof(calls));
	assert_true(filter_match(f, &rows[0]));
	assert_int_equal(calls[0] + calls[1] + calls[2], 3);
	assert_int_equal(calls[3] + calls[4] + calls[5], 0);
	memset(calls, 0, sizeof(calls));
	assert_false(filter_match(f, &rows[3]));
	assert_int_equal(calls[0] + calls[1] + calls[2] + calls[3] + calls[4], 5);
	assert_int_equal(calls[5], 0); /* never the hidden field */
	filter_free(f);

	/* the cheap term first, and nothing after a term that fails */
	assert_int_equal(
	        filter_compile("moon state=connecting", fields, NFIELDS, &f, err, sizeof(err)), 0);
	assert_int_equal(filter_terms(f), 2);
	memset(calls, 0, sizeof(calls));
	assert_false(filter_match(f, &rows[0]));
	assert_int_equal(calls[1], 1);
	assert_int_equal(calls[0] + calls[2] + calls[3] + calls[4] + calls[5], 0);
	filter_free(f);

	assert_int_equal(filter_compile("  ", fields, NFIELDS, &f, err, sizeof(err)), 0);
	assert_null(f);
	assert_int_equal(filter_terms(f), 0);
	assert_true(filter_match(NULL, &rows[0]));
	filter_free(NULL);
}

/* One field holding one value, to compare patterns with regexec(). */
static bool get_self(const void *row, filter_visit_fn visit, void *ctx)
{
	return visit(ctx, row, strlen(row));
}

/* The shortcuts answer what regexec() answers: every pattern against every
 * value, as free text and as f~PATTERN. */
static void test_same_as_regexec(void **state)
{
	static const char *const pats[] = {
	        "abc",      "a.c",          "a\\.c",
	        "ab*c",     "ab+c",         "ab?c",
	        "a{2}b",    "x(ab)*y",      "[0-9]+\\.[0-9]",
	        "^ab",      "c$",           "a|z",
	        "(a|b)c",   "\\bfoo",       "\\<foo",
	        "a\\-b",    "[[:alpha:]]x", "[]a]b",
	        "\xc3\xa9", ".\xc3\xa9",    "k",
	        "caf.",     "CAF",          "1\\.2",
	        "..",       "b+c+",         "(ab|cd)ef",
	        "a[.]c",    "x{0}y",        "a.*c",
	        "[^a]bc",   "ab{1,}c",      "\\.",
	        "(a)(b)c",  "o b",          "\\(a\\)",
	        "ab\\+",    "f[o]+ ?b",     "^$",
	        "()ab",     "a(b+)*c",      "a(b+)?c",
	        "(ab+)+c",  "(ab*)+c",      "a(b{2})+c",
	};
	static const char *const vals[] = {
	        "abc",
	        "ABC",
	        "a.c",
	        "axc",
	        "abbc",
	        "ac",
	        "aabb",
	        "xy",
	        "xababy",
	        "12.5",
	        "zzz",
	        "foo bar",
	        "a-b",
	        "]b",
	        "Caf\xc3\xa9",
	        "CAF\xc3\x89",
	        "KELVIN",
	        "\xe2\x84\xaa",
	        "",
	        "1x2",
	        "zbc",
	        "(a)",
	        "ab+",
	        "cdef",
	        "abcdef",
	        "\xff\xfe",
	        "a\xff"
	        "c",
	        "xaby",
	        "fob",
	        "a\nc",
	};
	const struct filter_field one[] = {{"f", true, get_self}};
	char text[64];
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		regex_t re;
		assert_int_equal(regcomp(&re, pats[i], REG_EXTENDED | REG_ICASE | REG_NOSUB), 0);
		for (int form = 0; form < 2; form++) {
			struct filter *f;
			char err[256];
			snprintf(text, sizeof(text), form ? "f~\"%s\"" : "\"%s\"", pats[i]);
			if (filter_compile(text, one, 1, &f, err, sizeof(err)))
				fail_msg("%s: %s", text, err);
			for (size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
				bool want = regexec(&re, vals[j], 0, NULL, 0) == 0;
				if (filter_match(f, vals[j]) != want)
					fail_msg("%s on \"%s\": %d, regexec says %d", text, vals[j],
					         !want, want);
			}
			filter_free(f);
		}
		regfree(&re);
	}
}

static void test_long_values(void **state)
{
	char *v = malloc(5001);
	assert_non_null(v);
	memset(v, 'a', 5000);
	v[5000] = '\0';
	v[4990] = 'Z';
	const struct filter_field one[] = {{"f", true, get_self}};
	struct filter *f;
	char err[128];
	assert_int_equal(filter_compile("z[a]+$", one, 1, &f, err, sizeof(err)), 0);
	assert_true(filter_match(f, v));
	v[4990] = 'a';
	assert_false(filter_match(f, v));
	filter_free(f);
	free(v);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "no C.UTF-8 locale\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_free_text),
	        cmocka_unit_test(test_fields),
	        cmocka_unit_test(test_negation),
	        cmocka_unit_test(test_quoting),
	        cmocka_unit_test(test_is),
	        cmocka_unit_test(test_uses),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_lazy),
	        cmocka_unit_test(test_same_as_regexec),
	        cmocka_unit_test(test_long_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
