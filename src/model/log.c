/*
 * The events ring and the log ring: SA events, control-log lines, action
 * results and notices in one, charon's log lines in the other. Both are
 * bounded; what falls off is counted, never silently lost. Each entry's
 * strings are copied into one block the ring owns, so entries outlive the
 * message they came from.
 */
#include "model/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "model/model_priv.h"
#include "vici/xmalloc.h"

/* ---- events ------------------------------------------------------------------ */

/* Copies strings into one block; the struct model_str pointers are then
 * redirected into it. */
static char *pack_strs(struct model_str **strs, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += strs[i]->len + 1;
	char *blk = xmalloc(total ? total : 1), *p = blk;
	for (size_t i = 0; i < n; i++) {
		if (strs[i]->len)
			memcpy(p, strs[i]->s, strs[i]->len);
		p[strs[i]->len] = 0;
		strs[i]->s = p;
		p += strs[i]->len + 1;
	}
	return blk;
}

int events_push(struct model *m, const struct ev_args *a, int64_t now)
{
	struct ring *r = &m->events;
	size_t slot = ring_push(r);
	struct model_event *ev = (struct model_event *)r->slots + slot;
	memset(ev, 0, sizeof(*ev));
	ev->seq = r->seq++;
	ev->time = now;
	ev->kind = a->kind;
	ev->ike_id = a->ike_id;
	ev->child_id = a->child_id;
	ev->new_id = a->new_id;
	ev->redundant = a->redundant;
	ev->level = a->level;
	ev->ike_name = a->ike_name;
	ev->child_name = a->child_name;
	ev->remote_host = a->remote_host;
	ev->text = a->text;
	ev->group = a->group;
	struct model_str *strs[] = {&ev->ike_name, &ev->child_name, &ev->remote_host, &ev->text,
	                            &ev->group};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strs[i]->s)
			*strs[i] = model_str_empty;
	r->text[slot] = pack_strs(strs, sizeof(strs) / sizeof(strs[0]));
	return changed(m, MODEL_CHANGED_EVENTS);
}

static const char *const event_kind_names[MODEL_EV_KIND_COUNT] = {
        "ike-up",     "ike-down",    "child-up",  "child-down",  "ike-rekey", "child-rekey",
        "ike-update", "control-log", "action-ok", "action-fail", "notice",
};

const char *model_event_kind_name(enum model_event_kind k)
{
	return (unsigned)k < MODEL_EV_KIND_COUNT ? event_kind_names[k] : "unknown";
}

int model_event_add(struct model *m, enum model_event_kind kind, int64_t now, const char *text,
                    size_t len)
{
	struct ev_args a = {.kind = kind, .text = mstr(text ? text : "", text ? len : 0)};
	if ((unsigned)kind >= MODEL_EV_KIND_COUNT)
		return -EINVAL;
	return events_push(m, &a, now);
}

int model_event_addf(struct model *m, enum model_event_kind kind, int64_t now, const char *fmt, ...)
{
	va_list ap;
	char buf[512];
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return model_event_add(m, kind, now, buf,
	                       (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

size_t model_events_count(const struct model *m)
{
	return m->events.n;
}

const struct model_event *model_event_at(const struct model *m, size_t i)
{
	if (i >= m->events.n)
		return NULL;
	return (const struct model_event *)m->events.slots + ring_index(&m->events, i);
}

uint64_t model_events_dropped(const struct model *m)
{
	return m->events.dropped;
}

/* ---- log ------------------------------------------------------------------ */

static const char *const log_groups[MODEL_LOG_GROUP_OTHER] = {
        "DMN", "MGR", "IKE", "CHD", "JOB", "CFG", "KNL", "NET", "ASN", "ENC",
        "TNC", "IMC", "IMV", "PTS", "TLS", "APP", "ESP", "LIB", "WCH",
};

unsigned model_log_group_index(const void *name, size_t len)
{
	if (len != 3)
		return MODEL_LOG_GROUP_OTHER;
	for (unsigned i = 0; i < MODEL_LOG_GROUP_OTHER; i++)
		if (memcmp(log_groups[i], name, 3) == 0)
			return i;
	return MODEL_LOG_GROUP_OTHER;
}

const char *model_log_group_name(unsigned index)
{
	return index < MODEL_LOG_GROUP_OTHER ? log_groups[index] : "other";
}

void model_log_filter_init(struct model_log_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->min_level = -100;
	f->max_level = 100;
}

bool model_log_match(const struct model_log_line *l, const struct model_log_filter *f)
{
	if (f->groups && !(f->groups & (1u << l->group_index)))
		return false;
	if (l->level < f->min_level || l->level > f->max_level)
		return false;
	if (f->ike_id && l->ike_id != f->ike_id)
		return false;
	if (f->text && *f->text) {
		size_t n = strlen(f->text);
		if (!model_str_icontains(l->msg, f->text, n) &&
		    !model_str_icontains(l->ike_name, f->text, n))
			return false;
	}
	return true;
}

/* The keys of log and control-log events. */
struct log_fields {
	struct model_str group, ike_name, msg;
	int64_t level, thread;
	uint32_t ike_id;
	bool has_level, has_thread;
};

static int log_decode(const void *msg, size_t len, struct log_fields *lf)
{
	struct vici_parser p;
	struct vici_element e;
	int r;
	memset(lf, 0, sizeof(*lf));
	lf->group = lf->ike_name = lf->msg = model_str_empty;
	vici_parser_init(&p, msg, len);
	while ((r = vici_parser_next(&p, &e)) == 1) {
		int64_t x;
		uint64_t u;
		if (e.type == VICI_SECTION_START) {
			if (vici_parser_skip_section(&p) < 0)
				return -EBADMSG;
			continue;
		}
		if (e.type == VICI_LIST_START) {
			if (list_take(&p, NULL) < 0)
				return -EBADMSG;
			continue;
		}
		if (e.type != VICI_KEY_VALUE)
			continue;
		if (vici_eq(e.name, e.name_len, "group"))
			lf->group = mstr(e.value, e.value_len);
		else if (vici_eq(e.name, e.name_len, "msg"))
			lf->msg = mstr(e.value, e.value_len);
		else if (vici_eq(e.name, e.name_len, "ikesa-name"))
			lf->ike_name = mstr(e.value, e.value_len);
		else if (vici_eq(e.name, e.name_len, "ikesa-uniqueid")) {
			if (parse_u64(e.value, e.value_len, &u) && u <= UINT32_MAX)
				lf->ike_id = (uint32_t)u;
		} else if (vici_eq(e.name, e.name_len, "level")) {
			if (parse_i64(e.value, e.value_len, &x) && x > -1000 && x < 1000) {
				lf->level = x;
				lf->has_level = true;
			}
		} else if (vici_eq(e.name, e.name_len, "thread")) {
			if (parse_i64(e.value, e.value_len, &x) && x >= 0 && x < 1000000) {
				lf->thread = x;
				lf->has_thread = true;
			}
		}
	}
	return r < 0 ? -EBADMSG : 0;
}

int model_ingest_log(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct log_fields lf;
	int r = log_decode(msg, len, &lf);
	/* A line cut short by a malformed tail is still worth showing. */
	if (r < 0 && !lf.msg.len)
		return r;
	struct ring *rg = &m->log;
	size_t slot = ring_push(rg);
	struct model_log_line *l = (struct model_log_line *)rg->slots + slot;
	memset(l, 0, sizeof(*l));
	l->seq = rg->seq++;
	l->time = now;
	l->group = lf.group;
	l->group_index = model_log_group_index(lf.group.s, lf.group.len);
	l->level = (int)lf.level;
	l->thread = lf.has_thread ? (int)lf.thread : -1;
	l->ike_name = lf.ike_name;
	l->ike_id = lf.ike_id;
	l->msg = lf.msg;
	struct model_str *strs[] = {&l->group, &l->ike_name, &l->msg};
	rg->text[slot] = pack_strs(strs, 3);
	changed(m, MODEL_CHANGED_LOG);
	return r < 0 ? r : MODEL_CHANGED_LOG;
}

int model_ingest_control_log(struct model *m, const void *msg, size_t len, int64_t now)
{
	struct log_fields lf;
	int r = log_decode(msg, len, &lf);
	if (r < 0 && !lf.msg.len)
		return r;
	struct ev_args a = {
	        .kind = MODEL_EV_CONTROL_LOG,
	        .ike_id = lf.ike_id,
	        .ike_name = lf.ike_name,
	        .text = lf.msg,
	        .group = lf.group,
	        .level = (int)lf.level,
	};
	events_push(m, &a, now);
	return r < 0 ? r : MODEL_CHANGED_EVENTS;
}

size_t model_log_count(const struct model *m)
{
	return m->log.n;
}

const struct model_log_line *model_log_at(const struct model *m, size_t i)
{
	if (i >= m->log.n)
		return NULL;
	return (const struct model_log_line *)m->log.slots + ring_index(&m->log, i);
}

uint64_t model_log_dropped(const struct model *m)
{
	return m->log.dropped;
}

size_t model_log_count_matching(const struct model *m, const struct model_log_filter *f)
{
	size_t n = 0;
	for (size_t i = 0; i < m->log.n; i++)
		n += model_log_match(model_log_at(m, i), f);
	return n;
}
