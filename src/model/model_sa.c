/*
 * IKE and CHILD SAs: decoding list-sa and the SA events, sweeps, event
 * reconciliation and rates.
 *
 * Reconciliation. Everything is keyed by uniqueid, never by name: charon
 * gives every IKE and CHILD SA a new uniqueid, also on rekeying. The monitor
 * and listener connections are separate sockets, so a list-sa event may have
 * been built before an ike-updown/child-updown "down" that we ingest first;
 * removals by event therefore leave a tombstone, and list-sa data for a
 * tombstoned SA arriving in a sweep that began before the removal is
 * ignored. A child-updown "down" for a CHILD SA that was already rekeyed (or
 * is unknown) only removes that uniqueid and is recorded as redundant; it
 * never touches the CHILD SA that replaced it.
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
#include "model/model_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

#define IKE_F(n, k, m) FIELD(n, k, struct model_ike, m)
#define CHILD_F(n, k, m) FIELD(n, k, struct model_child, m)

static const struct field ike_fields[] = {
        IKE_F("uniqueid", F_U32, uniqueid),
        IKE_F("version", F_VERSION, version),
        IKE_F("state", F_IKE_STATE, state),
        IKE_F("local-host", F_STR, local_host),
        IKE_F("local-port", F_U16, local_port),
        IKE_F("local-id", F_STR, local_id),
        IKE_F("remote-host", F_STR, remote_host),
        IKE_F("remote-port", F_U16, remote_port),
        IKE_F("remote-id", F_STR, remote_id),
        IKE_F("remote-xauth-id", F_STR, remote_xauth_id),
        IKE_F("remote-eap-id", F_STR, remote_eap_id),
        IKE_F("initiator", F_YES, initiator),
        IKE_F("initiator-spi", F_STR, initiator_spi),
        IKE_F("responder-spi", F_STR, responder_spi),
        IKE_F("nat-local", F_YES, nat_local),
        IKE_F("nat-remote", F_YES, nat_remote),
        IKE_F("nat-fake", F_YES, nat_fake),
        IKE_F("nat-any", F_YES, nat_any),
        IKE_F("if-id-in", F_STR, if_id_in),
        IKE_F("if-id-out", F_STR, if_id_out),
        IKE_F("encr-alg", F_STR, encr_alg),
        IKE_F("encr-keysize", F_U32, encr_keysize),
        IKE_F("integ-alg", F_STR, integ_alg),
        IKE_F("integ-keysize", F_U32, integ_keysize),
        IKE_F("prf-alg", F_STR, prf_alg),
        IKE_F("dh-group", F_STR, dh_group),
        IKE_F("ppk", F_YES, ppk),
        IKE_F("established", F_AGO, established_at),
        IKE_F("rekey-time", F_UNTIL, rekey_at),
        IKE_F("reauth-time", F_UNTIL, reauth_at),
        IKE_F("local-vips", F_LIST, local_vips),
        IKE_F("remote-vips", F_LIST, remote_vips),
        IKE_F("tasks-queued", F_LIST, tasks_queued),
        IKE_F("tasks-active", F_LIST, tasks_active),
        IKE_F("tasks-passive", F_LIST, tasks_passive),
};
#define N_IKE_FIELDS (sizeof(ike_fields) / sizeof(ike_fields[0]))

static const struct field child_fields[] = {
        CHILD_F("name", F_STR, name),
        CHILD_F("uniqueid", F_U32, uniqueid),
        CHILD_F("reqid", F_U32, reqid),
        CHILD_F("state", F_CHILD_STATE, state),
        CHILD_F("mode", F_STR, mode),
        CHILD_F("label", F_STR, label),
        CHILD_F("protocol", F_STR, protocol),
        CHILD_F("encap", F_YES, encap),
        CHILD_F("spi-in", F_STR, spi_in),
        CHILD_F("spi-out", F_STR, spi_out),
        CHILD_F("cpi-in", F_STR, cpi_in),
        CHILD_F("cpi-out", F_STR, cpi_out),
        CHILD_F("mark-in", F_STR, mark_in),
        CHILD_F("mark-mask-in", F_STR, mark_mask_in),
        CHILD_F("mark-out", F_STR, mark_out),
        CHILD_F("mark-mask-out", F_STR, mark_mask_out),
        CHILD_F("if-id-in", F_STR, if_id_in),
        CHILD_F("if-id-out", F_STR, if_id_out),
        CHILD_F("encr-alg", F_STR, encr_alg),
        CHILD_F("encr-keysize", F_U32, encr_keysize),
        CHILD_F("integ-alg", F_STR, integ_alg),
        CHILD_F("integ-keysize", F_U32, integ_keysize),
        CHILD_F("prf-alg", F_STR, prf_alg),
        CHILD_F("dh-group", F_STR, dh_group),
        CHILD_F("esn", F_YES, esn),
        CHILD_F("bytes-in", F_COUNTER, bytes_in),
        CHILD_F("packets-in", F_COUNTER, packets_in),
        CHILD_F("use-in", F_AGO, use_in_at),
        CHILD_F("bytes-out", F_COUNTER, bytes_out),
        CHILD_F("packets-out", F_COUNTER, packets_out),
        CHILD_F("use-out", F_AGO, use_out_at),
        CHILD_F("rekey-time", F_UNTIL, rekey_at),
        CHILD_F("life-time", F_UNTIL, life_at),
        CHILD_F("install-time", F_AGO, installed_at),
        CHILD_F("local-ts", F_LIST, local_ts),
        CHILD_F("remote-ts", F_LIST, remote_ts),
};
#define N_CHILD_FIELDS (sizeof(child_fields) / sizeof(child_fields[0]))

/* The descriptive parts of the structs, copied as a whole on update. */
#define IKE_REGION_START offsetof(struct model_ike, version)
#define IKE_REGION_END (offsetof(struct model_ike, tasks_passive) + sizeof(struct model_list))
#define CHILD_REGION_START offsetof(struct model_child, state)
#define CHILD_REGION_END (offsetof(struct model_child, remote_ts) + sizeof(struct model_list))

enum role { ROLE_PLAIN, ROLE_OLD, ROLE_NEW };
enum children_mode { CHILDREN_FLAT, CHILDREN_REKEY };

/* ---- decoding --------------------------------------------------------------- */

struct ike_parse {
	struct model *m;
	int64_t now;
	enum children_mode mode;
	bool has_children;
	int child_role; /* for CHILDREN_REKEY, while inside old/new */
	struct model_str child_key;
};

void sa_templates_init(struct model *m)
{
	memset(&m->ike_tpl, 0, sizeof(m->ike_tpl));
	fields_reset(&m->ike_tpl, ike_fields, N_IKE_FIELDS);
	memset(&m->child_tpl, 0, sizeof(m->child_tpl));
	fields_reset(&m->child_tpl, child_fields, N_CHILD_FIELDS);
}

static void ike_tmp_init(const struct model *m, struct model_ike *f, const struct vici_element *sec)
{
	*f = m->ike_tpl;
	f->name = mstr(sec->name, sec->name_len);
}

static struct model_child *tmp_push(struct model *m, int role)
{
	if (m->tmp_n == m->tmp_cap) {
		m->tmp_cap = m->tmp_cap ? m->tmp_cap * 2 : 8;
		m->tmp = xreallocarray(m->tmp, m->tmp_cap, sizeof(*m->tmp));
		m->tmp_role = xreallocarray(m->tmp_role, m->tmp_cap, sizeof(*m->tmp_role));
	}
	m->tmp_role[m->tmp_n] = role;
	struct model_child *c = &m->tmp[m->tmp_n++];
	*c = m->child_tpl;
	return c;
}

static int child_body(struct model *m, struct vici_parser *p, struct model_str key, int role,
                      int64_t now)
{
	struct model_child *c = tmp_push(m, role);
	const uint8_t *start = p->pos, *end;
	c->key = key;
	int r = fields_walk(p, false, c, child_fields, N_CHILD_FIELDS, now, NULL, NULL, NULL, &end);
	if (r < 0)
		return r;
	c->raw.msg = start;
	c->raw.len = (size_t)(end - start);
	c->updated_at = now;
	return 0;
}

/* Inside child-sas{<name>{old{...} new{...}}} of child-rekey. */
static int rekey_pair_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct ike_parse *ip = ctx;
	int role = vici_eq(e->name, e->name_len, "old")   ? ROLE_OLD
	           : vici_eq(e->name, e->name_len, "new") ? ROLE_NEW
	                                                  : -1;
	if (role < 0)
		return vici_parser_skip_section(p);
	return child_body(ip->m, p, ip->child_key, role, ip->now);
}

static int children_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct ike_parse *ip = ctx;
	struct model_str key = mstr(e->name, e->name_len);
	if (ip->mode == CHILDREN_FLAT)
		return child_body(ip->m, p, key, ROLE_PLAIN, ip->now);
	ip->child_key = key;
	return fields_walk(p, false, NULL, NULL, 0, ip->now, rekey_pair_sub, ip, NULL, NULL);
}

static int ike_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct ike_parse *ip = ctx;
	if (!vici_eq(e->name, e->name_len, "child-sas") || ip->has_children)
		return vici_parser_skip_section(p);
	ip->has_children = true;
	return fields_walk(p, false, NULL, NULL, 0, ip->now, children_sub, ip, NULL, NULL);
}

/* Decodes the IKE section whose SECTION_START e was just returned into f;
 * its CHILD SAs go to m->tmp. */
static int ike_body(struct ike_parse *ip, struct vici_parser *p, const struct vici_element *e,
                    struct model_ike *f)
{
	const uint8_t *start = p->pos, *first_sub, *end;
	ike_tmp_init(ip->m, f, e);
	int r = fields_walk(p, false, f, ike_fields, N_IKE_FIELDS, ip->now, ike_sub, ip, &first_sub,
	                    &end);
	if (r < 0)
		return r;
	/* charon puts child-sas last: the IKE's own elements end where it starts. */
	f->raw.msg = start;
	f->raw.len = (size_t)(first_sub - start);
	f->updated_at = ip->now;
	return f->uniqueid ? 0 : -EBADMSG;
}

/* The root of an SA message: optional keys, then one <ike-name> section (for
 * ike-rekey the section holds old and new IKE sections). */
struct root_parse {
	struct ike_parse ip;
	bool rekey_ike; /* ike-rekey layout */
	bool got_ike;
	struct model_ike ike, ike_new; /* ike_new only for ike-rekey */
	bool got_old, got_new;
	/* root keys */
	bool up;
	struct model_str local_host, remote_host;
	uint16_t local_port, remote_port;
	bool has_local_port, has_remote_port;
	int err;
};

struct root_keys {
	bool up;
	struct model_str local_host, remote_host;
	uint16_t local_port, remote_port;
};

static const struct field root_fields[] = {
        FIELD("up", F_YES, struct root_keys, up),
        FIELD("local-host", F_STR, struct root_keys, local_host),
        FIELD("local-port", F_U16, struct root_keys, local_port),
        FIELD("remote-host", F_STR, struct root_keys, remote_host),
        FIELD("remote-port", F_U16, struct root_keys, remote_port),
};

static int ike_rekey_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct root_parse *rp = ctx;
	if (vici_eq(e->name, e->name_len, "old") && !rp->got_old) {
		rp->got_old = true;
		return ike_body(&rp->ip, p, e, &rp->ike);
	}
	if (vici_eq(e->name, e->name_len, "new") && !rp->got_new) {
		rp->got_new = true;
		return ike_body(&rp->ip, p, e, &rp->ike_new);
	}
	return vici_parser_skip_section(p);
}

static int root_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct root_parse *rp = ctx;
	if (rp->got_ike)
		return vici_parser_skip_section(p);
	rp->got_ike = true;
	if (!rp->rekey_ike)
		return ike_body(&rp->ip, p, e, &rp->ike);
	struct model_str name = {e->name, (uint32_t)e->name_len};
	int r = fields_walk(p, false, NULL, NULL, 0, rp->ip.now, ike_rekey_sub, rp, NULL, NULL);
	/* Both IKE SAs are named by the enclosing section, not "old"/"new". */
	rp->ike.name = rp->ike_new.name = name;
	return r;
}

/* Copies msg into a new block and decodes it as a whole SA message. Returns
 * 0 with the block in *blkp (the caller unrefs it), or -EBADMSG holding
 * nothing. */
static int root_decode(struct model *m, const void *msg, size_t len, enum children_mode mode,
                       bool rekey_ike, int64_t now, struct root_parse *rp, struct root_keys *rk,
                       struct model_blk **blkp)
{
	struct model_blk *blk = blk_new(m, msg, len);
	struct vici_parser p;
	memset(rp, 0, sizeof(*rp));
	rp->ip.m = m;
	rp->ip.now = now;
	rp->ip.mode = mode;
	rp->rekey_ike = rekey_ike;
	m->tmp_n = 0;
	fields_reset(rk, root_fields, sizeof(root_fields) / sizeof(root_fields[0]));
	vici_parser_init(&p, blk->data, blk->len);
	int r = fields_walk(&p, true, rk, root_fields, sizeof(root_fields) / sizeof(root_fields[0]),
	                    now, root_sub, rp, NULL, NULL);
	if (r < 0 || !rp->got_ike || (rekey_ike && (!rp->got_old || !rp->got_new))) {
		blk_unref(m, blk);
		return -EBADMSG;
	}
	*blkp = blk;
	return 0;
}

/* ---- SA storage --------------------------------------------------------------- */

static struct model_child *child_in(struct model_ike *ike, uint32_t uid, size_t *idx)
{
	for (size_t i = 0; i < ike->n_children; i++)
		if (ike->children[i].uniqueid == uid) {
			if (idx)
				*idx = i;
			return &ike->children[i];
		}
	return NULL;
}

static void child_remove_at(struct model *m, struct model_ike *ike, size_t i)
{
	struct model_child *c = &ike->children[i];
	if (idmap_get(&m->child_map, c->uniqueid) == ike)
		idmap_del(&m->child_map, c->uniqueid);
	blk_unref(m, c->priv.blk);
	memmove(c, c + 1, (ike->n_children - i - 1) * sizeof(*c));
	ike->n_children--;
}

static struct model_child *child_append(struct model *m, struct model_ike *ike, uint32_t uid)
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

static void children_sort(struct model_ike *ike)
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

static void ike_totals(struct model_ike *ike)
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

void ike_destroy(struct model *m, struct model_ike *ike)
{
	while (ike->n_children)
		child_remove_at(m, ike, ike->n_children - 1);
	free(ike->children);
	blk_unref(m, ike->priv.blk);
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
	ike->priv.ev_at = MODEL_TIME_NONE;
	ike->priv.born = ++m->born;
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
static struct model_ike *ike_apply(struct model *m, const struct model_ike *f,
                                   struct model_blk *blk, int64_t now, unsigned *fl,
                                   int64_t *prev_at)
{
	struct model_ike *ike = idmap_get(&m->ike_map, f->uniqueid);
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
	blk_ref(blk);
	blk_unref(m, ike->priv.blk);
	ike->priv.blk = blk;
	ike_touch(m, ike, fl);
	return ike;
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
			c->priv.base_bytes_in = c->bytes_in;
			c->priv.base_bytes_out = c->bytes_out;
			c->priv.base_packets_in = c->packets_in;
			c->priv.base_packets_out = c->packets_out;
			c->priv.base_at = now;
			return;
		}
		c->priv.base_at = c->installed_at < now ? c->installed_at : now;
	}
	if (c->bytes_in < c->priv.base_bytes_in || c->bytes_out < c->priv.base_bytes_out ||
	    c->packets_in < c->priv.base_packets_in || c->packets_out < c->priv.base_packets_out ||
	    c->priv.base_at == MODEL_TIME_NONE || c->priv.base_at > now) {
		c->priv.base_bytes_in = c->bytes_in;
		c->priv.base_bytes_out = c->bytes_out;
		c->priv.base_packets_in = c->packets_in;
		c->priv.base_packets_out = c->packets_out;
		c->priv.base_at = now;
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
	c->priv.base_bytes_in = c->bytes_in;
	c->priv.base_bytes_out = c->bytes_out;
	c->priv.base_packets_in = c->packets_in;
	c->priv.base_packets_out = c->packets_out;
	c->priv.base_at = now;
}

/* Updates (or adds) one CHILD SA of ike from t. pred_uid names a known
 * predecessor (0: look for a sibling of the same name). prev_ike_at is the
 * IKE SA's previous update time. */
static struct model_child *child_apply(struct model *m, struct model_ike *ike,
                                       const struct model_child *t, struct model_blk *blk,
                                       uint32_t pred_uid, int64_t prev_ike_at, int64_t now,
                                       unsigned *fl)
{
	size_t idx;
	struct model_child *c = child_in(ike, t->uniqueid, &idx);
	bool is_new = !c;
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
	blk_ref(blk);
	blk_unref(m, c->priv.blk);
	c->priv.blk = blk;

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
static void ike_remove(struct model *m, struct model_ike *ike, int64_t now)
{
	tomb_add(m, false, ike->uniqueid, 0, true, now);
	ike_destroy(m, ike);
}

static void ev_from_ike(struct ev_args *a, enum model_event_kind k, const struct model_ike *f)
{
	memset(a, 0, sizeof(*a));
	a->kind = k;
	a->ike_id = f->uniqueid;
	a->ike_name = f->name;
	a->remote_host = f->remote_host;
	a->text = f->state_name;
}

/* ---- list-sa ------------------------------------------------------------------ */

int model_ingest_list_sa(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct root_parse rp;
	struct root_keys rk;
	struct model_blk *blk;
	unsigned fl = 0;
	m->ident_changed = false;
	int r = root_decode(m, msg, len, CHILDREN_FLAT, false, now, &rp, &rk, &blk);
	if (r < 0)
		return r;
	if (removed_during_sweep(m, false, rp.ike.uniqueid)) {
		blk_unref(m, blk);
		return 0;
	}
	int64_t prev;
	struct model_ike *ike = idmap_get(&m->ike_map, rp.ike.uniqueid);
	if (ike && event_newer(m, ike->priv.ev_at)) {
		prev = ike->updated_at;
		ike_touch(m, ike, &fl);
	} else {
		ike = ike_apply(m, &rp.ike, blk, now, &fl, &prev);
	}
	if (m->sweeps[MODEL_TABLE_SAS].open && m->sweeps[MODEL_TABLE_SAS].ike_id == ike->uniqueid)
		m->sweeps[MODEL_TABLE_SAS].ike_id = 0, m->sweeps[MODEL_TABLE_SAS].gen = 0;

	/* A list-sa lists every CHILD SA of its IKE SA: the others are gone,
	 * except those an event reported after the sweep began. */
	ike_mark_seen_children(ike);
	for (size_t i = 0; i < m->tmp_n; i++) {
		const struct model_child *t = &m->tmp[i];
		if (!t->uniqueid || removed_during_sweep(m, true, t->uniqueid))
			continue;
		struct model_child *c = child_in(ike, t->uniqueid, NULL);
		if (!c || !event_newer(m, c->priv.ev_at))
			c = child_apply(m, ike, t, blk, 0, prev, now, &fl);
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
	blk_unref(m, blk);
	/* Most list-sa (targeted refreshes, sweeps) only move counters: views
	 * keep their rows and the counts stay valid then. */
	sa_bump(m, (fl & MODEL_CHANGED_SA_SET) || m->ident_changed);
	m->cnt_at = now;
	return changed(m, fl);
}

/* ---- sweeps ------------------------------------------------------------------- */

static void sas_sweep_end(struct model *m, struct sweep *s, unsigned *fl)
{
	if (s->ike_id) {
		/* Targeted refresh: its list-sa clears s->ike_id; still set means the
		 * SA was not listed, so it is gone. */
		struct model_ike *ike = idmap_get(&m->ike_map, s->ike_id);
		if (ike) {
			ike_destroy(m, ike);
			*fl |= MODEL_CHANGED_SAS | MODEL_CHANGED_SA_SET;
		}
		return;
	}
	if (s->gen == 0)
		return;
	for (size_t i = m->n_ikes; i-- > 0;) {
		struct model_ike *ike = m->ikes[i];
		if (ike->priv.seen == s->gen)
			continue;
		ike->priv.misses++;
		*fl |= MODEL_CHANGED_SAS | MODEL_CHANGED_SA_SET;
		if (ike->priv.misses >= m->cfg.sweep_miss_limit)
			ike_destroy(m, ike);
		else
			ike->stale = true;
	}
}

/* Sweep state for SAs lives in sweeps[MODEL_TABLE_SAS]; a targeted refresh
 * is recorded by ike_id with gen 0 so it never counts misses. */
void model_sweep_begin(struct model *m, enum model_table t, uint32_t ike_id, int64_t now)
{
	if ((unsigned)t > MODEL_TABLE_POLS)
		return;
	struct sweep *s = &m->sweeps[t];
	s->open = true;
	s->ike_id = t == MODEL_TABLE_SAS ? ike_id : 0;
	s->gen = ++m->seen_gen;
	if (m->seen_gen == 0)
		s->gen = ++m->seen_gen;
	if (s->ike_id)
		s->gen = 0;
	s->began = now;
	s->tombs_at_begin = m->tomb_total;
}

void model_sweep_abort(struct model *m, enum model_table t)
{
	if ((unsigned)t <= MODEL_TABLE_POLS)
		m->sweeps[t].open = false;
}

int model_sweep_end(struct model *m, enum model_table t, int64_t now)
{
	if ((unsigned)t > MODEL_TABLE_POLS || !m->sweeps[t].open)
		return 0;
	struct sweep *s = &m->sweeps[t];
	s->open = false;
	unsigned fl = 0;
	if (t == MODEL_TABLE_SAS) {
		sas_sweep_end(m, s, &fl);
		if (fl)
			sa_bump(m, true);
		return changed(m, fl);
	}
	return conf_sweep_end(m, t, s->gen);
}

/* ---- events ------------------------------------------------------------------- */

int model_ingest_ike_updown(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct root_parse rp;
	struct root_keys rk;
	struct ev_args a;
	struct model_blk *blk;
	unsigned fl = 0;
	int r = root_decode(m, msg, len, CHILDREN_FLAT, false, now, &rp, &rk, &blk);
	if (r < 0)
		return r;
	ev_from_ike(&a, rk.up ? MODEL_EV_IKE_UP : MODEL_EV_IKE_DOWN, &rp.ike);
	if (rk.up) {
		struct model_ike *ike = ike_apply(m, &rp.ike, blk, now, &fl, NULL);
		ike->priv.ev_at = now;
		ike_totals(ike);
	} else {
		struct model_ike *ike = idmap_get(&m->ike_map, rp.ike.uniqueid);
		if (ike) {
			ike_remove(m, ike, now);
			fl |= MODEL_CHANGED_SAS | MODEL_CHANGED_SA_SET;
		} else {
			a.redundant = true;
			tomb_add(m, false, rp.ike.uniqueid, 0, true, now);
		}
	}
	events_push(m, &a, now);
	blk_unref(m, blk);
	if (fl)
		sa_bump(m, true);
	return changed(m, fl | MODEL_CHANGED_EVENTS);
}

int model_ingest_ike_rekey(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct root_parse rp;
	struct root_keys rk;
	struct ev_args a;
	struct model_blk *blk;
	unsigned fl = 0;
	int r = root_decode(m, msg, len, CHILDREN_FLAT, true, now, &rp, &rk, &blk);
	if (r < 0)
		return r;
	if (rp.ike.uniqueid == rp.ike_new.uniqueid) {
		blk_unref(m, blk);
		return -EBADMSG;
	}
	struct model_ike *old = ike_apply(m, &rp.ike, blk, now, &fl, NULL);
	bool folded = old->folded;
	uint32_t old_id = old->uniqueid;
	struct model_ike *nw = ike_apply(m, &rp.ike_new, blk, now, &fl, NULL);
	old = idmap_get(&m->ike_map, old_id);
	old->priv.ev_at = nw->priv.ev_at = now;
	/* IKEv2 rekeying moves the CHILD SAs to the new IKE SA. */
	while (old->n_children) {
		struct model_child *c = &old->children[old->n_children - 1];
		if (child_in(nw, c->uniqueid, NULL)) {
			child_remove_at(m, old, old->n_children - 1);
			continue;
		}
		struct model_child *n = child_append(m, nw, c->uniqueid);
		*n = *c;
		old->n_children--;
		idmap_put(&m->child_map, n->uniqueid, nw);
	}
	nw->rekeyed_from = old_id;
	nw->folded = folded;
	children_sort(nw);
	ike_totals(old);
	ike_totals(nw);
	tomb_add(m, false, old_id, nw->uniqueid, false, now);
	ev_from_ike(&a, MODEL_EV_IKE_REKEY, &rp.ike);
	a.new_id = nw->uniqueid;
	events_push(m, &a, now);
	blk_unref(m, blk);
	sa_bump(m, true);
	return changed(m, fl | MODEL_CHANGED_SA_SET | MODEL_CHANGED_EVENTS);
}

/* Appends a byte string to a fixed buffer. */
static size_t cat(char *buf, size_t size, size_t at, const char *s, size_t len)
{
	if (at < size) {
		size_t c = len < size - at ? len : size - at;
		memcpy(buf + at, s, c);
	}
	return at + len;
}

int model_ingest_ike_update(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct root_parse rp;
	struct root_keys rk;
	struct ev_args a;
	struct model_blk *blk;
	unsigned fl = 0;
	int r = root_decode(m, msg, len, CHILDREN_FLAT, false, now, &rp, &rk, &blk);
	if (r < 0)
		return r;
	/* The section carries the old addresses, the root keys the new ones. The
	 * raw elements keep what charon sent until the next refresh. */
	struct model_str old_remote = rp.ike.remote_host;
	uint16_t old_port = rp.ike.remote_port;
	if (rk.local_host.len) {
		rp.ike.local_host = rk.local_host;
		rp.ike.local_port = rk.local_port;
	}
	if (rk.remote_host.len) {
		rp.ike.remote_host = rk.remote_host;
		rp.ike.remote_port = rk.remote_port;
	}
	struct model_ike *ike = ike_apply(m, &rp.ike, blk, now, &fl, NULL);
	ike->priv.ev_at = now;
	ike_totals(ike);
	ev_from_ike(&a, MODEL_EV_IKE_UPDATE, &rp.ike);
	char text[600], port[16];
	size_t n = 0;
	n = cat(text, sizeof(text), n, old_remote.s, old_remote.len);
	n = cat(text, sizeof(text), n, port,
	        (size_t)snprintf(port, sizeof(port), "[%u] -> ", (unsigned)old_port));
	n = cat(text, sizeof(text), n, rp.ike.remote_host.s, rp.ike.remote_host.len);
	n = cat(text, sizeof(text), n, port,
	        (size_t)snprintf(port, sizeof(port), "[%u]", (unsigned)rp.ike.remote_port));
	a.text = mstr(text, n < sizeof(text) ? n : sizeof(text));
	events_push(m, &a, now);
	blk_unref(m, blk);
	sa_bump(m, true);
	return changed(m, fl | MODEL_CHANGED_EVENTS);
}

/* The end of a CHILD SA event: the IKE SA's children back in order, its
 * totals and the views brought up to date, the message block released. */
static int child_event_done(struct model *m, struct model_ike *ike, struct model_blk *blk,
                            unsigned fl)
{
	children_sort(ike);
	ike_totals(ike);
	blk_unref(m, blk);
	sa_bump(m, true);
	return changed(m, fl);
}

int model_ingest_child_updown(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct root_parse rp;
	struct root_keys rk;
	struct model_blk *blk;
	unsigned fl = MODEL_CHANGED_EVENTS;
	int r = root_decode(m, msg, len, CHILDREN_FLAT, false, now, &rp, &rk, &blk);
	if (r < 0)
		return r;
	int64_t prev;
	struct model_ike *ike = ike_apply(m, &rp.ike, blk, now, &fl, &prev);
	ike->priv.ev_at = now;
	for (size_t i = 0; i < m->tmp_n; i++) {
		const struct model_child *t = &m->tmp[i];
		struct ev_args a;
		if (!t->uniqueid)
			continue;
		ev_from_ike(&a, rk.up ? MODEL_EV_CHILD_UP : MODEL_EV_CHILD_DOWN, &rp.ike);
		a.child_id = t->uniqueid;
		a.child_name = t->name;
		a.text = t->state_name;
		if (rk.up) {
			child_apply(m, ike, t, blk, 0, prev, now, &fl)->priv.ev_at = now;
		} else {
			size_t idx;
			struct model_child *c = child_in(ike, t->uniqueid, &idx);
			/* charon 5.9.8 may report a CHILD SA down after it was rekeyed: that
			 * one goes, its successor stays, and the event is marked. */
			a.redundant = !c || c->rekeyed_to != 0;
			if (c) {
				a.new_id = c->rekeyed_to;
				child_remove_at(m, ike, idx);
				fl |= MODEL_CHANGED_SA_SET;
			}
			tomb_add(m, true, t->uniqueid, 0, true, now);
		}
		events_push(m, &a, now);
	}
	return child_event_done(m, ike, blk, fl);
}

int model_ingest_child_rekey(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct root_parse rp;
	struct root_keys rk;
	struct model_blk *blk;
	unsigned fl = MODEL_CHANGED_EVENTS;
	int r = root_decode(m, msg, len, CHILDREN_REKEY, false, now, &rp, &rk, &blk);
	if (r < 0)
		return r;
	int64_t prev;
	struct model_ike *ike = ike_apply(m, &rp.ike, blk, now, &fl, &prev);
	ike->priv.ev_at = now;
	uint32_t old_id = 0;
	for (size_t i = 0; i < m->tmp_n; i++) {
		const struct model_child *t = &m->tmp[i];
		if (!t->uniqueid)
			continue;
		if (m->tmp_role[i] == ROLE_OLD) {
			child_apply(m, ike, t, blk, 0, prev, now, &fl)->priv.ev_at = now;
			old_id = t->uniqueid;
			continue;
		}
		if (m->tmp_role[i] != ROLE_NEW || !old_id || old_id == t->uniqueid)
			continue;
		struct model_child *c = child_apply(m, ike, t, blk, old_id, prev, now, &fl);
		c->priv.ev_at = now;
		c->rekeyed_from = old_id;
		struct model_child *o = child_in(ike, old_id, NULL);
		if (o)
			o->rekeyed_to = t->uniqueid;
		tomb_add(m, true, old_id, t->uniqueid, false, now);
		struct ev_args a;
		ev_from_ike(&a, MODEL_EV_CHILD_REKEY, &rp.ike);
		a.child_id = old_id;
		a.new_id = t->uniqueid;
		a.child_name = t->name;
		a.text = t->state_name;
		events_push(m, &a, now);
		old_id = 0;
	}
	return child_event_done(m, ike, blk, fl);
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

void model_sa_set_fold(struct model *m, uint32_t ike_id, bool folded)
{
	struct model_ike *ike = idmap_get(&m->ike_map, ike_id);
	if (ike && ike->folded != folded) {
		ike->folded = folded;
		sa_bump(m, true);
	}
}

int model_clear(struct model *m, enum model_table t)
{
	if (t == MODEL_TABLE_SAS) {
		if (!m->n_ikes)
			return 0;
		while (m->n_ikes)
			ike_destroy(m, m->ikes[m->n_ikes - 1]);
		sa_bump(m, true);
		return changed(m, MODEL_CHANGED_SAS | MODEL_CHANGED_SA_SET);
	}
	return conf_clear(m, t);
}
