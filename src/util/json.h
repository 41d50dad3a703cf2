/*
 * JSON for `swantop call` and `swantop listen`: VICI messages out as JSON,
 * JSON arguments in as VICI builder calls, and sanitising of hostile text.
 *
 * VICI -> JSON: a section becomes an object, a list an array of strings, a
 * key/value a string. Element order is kept, and so are duplicate keys (JSON
 * allows them, and dropping one would lose data). A value that is valid UTF-8
 * without NUL bytes is a JSON string in which control characters (C0, DEL and
 * C1) and U+2028/U+2029 are written as \uXXXX, so no escape sequence from
 * charon reaches a terminal raw. Any other value (binary such as list-cert
 * `data`, invalid UTF-8, NUL bytes) becomes the lossless object
 * {"base64": "<RFC 4648 base64 of the bytes>"}. Key names cannot be objects:
 * bytes of a name that are not valid UTF-8 are written as U+FFFD.
 *
 * JSON -> VICI: the top level must be an object whose members go to the
 * message root. Objects become sections, arrays lists, strings values,
 * integers their decimal text, true/false "yes"/"no", null is omitted (also
 * inside arrays). VICI cannot carry arrays of objects, nested arrays,
 * fractions or exponents (charon reads integers only), integers outside the
 * 64-bit range or duplicate keys: each is refused with a message naming the
 * line and column.
 */
#ifndef SWANTOP_CLI_JSON_H
#define SWANTOP_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vici/wire.h"

/* Nesting limit of JSON input (objects and arrays together). */
#define JSON_DEPTH_MAX 64

/* A growing NUL-terminated string buffer. Zero-initialise or json_buf_init(). */
struct json_buf {
	char *p;
	size_t len, cap;
};

void json_buf_init(struct json_buf *b);
void json_buf_free(struct json_buf *b);
void json_buf_putn(struct json_buf *b, const void *s, size_t n);
void json_buf_puts(struct json_buf *b, const char *s);
void json_buf_putc(struct json_buf *b, char c);
void json_buf_printf(struct json_buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));


/* Appends a VICI value: a JSON string, or {"base64": "..."} for a value that is
 * not valid UTF-8 or contains NUL. */
void json_put_value(struct json_buf *b, const void *s, size_t len);
/* Appends a JSON string for a name (invalid UTF-8 bytes become U+FFFD). */
void json_put_name(struct json_buf *b, const void *s, size_t len);

#define JSON_PRETTY 1u

/* Appends a VICI message body as one JSON object: compact, or with JSON_PRETTY
 * indented by two spaces per level starting at `indent` levels (for embedding).
 * Returns 0, or -EBADMSG if the message is malformed (b then holds a partial
 * object: discard it). */
int json_put_message(struct json_buf *b, const void *msg, size_t len, unsigned flags,
                     unsigned indent);

/* A top-level string argument given as KEY=VALUE on the command line. */
struct json_kv {
	const char *key;
	const char *value;
};

/* Adds the kv pairs (in order) and then the members of the JSON object in
 * text (may be NULL: only the pairs) to the root of builder b. Borrows all
 * inputs. Returns 0, or -EINVAL with a one-line message in err (at most
 * errlen bytes, NUL-terminated) for bad syntax, something VICI cannot carry,
 * a key given twice or a name/value outside VICI's limits. */
int json_to_vici(const char *text, size_t len, const struct json_kv *kv, size_t nkv,
                 struct vici_builder *b, char *err, size_t errlen);

/* Returns a malloc'd copy of len bytes that is safe for a terminal: valid
 * UTF-8 kept, control characters written as \xNN (or \n, \t; C1 as \u00NN),
 * invalid bytes as \xNN. For messages on stderr. Backslashes are kept as they
 * are, so sanitising twice changes nothing (messages get composed from
 * already sanitised parts). */
char *json_sanitize(const void *s, size_t len);

#endif
