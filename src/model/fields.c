/*
 * The table-driven decoder of VICI messages into the model's structs, and the
 * helpers of the public interface on the values it produces (strings, lists,
 * times, state names).
 *
 * Field names are looked up in per-object tables in charon's emission order
 * with a moving hint, so the usual lookup is one length check and one
 * memcmp. Values are not copied: strings and lists point into the message
 * being walked, which the caller keeps in a block (containers.h).
 */
#include "model/fields.h"

#include <errno.h>
#include <string.h>

const struct model_str model_str_empty = {"", 0};

/* ---- numbers -------------------------------------------------------------- */

bool parse_u64(const uint8_t *v, size_t len, uint64_t *out)
{
	uint64_t x = 0;
	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		unsigned d = v[i] - '0';
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}

bool parse_i64(const uint8_t *v, size_t len, int64_t *out)
{
	bool neg = len && v[0] == '-';
	uint64_t x;
	if (!parse_u64(v + neg, len - neg, &x) || x > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)x : (int64_t)x;
	return true;
}

/* ---- table-driven decoding ------------------------------------------------ */

static const char *const ike_state_names[MODEL_IKE_STATE_COUNT] = {
        "UNKNOWN",  "CREATED", "CONNECTING", "ESTABLISHED", "PASSIVE",
        "REKEYING", "REKEYED", "DELETING",   "DESTROYING",
};

static const char *const child_state_names[MODEL_CHILD_STATE_COUNT] = {
        "UNKNOWN",  "CREATED", "ROUTED",   "INSTALLING", "INSTALLED", "UPDATING",
        "REKEYING", "REKEYED", "RETRYING", "DELETING",   "DELETED",   "DESTROYING",
};

const char *model_ike_state_name(enum model_ike_state s)
{
	return (unsigned)s < MODEL_IKE_STATE_COUNT ? ike_state_names[s] : "UNKNOWN";
}

const char *model_child_state_name(enum model_child_state s)
{
	return (unsigned)s < MODEL_CHILD_STATE_COUNT ? child_state_names[s] : "UNKNOWN";
}

/* Short names compared inline: a libc call per field costs more than the
 * comparison on these 2..15-byte keys. */
static inline bool name_eq(const char *a, const void *b, size_t len)
{
	const char *q = b;
	if (len >= 8 && len <= 16) {
		/* two overlapping 8-byte words cover the whole name */
		uint64_t x0, y0, x1, y1;
		memcpy(&x0, a, 8);
		memcpy(&y0, q, 8);
		memcpy(&x1, a + len - 8, 8);
		memcpy(&y1, q + len - 8, 8);
		return x0 == y0 && x1 == y1;
	}
	for (size_t i = 0; i < len; i++)
		if (a[i] != q[i])
			return false;
	return true;
}

static unsigned state_lookup(const char *const *names, unsigned n, const uint8_t *v, size_t len)
{
	for (unsigned i = 1; i < n; i++) {
		const char *nm = names[i];
		size_t k = 0;
		while (k < len && nm[k] && nm[k] == (char)v[k])
			k++;
		if (k == len && !nm[k])
			return i;
	}
	return 0;
}

void fields_reset(void *obj, const struct field *tab, size_t n)
{
	char *o = obj;
	for (size_t i = 0; i < n; i++) {
		void *f = o + tab[i].off;
		switch (tab[i].kind) {
		case F_STR:
			*(struct model_str *)f = model_str_empty;
			break;
		case F_U16:
			*(uint16_t *)f = 0;
			break;
		case F_U32:
			*(uint32_t *)f = 0;
			break;
		case F_U64:
		case F_COUNTER:
			*(uint64_t *)f = 0;
			break;
		case F_YES:
			*(bool *)f = false;
			break;
		case F_AGO:
		case F_UNTIL:
			*(int64_t *)f = MODEL_TIME_NONE;
			break;
		case F_LIST:
			memset(f, 0, sizeof(struct model_list));
			break;
		case F_VERSION:
			*(unsigned *)f = 0;
			break;
		case F_IKE_STATE: {
			struct model_ike *ike = obj;
			ike->state = MODEL_IKE_UNKNOWN;
			ike->state_name = model_str_empty;
			break;
		}
		case F_CHILD_STATE: {
			struct model_child *c = obj;
			c->state = MODEL_CHILD_UNKNOWN;
			c->state_name = model_str_empty;
			break;
		}
		}
	}
}

/* Seconds to milliseconds relative to now, refusing values that would
 * overflow (a garbage number counts as absent). */
static bool rel_time(const uint8_t *v, size_t len, int64_t now, int sign, int64_t *out)
{
	int64_t s;
	if (!parse_i64(v, len, &s) || s > 1000000000000LL || s < -1000000000000LL)
		return false;
	*out = now + sign * s * 1000;
	return true;
}

static void field_set(void *obj, const struct field *fd, const struct vici_element *e, int64_t now)
{
	void *f = (char *)obj + fd->off;
	const uint8_t *v = e->value;
	size_t len = e->value_len;
	uint64_t u;
	int64_t t;

	switch (fd->kind) {
	case F_STR:
		*(struct model_str *)f = mstr(v ? (const void *)v : "", len);
		break;
	case F_U16:
		if (parse_u64(v, len, &u) && u <= UINT16_MAX)
			*(uint16_t *)f = (uint16_t)u;
		break;
	case F_U32:
		if (parse_u64(v, len, &u) && u <= UINT32_MAX)
			*(uint32_t *)f = (uint32_t)u;
		break;
	case F_COUNTER:
		if (parse_u64(v, len, &u)) {
			*(uint64_t *)f = u;
			((struct model_child *)obj)->has_counters = true;
		}
		break;
	case F_U64:
		if (parse_u64(v, len, &u))
			*(uint64_t *)f = u;
		break;
	case F_YES:
		*(bool *)f = vici_eq(v, len, "yes") || vici_eq(v, len, "1");
		break;
	case F_AGO:
		if (rel_time(v, len, now, -1, &t))
			*(int64_t *)f = t;
		break;
	case F_UNTIL:
		if (rel_time(v, len, now, 1, &t))
			*(int64_t *)f = t;
		break;
	case F_VERSION:
		if (parse_u64(v, len, &u) && (u == 1 || u == 2))
			*(unsigned *)f = (unsigned)u;
		break;
	case F_IKE_STATE: {
		struct model_ike *ike = obj;
		ike->state_name = mstr(v, len);
		ike->state = state_lookup(ike_state_names, MODEL_IKE_STATE_COUNT, v, len);
		break;
	}
	case F_CHILD_STATE: {
		struct model_child *c = obj;
		c->state_name = mstr(v, len);
		c->state = state_lookup(child_state_names, MODEL_CHILD_STATE_COUNT, v, len);
		break;
	}
	case F_LIST:
		break;
	}
}

/* Finds a field by name, trying the entry after the last match first: charon
 * emits keys in a fixed order, so this is usually a single comparison. */
static const struct field *field_find(const struct field *tab, size_t n, size_t *hint,
                                      const char *name, size_t len)
{
	for (size_t k = 0; k < n; k++) {
		size_t i = *hint + k < n ? *hint + k : *hint + k - n;
		if (tab[i].len == len && name_eq(tab[i].name, name, len)) {
			*hint = i + 1 < n ? i + 1 : 0;
			return &tab[i];
		}
	}
	return NULL;
}

/* Consumes list items up to LIST_END and records them in *l. */
int list_take(struct vici_parser *p, struct model_list *l)
{
	struct vici_element e;
	const uint8_t *start = p->pos, *before = p->pos;
	uint32_t count = 0;
	int r;
	while ((r = vici_parser_next(p, &e)) == 1) {
		if (e.type == VICI_LIST_END) {
			if (l) {
				l->items = count ? start : NULL;
				l->bytes = (uint32_t)(before - start);
				l->count = count;
			}
			return 0;
		}
		count++;
		before = p->pos;
	}
	return -EBADMSG;
}

int fields_walk(struct vici_parser *p, bool root, void *obj, const struct field *tab, size_t n,
                int64_t now, field_sub_fn sub, void *ctx, const uint8_t **first_sub,
                const uint8_t **end)
{
	struct vici_element e;
	size_t hint = 0;
	const uint8_t *before = p->pos;
	bool got_sub = false;
	int r;

	while ((r = vici_parser_next(p, &e)) == 1) {
		const struct field *fd;
		switch (e.type) {
		case VICI_SECTION_END:
			if (root)
				return -EBADMSG;
			goto done;
		case VICI_KEY_VALUE:
			fd = field_find(tab, n, &hint, e.name, e.name_len);
			if (fd && fd->kind != F_LIST)
				field_set(obj, fd, &e, now);
			break;
		case VICI_LIST_START:
			fd = field_find(tab, n, &hint, e.name, e.name_len);
			if (list_take(p, fd && fd->kind == F_LIST
			                         ? (struct model_list *)((char *)obj + fd->off)
			                         : NULL) < 0)
				return -EBADMSG;
			break;
		case VICI_SECTION_START:
			if (!got_sub && first_sub)
				*first_sub = before;
			got_sub = true;
			r = sub ? sub(ctx, p, &e) : vici_parser_skip_section(p);
			if (r < 0)
				return -EBADMSG;
			break;
		default:
			return -EBADMSG;
		}
		before = p->pos;
	}
	if (r < 0 || !root)
		return -EBADMSG;
done:
	if (!got_sub && first_sub)
		*first_sub = before;
	if (end)
		*end = before;
	return 0;
}

/* ---- time ----------------------------------------------------------------- */

bool model_secs_ago(int64_t at, int64_t now, int64_t *secs)
{
	if (at == MODEL_TIME_NONE)
		return false;
	int64_t d = now - at;
	*secs = d >= 0 ? d / 1000 : -((-d + 999) / 1000);
	return true;
}

bool model_secs_until(int64_t at, int64_t now, int64_t *secs)
{
	if (at == MODEL_TIME_NONE)
		return false;
	int64_t d = at - now;
	*secs = d >= 0 ? (d + 999) / 1000 : -((-d) / 1000);
	return true;
}

/* ---- strings and lists ---------------------------------------------------- */

bool model_str_eq(struct model_str a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && memcmp(a.s, s, n) == 0;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

bool model_str_icontains(struct model_str hay, const char *needle, size_t n)
{
	if (n == 0)
		return true;
	if (hay.len < n)
		return false;
	const unsigned char *h = (const unsigned char *)hay.s;
	const unsigned char *nd = (const unsigned char *)needle;
	unsigned char first = lower(nd[0]);
	for (size_t i = 0; i + n <= hay.len; i++) {
		if (lower(h[i]) != first)
			continue;
		size_t k = 1;
		while (k < n && lower(h[i + k]) == lower(nd[k]))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

void model_list_iter_init(struct model_list_iter *it, const struct model_list *l)
{
	it->pos = l->items;
	it->end = l->items ? l->items + l->bytes : NULL;
}

bool model_list_next(struct model_list_iter *it, struct model_str *item)
{
	/* Items were validated by the parser when the list was recorded. */
	if (!it->pos || it->end - it->pos < 3 || it->pos[0] != VICI_LIST_ITEM)
		return false;
	size_t len = ((size_t)it->pos[1] << 8) | it->pos[2];
	if ((size_t)(it->end - it->pos - 3) < len)
		return false;
	*item = mstr(it->pos + 3, len);
	it->pos += 3 + len;
	return true;
}

size_t model_list_join(const struct model_list *l, const char *sep, char *buf, size_t size)
{
	struct model_list_iter it;
	struct model_str s;
	size_t total = 0, seplen = strlen(sep);
	bool first = true;
	model_list_iter_init(&it, l);
	while (model_list_next(&it, &s)) {
		const char *parts[2] = {first ? "" : sep, s.s};
		size_t lens[2] = {first ? 0 : seplen, s.len};
		for (int k = 0; k < 2; k++) {
			if (total < size && size) {
				size_t room = size - 1 - total;
				size_t c = lens[k] < room ? lens[k] : room;
				if (c)
					memcpy(buf + total, parts[k], c);
			}
			total += lens[k];
		}
		first = false;
	}
	if (size)
		buf[total < size ? total : size - 1] = 0;
	return total;
}
