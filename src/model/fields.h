/*
 * Table-driven decoding of VICI messages into the model's structs: a table
 * per object kind names each key charon sends and where its value goes, and
 * fields_walk() fills an object from the section being parsed. Strings and
 * lists point into the message; numbers that do not parse read as absent.
 * Internal to src/model.
 */
#ifndef SWANTOP_MODEL_FIELDS_H
#define SWANTOP_MODEL_FIELDS_H

#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vici/wire.h"

extern const struct model_str model_str_empty;

static inline struct model_str mstr(const void *p, size_t len)
{
	struct model_str s = {(const char *)p, (uint32_t)len};
	return s;
}

enum field_kind {
	F_STR,         /* struct model_str */
	F_U16,         /* uint16_t, decimal */
	F_U32,         /* uint32_t, decimal */
	F_U64,         /* uint64_t, decimal */
	F_COUNTER,     /* uint64_t counter of a CHILD SA; sets has_counters */
	F_YES,         /* bool: "yes" or "1" */
	F_AGO,         /* int64_t absolute ms: now - value s */
	F_UNTIL,       /* int64_t absolute ms: now + value s */
	F_LIST,        /* struct model_list */
	F_VERSION,     /* unsigned IKE version, 1 or 2 */
	F_IKE_STATE,   /* enum model_ike_state + state_name */
	F_CHILD_STATE, /* enum model_child_state + state_name */
};

struct field {
	const char *name;
	uint8_t len;
	uint8_t kind;
	uint16_t off;
};

#define FIELD(n, k, type, member)                                                                  \
	{                                                                                          \
		n, sizeof(n) - 1, k, offsetof(type, member)                                        \
	}

/* Sets every field of the table to "absent". */
void fields_reset(void *obj, const struct field *tab, size_t n);

/* Walks the elements of the section whose SECTION_START was just returned (or
 * of the whole message when root is true) into obj. Nested sections are
 * handed to sub (which must consume them, e.g. with vici_parser_skip_section)
 * or skipped when sub is NULL; *first_sub (if not NULL) gets the position of
 * the first nested section, or of the section end. Returns 0 or -EBADMSG. */
typedef int (*field_sub_fn)(void *ctx, struct vici_parser *p, const struct vici_element *e);
int fields_walk(struct vici_parser *p, bool root, void *obj, const struct field *tab, size_t n,
                int64_t now, field_sub_fn sub, void *ctx, const uint8_t **first_sub,
                const uint8_t **end);

/* Consumes list items up to LIST_END and records them in *l (if not NULL).
 * Returns 0 or -EBADMSG. */
int list_take(struct vici_parser *p, struct model_list *l);

/* Decimal numbers as charon writes them; false (and *out untouched) for
 * anything else, including overflow. */
bool parse_u64(const uint8_t *v, size_t len, uint64_t *out);
bool parse_i64(const uint8_t *v, size_t len, int64_t *out);

#endif
