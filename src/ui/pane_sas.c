/*
 * The SA tree: IKE SAs with their CHILD SAs, from the model's view (which
 * keeps the selection on the same SA while rows move, appear and vanish).
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "ui/draw.h"
#include "ui/keys.h"
#include "model/model.h"
#include "ui/panes.h"
#include "ui/rows.h"
#include "util/sanitize.h"
#include "vici/vici.h"

static struct model_view *view_of(struct pane *p)
{
	return p->priv;
}

static const char *const sort_names[MODEL_SORT_COUNT] = {
        [MODEL_SORT_NAME] = "name",     [MODEL_SORT_STATE] = "state", [MODEL_SORT_UNIQUEID] = "id",
        [MODEL_SORT_REMOTE] = "remote", [MODEL_SORT_BYTES] = "bytes", [MODEL_SORT_RATE] = "rate",
};

static void sas_draw(struct pane *p, struct app *app)
{
	struct model_view *v = view_of(p);
	model_view_refresh(v);
	size_t n = model_view_count(v);
	struct model_counts mc;
	model_counts_get(app->model, &mc);
	char right[256], stale[48] = "";
	bool away = app->mon.state != VICI_SESSION_UP && app->last_data;
	/* SAs the last sweep did not list (busy in charon, or gone) carry a
	 * "?" after their state until the next sweeps settle it. */
	if (mc.stale)
		snprintf(stale, sizeof(stale), "  %zu unconfirmed (?)", mc.stale);
	snprintf(right, sizeof(right), "%s%zu IKE, %zu CHILD  sort: %s%s%s%s%s",
	         away ? "STALE: " : "", mc.ikes, mc.children, sort_names[p->sort],
	         p->sort_desc ? " (desc)" : "", p->filter[0] ? "  filter: " : "", p->filter, stale);
	bool focused = app->focus == PANE_SAS && app->overlay == OVERLAY_NONE;
	draw_title(p->r, "1 SAs", right, focused, app->utf8);
	if (p->r.h < 2)
		return;
	unsigned w[SAC_COUNT];
	pane_table_heading(p, sa_columns, SAC_COUNT, w, app->utf8);
	struct row row;
	size_t vis = pane_body_rows(p, true);
	size_t sel = model_view_selected(v);
	p->lv.sel = sel == MODEL_VIEW_NONE ? 0 : sel;
	listview_clamp(&p->lv, n, vis);
	struct rows_style st = {app->utf8, app->now, app->wall_offset};
	for (size_t i = 0; i < vis; i++) {
		int y = p->r.y + 2 + (int)i;
		size_t idx = p->lv.top + i;
		if (idx >= n) {
			draw_fill(y, p->r.x, p->r.w, THEME_DEFAULT);
			continue;
		}
		row_init(&row, app->utf8 ? 0 : SANITIZE_ASCII);
		rows_sa(&row, model_view_row(v, idx), w, &st);
		draw_row(y, p->r.x, p->r.w, &row, idx == sel ? pane_sel_role(app, p) : -1);
	}
	if (n == 0 && vis > 0) {
		const char *msg = p->filter[0] ? "no SA matches the filter"
		                  : app->mon.state == VICI_SESSION_UP
		                          ? "no SAs (press 2 for connections, i to initiate one)"
		                          : "no data yet";
		draw_text(p->r.y + 2, p->r.x + 2, p->r.w - 2, THEME_DIM, msg);
	}
}

static unsigned sas_key(struct pane *p, struct app *app, int action, int ch)
{
	struct model_view *v = view_of(p);
	model_view_refresh(v);
	size_t vis = pane_body_rows(p, true);
	size_t page = vis > 1 ? vis - 1 : 1;
	size_t n = model_view_count(v);
	size_t sel = model_view_selected(v);
	const struct model_row *row = sel == MODEL_VIEW_NONE ? NULL : model_view_row(v, sel);
	switch (action) {
	case KA_UP:
		model_view_move(v, -1);
		return PANE_REDRAW;
	case KA_DOWN:
		model_view_move(v, 1);
		return PANE_REDRAW;
	case KA_PGUP:
		model_view_move(v, -(long)page);
		return PANE_REDRAW;
	case KA_PGDN:
		model_view_move(v, (long)page);
		return PANE_REDRAW;
	case KA_HOME:
		if (n)
			model_view_select(v, 0);
		return PANE_REDRAW;
	case KA_END:
		if (n)
			model_view_select(v, n - 1);
		return PANE_REDRAW;
	case KA_FOLD:
		if (!row)
			return PANE_HANDLED;
		if (row->kind == MODEL_ROW_CHILD) {
			struct model_sel s = {row->ike->uniqueid, 0};
			model_view_select_id(v, s);
		} else {
			model_view_set_fold(v, row->ike->uniqueid, true);
		}
		return PANE_REDRAW;
	case KA_UNFOLD:
		if (row)
			model_view_set_fold(v, row->ike->uniqueid, false);
		return PANE_REDRAW;
	case KA_TOGGLE:
		if (row) {
			if (row->kind == MODEL_ROW_CHILD) {
				struct model_sel s = {row->ike->uniqueid, 0};
				model_view_select_id(v, s);
				model_view_set_fold(v, row->ike->uniqueid, true);
			} else {
				model_view_set_fold(v, row->ike->uniqueid, !row->ike->folded);
			}
		}
		return PANE_REDRAW;
	case KA_SORT:
		p->sort = (p->sort + 1) % MODEL_SORT_COUNT;
		/* Biggest first is what one wants for bytes and rates. */
		p->sort_desc = p->sort == MODEL_SORT_BYTES || p->sort == MODEL_SORT_RATE;
		model_view_set_sort(v, (enum model_sort)p->sort, p->sort_desc);
		return PANE_REDRAW;
	case KA_SORT_REVERSE:
		p->sort_desc = !p->sort_desc;
		model_view_set_sort(v, (enum model_sort)p->sort, p->sort_desc);
		return PANE_REDRAW;
	case KA_FOLD_ALL:
		model_view_fold_all(v, true);
		return PANE_REDRAW;
	case KA_UNFOLD_ALL:
		model_view_fold_all(v, false);
		return PANE_REDRAW;
	case KA_INITIATE:
	case KA_TERMINATE:
	case KA_REKEY:
		if (!row) {
			app_status(app, THEME_WARNING, 3, "no SA selected");
			return PANE_REDRAW_ALL;
		}
		app_act_sa(app, action, row->ike, row->child);
		return PANE_REDRAW_ALL;
	default:
		return PANE_IGNORED;
	}
}

static void sas_resize(struct pane *p, struct rect r)
{
	p->r = r;
}

static void sas_destroy(struct pane *p)
{
	model_view_free(view_of(p));
	p->priv = NULL;
}

const struct pane_ops pane_sas_ops = {
        .name = "SAs",
        .draw = sas_draw,
        .key = sas_key,
        .resize = sas_resize,
        .destroy = sas_destroy,
};
