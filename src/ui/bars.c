/*
 * The bars around the panes: the two header lines (daemon, SA totals,
 * workers, the state of the monitor's VICI connections, the age of the
 * data), the status line (running actions, messages, the command line or
 * filter being typed, confirmation questions) and the hint bar generated
 * from the key table.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include "ui/bars.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "ui/cmdline.h"
#include "ui/draw.h"
#include "ui/keys.h"
#include "ui/lineedit.h"
#include "model/model.h"
#include "util/sanitize.h"
#include "ui/theme.h"
#include "vici/vici.h"

void bars_draw_header(struct app *app)
{
	struct rect r = app->layout.slot[LS_HEADER];
	const struct model_version *v = model_version_get(app->model);
	const struct model_stats *s = model_stats_get(app->model);
	char buf[1024], tmp[256];
	draw_fill(r.y, 0, r.w, THEME_HEADER);
	int x = 0;
	x += draw_text(r.y, x, r.w - x, THEME_HEADER, " swantop ");
	if (v->valid) {
		char *d = sanitize_dup(v->daemon.s, v->daemon.len, app->utf8 ? 0 : SANITIZE_ASCII);
		char *ver =
		        sanitize_dup(v->version.s, v->version.len, app->utf8 ? 0 : SANITIZE_ASCII);
		char *host =
		        sanitize_dup(v->sysname.s, v->sysname.len, app->utf8 ? 0 : SANITIZE_ASCII);
		snprintf(buf, sizeof(buf), "%s %s (%s)", d, ver, host);
		free(d), free(ver), free(host);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER_VALUE, buf);
	} else {
		x += draw_text(r.y, x, r.w - x, THEME_HEADER, "charon ?");
	}
	if (s->valid) {
		char *up =
		        sanitize_dup(s->running.s, s->running.len, app->utf8 ? 0 : SANITIZE_ASCII);
		snprintf(buf, sizeof(buf), "  up %s", up);
		free(up);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER, buf);
		snprintf(buf, sizeof(buf), "  IKE %lld", (long long)s->ikesas_total);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER_VALUE, buf);
		struct model_counts mc;
		model_counts_get(app->model, &mc);
		snprintf(buf, sizeof(buf), " (%zu up, %lld half-open)",
		         mc.ike_states[MODEL_IKE_ESTABLISHED], (long long)s->ikesas_half_open);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER, buf);
		long long active = 0, queued = 0;
		for (int i = 0; i < MODEL_PRIO_COUNT; i++)
			active += s->workers_active[i], queued += s->queues[i];
		snprintf(buf, sizeof(buf), "  workers %lld/%lld busy  queued %lld  sched %lld",
		         active, (long long)s->workers_total, queued, (long long)s->scheduled);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER, buf);
	}
	if (r.h < 2)
		return;
	/* Line 2: connections to charon, data age, mode. */
	int y = r.y + 1;
	draw_fill(y, 0, r.w, THEME_HEADER);
	x = 1;
	const struct app_link *links[] = {&app->mon, &app->lis};
	for (int i = 0; i < 2; i++) {
		const struct app_link *l = links[i];
		int role = l->state == VICI_SESSION_UP           ? THEME_STATUS_OK
		           : l->state == VICI_SESSION_CONNECTING ? THEME_STATUS_WARN
		                                                 : THEME_STATUS_ERROR;
		enum theme_role g = l->state == VICI_SESSION_UP           ? THEME_STATE_UP
		                    : l->state == VICI_SESSION_CONNECTING ? THEME_CONNECTING
		                                                          : THEME_STATE_DOWN;
		snprintf(buf, sizeof(buf), "%s %s %s  ", l->role,
		         theme_glyph(&app->theme, g, app->utf8),
		         vici_session_state_name((enum vici_session_state)l->state));
		x += draw_text(y, x, r.w - x, role, buf);
	}
	/* Control connections exist only while actions run: one each. */
	size_t running;
	app_action_running(app, &running);
	if (running) {
		snprintf(buf, sizeof(buf), "control %s %zu running  ",
		         theme_glyph(&app->theme, THEME_CONNECTING, app->utf8), running);
		x += draw_text(y, x, r.w - x, THEME_STATUS_WARN, buf);
	}
	if (app->alert_state[0])
		x += draw_text(y, x, r.w - x, THEME_HEADER, app->alert_state);
	if (app->mon.state != VICI_SESSION_UP) {
		/* Most important first: the line is cut on narrow terminals. */
		if (app->last_data)
			x += draw_text(y, x, r.w - x, THEME_STALE, "STALE  ");
		int64_t at = vici_session_retry_at(app->mon.sess);
		if (at >= 0) {
			snprintf(tmp, sizeof(tmp), "retry in %lld s  ",
			         (long long)((at - app->now + 999) / 1000));
			x += draw_text(y, x, r.w - x, THEME_STATUS_WARN, tmp);
		}
		x += draw_text(y, x, r.w - x, THEME_STATUS_ERROR,
		               app->mon.error[0] ? app->mon.error : "connecting");
	} else if (app->last_data) {
		snprintf(buf, sizeof(buf), "  data %.1f s old",
		         (double)(app->now - app->last_data) / 1000.0);
		x += draw_text(y, x, r.w - x,
		               app->now - app->last_data > 3 * app->cfg.interval_ms + 2000
		                       ? THEME_STALE
		                       : THEME_HEADER,
		               buf);
	} else {
		x += draw_text(y, x, r.w - x, THEME_STATUS_WARN,
		               "  waiting for the first list-sas");
	}
	if (app->cfg.readonly)
		x += draw_text(y, x, r.w - x, THEME_WARNING, "  READ-ONLY");
	(void)x;
}

void bars_draw_input(struct app *app, int y, int w, const char *prompt)
{
	draw_fill(y, 0, w, THEME_CMDLINE); /* the status message goes away */
	int x = draw_text(y, 0, w, THEME_PROMPT, prompt);
	struct lineedit_view lv;
	lineedit_view(app->le, (size_t)(w - x > 1 ? w - x - 1 : 1), &lv);
	char buf[CMDLINE_MAX + 8];
	size_t n = lv.len < sizeof(buf) - 1 ? lv.len : sizeof(buf) - 1;
	memcpy(buf, lv.text, n);
	buf[n] = '\0';
	draw_text(y, x, w - x, THEME_CMDLINE, buf);
	curs_set(1);
	move(y, x + (int)lv.cursor_col);
}

void bars_draw_status(struct app *app)
{
	struct rect r = app->layout.slot[LS_STATUS];
	draw_fill(r.y, 0, r.w, THEME_DEFAULT);
	curs_set(0);
	if (app->input == INPUT_CONFIRM) {
		draw_text(r.y, 0, r.w, THEME_PROMPT, app->confirm_question);
		return;
	}
	size_t running;
	const struct action *a = app_action_running(app, &running);
	char buf[768];
	int x = 0;
	if (a) {
		const char *verb = a->kind == ACTION_INITIATE    ? "initiating"
		                   : a->kind == ACTION_TERMINATE ? "terminating"
		                                                 : "running";
		const char *name = strchr(a->label, ' ');
		snprintf(buf, sizeof(buf), "%s %s%s %lld s%s ", verb,
		         name && a->kind <= ACTION_TERMINATE ? name + 1 : a->label,
		         app->utf8 ? "\u2026" : "...", (long long)((app->now - a->started) / 1000),
		         running > 1 ? " (+more)" : "");
		x += draw_text(r.y, x, r.w, THEME_EVENT_CONTROL, buf);
	}
	if (app->status[0] && app->now < app->status_until)
		draw_text(r.y, x, r.w - x, app->status_role, app->status);
	else if (!a && app->mon.state == VICI_SESSION_DOWN && app->mon.error[0])
		draw_text(r.y, x, r.w - x, THEME_STATUS_ERROR, app->mon.error);
}

void bars_draw_hint(struct app *app)
{
	struct rect r = app->layout.slot[LS_HINT];
	if (r.h == 0)
		return;
	draw_fill(r.y, 0, r.w, THEME_HINT_TEXT);
	if (app->input == INPUT_CMDLINE && app->completions[0]) {
		draw_text(r.y, 0, r.w, THEME_HINT_TEXT, app->completions);
		return;
	}
	if (app->input == INPUT_CMDLINE || app->input == INPUT_FILTER) {
		draw_text(r.y, 0, r.w, THEME_HINT_TEXT,
		          app->input == INPUT_CMDLINE
		                  ? " Enter run  Tab complete  Up/Down history  Esc cancel"
		                  : " type to filter (live)  Enter keep  Esc clear");
		return;
	}
	unsigned ctx = app->overlay == OVERLAY_HELP     ? KC_HELP
	               : app->overlay == OVERLAY_DETAIL ? KC_DETAIL
	                                                : 1u << app->focus;
	char hint[512];
	keys_hint(ctx, app->cfg.readonly, hint, sizeof(hint), (size_t)r.w);
	/* "key word  key word": keys in their own role. */
	int x = 0;
	char *save, *item = strtok_r(hint, " ", &save);
	bool key = true;
	while (item && x < r.w) {
		x += draw_text(r.y, x, r.w - x, key ? THEME_HINT_KEY : THEME_HINT_TEXT, item);
		/* Separators are blanks: cut at the edge, never an ellipsis. */
		int sep = key ? 1 : 2;
		if (sep > r.w - x)
			sep = r.w - x;
		draw_fill(r.y, x, sep, THEME_HINT_TEXT);
		x += sep;
		key = !key;
		item = strtok_r(NULL, " ", &save);
	}
	if (app->cfg.readonly && x + 10 < r.w)
		draw_text(r.y, r.w - 10, 10, THEME_WARNING, "read-only");
}
