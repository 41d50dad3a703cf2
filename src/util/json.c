/*
 * JSON writer (VICI message -> JSON text) and JSON reader (JSON text -> VICI
 * builder calls). See json.h for the mapping.
 *
 * The writer walks the message with the pull parser and needs no stack: a
 * container that was just closed is itself an element of its parent, so one
 * "first element at this level" flag is enough to place the commas, and the
 * parser's depth gives the indentation.
 *
 * The reader is a recursive-descent parser bounded by JSON_DEPTH_MAX that
 * emits builder calls as it goes, so the VICI message keeps the order of the
 * JSON text. Duplicate keys are found with one hash set keyed by (object
 * number, key).
 */
#include "util/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/osc52.h"
#include "util/text.h"
#include "vici/xmalloc.h"

/* ---- buffer ---- */

void json_buf_init(struct json_buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void json_buf_free(struct json_buf *b)
{
	free(b->p);
	json_buf_init(b);
}

static void buf_reserve(struct json_buf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void json_buf_putn(struct json_buf *b, const void *s, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void json_buf_puts(struct json_buf *b, const char *s)
{
	json_buf_putn(b, s, strlen(s));
}

void json_buf_putc(struct json_buf *b, char c)
{
	json_buf_putn(b, &c, 1);
}

void json_buf_printf(struct json_buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	buf_reserve(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
}

/* ---- writer ---- */

static bool cp_needs_escape(uint32_t cp)
{
	return cp < 0x20 || cp == '"' || cp == '\\' || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
	       cp == 0x2029;
}

/* Writes a quoted JSON string; invalid UTF-8 bytes become U+FFFD. */
static void put_string(struct json_buf *b, const uint8_t *s, size_t len)
{
	json_buf_putc(b, '"');
	size_t run = 0; /* start of bytes to copy verbatim */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n && !cp_needs_escape(cp)) {
			i += n;
			continue;
		}
		json_buf_putn(b, s + run, i - run);
		if (!n) {
			json_buf_puts(b, "\xef\xbf\xbd");
			n = 1;
		} else if (cp == '"' || cp == '\\') {
			json_buf_putc(b, '\\');
			json_buf_putc(b, (char)cp);
		} else {
			json_buf_printf(b, "\\u%04" PRIx32, cp);
		}
		i += n;
		run = i;
	}
	json_buf_putn(b, s + run, len - run);
	json_buf_putc(b, '"');
}

static void put_base64(struct json_buf *b, const uint8_t *s, size_t len)
{
	char *out = xmalloc(base64_len(len) + 1);
	json_buf_putn(b, out, base64_encode(s, len, out));
	free(out);
}

void json_put_value(struct json_buf *b, const void *s, size_t len)
{
	const uint8_t *p = s;
	if (utf8_valid(p, len) && (len == 0 || !memchr(p, 0, len))) {
		put_string(b, p, len);
		return;
	}
	json_buf_puts(b, "{\"base64\":\"");
	put_base64(b, p, len);
	json_buf_puts(b, "\"}");
}

void json_put_name(struct json_buf *b, const void *s, size_t len)
{
	put_string(b, s, len);
}

static void put_indent(struct json_buf *b, unsigned flags, unsigned level)
{
	if (!(flags & JSON_PRETTY))
		return;
	json_buf_putc(b, '\n');
	for (unsigned i = 0; i < level; i++)
		json_buf_puts(b, "  ");
}

int json_put_message(struct json_buf *b, const void *msg, size_t len, unsigned flags,
                     unsigned indent)
{
	struct vici_parser p;
	struct vici_element e;
	bool first = true, in_list = false;
	const char *colon = (flags & JSON_PRETTY) ? ": " : ":";
	int r;

	vici_parser_init(&p, msg, len);
	json_buf_putc(b, '{');
	while ((r = vici_parser_next(&p, &e)) == 1) {
		/* indentation of the element's line: the members of the root
		 * object sit at indent + 1; the parser counts a section it just
		 * opened and no longer counts one it just closed */
		unsigned depth = vici_parser_depth(&p);
		unsigned level = indent + depth + 1 + (in_list ? 1u : 0u);
		switch (e.type) {
		case VICI_SECTION_END:
		case VICI_LIST_END:
			if (e.type == VICI_LIST_END)
				in_list = false;
			if (!first)
				put_indent(b, flags, indent + depth + 1);
			json_buf_putc(b, e.type == VICI_LIST_END ? ']' : '}');
			first = false;
			continue;
		case VICI_SECTION_START:
			level--;
			break;
		default:
			break;
		}
		if (!first)
			json_buf_putc(b, ',');
		put_indent(b, flags, level);
		switch (e.type) {
		case VICI_SECTION_START:
			json_put_name(b, e.name, e.name_len);
			json_buf_puts(b, colon);
			json_buf_putc(b, '{');
			first = true;
			break;
		case VICI_LIST_START:
			json_put_name(b, e.name, e.name_len);
			json_buf_puts(b, colon);
			json_buf_putc(b, '[');
			in_list = true;
			first = true;
			break;
		case VICI_KEY_VALUE:
			json_put_name(b, e.name, e.name_len);
			json_buf_puts(b, colon);
			json_put_value(b, e.value, e.value_len);
			first = false;
			break;
		case VICI_LIST_ITEM:
			json_put_value(b, e.value, e.value_len);
			first = false;
			break;
		default:
			break;
		}
	}
	if (r < 0)
		return r;
	if (!first)
		put_indent(b, flags, indent);
	json_buf_putc(b, '}');
	return 0;
}

/* ---- sanitiser ---- */

char *json_sanitize(const void *s, size_t len)
{
	const uint8_t *p = s;
	struct json_buf b;
	json_buf_init(&b);
	json_buf_putn(&b, "", 0);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		if (n && !(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))) {
			json_buf_putn(&b, p + i, n);
		} else if (n && cp == '\n') {
			json_buf_puts(&b, "\\n");
		} else if (n && cp == '\t') {
			json_buf_puts(&b, "\\t");
		} else if (n && cp >= 0x80) {
			json_buf_printf(&b, "\\u%04" PRIx32, cp);
		} else {
			json_buf_printf(&b, "\\x%02x", p[i]);
			n = 1;
		}
		i += n;
	}
	return b.p;
}

/* ---- reader ---- */

struct key_entry {
	uint32_t obj;
	uint32_t hash;
	char *key;
	size_t len;
};

struct jparser {
	const char *s, *end, *pos;
	struct vici_builder *b;
	char *err;
	size_t errlen;
	bool failed;
	uint32_t nobj;
	struct key_entry *keys;
	size_t nkeys, capkeys;
	struct json_buf str; /* decoded string scratch */
};

static void pos_of(const struct jparser *jp, const char *at, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (const char *c = jp->s; c < at && c < jp->end; c++) {
		if (*c == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int fail_at(struct jparser *jp, const char *at, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail_at(struct jparser *jp, const char *at, const char *fmt, ...)
{
	if (jp->failed)
		return -EINVAL;
	jp->failed = true;
	if (!jp->errlen)
		return -EINVAL;
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at) {
		unsigned line, col;
		pos_of(jp, at, &line, &col);
		snprintf(jp->err, jp->errlen, "line %u, column %u: %s", line, col, msg);
	} else {
		snprintf(jp->err, jp->errlen, "%s", msg);
	}
	return -EINVAL;
}

static uint32_t hash_key(uint32_t obj, const char *k, size_t len)
{
	uint32_t h = 2166136261u ^ obj;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)k[i]) * 16777619u;
	return h ? h : 1;
}

/* Records key in object obj; false if it was there already. */
static bool key_insert(struct jparser *jp, uint32_t obj, const char *k, size_t len)
{
	if (jp->nkeys * 2 >= jp->capkeys) {
		size_t cap = jp->capkeys ? jp->capkeys * 2 : 64;
		struct key_entry *t = xcalloc(cap, sizeof(*t));
		for (size_t i = 0; i < jp->capkeys; i++) {
			struct key_entry *o = &jp->keys[i];
			if (!o->hash)
				continue;
			size_t j = o->hash & (cap - 1);
			while (t[j].hash)
				j = (j + 1) & (cap - 1);
			t[j] = *o;
		}
		free(jp->keys);
		jp->keys = t;
		jp->capkeys = cap;
	}
	uint32_t h = hash_key(obj, k, len);
	size_t j = h & (jp->capkeys - 1);
	for (; jp->keys[j].hash; j = (j + 1) & (jp->capkeys - 1)) {
		struct key_entry *e = &jp->keys[j];
		if (e->hash == h && e->obj == obj && e->len == len && !memcmp(e->key, k, len))
			return false;
	}
	jp->keys[j] = (struct key_entry){obj, h, xmemdup(k, len ? len : 1), len};
	jp->nkeys++;
	return true;
}

static void skip_ws(struct jparser *jp)
{
	while (jp->pos < jp->end &&
	       (*jp->pos == ' ' || *jp->pos == '\t' || *jp->pos == '\n' || *jp->pos == '\r'))
		jp->pos++;
}

static int hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -1;
		*v = (*v << 4) | d;
	}
	return 0;
}

static void put_utf8(struct json_buf *b, uint32_t cp)
{
	char u[4];
	json_buf_putn(b, u, utf8_encode(cp, u));
}

/* Parses a string at jp->pos (on the opening quote) into jp->str. */
static int parse_string(struct jparser *jp)
{
	const char *start = jp->pos;
	jp->str.len = 0;
	json_buf_putn(&jp->str, "", 0);
	jp->pos++;
	for (;;) {
		if (jp->pos >= jp->end)
			return fail_at(jp, start, "unterminated string");
		uint8_t c = (uint8_t)*jp->pos;
		if (c == '"') {
			jp->pos++;
			return 0;
		}
		if (c < 0x20)
			return fail_at(jp, jp->pos, "control character in string (escape it)");
		if (c != '\\') {
			uint32_t cp;
			size_t n = utf8_decode((const uint8_t *)jp->pos, (size_t)(jp->end - jp->pos),
			                    &cp);
			if (!n)
				return fail_at(jp, jp->pos, "invalid UTF-8 in string");
			json_buf_putn(&jp->str, jp->pos, n);
			jp->pos += n;
			continue;
		}
		const char *esc = jp->pos;
		if (jp->end - jp->pos < 2)
			return fail_at(jp, esc, "unterminated string");
		char e = jp->pos[1];
		jp->pos += 2;
		const char *simple = strchr("\"\\/bfnrt", e);
		if (e && simple) {
			static const char out[] = "\"\\/\b\f\n\r\t";
			json_buf_putc(&jp->str, out[simple - "\"\\/bfnrt"]);
			continue;
		}
		if (e != 'u')
			return fail_at(jp, esc, "invalid escape '\\%c'",
			               e >= 0x20 && e < 0x7f ? e : '?');
		uint32_t cp, lo;
		if (jp->end - jp->pos < 4 || hex4(jp->pos, &cp))
			return fail_at(jp, esc, "invalid \\u escape");
		jp->pos += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return fail_at(jp, esc, "lone low surrogate in \\u escape");
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (jp->end - jp->pos < 6 || jp->pos[0] != '\\' || jp->pos[1] != 'u' ||
			    hex4(jp->pos + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
				return fail_at(jp, esc, "high surrogate without low surrogate");
			jp->pos += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		put_utf8(&jp->str, cp);
	}
}

/* Parses a number at jp->pos; its text is put into jp->str. */
static int parse_number(struct jparser *jp)
{
	const char *start = jp->pos, *p = jp->pos;
	bool neg = false;
	if (p < jp->end && *p == '-') {
		neg = true;
		p++;
	}
	const char *digits = p;
	while (p < jp->end && *p >= '0' && *p <= '9')
		p++;
	if (p == digits)
		return fail_at(jp, start, "invalid number");
	if (*digits == '0' && p - digits > 1)
		return fail_at(jp, start, "invalid number (leading zero)");
	if (p < jp->end && (*p == '.' || *p == 'e' || *p == 'E'))
		return fail_at(jp, start,
		               "only integers can be sent (charon reads integers); quote the value "
		               "as a string");
	if (p < jp->end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return fail_at(jp, start, "invalid number");
	/* range: int64 for negatives, uint64 for positives */
	size_t nd = (size_t)(p - digits);
	const char *lim = neg ? "9223372036854775808" : "18446744073709551615";
	size_t nl = strlen(lim);
	if (nd > nl || (nd == nl && memcmp(digits, lim, nl) > 0))
		return fail_at(jp, start, "number out of range (more than 64 bits)");
	jp->str.len = 0;
	json_buf_putn(&jp->str, start, (size_t)(p - start));
	jp->pos = p;
	return 0;
}

static bool match_word(struct jparser *jp, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(jp->end - jp->pos) < n || memcmp(jp->pos, w, n))
		return false;
	const char *after = jp->pos + n;
	if (after < jp->end &&
	    ((*after >= 'a' && *after <= 'z') || (*after >= '0' && *after <= '9')))
		return false;
	jp->pos += n;
	return true;
}

enum scalar { SC_NONE, SC_NULL, SC_VALUE };

/* Parses a scalar (string, number, true/false/null) into jp->str. */
static int parse_scalar(struct jparser *jp, enum scalar *kind)
{
	int r;
	*kind = SC_VALUE;
	char c = *jp->pos;
	if (c == '"') {
		r = parse_string(jp);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		r = parse_number(jp);
	} else if (match_word(jp, "true")) {
		jp->str.len = 0;
		json_buf_puts(&jp->str, "yes");
		r = 0;
	} else if (match_word(jp, "false")) {
		jp->str.len = 0;
		json_buf_puts(&jp->str, "no");
		r = 0;
	} else if (match_word(jp, "null")) {
		*kind = SC_NULL;
		r = 0;
	} else {
		*kind = SC_NONE;
		r = 0;
	}
	return r;
}

static int check_value_len(struct jparser *jp, const char *at)
{
	if (jp->str.len > VICI_VALUE_MAX)
		return fail_at(jp, at, "value too long (%zu bytes, VICI allows %u)", jp->str.len,
		               VICI_VALUE_MAX);
	return 0;
}

static int parse_object(struct jparser *jp, unsigned depth);

/* Parses an array at jp->pos into a list named `name`. */
static int parse_list(struct jparser *jp, const char *name, size_t name_len, unsigned depth)
{
	const char *open = jp->pos;
	if (depth > JSON_DEPTH_MAX)
		return fail_at(jp, open, "nesting deeper than %d levels", JSON_DEPTH_MAX);
	jp->pos++;
	vici_builder_list_startn(jp->b, name, name_len);
	skip_ws(jp);
	if (jp->pos < jp->end && *jp->pos == ']') {
		jp->pos++;
		vici_builder_list_end(jp->b);
		return 0;
	}
	for (;;) {
		skip_ws(jp);
		if (jp->pos >= jp->end)
			return fail_at(jp, open, "unterminated array");
		const char *at = jp->pos;
		if (*at == '[')
			return fail_at(jp, at, "nested arrays cannot be sent over VICI");
		if (*at == '{')
			return fail_at(jp, at, "arrays of objects cannot be sent over VICI");
		enum scalar kind;
		int r = parse_scalar(jp, &kind);
		if (r)
			return r;
		if (kind == SC_NONE)
			return fail_at(jp, at, "expected a value");
		if (kind == SC_VALUE) {
			if ((r = check_value_len(jp, at)))
				return r;
			vici_builder_list_item(jp->b, jp->str.p, jp->str.len);
		}
		skip_ws(jp);
		if (jp->pos < jp->end && *jp->pos == ',') {
			jp->pos++;
			continue;
		}
		if (jp->pos < jp->end && *jp->pos == ']') {
			jp->pos++;
			vici_builder_list_end(jp->b);
			return 0;
		}
		return fail_at(jp, jp->pos < jp->end ? jp->pos : open,
		               jp->pos < jp->end ? "expected ',' or ']'" : "unterminated array");
	}
}

/* Parses one member value for key name (copied; jp->str is reused). */
static int parse_member(struct jparser *jp, const char *name, size_t name_len, unsigned depth)
{
	const char *at = jp->pos;
	if (*at == '{') {
		vici_builder_section_startn(jp->b, name, name_len);
		int r = parse_object(jp, depth + 1);
		if (r)
			return r;
		vici_builder_section_end(jp->b);
		return 0;
	}
	if (*at == '[')
		return parse_list(jp, name, name_len, depth + 1);
	enum scalar kind;
	int r = parse_scalar(jp, &kind);
	if (r)
		return r;
	if (kind == SC_NONE)
		return fail_at(jp, at, "expected a value");
	if (kind == SC_NULL)
		return 0;
	if ((r = check_value_len(jp, at)))
		return r;
	vici_builder_addn(jp->b, name, name_len, jp->str.p, jp->str.len);
	return 0;
}

static int check_name(struct jparser *jp, const char *at, const char *k, size_t len)
{
	if (len == 0 || len > VICI_NAME_MAX)
		return fail_at(jp, at, "key names must be 1..%d bytes long", VICI_NAME_MAX);
	if (memchr(k, 0, len))
		return fail_at(jp, at, "key name contains a NUL character");
	return 0;
}

/* Parses an object at jp->pos; its members go to the builder's current level. */
static int parse_object(struct jparser *jp, unsigned depth)
{
	const char *open = jp->pos;
	if (depth > JSON_DEPTH_MAX)
		return fail_at(jp, open, "nesting deeper than %d levels", JSON_DEPTH_MAX);
	uint32_t obj = ++jp->nobj;
	jp->pos++;
	skip_ws(jp);
	if (jp->pos < jp->end && *jp->pos == '}') {
		jp->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(jp);
		if (jp->pos >= jp->end)
			return fail_at(jp, open, "unterminated object");
		const char *kat = jp->pos;
		if (*kat != '"')
			return fail_at(jp, kat, "expected a key in double quotes");
		int r = parse_string(jp);
		if (r)
			return r;
		char *key = xmemdup(jp->str.p, jp->str.len + 1);
		size_t klen = jp->str.len;
		if ((r = check_name(jp, kat, key, klen)) == 0 && !key_insert(jp, obj, key, klen)) {
			char *safe = json_sanitize(key, klen);
			r = fail_at(jp, kat, "key \"%s\" given twice", safe);
			free(safe);
		}
		if (!r) {
			skip_ws(jp);
			if (jp->pos >= jp->end || *jp->pos != ':')
				r = fail_at(jp, jp->pos < jp->end ? jp->pos : kat, "expected ':'");
		}
		if (!r) {
			jp->pos++;
			skip_ws(jp);
			if (jp->pos >= jp->end)
				r = fail_at(jp, kat, "missing value");
			else
				r = parse_member(jp, key, klen, depth);
		}
		free(key);
		if (r)
			return r;
		skip_ws(jp);
		if (jp->pos < jp->end && *jp->pos == ',') {
			jp->pos++;
			continue;
		}
		if (jp->pos < jp->end && *jp->pos == '}') {
			jp->pos++;
			return 0;
		}
		return fail_at(jp, jp->pos < jp->end ? jp->pos : open,
		               jp->pos < jp->end ? "expected ',' or '}'" : "unterminated object");
	}
}

static int add_kv(struct jparser *jp, const struct json_kv *kv, size_t nkv)
{
	for (size_t i = 0; i < nkv; i++) {
		size_t klen = strlen(kv[i].key), vlen = strlen(kv[i].value);
		char *safe = json_sanitize(kv[i].key, klen);
		int r = 0;
		if (klen == 0 || klen > VICI_NAME_MAX)
			r = fail_at(jp, NULL, "key names must be 1..%d bytes long", VICI_NAME_MAX);
		else if (vlen > VICI_VALUE_MAX)
			r = fail_at(jp, NULL, "value of '%s' too long (%zu bytes, VICI allows %u)",
			            safe, vlen, VICI_VALUE_MAX);
		else if (!key_insert(jp, 0, kv[i].key, klen))
			r = fail_at(jp, NULL, "key '%s' given twice", safe);
		free(safe);
		if (r)
			return r;
		vici_builder_addn(jp->b, kv[i].key, klen, kv[i].value, vlen);
	}
	return 0;
}

int json_to_vici(const char *text, size_t len, const struct json_kv *kv, size_t nkv,
                 struct vici_builder *b, char *err, size_t errlen)
{
	struct jparser jp = {
	        .s = text,
	        .end = text ? text + len : NULL,
	        .pos = text,
	        .b = b,
	        .err = err,
	        .errlen = errlen,
	};
	json_buf_init(&jp.str);
	if (errlen)
		err[0] = '\0';
	int r = add_kv(&jp, kv, nkv);
	/* a byte order mark, as some editors write one at the start of a file */
	if (text && len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		jp.pos += 3;
	if (!r && text) {
		skip_ws(&jp);
		if (jp.pos >= jp.end)
			r = fail_at(&jp, NULL, "empty JSON input (expected an object)");
		else if (*jp.pos != '{')
			r = fail_at(&jp, jp.pos, "the top level must be an object");
		else {
			/* the root object shares object number 0 with the kv pairs */
			jp.nobj = (uint32_t)-1;
			r = parse_object(&jp, 1);
		}
		if (!r) {
			skip_ws(&jp);
			if (jp.pos < jp.end)
				r = fail_at(&jp, jp.pos, "trailing characters after the object");
		}
	}
	for (size_t i = 0; i < jp.capkeys; i++)
		free(jp.keys[i].key);
	free(jp.keys);
	json_buf_free(&jp.str);
	return r;
}
