/*
 * Detail texts (see detail.h).
 */
#include "ui/detail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action/action.h"
#include "model/diag.h"
#include "ui/hist.h"
#include "ui/rows.h"
#include "ui/verdict.h"
#include "util/sanitize.h"
#include "vici/wire.h"

/* Appends the sanitised elements of a raw VICI message, indented by depth. */
static void walk_raw(struct lines *o, const uint8_t *msg, size_t len, int indent, bool ascii)
{
	struct vici_parser ps;
	struct vici_element e;
	int depth = indent, rc;
	unsigned fl = ascii ? SANITIZE_ASCII : 0;
	vici_parser_init(&ps, msg, len);
	while ((rc = vici_parser_next(&ps, &e)) > 0) {
		char *name = e.name ? sanitize_dup(e.name, e.name_len, fl) : NULL;
		char *val = e.value ? sanitize_dup(e.value, e.value_len, fl) : NULL;
		switch (e.type) {
		case VICI_SECTION_START:
			lines_addf(o, "%*s%s {", depth * 2, "", name);
			depth++;
			break;
		case VICI_SECTION_END:
			depth = depth > indent ? depth - 1 : indent;
			lines_addf(o, "%*s}", depth * 2, "");
			break;
		case VICI_KEY_VALUE:
			lines_addf(o, "%*s%s = %s", depth * 2, "", name, val);
			break;
		case VICI_LIST_START:
			lines_addf(o, "%*s%s = [", depth * 2, "", name);
			break;
		case VICI_LIST_ITEM:
			lines_addf(o, "%*s  %s", depth * 2, "", val);
			break;
		case VICI_LIST_END:
			lines_addf(o, "%*s]", depth * 2, "");
			break;
		}
		free(name);
		free(val);
	}
	if (rc < 0)
		lines_add(o, "  (malformed data: the rest is not shown)");
}

static void add_kv(struct lines *o, const char *k, struct model_str v, bool ascii)
{
	char *s = sanitize_dup(v.s, v.len, ascii ? SANITIZE_ASCII : 0);
	lines_addf(o, "  %s = %s", k, s);
	free(s);
}

/* "why: <summary>" and the verdict's lines; nothing for NULL. */
static void add_verdict(struct lines *o, const struct diag_verdict *v, const struct detail_src *src)
{
	if (!v)
		return;
	char summary[256];
	verdict_summary(summary, sizeof(summary), v, src->now);
	lines_addf(o, "why: %s", summary);
	verdict_lines(o, v, src->now, src->ascii ? SANITIZE_ASCII : 0);
}

/* A name as the engine keys it. */
static const char *cname(char *buf, size_t size, struct model_str s)
{
	snprintf(buf, size, "%.*s", (int)s.len, s.s);
	return buf;
}

/* The last hour's traffic of a CHILD (connection and CHILD name), in and
 * out, as sparklines of a minute per cell. */
static void add_traffic(struct lines *o, const struct detail_src *src, struct model_str conn,
                        struct model_str child)
{
	const struct hist_rate *r = src->hist ? hist_rates_find(src->hist, conn, child) : NULL;
	if (!r)
		return;
	char spark[HIST_RATE_BUCKETS * 3 + 1], peak[32];
	double top = 0;
	for (size_t i = 0; i < HIST_RATE_BUCKETS; i++) {
		top = r->in[i] > top ? r->in[i] : top;
		top = r->out[i] > top ? r->out[i] : top;
	}
	fmt_rate(peak, sizeof(peak), top);
	lines_addf(o, "traffic, last hour (a minute per cell, oldest first; peak %s):", peak);
	fmt_spark(spark, sizeof(spark), r->in, r->has, HIST_RATE_BUCKETS, HIST_RATE_BUCKETS,
	          !src->ascii);
	lines_addf(o, "  in  %s", spark);
	fmt_spark(spark, sizeof(spark), r->out, r->has, HIST_RATE_BUCKETS, HIST_RATE_BUCKETS,
	          !src->ascii);
	lines_addf(o, "  out %s", spark);
}

static bool sa_build(const struct detail_src *src, struct detail_subject *s, char *title,
                     size_t tsize, struct lines *o)
{
	const struct model *m = src->model;
	bool ascii = src->ascii;
	struct target t = s->target;
	if (target_follow(m, &t) < 0)
		return false;
	s->target = t;
	unsigned fl = ascii ? SANITIZE_ASCII : 0;
	const struct model_ike *ike = NULL;
	const struct model_child *ch = NULL;
	if (t.kind == TARGET_CHILD_SA)
		ch = model_child_find(m, t.child_id, &ike);
	else
		ike = model_ike_find(m, t.ike_id);
	if (!ike)
		return false;
	lines_clear(o);
	if (!ch) {
		char *name = sanitize_dup(ike->name.s, ike->name.len, fl);
		snprintf(title, tsize, "IKE SA %s #%u", name, ike->uniqueid);
		free(name);
		if (src->diag)
			add_verdict(o, diag_sa_verdict(src->diag, ike->uniqueid, 0), src);
		lines_add(o, title);
		walk_raw(o, ike->raw.msg, ike->raw.len, 1, ascii);
		for (size_t i = 0; i < ike->n_children; i++) {
			const struct model_child *c = &ike->children[i];
			char *cn = sanitize_dup(c->key.s, c->key.len, fl);
			lines_addf(o, "  child-sas.%s {", cn);
			free(cn);
			walk_raw(o, c->raw.msg, c->raw.len, 2, ascii);
			lines_add(o, "  }");
		}
	} else {
		char *name = sanitize_dup(ch->name.s, ch->name.len, fl);
		snprintf(title, tsize, "CHILD SA %s c%u (IKE SA #%u)", name, ch->uniqueid,
		         ike->uniqueid);
		free(name);
		if (src->diag)
			add_verdict(o, diag_sa_verdict(src->diag, ike->uniqueid, ch->uniqueid),
			            src);
		add_traffic(o, src, ike->name, ch->name);
		lines_add(o, title);
		walk_raw(o, ch->raw.msg, ch->raw.len, 1, ascii);
	}
	return true;
}

/* The down events of the last day, as the FLAPS column counts them. */
static void add_flaps(struct lines *o, const struct detail_src *src, struct model_str conn)
{
	if (!src->hist || !src->hist->enabled)
		return;
	const struct hist_flap *fl = hist_flaps_find(src->hist, conn);
	lines_addf(o,
	           "history: %u IKE and %u CHILD down events in the last 24 hours (Tab: "
	           "timeline)",
	           fl ? fl->ike_down : 0, fl ? fl->child_down : 0);
}

static bool conn_build(const struct detail_src *src, const struct detail_subject *s, char *title,
                       size_t tsize, struct lines *o)
{
	const struct model_conn *c =
	        model_conn_find(src->model, s->target.ike.s, s->target.ike.len);
	if (!c)
		return false;
	char *name = sanitize_dup(c->name.s, c->name.len, src->ascii ? SANITIZE_ASCII : 0);
	snprintf(title, tsize, "connection %s", name);
	free(name);
	lines_clear(o);
	if (src->diag) {
		char conn[TARGET_NAME_MAX + 1], child[TARGET_NAME_MAX + 1];
		cname(conn, sizeof(conn), c->name);
		const struct diag_verdict *v =
		        s->target.kind == TARGET_CHILD_CONF
		                ? diag_child_verdict(src->diag, conn,
		                                     cname(child, sizeof(child),
		                                           (struct model_str){s->target.child.s,
		                                                              s->target.child.len}))
		                : NULL;
		add_verdict(o, v ? v : diag_conn_last(src->diag, conn), src);
	}
	add_flaps(o, src, c->name);
	lines_add(o, "connection (as listed by list-conns)");
	walk_raw(o, c->raw.msg, c->raw.len, 1, src->ascii);
	return true;
}

/* A peer no connection matched: its verdict. */
static bool peer_build(const struct detail_src *src, const struct detail_subject *s, char *title,
                       size_t tsize, struct lines *o)
{
	char addr[TARGET_NAME_MAX + 1];
	cname(addr, sizeof(addr), (struct model_str){s->target.ike.s, s->target.ike.len});
	const struct diag_verdict *v = src->diag ? diag_peer_verdict(src->diag, addr) : NULL;
	if (!v)
		return false;
	char *safe = sanitize_dup(addr, strlen(addr), src->ascii ? SANITIZE_ASCII : 0);
	snprintf(title, tsize, "peer %s (no connection matched)", safe);
	free(safe);
	lines_clear(o);
	add_verdict(o, v, src);
	return true;
}

/* A record of the history store the events pane scrolled back to. */
static bool history_build(const struct detail_src *src, const struct detail_subject *s, char *title,
                          size_t tsize, struct lines *o)
{
	const struct hist_list *l = src->hist ? &src->hist->back.recs : NULL;
	for (size_t i = 0; l && i < l->n; i++) {
		const struct store_event *ev = &l->v[i].ev;
		if (ev->id != (int64_t)s->seq)
			continue;
		char when[32];
		fmt_wall(when, sizeof(when), ev->time, true);
		snprintf(title, tsize, "history record");
		lines_clear(o);
		lines_addf(o, "history record #%lld: %s, %s (from the history store)",
		           (long long)ev->id, store_kind_name(ev->kind), when);
		add_kv(o, "conn", ev->conn, src->ascii);
		add_kv(o, "child", ev->child, src->ascii);
		lines_addf(o, "  ike-id = %u, child-id = %u, new-id = %u", ev->ike_id, ev->child_id,
		           ev->new_id);
		add_kv(o, "state", ev->state, src->ascii);
		add_kv(o, "remote", ev->remote, src->ascii);
		add_kv(o, "detail", ev->detail, src->ascii);
		add_kv(o, "verdict", ev->code, src->ascii);
		add_kv(o, "side", ev->side, src->ascii);
		add_kv(o, "evidence", ev->evidence, src->ascii);
		return true;
	}
	return false;
}

static bool pol_build(const struct model *m, const struct detail_subject *s, bool ascii,
                      char *title, size_t tsize, struct lines *o)
{
	for (size_t i = 0; i < model_pol_count(m); i++) {
		const struct model_pol *pl = model_pol_at(m, i);
		if (pl->key.len != s->target.ike.len ||
		    memcmp(pl->key.s, s->target.ike.s, pl->key.len))
			continue;
		snprintf(title, tsize, "policy");
		lines_clear(o);
		lines_add(o, "policy (as listed by list-policies)");
		walk_raw(o, pl->raw.msg, pl->raw.len, 1, ascii);
		return true;
	}
	return false;
}

static uint64_t event_seq(const struct model *m, size_t i)
{
	return model_event_at(m, i)->seq;
}

static uint64_t log_seq(const struct model *m, size_t i)
{
	return model_log_at(m, i)->seq;
}

/* The ring index of the entry with sequence number seq (the rings hold
 * increasing numbers), or -1 when it fell off. */
static long ring_find(const struct model *m, size_t n,
                      uint64_t (*seq_of)(const struct model *, size_t), uint64_t seq)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (seq_of(m, mid) < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && seq_of(m, lo) == seq ? (long)lo : -1;
}

static bool event_build(const struct model *m, const struct detail_subject *s, bool ascii,
                        char *title, size_t tsize, struct lines *o)
{
	long i = ring_find(m, model_events_count(m), event_seq, s->seq);
	if (i < 0)
		return false;
	const struct model_event *e = model_event_at(m, (size_t)i);
	snprintf(title, tsize, "event");
	lines_clear(o);
	lines_addf(o, "event #%llu: %s", (unsigned long long)e->seq,
	           model_event_kind_name(e->kind));
	add_kv(o, "ike", e->ike_name, ascii);
	lines_addf(o, "  ike-id = %u, child-id = %u, new-id = %u", e->ike_id, e->child_id,
	           e->new_id);
	add_kv(o, "child", e->child_name, ascii);
	add_kv(o, "remote-host", e->remote_host, ascii);
	add_kv(o, "group", e->group, ascii);
	add_kv(o, "text", e->text, ascii);
	return true;
}

static bool log_build(const struct model *m, const struct detail_subject *s, bool ascii,
                      char *title, size_t tsize, struct lines *o)
{
	long i = ring_find(m, model_log_count(m), log_seq, s->seq);
	if (i < 0)
		return false;
	const struct model_log_line *l = model_log_at(m, (size_t)i);
	snprintf(title, tsize, "log line");
	lines_clear(o);
	lines_addf(o, "log line #%llu: level %d, thread %d, ike-id %u", (unsigned long long)l->seq,
	           l->level, l->thread, l->ike_id);
	add_kv(o, "group", l->group, ascii);
	add_kv(o, "ikesa-name", l->ike_name, ascii);
	add_kv(o, "msg", l->msg, ascii);
	return true;
}

bool detail_build(const struct detail_src *src, struct detail_subject *s, char *title,
                  size_t titlesize, struct lines *out)
{
	const struct model *m = src->model;
	switch (s->kind) {
	case DETAIL_SA:
		return sa_build(src, s, title, titlesize, out);
	case DETAIL_CONN:
		return conn_build(src, s, title, titlesize, out);
	case DETAIL_POLICY:
		return pol_build(m, s, src->ascii, title, titlesize, out);
	case DETAIL_EVENT:
		return event_build(m, s, src->ascii, title, titlesize, out);
	case DETAIL_LOG:
		return log_build(m, s, src->ascii, title, titlesize, out);
	case DETAIL_HISTORY:
		return history_build(src, s, title, titlesize, out);
	case DETAIL_PEER:
		return peer_build(src, s, title, titlesize, out);
	default:
		return false;
	}
}
