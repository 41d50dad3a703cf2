/*
 * The diagnosis engine's records: subjects (a connection, one of its CHILD
 * configs, or a peer's address no connection matched), each with two
 * verdict slots; the attempts (what charon does under one IKE SA); the
 * snapshot of the connections with the swanctl commands to retry; the
 * engine's lifetime and the queries on it.
 *
 * The "ev" slot holds the verdict from charon's lines and events
 * (diag_lines.c): current until the connection comes up, then history.
 * The "live" slot holds the verdict derived from the tables
 * (diag_state.c), only while it holds. What a connection shows as current
 * is its IKE subject's verdict, else its most recent CHILD one; between
 * the two slots of a subject the line-based one wins (it has evidence),
 * unless the tables show a newer IKE SA still on its way (a retry that has
 * not answered yet says more than the failure before it).
 */
#include "model/diag_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

bool diag_unnamed(struct model_str s)
{
	return !s.len || model_str_eq(s, "(unnamed)");
}

const char *diag_cstr(char *buf, size_t size, struct model_str s)
{
	size_t n = s.len < size ? s.len : size - 1;
	memcpy(buf, s.s, n);
	buf[n] = '\0';
	return buf;
}

char *diag_dupstr(struct model_str s)
{
	return xstrndup(s.s, s.len);
}

void diag_set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

void diag_line_free(struct diag_line *l)
{
	free((char *)l->msg);
	l->msg = NULL;
}

void diag_line_copy(struct diag_line *dst, const struct diag_line *src)
{
	*dst = *src;
	dst->msg = xmemdup(src->msg, src->len + 1);
}

/* ---- the connection snapshot --------------------------------------------- */

static bool conn_eq(const void *ctx, size_t index, const void *p, size_t len)
{
	const struct diag *d = ctx;
	const char *n = d->conns[index].name;
	return strlen(n) == len && !memcmp(n, p, len);
}

const struct cconn *diag_conn(const struct diag *d, const char *name)
{
	size_t i = strmap_get(&d->conn_map, name, strlen(name), conn_eq, d);
	return i == SIZE_MAX ? NULL : &d->conns[i];
}

static void conns_free(struct diag *d)
{
	for (size_t i = 0; i < d->n_conns; i++) {
		struct cconn *c = &d->conns[i];
		for (size_t j = 0; j < c->n_children; j++) {
			struct cchild *cc = &c->children[j];
			free(cc->name);
			free(cc->local_ts);
			free(cc->remote_ts);
			free(cc->start_action);
			free(cc->dpd_action);
			free(cc->close_action);
		}
		free(c->children);
		free(c->name);
	}
	free(d->conns);
	d->conns = NULL;
	d->n_conns = 0;
	strmap_free(&d->conn_map);
}

static char *list_dup(const struct model_list *l)
{
	size_t n = model_list_join(l, ",", NULL, 0);
	char *s = xmalloc(n + 1);
	model_list_join(l, ",", s, n + 1);
	return s;
}

void diag_conns_load(struct diag *d, const struct model *m)
{
	conns_free(d);
	d->n_conns = model_conn_count(m);
	d->conns = xcalloc(d->n_conns ? d->n_conns : 1, sizeof(*d->conns));
	for (size_t i = 0; i < d->n_conns; i++) {
		const struct model_conn *mc = model_conn_at(m, i);
		struct cconn *c = &d->conns[i];
		c->name = diag_dupstr(mc->name);
		c->n_children = mc->n_children;
		c->children = xcalloc(c->n_children ? c->n_children : 1, sizeof(*c->children));
		for (size_t j = 0; j < mc->n_children; j++) {
			const struct model_conn_child *mcc = &mc->children[j];
			struct cchild *cc = &c->children[j];
			cc->name = diag_dupstr(mcc->name);
			cc->local_ts = list_dup(&mcc->local_ts);
			cc->remote_ts = list_dup(&mcc->remote_ts);
			cc->start_action = diag_dupstr(mcc->start_action);
			cc->dpd_action = diag_dupstr(mcc->dpd_action);
			cc->close_action = diag_dupstr(mcc->close_action);
		}
		strmap_put(&d->conn_map, c->name, strlen(c->name), i);
	}
}

/* ---- retry commands -------------------------------------------------------- */

/* Appends a name for a shell: as it is when it is plain, else in single
 * quotes. */
static void put_arg(char *buf, size_t size, const char *s)
{
	size_t at = strlen(buf);
	bool plain = *s != '\0';
	for (const char *p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || strchr("._-+=:,/@%", *p);
	if (plain) {
		snprintf(buf + at, size - at, "%s", s);
		return;
	}
	if (at + 1 < size)
		buf[at++] = '\'';
	for (const char *p = s; *p && at + 5 < size; p++) {
		if (*p == '\'') {
			memcpy(buf + at, "'\\''", 4);
			at += 4;
		} else {
			buf[at++] = *p;
		}
	}
	if (at + 1 < size)
		buf[at++] = '\'';
	buf[at < size ? at : size - 1] = '\0';
}

static bool child_unique(const struct diag *d, const char *child)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_conns; i++)
		for (size_t j = 0; j < d->conns[i].n_children; j++)
			n += !strcmp(d->conns[i].children[j].name, child);
	return n == 1;
}

char *diag_retry_cmd(const struct diag *d, const struct subj *sj, enum diag_code code)
{
	char buf[1200] = "";
	if (sj->kind == S_PEER)
		return xstrdup(""); /* the peer has to try again: nothing to start here */
	const struct cconn *c = diag_conn(d, sj->conn);
	const char *child = *sj->child ? sj->child : NULL;
	if (!child && c && c->n_children)
		child = c->children[0].name;
	if (child) {
		bool trap = code == DIAG_SHOULD_BE_UP && sj->layer == DIAG_LAYER_CHILD;
		snprintf(buf, sizeof(buf), "swanctl --%s --child ", trap ? "install" : "initiate");
		put_arg(buf, sizeof(buf), child);
		if (!c || !child_unique(d, child)) {
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " --ike ");
			put_arg(buf, sizeof(buf), sj->conn);
		}
	} else {
		snprintf(buf, sizeof(buf), "swanctl --initiate --ike ");
		put_arg(buf, sizeof(buf), sj->conn);
	}
	return xstrdup(buf);
}

/* ---- attempts ------------------------------------------------------------ */

static void att_free(struct attempt *a)
{
	free(a->name);
	free(a->peer);
	free(a->peer_id);
	free(a->local_id);
	free(a->theirs);
	free(a->ours);
	free(a->child);
	for (int i = 0; i < 4; i++)
		free(a->closed_name[i]);
	for (size_t i = 0; i < a->n_ring; i++)
		diag_line_free(&a->ring[i]);
	free(a);
}

static void atts_free(struct diag *d)
{
	for (size_t i = 0; i < d->n_atts; i++)
		att_free(d->atts[i]);
	free(d->atts);
	idmap_free(&d->att_map);
}

struct attempt *diag_att_get(struct diag *d, uint32_t ike_id, int64_t now, bool create)
{
	struct attempt *a = idmap_get(&d->att_map, ike_id);
	if (a || !create) {
		if (a)
			a->last_seen = now;
		return a;
	}
	if (d->n_atts == d->cfg.max_attempts) {
		size_t old = 0;
		for (size_t i = 1; i < d->n_atts; i++)
			if (d->atts[i]->last_seen < d->atts[old]->last_seen)
				old = i;
		idmap_del(&d->att_map, d->atts[old]->ike_id);
		att_free(d->atts[old]);
		d->atts[old] = d->atts[--d->n_atts];
	}
	a = xcalloc(1, sizeof(*a));
	a->ike_id = ike_id;
	a->last_seen = now;
	a->connecting_since = MODEL_TIME_NONE;
	d->atts[d->n_atts++] = a;
	idmap_put(&d->att_map, ike_id, a);
	return a;
}

int64_t diag_connecting_since(struct diag *d, uint32_t ike_id, int64_t now)
{
	struct attempt *a = diag_att_get(d, ike_id, now, true);
	if (a->connecting_since == MODEL_TIME_NONE)
		a->connecting_since = now;
	return a->connecting_since;
}

void diag_learn_sa(struct diag *d, uint32_t ike_id, struct model_str name, struct model_str remote,
                   int64_t now)
{
	struct attempt *a = diag_att_get(d, ike_id, now, false);
	if (!a)
		return;
	if (!a->name && !diag_unnamed(name))
		a->name = diag_dupstr(name);
	if (!a->peer && remote.len)
		a->peer = diag_dupstr(remote);
}

/* ---- lifetime ------------------------------------------------------------ */

struct diag *diag_new(const struct diag_config *cfg)
{
	struct diag *d = xcalloc(1, sizeof(*d));
	if (cfg)
		d->cfg = *cfg;
	if (!d->cfg.connecting_grace_ms)
		d->cfg.connecting_grace_ms = 5000;
	if (d->cfg.connecting_grace_ms < 0)
		d->cfg.connecting_grace_ms = 0;
	d->recheck_at = MODEL_TIME_NONE;
	if (!d->cfg.child_grace_ms)
		d->cfg.child_grace_ms = 5000;
	if (d->cfg.child_grace_ms < 0)
		d->cfg.child_grace_ms = 0;
	if (!d->cfg.max_attempts)
		d->cfg.max_attempts = 256;
	if (!d->cfg.max_peers)
		d->cfg.max_peers = 64;
	d->atts = xcalloc(d->cfg.max_attempts, sizeof(*d->atts));
	return d;
}

void diag_vslot_free(struct vslot *s)
{
	free(s->peer);
	free(s->peer_id);
	free(s->detail);
	free(s->ours);
	free(s->theirs);
	free(s->next);
	free(s->retry);
	for (size_t i = 0; i < s->v.n_lines; i++)
		diag_line_free(&s->lines[i]);
	memset(s, 0, sizeof(*s));
}

static void subj_free(struct subj *sj)
{
	diag_vslot_free(&sj->ev);
	diag_vslot_free(&sj->live);
	free(sj->conn);
	free(sj->child);
	free(sj->addr);
	free(sj->key);
	free(sj);
}

void diag_free(struct diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_subjs; i++)
		subj_free(d->subjs[i]);
	free(d->subjs);
	free(d->order);
	strmap_free(&d->subj_map);
	free(d->shown);
	idmap_free(&d->sa_map);
	idmap_free(&d->child_sa_map);
	atts_free(d);
	conns_free(d);
	free(d);
}

/* ---- subjects ------------------------------------------------------------- */

/* "<kind><layer>conn\0child" */
static size_t subj_key(char *buf, size_t size, enum subj_kind kind, enum diag_layer layer,
                       const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la + lb + 3 > size)
		return 0;
	buf[0] = (char)('0' + kind);
	buf[1] = (char)('0' + layer);
	memcpy(buf + 2, a, la);
	buf[2 + la] = '\0';
	memcpy(buf + 3 + la, b, lb);
	return la + lb + 3;
}

struct key_ctx {
	struct diag *d;
};

static bool subj_eq(const void *ctx, size_t index, const void *p, size_t len)
{
	const struct diag *d = ctx;
	const struct subj *sj = d->subjs[index];
	return sj->key_len == len && !memcmp(sj->key, p, len);
} /* diag_at() order: connections by name (IKE before CHILD, then CHILD name),
   * then peers by address. */
static int subj_cmp(const struct subj *a, const struct subj *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	int c = strcmp(a->kind == S_PEER ? a->addr : a->conn,
	               b->kind == S_PEER ? b->addr : b->conn);
	if (c)
		return c;
	if (a->layer != b->layer)
		return a->layer < b->layer ? -1 : 1;
	return strcmp(a->child, b->child);
}

static void subj_reindex(struct diag *d)
{
	strmap_clear(&d->subj_map);
	for (size_t i = 0; i < d->n_subjs; i++)
		strmap_put(&d->subj_map, d->subjs[i]->key, d->subjs[i]->key_len, i);
}
/* Removes a subject (the oldest peer: rare), and its place in both arrays. */
static void subj_remove(struct diag *d, struct subj *sj)
{
	for (size_t i = 0; i < d->n_subjs; i++)
		if (d->order[i] == sj)
			memmove(&d->order[i], &d->order[i + 1],
			        (d->n_subjs - i - 1) * sizeof(*d->order));
	for (size_t i = 0; i < d->n_subjs; i++)
		if (d->subjs[i] == sj)
			d->subjs[i] = d->subjs[d->n_subjs - 1];
	d->n_subjs--;
	subj_free(sj);
	subj_reindex(d);
	d->dirty = true;
}

/* Peers no connection matched are the peer's choice: keep the newest. */
void diag_peers_trim(struct diag *d)
{
	size_t n = 0, oldest = SIZE_MAX;
	for (size_t i = 0; i < d->n_subjs; i++) {
		if (d->subjs[i]->kind != S_PEER)
			continue;
		n++;
		if (oldest == SIZE_MAX || d->subjs[i]->touched < d->subjs[oldest]->touched)
			oldest = i;
	}
	if (n > d->cfg.max_peers && oldest != SIZE_MAX)
		subj_remove(d, d->subjs[oldest]);
}

struct subj *diag_subj(struct diag *d, enum subj_kind kind, enum diag_layer layer, const char *conn,
                       const char *child, bool create)
{
	char buf[1100];
	size_t n = subj_key(buf, sizeof(buf), kind, layer, conn, child ? child : "");
	if (!n)
		return NULL; /* names longer than charon allows */
	size_t i = strmap_get(&d->subj_map, buf, n, subj_eq, d);
	if (i != SIZE_MAX)
		return d->subjs[i];
	if (!create)
		return NULL;
	struct subj *sj = xcalloc(1, sizeof(*sj));
	sj->kind = kind;
	sj->layer = layer;
	sj->conn = xstrdup(kind == S_PEER ? "" : conn);
	sj->addr = xstrdup(kind == S_PEER ? conn : "");
	sj->key = xmemdup(buf, n);
	sj->key_len = n;
	sj->child = xstrdup(child ? child : "");
	if (d->n_subjs == d->cap_subjs) {
		d->cap_subjs = d->cap_subjs ? d->cap_subjs * 2 : 16;
		d->subjs = xreallocarray(d->subjs, d->cap_subjs, sizeof(*d->subjs));
		d->order = xreallocarray(d->order, d->cap_subjs, sizeof(*d->order));
	}
	d->subjs[d->n_subjs] = sj;
	strmap_put(&d->subj_map, buf, n, d->n_subjs);
	/* binary search for the place in order */
	size_t lo = 0, hi = d->n_subjs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (subj_cmp(d->order[mid], sj) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&d->order[lo + 1], &d->order[lo], (d->n_subjs - lo) * sizeof(*d->order));
	d->order[lo] = sj;
	d->n_subjs++;
	d->dirty = true;
	return sj;
}

/* Points the public view's strings at the subject and the slot. */
void diag_vslot_view(struct subj *sj, struct vslot *s)
{
	struct diag_verdict *v = &s->v;
	v->conn = sj->conn;
	v->child = sj->child;
	v->layer = sj->layer;
	v->peer = s->peer ? s->peer : (sj->kind == S_PEER ? sj->addr : "");
	v->peer_id = s->peer_id ? s->peer_id : "";
	v->detail = s->detail ? s->detail : "";
	v->ours = s->ours ? s->ours : "";
	v->theirs = s->theirs ? s->theirs : "";
	v->next = s->next ? s->next : "";
	v->retry = s->retry ? s->retry : "";
	v->lines = s->lines;
}

bool diag_vslot_clear(struct diag *d, struct vslot *s, int64_t now)
{
	if (!s->set || !s->v.current)
		return false;
	s->v.current = false;
	s->v.cleared_at = now;
	d->dirty = true;
	return true;
}

void diag_vslot_drop(struct diag *d, struct vslot *s)
{
	if (!s->set)
		return;
	diag_vslot_free(s);
	d->dirty = true;
}

/* ---- what is shown ---------------------------------------------------------- */

/* The subject's verdict as listed: the line-based one while current (unless
 * the tables show a newer IKE SA on its way), else the table-based one,
 * else the line-based one as history. */
static const struct diag_verdict *subj_shown(const struct subj *sj)
{
	const struct vslot *ev = sj->ev.set ? &sj->ev : NULL;
	const struct vslot *lv = sj->live.set ? &sj->live : NULL;
	if (ev && ev->v.current && lv && lv->v.ike_id > ev->v.ike_id)
		return &lv->v;
	if (ev && ev->v.current)
		return &ev->v;
	if (lv)
		return &lv->v;
	return ev ? &ev->v : NULL;
}

static const struct diag_verdict *subj_current(const struct subj *sj)
{
	const struct diag_verdict *v = sj ? subj_shown(sj) : NULL;
	return v && v->current ? v : NULL;
}

void diag_finish(struct diag *d)
{
	if (!d->dirty)
		return;
	d->dirty = false;
	d->gen++;
	d->shown_stale = true;
}

/* What the queries read, rebuilt once after a batch of changes. The
 * queries take a const engine: this is a cache, not a change. */
static void sync_shown(const struct diag *cd)
{
	struct diag *d = (struct diag *)cd;
	if (!d->shown_stale)
		return;
	d->shown_stale = false;
	free(d->shown);
	d->shown = xcalloc(d->n_subjs ? d->n_subjs : 1, sizeof(*d->shown));
	d->n_shown = 0;
	idmap_free(&d->sa_map);
	idmap_free(&d->child_sa_map);
	for (size_t i = 0; i < d->n_subjs; i++) {
		const struct diag_verdict *v = subj_shown(d->order[i]);
		if (!v)
			continue;
		d->shown[d->n_shown++] = v;
		if (!v->current)
			continue;
		/* an IKE SA row shows its IKE verdict before a CHILD one */
		const struct diag_verdict *o = v->ike_id ? idmap_get(&d->sa_map, v->ike_id) : NULL;
		if (v->ike_id &&
		    (!o || (o->layer == DIAG_LAYER_CHILD && v->layer == DIAG_LAYER_IKE)))
			idmap_put(&d->sa_map, v->ike_id, (void *)v);
		if (v->child_id)
			idmap_put(&d->child_sa_map, v->child_id, (void *)v);
	}
}

/* ---- queries ---------------------------------------------------------------- */

uint64_t diag_generation(const struct diag *d)
{
	return d->gen;
}

int64_t diag_recheck_at(const struct diag *d)
{
	return d->recheck_at;
}

size_t diag_count(const struct diag *d)
{
	sync_shown(d);
	return d->n_shown;
}

const struct diag_verdict *diag_at(const struct diag *d, size_t i)
{
	sync_shown(d);
	return i < d->n_shown ? d->shown[i] : NULL;
}

/* The first subject of a connection in the sorted list (its IKE subject if
 * there is one), or n_subjs. */
static size_t conn_first(const struct diag *d, const char *conn)
{
	size_t lo = 0, hi = d->n_subjs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct subj *sj = d->order[mid];
		if (sj->kind == S_CONN && strcmp(sj->conn, conn) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool of_conn(const struct diag *d, size_t i, const char *conn)
{
	return i < d->n_subjs && d->order[i]->kind == S_CONN && !strcmp(d->order[i]->conn, conn);
}

size_t diag_conn_range(const struct diag *d, const char *conn, size_t *end)
{
	size_t first = conn_first(d, conn), i = first;
	while (of_conn(d, i, conn))
		i++;
	*end = i;
	return first;
}

const struct diag_verdict *diag_conn_verdict(const struct diag *d, const char *conn)
{
	const struct diag_verdict *best = NULL;
	for (size_t i = conn_first(d, conn); of_conn(d, i, conn); i++) {
		const struct diag_verdict *v = subj_current(d->order[i]);
		if (!v)
			continue;
		if (d->order[i]->layer == DIAG_LAYER_IKE)
			return v;
		/* CHILD: charon's words before the tables', then the latest */
		if (!best || (best->from_state && !v->from_state) ||
		    (best->from_state == v->from_state && v->last_at > best->last_at))
			best = v;
	}
	return best;
}

const struct diag_verdict *diag_conn_last(const struct diag *d, const char *conn)
{
	const struct diag_verdict *cur = diag_conn_verdict(d, conn), *best = NULL;
	if (cur)
		return cur;
	for (size_t i = conn_first(d, conn); of_conn(d, i, conn); i++) {
		const struct subj *sj = d->order[i];
		const struct diag_verdict *v = sj->ev.set ? &sj->ev.v : NULL;
		if (v && (!best || v->last_at > best->last_at))
			best = v;
	}
	return best;
}

static const struct subj *find_subj(const struct diag *d, enum subj_kind kind,
                                    enum diag_layer layer, const char *a, const char *b)
{
	return diag_subj((struct diag *)d, kind, layer, a, b, false);
}

const struct diag_verdict *diag_child_verdict(const struct diag *d, const char *conn,
                                              const char *child)
{
	const struct subj *named = find_subj(d, S_CONN, DIAG_LAYER_CHILD, conn, child);
	const struct subj *any = find_subj(d, S_CONN, DIAG_LAYER_CHILD, conn, "");
	if (named && named->ev.set && named->ev.v.current)
		return &named->ev.v;
	/* charon did not say which CHILD config failed: any that is not up */
	if (any && any->ev.set && any->ev.v.current && !(named && named->up))
		return &any->ev.v;
	return named ? subj_current(named) : NULL;
}

const struct diag_verdict *diag_sa_verdict(const struct diag *d, uint32_t ike_id, uint32_t child_id)
{
	sync_shown(d);
	if (child_id)
		return idmap_get(&d->child_sa_map, child_id);
	return ike_id ? idmap_get(&d->sa_map, ike_id) : NULL;
}

const struct diag_verdict *diag_peer_verdict(const struct diag *d, const char *addr)
{
	return subj_current(find_subj(d, S_PEER, DIAG_LAYER_IKE, addr, ""));
}
