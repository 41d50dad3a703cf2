/*
 * The monitor's connections to charon: the feed (feed.h: the monitor and
 * listener sessions, the budgeted refresh policy, restart detection) wired
 * to the application. The app tells the feed what is on screen (the SA
 * pane's window and selection, or the SA an open detail view shows); the
 * feed tells the app when the header must be redrawn and what to put on the
 * status line; the header shows the feed's links and periods.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/feed.h"
#include "ui/overlay.h"
#include "ui/theme.h"
#include "vici/vici.h"

/* What the operator sees of the SAs: their counters are what the feed keeps
 * fresh first. */
static size_t window(void *ctx, uint32_t *ids, size_t max, uint32_t *selected, uint32_t *detail)
{
	struct app *app = ctx;
	uint32_t d;
	*selected = *detail = 0;
	if (app->overlay == OVERLAY_DETAIL && overlay_detail_ike(&app->overlay_pane, &d))
		*selected = *detail = d;
	if (app->main_pane != PANE_SAS || app->overlay != OVERLAY_NONE)
		return 0;
	size_t n = model_view_window_ikes(app->sa_view, ids, max);
	if (!*selected)
		*selected = model_view_selection(app->sa_view).ike_id;
	return n;
}

static void on_change(void *ctx)
{
	struct app *app = ctx;
	app->redraw_all = true;
}

static void on_problem(void *ctx, const char *text)
{
	app_status(ctx, THEME_WARNING, 8, "%s", text);
}

void app_sessions_start(struct app *app)
{
	struct feed_config c = {
	        .uri = app->cfg.uri,
	        .model = app->model,
	        .interval_ms = app->cfg.interval_ms,
	        .budget = app->cfg.budget,
	        .window = window,
	        .on_change = on_change,
	        .on_problem = on_problem,
	        .ctx = app,
	};
	app->feed = feed_new(&c);
}

void app_sessions_stop(struct app *app)
{
	feed_free(app->feed);
	app->feed = NULL;
}

size_t app_sessions_pollfds(struct app *app, struct pollfd *fds, void **tags, size_t max)
{
	return feed_pollfds(app->feed, fds, tags, max);
}

bool app_sessions_handle(struct app *app, void *tag, short revents)
{
	return feed_handle(app->feed, tag, revents);
}

void app_sessions_tick(struct app *app)
{
	feed_tick(app->feed, app->now);
}

int64_t app_sessions_deadline(const struct app *app)
{
	return feed_deadline(app->feed);
}

void app_refresh_all(struct app *app)
{
	if (app->feed)
		feed_refresh_all(app->feed);
}

void app_refresh_sas(struct app *app)
{
	if (app->feed)
		feed_refresh_sas(app->feed);
}

void app_sessions_bars(const struct app *app, struct bars_info *b)
{
	for (int i = 0; i < 2; i++) {
		const struct feed_link *l = feed_link(app->feed, i ? FEED_LISTENER : FEED_MONITOR);
		b->links[i] = (struct bars_link){l->role, l->state, l->answered, l->error};
	}
	b->retry_at = feed_retry_at(app->feed);
	/* The age of the last answer: the header's stats come at least every
	 * 10 s; one late by more than a request's timeout is stale. */
	b->last_data = feed_last_answer(app->feed);
	const struct refresh_periods *p = feed_periods(app->feed);
	b->stale_after_ms = 2 * p->stats + 15000;
	b->alert_state = feed_alert_state(app->feed);
	b->period_visible = p->visible;
	b->period_sweep = p->sweep;
	b->load = p->load;
}
