/*
 * The event pane (SA up/down, rekeys, address updates, the control-log of
 * running actions and their results) and the log pane (charon's log with
 * group/level filters). Both show a ring buffer of the model, oldest first,
 * and either follow its tail or stay on the selected entry, identified by
 * its sequence number so that it stays put while the ring moves on.
 *
 * With a history store the event pane scrolls back beyond its ring: Up or
 * PgUp on the oldest entry asks for a page of older records
 * (hist_want_back()), which the application reads from the store; they
 * are shown above the ring, dated and dim, and the selection moves onto
 * them once they are there. A record is identified by its id in the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "ui/fields.h"
#include "ui/hist.h"
#include "ui/keys.h"
#include "ui/pane.h"
#include "ui/rows.h"
#include "ui/sort.h"
#include "vici/xmalloc.h"

/* Records asked for per step back. */
#define BACK_PAGE 100

struct ring_state {
	uint64_t sel_seq;
	/* the event pane's scroll-back */
	struct hist *hist;
	bool sel_hist;              /* the selection is on a record of the store */
	int64_t sel_id;             /* ... this one */
	bool asking;                /* a page of older records was asked for */
	size_t moving;              /* rows to move up once it is there */
	size_t asked_from;          /* records there were when it was asked for */
	struct model_log_filter lf; /* log pane only */
	int level_step;             /* 0: all levels, 1: <= 1, 2: 0 only */
	unsigned group_step;        /* 0: all groups, else index + 1 */
	uint64_t clear_seq;         /* entries up to this one are hidden ("c") */
	bool cleared;
	bool is_log; /* the log pane, else the event pane */
	/* Newest first (p->sort_desc) is drawn upside down: the selection and
	 * the scroll-back stay in time order, only the rows on screen and the
	 * keys that move are turned around; the first row drawn then. */
	size_t top_desc;
};

/* ---- the filter's fields ----------------------------------------------------- */

/* A row of the event pane: an entry of the ring or a record of the store. */
struct event_item {
	const struct model_event *e;
	const struct store_event *h;
};

#define EV(r) ((const struct event_item *)(r))

static bool eget_kind(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct event_item *it = EV(r);
	return it->e ? fields_cstr(model_event_kind_name(it->e->kind), visit, ctx)
	             : fields_str(it->h->kind_word, visit, ctx);
}

static bool eget_name(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct event_item *it = EV(r);
	return fields_str(it->e ? it->e->ike_name : it->h->conn, visit, ctx);
}

static bool eget_child(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct event_item *it = EV(r);
	return fields_str(it->e ? it->e->child_name : it->h->child, visit, ctx);
}

static bool eget_remote(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct event_item *it = EV(r);
	return fields_str(it->e ? it->e->remote_host : it->h->remote, visit, ctx);
}

static bool eget_text(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct event_item *it = EV(r);
	return fields_str(it->e ? it->e->text : it->h->detail, visit, ctx);
}

/* The verdict code of a record of the store. */
static bool eget_why(const void *r, filter_visit_fn visit, void *ctx)
{
	return EV(r)->h && EV(r)->h->code.len && fields_str(EV(r)->h->code, visit, ctx);
}

static bool eget_uniqueid(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct event_item *it = EV(r);
	uint32_t id = it->e ? it->e->ike_id : it->h->ike_id;
	return id && fields_u64(id, visit, ctx);
}

static const struct filter_field event_fields[] = {
        {"kind", true, eget_kind},          {"name", true, eget_name}, {"child", true, eget_child},
        {"remote", true, eget_remote},      {"text", true, eget_text}, {"why", true, eget_why},
        {"uniqueid", false, eget_uniqueid},
};

#define LOG(r) ((const struct model_log_line *)(r))

static bool lget_group(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_str(LOG(r)->group, visit, ctx);
}

static bool lget_level(const void *r, filter_visit_fn visit, void *ctx)
{
	char buf[16];
	return visit(ctx, buf, (size_t)snprintf(buf, sizeof(buf), "%d", LOG(r)->level));
}

static bool lget_name(const void *r, filter_visit_fn visit, void *ctx)
{
	return LOG(r)->ike_name.len && fields_str(LOG(r)->ike_name, visit, ctx);
}

static bool lget_text(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_str(LOG(r)->msg, visit, ctx);
}

static bool lget_thread(const void *r, filter_visit_fn visit, void *ctx)
{
	return LOG(r)->thread >= 0 && fields_u64((uint64_t)LOG(r)->thread, visit, ctx);
}

static bool lget_uniqueid(const void *r, filter_visit_fn visit, void *ctx)
{
	return LOG(r)->ike_id && fields_u64(LOG(r)->ike_id, visit, ctx);
}

static const struct filter_field log_fields[] = {
        {"group", true, lget_group},    {"level", true, lget_level},
        {"name", true, lget_name},      {"text", true, lget_text},
        {"thread", false, lget_thread}, {"uniqueid", false, lget_uniqueid},
};

bool pane_event_match(const struct filter *f, const struct model_event *e)
{
	struct event_item it = {e, NULL};
	return filter_match(f, &it);
}

/* Indexes of the entries shown, in *out (allocated); returns their number. */
static size_t event_index(const struct model *m, struct pane *p, size_t **out)
{
	struct ring_state *rs = p->priv;
	size_t n = model_events_count(m), k = 0;
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	for (size_t i = 0; i < n; i++) {
		const struct model_event *e = model_event_at(m, i);
		if ((!rs->cleared || e->seq > rs->clear_seq) && pane_event_match(p->match, e))
			idx[k++] = i;
	}
	*out = idx;
	return k;
}

/* ---- the scroll-back ------------------------------------------------------- */

/* The records shown above the ring, oldest first (allocated), *n of them:
 * none unless the pane asked. */
static const struct store_event **back_index(const struct pane *p, const struct hist *h, size_t *n)
{
	const struct ring_state *rs = p->priv;
	const struct hist_list *l = h && rs->hist && h->back.want_n ? &h->back.recs : NULL;
	size_t total = l ? l->n : 0, k = 0;
	const struct store_event **v = xcalloc(total ? total : 1, sizeof(*v));
	for (size_t i = total; i-- > 0;) {
		struct event_item it = {NULL, &l->v[i].ev};
		if (pane_match(p, &it))
			v[k++] = &l->v[i].ev;
	}
	*n = k;
	return v;
}

static size_t log_index(const struct model *m, struct pane *p, size_t **out)
{
	struct ring_state *rs = p->priv;
	size_t n = model_log_count(m), k = 0;
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	for (size_t i = 0; i < n; i++) {
		const struct model_log_line *l = model_log_at(m, i);
		if ((!rs->cleared || l->seq > rs->clear_seq) && model_log_match(l, &rs->lf) &&
		    pane_match(p, l))
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

/* What the pane shows: records of the store (oldest first), then the
 * ring's entries (their indexes). Row r is back[r] below nb, else the
 * ring's idx[r - nb]. */
struct shown {
	size_t *idx, n;
	const struct store_event **back;
	size_t nb;
};

static void shown_get(const struct model *m, const struct hist *h, struct pane *p, struct shown *sh)
{
	struct ring_state *rs = p->priv;
	sh->n = rs->is_log ? log_index(m, p, &sh->idx) : event_index(m, p, &sh->idx);
	sh->back = back_index(p, rs->is_log ? NULL : h, &sh->nb);
}

static void shown_free(struct shown *sh)
{
	free(sh->idx);
	free(sh->back);
}

/* Puts lv.sel back on the remembered entry or record. */
static void restore_sel(const struct model *m, struct pane *p, const struct shown *sh)
{
	struct ring_state *rs = p->priv;
	size_t total = sh->nb + sh->n;
	if (p->lv.follow || total == 0)
		return;
	if (rs->sel_hist) {
		for (size_t i = 0; i < sh->nb; i++)
			if (sh->back[i]->id == rs->sel_id) {
				p->lv.sel = i;
				return;
			}
		p->lv.sel = 0; /* the records went (cleared): the oldest row */
		return;
	}
	size_t lo = 0, hi = sh->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (seq_at(m, p, sh->idx[mid]) < rs->sel_seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	p->lv.sel = sh->nb + (lo < sh->n ? lo : sh->n ? sh->n - 1 : 0);
	if (p->lv.sel >= total)
		p->lv.sel = total - 1;
}

/* Remembers what lv.sel is on. */
static void remember_sel(const struct model *m, struct pane *p, const struct shown *sh)
{
	struct ring_state *rs = p->priv;
	rs->sel_hist = p->lv.sel < sh->nb;
	if (rs->sel_hist)
		rs->sel_id = sh->back[p->lv.sel]->id;
	else if (p->lv.sel - sh->nb < sh->n)
		rs->sel_seq = seq_at(m, p, sh->idx[p->lv.sel - sh->nb]);
}

/* Up or PgUp on the oldest row: asks for a page of older records, to move
 * onto once it is there. */
static void ask_back(const struct model *m, struct pane *p, const struct pane_ctx *c,
                     const struct shown *sh, size_t move)
{
	struct ring_state *rs = p->priv;
	const struct hist *h = c->hist;
	if (rs->is_log || !rs->hist || !h || !h->enabled || (h->back.want_n && h->back.complete))
		return;
	/* the first page ends where the ring begins */
	int64_t anchor = model_events_count(m) ? model_event_at(m, 0)->time + c->wall_offset
	                                       : c->now + c->wall_offset;
	rs->asking = true;
	/* from the oldest entry of the ring onto the newest record; with an
	 * empty ring the selection is on the newest record already */
	rs->moving = sh->n ? move : 0;
	rs->asked_from = h->back.recs.n;
	hist_want_back(rs->hist, anchor,
	               (h->back.want_n > h->back.recs.n ? h->back.recs.n : h->back.want_n) +
	                       BACK_PAGE);
}

/* The page asked for came (or there is none): move onto it. */
static void arrived(struct pane *p, const struct pane_ctx *c)
{
	struct ring_state *rs = p->priv;
	const struct hist *h = c->hist;
	if (!rs->asking || !h)
		return;
	if (h->back.recs.n > rs->asked_from) {
		size_t added = h->back.recs.n - rs->asked_from;
		size_t mv = rs->moving < added ? rs->moving : added;
		/* the selection is on the row that was oldest, now below the
		 * new records */
		p->lv.sel = p->lv.sel >= mv ? p->lv.sel - mv : 0;
		rs->asking = false;
	} else if (h->back.complete || !h->enabled) {
		rs->asking = false;
	}
}

struct ring_draw {
	const struct model *m;
	const struct shown *sh;
	bool is_log;
	struct rows_style st;
	bool desc;
};

static void ring_row(void *arg, size_t i, const unsigned *w, struct row *r)
{
	struct ring_draw *d = arg;
	if (d->desc)
		i = d->sh->nb + d->sh->n - 1 - i;
	if (i < d->sh->nb)
		rows_hist_event(r, d->sh->back[i], w[0], &d->st);
	else if (d->is_log)
		rows_log(r, model_log_at(d->m, d->sh->idx[i - d->sh->nb]), w[0], &d->st);
	else
		rows_event(r, model_event_at(d->m, d->sh->idx[i - d->sh->nb]), w[0], &d->st);
}

static void ring_draw(struct pane *p, const struct pane_ctx *c, bool is_log)
{
	const struct model *m = c->model;
	struct ring_state *rs = p->priv;
	struct shown sh;
	shown_get(m, c->hist, p, &sh);
	char right[400], lvl[32] = "", grp[32] = "", back[48] = "", note[200];
	uint64_t dropped = is_log ? model_log_dropped(m) : model_events_dropped(m);
	if (is_log) {
		if (rs->level_step)
			snprintf(lvl, sizeof(lvl), " level<=%d", rs->lf.max_level);
		if (rs->group_step)
			snprintf(grp, sizeof(grp), " group=%s",
			         model_log_group_name(rs->group_step - 1));
	}
	size_t total = sh.nb + sh.n;
	restore_sel(m, p, &sh);
	arrived(p, c);
	if (sh.nb || (rs->asking && !is_log))
		snprintf(back, sizeof(back), " + %zu from history%s", sh.nb,
		         rs->asking ? " (reading)" : "");
	snprintf(right, sizeof(right), "%zu%s%s%s%s%s  %s%s%s%.0llu", sh.n,
	         is_log ? " lines" : " events", back, lvl, grp,
	         pane_filter_note(p, note, sizeof(note)), p->lv.follow ? "following" : "paused",
	         p->sort_desc ? ", newest first" : "", dropped ? ", dropped " : "",
	         (unsigned long long)dropped);
	listview_clamp(&p->lv, total, pane_body_rows(p, false));
	struct ring_draw d = {m, &sh, is_log, {c->utf8, c->now, c->wall_offset}, p->sort_desc};
	struct pane_list l = {
	        .title = is_log ? "5 log" : "4 events",
	        .right = right,
	        .count = total,
	        .selected = c->focused && !p->lv.follow ? p->lv.sel : (size_t)-1,
	        .row_fn = ring_row,
	        .arg = &d,
	        .copy_cursor = true,
	};
	if (p->sort_desc) {
		struct listview asc = p->lv;
		p->lv.sel = total ? total - 1 - asc.sel : 0;
		p->lv.follow = false;
		p->lv.top = rs->top_desc;
		if (l.selected != (size_t)-1)
			l.selected = p->lv.sel;
		pane_list_draw(p, c, &l);
		rs->top_desc = p->lv.top;
		p->lv = asc;
	} else {
		pane_list_draw(p, c, &l);
	}
	if (total && p->lv.sel < total)
		remember_sel(m, p, &sh);
	shown_free(&sh);
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

/* Newest first: the keys that move go the other way in time order. */
static int turned(int action)
{
	switch (action) {
	case KA_UP:
		return KA_DOWN;
	case KA_DOWN:
		return KA_UP;
	case KA_PGUP:
		return KA_PGDN;
	case KA_PGDN:
		return KA_PGUP;
	case KA_HOME:
		return KA_END;
	case KA_END:
		return KA_HOME;
	default:
		return action;
	}
}

static unsigned ring_key(struct pane *p, const struct pane_ctx *c, int action, bool is_log)
{
	const struct model *m = c->model;
	struct ring_state *rs = p->priv;
	if (action == KA_SORT || action == KA_SORT_REVERSE)
		return pane_sort_key(p, c, action);
	if (p->sort_desc)
		action = turned(action);
	struct shown sh;
	shown_get(m, c->hist, p, &sh);
	size_t total = sh.nb + sh.n, vis = pane_body_rows(p, false);
	restore_sel(m, p, &sh);
	p->lv.count = total;
	bool at_top = !total || p->lv.sel == 0;
	unsigned f = listview_nav(&p->lv, action, vis);
	if (f) {
		/* Moving to the last row resumes following, like a pager's F. */
		if (action == KA_END || (action == KA_DOWN && total && p->lv.sel + 1 == total))
			p->lv.follow = true;
		/* past the oldest row: older records from the history store */
		if ((action == KA_UP || action == KA_PGUP) && at_top)
			ask_back(m, p, c, &sh, action == KA_UP ? 1 : vis > 1 ? vis - 1 : 1);
		if (total && p->lv.sel < total)
			remember_sel(m, p, &sh);
		shown_free(&sh);
		return f;
	}
	shown_free(&sh);
	switch (action) {
	case KA_FOLLOW:
		p->lv.follow = !p->lv.follow;
		return PANE_REDRAW;
	case KA_CLEAR: {
		/* Hides what is there now; the model's ring is left alone. */
		size_t n = is_log ? model_log_count(m) : model_events_count(m);
		if (n) {
			rs->clear_seq = seq_at(m, p, n - 1);
			rs->cleared = true;
		}
		if (rs->hist && !is_log)
			hist_want_back(rs->hist, 0, 0);
		rs->asking = false;
		rs->sel_hist = false;
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
	return ring_key(p, c, k->action, false);
}

static unsigned log_key(struct pane *p, const struct pane_ctx *c, const struct key_input *k,
                        struct intent *out)
{
	(void)out;
	return ring_key(p, c, k->action, true);
}

static void ring_pane_init(struct pane *p, const struct pane_init *in, bool is_log)
{
	struct ring_state *rs = xcalloc(1, sizeof(*rs));
	rs->hist = is_log ? NULL : in->hist;
	model_log_filter_init(&rs->lf);
	rs->is_log = is_log;
	p->priv = rs;
	p->lv.follow = true;
}

static void events_init(struct pane *p, const struct pane_init *in)
{
	ring_pane_init(p, in, false);
}

static void log_init(struct pane *p, const struct pane_init *in)
{
	ring_pane_init(p, in, true);
}

static void ring_destroy(struct pane *p)
{
	free(p->priv);
	p->priv = NULL;
}

/* The selected entry's sequence number (the detail view finds it again in
 * the ring, or says it fell off), or the id of a record of the store. */
static bool ring_detail(struct pane *p, const struct pane_ctx *c, struct detail_subject *out,
                        bool is_log)
{
	struct shown sh;
	shown_get(c->model, c->hist, p, &sh);
	restore_sel(c->model, p, &sh);
	bool ok = p->lv.sel < sh.nb + sh.n;
	if (ok && p->lv.sel < sh.nb) {
		out->kind = DETAIL_HISTORY;
		out->seq = (uint64_t)sh.back[p->lv.sel]->id;
	} else if (ok) {
		out->kind = is_log ? DETAIL_LOG : DETAIL_EVENT;
		out->seq = seq_at(c->model, p, sh.idx[p->lv.sel - sh.nb]);
	}
	shown_free(&sh);
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

/* Time order (the order of the ring), oldest or newest first. */
static const struct sort_column ring_sorts[] = {
        {"time", 0, -1, -1, false, true},
};

const struct pane_ops pane_events_ops = {
        .name = "events",
        .init = events_init,
        .draw = events_draw,
        .key = events_key,
        .detail = events_detail,
        .destroy = ring_destroy,
        .fields = event_fields,
        .nfields = sizeof(event_fields) / sizeof(event_fields[0]),
        .sorts = ring_sorts,
        .nsorts = 1,
};

const struct pane_ops pane_log_ops = {
        .name = "log",
        .init = log_init,
        .draw = log_draw,
        .key = log_key,
        .detail = log_detail,
        .destroy = ring_destroy,
        .fields = log_fields,
        .nfields = sizeof(log_fields) / sizeof(log_fields[0]),
        .sorts = ring_sorts,
        .nsorts = 1,
};
