/*
 * Connections (list-conn), policies (list-policy), the daemon's version and
 * stats replies, per-connection SA status and the header counts.
 *
 * Each connection or policy is one message: it is copied into a block and
 * decoded in place, so its strings point into its own copy.
 */
#include "model/conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "model/model_priv.h"
#include "vici/xmalloc.h"

#define CONN_F(n, k, m) FIELD(n, k, struct model_conn, m)
#define AUTH_F(n, k, m) FIELD(n, k, struct model_auth, m)
#define CCHILD_F(n, k, m) FIELD(n, k, struct model_conn_child, m)
#define POL_F(n, k, m) FIELD(n, k, struct model_pol, m)
#define NFIELDS(t) (sizeof(t) / sizeof(t[0]))

static const struct field conn_fields[] = {
        CONN_F("local_addrs", F_LIST, local_addrs),
        CONN_F("remote_addrs", F_LIST, remote_addrs),
        CONN_F("local_port", F_U32, local_port),
        CONN_F("remote_port", F_U32, remote_port),
        CONN_F("version", F_STR, version),
        CONN_F("reauth_time", F_U32, reauth_time),
        CONN_F("rekey_time", F_U32, rekey_time),
        CONN_F("unique", F_STR, unique),
        CONN_F("dpd_delay", F_U32, dpd_delay),
        CONN_F("dpd_timeout", F_U32, dpd_timeout),
        CONN_F("ppk_id", F_STR, ppk_id),
        CONN_F("ppk_required", F_YES, ppk_required),
};

static const struct field auth_fields[] = {
        AUTH_F("class", F_STR, auth_class),      AUTH_F("eap-type", F_STR, eap_type),
        AUTH_F("eap-vendor", F_STR, eap_vendor), AUTH_F("xauth", F_STR, xauth),
        AUTH_F("revocation", F_STR, revocation), AUTH_F("id", F_STR, id),
        AUTH_F("ca_id", F_STR, ca_id),           AUTH_F("aaa_id", F_STR, aaa_id),
        AUTH_F("eap_id", F_STR, eap_id),         AUTH_F("xauth_id", F_STR, xauth_id),
        AUTH_F("groups", F_LIST, groups),        AUTH_F("cert_policy", F_LIST, cert_policy),
        AUTH_F("certs", F_LIST, certs),          AUTH_F("cacerts", F_LIST, cacerts),
};

static const struct field cchild_fields[] = {
        CCHILD_F("mode", F_STR, mode),
        CCHILD_F("label", F_STR, label),
        CCHILD_F("rekey_time", F_U64, rekey_time),
        CCHILD_F("rekey_bytes", F_U64, rekey_bytes),
        CCHILD_F("rekey_packets", F_U64, rekey_packets),
        CCHILD_F("dpd_action", F_STR, dpd_action),
        CCHILD_F("close_action", F_STR, close_action),
        CCHILD_F("start_action", F_STR, start_action),
        CCHILD_F("local-ts", F_LIST, local_ts),
        CCHILD_F("remote-ts", F_LIST, remote_ts),
        CCHILD_F("interface", F_STR, interface),
        CCHILD_F("priority", F_U32, priority),
};

static const struct field pol_fields[] = {
        POL_F("child", F_STR, child),          POL_F("ike", F_STR, ike),
        POL_F("reqid", F_U32, reqid),          POL_F("mode", F_STR, mode),
        POL_F("label", F_STR, label),          POL_F("local-ts", F_LIST, local_ts),
        POL_F("remote-ts", F_LIST, remote_ts),
};

/* ---- connections ---------------------------------------------------------- */

struct conn_parse {
	struct model_conn *c;
	int64_t now;
	bool got;
	size_t cap_auths, cap_children;
};

static int cchildren_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct conn_parse *cp = ctx;
	struct model_conn *c = cp->c;
	if (c->n_children == cp->cap_children) {
		cp->cap_children = cp->cap_children ? cp->cap_children * 2 : 2;
		c->children = xreallocarray(c->children, cp->cap_children, sizeof(*c->children));
	}
	struct model_conn_child *ch = &c->children[c->n_children++];
	memset(ch, 0, sizeof(*ch));
	fields_reset(ch, cchild_fields, NFIELDS(cchild_fields));
	ch->name = mstr(e->name, e->name_len);
	return fields_walk(p, false, ch, cchild_fields, NFIELDS(cchild_fields), cp->now, NULL, NULL,
	                   NULL, NULL);
}

/* "local-1" -> local, 1; false if the name is no auth round. */
static bool auth_name(const char *n, size_t len, bool *local, unsigned *round)
{
	size_t pre;
	if (len > 6 && memcmp(n, "local-", 6) == 0)
		pre = 6, *local = true;
	else if (len > 7 && memcmp(n, "remote-", 7) == 0)
		pre = 7, *local = false;
	else
		return false;
	uint64_t r;
	if (!parse_u64((const uint8_t *)n + pre, len - pre, &r) || r > 1000)
		return false;
	*round = (unsigned)r;
	return true;
}

static int conn_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct conn_parse *cp = ctx;
	struct model_conn *c = cp->c;
	bool local;
	unsigned round;
	if (vici_eq(e->name, e->name_len, "children"))
		return fields_walk(p, false, NULL, NULL, 0, cp->now, cchildren_sub, cp, NULL, NULL);
	if (!auth_name(e->name, e->name_len, &local, &round))
		return vici_parser_skip_section(p);
	if (c->n_auths == cp->cap_auths) {
		cp->cap_auths = cp->cap_auths ? cp->cap_auths * 2 : 2;
		c->auths = xreallocarray(c->auths, cp->cap_auths, sizeof(*c->auths));
	}
	struct model_auth *a = &c->auths[c->n_auths++];
	memset(a, 0, sizeof(*a));
	fields_reset(a, auth_fields, NFIELDS(auth_fields));
	a->section = mstr(e->name, e->name_len);
	a->local = local;
	a->round = round;
	return fields_walk(p, false, a, auth_fields, NFIELDS(auth_fields), cp->now, NULL, NULL,
	                   NULL, NULL);
}

static int conn_root_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct conn_parse *cp = ctx;
	if (cp->got)
		return vici_parser_skip_section(p);
	cp->got = true;
	cp->c->name = mstr(e->name, e->name_len);
	return fields_walk(p, false, cp->c, conn_fields, NFIELDS(conn_fields), cp->now, conn_sub,
	                   cp, NULL, NULL);
}

static void conn_free(struct model *m, struct model_conn *c)
{
	free(c->auths);
	free(c->children);
	blk_unref(&m->pool, c->priv.blk);
	free(c);
}

static bool conn_eq(const void *ctx, size_t i, const void *p, size_t len)
{
	const struct model *m = ctx;
	const struct model_conn *c = m->conns[i];
	return c->name.len == len && memcmp(c->name.s, p, len) == 0;
}

static bool pol_eq(const void *ctx, size_t i, const void *p, size_t len)
{
	const struct model *m = ctx;
	const struct model_pol *c = m->pols[i];
	return c->key.len == len && memcmp(c->key.s, p, len) == 0;
}

int model_ingest_list_conn(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct model_conn *c = xcalloc(1, sizeof(*c));
	struct conn_parse cp = {.c = c, .now = now};
	struct vici_parser p;
	fields_reset(c, conn_fields, NFIELDS(conn_fields));
	c->priv.blk = blk_new(&m->pool, msg, len);
	vici_parser_init(&p, c->priv.blk->data, len);
	int r = fields_walk(&p, true, NULL, NULL, 0, now, conn_root_sub, &cp, NULL, NULL);
	if (r < 0 || !cp.got) {
		conn_free(m, c);
		return -EBADMSG;
	}
	c->raw.msg = c->priv.blk->data;
	c->raw.len = len;
	c->updated_at = now;
	if (m->sweeps[MODEL_TABLE_CONNS].open)
		c->priv.seen = m->sweeps[MODEL_TABLE_CONNS].gen;
	size_t i = strmap_get(&m->conn_map, c->name.s, c->name.len, conn_eq, m);
	if (i != SIZE_MAX) {
		conn_free(m, m->conns[i]);
		m->conns[i] = c;
	} else {
		if (m->n_conns == m->cap_conns) {
			m->cap_conns = m->cap_conns ? m->cap_conns * 2 : 16;
			m->conns = xreallocarray(m->conns, m->cap_conns, sizeof(*m->conns));
		}
		m->conns[m->n_conns] = c;
		strmap_put(&m->conn_map, c->name.s, c->name.len, m->n_conns);
		m->n_conns++;
	}
	m->conn_gen++;
	return changed(m, MODEL_CHANGED_CONNS);
}

size_t model_conn_count(const struct model *m)
{
	return m->n_conns;
}

const struct model_conn *model_conn_at(const struct model *m, size_t i)
{
	return i < m->n_conns ? m->conns[i] : NULL;
}

const struct model_conn *model_conn_find(const struct model *m, const void *name, size_t len)
{
	size_t i = strmap_get(&m->conn_map, name, len, conn_eq, m);
	return i == SIZE_MAX ? NULL : m->conns[i];
}

/* ---- policies ------------------------------------------------------------- */

static void pol_free(struct model *m, struct model_pol *pl)
{
	blk_unref(&m->pool, pl->priv.blk);
	free(pl);
}

struct pol_parse {
	struct model_pol *pl;
	int64_t now;
	bool got;
};

static int pol_root_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct pol_parse *pp = ctx;
	if (pp->got)
		return vici_parser_skip_section(p);
	pp->got = true;
	pp->pl->key = mstr(e->name, e->name_len);
	return fields_walk(p, false, pp->pl, pol_fields, NFIELDS(pol_fields), pp->now, NULL, NULL,
	                   NULL, NULL);
}

const char *model_pol_type_name(enum model_pol_type t)
{
	static const char *const names[] = {"trap", "drop", "pass"};
	return names[(unsigned)t <= MODEL_POL_PASS ? t : MODEL_POL_TRAP];
}

int model_ingest_list_policy(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct model_pol *pl = xcalloc(1, sizeof(*pl));
	struct pol_parse pp = {.pl = pl, .now = now};
	struct vici_parser p;
	fields_reset(pl, pol_fields, NFIELDS(pol_fields));
	pl->priv.blk = blk_new(&m->pool, msg, len);
	vici_parser_init(&p, pl->priv.blk->data, len);
	int r = fields_walk(&p, true, NULL, NULL, 0, now, pol_root_sub, &pp, NULL, NULL);
	if (r < 0 || !pp.got) {
		pol_free(m, pl);
		return -EBADMSG;
	}
	pl->type = model_str_eq(pl->mode, "DROP")   ? MODEL_POL_DROP
	           : model_str_eq(pl->mode, "PASS") ? MODEL_POL_PASS
	                                            : MODEL_POL_TRAP;
	pl->raw.msg = pl->priv.blk->data;
	pl->raw.len = len;
	pl->updated_at = now;
	if (m->sweeps[MODEL_TABLE_POLS].open)
		pl->priv.seen = m->sweeps[MODEL_TABLE_POLS].gen;
	size_t i = strmap_get(&m->pol_map, pl->key.s, pl->key.len, pol_eq, m);
	if (i != SIZE_MAX) {
		pol_free(m, m->pols[i]);
		m->pols[i] = pl;
	} else {
		if (m->n_pols == m->cap_pols) {
			m->cap_pols = m->cap_pols ? m->cap_pols * 2 : 16;
			m->pols = xreallocarray(m->pols, m->cap_pols, sizeof(*m->pols));
		}
		m->pols[m->n_pols] = pl;
		strmap_put(&m->pol_map, pl->key.s, pl->key.len, m->n_pols);
		m->n_pols++;
	}
	return changed(m, MODEL_CHANGED_POLS);
}

size_t model_pol_count(const struct model *m)
{
	return m->n_pols;
}

const struct model_pol *model_pol_at(const struct model *m, size_t i)
{
	return i < m->n_pols ? m->pols[i] : NULL;
}

/* ---- sweeps and clearing -------------------------------------------------- */

/* Keeps entries whose seen equals gen (all if gen is ~0u), in order, and
 * rebuilds the name map. Returns true if something was removed. */
static bool conns_keep(struct model *m, unsigned gen)
{
	size_t k = 0;
	bool removed = false;
	strmap_clear(&m->conn_map);
	for (size_t i = 0; i < m->n_conns; i++) {
		struct model_conn *c = m->conns[i];
		if (gen != ~0u && c->priv.seen == gen) {
			m->conns[k] = c;
			strmap_put(&m->conn_map, c->name.s, c->name.len, k);
			k++;
		} else {
			conn_free(m, c);
			removed = true;
		}
	}
	m->n_conns = k;
	if (removed)
		m->conn_gen++;
	return removed;
}

static bool pols_keep(struct model *m, unsigned gen)
{
	size_t k = 0;
	bool removed = false;
	strmap_clear(&m->pol_map);
	for (size_t i = 0; i < m->n_pols; i++) {
		struct model_pol *pl = m->pols[i];
		if (gen != ~0u && pl->priv.seen == gen) {
			m->pols[k] = pl;
			strmap_put(&m->pol_map, pl->key.s, pl->key.len, k);
			k++;
		} else {
			pol_free(m, pl);
			removed = true;
		}
	}
	m->n_pols = k;
	return removed;
}

int conf_sweep_end(struct model *m, enum model_table t, unsigned gen)
{
	if (t == MODEL_TABLE_CONNS)
		return conns_keep(m, gen) ? changed(m, MODEL_CHANGED_CONNS) : 0;
	if (t == MODEL_TABLE_POLS)
		return pols_keep(m, gen) ? changed(m, MODEL_CHANGED_POLS) : 0;
	return 0;
}

int conf_clear(struct model *m, enum model_table t)
{
	return conf_sweep_end(m, t, ~0u);
}

/* ---- version -------------------------------------------------------------- */

#define VER_F(n, m) FIELD(n, F_STR, struct model_version, m)
static const struct field version_fields[] = {
        VER_F("daemon", daemon),   VER_F("version", version), VER_F("sysname", sysname),
        VER_F("release", release), VER_F("machine", machine),
};

int model_ingest_version(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct model_version v;
	struct vici_parser p;
	struct model_blk *blk = blk_new(&m->pool, msg, len);
	memset(&v, 0, sizeof(v));
	fields_reset(&v, version_fields, NFIELDS(version_fields));
	vici_parser_init(&p, blk->data, len);
	if (fields_walk(&p, true, &v, version_fields, NFIELDS(version_fields), now, NULL, NULL,
	                NULL, NULL) < 0) {
		blk_unref(&m->pool, blk);
		return -EBADMSG;
	}
	v.valid = true;
	v.received_at = now;
	v.raw.msg = blk->data;
	v.raw.len = len;
	blk_unref(&m->pool, m->version_blk);
	m->version_blk = blk;
	m->version = v;
	return changed(m, MODEL_CHANGED_VERSION);
}

const struct model_version *model_version_get(const struct model *m)
{
	return &m->version;
}

/* ---- stats ---------------------------------------------------------------- */

struct stats_parse {
	struct model_stats *st;
	int64_t now;
};

static void set_i64(int64_t *dst, const struct vici_element *e)
{
	int64_t x;
	if (parse_i64(e->value, e->value_len, &x))
		*dst = x;
}

static void set_u64(uint64_t *dst, const struct vici_element *e)
{
	uint64_t x;
	if (parse_u64(e->value, e->value_len, &x))
		*dst = x;
}

static int prio_index(const struct vici_element *e)
{
	static const char *const names[MODEL_PRIO_COUNT] = {"critical", "high", "medium", "low"};
	for (int i = 0; i < MODEL_PRIO_COUNT; i++)
		if (vici_eq(e->name, e->name_len, names[i]))
			return i;
	return -1;
}

/* Walks one stats section by name; nested sections recurse through here. */
static int stats_section(struct stats_parse *sp, struct vici_parser *p, const char *sec)
{
	struct model_stats *st = sp->st;
	struct vici_element e;
	int r;
	while ((r = vici_parser_next(p, &e)) == 1) {
		if (e.type == VICI_SECTION_END)
			return 0;
		if (e.type == VICI_SECTION_START) {
			const char *sub =
			        vici_eq(e.name, e.name_len, "active") && strcmp(sec, "workers") == 0
			                ? "active"
			                : "";
			if (!*sub && !*sec) {
				/* top-level sections we know */
				static const char *const known[] = {"uptime", "workers", "queues",
				                                    "ikesas", "mallinfo"};
				for (size_t i = 0; i < 5; i++)
					if (vici_eq(e.name, e.name_len, known[i]))
						sub = known[i];
			}
			if (!*sub) {
				if (vici_parser_skip_section(p) < 0)
					return -EBADMSG;
				continue;
			}
			if (strcmp(sub, "mallinfo") == 0)
				st->has_mallinfo = true;
			if (stats_section(sp, p, sub) < 0)
				return -EBADMSG;
			continue;
		}
		if (e.type == VICI_LIST_START) {
			bool plugins = !*sec && vici_eq(e.name, e.name_len, "plugins");
			const uint8_t *start = p->pos, *before = p->pos;
			uint32_t count = 0;
			while ((r = vici_parser_next(p, &e)) == 1 && e.type == VICI_LIST_ITEM) {
				count++;
				before = p->pos;
			}
			if (r != 1)
				return -EBADMSG;
			if (plugins) {
				st->plugins.items = count ? start : NULL;
				st->plugins.bytes = (uint32_t)(before - start);
				st->plugins.count = count;
			}
			continue;
		}
		if (e.type != VICI_KEY_VALUE)
			return -EBADMSG;
		if (!*sec) {
			if (vici_eq(e.name, e.name_len, "scheduled"))
				set_i64(&st->scheduled, &e);
		} else if (!strcmp(sec, "uptime")) {
			if (vici_eq(e.name, e.name_len, "running"))
				st->running = mstr(e.value, e.value_len);
			else if (vici_eq(e.name, e.name_len, "since"))
				st->since = mstr(e.value, e.value_len);
		} else if (!strcmp(sec, "workers")) {
			if (vici_eq(e.name, e.name_len, "total"))
				set_i64(&st->workers_total, &e);
			else if (vici_eq(e.name, e.name_len, "idle"))
				set_i64(&st->workers_idle, &e);
		} else if (!strcmp(sec, "active") || !strcmp(sec, "queues")) {
			int i = prio_index(&e);
			if (i >= 0)
				set_i64(!strcmp(sec, "active") ? &st->workers_active[i]
				                               : &st->queues[i],
				        &e);
		} else if (!strcmp(sec, "ikesas")) {
			if (vici_eq(e.name, e.name_len, "total"))
				set_i64(&st->ikesas_total, &e);
			else if (vici_eq(e.name, e.name_len, "half-open"))
				set_i64(&st->ikesas_half_open, &e);
		} else if (!strcmp(sec, "mallinfo")) {
			if (vici_eq(e.name, e.name_len, "sbrk"))
				set_u64(&st->mallinfo_sbrk, &e);
			else if (vici_eq(e.name, e.name_len, "mmap"))
				set_u64(&st->mallinfo_mmap, &e);
			else if (vici_eq(e.name, e.name_len, "used"))
				set_u64(&st->mallinfo_used, &e);
			else if (vici_eq(e.name, e.name_len, "free"))
				set_u64(&st->mallinfo_free, &e);
		}
	}
	if (r < 0 || *sec)
		return -EBADMSG;
	return 0;
}

int model_ingest_stats(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct model_stats st;
	struct vici_parser p;
	struct model_blk *blk = blk_new(&m->pool, msg, len);
	memset(&st, 0, sizeof(st));
	st.running = st.since = model_str_empty;
	struct stats_parse sp = {.st = &st, .now = now};
	vici_parser_init(&p, blk->data, len);
	if (stats_section(&sp, &p, "") < 0) {
		blk_unref(&m->pool, blk);
		return -EBADMSG;
	}
	st.valid = true;
	st.received_at = now;
	st.raw.msg = blk->data;
	st.raw.len = len;
	blk_unref(&m->pool, m->stats_blk);
	m->stats_blk = blk;
	m->stats = st;
	return changed(m, MODEL_CHANGED_STATS);
}

const struct model_stats *model_stats_get(const struct model *m)
{
	return &m->stats;
}

/* ---- status and counts ---------------------------------------------------- */

/* Lazily computed per-connection SA counts and the SA part of model_counts,
 * in one walk, valid for view_gen/conn_gen: they depend only on the SA set,
 * names and states, so counter-only refreshes keep them. */
struct conn_cache {
	uint64_t view_gen, conn_gen;
	bool valid;
	struct model_conn_status *st; /* n_conns */
	size_t n;
	struct model_counts counts; /* SA fields only */
	/* per connection, its CHILD configs from cfg_off[conn]: has one a
	 * CHILD SA installed under an up IKE SA? */
	bool *cfg_up;
	size_t *cfg_off;
};

/* Marks the CHILD configs of connection c that an up IKE SA has installed. */
static void configs_mark(const struct model *m, struct conn_cache *cc, size_t c,
                         const struct model_ike *ike)
{
	if (ike->state != MODEL_IKE_ESTABLISHED && ike->state != MODEL_IKE_REKEYING)
		return;
	const struct model_conn *conn = m->conns[c];
	for (size_t j = 0; j < ike->n_children; j++) {
		const struct model_child *ch = &ike->children[j];
		if (ch->state != MODEL_CHILD_INSTALLED)
			continue;
		for (size_t k = 0; k < conn->n_children; k++)
			if (conn->children[k].name.len == ch->name.len &&
			    !memcmp(conn->children[k].name.s, ch->name.s, ch->name.len))
				cc->cfg_up[cc->cfg_off[c] + k] = true;
	}
}

static const struct conn_cache *cache_update(const struct model *m)
{
	struct conn_cache *cc = m->cache;
	if (cc->valid && cc->view_gen == m->view_gen && cc->conn_gen == m->conn_gen)
		return cc;
	cc->st = xreallocarray(cc->st, m->n_conns ? m->n_conns : 1, sizeof(*cc->st));
	memset(cc->st, 0, (m->n_conns ? m->n_conns : 1) * sizeof(*cc->st));
	cc->n = m->n_conns;
	cc->cfg_off = xreallocarray(cc->cfg_off, m->n_conns + 1, sizeof(*cc->cfg_off));
	cc->cfg_off[0] = 0;
	for (size_t c = 0; c < m->n_conns; c++)
		cc->cfg_off[c + 1] = cc->cfg_off[c] + m->conns[c]->n_children;
	free(cc->cfg_up);
	cc->cfg_up = xcalloc(cc->cfg_off[m->n_conns] + 1, sizeof(*cc->cfg_up));
	struct model_counts *k = &cc->counts;
	memset(k, 0, sizeof(*k));
	k->ikes = m->n_ikes;
	for (size_t i = 0; i < m->n_ikes; i++) {
		struct model_ike *ike = m->ikes[i];
		size_t children_up = 0;
		k->ike_states[ike->state < MODEL_IKE_STATE_COUNT ? ike->state : 0]++;
		k->stale += ike->stale;
		k->children += ike->n_children;
		for (size_t j = 0; j < ike->n_children; j++) {
			unsigned s = ike->children[j].state;
			k->child_states[s < MODEL_CHILD_STATE_COUNT ? s : 0]++;
			children_up += s == MODEL_CHILD_INSTALLED;
		}
		if (!m->n_conns)
			continue;
		/* The name's connection is remembered per SA: hashing every
		 * name on every change of the set was most of this walk. */
		if (ike->priv.conn_gen != m->conn_gen + 1) {
			ike->priv.conn_idx =
			        strmap_get(&m->conn_map, ike->name.s, ike->name.len, conn_eq, m);
			ike->priv.conn_gen = m->conn_gen + 1;
		}
		size_t c = ike->priv.conn_idx;
		if (c == SIZE_MAX)
			continue;
		struct model_conn_status *st = &cc->st[c];
		st->ikes++;
		if (ike->state == MODEL_IKE_ESTABLISHED)
			st->ikes_up++;
		st->children_up += children_up;
		configs_mark(m, cc, c, ike);
	}
	for (size_t c = 0; c < m->n_conns; c++)
		for (size_t j = cc->cfg_off[c]; j < cc->cfg_off[c + 1]; j++)
			cc->st[c].configs_up += cc->cfg_up[j];
	cc->view_gen = m->view_gen;
	cc->conn_gen = m->conn_gen;
	cc->valid = true;
	return cc;
}

void model_conn_status_get(const struct model *m, const struct model_conn *c,
                           struct model_conn_status *st)
{
	memset(st, 0, sizeof(*st));
	if (!c)
		return;
	size_t k = strmap_get(&m->conn_map, c->name.s, c->name.len, conn_eq, m);
	if (k == SIZE_MAX)
		return;
	*st = cache_update(m)->st[k];
}

void model_counts_get(const struct model *m, struct model_counts *c)
{
	const struct conn_cache *cc = cache_update(m);
	*c = cc->counts;
	c->conns = m->n_conns;
	for (size_t i = 0; i < cc->n; i++)
		c->conns_up += cc->st[i].ikes_up > 0;
	c->pols = m->n_pols;
	for (size_t i = 0; i < m->n_pols; i++)
		c->pol_types[m->pols[i]->type]++;
}

/* ---- lifetime ------------------------------------------------------------- */

void conf_init(struct model *m)
{
	m->cache = xcalloc(1, sizeof(*m->cache));
	m->version.daemon = m->version.version = m->version.sysname = model_str_empty;
	m->version.release = m->version.machine = model_str_empty;
	m->stats.running = m->stats.since = model_str_empty;
}

void conf_free_all(struct model *m)
{
	conns_keep(m, ~0u);
	pols_keep(m, ~0u);
	free(m->conns);
	free(m->pols);
	strmap_free(&m->conn_map);
	strmap_free(&m->pol_map);
	blk_unref(&m->pool, m->version_blk);
	blk_unref(&m->pool, m->stats_blk);
	free(m->cache->st);
	free(m->cache->cfg_up);
	free(m->cache->cfg_off);
	free(m->cache);
}
