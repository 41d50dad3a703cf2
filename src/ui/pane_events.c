/*
 * The event pane (SA up/down, rekeys, address updates, the control-log of
 * running actions and their results) and the log pane (charon's log with
 * group/level filters). Both show a ring buffer of the model, oldest first,
 * and either follow its tail or stay on the selected entry, identified by
 * its sequence number so that it stays put while the ring moves on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "ui/keys.h"
#include "ui/pane.h"
#include "ui/rows.h"
#include "vici/xmalloc.h"
struct ring_state {
	uint64_t sel_seq;
	struct model_log_filter lf; /* log pane only */
	int level_step;             /* 0: all levels, 1: <= 1, 2: 0 only */
	unsigned group_step;        /* 0: all groups, else index + 1 */
	uint64_t clear_seq;         /* entries up to this one are hidden ("c") */
	bool cleared;
	bool is_log; /* the log pane, else the event pane */
};

static bool event_matches(const struct model_event *e, const char *f)
{
	size_t fl = strlen(f);
	if (!fl)
		return true;
	const char *k = model_event_kind_name(e->kind);
	return model_str_icontains(e->text, f, fl) || model_str_icontains(e->ike_name, f, fl) ||
	       model_str_icontains(e->child_name, f, fl) ||
	       model_str_icontains(e->remote_host, f, fl) ||
	       model_str_icontains((struct model_str){k, (uint32_t)strlen(k)}, f, fl);
}

/* Indexes of the entries shown, in *out (allocated); returns their number. */
static size_t event_index(const struct model *m, struct pane *p, size_t **out)
{
	struct ring_state *rs = p->priv;
	size_t n = model_events_count(m), k = 0;
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	for (size_t i = 0; i < n; i++) {
		const struct model_event *e = model_event_at(m, i);
		if ((!rs->cleared || e->seq > rs->clear_seq) && event_matches(e, p->filter))
			idx[k++] = i;
	}
	*out = idx;
	return k;
}

static size_t log_index(const struct model *m, struct pane *p, size_t **out)
{
	struct ring_state *rs = p->priv;
	size_t n = model_log_count(m), k = 0;
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	rs->lf.text = p->filter;
	for (size_t i = 0; i < n; i++) {
		const struct model_log_line *l = model_log_at(m, i);
		if ((!rs->cleared || l->seq > rs->clear_seq) && model_log_match(l, &rs->lf))
			idx[k++] = i;
	}
	*out = idx;
	return k;
}

static uint64_t seq_at(const struct model *m, struct pane *p, size_t i)
{
	const struct ring_state *rs = p->priv;
	return rs->is_log ? model_log_at(m, i)->seq : model_event_at(m, i)->seq;
}

/* Puts lv.sel back on the entry with the remembered sequence number. */
static void restore_sel(const struct model *m, struct pane *p, const size_t *idx, size_t n)
{
	struct ring_state *rs = p->priv;
	if (p->lv.follow || n == 0)
		return;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (seq_at(m, p, idx[mid]) < rs->sel_seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	p->lv.sel = lo < n ? lo : n - 1;
}

struct ring_draw {
	const struct model *m;
	const size_t *idx;
	bool is_log;
	struct rows_style st;
};

static void ring_row(void *arg, size_t i, const unsigned *w, struct row *r)
{
	struct ring_draw *d = arg;
	if (d->is_log)
		rows_log(r, model_log_at(d->m, d->idx[i]), w[0], &d->st);
	else
		rows_event(r, model_event_at(d->m, d->idx[i]), w[0], &d->st);
}

/* The entries shown: their indexes in the ring (allocated), *n of them. */
static size_t shown_index(const struct model *m, struct pane *p, bool is_log, size_t **idx)
{
	return is_log ? log_index(m, p, idx) : event_index(m, p, idx);
}

static void ring_draw(struct pane *p, const struct pane_ctx *c, bool is_log)
{
	const struct model *m = c->model;
	struct ring_state *rs = p->priv;
	size_t *idx;
	size_t n = shown_index(m, p, is_log, &idx);
	char right[256], lvl[32] = "", grp[32] = "";
	uint64_t dropped = is_log ? model_log_dropped(m) : model_events_dropped(m);
	if (is_log) {
		if (rs->level_step)
			snprintf(lvl, sizeof(lvl), " level<=%d", rs->lf.max_level);
		if (rs->group_step)
			snprintf(grp, sizeof(grp), " group=%s",
			         model_log_group_name(rs->group_step - 1));
	}
	snprintf(right, sizeof(right), "%zu%s%s%s%s%s  %s%s%.0llu%s", n,
	         is_log ? " lines" : " events", lvl, grp, p->filter[0] ? " filter: " : "",
	         p->filter, p->lv.follow ? "following" : "paused", dropped ? ", dropped " : "",
	         (unsigned long long)dropped, "");
	restore_sel(m, p, idx, n);
	listview_clamp(&p->lv, n, pane_body_rows(p, false));
	struct ring_draw d = {m, idx, is_log, {c->utf8, c->now, c->wall_offset}};
	struct pane_list l = {
	        .title = is_log ? "5 log" : "4 events",
	        .right = right,
	        .count = n,
	        .selected = c->focused && !p->lv.follow ? p->lv.sel : (size_t)-1,
	        .row_fn = ring_row,
	        .arg = &d,
	};
	pane_list_draw(p, c, &l);
	if (n && p->lv.sel < n)
		rs->sel_seq = seq_at(m, p, idx[p->lv.sel]);
	free(idx);
}

static void events_draw(struct pane *p, const struct pane_ctx *c)
{
	ring_draw(p, c, false);
}

static void log_draw(struct pane *p, const struct pane_ctx *c)
{
	ring_draw(p, c, true);
}

/* Steps the log's group filter to the next group that has lines (then back
 * to all groups), so that "o" never shows an empty pane. */
static void next_group(const struct model *m, struct ring_state *rs)
{
	uint32_t seen = 0;
	for (size_t i = 0; i < model_log_count(m); i++)
		seen |= 1u << model_log_at(m, i)->group_index;
	do
		rs->group_step = (rs->group_step + 1) % (MODEL_LOG_GROUP_COUNT + 1);
	while (rs->group_step && !(seen & (1u << (rs->group_step - 1))));
	rs->lf.groups = rs->group_step ? 1u << (rs->group_step - 1) : 0;
}

static unsigned ring_key(struct pane *p, const struct model *m, int action, bool is_log)
{
	struct ring_state *rs = p->priv;
	size_t *idx;
	size_t n = shown_index(m, p, is_log, &idx);
	restore_sel(m, p, idx, n);
	p->lv.count = n;
	unsigned f = listview_nav(&p->lv, action, pane_body_rows(p, false));
	if (f) {
		/* Moving to the last row resumes following, like a pager's F. */
		if (action == KA_END || (action == KA_DOWN && n && p->lv.sel + 1 == n))
			p->lv.follow = true;
		if (n && p->lv.sel < n)
			rs->sel_seq = seq_at(m, p, idx[p->lv.sel]);
		free(idx);
		return f;
	}
	free(idx);
	switch (action) {
	case KA_FOLLOW:
		p->lv.follow = !p->lv.follow;
		return PANE_REDRAW;
	case KA_CLEAR: {
		/* Hides what is there now; the model's ring is left alone. */
		size_t total = is_log ? model_log_count(m) : model_events_count(m);
		if (total) {
			rs->clear_seq = seq_at(m, p, total - 1);
			rs->cleared = true;
		}
		p->lv.follow = true;
		return PANE_REDRAW;
	}
	case KA_LOG_LEVEL:
		if (!is_log)
			return PANE_IGNORED;
		rs->level_step = (rs->level_step + 1) % 3;
		rs->lf.min_level = -10;
		rs->lf.max_level = rs->level_step == 0 ? 100 : rs->level_step == 1 ? 1 : 0;
		return PANE_REDRAW;
	case KA_LOG_GROUP:
		if (!is_log)
			return PANE_IGNORED;
		next_group(m, rs);
		return PANE_REDRAW;
	default:
		return PANE_IGNORED;
	}
}

static unsigned events_key(struct pane *p, const struct pane_ctx *c, const struct key_input *k,
                           struct intent *out)
{
	(void)out;
	return ring_key(p, c->model, k->action, false);
}

static unsigned log_key(struct pane *p, const struct pane_ctx *c, const struct key_input *k,
                        struct intent *out)
{
	(void)out;
	return ring_key(p, c->model, k->action, true);
}

static void ring_pane_init(struct pane *p, bool is_log)
{
	struct ring_state *rs = xcalloc(1, sizeof(*rs));
	model_log_filter_init(&rs->lf);
	rs->is_log = is_log;
	p->priv = rs;
	p->lv.follow = true;
}

static void events_init(struct pane *p, const struct pane_init *in)
{
	(void)in;
	ring_pane_init(p, false);
}

static void log_init(struct pane *p, const struct pane_init *in)
{
	(void)in;
	ring_pane_init(p, true);
}

static void ring_destroy(struct pane *p)
{
	free(p->priv);
	p->priv = NULL;
}

/* The selected entry's sequence number (the detail view finds it again in
 * the ring, or says it fell off). */
static bool ring_detail(struct pane *p, const struct pane_ctx *c, struct detail_subject *out,
                        bool is_log)
{
	size_t *idx;
	size_t n = shown_index(c->model, p, is_log, &idx);
	restore_sel(c->model, p, idx, n);
	bool ok = p->lv.sel < n;
	if (ok) {
		out->kind = is_log ? DETAIL_LOG : DETAIL_EVENT;
		out->seq = seq_at(c->model, p, idx[p->lv.sel]);
	}
	free(idx);
	return ok;
}

static bool events_detail(struct pane *p, const struct pane_ctx *c, struct detail_subject *out)
{
	return ring_detail(p, c, out, false);
}

static bool log_detail(struct pane *p, const struct pane_ctx *c, struct detail_subject *out)
{
	return ring_detail(p, c, out, true);
}

const struct pane_ops pane_events_ops = {
        .name = "events",
        .init = events_init,
        .draw = events_draw,
        .key = events_key,
        .detail = events_detail,
        .destroy = ring_destroy,
};

const struct pane_ops pane_log_ops = {
        .name = "log",
        .init = log_init,
        .draw = log_draw,
        .key = log_key,
        .detail = log_detail,
        .destroy = ring_destroy,
};
