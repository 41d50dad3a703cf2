/*
 * VICI message elements on memory buffers: a builder that encodes, a pull
 * parser that decodes, and the one grammar rule both of them obey.
 *
 * A VICI message is a flat sequence of elements (section start/end, key/value,
 * list start/item/end). Names are 1..255 bytes, values 0..65535 bytes and are
 * opaque byte blobs (pointer + length, never NUL-terminated on the wire).
 * Sections nest to any depth; lists do not nest and hold only items; key/values
 * and lists never appear inside a list; every section is closed before the
 * message ends. vici_grammar_step() states that rule once; the builder refuses
 * to produce and the parser refuses to accept anything it rejects.
 *
 * Nothing here does I/O or knows about packets: see frame.h for that.
 * Error convention: 0 (or a positive count where stated) on success, a
 * negative errno on failure: -EBADMSG for malformed input, -EINVAL for a
 * builder misuse (bad name, value too long, grammar violation).
 */
#ifndef SWANTOP_VICI_WIRE_H
#define SWANTOP_VICI_WIRE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VICI_NAME_MAX 255
#define VICI_VALUE_MAX 65535

enum vici_element_type {
	VICI_SECTION_START = 1,
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,
	VICI_LIST_START = 4,
	VICI_LIST_ITEM = 5,
	VICI_LIST_END = 6,
};

/* Where we are in a message: section depth and whether a list is open. */
struct vici_grammar {
	unsigned depth;
	bool in_list;
};

/* The grammar rule. Checks that an element of type t may come next and, if so,
 * advances g. Returns 0, or -EBADMSG (g unchanged) if t may not come here. */
int vici_grammar_step(struct vici_grammar *g, enum vici_element_type t);
/* 0 if a message may end in state g (no open section or list), else -EBADMSG. */
int vici_grammar_end(const struct vici_grammar *g);

/* One decoded element. name/value point into the parsed buffer (borrowed,
 * valid as long as that buffer is) and are not NUL-terminated. */
struct vici_element {
	enum vici_element_type type;
	const char *name; /* SECTION_START, KEY_VALUE, LIST_START; else NULL */
	size_t name_len;
	const uint8_t *value; /* KEY_VALUE, LIST_ITEM; else NULL */
	size_t value_len;
};

/* Pull parser over one message body. Holds pointers into the caller's buffer. */
struct vici_parser {
	const uint8_t *pos, *end;
	struct vici_grammar g;
	int err; /* sticky: once an error is returned, it is returned again */
};

void vici_parser_init(struct vici_parser *p, const void *msg, size_t len);
/* Returns 1 and fills *e with the next element, 0 at a well-formed end of the
 * message, or -EBADMSG (sticky) on malformed input: unknown element type,
 * truncated element, empty name, grammar violation, unclosed section/list. */
int vici_parser_next(struct vici_parser *p, struct vici_element *e);
/* Current section depth (0 at root). */
static inline unsigned vici_parser_depth(const struct vici_parser *p)
{
	return p->g.depth;
}
/* Skips the rest of the section whose SECTION_START was just returned
 * (including its SECTION_END). Returns 0 or -EBADMSG. */
int vici_parser_skip_section(struct vici_parser *p);

/* Checks a whole message. Returns 0 or -EBADMSG. */
int vici_message_validate(const void *msg, size_t len);

/* Looks up a key/value by a dotted path of section names and a key name
 * ("child-sas.net.bytes-in"), starting at the root. Path components are
 * matched exactly; the first match wins (names containing '.' cannot be
 * looked up this way; walk with the parser instead). Returns 0 and the
 * borrowed value (value/value_len may be NULL), -ENOENT if absent or the path
 * has an empty component, -EBADMSG if the message is malformed anywhere (the
 * whole message is checked, even after a hit), -EINVAL for a NULL path. */
int vici_message_find(const void *msg, size_t len, const char *path, const uint8_t **value,
		      size_t *value_len);

/* Builder: encodes elements into a growing buffer. Errors are sticky: after the
 * first misuse further calls do nothing and vici_builder_finish() reports it. */
struct vici_builder {
	uint8_t *buf;
	size_t len, cap;
	struct vici_grammar g;
	int err;
};

void vici_builder_init(struct vici_builder *b);
/* Frees the buffer (for abandoning a builder that will not be finished). */
void vici_builder_reset(struct vici_builder *b);

void vici_builder_section_start(struct vici_builder *b, const char *name);
void vici_builder_section_end(struct vici_builder *b);
void vici_builder_list_start(struct vici_builder *b, const char *name);
void vici_builder_list_end(struct vici_builder *b);
/* Key/value with a binary value (value may be NULL when len is 0). */
void vici_builder_add(struct vici_builder *b, const char *name, const void *value, size_t len);
/* _str: value is a C string (NULL is a misuse, not an empty value). */
void vici_builder_add_str(struct vici_builder *b, const char *name, const char *value);
void vici_builder_add_fmt(struct vici_builder *b, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vici_builder_add_vfmt(struct vici_builder *b, const char *name, const char *fmt,
			   va_list ap);
void vici_builder_list_item(struct vici_builder *b, const void *value, size_t len);
void vici_builder_list_item_str(struct vici_builder *b, const char *value);
void vici_builder_list_item_fmt(struct vici_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Variants taking names that are not NUL-terminated (e.g. copied from a parser). */
void vici_builder_section_startn(struct vici_builder *b, const char *name, size_t name_len);
void vici_builder_list_startn(struct vici_builder *b, const char *name, size_t name_len);
void vici_builder_addn(struct vici_builder *b, const char *name, size_t name_len,
		       const void *value, size_t len);

/* Ends the message. On success returns 0 and hands the encoded message to the
 * caller (*msg is malloc'd, free() it; an empty message gives *len 0 and a
 * valid pointer). On failure returns the sticky error (-EINVAL) or -EBADMSG
 * for unclosed sections/lists, frees the buffer and sets *msg to NULL. The
 * builder is reset either way. */
int vici_builder_finish(struct vici_builder *b, uint8_t **msg, size_t *len);

/* Compares a borrowed name or value with a C string. */
bool vici_eq(const void *p, size_t len, const char *s);
/* Copies a borrowed value into a NUL-terminated malloc'd string (a value
 * with NUL bytes inside is cut short when used as a C string). */
char *vici_strdup(const void *p, size_t len);

#endif
