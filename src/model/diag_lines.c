/*
 * The diagnosis engine, from charon's side: attempts and the verdicts
 * their lines and SA events lead to.
 *
 * An attempt is what charon does under one IKE SA uniqueid: the lines it
 * logs for it (those the rule table knows, kept as evidence), where it
 * stands (initiator, established, rekeyed, which CHILD exchange runs) and
 * the proposals of the negotiation in progress. Attempts are followed by
 * uniqueid and forgotten least recently seen first.
 *
 * A trigger line turns the attempt into a verdict on a subject: the
 * connection (IKE layer), one of its CHILD configs (CHILD layer; "" when
 * charon did not say which one, as a responder), or the peer's address
 * when no connection was found yet. A subject keeps two slots: the verdict
 * from lines and events ("ev", which becomes history when the connection
 * comes up) and the one diag_state.c derives from the tables ("live",
 * only while it holds).
 *
 * Counting: one attempt counts once (the IKE SA, its try, its CHILD
 * exchange), however many lines say the same; a later trigger of the same
 * attempt replaces the code (a timeout during rekeying ends up as
 * rekey-failed). A verdict of the same code from a new attempt adds one.
 */
#include "model/diag_records.h"
#include "model/diag_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

/* Adds an evidence line; the same text again is not repeated, and of the
 * "configured proposals" lines (one per config a responder tries) only the
 * latest stays. */
static void att_add_line(struct attempt *a, const struct diag_line *l, bool replace_ours)
{
	for (size_t i = 0; i < a->n_ring; i++) {
		bool same = a->ring[i].len == l->len && !memcmp(a->ring[i].msg, l->msg, l->len);
		bool ours = replace_ours && !strncmp(a->ring[i].msg, "configured proposals:", 21);
		if (same || ours) {
			diag_line_free(&a->ring[i]);
			memmove(&a->ring[i], &a->ring[i + 1],
			        (a->n_ring - i - 1) * sizeof(a->ring[0]));
			a->n_ring--;
			break;
		}
	}
	if (a->n_ring == DIAG_ATT_RING) {
		/* the first line says how the attempt began: keep it */
		diag_line_free(&a->ring[1]);
		memmove(&a->ring[1], &a->ring[2], (DIAG_ATT_RING - 2) * sizeof(a->ring[0]));
		a->n_ring--;
	}
	diag_line_copy(&a->ring[a->n_ring++], l);
}

/* Adds item to a ", "-separated list unless it is there (bounded). */
static void append_distinct(char **list, struct model_str item)
{
	size_t have = *list ? strlen(*list) : 0;
	if (*list) {
		char *dup = xstrndup(item.s, item.len);
		bool found = strstr(*list, dup) != NULL;
		free(dup);
		if (found || have + item.len + 3 > 1000)
			return;
	}
	char *n = xmalloc(have + item.len + 3);
	size_t at = 0;
	if (have) {
		memcpy(n, *list, have);
		memcpy(n + have, ", ", 2);
		at = have + 2;
	}
	memcpy(n + at, item.s, item.len);
	n[at + item.len] = '\0';
	free(*list);
	*list = n;
}

/* ---- verdicts ------------------------------------------------------------- */

/* "local === remote" of a CHILD config, or "name: local === remote; ..."
 * of all of them when the CHILD config is not known. */
static void ts_of_conn(const struct diag *d, const char *conn, const char *child, char *buf,
                       size_t size)
{
	const struct cconn *c = diag_conn(d, conn);
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; c && i < c->n_children; i++) {
		const struct cchild *cc = &c->children[i];
		if (*child && strcmp(cc->name, child))
			continue;
		int n = snprintf(buf + at, size - at, "%s%s%s%s === %s", at ? "; " : "",
		                 *child ? "" : cc->name, *child ? "" : ": ", cc->local_ts,
		                 cc->remote_ts);
		if (n < 0 || (size_t)n >= size - at)
			break;
		at += (size_t)n;
	}
}

struct trigger {
	enum diag_code code;
	enum diag_side side;
	enum diag_layer layer;
	const char *detail, *next; /* templates, NULL: defaults */
	const struct diag_match *match;
	const char *child; /* CHILD verdicts: the config, NULL: the attempt's */
	uint32_t child_id;
	bool literal; /* detail is text, not a template */
};

/* Evidence: the whole ring if it fits, else its first line (how the
 * attempt began) and the latest ones. */
static void take_evidence(struct vslot *s, const struct attempt *a)
{
	for (size_t i = 0; i < s->v.n_lines; i++)
		diag_line_free(&s->lines[i]);
	s->v.n_lines = 0;
	if (!a)
		return;
	size_t from = a->n_ring > DIAG_EVIDENCE_MAX ? a->n_ring - (DIAG_EVIDENCE_MAX - 1) : 0;
	if (from)
		diag_line_copy(&s->lines[s->v.n_lines++], &a->ring[0]);
	for (size_t i = from; i < a->n_ring; i++)
		diag_line_copy(&s->lines[s->v.n_lines++], &a->ring[i]);
}

static void set_verdict(struct diag *d, struct attempt *a, const struct trigger *t, int64_t now)
{
	const char *child = t->layer == DIAG_LAYER_CHILD ? (t->child ? t->child : a->child) : NULL;
	uint32_t child_id =
	        t->layer == DIAG_LAYER_CHILD ? (t->child ? t->child_id : a->child_id) : 0;
	struct subj *sj;
	if (a->name)
		sj = diag_subj(d, S_CONN, t->layer, a->name, child, true);
	else
		sj = diag_subj(d, S_PEER, DIAG_LAYER_IKE, a->peer ? a->peer : "", NULL, true);
	if (!sj)
		return;
	/* a line of an older SA than the one that brought it up since */
	if (a->ike_id &&
	    (sj->cleared_ike > a->ike_id || (child_id && sj->cleared_child > child_id)))
		return;
	struct vslot *s = &sj->ev;
	unsigned child_seq = t->layer == DIAG_LAYER_CHILD ? a->child_seq : 0;
	bool current = s->set && s->v.current;
	bool same = current && s->inst_ike == a->ike_id && s->inst_try == a->try_no &&
	            s->inst_child == child_seq;
	if (!same) {
		if (current && s->v.code == t->code) {
			s->v.count++;
		} else {
			s->v.count = 1;
			s->v.first_at = now;
		}
	}
	s->set = true;
	s->inst_ike = a->ike_id;
	s->inst_try = a->try_no;
	s->inst_child = child_seq;
	s->v.code = t->code;
	s->v.side = t->side;
	s->v.current = true;
	s->v.from_state = false;
	s->v.last_at = now;
	s->v.cleared_at = MODEL_TIME_NONE;
	s->v.ike_id = a->ike_id;
	s->v.child_id = child_id;
	sj->touched = now;
	sj->quiet = false;

	char ours[1024], theirs[1024], detail[1024], next[1024];
	const char *o = "", *th = "";
	if (t->code == DIAG_NO_PROPOSAL) {
		o = a->ours ? a->ours : "";
		th = a->theirs ? a->theirs : "";
	} else if (t->code == DIAG_TS_UNACCEPTABLE && a->name) {
		ts_of_conn(d, a->name, child ? child : "", ours, sizeof(ours));
		o = ours;
		if (t->match && t->match->rule->kind == R_VERDICT && t->match->cap[1].len) {
			snprintf(theirs, sizeof(theirs), "%.*s === %.*s", (int)t->match->cap[0].len,
			         t->match->cap[0].s, (int)t->match->cap[1].len, t->match->cap[1].s);
			th = theirs;
		}
	}
	struct diag_vars vars = {
	        .conn = a->name ? a->name : "",
	        .child = child ? child : "",
	        .peer = a->peer,
	        .peer_id = a->peer_id,
	        .local_id = a->local_id,
	        .ours = o,
	        .theirs = th,
	        .match = t->match,
	};
	const char *dt = t->detail ? t->detail : diag_default_detail(t->code, t->side, t->layer);
	const char *nt = t->next ? t->next : diag_default_next(t->code, t->side, t->layer);
	diag_set_str(&s->detail, t->literal ? dt : diag_expand(detail, sizeof(detail), dt, &vars));
	diag_set_str(&s->next, diag_expand(next, sizeof(next), nt, &vars));
	diag_set_str(&s->ours, o);
	diag_set_str(&s->theirs, th);
	diag_set_str(&s->peer, a->peer);
	diag_set_str(&s->peer_id, a->peer_id);
	free(s->retry);
	s->retry = diag_retry_cmd(d, sj, t->code);
	take_evidence(s, a);
	diag_vslot_view(sj, s);
	if (sj->kind == S_PEER)
		diag_peers_trim(d);
	d->dirty = true;
}

/* ---- lines ---------------------------------------------------------------- */

static uint32_t hash_line(uint32_t ike_id, struct model_str msg)
{
	return str_hash(msg.s, msg.len) ^ (ike_id * 2654435761u);
}

/* true if the same line came from the other source in the last 2 s */
static bool seen_elsewhere(struct diag *d, uint32_t ike_id, struct model_str msg, int src,
                           int64_t now)
{
	uint32_t h = hash_line(ike_id, msg);
	size_t n = sizeof(d->recent) / sizeof(d->recent[0]);
	for (size_t i = 0; i < n; i++) {
		if (d->recent[i].time && d->recent[i].hash == h && d->recent[i].ike_id == ike_id &&
		    d->recent[i].src != src && now - d->recent[i].time <= 2000) {
			d->recent[i].time = 0; /* each copy pairs once */
			return true;
		}
	}
	d->recent[d->recent_head].ike_id = ike_id;
	d->recent[d->recent_head].hash = h;
	d->recent[d->recent_head].time = now ? now : 1;
	d->recent[d->recent_head].src = (uint8_t)src;
	d->recent_head = (d->recent_head + 1) % n;
	return false;
}

static uint32_t parse_id(struct model_str s)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < s.len && i < 10; i++) {
		if (s.s[i] < '0' || s.s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s.s[i] - '0');
	}
	return v <= UINT32_MAX ? (uint32_t)v : 0;
}

static void push_id(uint32_t *ids, char **names, uint32_t id, struct model_str name)
{
	memmove(ids + 1, ids, 3 * sizeof(*ids));
	ids[0] = id;
	if (names) {
		free(names[3]);
		memmove(names + 1, names, 3 * sizeof(*names));
		names[0] = diag_dupstr(name);
	}
}

static int find_id(const uint32_t *ids, uint32_t id)
{
	for (int i = 0; i < 4; i++)
		if (id && ids[i] == id)
			return i;
	return -1;
}

/* What a matched line does; fills *t and returns true for a verdict. */
static bool apply_rule(struct attempt *a, const struct diag_match *m, struct trigger *t)
{
	const struct diag_rule *r = m->rule;
	const struct model_str *c = m->cap;
	*t = (struct trigger){r->code, r->side, r->layer, r->detail, r->next, m, NULL, 0, false};
	switch (r->kind) {
	case R_CTX:
		return false;
	case R_THEIRS:
		free(a->theirs);
		a->theirs = diag_dupstr(c[0]);
		return false;
	case R_OURS:
		append_distinct(&a->ours, c[0]);
		return false;
	case R_SELECTED:
		free(a->theirs), a->theirs = NULL;
		free(a->ours), a->ours = NULL;
		return false;
	case R_PEERCFG:
		free(a->local_id), a->local_id = diag_dupstr(c[1]);
		free(a->peer), a->peer = diag_dupstr(c[2]);
		free(a->peer_id), a->peer_id = diag_dupstr(c[3]);
		return false;
	case R_PEERCFG1:
		free(a->peer), a->peer = diag_dupstr(c[2]);
		free(a->peer_id), a->peer_id = diag_dupstr(c[3]);
		return false;
	case R_INIT_I:
		free(a->peer), a->peer = diag_dupstr(c[2]);
		return false;
	case R_INIT_R:
		free(a->peer), a->peer = diag_dupstr(c[0]);
		return false;
	case R_MYSELF:
		free(a->local_id), a->local_id = diag_dupstr(c[0]);
		return false;
	case R_PEER_AUTH:
		free(a->peer_id), a->peer_id = diag_dupstr(c[0]);
		return false;
	case R_CHILD_START:
		free(a->child), a->child = diag_dupstr(c[0]);
		a->child_id = parse_id(c[1]);
		a->child_seq++;
		return false;
	case R_CHILD_END:
		free(a->child), a->child = NULL;
		a->child_id = 0;
		a->child_seq++;
		free(a->theirs), a->theirs = NULL;
		free(a->ours), a->ours = NULL;
		return false;
	case R_ESTABLISHED:
		a->established = true;
		return false;
	case R_REKEYED:
		a->rekeyed = true;
		return false;
	case R_DPD:
		a->dpd = true;
		return false;
	case R_GIVING_UP:
		t->side = DIAG_SIDE_PEER;
		t->layer = DIAG_LAYER_IKE;
		if (a->established) {
			t->code = DIAG_DPD_DEAD;
			t->detail =
			        a->dpd ? "{peer|the peer} stopped answering DPD (gave up after $1 "
			                 "retransmits)"
			               : "{peer|the peer} stopped answering (gave up after $1 "
			                 "retransmits)";
		} else {
			t->code = DIAG_PEER_UNREACHABLE;
			t->detail = "{peer|the peer} never answered (gave up after $1 retransmits)";
		}
		return true;
	case R_RETRY:
		t->code = DIAG_PEER_UNREACHABLE;
		t->side = DIAG_SIDE_PEER;
		t->detail = "{peer|the peer} does not answer; charon tries again ($1/$2, 0: "
		            "forever)";
		return true;
	case R_DEL_IKE:
		if (a->rekeyed)
			return false;
		t->code = DIAG_PEER_DELETED;
		t->side = DIAG_SIDE_PEER;
		t->detail = "the peer deleted the IKE SA";
		return true;
	case R_DEL_CHILD:
		a->del_child_pending = true;
		return false;
	case R_CLOSE_CHILD: {
		if (!a->del_child_pending)
			return false;
		a->del_child_pending = false;
		uint32_t id = parse_id(c[1]);
		if (find_id(a->downs, id) < 0) {
			push_id(a->closed, a->closed_name, id, c[0]);
			return false;
		}
		t->code = DIAG_PEER_DELETED;
		t->side = DIAG_SIDE_PEER;
		t->layer = DIAG_LAYER_CHILD;
		t->detail = "the peer deleted the CHILD SA $1{$2}";
		t->child = NULL;
		free(a->child), a->child = diag_dupstr(c[0]);
		a->child_id = id;
		return true;
	}
	case R_NOTIFY:
	case R_NOTIFY_CHILD: {
		enum diag_layer l;
		t->code = diag_notify_code(c[0], &l);
		if (t->code == DIAG_NONE)
			return false;
		if (r->kind == R_NOTIFY_CHILD)
			l = DIAG_LAYER_CHILD;
		else if (l == DIAG_LAYER_AUTO)
			l = a->established ? DIAG_LAYER_CHILD : DIAG_LAYER_IKE;
		if (model_str_eq(c[0], "INVALID_ID_INFORMATION") && l == DIAG_LAYER_IKE)
			t->code = DIAG_AUTH_FAILED;
		t->layer = l;
		t->side = DIAG_SIDE_PEER;
		switch (t->code) {
		case DIAG_NO_PROPOSAL:
			t->detail = l == DIAG_LAYER_CHILD
			                    ? "the peer answered $1: it accepts none of "
			                      "our ESP/AH proposals"
			                    : "the peer answered $1: it accepts none of "
			                      "our IKE proposals";
			break;
		case DIAG_AUTH_FAILED:
			t->detail = "the peer answered $1: it rejected our authentication";
			break;
		case DIAG_TS_UNACCEPTABLE:
			t->detail =
			        "the peer answered $1: it accepts none of our traffic selectors";
			break;
		default:
			t->detail = "the peer answered $1";
			break;
		}
		return true;
	}
	case R_NOPROP: {
		bool esp = a->theirs &&
		           (!strncmp(a->theirs, "ESP:", 4) || !strncmp(a->theirs, "AH:", 3));
		bool ike = a->theirs && !strncmp(a->theirs, "IKE:", 4);
		t->code = DIAG_NO_PROPOSAL;
		t->side = DIAG_SIDE_LOCAL;
		t->layer = esp || (!ike && a->established) ? DIAG_LAYER_CHILD : DIAG_LAYER_IKE;
		t->detail = NULL;
		return true;
	}
	case R_VERDICT:
		if (t->layer == DIAG_LAYER_AUTO)
			t->layer = a->established ? DIAG_LAYER_CHILD : DIAG_LAYER_IKE;
		return true;
	}
	return false;
}

static void feed_line(struct diag *d, int64_t now, struct model_str group, int level,
                      struct model_str ike_name, uint32_t ike_id, struct model_str msg, int src)
{
	struct diag_match m;
	if (!ike_id || !diag_rule_match(msg, &m))
		return;
	if (seen_elsewhere(d, ike_id, msg, src, now))
		return;
	struct attempt *a = diag_att_get(d, ike_id, now, true);
	if (!diag_unnamed(ike_name) && (!a->name || !model_str_eq(ike_name, a->name))) {
		free(a->name);
		a->name = diag_dupstr(ike_name);
	}
	if (m.rule->kind == R_INIT_I) {
		/* charon's next keyingtry reuses the IKE SA */
		if (a->connecting_since == MODEL_TIME_NONE)
			a->connecting_since = now;
	}
	struct diag_line l = {.time = now, .ike_id = ike_id, .level = level};
	size_t gl = group.len < sizeof(l.group) - 1 ? group.len : sizeof(l.group) - 1;
	memcpy(l.group, group.s, gl);
	l.len = msg.len < DIAG_LINE_MAX ? msg.len : DIAG_LINE_MAX;
	char *copy = xstrndup(msg.s, l.len);
	l.msg = copy;
	att_add_line(a, &l, m.rule->kind == R_OURS);
	free(copy);

	struct trigger t;
	if (apply_rule(a, &m, &t))
		set_verdict(d, a, &t, now);
	if (m.rule->kind == R_RETRY)
		a->try_no++;
}

void diag_feed_line(struct diag *d, int64_t now, struct model_str group, int level,
                    struct model_str ike_name, uint32_t ike_id, struct model_str msg)
{
	feed_line(d, now, group, level, ike_name, ike_id, msg, 0);
	diag_finish(d);
}

void diag_feed_log(struct diag *d, const struct model_log_line *l)
{
	feed_line(d, l->time, l->group, l->level, l->ike_name, l->ike_id, l->msg, 0);
	diag_finish(d);
}

/* ---- events --------------------------------------------------------------- */

/* The connection came up through IKE SA ike_id: its IKE verdict is history,
 * and so is a verdict on that peer's address no connection matched. */
static void ike_up(struct diag *d, const char *conn, uint32_t ike_id, const char *peer, int64_t now)
{
	struct subj *sj = diag_subj(d, S_CONN, DIAG_LAYER_IKE, conn, NULL, true);
	if (sj->ev.set && sj->ev.v.ike_id != ike_id)
		diag_vslot_clear(d, &sj->ev, now);
	diag_vslot_drop(d, &sj->live);
	if (ike_id > sj->cleared_ike)
		sj->cleared_ike = ike_id;
	sj->seen_up = true;
	sj->quiet = false;
	if (peer && *peer) {
		struct subj *p = diag_subj(d, S_PEER, DIAG_LAYER_IKE, peer, NULL, false);
		if (p && p->ev.set && p->ev.v.ike_id < ike_id)
			diag_vslot_clear(d, &p->ev, now);
	}
}

static void child_up(struct diag *d, const char *conn, const char *child, uint32_t child_id,
                     int64_t now)
{
	struct subj *sj = diag_subj(d, S_CONN, DIAG_LAYER_CHILD, conn, child, true);
	if (sj->ev.set && sj->ev.v.child_id != child_id)
		diag_vslot_clear(d, &sj->ev, now);
	diag_vslot_drop(d, &sj->live);
	if (child_id > sj->cleared_child)
		sj->cleared_child = child_id;
	sj->up = true;
}

/* An IKE SA that was up after all: a "never answered" verdict on it (from
 * lines that came before the event said so) is a dead peer. */
static void was_up(struct diag *d, struct attempt *a, int64_t now)
{
	struct subj *sj =
	        a->name ? diag_subj(d, S_CONN, DIAG_LAYER_IKE, a->name, NULL, false) : NULL;
	if (!sj || !sj->ev.set || !sj->ev.v.current || sj->ev.v.ike_id != a->ike_id ||
	    sj->ev.v.code != DIAG_PEER_UNREACHABLE)
		return;
	struct trigger t = {
	        DIAG_DPD_DEAD,  DIAG_SIDE_PEER,
	        DIAG_LAYER_IKE, "{peer|the peer} stopped answering an established IKE SA",
	        NULL,           NULL,
	        NULL,           0,
	        false};
	set_verdict(d, a, &t, now);
}

void diag_feed_event(struct diag *d, const struct model_event *ev)
{
	int64_t now = ev->time;
	char *name = diag_unnamed(ev->ike_name) ? NULL : diag_dupstr(ev->ike_name);
	char *peer = diag_dupstr(ev->remote_host);
	struct attempt *a = NULL;
	if (ev->ike_id && ev->kind != MODEL_EV_CONTROL_LOG) {
		a = diag_att_get(d, ev->ike_id, now, true);
		if (name && !a->name)
			a->name = xstrdup(name);
		if (*peer && !a->peer)
			a->peer = xstrdup(peer);
	}
	/* SA events without a uniqueid (a malformed message) say nothing */
	switch (a || ev->kind == MODEL_EV_CONTROL_LOG ? ev->kind : MODEL_EV_KIND_COUNT) {
	case MODEL_EV_CONTROL_LOG:
		feed_line(d, now, ev->group, ev->level, ev->ike_name, ev->ike_id, ev->text, 1);
		break;
	case MODEL_EV_IKE_UP:
		a->established = true;
		if (name)
			ike_up(d, name, ev->ike_id, peer, now);
		break;
	case MODEL_EV_IKE_DOWN:
		/* the state it went down in: an SA that was up (its lines may have
		 * come before we listened) stopped answering rather than never did */
		if (model_str_eq(ev->text, "ESTABLISHED") || model_str_eq(ev->text, "REKEYING") ||
		    model_str_eq(ev->text, "DELETING")) {
			a->established = true;
			was_up(d, a, now);
		}
		break;
	case MODEL_EV_CHILD_UP:
		if (name) {
			char *child = diag_dupstr(ev->child_name);
			child_up(d, name, child, ev->child_id, now);
			free(child);
		}
		break;
	case MODEL_EV_CHILD_DOWN: {
		if (ev->redundant || !ev->child_id)
			break;
		if (name) {
			char *child = diag_dupstr(ev->child_name);
			struct subj *sj =
			        diag_subj(d, S_CONN, DIAG_LAYER_CHILD, name, child, false);
			if (sj)
				sj->up = false;
			free(child);
		}
		int i = find_id(a->closed, ev->child_id);
		if (i < 0) {
			push_id(a->downs, NULL, ev->child_id, ev->child_name);
			break;
		}
		struct trigger t = {DIAG_PEER_DELETED,
		                    DIAG_SIDE_PEER,
		                    DIAG_LAYER_CHILD,
		                    "the peer deleted the CHILD SA {child}",
		                    NULL,
		                    NULL,
		                    a->closed_name[i],
		                    ev->child_id,
		                    false};
		set_verdict(d, a, &t, now);
		a->closed[i] = 0;
		break;
	}
	case MODEL_EV_IKE_REKEY:
		a->rekeyed = true;
		if (ev->new_id) {
			struct attempt *n = diag_att_get(d, ev->new_id, now, true);
			n->established = true;
			if (name && !n->name)
				n->name = xstrdup(name);
		}
		break;
	default:
		break;
	}
	free(name);
	free(peer);
	diag_finish(d);
}

/* ---- actions -------------------------------------------------------------- */

/* The connection a CHILD config belongs to, from the last snapshot. */
static const char *conn_of_child(const struct diag *d, const char *child)
{
	for (size_t i = 0; i < d->n_conns; i++)
		for (size_t j = 0; j < d->conns[i].n_children; j++)
			if (!strcmp(d->conns[i].children[j].name, child))
				return d->conns[i].name;
	return NULL;
}

/* How long after a verdict a failed action counts as explained by it. */
#define ACTION_WINDOW_MS 120000

void diag_feed_action(struct diag *d, int64_t now, const char *verb, const char *ike,
                      const char *child, bool ok, const char *errmsg)
{
	const char *conn = ike && *ike ? ike : NULL;
	if (!conn && child && *child)
		conn = conn_of_child(d, child);
	if (!conn || !verb)
		return;
	size_t end, i = diag_conn_range(d, conn, &end);
	if (!strcmp(verb, "terminate") && ok) {
		/* down on purpose: nothing to explain until it is started again */
		for (; i < end; i++) {
			struct subj *sj = d->order[i];
			diag_vslot_clear(d, &sj->ev, now);
			diag_vslot_drop(d, &sj->live);
		}
		diag_subj(d, S_CONN, DIAG_LAYER_IKE, conn, NULL, true)->quiet = true;
		d->dirty = true;
	} else if (!strcmp(verb, "uninstall") && ok && child && *child) {
		/* the trap policy went away on purpose */
		struct subj *sj = diag_subj(d, S_CONN, DIAG_LAYER_CHILD, conn, child, false);
		if (sj) {
			sj->trap_seen = false;
			diag_vslot_drop(d, &sj->live);
		}
	} else if (!ok && (!strcmp(verb, "initiate") || !strcmp(verb, "install"))) {
		const struct diag_verdict *v = diag_conn_verdict(d, conn);
		if (v && !v->from_state && v->code != DIAG_UNKNOWN &&
		    now - v->last_at <= ACTION_WINDOW_MS)
			return;
		/* nothing charon said explains it: keep its errmsg, and the lines of
		 * the connection's latest IKE SA */
		struct attempt *latest = NULL;
		for (size_t k = 0; k < d->n_atts; k++)
			if (d->atts[k]->name && !strcmp(d->atts[k]->name, conn) &&
			    (!latest || d->atts[k]->ike_id > latest->ike_id))
				latest = d->atts[k];
		struct attempt tmp = {.name = (char *)conn, .child = (char *)child};
		char detail[600];
		snprintf(detail, sizeof(detail), "%s failed: %s", verb,
		         errmsg && *errmsg ? errmsg : "(no reason given)");
		struct trigger t = {DIAG_UNKNOWN,
		                    DIAG_SIDE_UNKNOWN,
		                    child && *child ? DIAG_LAYER_CHILD : DIAG_LAYER_IKE,
		                    detail,
		                    NULL,
		                    NULL,
		                    child && *child ? child : NULL,
		                    0,
		                    false};
		if (latest) {
			tmp = *latest; /* borrowed: evidence and names */
			tmp.ike_id = 0;
		}
		tmp.try_no = ++d->action_seq; /* each failed action is an occurrence */
		t.literal = true;
		set_verdict(d, &tmp, &t, now);
	}
	diag_finish(d);
}

/* ---- the model's rings -------------------------------------------------------- */

void diag_feed_model(struct diag *d, const struct model *m)
{
	size_t n = model_events_count(m), i = n;
	while (i > 0 && model_event_at(m, i - 1)->seq >= d->ev_next)
		i--;
	for (; i < n; i++) {
		const struct model_event *ev = model_event_at(m, i);
		diag_feed_event(d, ev);
		d->ev_next = ev->seq + 1;
	}
	n = model_log_count(m), i = n;
	while (i > 0 && model_log_at(m, i - 1)->seq >= d->log_next)
		i--;
	for (; i < n; i++) {
		const struct model_log_line *l = model_log_at(m, i);
		diag_feed_log(d, l);
		d->log_next = l->seq + 1;
	}
}
