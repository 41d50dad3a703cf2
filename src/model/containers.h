/*
 * The small containers the model keeps its state in: reference-counted
 * copies of received messages with a pool that recycles them, a uniqueid
 * map, a byte-string index map and a bounded ring of entries. They know
 * nothing of VICI or of SAs. Internal to src/model.
 */
#ifndef SWANTOP_MODEL_CONTAINERS_H
#define SWANTOP_MODEL_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- message blocks ----------------------------------------------------- */

/* A received message copied once; every object described by it points into
 * it and holds a reference, so an SA whose IKE fields come from a newer event
 * can keep CHILD SAs that still point into the older message. */
struct model_blk {
	unsigned refs;
	size_t len, cap;
	uint8_t data[];
};

/* Blocks whose last reference went, kept for the next message. */
#define BLK_POOL 16
struct blk_pool {
	struct model_blk *blk[BLK_POOL];
	size_t n;
};

/* Copies msg into a block with one reference (NUL-terminated after len),
 * reusing a pooled block: a sweep releases each SA's previous block just
 * before the next message needs one, so a steady state allocates nothing. */
struct model_blk *blk_new(struct blk_pool *pool, const void *msg, size_t len);
/* The same with len bytes left for the caller to fill. */
struct model_blk *blk_alloc(struct blk_pool *pool, size_t len);
/* Adds a reference; b may be NULL. Returns b. */
struct model_blk *blk_ref(struct model_blk *b);
/* Drops a reference; the last one hands b to the pool (or frees it). */
void blk_unref(struct blk_pool *pool, struct model_blk *b);
/* Frees the pooled blocks. */
void blk_pool_free(struct blk_pool *pool);

/* ---- uniqueid map ------------------------------------------------------- */

/* uniqueid -> pointer, open addressing with linear probing; key 0 is free.
 * Key and value share a slot: one cache miss per lookup. */
struct idmap_slot {
	uint32_t key;
	void *val;
};

struct idmap {
	struct idmap_slot *slots;
	size_t cap, n; /* cap is 0 or a power of two */
};

void idmap_free(struct idmap *h);
/* NULL if key is 0 or absent. */
void *idmap_get(const struct idmap *h, uint32_t key);
/* Adds or replaces; key 0 is ignored. */
void idmap_put(struct idmap *h, uint32_t key, void *val);
void idmap_del(struct idmap *h, uint32_t key);

/* ---- string map --------------------------------------------------------- */

/* Byte string -> index into an array (connections, policies, names). The
 * caller keeps the strings; slots store hash and index + 1 (0 = free). */
struct strmap {
	uint32_t *hash;
	uint32_t *idx1;
	size_t cap, n;
};

/* FNV-1a over the bytes: the map's hash, for others that key by strings. */
uint32_t str_hash(const void *p, size_t len);
void strmap_free(struct strmap *h);
/* Forgets every entry, keeps the slots. */
void strmap_clear(struct strmap *h);
/* Calls eq(ctx, index, p, len) for candidates; returns index or SIZE_MAX. */
size_t strmap_get(const struct strmap *h, const void *p, size_t len,
                  bool (*eq)(const void *ctx, size_t index, const void *p, size_t len),
                  const void *ctx);
/* Adds an entry (the caller made sure the string is not in the map yet). */
void strmap_put(struct strmap *h, const void *p, size_t len, size_t index);

/* ---- ring --------------------------------------------------------------- */

/* A bounded ring of fixed-size entries, each with one malloc'd text block the
 * ring owns; when full, a new entry evicts the oldest and counts it. */
struct ring {
	void *slots; /* cap elements of the ring's type */
	char **text; /* one malloc'd string block per slot */
	size_t cap, head, n;
	uint64_t dropped, seq;
};

void ring_init(struct ring *r, size_t cap, size_t slot_size);
void ring_free(struct ring *r);
/* Returns the slot index for a new entry (its text freed and NULL). */
size_t ring_push(struct ring *r);
/* The slot index of the i-th oldest entry (i < n). */
size_t ring_index(const struct ring *r, size_t i);

#endif
