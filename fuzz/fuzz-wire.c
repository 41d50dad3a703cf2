/*
 * libFuzzer target for the VICI message codec. Any input is decoded; the
 * parser must agree with vici_message_validate(), and a valid message must
 * come out of the builder byte for byte when its elements are fed back in
 * (parser and builder share one grammar, so anything else is a bug).
 * vici_message_find() must find the first root key, and skipping every
 * top-level section must land on the same elements as walking through it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-wire: %s\n", what);
		abort();
	}
}

static void reencode(struct vici_builder *b, const struct vici_element *e)
{
	switch (e->type) {
	case VICI_SECTION_START:
		vici_builder_section_startn(b, e->name, e->name_len);
		break;
	case VICI_SECTION_END:
		vici_builder_section_end(b);
		break;
	case VICI_KEY_VALUE:
		vici_builder_addn(b, e->name, e->name_len, e->value, e->value_len);
		break;
	case VICI_LIST_START:
		vici_builder_list_startn(b, e->name, e->name_len);
		break;
	case VICI_LIST_ITEM:
		vici_builder_list_item(b, e->value, e->value_len);
		break;
	case VICI_LIST_END:
		vici_builder_list_end(b);
		break;
	}
}

/* Counts root-level key/values and sections, skipping sections whole. */
static long count_root(const uint8_t *data, size_t size)
{
	struct vici_parser p;
	struct vici_element e;
	long n = 0;
	int r;

	vici_parser_init(&p, data, size);
	while ((r = vici_parser_next(&p, &e)) > 0) {
		if (e.type == VICI_KEY_VALUE || e.type == VICI_SECTION_START)
			n++;
		if (e.type == VICI_SECTION_START && vici_parser_skip_section(&p) < 0)
			return -1;
	}
	return r < 0 ? -1 : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vici_parser p;
	struct vici_element e, first_key = {0};
	struct vici_builder b;
	long root = 0;
	int r;

	vici_parser_init(&p, data, size);
	vici_builder_init(&b);
	while ((r = vici_parser_next(&p, &e)) > 0) {
		check(e.type >= VICI_SECTION_START && e.type <= VICI_LIST_END, "bad type");
		check(e.name_len <= VICI_NAME_MAX && e.value_len <= VICI_VALUE_MAX, "bad length");
		/* name and value are NULL for elements that carry none */
		check((!e.name || (const uint8_t *)e.name + e.name_len <= data + size) &&
		              (!e.value || e.value + e.value_len <= data + size),
		      "element outside the input");
		if ((e.type == VICI_KEY_VALUE && vici_parser_depth(&p) == 0) ||
		    (e.type == VICI_SECTION_START && vici_parser_depth(&p) == 1))
			root++;
		if (e.type == VICI_KEY_VALUE && vici_parser_depth(&p) == 0 && !first_key.name)
			first_key = e;
		reencode(&b, &e);
	}
	check(vici_parser_next(&p, &e) == r, "parser result not sticky");
	check(vici_message_validate(data, size) == r, "validate disagrees with the parser");
	check(b.err == 0, "builder refused an element the parser accepted");

	uint8_t *out;
	size_t out_len;
	int fr = vici_builder_finish(&b, &out, &out_len);
	if (r < 0) {
		/* a prefix that stopped on an error may be unclosed: no check */
		free(out);
		check(count_root(data, size) == -1, "skip_section accepted a bad message");
		return 0;
	}
	check(fr == 0, "builder refused a valid message");
	check(out_len == size && (size == 0 || memcmp(out, data, size) == 0),
	      "re-encoding differs from the input");
	free(out);

	check(count_root(data, size) == root, "skipping sections lost elements");

	if (first_key.name && !memchr(first_key.name, '.', first_key.name_len) &&
	    !memchr(first_key.name, '\0', first_key.name_len)) {
		char path[VICI_NAME_MAX + 1];
		const uint8_t *v;
		size_t vl;
		memcpy(path, first_key.name, first_key.name_len);
		path[first_key.name_len] = '\0';
		check(vici_message_find(data, size, path, &v, &vl) == 0 && v == first_key.value &&
		              vl == first_key.value_len,
		      "find missed the first root key");
	}
	return 0;
}
