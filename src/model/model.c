/*
 * The model's core: lifetime, message blocks, hash tables, the table-driven
 * field decoder, the events and log rings, and small helpers.
 *
 * Storage is chosen for 10k IKE SAs with 20k CHILD SAs refreshed every few
 * seconds: each received message is copied once into a reference-counted
 * block, and every string of the objects it describes is a (pointer, length)
 * into that block. There is no per-field allocation, the raw elements for the
 * "every field" view come for free, and a refresh costs one copy of the
 * message plus one pass of the pull parser. Field names are looked up in
 * per-object tables in charon's emission order with a moving hint, so the
 * usual lookup is one length check and one memcmp.
 */
#include "model/model_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

const struct model_str model_str_empty = {"", 0};

/* ---- blocks --------------------------------------------------------------- */

struct model_blk *blk_new(struct model *m, const void *msg, size_t len)
{
	struct model_blk *b = NULL;
	for (size_t i = 0; i < m->n_pool; i++) {
		if (m->pool[i]->cap > len) {
			b = m->pool[i];
			m->pool[i] = m->pool[--m->n_pool];
			break;
		}
	}
	if (!b) {
		/* Rounded up so that a block fits the next, slightly longer
		 * description of the same SA (counters grow a digit). */
		size_t cap = (len + 1 + 63) & ~(size_t)63;
		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
	}
	b->refs = 1;
	b->len = len;
	if (len)
		memcpy(b->data, msg, len);
	b->data[len] = 0;
	return b;
}

struct model_blk *blk_ref(struct model_blk *b)
{
	if (b)
		b->refs++;
	return b;
}

void blk_unref(struct model *m, struct model_blk *b)
{
	if (!b || --b->refs)
		return;
	if (m->n_pool < BLK_POOL) {
		m->pool[m->n_pool++] = b;
		return;
	}
	/* Keep the larger blocks: they fit more messages. */
	size_t small = 0;
	for (size_t i = 1; i < m->n_pool; i++)
		if (m->pool[i]->cap < m->pool[small]->cap)
			small = i;
	if (m->pool[small]->cap < b->cap) {
		free(m->pool[small]);
		m->pool[small] = b;
	} else {
		free(b);
	}
}

/* ---- uniqueid map --------------------------------------------------------- */

static size_t id_slot(uint32_t key, size_t cap)
{
	/* Fibonacci hashing: uniqueids are sequential, spread them. */
	return (size_t)((key * 2654435769u) >> 7) & (cap - 1);
}

static void idmap_grow(struct idmap *h)
{
	size_t ncap = h->cap ? h->cap * 2 : 64;
	struct idmap_slot *slots = xcalloc(ncap, sizeof(*slots));
	for (size_t i = 0; i < h->cap; i++) {
		if (!h->slots[i].key)
			continue;
		size_t s = id_slot(h->slots[i].key, ncap);
		while (slots[s].key)
			s = (s + 1) & (ncap - 1);
		slots[s] = h->slots[i];
	}
	free(h->slots);
	h->slots = slots;
	h->cap = ncap;
}

void idmap_free(struct idmap *h)
{
	free(h->slots);
	memset(h, 0, sizeof(*h));
}

void *idmap_get(const struct idmap *h, uint32_t key)
{
	if (!h->cap || !key)
		return NULL;
	for (size_t s = id_slot(key, h->cap);; s = (s + 1) & (h->cap - 1)) {
		if (h->slots[s].key == key)
			return h->slots[s].val;
		if (!h->slots[s].key)
			return NULL;
	}
}

void idmap_put(struct idmap *h, uint32_t key, void *val)
{
	if (!key)
		return;
	if ((h->n + 1) * 2 > h->cap)
		idmap_grow(h);
	size_t s = id_slot(key, h->cap);
	while (h->slots[s].key && h->slots[s].key != key)
		s = (s + 1) & (h->cap - 1);
	if (!h->slots[s].key)
		h->n++;
	h->slots[s].key = key;
	h->slots[s].val = val;
}

void idmap_del(struct idmap *h, uint32_t key)
{
	if (!h->cap || !key)
		return;
	size_t mask = h->cap - 1, s = id_slot(key, h->cap);
	while (h->slots[s].key != key) {
		if (!h->slots[s].key)
			return;
		s = (s + 1) & mask;
	}
	/* Backward-shift deletion keeps probe chains intact without tombstones. */
	size_t hole = s;
	for (size_t j = (s + 1) & mask; h->slots[j].key; j = (j + 1) & mask) {
		size_t home = id_slot(h->slots[j].key, h->cap);
		bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
		if (movable) {
			h->slots[hole] = h->slots[j];
			hole = j;
		}
	}
	h->slots[hole].key = 0;
	h->slots[hole].val = NULL;
	h->n--;
}

/* ---- string map ----------------------------------------------------------- */

uint32_t str_hash(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

void strmap_free(struct strmap *h)
{
	free(h->hash);
	free(h->idx1);
	memset(h, 0, sizeof(*h));
}

void strmap_clear(struct strmap *h)
{
	if (h->cap)
		memset(h->idx1, 0, h->cap * sizeof(*h->idx1));
	h->n = 0;
}

static void strmap_insert(uint32_t *hash, uint32_t *idx1, size_t cap, uint32_t hv, uint32_t i1)
{
	size_t s = hv & (cap - 1);
	while (idx1[s])
		s = (s + 1) & (cap - 1);
	hash[s] = hv;
	idx1[s] = i1;
}

size_t strmap_get(const struct strmap *h, const void *p, size_t len,
                  bool (*eq)(const void *ctx, size_t index, const void *p, size_t len),
                  const void *ctx)
{
	if (!h->cap)
		return SIZE_MAX;
	uint32_t hv = str_hash(p, len);
	for (size_t s = hv & (h->cap - 1); h->idx1[s]; s = (s + 1) & (h->cap - 1)) {
		if (h->hash[s] == hv && eq(ctx, h->idx1[s] - 1, p, len))
			return h->idx1[s] - 1;
	}
	return SIZE_MAX;
}

void strmap_put(struct strmap *h, const void *p, size_t len, size_t index)
{
	if ((h->n + 1) * 2 > h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 64;
		uint32_t *hash = xcalloc(ncap, sizeof(*hash));
		uint32_t *idx1 = xcalloc(ncap, sizeof(*idx1));
		for (size_t i = 0; i < h->cap; i++)
			if (h->idx1[i])
				strmap_insert(hash, idx1, ncap, h->hash[i], h->idx1[i]);
		free(h->hash);
		free(h->idx1);
		h->hash = hash;
		h->idx1 = idx1;
		h->cap = ncap;
	}
	strmap_insert(h->hash, h->idx1, h->cap, str_hash(p, len), (uint32_t)index + 1);
	h->n++;
}

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
static int list_take(struct vici_parser *p, struct model_list *l)
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

/* ---- lifetime ------------------------------------------------------------- */

void model_config_defaults(struct model_config *c)
{
	c->events_capacity = 1000;
	c->log_capacity = 5000;
	c->sweep_miss_limit = 2;
	c->rate_min_interval_ms = 900;
}

static void ring_init(struct ring *r, size_t cap, size_t slot_size)
{
	r->cap = cap;
	r->slots = xcalloc(cap, slot_size);
	r->text = xcalloc(cap, sizeof(*r->text));
}

static void ring_free(struct ring *r)
{
	for (size_t i = 0; i < r->cap; i++)
		free(r->text[i]);
	free(r->text);
	free(r->slots);
}

struct model *model_new(const struct model_config *config)
{
	struct model *m = xcalloc(1, sizeof(*m));
	struct model_config d;
	model_config_defaults(&d);
	m->cfg = d;
	if (config) {
		if (config->events_capacity)
			m->cfg.events_capacity = config->events_capacity;
		if (config->log_capacity)
			m->cfg.log_capacity = config->log_capacity;
		if (config->sweep_miss_limit)
			m->cfg.sweep_miss_limit = config->sweep_miss_limit;
		if (config->rate_min_interval_ms > 0)
			m->cfg.rate_min_interval_ms = config->rate_min_interval_ms;
	}
	ring_init(&m->events, m->cfg.events_capacity, sizeof(struct model_event));
	ring_init(&m->log, m->cfg.log_capacity, sizeof(struct model_log_line));
	m->cache = xcalloc(1, sizeof(*m->cache));
	sa_templates_init(m);
	m->version.daemon = m->version.version = m->version.sysname = model_str_empty;
	m->version.release = m->version.machine = model_str_empty;
	m->stats.running = m->stats.since = model_str_empty;
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	sa_free_all(m);
	conf_free_all(m);
	for (size_t i = 0; i < m->n_pool; i++)
		free(m->pool[i]);
	ring_free(&m->events);
	ring_free(&m->log);
	free(m->cache->st);
	free(m->cache);
	free(m->tmp);
	free(m->tmp_role);
	free(m);
}

unsigned model_take_changes(struct model *m)
{
	unsigned c = m->changes;
	m->changes = 0;
	return c;
}

uint64_t model_sa_generation(const struct model *m)
{
	return m->sa_gen;
}

uint64_t model_sa_view_generation(const struct model *m)
{
	return m->view_gen;
}

/* ---- tombstones ----------------------------------------------------------- */

void tomb_add(struct model *m, bool child, uint32_t uid, uint32_t succ, bool removed, int64_t now)
{
	struct tomb *t = &m->tombs[m->tomb_total % TOMB_CAP];
	t->uid = uid;
	t->succ = succ;
	t->t = now;
	t->child = child;
	t->removed = removed;
	m->tomb_total++;
}

static uint32_t successor(const struct model *m, bool child, uint32_t uid)
{
	size_t n = m->tomb_total < TOMB_CAP ? m->tomb_total : TOMB_CAP;
	for (int hops = 0; hops < 16; hops++) {
		uint32_t next = 0;
		for (size_t k = 0; k < n && !next; k++) {
			const struct tomb *t = &m->tombs[(m->tomb_total - 1 - k) % TOMB_CAP];
			if (t->uid == uid && t->child == child && t->succ)
				next = t->succ;
		}
		if (!next)
			return hops ? uid : 0;
		uid = next;
	}
	return uid;
}

uint32_t model_ike_successor(const struct model *m, uint32_t uniqueid)
{
	return uniqueid ? successor(m, false, uniqueid) : 0;
}

uint32_t model_child_successor(const struct model *m, uint32_t uniqueid)
{
	return uniqueid ? successor(m, true, uniqueid) : 0;
}

/* ---- rings ---------------------------------------------------------------- */

/* Returns the slot for a new entry, evicting the oldest when full. */
static size_t ring_push(struct ring *r)
{
	size_t slot;
	if (r->n == r->cap) {
		slot = r->head;
		r->head = (r->head + 1) % r->cap;
		r->dropped++;
		free(r->text[slot]);
		r->text[slot] = NULL;
	} else {
		slot = (r->head + r->n) % r->cap;
		r->n++;
	}
	return slot;
}

static size_t ring_index(const struct ring *r, size_t i)
{
	return (r->head + i) % r->cap;
}

/* Copies strings into one block; the struct model_str pointers are then
 * redirected into it. */
static char *pack_strs(struct model_str **strs, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += strs[i]->len + 1;
	char *blk = xmalloc(total ? total : 1), *p = blk;
	for (size_t i = 0; i < n; i++) {
		if (strs[i]->len)
			memcpy(p, strs[i]->s, strs[i]->len);
		p[strs[i]->len] = 0;
		strs[i]->s = p;
		p += strs[i]->len + 1;
	}
	return blk;
}

int events_push(struct model *m, const struct ev_args *a, int64_t now)
{
	struct ring *r = &m->events;
	size_t slot = ring_push(r);
	struct model_event *ev = (struct model_event *)r->slots + slot;
	memset(ev, 0, sizeof(*ev));
	ev->seq = r->seq++;
	ev->time = now;
	ev->kind = a->kind;
	ev->ike_id = a->ike_id;
	ev->child_id = a->child_id;
	ev->new_id = a->new_id;
	ev->redundant = a->redundant;
	ev->level = a->level;
	ev->ike_name = a->ike_name;
	ev->child_name = a->child_name;
	ev->remote_host = a->remote_host;
	ev->text = a->text;
	ev->group = a->group;
	struct model_str *strs[] = {&ev->ike_name, &ev->child_name, &ev->remote_host, &ev->text,
	                            &ev->group};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strs[i]->s)
			*strs[i] = model_str_empty;
	r->text[slot] = pack_strs(strs, sizeof(strs) / sizeof(strs[0]));
	return changed(m, MODEL_CHANGED_EVENTS);
}

static const char *const event_kind_names[MODEL_EV_KIND_COUNT] = {
        "ike-up",     "ike-down",    "child-up",  "child-down",  "ike-rekey", "child-rekey",
        "ike-update", "control-log", "action-ok", "action-fail", "notice",
};

const char *model_event_kind_name(enum model_event_kind k)
{
	return (unsigned)k < MODEL_EV_KIND_COUNT ? event_kind_names[k] : "unknown";
}

int model_event_add(struct model *m, enum model_event_kind kind, int64_t now, const char *text,
                    size_t len)
{
	struct ev_args a = {.kind = kind, .text = mstr(text ? text : "", text ? len : 0)};
	if ((unsigned)kind >= MODEL_EV_KIND_COUNT)
		return -EINVAL;
	return events_push(m, &a, now);
}

int model_event_addf(struct model *m, enum model_event_kind kind, int64_t now, const char *fmt, ...)
{
	va_list ap;
	char buf[512];
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return model_event_add(m, kind, now, buf,
	                       (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

size_t model_events_count(const struct model *m)
{
	return m->events.n;
}

const struct model_event *model_event_at(const struct model *m, size_t i)
{
	if (i >= m->events.n)
		return NULL;
	return (const struct model_event *)m->events.slots + ring_index(&m->events, i);
}

uint64_t model_events_dropped(const struct model *m)
{
	return m->events.dropped;
}

/* ---- log ------------------------------------------------------------------ */

static const char *const log_groups[MODEL_LOG_GROUP_OTHER] = {
        "DMN", "MGR", "IKE", "CHD", "JOB", "CFG", "KNL", "NET", "ASN", "ENC",
        "TNC", "IMC", "IMV", "PTS", "TLS", "APP", "ESP", "LIB", "WCH",
};

unsigned model_log_group_index(const void *name, size_t len)
{
	if (len != 3)
		return MODEL_LOG_GROUP_OTHER;
	for (unsigned i = 0; i < MODEL_LOG_GROUP_OTHER; i++)
		if (memcmp(log_groups[i], name, 3) == 0)
			return i;
	return MODEL_LOG_GROUP_OTHER;
}

const char *model_log_group_name(unsigned index)
{
	return index < MODEL_LOG_GROUP_OTHER ? log_groups[index] : "other";
}

void model_log_filter_init(struct model_log_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->min_level = -100;
	f->max_level = 100;
}

bool model_log_match(const struct model_log_line *l, const struct model_log_filter *f)
{
	if (f->groups && !(f->groups & (1u << l->group_index)))
		return false;
	if (l->level < f->min_level || l->level > f->max_level)
		return false;
	if (f->ike_id && l->ike_id != f->ike_id)
		return false;
	if (f->text && *f->text) {
		size_t n = strlen(f->text);
		if (!model_str_icontains(l->msg, f->text, n) &&
		    !model_str_icontains(l->ike_name, f->text, n))
			return false;
	}
	return true;
}

/* The keys of log and control-log events. */
struct log_fields {
	struct model_str group, ike_name, msg;
	int64_t level, thread;
	uint32_t ike_id;
	bool has_level, has_thread;
};

static int log_decode(const void *msg, size_t len, struct log_fields *lf)
{
	struct vici_parser p;
	struct vici_element e;
	int r;
	memset(lf, 0, sizeof(*lf));
	lf->group = lf->ike_name = lf->msg = model_str_empty;
	vici_parser_init(&p, msg, len);
	while ((r = vici_parser_next(&p, &e)) == 1) {
		int64_t x;
		uint64_t u;
		if (e.type == VICI_SECTION_START) {
			if (vici_parser_skip_section(&p) < 0)
				return -EBADMSG;
			continue;
		}
		if (e.type == VICI_LIST_START) {
			if (list_take(&p, NULL) < 0)
				return -EBADMSG;
			continue;
		}
		if (e.type != VICI_KEY_VALUE)
			continue;
		if (vici_eq(e.name, e.name_len, "group"))
			lf->group = mstr(e.value, e.value_len);
		else if (vici_eq(e.name, e.name_len, "msg"))
			lf->msg = mstr(e.value, e.value_len);
		else if (vici_eq(e.name, e.name_len, "ikesa-name"))
			lf->ike_name = mstr(e.value, e.value_len);
		else if (vici_eq(e.name, e.name_len, "ikesa-uniqueid")) {
			if (parse_u64(e.value, e.value_len, &u) && u <= UINT32_MAX)
				lf->ike_id = (uint32_t)u;
		} else if (vici_eq(e.name, e.name_len, "level")) {
			if (parse_i64(e.value, e.value_len, &x) && x > -1000 && x < 1000) {
				lf->level = x;
				lf->has_level = true;
			}
		} else if (vici_eq(e.name, e.name_len, "thread")) {
			if (parse_i64(e.value, e.value_len, &x) && x >= 0 && x < 1000000) {
				lf->thread = x;
				lf->has_thread = true;
			}
		}
	}
	return r < 0 ? -EBADMSG : 0;
}

int model_ingest_log(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct log_fields lf;
	int r = log_decode(msg, len, &lf);
	/* A line cut short by a malformed tail is still worth showing. */
	if (r < 0 && !lf.msg.len)
		return r;
	struct ring *rg = &m->log;
	size_t slot = ring_push(rg);
	struct model_log_line *l = (struct model_log_line *)rg->slots + slot;
	memset(l, 0, sizeof(*l));
	l->seq = rg->seq++;
	l->time = now;
	l->group = lf.group;
	l->group_index = model_log_group_index(lf.group.s, lf.group.len);
	l->level = (int)lf.level;
	l->thread = lf.has_thread ? (int)lf.thread : -1;
	l->ike_name = lf.ike_name;
	l->ike_id = lf.ike_id;
	l->msg = lf.msg;
	struct model_str *strs[] = {&l->group, &l->ike_name, &l->msg};
	rg->text[slot] = pack_strs(strs, 3);
	changed(m, MODEL_CHANGED_LOG);
	return r < 0 ? r : MODEL_CHANGED_LOG;
}

int model_ingest_control_log(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct log_fields lf;
	int r = log_decode(msg, len, &lf);
	if (r < 0 && !lf.msg.len)
		return r;
	struct ev_args a = {
	        .kind = MODEL_EV_CONTROL_LOG,
	        .ike_id = lf.ike_id,
	        .ike_name = lf.ike_name,
	        .text = lf.msg,
	        .group = lf.group,
	        .level = (int)lf.level,
	};
	events_push(m, &a, now);
	return r < 0 ? r : MODEL_CHANGED_EVENTS;
}

size_t model_log_count(const struct model *m)
{
	return m->log.n;
}

const struct model_log_line *model_log_at(const struct model *m, size_t i)
{
	if (i >= m->log.n)
		return NULL;
	return (const struct model_log_line *)m->log.slots + ring_index(&m->log, i);
}

uint64_t model_log_dropped(const struct model *m)
{
	return m->log.dropped;
}

size_t model_log_count_matching(const struct model *m, const struct model_log_filter *f)
{
	size_t n = 0;
	for (size_t i = 0; i < m->log.n; i++)
		n += model_log_match(model_log_at(m, i), f);
	return n;
}

/* ---- dispatch ------------------------------------------------------------- */

int model_ingest_event(struct model *m, const char *name, size_t name_len, const void *msg,
                       size_t len, int64_t now)
{
	static const struct {
		const char *name;
		int (*fn)(struct model *, const void *, size_t, int64_t);
	} tab[] = {
	        {"list-sa", model_ingest_list_sa},
	        {"log", model_ingest_log},
	        {"child-updown", model_ingest_child_updown},
	        {"ike-updown", model_ingest_ike_updown},
	        {"child-rekey", model_ingest_child_rekey},
	        {"ike-rekey", model_ingest_ike_rekey},
	        {"ike-update", model_ingest_ike_update},
	        {"control-log", model_ingest_control_log},
	        {"list-conn", model_ingest_list_conn},
	        {"list-policy", model_ingest_list_policy},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (vici_eq(name, name_len, tab[i].name))
			return tab[i].fn(m, msg, len, now);
	return -ENOENT;
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
