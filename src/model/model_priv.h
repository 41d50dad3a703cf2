/*
 * Internals shared by the model's source files: the model struct, message
 * blocks, the uniqueid hash, name-keyed index tables and the table-driven
 * field decoder. Not part of the public interface (see model.h).
 */
#ifndef SWANTOP_MODEL_PRIV_H
#define SWANTOP_MODEL_PRIV_H

#include "model/model.h"

#include <stddef.h>
#include <stdint.h>

#include "vici/wire.h"

/* A received message copied once; every object described by it points into
 * it and holds a reference, so an SA whose IKE fields come from a newer event
 * can keep CHILD SAs that still point into the older message. */
struct model_blk {
	unsigned refs;
	size_t len, cap;
	uint8_t data[];
};

struct model;
/* Copies msg into a block with one reference, reusing a pooled block: a
 * sweep releases each SA's previous block just before the next message
 * needs one, so a steady state allocates nothing. */
struct model_blk *blk_new(struct model *m, const void *msg, size_t len);
struct model_blk *blk_ref(struct model_blk *b);
void blk_unref(struct model *m, struct model_blk *b);

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
void *idmap_get(const struct idmap *h, uint32_t key);
void idmap_put(struct idmap *h, uint32_t key, void *val);
void idmap_del(struct idmap *h, uint32_t key);

/* Byte string -> index into an array (connections, policies, names). The
 * caller keeps the strings; slots store hash and index + 1 (0 = free). */
struct strmap {
	uint32_t *hash;
	uint32_t *idx1;
	size_t cap, n;
};

uint32_t str_hash(const void *p, size_t len);
void strmap_free(struct strmap *h);
void strmap_clear(struct strmap *h);
/* Calls eq(ctx, index, p, len) for candidates; returns index or SIZE_MAX. */
size_t strmap_get(const struct strmap *h, const void *p, size_t len,
                  bool (*eq)(const void *ctx, size_t index, const void *p, size_t len),
                  const void *ctx);
void strmap_put(struct strmap *h, const void *p, size_t len, size_t index);

/* ---- table-driven field decoding ---------------------------------------- */

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

bool parse_u64(const uint8_t *v, size_t len, uint64_t *out);
bool parse_i64(const uint8_t *v, size_t len, int64_t *out);

extern const struct model_str model_str_empty;

static inline struct model_str mstr(const void *p, size_t len)
{
	struct model_str s = {(const char *)p, (uint32_t)len};
	return s;
}

/* ---- the model ---------------------------------------------------------- */

#define TOMB_CAP 1024

/* A recently removed or rekeyed SA: keeps late list-sa data from resurrecting
 * it and lets selections follow rekeys. */
struct tomb {
	uint32_t uid, succ;
	int64_t t;
	bool child;
	bool removed;
};

struct sweep {
	bool open;
	uint32_t ike_id;
	unsigned gen;
	int64_t began;
	uint64_t tombs_at_begin;
};

struct ring {
	void *slots; /* cap elements of the ring's type */
	char **text; /* one malloc'd string block per slot */
	size_t cap, head, n;
	uint64_t dropped, seq;
};

/* Lazily computed per-connection SA counts and the SA part of model_counts,
 * in one walk, valid for view_gen/conn_gen: they depend only on the SA set,
 * names and states, so counter-only refreshes keep them. */
struct conn_cache {
	uint64_t view_gen, conn_gen;
	bool valid;
	struct model_conn_status *st; /* n_conns */
	size_t n;
	struct model_counts counts; /* SA fields only */
};

struct model {
	struct model_config cfg;

	struct model_ike **ikes;
	size_t n_ikes, cap_ikes;
	struct idmap ike_map;   /* IKE uniqueid -> struct model_ike * */
	struct idmap child_map; /* CHILD uniqueid -> struct model_ike * holding it */
	uint64_t sa_gen;        /* anything about SAs changed, counters included */
	/* What a view's rows, their order (except by bytes or rate) or the
	 * counts depend on changed: the set, a state, a name, an address, ID,
	 * SPI or TS (filters), stale or fold. Not counters, rates or times. */
	uint64_t view_gen;
	int64_t cnt_at;     /* time of the last list-sa ingest (counters) */
	bool ident_changed; /* set by ike_apply/child_apply, see view_gen */
	uint64_t set_gen;   /* IKE SAs created or destroyed */
	uint64_t born;      /* serial of the last IKE SA created */
	unsigned seen_gen;  /* the generation marked by the current sweep */

	struct sweep sweeps[3];

	struct tomb tombs[TOMB_CAP];
	uint64_t tomb_total;

	struct model_conn **conns;
	size_t n_conns, cap_conns;
	struct strmap conn_map;
	uint64_t conn_gen;

	struct model_pol **pols;
	size_t n_pols, cap_pols;
	struct strmap pol_map;

	struct model_version version;
	struct model_blk *version_blk;
	struct model_stats stats;
	struct model_blk *stats_blk;

	struct ring events; /* struct model_event */
	struct ring log;    /* struct model_log_line */

	unsigned changes;
	bool fold_default;

#define BLK_POOL 16
	struct model_blk *pool[BLK_POOL];
	size_t n_pool;

	struct conn_cache *cache;

	/* all fields absent, copied before decoding */
	struct model_ike ike_tpl;
	struct model_child child_tpl;

	/* scratch space for decoding one IKE SA message */
	struct model_child *tmp;
	int *tmp_role;
	size_t tmp_n, tmp_cap;
};

/* Something about SAs changed; shape: also something the view rebuilds for. */
static inline void sa_bump(struct model *m, bool shape)
{
	m->sa_gen++;
	if (shape)
		m->view_gen++;
}

static inline int changed(struct model *m, unsigned flags)
{
	m->changes |= flags;
	return (int)flags;
}

void tomb_add(struct model *m, bool child, uint32_t uid, uint32_t succ, bool removed, int64_t now);

/* Events ring: adds one entry; strings are copied. */
struct ev_args {
	enum model_event_kind kind;
	uint32_t ike_id, child_id, new_id;
	bool redundant;
	struct model_str ike_name, child_name, remote_host, text, group;
	int level;
};
int events_push(struct model *m, const struct ev_args *a, int64_t now);

/* From model_sa.c. */
void sa_free_all(struct model *m);
void ike_destroy(struct model *m, struct model_ike *ike);
void model_sa_set_fold(struct model *m, uint32_t ike_id, bool folded);
void sa_templates_init(struct model *m);

/* From model_conf.c. */
void conf_free_all(struct model *m);
int conf_sweep_end(struct model *m, enum model_table t, unsigned gen);
int conf_clear(struct model *m, enum model_table t);

#endif
