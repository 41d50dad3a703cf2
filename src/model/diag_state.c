/*
 * The diagnosis engine and the tables: what list-sas, list-conns and
 * list-policies say on their own.
 *
 * A connection is up when one of its IKE SAs is ESTABLISHED (or
 * REKEYING) and each of its CHILD configs has a CHILD SA installed there,
 * or a trap policy. Up clears its verdicts, with one care: a table that
 * still shows the very SA a verdict blames is older than the verdict (a
 * DPD timeout logged before the list-sas that still has the SA), so only
 * an up SA other than the blamed one clears.
 *
 * Not up, with nothing in the log (one look with `swantop why`, or lines
 * that were missed), the tables still prove some things:
 *   - an IKE SA CONNECTING as initiator whose responder SPI is zero: the
 *     peer never answered IKE_SA_INIT (peer-unreachable);
 *   - CONNECTING otherwise: the exchange began and stalls (half-open);
 *   - an established IKE SA without a configured CHILD SA (child-missing);
 *   - no SA although start_action says start (charon 6 lists it), or
 *     dpd_action/close_action say start after the connection was up, or a
 *     trap policy that was there is gone (should-be-up).
 * A CONNECTING SA younger than connecting_grace_ms is on its way and says
 * nothing yet; so is an IKE SA established for less than child_grace_ms
 * whose CHILD SAs are not all there (a listing taken between ike-updown and
 * child-updown, or before a second CHILD config's CREATE_CHILD_SA ended,
 * is not a failure).
 */
#include "model/diag_records.h"
#include "model/diag_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

/* ---- retry commands and table verdicts ------------------------------------ */

static void refresh_retry(struct diag *d)
{
	for (size_t i = 0; i < d->n_subjs; i++) {
		struct subj *sj = d->subjs[i];
		struct vslot *slots[] = {&sj->ev, &sj->live};
		for (int k = 0; k < 2; k++) {
			if (!slots[k]->set)
				continue;
			char *r = diag_retry_cmd(d, sj, slots[k]->v.code);
			if (slots[k]->retry && !strcmp(r, slots[k]->retry)) {
				free(r);
				continue;
			}
			free(slots[k]->retry);
			slots[k]->retry = r;
			diag_vslot_view(sj, slots[k]);
			d->dirty = true;
		}
	}
}

static void set_live(struct diag *d, struct subj *sj, enum diag_code code, enum diag_side side,
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

/* ---- the SA table ------------------------------------------------------------ */

/* What the SA table says about one connection of the snapshot. */
struct cstate {
	uint32_t up_id;      /* an established IKE SA, the newest */
	int64_t up_at;       /* when up_id was established (MODEL_TIME_NONE: unknown) */
	uint32_t connecting; /* a CONNECTING IKE SA, the newest */
	const struct model_ike *connecting_ike;
	bool *child_up; /* per CHILD config: a CHILD SA installed */
};

static bool ike_up(enum model_ike_state s)
{
	return s == MODEL_IKE_ESTABLISHED || s == MODEL_IKE_REKEYING;
}

static bool child_installed(enum model_child_state s)
{
	return s == MODEL_CHILD_INSTALLED || s == MODEL_CHILD_REKEYING ||
	       s == MODEL_CHILD_REKEYED || s == MODEL_CHILD_UPDATING;
}

static bool zero_spi(struct model_str s)
{
	for (uint32_t i = 0; i < s.len; i++)
		if (s.s[i] != '0')
			return false;
	return true;
}

/* An up SA clears what it proves wrong: the IKE verdict (unless it blames
 * this very SA), the verdict on the peer's address, and the verdicts of
 * the CHILD configs it has installed. */
static void sa_up(struct diag *d, const struct model_ike *ike, const char *name, int64_t now)
{
	struct subj *sj = diag_subj(d, S_CONN, DIAG_LAYER_IKE, name, NULL, false);
	if (sj) {
		const struct diag_verdict *v = &sj->ev.v;
		if (sj->ev.set && v->current &&
		    ((v->ike_id && v->ike_id != ike->uniqueid) ||
		     (!v->ike_id && (ike->established_at == MODEL_TIME_NONE ||
		                     ike->established_at >= v->last_at))))
			diag_vslot_clear(d, &sj->ev, now);
		if (ike->uniqueid > sj->cleared_ike)
			sj->cleared_ike = ike->uniqueid;
		diag_vslot_drop(d, &sj->live);
		sj->seen_up = true;
		sj->quiet = false;
	} else {
		diag_subj(d, S_CONN, DIAG_LAYER_IKE, name, NULL, true)->seen_up = true;
	}
	char buf[DIAG_NAME_MAX];
	const char *peer = diag_cstr(buf, sizeof(buf), ike->remote_host);
	struct subj *p = diag_subj(d, S_PEER, DIAG_LAYER_IKE, peer, NULL, false);
	if (p && p->ev.set && p->ev.v.ike_id < ike->uniqueid)
		diag_vslot_clear(d, &p->ev, now);
	for (size_t i = 0; i < ike->n_children; i++) {
		const struct model_child *c = &ike->children[i];
		if (!child_installed(c->state))
			continue;
		const char *cn = diag_cstr(buf, sizeof(buf), c->name);
		struct subj *cs = diag_subj(d, S_CONN, DIAG_LAYER_CHILD, name, cn, true);
		cs->up = true;
		const struct diag_verdict *v = &cs->ev.v;
		if (cs->ev.set && v->current &&
		    ((v->child_id && v->child_id != c->uniqueid) ||
		     (!v->child_id &&
		      (c->installed_at == MODEL_TIME_NONE || c->installed_at >= v->last_at))))
			diag_vslot_clear(d, &cs->ev, now);
		if (c->uniqueid > cs->cleared_child)
			cs->cleared_child = c->uniqueid;
		diag_vslot_drop(d, &cs->live);
	}
}

static bool has_word(const char *s, const char *w)
{
	return s && strstr(s, w);
}

/* The trap policies by "<ike>\0<child>" (ike "" for those not tied to a
 * connection), looked up once per CHILD config. */
struct traps {
	struct strmap map;
	char **keys;
	size_t *lens, n;
};

static size_t trap_key(char *buf, size_t size, struct model_str ike, struct model_str child)
{
	if ((size_t)ike.len + child.len + 1 > size)
		return 0;
	memcpy(buf, ike.s, ike.len);
	buf[ike.len] = '\0';
	memcpy(buf + ike.len + 1, child.s, child.len);
	return (size_t)ike.len + 1 + child.len;
}

static bool trap_eq(const void *ctx, size_t index, const void *p, size_t len)
{
	const struct traps *t = ctx;
	return t->lens[index] == len && !memcmp(t->keys[index], p, len);
}

static void traps_load(struct traps *t, const struct model *m)
{
	memset(t, 0, sizeof(*t));
	size_t n = model_pol_count(m);
	t->keys = xcalloc(n + 1, sizeof(*t->keys));
	t->lens = xcalloc(n + 1, sizeof(*t->lens));
	for (size_t i = 0; i < n; i++) {
		const struct model_pol *p = model_pol_at(m, i);
		char buf[600];
		size_t len = trap_key(buf, sizeof(buf), p->ike, p->child);
		if (p->type != MODEL_POL_TRAP || !len)
			continue;
		t->keys[t->n] = xmemdup(buf, len);
		t->lens[t->n] = len;
		strmap_put(&t->map, buf, len, t->n++);
	}
}

static void traps_free(struct traps *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->keys[i]);
	free(t->keys);
	free(t->lens);
	strmap_free(&t->map);
}

/* A trap policy for a CHILD config of a connection. */
static bool trap_installed(const struct traps *t, const char *conn, const char *child)
{
	char buf[600];
	struct model_str c = {child, (uint32_t)strlen(child)};
	const struct model_str ikes[] = {{conn, (uint32_t)strlen(conn)}, {"", 0}};
	for (int i = 0; i < 2; i++) {
		size_t len = trap_key(buf, sizeof(buf), ikes[i], c);
		if (len && strmap_get(&t->map, buf, len, trap_eq, t) != SIZE_MAX)
			return true;
	}
	return false;
}

static void live_or_drop(struct diag *d, enum diag_layer layer, const char *conn, const char *child,
                         enum diag_code code, enum diag_side side, uint32_t ike_id,
                         const char *peer, const char *detail, int64_t now)
{
	struct subj *sj = diag_subj(d, S_CONN, layer, conn, child, code != DIAG_NONE);
	if (!sj)
		return;
	if (code == DIAG_NONE)
		diag_vslot_drop(d, &sj->live);
	else
		set_live(d, sj, code, side, ike_id, peer ? peer : "", detail, now);
}

/* A verdict the tables may prove at `at`, once a grace has ended. */
static void recheck(struct diag *d, int64_t at)
{
	if (d->recheck_at == MODEL_TIME_NONE || at < d->recheck_at)
		d->recheck_at = at;
}

static void judge_ike(struct diag *d, const struct cconn *c, const struct cstate *st, int64_t now)
{
	char detail[600];
	enum diag_code code = DIAG_NONE;
	enum diag_side side = DIAG_SIDE_PEER;
	uint32_t id = 0;
	char *peer = NULL;
	struct subj *sj = diag_subj(d, S_CONN, DIAG_LAYER_IKE, c->name, NULL, false);
	if (st->up_id) {
		/* cleared by sa_up() */
	} else if (st->connecting) {
		const struct model_ike *ike = st->connecting_ike;
		int64_t since = diag_connecting_since(d, ike->uniqueid, now);
		peer = diag_dupstr(ike->remote_host);
		id = ike->uniqueid;
		if (now - since < d->cfg.connecting_grace_ms) {
			code = DIAG_NONE;
			recheck(d, since + d->cfg.connecting_grace_ms);
		} else if (ike->initiator && zero_spi(ike->responder_spi)) {
			code = DIAG_PEER_UNREACHABLE;
			snprintf(detail, sizeof(detail),
			         "IKE SA #%u is CONNECTING and %s never answered (responder SPI "
			         "still zero)",
			         id, *peer ? peer : "the peer");
		} else {
			code = DIAG_HALF_OPEN;
			if (ike->initiator)
				snprintf(detail, sizeof(detail),
				         "IKE SA #%u is CONNECTING: %s answered IKE_SA_INIT, the "
				         "rest "
				         "of the exchange did not complete",
				         id, *peer ? peer : "the peer");
			else
				snprintf(detail, sizeof(detail),
				         "IKE SA #%u from %s is CONNECTING: the initiator did not "
				         "complete the exchange",
				         id, *peer ? peer : "the peer");
		}
	} else if (!sj || !sj->quiet) {
		bool start = false, restart = false;
		for (size_t j = 0; j < c->n_children; j++) {
			start = start || has_word(c->children[j].start_action, "start");
			restart = restart || has_word(c->children[j].dpd_action, "start") ||
			          has_word(c->children[j].close_action, "start");
		}
		if (start || (restart && sj && sj->seen_up)) {
			code = DIAG_SHOULD_BE_UP;
			side = DIAG_SIDE_UNKNOWN;
			snprintf(detail, sizeof(detail), "%s, but there is no IKE SA",
			         start ? "start_action = start"
			               : "dpd_action/close_action = start (restart) after it was "
			                 "up");
		}
	}
	live_or_drop(d, DIAG_LAYER_IKE, c->name, NULL, code, side, id, peer, detail, now);
	free(peer);
}

static void judge_children(struct diag *d, const struct traps *traps, bool pols,
                           const struct cconn *c, const struct cstate *st, int64_t now)
{
	char detail[600];
	struct subj *ike_sj = diag_subj(d, S_CONN, DIAG_LAYER_IKE, c->name, NULL, false);
	bool quiet = ike_sj && ike_sj->quiet;
	bool all_up = st->up_id != 0;
	/* an IKE SA up for a moment may still be building its CHILD SAs */
	bool settled = st->up_at == MODEL_TIME_NONE || now - st->up_at >= d->cfg.child_grace_ms;
	for (size_t j = 0; j < c->n_children; j++) {
		const struct cchild *cc = &c->children[j];
		struct subj *sj = diag_subj(d, S_CONN, DIAG_LAYER_CHILD, c->name, cc->name, false);
		bool trap = pols && trap_installed(traps, c->name, cc->name);
		bool trap_wanted = (sj && sj->trap_seen) || has_word(cc->start_action, "trap");
		enum diag_code code = DIAG_NONE;
		if (trap && !sj)
			sj = diag_subj(d, S_CONN, DIAG_LAYER_CHILD, c->name, cc->name, true);
		if (trap)
			sj->trap_seen = true;
		/* the IKE SA is up, this CHILD config has neither SA nor trap */
		bool missing = st->up_id && !st->child_up[j] && !trap;
		if (pols && !trap && trap_wanted && !quiet) {
			code = DIAG_SHOULD_BE_UP;
			snprintf(detail, sizeof(detail), "the trap policy of %s is gone", cc->name);
		} else if (missing && !settled) {
			recheck(d, st->up_at + d->cfg.child_grace_ms);
		} else if (missing) {
			code = DIAG_CHILD_MISSING;
			snprintf(detail, sizeof(detail),
			         "IKE SA #%u is up, but CHILD config %s has no CHILD SA", st->up_id,
			         cc->name);
		}
		if (missing)
			all_up = false;
		if (sj && !st->child_up[j])
			sj->up = false;
		/* a trap policy gone is the policies' to say: a listing without
		 * them leaves that verdict alone (an SA installed ends it) */
		if (!pols && code == DIAG_NONE && sj && sj->live.set &&
		    sj->live.v.code == DIAG_SHOULD_BE_UP && !st->child_up[j])
			continue;
		live_or_drop(d, DIAG_LAYER_CHILD, c->name, cc->name, code, DIAG_SIDE_UNKNOWN,
		             code == DIAG_CHILD_MISSING ? st->up_id : 0, NULL, detail, now);
	}
	/* a CHILD failure charon did not name a config for ends when all are up */
	struct subj *any = diag_subj(d, S_CONN, DIAG_LAYER_CHILD, c->name, "", false);
	if (any && all_up)
		diag_vslot_clear(d, &any->ev, now);
}

void diag_update(struct diag *d, const struct model *m, unsigned tables, int64_t now)
{
	bool sas = tables & (1u << MODEL_TABLE_SAS);
	bool pols = tables & (1u << MODEL_TABLE_POLS);
	if (tables & (1u << MODEL_TABLE_CONNS)) {
		diag_conns_load(d, m);
		refresh_retry(d);
	}
	if (!sas) {
		diag_finish(d);
		return;
	}
	d->recheck_at = MODEL_TIME_NONE;
	struct cstate *st = xcalloc(d->n_conns ? d->n_conns : 1, sizeof(*st));
	for (size_t k = 0; k < d->n_conns; k++)
		st[k].child_up = xcalloc(d->conns[k].n_children + 1, sizeof(bool));
	for (size_t i = 0; i < model_ike_count(m); i++) {
		const struct model_ike *ike = model_ike_at(m, i);
		/* stale: the last listing did not have it; nothing to go by */
		if (ike->stale || diag_unnamed(ike->name))
			continue;
		char buf[DIAG_NAME_MAX];
		const char *name = diag_cstr(buf, sizeof(buf), ike->name);
		const struct cconn *cc = diag_conn(d, name);
		size_t k = cc ? (size_t)(cc - d->conns) : SIZE_MAX;
		diag_learn_sa(d, ike->uniqueid, ike->name, ike->remote_host, now);
		if (ike_up(ike->state)) {
			sa_up(d, ike, name, now);
			if (k != SIZE_MAX) {
				if (ike->uniqueid > st[k].up_id) {
					st[k].up_id = ike->uniqueid;
					st[k].up_at = ike->established_at;
				}
				for (size_t j = 0; j < d->conns[k].n_children; j++)
					for (size_t c = 0; c < ike->n_children; c++)
						if (child_installed(ike->children[c].state) &&
						    model_str_eq(ike->children[c].name,
						                 d->conns[k].children[j].name))
							st[k].child_up[j] = true;
			}
		} else if (ike->state == MODEL_IKE_CONNECTING && k != SIZE_MAX &&
		           ike->uniqueid > st[k].connecting) {
			st[k].connecting = ike->uniqueid;
			st[k].connecting_ike = ike;
		}
	}
	struct traps traps;
	traps_load(&traps, m);
	for (size_t k = 0; k < d->n_conns; k++) {
		judge_ike(d, &d->conns[k], &st[k], now);
		judge_children(d, &traps, pols, &d->conns[k], &st[k], now);
		free(st[k].child_up);
	}
	traps_free(&traps);
	free(st);
	/* connections that are gone prove nothing any more */
	for (size_t i = 0; i < d->n_subjs; i++) {
		struct subj *sj = d->subjs[i];
		if (sj->kind == S_CONN && sj->live.set && !diag_conn(d, sj->conn))
			diag_vslot_drop(d, &sj->live);
	}
	diag_finish(d);
}
