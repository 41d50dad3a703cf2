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

#include "app/app.h"
#include "ui/draw.h"
#include "ui/keys.h"
#include "model/model.h"
#include "ui/panes.h"
#include "ui/rows.h"
#include "util/sanitize.h"
#include "vici/xmalloc.h"

struct ring_state {
	uint64_t sel_seq;
	struct model_log_filter lf; /* log pane only */
	int level_step;             /* 0: all levels, 1: <= 1, 2: 0 only */
	unsigned group_step;        /* 0: all groups, else index + 1 */
	uint64_t clear_seq;         /* entries up to this one are hidden ("c") */
	bool cleared;
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
static size_t event_index(struct app *app, struct pane *p, size_t **out)
{
	struct ring_state *rs = p->priv;
	size_t n = model_events_count(app->model), k = 0;
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	for (size_t i = 0; i < n; i++) {
		const struct model_event *e = model_event_at(app->model, i);
		if ((!rs->cleared || e->seq > rs->clear_seq) && event_matches(e, p->filter))
			idx[k++] = i;
	}
	*out = idx;
	return k;
}

static size_t log_index(struct app *app, struct pane *p, size_t **out)
{
	struct ring_state *rs = p->priv;
	size_t n = model_log_count(app->model), k = 0;
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	rs->lf.text = p->filter;
	for (size_t i = 0; i < n; i++) {
		const struct model_log_line *l = model_log_at(app->model, i);
		if ((!rs->cleared || l->seq > rs->clear_seq) && model_log_match(l, &rs->lf))
			idx[k++] = i;
	}
	*out = idx;
	return k;
}

static uint64_t seq_at(struct app *app, struct pane *p, size_t i)
{
	if (p->ops == &pane_events_ops)
		return model_event_at(app->model, i)->seq;
	return model_log_at(app->model, i)->seq;
}

/* Puts lv.sel back on the entry with the remembered sequence number. */
static void restore_sel(struct app *app, struct pane *p, const size_t *idx, size_t n)
{
	struct ring_state *rs = p->priv;
	if (p->lv.follow || n == 0)
		return;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (seq_at(app, p, idx[mid]) < rs->sel_seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	p->lv.sel = lo < n ? lo : n - 1;
}

static void ring_draw(struct pane *p, struct app *app, bool is_log)
{
	struct ring_state *rs = p->priv;
	size_t *idx;
	size_t n = is_log ? log_index(app, p, &idx) : event_index(app, p, &idx);
	char right[256], lvl[32] = "", grp[32] = "";
	uint64_t dropped =
	        is_log ? model_log_dropped(app->model) : model_events_dropped(app->model);
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
	bool focused = app->focus == (is_log ? PANE_LOG : PANE_EVENTS) && !app->overlay;
	draw_title(p->r, is_log ? "5 log" : "4 events", right, focused, app->utf8);
	size_t vis = pane_body_rows(p, false);
	restore_sel(app, p, idx, n);
	listview_clamp(&p->lv, n, vis);
	struct rows_style st = {app->utf8, app->now, app->wall_offset};
	unsigned sf = app->utf8 ? 0 : SANITIZE_ASCII;
	struct row row;
	for (size_t i = 0; i < vis; i++) {
		int y = p->r.y + 1 + (int)i;
		size_t k = p->lv.top + i;
		if (k >= n) {
			draw_fill(y, p->r.x, p->r.w, THEME_DEFAULT);
			continue;
		}
		row_init(&row, sf);
		if (is_log)
			rows_log(&row, model_log_at(app->model, idx[k]), (size_t)p->r.w, &st);
		else
			rows_event(&row, model_event_at(app->model, idx[k]), (size_t)p->r.w, &st);
		bool sel = k == p->lv.sel && focused && !p->lv.follow;
		draw_row(y, p->r.x, p->r.w, &row, sel ? pane_sel_role(app, p) : -1);
	}
	if (n && p->lv.sel < n)
		rs->sel_seq = seq_at(app, p, idx[p->lv.sel]);
	free(idx);
}

static void events_draw(struct pane *p, struct app *app)
{
	ring_draw(p, app, false);
}

static void log_draw(struct pane *p, struct app *app)
{
	ring_draw(p, app, true);
}

/* Steps the log's group filter to the next group that has lines (then back
 * to all groups), so that "o" never shows an empty pane. */
static void next_group(struct app *app, struct ring_state *rs)
{
	uint32_t seen = 0;
	for (size_t i = 0; i < model_log_count(app->model); i++)
		seen |= 1u << model_log_at(app->model, i)->group_index;
	do
		rs->group_step = (rs->group_step + 1) % (MODEL_LOG_GROUP_COUNT + 1);
	while (rs->group_step && !(seen & (1u << (rs->group_step - 1))));
	rs->lf.groups = rs->group_step ? 1u << (rs->group_step - 1) : 0;
}

static unsigned ring_key(struct pane *p, struct app *app, int action, bool is_log)
{
	struct ring_state *rs = p->priv;
	size_t *idx;
	size_t n = is_log ? log_index(app, p, &idx) : event_index(app, p, &idx);
	restore_sel(app, p, idx, n);
	p->lv.count = n;
	unsigned f = listview_nav(&p->lv, action, pane_body_rows(p, false));
	if (f) {
		/* Moving to the last row resumes following, like a pager's F. */
		if (action == KA_END || (action == KA_DOWN && n && p->lv.sel + 1 == n))
			p->lv.follow = true;
		if (n && p->lv.sel < n)
			rs->sel_seq = seq_at(app, p, idx[p->lv.sel]);
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
		size_t total =
		        is_log ? model_log_count(app->model) : model_events_count(app->model);
		if (total) {
			rs->clear_seq = seq_at(app, p, total - 1);
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
		next_group(app, rs);
		return PANE_REDRAW;
	default:
		return PANE_IGNORED;
	}
}

static unsigned events_key(struct pane *p, struct app *app, int action, int ch)
{
	return ring_key(p, app, action, false);
}

static unsigned log_key(struct pane *p, struct app *app, int action, int ch)
{
	return ring_key(p, app, action, true);
}

static void ring_resize(struct pane *p, struct rect r)
{
	p->r = r;
}

static void ring_destroy(struct pane *p)
{
	free(p->priv);
	p->priv = NULL;
}

const struct pane_ops pane_events_ops = {
        .name = "events",
        .draw = events_draw,
        .key = events_key,
        .resize = ring_resize,
        .destroy = ring_destroy,
};

const struct pane_ops pane_log_ops = {
        .name = "log",
        .draw = log_draw,
        .key = log_key,
        .resize = ring_resize,
        .destroy = ring_destroy,
};

void *pane_ring_state_new(void);
void *pane_ring_state_new(void)
{
	struct ring_state *rs = xcalloc(1, sizeof(*rs));
	model_log_filter_init(&rs->lf);
	return rs;
}

const struct model_event *pane_events_selected(struct app *app, struct pane *p)
{
	size_t *idx;
	size_t n = event_index(app, p, &idx);
	restore_sel(app, p, idx, n);
	const struct model_event *e =
	        p->lv.sel < n ? model_event_at(app->model, idx[p->lv.sel]) : NULL;
	free(idx);
	return e;
}

const struct model_log_line *pane_log_selected(struct app *app, struct pane *p)
{
	size_t *idx;
	size_t n = log_index(app, p, &idx);
	restore_sel(app, p, idx, n);
	const struct model_log_line *l =
	        p->lv.sel < n ? model_log_at(app->model, idx[p->lv.sel]) : NULL;
	free(idx);
	return l;
}
