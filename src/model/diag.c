/*
 * The diagnosis engine's records: subjects (a connection, one of its CHILD
 * configs, or a peer's address no connection matched), each with two
 * verdict slots, and the queries and JSON on them.
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
#include "model/diag_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

static const char *const code_names[DIAG_CODE_COUNT] = {
        "",
        "no-proposal",
        "ts-unacceptable",
        "auth-failed",
        "peer-unreachable",
        "peer-deleted",
        "dpd-dead",
        "rekey-failed",
        "install-failed",
        "should-be-up",
        "half-open",
        "child-missing",
        "refused",
        "unknown",
};

const char *diag_code_name(enum diag_code c)
{
	return (unsigned)c < DIAG_CODE_COUNT ? code_names[c] : "?";
}

const char *diag_side_name(enum diag_side s)
{
	return s == DIAG_SIDE_LOCAL ? "local" : s == DIAG_SIDE_PEER ? "peer" : "unknown";
}

const char *diag_layer_name(enum diag_layer l)
{
	return l == DIAG_LAYER_CHILD ? "CHILD" : "IKE";
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
	diag_atts_free(d);
	diag_conns_free(d);
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
	char buf[1100];
	const char *a = sj->kind == S_PEER ? sj->addr : sj->conn;
	size_t n = subj_key(buf, sizeof(buf), sj->kind, sj->layer, a, sj->child);
	return n == len && !memcmp(buf, p, len);
}

/* diag_at() order: connections by name (IKE before CHILD, then CHILD name),
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
	char buf[1100];
	for (size_t i = 0; i < d->n_subjs; i++) {
		const struct subj *sj = d->subjs[i];
		const char *a = sj->kind == S_PEER ? sj->addr : sj->conn;
		size_t n = subj_key(buf, sizeof(buf), sj->kind, sj->layer, a, sj->child);
		if (n)
			strmap_put(&d->subj_map, buf, n, i);
	}
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

void diag_set_live(struct diag *d, struct subj *sj, enum diag_code code, enum diag_side side,
                   uint32_t ike_id, const char *peer, const char *detail, int64_t now)
{
	struct vslot *s = &sj->live;
	if (s->set && s->v.code == code && s->v.ike_id == ike_id && s->v.side == side &&
	    s->detail && !strcmp(s->detail, detail) && !strcmp(s->peer ? s->peer : "", peer))
		return;
	bool keep = s->set && s->v.code == code && s->v.ike_id == ike_id;
	int64_t first = keep ? s->v.first_at : now;
	diag_vslot_free(s);
	s->set = true;
	s->v.code = code;
	s->v.side = side;
	s->v.current = true;
	s->v.from_state = true;
	s->v.first_at = first;
	s->v.last_at = now;
	s->v.cleared_at = MODEL_TIME_NONE;
	s->v.count = 1;
	s->v.ike_id = ike_id;
	struct diag_vars vars = {.conn = sj->conn, .child = sj->child};
	char next[1024];
	s->detail = xstrdup(detail);
	s->peer = *peer ? xstrdup(peer) : NULL;
	vars.peer = peer;
	s->next = xstrdup(
	        diag_expand(next, sizeof(next), diag_default_next(code, side, sj->layer), &vars));
	s->retry = diag_retry_cmd(d, sj, code);
	diag_vslot_view(sj, s);
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

/* ---- JSON ------------------------------------------------------------------- */

static void kv_str(struct json_buf *b, const char *key, const char *s, bool null_if_empty)
{
	json_buf_printf(b, ",\"%s\":", key);
	if (null_if_empty && (!s || !*s))
		json_buf_puts(b, "null");
	else
		json_put_value(b, s ? s : "", s ? strlen(s) : 0);
}

static void kv_age(struct json_buf *b, const char *key, int64_t at, int64_t now)
{
	int64_t secs;
	if (model_secs_ago(at, now, &secs))
		json_buf_printf(b, ",\"%s\":%lld", key, (long long)secs);
	else
		json_buf_printf(b, ",\"%s\":null", key);
}

void diag_verdict_json(struct json_buf *b, const struct diag_verdict *v, int64_t now)
{
	json_buf_puts(b, "{\"verdict\":");
	json_put_value(b, diag_code_name(v->code), strlen(diag_code_name(v->code)));
	json_buf_printf(b, ",\"layer\":\"%s\",\"side\":\"%s\"", diag_layer_name(v->layer),
	                diag_side_name(v->side));
	kv_str(b, "conn", v->conn, true);
	kv_str(b, "child", v->child, true);
	kv_str(b, "peer", v->peer, true);
	kv_str(b, "peer_id", v->peer_id, true);
	json_buf_printf(b, ",\"current\":%s,\"source\":\"%s\",\"count\":%u",
	                v->current ? "true" : "false", v->from_state ? "state" : "log", v->count);
	kv_age(b, "first_age_s", v->first_at, now);
	kv_age(b, "age_s", v->last_at, now);
	kv_age(b, "cleared_age_s", v->current ? MODEL_TIME_NONE : v->cleared_at, now);
	json_buf_printf(b, ",\"ike_id\":%u,\"child_id\":%u", v->ike_id, v->child_id);
	kv_str(b, "detail", v->detail, false);
	kv_str(b, "ours", v->ours, true);
	kv_str(b, "theirs", v->theirs, true);
	kv_str(b, "next", v->next, false);
	kv_str(b, "retry", v->retry, true);
	json_buf_puts(b, ",\"evidence\":[");
	for (size_t i = 0; i < v->n_lines; i++) {
		const struct diag_line *l = &v->lines[i];
		int64_t secs = 0;
		model_secs_ago(l->time, now, &secs);
		json_buf_printf(b, "%s{\"age_s\":%lld", i ? "," : "", (long long)secs);
		kv_str(b, "group", l->group, false);
		json_buf_printf(b, ",\"level\":%d,\"ike_id\":%u", l->level, l->ike_id);
		json_buf_puts(b, ",\"msg\":");
		json_put_value(b, l->msg, l->len);
		json_buf_putc(b, '}');
	}
	json_buf_puts(b, "]}");
}
