/*
 * The bars around the panes (see bars.h).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include "ui/bars.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/cmdline.h"
#include "ui/draw.h"
#include "ui/keys.h"
#include "ui/lineedit.h"
#include "ui/rows.h"
#include "util/sanitize.h"
#include "vici/vici.h"

void status_set(struct status *s, int64_t now, int role, int seconds, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->text, sizeof(s->text), fmt, ap);
	va_end(ap);
	s->role = role;
	s->until = now + seconds * 1000;
}

bool status_shown(const struct status *s, int64_t now)
{
	return s->text[0] && now < s->until;
}

void bars_period(char *buf, size_t size, int64_t ms)
{
	if (ms < 10000)
		snprintf(buf, size, "%.1fs", (double)ms / 1000.0);
	else
		fmt_duration(buf, size, (ms + 500) / 1000);
}

static char *safe(const struct bars_info *b, struct model_str s)
{
	return sanitize_dup(s.s, s.len, b->utf8 ? 0 : SANITIZE_ASCII);
}

/* Line 1: the daemon and its figures. Those are charon's own (stats) only
 * while the monitor link is up and answered; otherwise they would be the
 * figures of a daemon that may be gone, shown as if current, so the line
 * then gives the counts of the SAs kept from the last data, the same the
 * panes show, marked as last seen. */
static void header_line1(const struct bars_info *b, struct rect r)
{
	const struct model_version *v = model_version_get(b->model);
	const struct model_stats *s = model_stats_get(b->model);
	const struct bars_link *mon = &b->links[0];
	bool live = mon->state == VICI_SESSION_UP && mon->answered;
	char buf[1024];
	draw_fill(r.y, 0, r.w, THEME_HEADER);
	int x = 0;
	x += draw_text(r.y, x, r.w - x, THEME_HEADER, " swantop ");
	if (v->valid) {
		char *d = safe(b, v->daemon), *ver = safe(b, v->version),
		     *host = safe(b, v->sysname);
		snprintf(buf, sizeof(buf), "%s %s (%s)", d, ver, host);
		free(d), free(ver), free(host);
		x += draw_text(r.y, x, r.w - x, live ? THEME_HEADER_VALUE : THEME_HEADER, buf);
	} else {
		x += draw_text(r.y, x, r.w - x, THEME_HEADER, "charon ?");
	}
	struct model_counts mc;
	model_counts_get(b->model, &mc);
	if (!live) {
		if (!s->valid && !b->last_data)
			return; /* never had any: nothing to recall */
		snprintf(buf, sizeof(buf), "  last seen: IKE %zu (%zu up), CHILD %zu", mc.ikes,
		         mc.ike_states[MODEL_IKE_ESTABLISHED], mc.children);
		draw_text(r.y, x, r.w - x, THEME_STALE, buf);
		return;
	}
	if (!s->valid)
		return;
	char *up = safe(b, s->running);
	snprintf(buf, sizeof(buf), "  up %s", up);
	free(up);
	x += draw_text(r.y, x, r.w - x, THEME_HEADER, buf);
	snprintf(buf, sizeof(buf), "  IKE %lld", (long long)s->ikesas_total);
	x += draw_text(r.y, x, r.w - x, THEME_HEADER_VALUE, buf);
	snprintf(buf, sizeof(buf), " (%zu up, %lld half-open)",
	         mc.ike_states[MODEL_IKE_ESTABLISHED], (long long)s->ikesas_half_open);
	x += draw_text(r.y, x, r.w - x, THEME_HEADER, buf);
	long long active = 0, queued = 0;
	for (int i = 0; i < MODEL_PRIO_COUNT; i++)
		active += s->workers_active[i], queued += s->queues[i];
	snprintf(buf, sizeof(buf), "  workers %lld/%lld busy  queued %lld  sched %lld", active,
	         (long long)s->workers_total, queued, (long long)s->scheduled);
	draw_text(r.y, x, r.w - x, THEME_HEADER, buf);
}

/* Line 2: connections to charon, data age, mode. */
static void header_line2(const struct bars_info *b, int y, int w)
{
	char buf[1024];
	draw_fill(y, 0, w, THEME_HEADER);
	int x = 1;
	for (int i = 0; i < 2; i++) {
		const struct bars_link *l = &b->links[i];
		/* Up only once charon answered on it: a socket that accepts
		 * but never answers is "waiting", not up. */
		bool up = l->state == VICI_SESSION_UP && l->answered;
		bool waiting = l->state == VICI_SESSION_UP && !l->answered;
		int role = up                                               ? THEME_STATUS_OK
		           : waiting || l->state == VICI_SESSION_CONNECTING ? THEME_STATUS_WARN
		                                                            : THEME_STATUS_ERROR;
		enum theme_role g = up ? THEME_STATE_UP
		                    : waiting || l->state == VICI_SESSION_CONNECTING
		                            ? THEME_CONNECTING
		                            : THEME_STATE_DOWN;
		snprintf(buf, sizeof(buf), "%s %s %s  ", l->role, theme_glyph(b->theme, g, b->utf8),
		         waiting ? "waiting"
		                 : vici_session_state_name((enum vici_session_state)l->state));
		x += draw_text(y, x, w - x, role, buf);
	}
	/* Control connections exist only while actions run: one each. */
	if (b->running) {
		snprintf(buf, sizeof(buf), "control %s %zu running  ",
		         theme_glyph(b->theme, THEME_CONNECTING, b->utf8), b->running);
		x += draw_text(y, x, w - x, THEME_STATUS_WARN, buf);
	}
	if (b->alert_state && b->alert_state[0]) {
		snprintf(buf, sizeof(buf), "%s  ", b->alert_state);
		x += draw_text(y, x, w - x, THEME_HEADER, buf);
	}
	const struct bars_link *mon = &b->links[0];
	if (mon->state != VICI_SESSION_UP) {
		/* Most important first: the line is cut on narrow terminals. */
		if (b->last_data)
			x += draw_text(y, x, w - x, THEME_STALE, "STALE  ");
		if (b->retry_at >= 0) {
			snprintf(buf, sizeof(buf), "retry in %lld s  ",
			         (long long)((b->retry_at - b->now + 999) / 1000));
			x += draw_text(y, x, w - x, THEME_STATUS_WARN, buf);
		}
		x += draw_text(y, x, w - x, THEME_STATUS_ERROR,
		               mon->error && mon->error[0] ? mon->error : "connecting");
	} else if (b->last_data) {
		snprintf(buf, sizeof(buf), "data %.1f s old",
		         (double)(b->now - b->last_data) / 1000.0);
		x += draw_text(y, x, w - x,
		               b->now - b->last_data > b->stale_after_ms ? THEME_STALE
		                                                         : THEME_HEADER,
		               buf);
		if (b->period_visible > 0) {
			char vis[32], all[32];
			bars_period(vis, sizeof(vis), b->period_visible);
			bars_period(all, sizeof(all), b->period_sweep);
			snprintf(buf, sizeof(buf),
			         "  counters every %s, all SAs %s (charon %.1f ms/s)", vis, all,
			         b->load);
			x += draw_text(y, x, w - x, THEME_HEADER, buf);
		}
	} else {
		x += draw_text(y, x, w - x, THEME_STATUS_WARN, "waiting for the first list-sas");
	}
	if (b->readonly)
		draw_text(y, x, w - x, THEME_WARNING, "  READ-ONLY");
}

static void draw_header(const struct bars_info *b)
{
	struct rect r = b->layout->slot[LS_HEADER];
	header_line1(b, r);
	if (r.h >= 2)
		header_line2(b, r.y + 1, r.w);
}

static void draw_input(const struct bars_info *b, int y, int w, const char *prompt)
{
	draw_fill(y, 0, w, THEME_CMDLINE); /* the status message goes away */
	int x = draw_text(y, 0, w, THEME_PROMPT, prompt);
	struct lineedit_view lv;
	lineedit_view(b->le, (size_t)(w - x > 1 ? w - x - 1 : 1), &lv);
	char buf[CMDLINE_MAX + 8];
	size_t n = lv.len < sizeof(buf) - 1 ? lv.len : sizeof(buf) - 1;
	memcpy(buf, lv.text, n);
	buf[n] = '\0';
	draw_text(y, x, w - x, THEME_CMDLINE, buf);
	curs_set(1);
	move(y, x + (int)lv.cursor_col);
}

static void draw_status(const struct bars_info *b)
{
	struct rect r = b->layout->slot[LS_STATUS];
	draw_fill(r.y, 0, r.w, THEME_DEFAULT);
	curs_set(0);
	if (b->input == INPUT_CONFIRM) {
		draw_text(r.y, 0, r.w, THEME_PROMPT, b->question);
		return;
	}
	char buf[768];
	int x = 0;
	if (b->running) {
		const struct verb_def *d = verb_get(b->running_verb);
		/* "initiating dead-lan… 12 s": the label without its verb */
		const char *name = strchr(b->running_label, ' ');
		snprintf(buf, sizeof(buf), "%s %s%s %lld s%s ", d ? d->doing : "running",
		         name ? name + 1 : b->running_label, b->utf8 ? "\u2026" : "...",
		         (long long)((b->now - b->running_started) / 1000),
		         b->running > 1 ? " (+more)" : "");
		x += draw_text(r.y, x, r.w, THEME_EVENT_CONTROL, buf);
	}
	const struct bars_link *mon = &b->links[0];
	if (status_shown(b->status, b->now))
		draw_text(r.y, x, r.w - x, b->status->role, b->status->text);
	else if (!b->running && mon->state == VICI_SESSION_DOWN && mon->error && mon->error[0])
		draw_text(r.y, x, r.w - x, THEME_STATUS_ERROR, mon->error);
	if (b->input == INPUT_CMDLINE)
		draw_input(b, r.y, r.w, ":");
	else if (b->input == INPUT_FILTER)
		draw_input(b, r.y, r.w, "/");
}

static void draw_hint(const struct bars_info *b)
{
	struct rect r = b->layout->slot[LS_HINT];
	if (r.h == 0)
		return;
	draw_fill(r.y, 0, r.w, THEME_HINT_TEXT);
	if (b->input == INPUT_CMDLINE && b->completions && b->completions[0]) {
		draw_text(r.y, 0, r.w, THEME_HINT_TEXT, b->completions);
		return;
	}
	/* while a filter is typed the status line holds it: what is wrong
	 * with it shows here */
	if (b->input == INPUT_FILTER && status_shown(b->status, b->now)) {
		draw_text(r.y, 0, r.w, b->status->role, b->status->text);
		return;
	}
	if (b->input == INPUT_CMDLINE || b->input == INPUT_FILTER) {
		draw_text(r.y, 0, r.w, THEME_HINT_TEXT,
		          b->input == INPUT_CMDLINE
		                  ? " Enter run  Tab complete  Up/Down history  Esc cancel"
		                  : " type to filter (live)  Enter keep  Esc clear");
		return;
	}
	char hint[512];
	keys_hint(b->hint_ctx, b->readonly, hint, sizeof(hint), (size_t)r.w);
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
	if (b->readonly && x + 10 < r.w)
		draw_text(r.y, r.w - 10, 10, THEME_WARNING, "read-only");
}

void bars_draw(const struct bars_info *b)
{
	draw_header(b);
	draw_hint(b);
	draw_status(b);
}
