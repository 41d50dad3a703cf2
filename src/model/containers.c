/*
 * The model's containers (see containers.h).
 *
 * Storage is chosen for 10k to 50k IKE SAs with two CHILD SAs each refreshed
 * every few seconds: each string of an object is a (pointer, length) into a
 * reference-counted block, a received message (connections, policies) or
 * the compact copy of just an SA's strings (sa_decode.h). There is no
 * per-field allocation, and a steady state reuses pooled blocks.
 */
#include "model/containers.h"

#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

/* Under AddressSanitizer a pooled block is poisoned until it is reused, so
 * a string still pointing into a released message is reported like a read
 * of freed memory instead of showing another message's bytes. */
#if defined(__SANITIZE_ADDRESS__)
#define BLK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BLK_ASAN 1
#endif
#endif
#ifdef BLK_ASAN
#include <sanitizer/asan_interface.h>
#define blk_poison(b) ASAN_POISON_MEMORY_REGION((b)->data, (b)->cap)
#define blk_unpoison(b) ASAN_UNPOISON_MEMORY_REGION((b)->data, (b)->cap)
#else
#define blk_poison(b) ((void)(b))
#define blk_unpoison(b) ((void)(b))
#endif

/* ---- blocks --------------------------------------------------------------- */

struct model_blk *blk_new(struct blk_pool *pool, const void *msg, size_t len)
{
	struct model_blk *b = blk_alloc(pool, len);
	if (len)
		memcpy(b->data, msg, len);
	return b;
}

struct model_blk *blk_alloc(struct blk_pool *pool, size_t len)
{
	struct model_blk *b = NULL;
	for (size_t i = 0; i < pool->n; i++) {
		if (pool->blk[i]->cap > len) {
			b = pool->blk[i];
			pool->blk[i] = pool->blk[--pool->n];
			blk_unpoison(b);
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
	b->data[len] = 0;
	return b;
}

struct model_blk *blk_ref(struct model_blk *b)
{
	if (b)
		b->refs++;
	return b;
}

void blk_unref(struct blk_pool *pool, struct model_blk *b)
{
	if (!b || --b->refs)
		return;
	if (pool->n < BLK_POOL) {
		blk_poison(b);
		pool->blk[pool->n++] = b;
		return;
	}
	/* Keep the larger blocks: they fit more messages. */
	size_t small = 0;
	for (size_t i = 1; i < pool->n; i++)
		if (pool->blk[i]->cap < pool->blk[small]->cap)
			small = i;
	if (pool->blk[small]->cap < b->cap) {
		free(pool->blk[small]);
		blk_poison(b);
		pool->blk[small] = b;
	} else {
		free(b);
	}
}

void blk_pool_free(struct blk_pool *pool)
{
	for (size_t i = 0; i < pool->n; i++)
		free(pool->blk[i]);
	pool->n = 0;
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

/* ---- ring ------------------------------------------------------------------ */

void ring_init(struct ring *r, size_t cap, size_t slot_size)
{
	r->cap = cap;
	r->slots = xcalloc(cap, slot_size);
	r->text = xcalloc(cap, sizeof(*r->text));
}

void ring_free(struct ring *r)
{
	for (size_t i = 0; i < r->cap; i++)
		free(r->text[i]);
	free(r->text);
	free(r->slots);
}

/* Returns the slot for a new entry, evicting the oldest when full. */
size_t ring_push(struct ring *r)
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

size_t ring_index(const struct ring *r, size_t i)
{
	return (r->head + i) % r->cap;
}
