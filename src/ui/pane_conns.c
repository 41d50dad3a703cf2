/*
 * The connections pane (every loaded connection with its child configs and
 * whether an SA is up for it) and the policies pane (trap, drop and pass
 * policies). Both are flat lists rebuilt from the model on each draw; the
 * selection is kept by index, which is stable because charon lists
 * connections and policies in a fixed order.
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

/* A flattened connections row: conn index and child index (-1: the conn). */
struct conn_row {
	size_t conn;
	long child;
};

static bool conn_matches(const struct model_conn *c, const char *f)
{
	size_t fl = strlen(f);
	if (!fl || model_str_icontains(c->name, f, fl))
		return true;
	char buf[512];
	model_list_join(&c->remote_addrs, ",", buf, sizeof(buf));
	if (model_str_icontains((struct model_str){buf, (uint32_t)strlen(buf)}, f, fl))
		return true;
	for (size_t i = 0; i < c->n_children; i++)
		if (model_str_icontains(c->children[i].name, f, fl))
			return true;
	return false;
}

/* Fills rows (if not NULL) and returns how many there are. */
static size_t conn_rows(struct app *app, const char *filter, struct conn_row *rows, size_t max)
{
	size_t n = 0, nc = model_conn_count(app->model);
	for (size_t i = 0; i < nc; i++) {
		const struct model_conn *c = model_conn_at(app->model, i);
		if (!conn_matches(c, filter))
			continue;
		if (rows && n < max)
			rows[n] = (struct conn_row){i, -1};
		n++;
		for (size_t j = 0; j < c->n_children; j++) {
			if (rows && n < max)
				rows[n] = (struct conn_row){i, (long)j};
			n++;
		}
	}
	return n;
}

static bool conn_row_at(struct app *app, struct pane *p, size_t idx, const struct model_conn **c,
                        const struct model_conn_child **ch)
{
	size_t n = conn_rows(app, p->filter, NULL, 0);
	if (idx >= n)
		return false;
	struct conn_row *rows = xcalloc(n, sizeof(*rows));
	conn_rows(app, p->filter, rows, n);
	*c = model_conn_at(app->model, rows[idx].conn);
	*ch = rows[idx].child >= 0 ? &(*c)->children[rows[idx].child] : NULL;
	free(rows);
	return true;
}

static bool conn_trapped(struct app *app, const struct model_conn *c)
{
	for (size_t i = 0; i < model_pol_count(app->model); i++) {
		const struct model_pol *pl = model_pol_at(app->model, i);
		if (pl->type == MODEL_POL_TRAP && pl->ike.len == c->name.len &&
		    !memcmp(pl->ike.s, c->name.s, c->name.len))
			return true;
	}
	return false;
}

static void conns_draw(struct pane *p, struct app *app)
{
	struct model_counts mc;
	model_counts_get(app->model, &mc);
	char right[256];
	snprintf(right, sizeof(right), "%zu loaded, %zu up%s%s", mc.conns, mc.conns_up,
	         p->filter[0] ? "  filter: " : "", p->filter);
	draw_title(p->r, "2 connections", right, app->focus == PANE_CONNS && !app->overlay,
	           app->utf8);
	if (p->r.h < 2)
		return;
	unsigned w[CC_COUNT];
	pane_table_heading(p, conn_columns, CC_COUNT, w, app->utf8);
	struct row row;
	unsigned sf = app->utf8 ? 0 : SANITIZE_ASCII;
	size_t n = conn_rows(app, p->filter, NULL, 0);
	struct conn_row *rows = xcalloc(n ? n : 1, sizeof(*rows));
	conn_rows(app, p->filter, rows, n);
	size_t vis = pane_body_rows(p, true);
	listview_clamp(&p->lv, n, vis);
	struct rows_style st = {app->utf8, app->now, app->wall_offset};
	for (size_t i = 0; i < vis; i++) {
		int y = p->r.y + 2 + (int)i;
		size_t idx = p->lv.top + i;
		if (idx >= n) {
			draw_fill(y, p->r.x, p->r.w, THEME_DEFAULT);
			continue;
		}
		const struct model_conn *c = model_conn_at(app->model, rows[idx].conn);
		row_init(&row, sf);
		if (rows[idx].child < 0) {
			struct model_conn_status cs;
			model_conn_status_get(app->model, c, &cs);
			rows_conn(&row, c, &cs, conn_trapped(app, c), w, &st);
		} else {
			rows_conn_child(&row, &c->children[rows[idx].child],
			                (size_t)rows[idx].child + 1 == c->n_children, w, &st);
		}
		draw_row(y, p->r.x, p->r.w, &row, idx == p->lv.sel ? pane_sel_role(app, p) : -1);
	}
	if (n == 0 && vis > 0)
		draw_text(p->r.y + 2, p->r.x + 2, p->r.w - 2, THEME_DIM,
		          p->filter[0] ? "no connection matches the filter"
		                       : "no connections loaded");
	free(rows);
}

static unsigned conns_key(struct pane *p, struct app *app, int action, int ch)
{
	p->lv.count = conn_rows(app, p->filter, NULL, 0);
	unsigned f = listview_nav(&p->lv, action, pane_body_rows(p, true));
	if (f)
		return f;
	if (action == KA_INITIATE || action == KA_TERMINATE || action == KA_REKEY) {
		const struct model_conn *c;
		const struct model_conn_child *cc;
		if (!conn_row_at(app, p, p->lv.sel, &c, &cc)) {
			app_status(app, THEME_WARNING, 3, "no connection selected");
			return PANE_REDRAW_ALL;
		}
		app_act_conn(app, action, c, cc);
		return PANE_REDRAW_ALL;
	}
	return PANE_IGNORED;
}

static void list_resize(struct pane *p, struct rect r)
{
	p->r = r;
}

static void list_destroy(struct pane *p)
{
	(void)p;
}

const struct pane_ops pane_conns_ops = {
        .name = "connections",
        .draw = conns_draw,
        .key = conns_key,
        .resize = list_resize,
        .destroy = list_destroy,
};

/* Does the policy match the pane's filter (name, mode, selectors)? */
static bool pol_matches(const struct model_pol *pl, const char *f)
{
	size_t fl = strlen(f);
	if (!fl || model_str_icontains(pl->key, f, fl) || model_str_icontains(pl->mode, f, fl))
		return true;
	char buf[512];
	model_list_join(&pl->local_ts, ",", buf, sizeof(buf));
	if (model_str_icontains((struct model_str){buf, (uint32_t)strlen(buf)}, f, fl))
		return true;
	model_list_join(&pl->remote_ts, ",", buf, sizeof(buf));
	return model_str_icontains((struct model_str){buf, (uint32_t)strlen(buf)}, f, fl);
}

static size_t pol_rows(struct app *app, const char *filter, size_t *rows, size_t max)
{
	size_t n = 0, np = model_pol_count(app->model);
	for (size_t i = 0; i < np; i++) {
		if (!pol_matches(model_pol_at(app->model, i), filter))
			continue;
		if (rows && n < max)
			rows[n] = i;
		n++;
	}
	return n;
}

static void pols_draw(struct pane *p, struct app *app)
{
	struct model_counts mc;
	model_counts_get(app->model, &mc);
	char right[256];
	snprintf(right, sizeof(right), "%zu trap, %zu drop, %zu pass%s%s",
	         mc.pol_types[MODEL_POL_TRAP], mc.pol_types[MODEL_POL_DROP],
	         mc.pol_types[MODEL_POL_PASS], p->filter[0] ? "  filter: " : "", p->filter);
	draw_title(p->r, "3 policies", right, app->focus == PANE_POLS && !app->overlay, app->utf8);
	if (p->r.h < 2)
		return;
	unsigned w[PC_COUNT];
	pane_table_heading(p, pol_columns, PC_COUNT, w, app->utf8);
	struct row row;
	unsigned sf = app->utf8 ? 0 : SANITIZE_ASCII;
	size_t n = pol_rows(app, p->filter, NULL, 0);
	size_t *rows = xcalloc(n ? n : 1, sizeof(*rows));
	pol_rows(app, p->filter, rows, n);
	size_t vis = pane_body_rows(p, true);
	listview_clamp(&p->lv, n, vis);
	struct rows_style st = {app->utf8, app->now, app->wall_offset};
	for (size_t i = 0; i < vis; i++) {
		int y = p->r.y + 2 + (int)i;
		size_t idx = p->lv.top + i;
		if (idx >= n) {
			draw_fill(y, p->r.x, p->r.w, THEME_DEFAULT);
			continue;
		}
		row_init(&row, sf);
		rows_pol(&row, model_pol_at(app->model, rows[idx]), w, &st);
		draw_row(y, p->r.x, p->r.w, &row, idx == p->lv.sel ? pane_sel_role(app, p) : -1);
	}
	if (n == 0 && vis > 0)
		draw_text(p->r.y + 2, p->r.x + 2, p->r.w - 2, THEME_DIM,
		          p->filter[0] ? "no policy matches the filter" : "no policies installed");
	free(rows);
}

static unsigned pols_key(struct pane *p, struct app *app, int action, int ch)
{
	p->lv.count = pol_rows(app, p->filter, NULL, 0);
	unsigned f = listview_nav(&p->lv, action, pane_body_rows(p, true));
	if (f)
		return f;
	if (action == KA_INITIATE) {
		size_t n = p->lv.count;
		size_t *rows = xcalloc(n ? n : 1, sizeof(*rows));
		pol_rows(app, p->filter, rows, n);
		const struct model_pol *pl =
		        p->lv.sel < n ? model_pol_at(app->model, rows[p->lv.sel]) : NULL;
		free(rows);
		if (!pl || !pl->child.len) {
			app_status(app, THEME_WARNING, 3, "no policy selected");
			return PANE_REDRAW_ALL;
		}
		const struct model_conn *c =
		        pl->ike.len ? model_conn_find(app->model, pl->ike.s, pl->ike.len) : NULL;
		const struct model_conn_child *cc = NULL;
		for (size_t i = 0; c && i < c->n_children; i++)
			if (c->children[i].name.len == pl->child.len &&
			    !memcmp(c->children[i].name.s, pl->child.s, pl->child.len))
				cc = &c->children[i];
		if (!c || !cc) {
			app_status(app, THEME_WARNING, 3, "the policy's connection is not loaded");
			return PANE_REDRAW_ALL;
		}
		app_act_conn(app, action, c, cc);
		return PANE_REDRAW_ALL;
	}
	return PANE_IGNORED;
}

const struct pane_ops pane_pols_ops = {
        .name = "policies",
        .draw = pols_draw,
        .key = pols_key,
        .resize = list_resize,
        .destroy = list_destroy,
};

bool pane_conns_selected(struct app *app, struct pane *p, const struct model_conn **c,
                         const struct model_conn_child **ch)
{
	return conn_row_at(app, p, p->lv.sel, c, ch);
}

const struct model_pol *pane_pols_selected(struct app *app, struct pane *p)
{
	size_t n = pol_rows(app, p->filter, NULL, 0);
	if (p->lv.sel >= n)
		return NULL;
	size_t *rows = xcalloc(n, sizeof(*rows));
	pol_rows(app, p->filter, rows, n);
	const struct model_pol *pl = model_pol_at(app->model, rows[p->lv.sel]);
	free(rows);
	return pl;
}
