/*
 * libFuzzer target for the filter language (src/model/filter.c):
 *  - the input as a filter text, compiled against a fixed SA-like field
 *    table: either a filter that matches the fixed rows the same way twice,
 *    or -EINVAL with a one-line printable message;
 *  - the input's first line P as f~"P" and f="P" against the fixed values
 *    and the input's other lines as values: the answer is exactly what
 *    regexec() says of P (case-insensitive ERE) and what an ASCII
 *    case-insensitive comparison says of P, whatever shortcut the filter
 *    took.
 * Crashes, sanitizer reports and aborts are the findings.
 */
#include <errno.h>
#include <locale.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/filter.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's own code is not what is being fuzzed: its checks would
 * count as features (and cost libFuzzer a lookup each, every run). */
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_ALL, "C.UTF-8");
	return 0;
}

struct val {
	const char *s;
	size_t len;
};

/* A row: one value list per field (at most 3 values; len 0 and s NULL for
 * the end). */
struct row {
	struct val v[6][3];
};

#define GETTER(i)                                                                                  \
	static bool get_##i(const void *row, filter_visit_fn visit, void *ctx)                     \
	{                                                                                          \
		const struct row *r = row;                                                         \
		for (int k = 0; k < 3 && r->v[i][k].s; k++)                                        \
			if (visit(ctx, r->v[i][k].s, r->v[i][k].len))                              \
				return true;                                                       \
		return false;                                                                      \
	}
GETTER(0)
GETTER(1)
GETTER(2)
GETTER(3)
GETTER(4)
GETTER(5)

static const struct filter_field fields[] = {
        {"name", true, get_0}, {"state", true, get_1}, {"remote", true, get_2},
        {"ts", true, get_3},   {"reqid", true, get_4}, {"uniqueid", false, get_5},
};

#define V(s)                                                                                       \
	{                                                                                          \
		s, sizeof(s) - 1                                                                   \
	}
static char long_value[600];
static struct row rows[] = {
        {{{V("gw-moon")},
          {V("ESTABLISHED")},
          {V("192.168.0.1")},
          {V("10.1.0.0/16"), V("10.2.0.0/16")},
          {V("1")},
          {V("17")}}},
        {{{V("gw-sun")}, {V("CONNECTING")}, {V("fe80::1")}, {{NULL, 0}}, {V("2")}, {V("3")}}},
        {{{V("caf\xc3\xa9")},
          {V("INSTALLED")},
          {V("\xff\xfe\x1b[31m")},
          {V("a=b"), V("")},
          {{NULL, 0}},
          {V("x\0y")}}},
        {{{V("KELVIN \xe2\x84\xaa")},
          {V("")},
          {{long_value, sizeof(long_value)}},
          {V("a\nb")},
          {V("12")},
          {{NULL, 0}}}},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static void check_message(const char *err)
{
	if (!err[0])
		abort();
	for (const char *c = err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
}

static void check_text(const char *text)
{
	struct filter *f = (struct filter *)1;
	char err[256];
	int rc = filter_compile(text, fields, NFIELDS, &f, err, sizeof(err));
	if (rc) {
		if (rc != -EINVAL || f)
			abort();
		check_message(err);
		return;
	}
	for (size_t i = 0; i < NROWS; i++)
		if (filter_match(f, &rows[i]) != filter_match(f, &rows[i]))
			abort();
	filter_free(f);
}

static bool get_one(const void *row, filter_visit_fn visit, void *ctx)
{
	const struct val *v = row;
	return visit(ctx, v->s, v->len);
}

/* The first line as a pattern, against every value of the rows and the
 * other lines. */
static void check_pattern(const char *pat, const struct val *vals, size_t nvals)
{
	static const struct filter_field one[] = {{"f", true, get_one}};
	if (!pat[0] || strchr(pat, '"') || strlen(pat) > 200)
		return;
	char text[256];
	regex_t re;
	struct filter *re_f = NULL, *eq_f = NULL;
	char err[256];
	snprintf(text, sizeof(text), "f~\"%s\"", pat);
	int rc = filter_compile(text, one, 1, &re_f, err, sizeof(err));
	/* regcomp() is asked only what the filter gave it: not what it refused
	 * before regcomp() could blow up, nor a pattern that cannot be quoted
	 * (a trailing backslash escapes the closing quote) */
	bool asked =
	        !rc || (strstr(err, "bad regular expression") && !strstr(err, "back-references") &&
	                !strstr(err, "repetition") && !strstr(err, "nested"));
	if (!asked)
		return;
	bool regex_ok = regcomp(&re, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0;
	if (rc && regex_ok)
		abort();
	if (!rc && !regex_ok)
		abort();
	bool plain = !strchr(pat, '\\');
	if (plain) {
		snprintf(text, sizeof(text), "f=\"%s\"", pat);
		if (filter_compile(text, one, 1, &eq_f, err, sizeof(err)))
			abort();
	}
	for (size_t i = 0; i < nvals; i++) {
		const struct val *v = &vals[i];
		size_t len = strnlen(v->s, v->len);
		char *z = strndup(v->s, len);
		if (!z)
			abort();
		if (!rc && filter_match(re_f, v) != (regexec(&re, z, 0, NULL, 0) == 0))
			abort();
		if (plain) {
			bool same = strlen(pat) == len;
			for (size_t k = 0; same && k < len; k++) {
				unsigned char a = (unsigned char)pat[k], b = (unsigned char)z[k];
				same = a == b ||
				       (a < 0x80 && b < 0x80 && (a | 0x20) == (b | 0x20) &&
				        ((a | 0x20) >= 'a' && (a | 0x20) <= 'z'));
			}
			if (filter_match(eq_f, v) != same)
				abort();
		}
		free(z);
	}
	if (regex_ok)
		regfree(&re);
	filter_free(re_f);
	filter_free(eq_f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	if (!long_value[0]) {
		memset(long_value, 'a', sizeof(long_value));
		memcpy(long_value + 500, "gw-Moon", 7);
	}
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	check_text(text);

	/* first line: a pattern; the other lines: values (any bytes) */
	struct val vals[64];
	size_t nvals = 0;
	for (size_t i = 0; i < NROWS; i++)
		for (size_t f = 0; f < NFIELDS; f++)
			for (size_t k = 0; k < 3 && rows[i].v[f][k].s && nvals < 40; k++)
				vals[nvals++] = rows[i].v[f][k];
	char *nl = memchr(text, '\n', size);
	if (nl) {
		*nl = '\0';
		const char *p = nl + 1, *end = text + size;
		while (p <= end && nvals < 64) {
			const char *e = memchr(p, '\n', (size_t)(end - p));
			if (!e)
				e = end;
			vals[nvals].s = p;
			vals[nvals++].len = (size_t)(e - p);
			p = e + 1;
		}
	}
	check_pattern(text, vals, nvals);
	free(text);
	return 0;
}
#pragma clang attribute pop
