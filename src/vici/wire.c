/*
 * VICI message codec.
 *
 * The grammar lives in one static inline function, grammar_step(). The
 * builder calls it before it writes an element, the parser after it has read
 * the element's type byte, and vici_grammar_step() exposes the very same
 * function. So the set of messages the builder can produce and the set the
 * parser accepts are the same set by construction, which is what makes
 * "decode, re-encode, compare bytes" (fuzz/fuzz-wire.c) a meaningful check.
 *
 * The parser is on the hot path (every list-sa reply, every event), so it
 * never allocates, copies nothing (elements point into the caller's buffer),
 * and checks each length against the remaining bytes exactly once. The
 * grammar state is two words; the only per-element cost beyond reading the
 * bytes is one switch.
 *
 * Depth is bounded by UINT_MAX only; a 512 KiB frame cannot get anywhere
 * near that, and the parser is not recursive, so deep nesting costs nothing.
 *
 * The builder keeps a sticky error: the first misuse (bad name, oversized
 * value, grammar violation) is recorded, every later call is a no-op, and
 * vici_builder_finish() reports it once and frees the buffer. Callers can
 * therefore build a whole message without checking each call.
 */
#include "vici/wire.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

static inline int grammar_step(struct vici_grammar *g, unsigned t)
{
	switch (t) {
	case VICI_SECTION_START:
		if (g->in_list || g->depth == UINT_MAX)
			return -EBADMSG;
		g->depth++;
		return 0;
	case VICI_SECTION_END:
		if (g->in_list || g->depth == 0)
			return -EBADMSG;
		g->depth--;
		return 0;
	case VICI_KEY_VALUE:
		return g->in_list ? -EBADMSG : 0;
	case VICI_LIST_START:
		if (g->in_list)
			return -EBADMSG;
		g->in_list = true;
		return 0;
	case VICI_LIST_ITEM:
		return g->in_list ? 0 : -EBADMSG;
	case VICI_LIST_END:
		if (!g->in_list)
			return -EBADMSG;
		g->in_list = false;
		return 0;
	default:
		return -EBADMSG;
	}
}

static inline int grammar_end(const struct vici_grammar *g)
{
	return (g->depth || g->in_list) ? -EBADMSG : 0;
}

int vici_grammar_step(struct vici_grammar *g, enum vici_element_type t)
{
	return grammar_step(g, (unsigned)t);
}

int vici_grammar_end(const struct vici_grammar *g)
{
	return grammar_end(g);
}

/* ---- parser ---- */

void vici_parser_init(struct vici_parser *p, const void *msg, size_t len)
{
	p->pos = msg;
	p->end = msg ? p->pos + len : p->pos; /* no arithmetic on NULL */
	p->g.depth = 0;
	p->g.in_list = false;
	p->err = !msg && len ? -EBADMSG : 0;
}

static int parser_fail(struct vici_parser *p)
{
	p->err = -EBADMSG;
	return -EBADMSG;
}

int vici_parser_next(struct vici_parser *p, struct vici_element *e)
{
	const uint8_t *pos = p->pos, *end = p->end;
	size_t n;
	unsigned t;

	if (p->err)
		return p->err;
	if (pos == end)
		return grammar_end(&p->g) ? parser_fail(p) : 0;
	t = *pos++;
	if (grammar_step(&p->g, t))
		return parser_fail(p);
	e->type = (enum vici_element_type)t;
	e->name = NULL;
	e->name_len = 0;
	e->value = NULL;
	e->value_len = 0;
	switch (t) {
	case VICI_SECTION_START:
	case VICI_LIST_START:
	case VICI_KEY_VALUE:
		if (pos == end)
			return parser_fail(p);
		n = *pos++;
		if (n == 0 || (size_t)(end - pos) < n)
			return parser_fail(p);
		e->name = (const char *)pos;
		e->name_len = n;
		pos += n;
		if (t != VICI_KEY_VALUE)
			break;
		/* fall through */
	case VICI_LIST_ITEM:
		if (end - pos < 2)
			return parser_fail(p);
		n = (size_t)pos[0] << 8 | pos[1];
		pos += 2;
		if ((size_t)(end - pos) < n)
			return parser_fail(p);
		e->value = pos;
		e->value_len = n;
		pos += n;
		break;
	default: /* SECTION_END, LIST_END: no payload */
		break;
	}
	p->pos = pos;
	return 1;
}

int vici_parser_skip_section(struct vici_parser *p)
{
	struct vici_element e;
	unsigned target;
	int r;

	if (p->err)
		return p->err;
	if (p->g.depth == 0)
		return parser_fail(p);
	target = p->g.depth - 1;
	while ((r = vici_parser_next(p, &e)) > 0) {
		if (e.type == VICI_SECTION_END && p->g.depth == target)
			return 0;
	}
	/* A clean end (0) here means the section was never closed, which the
	 * grammar already turns into an error; keep the check anyway. */
	return r < 0 ? r : parser_fail(p);
}

int vici_message_validate(const void *msg, size_t len)
{
	struct vici_parser p;
	struct vici_element e;
	int r;

	vici_parser_init(&p, msg, len);
	while ((r = vici_parser_next(&p, &e)) > 0)
		;
	return r;
}

/* Length of the path component starting at s; *last tells whether it is the
 * final one (the key) or a section name followed by a dot. */
static size_t path_component(const char *s, bool *last)
{
	const char *dot = strchr(s, '.');
	*last = dot == NULL;
	return dot ? (size_t)(dot - s) : strlen(s);
}

int vici_message_find(const void *msg, size_t len, const char *path, const uint8_t **value,
                      size_t *value_len)
{
	struct vici_parser p;
	struct vici_element e;
	const char *comp = path;
	size_t comp_len;
	bool last, found = false;
	unsigned want_depth = 0; /* depth at which comp is looked for */
	bool searching = true;
	int r;

	if (!path)
		return -EINVAL;
	comp_len = path_component(comp, &last);
	if (comp_len == 0 || comp_len > VICI_NAME_MAX)
		searching = false;
	/* One pass over the whole message even after a hit, so that a malformed
	 * message is reported as such however early the key sits. */
	vici_parser_init(&p, msg, len);
	while ((r = vici_parser_next(&p, &e)) > 0) {
		if (!searching)
			continue;
		/* Depth after the element; a SECTION_START at want_depth now
		 * shows want_depth + 1. */
		unsigned d = p.g.depth;
		if (e.type == VICI_SECTION_END && d < want_depth) {
			searching = false; /* left the section on the path */
		} else if (!last && e.type == VICI_SECTION_START && d == want_depth + 1 &&
		           e.name_len == comp_len && !memcmp(e.name, comp, comp_len)) {
			comp += comp_len + 1;
			comp_len = path_component(comp, &last);
			if (comp_len == 0 || comp_len > VICI_NAME_MAX)
				searching = false;
			want_depth++;
		} else if (last && e.type == VICI_KEY_VALUE && d == want_depth &&
		           e.name_len == comp_len && !memcmp(e.name, comp, comp_len)) {
			if (value)
				*value = e.value;
			if (value_len)
				*value_len = e.value_len;
			found = true;
			searching = false;
		}
	}
	if (r < 0)
		return r;
	return found ? 0 : -ENOENT;
}

/* ---- builder ---- */

void vici_builder_init(struct vici_builder *b)
{
	b->buf = NULL;
	b->len = 0;
	b->cap = 0;
	b->g.depth = 0;
	b->g.in_list = false;
	b->err = 0;
}

void vici_builder_reset(struct vici_builder *b)
{
	free(b->buf);
	vici_builder_init(b);
}

static uint8_t *builder_reserve(struct vici_builder *b, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n)
			cap *= 2;
		b->buf = xrealloc(b->buf, cap);
		b->cap = cap;
	}
	return b->buf + b->len;
}

/* Checks everything about one element before anything is written, so that a
 * refused element leaves no partial bytes behind. */
static bool builder_check(struct vici_builder *b, unsigned t, const char *name, size_t name_len,
                          const void *value, size_t value_len)
{
	if (b->err)
		return false;
	bool named = t == VICI_SECTION_START || t == VICI_LIST_START || t == VICI_KEY_VALUE;
	bool valued = t == VICI_KEY_VALUE || t == VICI_LIST_ITEM;
	if ((named && (!name || name_len == 0 || name_len > VICI_NAME_MAX)) ||
	    (valued && (value_len > VICI_VALUE_MAX || (!value && value_len))) ||
	    grammar_step(&b->g, t)) {
		b->err = -EINVAL;
		return false;
	}
	return true;
}

static void builder_put(struct vici_builder *b, unsigned t, const char *name, size_t name_len,
                        const void *value, size_t value_len)
{
	bool named = t == VICI_SECTION_START || t == VICI_LIST_START || t == VICI_KEY_VALUE;
	bool valued = t == VICI_KEY_VALUE || t == VICI_LIST_ITEM;
	uint8_t *w;

	if (!builder_check(b, t, name, name_len, value, value_len))
		return;
	w = builder_reserve(b, 1 + (named ? 1 + name_len : 0) + (valued ? 2 + value_len : 0));
	*w++ = (uint8_t)t;
	if (named) {
		*w++ = (uint8_t)name_len;
		memcpy(w, name, name_len);
		w += name_len;
	}
	if (valued) {
		*w++ = (uint8_t)(value_len >> 8);
		*w++ = (uint8_t)value_len;
		if (value_len)
			memcpy(w, value, value_len);
		w += value_len;
	}
	b->len = (size_t)(w - b->buf);
}

static size_t name_length(const char *name)
{
	/* strnlen bounds the scan; anything longer than VICI_NAME_MAX is
	 * refused anyway and VICI_NAME_MAX + 1 says so. */
	return name ? strnlen(name, VICI_NAME_MAX + 1) : 0;
}

void vici_builder_section_startn(struct vici_builder *b, const char *name, size_t name_len)
{
	builder_put(b, VICI_SECTION_START, name, name_len, NULL, 0);
}

void vici_builder_section_start(struct vici_builder *b, const char *name)
{
	builder_put(b, VICI_SECTION_START, name, name_length(name), NULL, 0);
}

void vici_builder_section_end(struct vici_builder *b)
{
	builder_put(b, VICI_SECTION_END, NULL, 0, NULL, 0);
}

void vici_builder_list_startn(struct vici_builder *b, const char *name, size_t name_len)
{
	builder_put(b, VICI_LIST_START, name, name_len, NULL, 0);
}

void vici_builder_list_start(struct vici_builder *b, const char *name)
{
	builder_put(b, VICI_LIST_START, name, name_length(name), NULL, 0);
}

void vici_builder_list_end(struct vici_builder *b)
{
	builder_put(b, VICI_LIST_END, NULL, 0, NULL, 0);
}

void vici_builder_addn(struct vici_builder *b, const char *name, size_t name_len, const void *value,
                       size_t len)
{
	builder_put(b, VICI_KEY_VALUE, name, name_len, value, len);
}

void vici_builder_add(struct vici_builder *b, const char *name, const void *value, size_t len)
{
	builder_put(b, VICI_KEY_VALUE, name, name_length(name), value, len);
}

void vici_builder_add_str(struct vici_builder *b, const char *name, const char *value)
{
	/* A NULL string is a misuse, not an empty value. */
	if (!value) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	vici_builder_add(b, name, value, strlen(value));
}

/* Formats into buf (size bufsize) or a heap string (*heap, caller frees).
 * Returns the text or NULL on a formatting error. */
static const char *format_value(char *buf, size_t bufsize, char **heap, size_t *len,
                                const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	*heap = NULL;
	va_copy(aq, ap);
	n = vsnprintf(buf, bufsize, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	if ((size_t)n < bufsize)
		return buf;
	if ((size_t)n > VICI_VALUE_MAX)
		return buf; /* too long: the length alone makes the caller refuse it */
	*heap = xmalloc((size_t)n + 1);
	vsnprintf(*heap, (size_t)n + 1, fmt, ap);
	return *heap;
}

void vici_builder_add_vfmt(struct vici_builder *b, const char *name, const char *fmt, va_list ap)
{
	char buf[256], *heap;
	const char *s;
	size_t len = 0;

	if (b->err)
		return;
	s = fmt ? format_value(buf, sizeof(buf), &heap, &len, fmt, ap) : NULL;
	if (!s) {
		b->err = -EINVAL;
		return;
	}
	vici_builder_add(b, name, s, len);
	free(heap);
}

void vici_builder_add_fmt(struct vici_builder *b, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vici_builder_add_vfmt(b, name, fmt, ap);
	va_end(ap);
}

void vici_builder_list_item(struct vici_builder *b, const void *value, size_t len)
{
	builder_put(b, VICI_LIST_ITEM, NULL, 0, value, len);
}

void vici_builder_list_item_str(struct vici_builder *b, const char *value)
{
	if (!value) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	vici_builder_list_item(b, value, strlen(value));
}

void vici_builder_list_item_fmt(struct vici_builder *b, const char *fmt, ...)
{
	char buf[256], *heap;
	const char *s;
	size_t len = 0;
	va_list ap;

	if (b->err)
		return;
	va_start(ap, fmt);
	s = fmt ? format_value(buf, sizeof(buf), &heap, &len, fmt, ap) : NULL;
	va_end(ap);
	if (!s) {
		b->err = -EINVAL;
		return;
	}
	vici_builder_list_item(b, s, len);
	free(heap);
}

int vici_builder_finish(struct vici_builder *b, uint8_t **msg, size_t *len)
{
	int err = b->err ? b->err : grammar_end(&b->g);

	if (err) {
		vici_builder_reset(b);
		if (msg)
			*msg = NULL;
		if (len)
			*len = 0;
		return err;
	}
	if (!b->buf)
		b->buf = xmalloc(1);
	if (msg)
		*msg = b->buf;
	else
		free(b->buf);
	if (len)
		*len = b->len;
	vici_builder_init(b);
	return 0;
}

bool vici_eq(const void *p, size_t len, const char *s)
{
	size_t n = strlen(s);
	return n == len && (n == 0 || memcmp(p, s, n) == 0);
}

char *vici_strdup(const void *p, size_t len)
{
	char *s = xmalloc(len + 1);
	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}
