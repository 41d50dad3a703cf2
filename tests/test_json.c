/*
 * Tests of src/util/json.c: VICI -> JSON writer, JSON -> VICI reader, the
 * sanitiser, and round trips through both.
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

#include "util/json.h"
#include "vici/wire.h"
#include "vici/xmalloc.h"

/* Element rows, indented to show nesting: type, name, value. */
struct row {
	enum vici_element_type type;
	const char *name;
	const char *value;
	size_t value_len; /* 0: strlen(value) */
};

#define SEC(n)                                                                                     \
	{                                                                                          \
		VICI_SECTION_START, n, NULL, 0                                                     \
	}
#define END                                                                                        \
	{                                                                                          \
		VICI_SECTION_END, NULL, NULL, 0                                                    \
	}
#define KV(n, v)                                                                                   \
	{                                                                                          \
		VICI_KEY_VALUE, n, v, 0                                                            \
	}
#define KVB(n, v, l)                                                                               \
	{                                                                                          \
		VICI_KEY_VALUE, n, v, l                                                            \
	}
#define LIST(n)                                                                                    \
	{                                                                                          \
		VICI_LIST_START, n, NULL, 0                                                        \
	}
#define ITEM(v)                                                                                    \
	{                                                                                          \
		VICI_LIST_ITEM, NULL, v, 0                                                         \
	}
#define LEND                                                                                       \
	{                                                                                          \
		VICI_LIST_END, NULL, NULL, 0                                                       \
	}

static uint8_t *build(const struct row *rows, size_t n, size_t *len)
{
	struct vici_builder b;
	vici_builder_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		size_t vl = r->value ? (r->value_len ? r->value_len : strlen(r->value)) : 0;
		switch (r->type) {
		case VICI_SECTION_START:
			vici_builder_section_start(&b, r->name);
			break;
		case VICI_SECTION_END:
			vici_builder_section_end(&b);
			break;
		case VICI_KEY_VALUE:
			vici_builder_add(&b, r->name, r->value, vl);
			break;
		case VICI_LIST_START:
			vici_builder_list_start(&b, r->name);
			break;
		case VICI_LIST_ITEM:
			vici_builder_list_item(&b, r->value, vl);
			break;
		case VICI_LIST_END:
			vici_builder_list_end(&b);
			break;
		}
	}
	uint8_t *msg;
	assert_int_equal(vici_builder_finish(&b, &msg, len), 0);
	return msg;
}

static char *to_json(const uint8_t *msg, size_t len, unsigned flags)
{
	struct json_buf b;
	json_buf_init(&b);
	assert_int_equal(json_put_message(&b, msg, len, flags, 0), 0);
	return b.p;
}

#define ROWS_JSON(rows, flags) rows_json(rows, sizeof(rows) / sizeof(rows[0]), flags)

static char *rows_json(const struct row *rows, size_t n, unsigned flags)
{
	size_t len;
	uint8_t *msg = build(rows, n, &len);
	char *s = to_json(msg, len, flags);
	free(msg);
	return s;
}

/* clang-format off */
static const struct row every_type[] = {
	KV("version", "5.9.8"),
	SEC("gw"),
		KV("state", "ESTABLISHED"),
		LIST("local-vips"),
			ITEM("10.0.0.1"),
			ITEM("fd00::1"),
		LEND,
		SEC("child-sas"),
			SEC("net-1"),
				KV("bytes-in", "0"),
			END,
			SEC("empty"),
			END,
		END,
		LIST("tasks-queued"),
		LEND,
	END,
	KV("empty-value", ""),
};
/* clang-format on */

static void test_writer_compact(void **state)
{
	char *s = ROWS_JSON(every_type, 0);
	assert_string_equal(s, "{\"version\":\"5.9.8\",\"gw\":{\"state\":\"ESTABLISHED\","
	                       "\"local-vips\":[\"10.0.0.1\",\"fd00::1\"],\"child-sas\":{\"net-1\":"
	                       "{\"bytes-in\":\"0\"},\"empty\":{}},\"tasks-queued\":[]},"
	                       "\"empty-value\":\"\"}");
	free(s);
}

static void test_writer_pretty(void **state)
{
	char *s = ROWS_JSON(every_type, JSON_PRETTY);
	assert_string_equal(s, "{\n"
	                       "  \"version\": \"5.9.8\",\n"
	                       "  \"gw\": {\n"
	                       "    \"state\": \"ESTABLISHED\",\n"
	                       "    \"local-vips\": [\n"
	                       "      \"10.0.0.1\",\n"
	                       "      \"fd00::1\"\n"
	                       "    ],\n"
	                       "    \"child-sas\": {\n"
	                       "      \"net-1\": {\n"
	                       "        \"bytes-in\": \"0\"\n"
	                       "      },\n"
	                       "      \"empty\": {}\n"
	                       "    },\n"
	                       "    \"tasks-queued\": []\n"
	                       "  },\n"
	                       "  \"empty-value\": \"\"\n"
	                       "}");
	free(s);
}

static void test_writer_empty(void **state)
{
	char *s = to_json((const uint8_t *)"", 0, 0);
	assert_string_equal(s, "{}");
	free(s);
	s = to_json((const uint8_t *)"", 0, JSON_PRETTY);
	assert_string_equal(s, "{}");
	free(s);
}

static void test_writer_escaping(void **state)
{
	/* clang-format off */
	static const struct row rows[] = {
		KV("msg", "\x1b[31mred\x1b[0m \"q\" back\\slash\n\ttab\x7f"),
		KV("c1", "csi\xc2\x9b" "2J"),
		KV("ls", "a\xe2\x80\xa8" "b"),
		KV("utf8", "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x94\x91"),
		LIST("l"),
			ITEM("\x07"),
		LEND,
	};
	/* clang-format on */
	char *s = ROWS_JSON(rows, 0);
	assert_string_equal(s, "{\"msg\":\"\\u001b[31mred\\u001b[0m \\\"q\\\" back\\\\slash"
	                       "\\u000a\\u0009tab\\u007f\",\"c1\":\"csi\\u009b2J\","
	                       "\"ls\":\"a\\u2028b\",\"utf8\":\"gr\xc3\xbc\xc3\x9f \xe2\x82\xac "
	                       "\xf0\x9f\x94\x91\",\"l\":[\"\\u0007\"]}");
	/* nothing below 0x20 and no DEL is left raw */
	for (const char *c = s; *c; c++)
		assert_true((unsigned char)*c >= 0x20 && *c != 0x7f);
	free(s);
}

static void test_writer_binary(void **state)
{
	/* clang-format off */
	static const struct row rows[] = {
		KVB("nul", "a\0b", 3),
		KV("ff", "\xff"),
		KV("two", "\xc3\x28"),
		KV("overlong", "\xc0\xaf"),
		KV("surrogate", "\xed\xa0\x80"),
		KV("big", "\xf4\x90\x80\x80"),
		KV("trunc", "ab\xe2\x82"),
		LIST("der"),
			ITEM("\x30\x82\x01"),
		LEND,
	};
	/* clang-format on */
	char *s = ROWS_JSON(rows, 0);
	assert_string_equal(s, "{\"nul\":{\"base64\":\"YQBi\"},\"ff\":{\"base64\":\"/w==\"},"
	                       "\"two\":{\"base64\":\"wyg=\"},\"overlong\":{\"base64\":\"wK8=\"},"
	                       "\"surrogate\":{\"base64\":\"7aCA\"},"
	                       "\"big\":{\"base64\":\"9JCAgA==\"},"
	                       "\"trunc\":{\"base64\":\"YWLigg==\"},"
	                       "\"der\":[{\"base64\":\"MIIB\"}]}");
	free(s);
}

static void test_writer_bad_names_and_dups(void **state)
{
	/* clang-format off */
	static const struct row rows[] = {
		KV("na\xffme", "x"),
		KV("dup", "1"),
		KV("dup", "2"),
		SEC("\x1b]0;title\x07"),
		END,
	};
	/* clang-format on */
	char *s = ROWS_JSON(rows, 0);
	assert_string_equal(s, "{\"na\xef\xbf\xbdme\":\"x\",\"dup\":\"1\",\"dup\":\"2\","
	                       "\"\\u001b]0;title\\u0007\":{}}");
	free(s);
}

static void test_writer_malformed(void **state)
{
	static const uint8_t bad[][8] = {
	        {1, 1, 'a'},            /* unclosed section */
	        {2},                    /* section end at root */
	        {3, 1, 'k', 0, 5, 'x'}, /* truncated value */
	        {9},                    /* unknown element */
	};
	static const size_t len[] = {3, 1, 6, 1};
	for (size_t i = 0; i < 4; i++) {
		struct json_buf b;
		json_buf_init(&b);
		assert_int_equal(json_put_message(&b, bad[i], len[i], 0, 0), -EBADMSG);
		json_buf_free(&b);
	}
}

static void test_writer_indent_embed(void **state)
{
	/* clang-format off */
	static const struct row rows[] = {KV("a", "1")};
	size_t len;
	uint8_t *msg = build(rows, 1, &len);
	struct json_buf b;
	json_buf_init(&b);
	assert_int_equal(json_put_message(&b, msg, len, JSON_PRETTY, 1), 0);
	assert_string_equal(b.p, "{\n    \"a\": \"1\"\n  }");
	json_buf_free(&b);
	free(msg);
}

/* ---- reader ---- */

static int parse(const char *json, const struct json_kv *kv, size_t nkv, uint8_t **msg,
		 size_t *len, char *err, size_t errlen)
{
	struct vici_builder b;
	vici_builder_init(&b);
	int r = json_to_vici(json, json ? strlen(json) : 0, kv, nkv, &b, err, errlen);
	if (r) {
		vici_builder_reset(&b);
		return r;
	}
	return vici_builder_finish(&b, msg, len);
}

static void assert_parses_to(const char *json, const struct row *rows, size_t n)
{
	uint8_t *got, *want;
	size_t got_len, want_len;
	char err[256];
	int r = parse(json, NULL, 0, &got, &got_len, err, sizeof(err));
	if (r)
		fail_msg("%s: %s", json, err);
	want = build(rows, n, &want_len);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
	free(got);
	free(want);
}

static void test_reader_valid(void **state)
{
	static const struct row rows[] = {
		KV("ike", "gw"),
		KV("timeout", "3000"),
		KV("neg", "-1"),
		KV("yes", "yes"),
		KV("no", "no"),
		SEC("gw"),
			LIST("remote_addrs"),
				ITEM("192.0.2.1"),
				ITEM("42"),
				ITEM("yes"),
			LEND,
			SEC("children"),
				SEC("net"),
				END,
			END,
			LIST("empty"),
			LEND,
		END,
		KV("esc", "\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x94\x91"),
		KV("utf8", "\xe2\x82\xac"),
		KV("empty", ""),
	};
	/* clang-format on */
	assert_parses_to(
	        " {\"ike\": \"gw\", \"timeout\": 3000, \"neg\": -1, \"yes\": true,"
	        "\"no\":false, \"skip\": null,\n\t\"gw\": {\"remote_addrs\": "
	        "[\"192.0.2.1\", 42, null, true], \"children\": {\"net\": {}}, "
	        "\"empty\": []}, \"esc\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\udd11\","
	        "\"utf8\": \"\xe2\x82\xac\", \"empty\": \"\"}\r\n",
	        rows, sizeof(rows) / sizeof(rows[0]));
	assert_parses_to("{}", NULL, 0);
	assert_parses_to("\xef\xbb\xbf{}", NULL, 0);
}

static void test_reader_kv(void **state)
{
	/* clang-format off */
	static const struct row rows[] = {
		KV("ike", "gw"),
		KV("child", "net=1"),
		KV("timeout", "5"),
	};
	/* clang-format on */
	const struct json_kv kv[] = {{"ike", "gw"}, {"child", "net=1"}};
	uint8_t *msg;
	size_t len, want_len;
	char err[256];
	assert_int_equal(parse("{\"timeout\":5}", kv, 2, &msg, &len, err, sizeof(err)), 0);
	uint8_t *want = build(rows, 3, &want_len);
	assert_int_equal(len, want_len);
	assert_memory_equal(msg, want, len);
	free(msg);
	free(want);

	/* pairs only */
	assert_int_equal(parse(NULL, kv, 2, &msg, &len, err, sizeof(err)), 0);
	want = build(rows, 2, &want_len);
	assert_int_equal(len, want_len);
	assert_memory_equal(msg, want, len);
	free(msg);
	free(want);

	/* a key given twice: on the command line, or once there and once in JSON */
	const struct json_kv twice[] = {{"ike", "a"}, {"ike", "b"}};
	assert_int_equal(parse(NULL, twice, 2, &msg, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'ike' given twice"));
	assert_int_equal(
	        parse("{\"x\":{\"ike\":1},\"ike\":\"c\"}", kv, 1, &msg, &len, err, sizeof(err)),
	        -EINVAL);
	assert_non_null(strstr(err, "\"ike\" given twice"));
	assert_non_null(strstr(err, "column 16"));
	const struct json_kv empty[] = {{"", "x"}};
	assert_int_equal(parse(NULL, empty, 1, &msg, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "1..255"));
}

struct bad_case {
	const char *json;
	const char *err;
};

static void test_reader_errors(void **state)
{
	static const struct bad_case cases[] = {
	        {"", "empty JSON input"},
	        {"   \n ", "empty JSON input"},
	        {"[]", "top level must be an object"},
	        {"\"x\"", "top level must be an object"},
	        {"{\"a\": [[\"x\"]]}", "line 1, column 8: nested arrays"},
	        {"{\"a\": [{\"x\":1}]}", "arrays of objects"},
	        {"{\"a\": [\"x\",\n {}]}", "line 2, column 2: arrays of objects"},
	        {"{\"a\": 1} x", "trailing characters"},
	        {"{\"a\": 1}{}", "trailing characters"},
	        {"{\"a\" 1}", "expected ':'"},
	        {"{\"a\": 1,}", "expected a key"},
	        {"{a: 1}", "expected a key"},
	        {"{\"a\": 1", "unterminated object"},
	        {"{\"a\": \"x", "unterminated string"},
	        {"{\"a\": [\"x\"", "unterminated array"},
	        {"{\"a\": [\"x\" \"y\"]}", "expected ',' or ']'"},
	        {"{\"a\": 1 \"b\": 2}", "expected ',' or '}'"},
	        {"{\"a\": tru}", "expected a value"},
	        {"{\"a\": nulll}", "expected a value"},
	        {"{\"a\": 'x'}", "expected a value"},
	        {"{\"a\": 1.5}", "only integers"},
	        {"{\"a\": 1e3}", "only integers"},
	        {"{\"a\": 01}", "leading zero"},
	        {"{\"a\": -}", "invalid number"},
	        {"{\"a\": 12abc}", "invalid number"},
	        {"{\"a\": 18446744073709551616}", "out of range"},
	        {"{\"a\": 99999999999999999999999999}", "out of range"},
	        {"{\"a\": -9223372036854775809}", "out of range"},
	        {"{\"a\": \"x\ty\"}", "control character"},
	        {"{\"a\": \"\\x\"}", "invalid escape"},
	        {"{\"a\": \"\\u12\"}", "invalid \\u escape"},
	        {"{\"a\": \"\\ud800\"}", "high surrogate"},
	        {"{\"a\": \"\\udc00\"}", "lone low surrogate"},
	        {"{\"a\": \"\xff\"}", "invalid UTF-8"},
	        {"{\"\": 1}", "1..255"},
	        {"{\"a\\u0000b\": 1}", "NUL"},
	        {"{\"a\": 1, \"a\": 2}", "\"a\" given twice"},
	        {"{\"s\": {\"a\": 1, \"a\": 2}}", "\"a\" given twice"},
	        {"{\"\\u001b[2J\": 1, \"\\u001b[2J\": 2}", "\"\\x1b[2J\" given twice"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *msg = NULL;
		size_t len;
		char err[256];
		int r = parse(cases[i].json, NULL, 0, &msg, &len, err, sizeof(err));
		if (r != -EINVAL)
			fail_msg("case %zu (%s): accepted", i, cases[i].json);
		if (!strstr(err, cases[i].err))
			fail_msg("case %zu (%s): error \"%s\", want \"%s\"", i, cases[i].json, err,
			         cases[i].err);
	}
}

static void test_reader_same_key_in_different_objects(void **state)
{
	/* clang-format off */
	static const struct row rows[] = {
		SEC("a"),
			KV("x", "1"),
		END,
		SEC("b"),
			KV("x", "2"),
			SEC("a"),
				KV("x", "3"),
			END,
		END,
		KV("x", "4"),
	};
	/* clang-format on */
	assert_parses_to("{\"a\":{\"x\":1},\"b\":{\"x\":2,\"a\":{\"x\":3}},\"x\":4}", rows,
	                 sizeof(rows) / sizeof(rows[0]));
}

static char *nested(unsigned depth, const char *open, const char *inner, const char *close)
{
	struct json_buf b;
	json_buf_init(&b);
	json_buf_putc(&b, '{');
	for (unsigned i = 1; i < depth; i++)
		json_buf_puts(&b, open);
	json_buf_puts(&b, inner);
	for (unsigned i = 1; i < depth; i++)
		json_buf_puts(&b, close);
	json_buf_putc(&b, '}');
	return b.p;
}

static void test_reader_depth(void **state)
{
	uint8_t *msg;
	size_t len;
	char err[256];
	char *ok = nested(JSON_DEPTH_MAX, "\"s\":{", "\"k\":\"v\"", "}");
	assert_int_equal(parse(ok, NULL, 0, &msg, &len, err, sizeof(err)), 0);
	free(msg);
	free(ok);
	char *deep = nested(JSON_DEPTH_MAX + 1, "\"s\":{", "\"k\":\"v\"", "}");
	assert_int_equal(parse(deep, NULL, 0, &msg, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nesting deeper"));
	free(deep);
	/* a list at the limit counts as one level */
	char *list = nested(JSON_DEPTH_MAX, "\"s\":{", "\"l\":[\"v\"]", "}");
	assert_int_equal(parse(list, NULL, 0, &msg, &len, err, sizeof(err)), -EINVAL);
	free(list);
	/* far deeper than the stack would like: refused, not crashed */
	char *huge = nested(100000, "\"s\":{", "", "}");
	assert_int_equal(parse(huge, NULL, 0, &msg, &len, err, sizeof(err)), -EINVAL);
	free(huge);
}

static void test_reader_limits(void **state)
{
	uint8_t *msg;
	size_t len;
	char err[256];
	struct json_buf b;
	json_buf_init(&b);
	json_buf_puts(&b, "{\"v\":\"");
	for (unsigned i = 0; i < VICI_VALUE_MAX; i++)
		json_buf_putc(&b, 'x');
	json_buf_puts(&b, "\"}");
	assert_int_equal(parse(b.p, NULL, 0, &msg, &len, err, sizeof(err)), 0);
	free(msg);
	b.len -= 2;
	json_buf_puts(&b, "x\"}");
	assert_int_equal(parse(b.p, NULL, 0, &msg, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "value too long"));
	json_buf_free(&b);

	json_buf_puts(&b, "{\"");
	for (unsigned i = 0; i < VICI_NAME_MAX + 1; i++)
		json_buf_putc(&b, 'k');
	json_buf_puts(&b, "\":1}");
	assert_int_equal(parse(b.p, NULL, 0, &msg, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "1..255"));
	json_buf_free(&b);

	/* numbers at the edges of the range are passed as their text */
	assert_int_equal(parse("{\"a\":18446744073709551615,\"b\":-9223372036854775808}", NULL, 0,
	                       &msg, &len, err, sizeof(err)),
	                 0);
	const uint8_t *v;
	size_t vl;
	assert_int_equal(vici_message_find(msg, len, "a", &v, &vl), 0);
	assert_true(vici_eq(v, vl, "18446744073709551615"));
	assert_int_equal(vici_message_find(msg, len, "b", &v, &vl), 0);
	assert_true(vici_eq(v, vl, "-9223372036854775808"));
	free(msg);

	/* a NULL err buffer size is allowed */
	assert_int_equal(parse("{", NULL, 0, &msg, &len, err, 0), -EINVAL);
}

static void test_reader_many_keys(void **state)
{
	/* enough keys to grow the duplicate set several times */
	struct json_buf b;
	json_buf_init(&b);
	json_buf_putc(&b, '{');
	for (unsigned i = 0; i < 5000; i++)
		json_buf_printf(&b, "%s\"k%u\":%u", i ? "," : "", i, i);
	json_buf_putc(&b, '}');
	uint8_t *msg;
	size_t len;
	char err[256];
	assert_int_equal(parse(b.p, NULL, 0, &msg, &len, err, sizeof(err)), 0);
	const uint8_t *v;
	size_t vl;
	assert_int_equal(vici_message_find(msg, len, "k4999", &v, &vl), 0);
	assert_true(vici_eq(v, vl, "4999"));
	free(msg);
	b.len--;
	json_buf_puts(&b, ",\"k1234\":0}");
	assert_int_equal(parse(b.p, NULL, 0, &msg, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\"k1234\" given twice"));
	json_buf_free(&b);
}

static void round_trip(const char *in, const char *want)
{
	uint8_t *msg;
	size_t len;
	char err[256];
	int r = parse(in, NULL, 0, &msg, &len, err, sizeof(err));
	if (r)
		fail_msg("%s: %s", in, err);
	char *out = to_json(msg, len, 0);
	assert_string_equal(out, want ? want : in);
	free(out);
	free(msg);
}

static void test_round_trip(void **state)
{
	round_trip("{\"gw\":{\"version\":\"2\",\"local_addrs\":[\"192.0.2.1\"],\"local\":{"
	           "\"auth\":\"psk\",\"id\":\"left@example.org\"},\"remote\":{\"auth\":\"psk\"},"
	           "\"children\":{\"net\":{\"local_ts\":[\"10.1.0.0/16\",\"10.3.0.0/16\"],"
	           "\"remote_ts\":[],\"start_action\":\"none\"}}},\"z\":\"\"}",
	           NULL);
	round_trip("{\"a\":\"\\u001b[0m\\u0000\\\"\\\\\",\"b\":\"\xc3\xa9\"}",
	           "{\"a\":{\"base64\":\"G1swbQAiXA==\"},\"b\":\"\xc3\xa9\"}");
	round_trip(
	        "{ \"n\" : 42 , \"t\" : true, \"f\": false, \"x\": null, \"l\": [1, null, \"a\"] }",
	        "{\"n\":\"42\",\"t\":\"yes\",\"f\":\"no\",\"l\":[\"1\",\"a\"]}");
	round_trip("{\"a\":\"\\u001f\\u007f\\u0080\\u009f\\u2028\"}", NULL);

	/* and VICI -> JSON -> VICI gives back the same bytes */
	size_t len, len2;
	uint8_t *msg = build(every_type, sizeof(every_type) / sizeof(every_type[0]), &len);
	char *json = to_json(msg, len, JSON_PRETTY);
	uint8_t *msg2;
	char err[256];
	assert_int_equal(parse(json, NULL, 0, &msg2, &len2, err, sizeof(err)), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(msg, msg2, len);
	free(json);
	free(msg);
	free(msg2);
}

static void test_sanitize(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
	        {"plain text", 0, "plain text"},
	        {"\x1b[31mred\x1b]0;t\x07", 0, "\\x1b[31mred\\x1b]0;t\\x07"},
	        {"a\nb\tc\\d", 0, "a\\nb\\tc\\d"},
	        {"\xc3\xa9\xc2\x9b\xff\x7f", 0, "\xc3\xa9\\u009b\\xff\\x7f"},
	        {"a\0b", 3, "a\\x00b"},
	        {"", 0, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		char *s = json_sanitize(cases[i].in, len);
		assert_string_equal(s, cases[i].out);
		/* idempotent */
		char *again = json_sanitize(s, strlen(s));
		assert_string_equal(again, s);
		free(again);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_writer_compact),
	        cmocka_unit_test(test_writer_pretty),
	        cmocka_unit_test(test_writer_empty),
	        cmocka_unit_test(test_writer_escaping),
	        cmocka_unit_test(test_writer_binary),
	        cmocka_unit_test(test_writer_bad_names_and_dups),
	        cmocka_unit_test(test_writer_malformed),
	        cmocka_unit_test(test_writer_indent_embed),
	        cmocka_unit_test(test_reader_valid),
	        cmocka_unit_test(test_reader_kv),
	        cmocka_unit_test(test_reader_errors),
	        cmocka_unit_test(test_reader_same_key_in_different_objects),
	        cmocka_unit_test(test_reader_depth),
	        cmocka_unit_test(test_reader_limits),
	        cmocka_unit_test(test_reader_many_keys),
	        cmocka_unit_test(test_round_trip),
	        cmocka_unit_test(test_sanitize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
