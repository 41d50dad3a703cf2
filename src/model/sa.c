/*
 * IKE and CHILD SAs: their storage, list-sa, sweeps, reconciliation with the
 * SA events, rates, successors and the SA queries. The events themselves are
 * in sa_events.c, the decoding of all SA messages in sa_decode.c.
 *
 * Reconciliation. Everything is keyed by uniqueid, never by name: charon
 * gives every IKE and CHILD SA a new uniqueid, also on rekeying. The monitor
 * and listener connections are separate sockets, so a list-sa event may have
 * been built before an ike-updown/child-updown "down" that we ingest first;
 * removals by event therefore leave a tombstone, and list-sa data for a
 * tombstoned SA arriving in a sweep that began before the removal is
 * ignored.
 *
 * Rates. Each CHILD SA keeps a baseline (counters and time). A sample at least
 * rate_min_interval_ms after the baseline yields a rate and becomes the new
 * baseline; closer samples only update the counters. A CHILD SA that is new to
 * us and was installed after the previous sample of its IKE SA (or that has
 * a known predecessor: a child-rekey event or a sibling with the same name)
 * started counting from 0 at its install time, so that is its baseline and
 * its rate is right at the first sample; until enough time has passed it
 * shows its predecessor's rate, so a rekey never makes the rate drop to zero
 * or spike. Counters that go backwards only re-baseline: never a negative
 * rate. IKE rates are the sums over their CHILD SAs.
 */
#include "model/sa.h"

#include <stdlib.h>
#include <string.h>

#include "model/model_priv.h"
#include "model/sa_decode.h"
#include "vici/xmalloc.h"

/* The descriptive parts of the structs, copied as a whole on update. */
#define IKE_REGION_START offsetof(struct model_ike, version)
#define IKE_REGION_END (offsetof(struct model_ike, tasks_passive) + sizeof(struct model_list))
#define CHILD_REGION_START offsetof(struct model_child, state)
#define CHILD_REGION_END (offsetof(struct model_child, remote_ts) + sizeof(struct model_list))

/* ---- SA storage --------------------------------------------------------------- */

struct model_child *child_in(struct model_ike *ike, uint32_t uid, size_t *idx)
{
	for (size_t i = 0; i < ike->n_children; i++)
		if (ike->children[i].uniqueid == uid) {
			if (idx)
				*idx = i;
			return &ike->children[i];
		}
	return NULL;
}

void child_remove_at(struct model *m, struct model_ike *ike, size_t i)
{
	struct model_child *c = &ike->children[i];
	if (idmap_get(&m->child_map, c->uniqueid) == ike)
		idmap_del(&m->child_map, c->uniqueid);
	blk_unref(&m->pool, c->priv.blk);
	memmove(c, c + 1, (ike->n_children - i - 1) * sizeof(*c));
	ike->n_children--;
}

struct model_child *child_append(struct model *m, struct model_ike *ike, uint32_t uid)
{
	if (ike->n_children == ike->priv.children_cap) {
		ike->priv.children_cap = ike->priv.children_cap ? ike->priv.children_cap * 2 : 2;
		ike->children = xreallocarray(ike->children, ike->priv.children_cap,
		                              sizeof(*ike->children));
	}
	struct model_child *c = &ike->children[ike->n_children++];
	memset(c, 0, sizeof(*c));
	c->uniqueid = uid;
	c->priv.base_at = MODEL_TIME_NONE;
	c->priv.ev_at = MODEL_TIME_NONE;
	idmap_put(&m->child_map, uid, ike);
	return c;
}

static int child_cmp(const struct model_child *a, const struct model_child *b)
{
	size_t n = a->name.len < b->name.len ? a->name.len : b->name.len;
	for (size_t i = 0; i < n; i++)
		if (a->name.s[i] != b->name.s[i])
			return (unsigned char)a->name.s[i] < (unsigned char)b->name.s[i] ? -1 : 1;
	if (a->name.len != b->name.len)
		return a->name.len < b->name.len ? -1 : 1;
	return a->uniqueid < b->uniqueid ? -1 : a->uniqueid > b->uniqueid;
}

void children_sort(struct model_ike *ike)
{
	/* Few CHILD SAs per IKE SA, mostly sorted already: insertion sort. */
	for (size_t i = 1; i < ike->n_children; i++) {
		if (child_cmp(&ike->children[i - 1], &ike->children[i]) <= 0)
			continue;
		struct model_child t = ike->children[i];
		size_t j = i;
		while (j > 0 && child_cmp(&ike->children[j - 1], &t) > 0) {
			ike->children[j] = ike->children[j - 1];
			j--;
		}
		ike->children[j] = t;
	}
}

void ike_totals(struct model_ike *ike)
{
	ike->bytes_in = ike->bytes_out = ike->packets_in = ike->packets_out = 0;
	memset(&ike->rate, 0, sizeof(ike->rate));
	for (size_t i = 0; i < ike->n_children; i++) {
		const struct model_child *c = &ike->children[i];
		ike->bytes_in += c->bytes_in;
		ike->bytes_out += c->bytes_out;
		ike->packets_in += c->packets_in;
		ike->packets_out += c->packets_out;
		if (c->rate.valid) {
			ike->rate.valid = true;
			ike->rate.bytes_in += c->rate.bytes_in;
			ike->rate.bytes_out += c->rate.bytes_out;
			ike->rate.packets_in += c->rate.packets_in;
			ike->rate.packets_out += c->rate.packets_out;
		}
	}
}

static void ike_destroy(struct model *m, struct model_ike *ike)
{
	while (ike->n_children)
		child_remove_at(m, ike, ike->n_children - 1);
	free(ike->children);
	blk_unref(&m->pool, ike->priv.blk);
	idmap_del(&m->ike_map, ike->uniqueid);
	m->set_gen++;
	size_t i = ike->priv.index;
	m->ikes[i] = m->ikes[--m->n_ikes];
	m->ikes[i]->priv.index = i;
	free(ike);
}

void sa_free_all(struct model *m)
{
	while (m->n_ikes)
		ike_destroy(m, m->ikes[m->n_ikes - 1]);
	free(m->ikes);
	idmap_free(&m->ike_map);
	idmap_free(&m->child_map);
}

static struct model_ike *ike_create(struct model *m, uint32_t uid)
{
	struct model_ike *ike = xcalloc(1, sizeof(*ike));
	ike->uniqueid = uid;
	ike->folded = m->fold_default;
	ike->updated_at = MODEL_TIME_NONE;
	ike->listed_at = MODEL_TIME_NONE;
	ike->priv.ev_at = MODEL_TIME_NONE;
	ike->priv.born = ++m->born;
	ike->epoch = m->epoch;
	if (m->n_ikes == m->cap_ikes) {
		m->cap_ikes = m->cap_ikes ? m->cap_ikes * 2 : 64;
		m->ikes = xreallocarray(m->ikes, m->cap_ikes, sizeof(*m->ikes));
	}
	ike->priv.index = m->n_ikes;
	m->ikes[m->n_ikes++] = ike;
	m->set_gen++;
	idmap_put(&m->ike_map, uid, ike);
	return ike;
}

/* Was this SA removed by an event after the open sweep began? Then data for it
 * in that sweep predates the removal. */
static bool removed_during_sweep(const struct model *m, bool child, uint32_t uid)
{
	const struct sweep *s = &m->sweeps[MODEL_TABLE_SAS];
	if (!s->open || m->tomb_total == s->tombs_at_begin)
		return false;
	uint64_t n = m->tomb_total - s->tombs_at_begin;
	if (n > TOMB_CAP)
		n = TOMB_CAP;
	for (uint64_t k = 0; k < n; k++) {
		const struct tomb *t = &m->tombs[(m->tomb_total - 1 - k) % TOMB_CAP];
		if (t->removed && t->child == child && t->uid == uid)
			return true;
	}
	return false;
}

/* The IKE SA was described now: it is seen by an open sweep, not stale. */
static void ike_touch(struct model *m, struct model_ike *ike, unsigned *fl)
{
	const struct sweep *s = &m->sweeps[MODEL_TABLE_SAS];
	if (s->open)
		ike->priv.seen = s->gen;
	ike->priv.misses = 0;
	if (ike->stale) {
		ike->stale = false;
		*fl |= MODEL_CHANGED_SA_SET;
	}
	*fl |= MODEL_CHANGED_SAS;
}

/* Did an event describe it after the open sweep began? Then that sweep's
 * list-sa data for it may be older than what we have. */
static bool event_newer(const struct model *m, int64_t ev_at)
{
	const struct sweep *s = &m->sweeps[MODEL_TABLE_SAS];
	return s->open && ev_at != MODEL_TIME_NONE && ev_at >= s->began;
}

static bool str_same(struct model_str a, struct model_str b)
{
	return a.len == b.len && (!a.len || memcmp(a.s, b.s, a.len) == 0);
}

static bool list_same(const struct model_list *a, const struct model_list *b)
{
	return a->count == b->count && a->bytes == b->bytes &&
	       (!a->bytes || memcmp(a->items, b->items, a->bytes) == 0);
}

/* Do the fields a view sorts (except by bytes or rate) or filters by differ?
 * Names and states are compared by the callers (MODEL_CHANGED_SA_SET). */
static bool ike_ident_differs(const struct model_ike *a, const struct model_ike *b)
{
	return !str_same(a->local_host, b->local_host) ||
	       !str_same(a->remote_host, b->remote_host) || !str_same(a->local_id, b->local_id) ||
	       !str_same(a->remote_id, b->remote_id) ||
	       !str_same(a->remote_eap_id, b->remote_eap_id) ||
	       !str_same(a->remote_xauth_id, b->remote_xauth_id) ||
	       !str_same(a->initiator_spi, b->initiator_spi) ||
	       !str_same(a->responder_spi, b->responder_spi) ||
	       !list_same(&a->local_vips, &b->local_vips) ||
	       !list_same(&a->remote_vips, &b->remote_vips);
}

static bool child_ident_differs(const struct model_child *a, const struct model_child *b)
{
	return !str_same(a->name, b->name) || !str_same(a->spi_in, b->spi_in) ||
	       !str_same(a->spi_out, b->spi_out) || !list_same(&a->local_ts, &b->local_ts) ||
	       !list_same(&a->remote_ts, &b->remote_ts);
}

/* Updates (or creates) the IKE SA described by f. Children are not touched. */
struct model_ike *ike_apply(struct model *m, struct model_ike *f, int64_t now, unsigned *fl,
                            int64_t *prev_at)
{
	struct model_ike *ike = idmap_get(&m->ike_map, f->uniqueid);
	/* The strings become the model's own (old ones kept if unchanged). */
	struct model_blk *own = sa_own_ike(m, f, ike, f->uniqueid == m->raw_ike);
	if (prev_at)
		*prev_at = ike ? ike->updated_at : MODEL_TIME_NONE;
	if (!ike) {
		ike = ike_create(m, f->uniqueid);
		*fl |= MODEL_CHANGED_SA_SET;
	} else if (ike->name.len != f->name.len ||
	           memcmp(ike->name.s, f->name.s, f->name.len) != 0) {
		ike->priv.conn_gen = 0; /* look the connection up again */
		*fl |= MODEL_CHANGED_SA_SET;
	} else if (ike->state != f->state) {
		*fl |= MODEL_CHANGED_SA_SET;
	} else if (!m->ident_changed && ike_ident_differs(ike, f)) {
		m->ident_changed = true;
	}
	memcpy((char *)ike + IKE_REGION_START, (const char *)f + IKE_REGION_START,
	       IKE_REGION_END - IKE_REGION_START);
	ike->raw = f->raw;
	ike->updated_at = now;
	if (own) {
		blk_unref(&m->pool, ike->priv.blk);
		ike->priv.blk = own;
	}
	ike_touch(m, ike, fl);
	return ike;
}

/* The counters now are the baseline of the next rate. */
static void child_rebase(struct model_child *c, int64_t now)
{
	c->priv.base_bytes_in = c->bytes_in;
	c->priv.base_bytes_out = c->bytes_out;
	c->priv.base_packets_in = c->packets_in;
	c->priv.base_packets_out = c->packets_out;
	c->priv.base_at = now;
}

/* Takes a rate sample for c (see the comment at the top). */
static void child_sample(const struct model *m, struct model_child *c, bool is_new,
                         const struct model_rate *pred_rate, bool has_pred, int64_t prev_ike_at,
                         int64_t now)
{
	if (!c->has_counters)
		return;
	if (is_new) {
		bool fresh = c->installed_at != MODEL_TIME_NONE &&
		             (has_pred || (prev_ike_at != MODEL_TIME_NONE &&
		                           c->installed_at >= prev_ike_at - 1000));
		if (!fresh) {
			child_rebase(c, now);
			return;
		}
		c->priv.base_at = c->installed_at < now ? c->installed_at : now;
	}
	if (c->bytes_in < c->priv.base_bytes_in || c->bytes_out < c->priv.base_bytes_out ||
	    c->packets_in < c->priv.base_packets_in || c->packets_out < c->priv.base_packets_out ||
	    c->priv.base_at == MODEL_TIME_NONE || c->priv.base_at > now) {
		child_rebase(c, now);
		return;
	}
	int64_t dt = now - c->priv.base_at;
	if (dt < m->cfg.rate_min_interval_ms) {
		if (is_new && has_pred && pred_rate->valid)
			c->rate = *pred_rate;
		return;
	}
	double k = 1000.0 / (double)dt;
	c->rate.bytes_in = (double)(c->bytes_in - c->priv.base_bytes_in) * k;
	c->rate.bytes_out = (double)(c->bytes_out - c->priv.base_bytes_out) * k;
	c->rate.packets_in = (double)(c->packets_in - c->priv.base_packets_in) * k;
	c->rate.packets_out = (double)(c->packets_out - c->priv.base_packets_out) * k;
	c->rate.valid = true;
	child_rebase(c, now);
}

struct model_child *child_apply(struct model *m, struct model_ike *ike, struct model_child *t,
                                uint32_t pred_uid, int64_t prev_ike_at, int64_t now, unsigned *fl)
{
	size_t idx;
	struct model_child *c = child_in(ike, t->uniqueid, &idx);
	bool is_new = !c;
	struct model_blk *own = sa_own_child(m, t, c, ike->uniqueid == m->raw_ike);
	if (is_new) {
		struct model_ike *other = idmap_get(&m->child_map, t->uniqueid);
		size_t oi;
		if (other && other != ike && child_in(other, t->uniqueid, &oi)) {
			/* Moved between IKE SAs (e.g. a missed ike-rekey). */
			child_remove_at(m, other, oi);
			ike_totals(other);
		}
		c = child_append(m, ike, t->uniqueid);
		*fl |= MODEL_CHANGED_SA_SET;
	} else if (c->state != t->state) {
		*fl |= MODEL_CHANGED_SA_SET;
	} else if (!m->ident_changed && child_ident_differs(c, t)) {
		m->ident_changed = true;
	}
	uint32_t rf = c->rekeyed_from, rt = c->rekeyed_to;
	c->reqid = t->reqid;
	memcpy((char *)c + CHILD_REGION_START, (const char *)t + CHILD_REGION_START,
	       CHILD_REGION_END - CHILD_REGION_START);
	c->rekeyed_from = rf;
	c->rekeyed_to = rt;
	c->raw = t->raw;
	c->updated_at = now;
	if (own) {
		blk_unref(&m->pool, c->priv.blk);
		c->priv.blk = own;
	}

	struct model_rate pred_rate = {0};
	bool has_pred = false;
	if (is_new) {
		const struct model_child *pred = pred_uid ? child_in(ike, pred_uid, NULL) : NULL;
		if (!pred && !pred_uid && t->name.len) {
			for (size_t i = 0; i < ike->n_children; i++) {
				const struct model_child *s = &ike->children[i];
				if (s != c && s->uniqueid != t->uniqueid &&
				    s->name.len == t->name.len &&
				    memcmp(s->name.s, t->name.s, t->name.len) == 0 &&
				    s->uniqueid < t->uniqueid && !s->rekeyed_to) {
					pred = s;
				}
			}
		}
		if (pred) {
			pred_rate = pred->rate;
			has_pred = true;
			if (!c->rekeyed_from)
				c->rekeyed_from = pred->uniqueid;
		} else if (pred_uid) {
			has_pred = true;
			c->rekeyed_from = pred_uid;
		}
	}
	child_sample(m, c, is_new, &pred_rate, has_pred, prev_ike_at, now);
	*fl |= MODEL_CHANGED_SAS;
	return c;
}

static void ike_mark_seen_children(struct model_ike *ike)
{
	for (size_t i = 0; i < ike->n_children; i++)
		ike->children[i].priv.seen = 0;
}

/* Only the IKE SA gets a tombstone: its CHILD SAs may live on under another
 * IKE SA (IKEv1 reauthentication keeps them, with the same uniqueids). */
void ike_remove(struct model *m, struct model_ike *ike, int64_t now)
{
	tomb_add(m, false, ike->uniqueid, 0, true, now);
	ike_destroy(m, ike);
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

uint64_t model_sa_epoch(const struct model *m)
{
	return m->epoch;
}

/* The IKE SA with this id now: its successor once charon said there is one
 * (the old SA lingers a moment, rekeyed and about to be deleted), else
 * itself. */
static struct model_ike *ike_now(const struct model *m, uint32_t id)
{
	uint32_t succ = model_ike_successor(m, id);
	struct model_ike *ike = succ ? idmap_get(&m->ike_map, succ) : NULL;
	return ike ? ike : idmap_get(&m->ike_map, id);
}

/* When no event named the successor (the listener was reconnecting, or the
 * rekey fell between two refreshes): what charon keeps across a CHILD SA's
 * rekeys, its name and reqid; the newest while a rekey is in progress. */
static struct model_child *child_by_reqid(struct model_ike *ike, const struct model_sa_ref *r)
{
	struct model_child *found = NULL;
	for (size_t i = 0; r->reqid && i < ike->n_children; i++) {
		struct model_child *c = &ike->children[i];
		if (c->reqid != r->reqid || c->name.len != r->child_name.len ||
		    (c->name.len && memcmp(c->name.s, r->child_name.s, c->name.len)))
			continue;
		if (!found || c->uniqueid > found->uniqueid)
			found = c;
	}
	return found;
}

const struct model_ike *model_sa_follow(const struct model *m, struct model_sa_ref *ref,
                                        const struct model_child **child)
{
	struct model_ike *ike = NULL;
	struct model_child *c = NULL;
	if (child)
		*child = NULL;
	if (ref->epoch && ref->epoch != m->epoch)
		return NULL;
	if (!ref->child_id) {
		ike = ike_now(m, ref->ike_id);
		if (ike)
			ref->ike_id = ike->uniqueid;
		return ike;
	}
	uint32_t succ = model_child_successor(m, ref->child_id);
	if (succ && (ike = idmap_get(&m->child_map, succ)))
		c = child_in(ike, succ, NULL);
	if (!c && (ike = idmap_get(&m->child_map, ref->child_id)))
		c = child_in(ike, ref->child_id, NULL);
	if (!c && (ike = ike_now(m, ref->ike_id)))
		c = child_by_reqid(ike, ref);
	if (!c)
		return NULL;
	ref->ike_id = ike->uniqueid;
	ref->child_id = c->uniqueid;
	if (child)
		*child = c;
	return ike;
}

/* ---- list-sa ------------------------------------------------------------------ */

int model_ingest_list_sa(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct sa_msg d;
	unsigned fl = 0;
	m->ident_changed = false;
	int r = sa_decode(m, msg, len, SA_LAYOUT_FLAT, now, &d);
	if (r < 0)
		return r;
	if (removed_during_sweep(m, false, d.ike.uniqueid))
		return 0;
	int64_t prev;
	struct model_ike *ike = idmap_get(&m->ike_map, d.ike.uniqueid);
	if (ike && event_newer(m, ike->priv.ev_at)) {
		prev = ike->updated_at;
		ike_touch(m, ike, &fl);
	} else {
		ike = ike_apply(m, &d.ike, now, &fl, &prev);
	}
	if (m->sweeps[MODEL_TABLE_SAS].open && m->sweeps[MODEL_TABLE_SAS].ike_id == ike->uniqueid)
		m->sweeps[MODEL_TABLE_SAS].ike_id = 0, m->sweeps[MODEL_TABLE_SAS].gen = 0;

	/* A list-sa lists every CHILD SA of its IKE SA: the others are gone,
	 * except those an event reported after the sweep began. */
	ike->listed_at = now;
	ike_mark_seen_children(ike);
	for (size_t i = 0; i < d.n_children; i++) {
		struct model_child *t = &d.children[i];
		if (!t->uniqueid || removed_during_sweep(m, true, t->uniqueid))
			continue;
		struct model_child *c = child_in(ike, t->uniqueid, NULL);
		if (!c || !event_newer(m, c->priv.ev_at))
			c = child_apply(m, ike, t, 0, prev, now, &fl);
		c->priv.seen = 1;
	}
	for (size_t i = ike->n_children; i-- > 0;) {
		if (!ike->children[i].priv.seen && !event_newer(m, ike->children[i].priv.ev_at)) {
			child_remove_at(m, ike, i);
			fl |= MODEL_CHANGED_SA_SET;
		}
	}
	children_sort(ike);
	ike_totals(ike);
	/* Most list-sa (targeted refreshes, sweeps) only move counters: views
	 * keep their rows and the counts stay valid then. */
	sa_bump(m, (fl & MODEL_CHANGED_SA_SET) || m->ident_changed);
	m->cnt_at = now;
	return changed(m, fl);
}

/* ---- sweeps ------------------------------------------------------------------- */

/* An IKE SA a refresh did not list: noblock skips one that is checked out
 * (rekeying, say) at that moment, so it is only gone after the miss limit. */
static void sweep_miss(struct model *m, struct model_ike *ike, unsigned *fl)
{
	ike->priv.misses++;
	*fl |= MODEL_CHANGED_SAS | MODEL_CHANGED_SA_SET;
	if (ike->priv.misses >= m->cfg.sweep_miss_limit)
		ike_destroy(m, ike);
	else
		ike->stale = true;
}

static void sweep_remove(struct model *m, const struct sweep *s, unsigned *fl)
{
	if (s->ike_id) {
		/* Targeted refresh: its list-sa clears s->ike_id; still set means the
		 * SA was not listed. */
		struct model_ike *ike = idmap_get(&m->ike_map, s->ike_id);
		if (ike)
			sweep_miss(m, ike, fl);
		return;
	}
	if (s->gen == 0)
		return;
	for (size_t i = m->n_ikes; i-- > 0;)
		if (m->ikes[i]->priv.seen != s->gen)
			sweep_miss(m, m->ikes[i], fl);
}

int sa_sweep_end(struct model *m, const struct sweep *s)
{
	unsigned fl = 0;
	sweep_remove(m, s, &fl);
	if (fl)
		sa_bump(m, true);
	return changed(m, fl);
}

/* ---- queries ------------------------------------------------------------------ */

size_t model_ike_count(const struct model *m)
{
	return m->n_ikes;
}

const struct model_ike *model_ike_at(const struct model *m, size_t i)
{
	return i < m->n_ikes ? m->ikes[i] : NULL;
}

const struct model_ike *model_ike_find(const struct model *m, uint32_t uniqueid)
{
	return idmap_get(&m->ike_map, uniqueid);
}

const struct model_child *model_child_find(const struct model *m, uint32_t uniqueid,
                                           const struct model_ike **ike_out)
{
	struct model_ike *ike = idmap_get(&m->child_map, uniqueid);
	const struct model_child *c = ike ? child_in(ike, uniqueid, NULL) : NULL;
	if (ike_out)
		*ike_out = c ? ike : NULL;
	return c;
}

void model_set_raw_ike(struct model *m, uint32_t ike_id)
{
	m->raw_ike = ike_id;
}

void sa_set_fold(struct model *m, uint32_t ike_id, bool folded)
{
	struct model_ike *ike = idmap_get(&m->ike_map, ike_id);
	if (ike && ike->folded != folded) {
		ike->folded = folded;
		sa_bump(m, true);
	}
}

int sa_clear(struct model *m)
{
	/* Another lifetime of the daemon: the old unique ids, and the rekeys
	 * between them, mean nothing any more. */
	m->epoch++;
	memset(m->tombs, 0, sizeof(m->tombs));
	if (!m->n_ikes)
		return 0;
	while (m->n_ikes)
		ike_destroy(m, m->ikes[m->n_ikes - 1]);
	sa_bump(m, true);
	return changed(m, MODEL_CHANGED_SAS | MODEL_CHANGED_SA_SET);
}
