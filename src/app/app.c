/*
 * The application's own state, shared by its files: making and freeing it,
 * the status line, what a pane may see, the layout of the panes and
 * overlays, filters and the theme. Everything else in app/ builds on this
 * file; it calls none of them.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/feed.h"
#include "app/insight.h"
#include "ui/cmdline.h"
#include "ui/keys.h"
#include "ui/lineedit.h"
#include "ui/overlay.h"
#include "ui/theme_curses.h"
#include "util/sanitize.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

void app_status(struct app *app, int role, int seconds, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[sizeof(app->status.text)];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	status_set(&app->status, vici_now_ms(), role, seconds, "%s", buf);
	app->redraw_all = true;
}

void app_pane_ctx(const struct app *app, const struct pane *p, struct pane_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->model = app->model;
	c->utf8 = app->utf8;
	c->focused = p == &app->overlay_pane ||
	             (app->overlay == OVERLAY_NONE && p == &app->panes[app->focus]);
	c->connected = app->feed && feed_connected(app->feed);
	c->have_data = app->feed && feed_last_data(app->feed) != 0;
	c->counters_ms = app->cfg.interval_ms;
	c->now = app->now;
	c->wall_offset = app->wall_offset;
	c->diag = insight_diag(app->insight);
	c->hist = insight_hist(app->insight);
	c->marks = &app->marks;
}

enum layout_slot app_slot_of(enum pane_id id)
{
	if (id == PANE_EVENTS)
		return LS_EVENTS;
	if (id == PANE_LOG)
		return LS_LOG;
	return LS_MAIN;
}

void app_relayout(struct app *app)
{
	layout_compute(&app->layout, app->rows, app->cols, app->zoom);
	for (int i = 0; i < PANE_COUNT; i++) {
		struct rect r = app->layout.slot[app_slot_of((enum pane_id)i)];
		if (i <= PANE_POLS && (enum pane_id)i != app->main_pane)
			r.h = 0;
		pane_resize(&app->panes[i], r);
	}
	/* Overlays cover the whole body (below the header also when another
	 * pane is maximised and the main slot is empty). */
	struct rect body = app->layout.slot[LS_MAIN];
	body.y = app->layout.slot[LS_HEADER].h;
	int bottom = app->layout.slot[LS_STATUS].y;
	body.h = bottom - body.y;
	body.w = app->cols;
	body.x = 0;
	pane_resize(&app->overlay_pane, body);
	app->redraw_all = true;
}

void app_focus_pane(struct app *app, enum pane_id id)
{
	if (app->overlay != OVERLAY_NONE)
		overlay_closed(&app->overlay_pane);
	app->overlay = OVERLAY_NONE;
	if (id <= PANE_POLS)
		app->main_pane = id;
	app->focus = id;
	if (app->zoom >= 0)
		app->zoom = app_slot_of(id);
	app_relayout(app);
	/* Not visible (short terminal): show it maximised. */
	if (app->panes[id].r.h == 0) {
		app->zoom = app_slot_of(id);
		app_relayout(app);
	}
}

void app_help_open(struct app *app)
{
	overlay_help_open(&app->overlay_pane, &app->theme, app->utf8, app->cfg.readonly,
	                  insight_hist(app->insight), app->keymap);
	app->overlay = OVERLAY_HELP;
}

void app_filter_help_open(struct app *app)
{
	overlay_filter_help_open(&app->overlay_pane);
	app->overlay = OVERLAY_HELP;
}

bool app_detail_open(struct app *app)
{
	struct pane *p = &app->panes[app->focus];
	struct pane_ctx c;
	struct detail_subject s;
	app_pane_ctx(app, p, &c);
	if (!pane_detail(p, &c, &s)) {
		bool gone = app->focus == PANE_SAS && model_view_gone(app->sa_view, NULL, NULL);
		app_status(app, THEME_WARNING, 3, "%s",
		           gone ? "the selected SA is gone" : "nothing selected");
		return false;
	}
	overlay_detail_open(&app->overlay_pane, &s);
	app->overlay = OVERLAY_DETAIL;
	return true;
}

/* The status line's word for a filter's error (to take it away again). */
#define FILTER_ERR_PREFIX "filter: "

void app_set_filter(struct app *app, const char *text)
{
	struct pane *fp = &app->panes[app->focus];
	snprintf(fp->filter, sizeof(fp->filter), "%s", text);
	if (pane_filter_changed(fp) < 0)
		app_status(app, THEME_ERROR, 8, FILTER_ERR_PREFIX "%s", fp->filter_err);
	else if (!strncmp(app->status.text, FILTER_ERR_PREFIX, strlen(FILTER_ERR_PREFIX)))
		app->status.until = 0; /* fixed: the error goes */
}

/* Colour pairs (or, on a monochrome terminal or with a mono theme, only the
 * attributes, which carry every state) for the current theme. */
void app_theme_apply(struct app *app)
{
	app->has_color = theme_curses_apply(&app->theme) == 0 && !app->theme.mono;
}

struct app *app_create(const struct app_config *cfg)
{
	struct app *app = xcalloc(1, sizeof(*app));
	app->cfg = *cfg;
	app->utf8 = sanitize_locale_is_utf8();
	app->model = model_new(NULL);
	app->sa_view = model_view_new(app->model);
	app->zoom = -1;
	app->main_pane = app->focus = PANE_SAS;
	app->insight = insight_new(cfg->db, vici_now_ms());
	struct pane_init in = {app->model, app->sa_view, insight_hist(app->insight)};
	static const struct pane_ops *const kinds[PANE_COUNT] = {
	        [PANE_SAS] = &pane_sas_ops,   [PANE_CONNS] = &pane_conns_ops,
	        [PANE_POLS] = &pane_pols_ops, [PANE_EVENTS] = &pane_events_ops,
	        [PANE_LOG] = &pane_log_ops,
	};
	for (int i = 0; i < PANE_COUNT; i++)
		pane_init(&app->panes[i], kinds[i], &in);
	pane_init(&app->overlay_pane, &pane_text_ops, &in);
	app->le = lineedit_new(500);
	app->keymap = keymap_new();
	monitor_options_init(&app->opts);
	app->click.pane = -1;
	return app;
}

void app_destroy(struct app *app)
{
	for (int i = 0; i < PANE_COUNT; i++)
		pane_destroy(&app->panes[i]);
	pane_destroy(&app->overlay_pane);
	lineedit_free(app->le);
	if (app->history)
		cmdline_history_close(app->history);
	model_view_free(app->sa_view);
	insight_free(app->insight);
	model_free(app->model);
	keymap_free(app->keymap);
	monitor_options_free(&app->opts);
	free(app);
}
