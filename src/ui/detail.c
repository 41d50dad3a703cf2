/*
 * Detail texts (see detail.h).
 */
#include "ui/detail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action/action.h"
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

static bool sa_build(const struct model *m, struct detail_subject *s, bool ascii, char *title,
                     size_t tsize, struct lines *o)
{
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
		lines_add(o, title);
		walk_raw(o, ch->raw.msg, ch->raw.len, 1, ascii);
	}
	return true;
}

static bool conn_build(const struct model *m, const struct detail_subject *s, bool ascii,
                       char *title, size_t tsize, struct lines *o)
{
	const struct model_conn *c = model_conn_find(m, s->target.ike.s, s->target.ike.len);
	if (!c)
		return false;
	char *name = sanitize_dup(c->name.s, c->name.len, ascii ? SANITIZE_ASCII : 0);
	snprintf(title, tsize, "connection %s", name);
	free(name);
	lines_clear(o);
	lines_add(o, "connection (as listed by list-conns)");
	walk_raw(o, c->raw.msg, c->raw.len, 1, ascii);
	return true;
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

bool detail_build(const struct model *m, struct detail_subject *s, bool ascii, char *title,
                  size_t titlesize, struct lines *out)
{
	switch (s->kind) {
	case DETAIL_SA:
		return sa_build(m, s, ascii, title, titlesize, out);
	case DETAIL_CONN:
		return conn_build(m, s, ascii, title, titlesize, out);
	case DETAIL_POLICY:
		return pol_build(m, s, ascii, title, titlesize, out);
	case DETAIL_EVENT:
		return event_build(m, s, ascii, title, titlesize, out);
	case DETAIL_LOG:
		return log_build(m, s, ascii, title, titlesize, out);
	default:
		return false;
	}
}
