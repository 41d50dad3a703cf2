/*
 * The monitor's own VICI connections and its refresh policy.
 *
 * Two long-lived sessions: "monitor" for queries (list-sas always with
 * noblock, list-conns, list-policies, stats, version) and "listener" for the
 * events (ike-updown, child-updown, ike-rekey, child-rekey, ike-update, log,
 * and alert where the daemon has it). Queries go on their own connection so
 * that a slow list never delays an event, and events never sit behind a
 * query in charon's per-connection queue.
 *
 * Events drive the SA state; polling only refreshes counters and catches
 * what events cannot tell. Each interval: stats, plus either a full sweep
 * (few SAs, or most of them on screen) or targeted list-sas ike-id=N for the
 * IKE SAs visible on screen, one after another; a full sweep at least every
 * SWEEP_EVERY intervals. At most one request per kind is in flight: if charon
 * answers slowly, refreshes simply happen less often instead of piling up.
 * After a reconnect everything is loaded again (the session has already
 * re-registered the events).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/refresh.h"
#include "model/model.h"
#include "ui/overlay.h"
#include "ui/theme.h"
#include "util/sanitize.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

/* Full sweep at least every this many intervals (and at least every 10 s). */
#define SWEEP_EVERY 5
#define CONNS_EVERY_MS 30000
#define POLS_EVERY_MS 10000
/* Targeted refreshes are used when fewer than this share of SAs is shown. */

static const char *const listen_events[] = {
        "ike-updown", "child-updown", "ike-rekey", "child-rekey", "ike-update", "log", "alert",
};

static void link_state(void *ctx, enum vici_session_state st, int err, const char *msg,
                       struct app_link *l, struct app *app)
{
	char old[sizeof(l->error)];
	memcpy(old, l->error, sizeof(old));
	l->state = (int)st;
	l->since = vici_now_ms();
	if (st == VICI_SESSION_DOWN && msg && *msg)
		sanitize_buf(l->error, sizeof(l->error), msg, strlen(msg), 0);
	else if (st == VICI_SESSION_UP)
		l->error[0] = '\0';
	/* One notice per new problem, not one per retry. */
	if (st == VICI_SESSION_DOWN && l == &app->mon && msg && *msg && strcmp(old, l->error))
		model_event_addf(app->model, MODEL_EV_NOTICE, l->since, "monitor connection: %s",
		                 l->error);
	app->redraw_all = true;
}

static void mon_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	struct app *app = ctx;
	/* In-flight requests fail through their own callbacks, which clear
	 * their slots and abort their sweeps. */
	link_state(ctx, st, err, msg, &app->mon, app);
}

static void lis_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	struct app *app = ctx;
	link_state(ctx, st, err, msg, &app->lis, app);
}

/* ---- replies ---- */

static void on_version(void *ctx, int err, const struct vici_msg *m)
{
	struct app *app = ctx;
	app->rf.rq_version = NULL;
	if (err == 0)
		model_ingest_version(app->model, m->data, m->len, m->received);
	app->redraw_all = true;
}

/* A restart is a lost connection that comes back to a younger daemon
 * (refresh_restarted()); on a connection that stays up the daemon is the
 * same, whatever its stats say. A restarted charon starts its unique ids
 * from 1 again, so the SA table is dropped instead of waiting for sweeps to
 * age it out. */
static void check_restart(struct app *app)
{
	const struct model_stats *st = model_stats_get(app->model);
	if (!st->valid)
		return;
	struct refresh_uptime now;
	refresh_uptime_parse(&now, st->since.s, st->since.len, st->running.s, st->running.len);
	if (!now.valid)
		return;
	if (app->rf.reconnected && refresh_restarted(&app->rf.uptime, &now)) {
		model_clear(app->model, MODEL_TABLE_SAS);
		model_event_addf(app->model, MODEL_EV_NOTICE, app->now,
		                 "charon restarted: SAs reloaded");
		app->rf.next_sweep = 0;
		app->rf.next_counters = app->now;
	}
	app->rf.reconnected = false;
	app->rf.uptime = now;
}

static void on_stats(void *ctx, int err, const struct vici_msg *m)
{
	struct app *app = ctx;
	app->rf.rq_stats = NULL;
	if (err == 0) {
		model_ingest_stats(app->model, m->data, m->len, m->received);
		check_restart(app);
	}
	app->redraw_all = true;
}

static void on_list(void *ctx, int err, const struct vici_msg *m, enum model_table t,
                    struct vici_request **slot)
{
	struct app *app = ctx;
	if (!m->final) {
		if (err == 0)
			model_ingest_event(app->model, m->name, strlen(m->name), m->data, m->len,
			                   m->received);
		return;
	}
	*slot = NULL;
	if (err == 0) {
		model_sweep_end(app->model, t, m->received);
		app->rf.list_failing[t] = false;
		return;
	}
	model_sweep_abort(app->model, t);
	/* A lost connection is reported by the header; anything else (a
	 * timeout: charon busy or stuck) once per streak of failures. */
	if (err != -ECONNRESET && !app->rf.list_failing[t] && m->error) {
		char safe[256];
		sanitize_buf(safe, sizeof(safe), m->error, strlen(m->error), 0);
		model_event_addf(app->model, MODEL_EV_NOTICE, vici_now_ms(), "%s", safe);
		app_status(app, THEME_WARNING, 8, "%s", safe);
	}
	app->rf.list_failing[t] = true;
}

static void on_conns(void *ctx, int err, const struct vici_msg *m)
{
	struct app *app = ctx;
	on_list(ctx, err, m, MODEL_TABLE_CONNS, &app->rf.rq_conns);
}

static void on_pols(void *ctx, int err, const struct vici_msg *m)
{
	struct app *app = ctx;
	on_list(ctx, err, m, MODEL_TABLE_POLS, &app->rf.rq_pols);
}

static void send_sas(struct app *app, uint32_t ike_id);

static void on_sas(void *ctx, int err, const struct vici_msg *m)
{
	struct app *app = ctx;
	bool full = app->rf.rq_sas_targeted == NULL;
	on_list(ctx, err, m, MODEL_TABLE_SAS, &app->rf.rq_sas);
	if (!m->final)
		return;
	app->rf.rq_sas_targeted = NULL;
	if (err == 0) {
		app->rf.last_data = m->received;
		if (full)
			app->rf.sweeps++;
	}
	if (err == 0 && app->rf.n_targets)
		send_sas(app, app->rf.targets[--app->rf.n_targets]);
}

static void send_sas(struct app *app, uint32_t ike_id)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "noblock", "yes");
	if (ike_id)
		vici_builder_add_fmt(&b, "ike-id", "%u", ike_id);
	struct vici_request *rq = NULL;
	/* Begin before the call: stream events are only dispatched later, from
	 * the loop, never from inside vici_session_call(). */
	model_sweep_begin(app->model, MODEL_TABLE_SAS, ike_id, vici_now_ms());
	if (vici_session_call_builder(app->mon.sess, "list-sas", &b, NULL, on_sas, app, &rq) < 0) {
		model_sweep_abort(app->model, MODEL_TABLE_SAS);
		app->rf.n_targets = 0;
		return;
	}
	app->rf.rq_sas = rq;
	/* on_sas() tells a targeted reply from a full sweep by this. */
	app->rf.rq_sas_targeted = ike_id ? rq : NULL;
}

static void send_simple(struct app *app, const char *cmd, vici_request_fn fn,
                        struct vici_request **slot, enum model_table *t)
{
	if (*slot || app->mon.state != VICI_SESSION_UP)
		return;
	if (t)
		model_sweep_begin(app->model, *t, 0, vici_now_ms());
	if (vici_session_call(app->mon.sess, cmd, NULL, 0, NULL, fn, app, slot) < 0) {
		*slot = NULL;
		if (t)
			model_sweep_abort(app->model, *t);
	}
}

static void refresh_conns(struct app *app)
{
	enum model_table t = MODEL_TABLE_CONNS;
	send_simple(app, "list-conns", on_conns, &app->rf.rq_conns, &t);
	app->rf.next_conns = app->now + CONNS_EVERY_MS;
}

static void refresh_pols(struct app *app)
{
	if (app->rf.rq_pols || app->mon.state != VICI_SESSION_UP)
		return;
	/* charon lists only the kinds asked for (presence flags). */
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "trap", "yes");
	vici_builder_add_str(&b, "drop", "yes");
	vici_builder_add_str(&b, "pass", "yes");
	model_sweep_begin(app->model, MODEL_TABLE_POLS, 0, vici_now_ms());
	if (vici_session_call_builder(app->mon.sess, "list-policies", &b, NULL, on_pols, app,
	                              &app->rf.rq_pols) < 0) {
		app->rf.rq_pols = NULL;
		model_sweep_abort(app->model, MODEL_TABLE_POLS);
	}
}

/* Chooses between a full sweep and targeted refreshes of what is visible. */
static void refresh_sas(struct app *app, bool force_full)
{
	if (app->rf.rq_sas || app->mon.state != VICI_SESSION_UP)
		return;
	/* What is on screen, for refresh_plan(): the window the SA pane
	 * published in its view, and an open detail view. */
	uint32_t visible[256];
	struct refresh_input in = {0};
	in.total = model_ike_count(app->model);
	in.sweep_due = force_full || app->now >= app->rf.next_sweep;
	in.sas_shown = app->main_pane == PANE_SAS && app->overlay == OVERLAY_NONE;
	if (app->overlay != OVERLAY_DETAIL ||
	    !overlay_detail_ike(&app->overlay_pane, &in.detail_id))
		in.detail_id = 0;
	if (in.sas_shown && !in.sweep_due)
		in.n_visible = model_view_window_ikes(app->sa_view, visible, 256);
	in.visible = visible;
	switch (refresh_plan(&in, app->rf.targets, &app->rf.n_targets)) {
	case REFRESH_NONE:
		break;
	case REFRESH_FULL: {
		app->rf.n_targets = 0;
		int64_t every = (int64_t)app->cfg.interval_ms * SWEEP_EVERY;
		app->rf.next_sweep = app->now + (every > 10000 ? every : 10000);
		send_sas(app, 0);
		break;
	}
	case REFRESH_TARGETED:
		send_sas(app, app->rf.targets[--app->rf.n_targets]);
		break;
	}
}

static void mon_up(void *ctx, bool reconnected)
{
	struct app *app = ctx;
	app->now = vici_now_ms();
	if (reconnected) {
		model_event_addf(app->model, MODEL_EV_NOTICE, app->now,
		                 "reconnected to charon: reloading everything");
		app->rf.reconnected = true;
	}
	send_simple(app, "version", on_version, &app->rf.rq_version, NULL);
	send_simple(app, "stats", on_stats, &app->rf.rq_stats, NULL);
	refresh_sas(app, true);
	refresh_conns(app);
	refresh_pols(app);
	app->rf.next_counters = app->now + app->cfg.interval_ms;
	app->rf.next_stats = app->now + app->cfg.interval_ms;
	app->redraw_all = true;
}

/* ---- events ---- */

static void on_event(void *ctx, int err, const struct vici_msg *m)
{
	struct app *app = ctx;
	if (err == -ENOENT) {
		/* EVENT_UNKNOWN: this daemon does not have it (alert on 5.9.x). */
		if (m->name && !strcmp(m->name, "alert"))
			snprintf(app->alert_state, sizeof(app->alert_state),
			         "alerts: not supported");
		app->redraw_all = true;
		return;
	}
	if (err < 0) {
		/* A registration charon never confirmed (the session retries it
		 * on a fresh connection): say so once per streak. */
		if (err == -ETIMEDOUT && m->error && !app->lis_timeout_told) {
			char safe[256];
			sanitize_buf(safe, sizeof(safe), m->error, strlen(m->error), 0);
			model_event_addf(app->model, MODEL_EV_NOTICE, vici_now_ms(), "%s", safe);
			app->lis_timeout_told = true;
		}
		return;
	}
	app->lis_timeout_told = false;
	if (!strcmp(m->name, "alert")) {
		const uint8_t *v;
		size_t vl;
		if (vici_message_find(m->data, m->len, "type", &v, &vl) < 0)
			v = (const uint8_t *)"?", vl = 1;
		model_event_addf(app->model, MODEL_EV_NOTICE, m->received, "alert: %.*s", (int)vl,
		                 (const char *)v);
		return;
	}
	model_ingest_event(app->model, m->name, strlen(m->name), m->data, m->len, m->received);
	if (strcmp(m->name, "log")) {
		/* SA set changed: policies (traps) may have changed too. */
		if (app->rf.next_conns > app->now + 500)
			app->rf.next_conns = app->now + 500;
		if (!strcmp(m->name, "child-updown") || !strcmp(m->name, "ike-updown")) {
			/* Pick up counters and SPIs soon, but with steady churn
			 * at most one extra round per interval: rounds start at
			 * least half an interval apart. */
			int64_t soon = app->rf.last_round + app->cfg.interval_ms / 2;
			if (soon < app->now)
				soon = app->now;
			if (soon < app->rf.next_counters)
				app->rf.next_counters = soon;
		}
	}
}

void app_sessions_start(struct app *app)
{
	struct vici_session_config c = {0};
	c.uri = app->cfg.uri;
	c.on_state = mon_state;
	c.on_up = mon_up;
	c.ctx = app;
	c.request_timeout_ms = 15000;
	app->mon.role = "monitor";
	app->mon.sess = vici_session_new(&c);
	app->mon.state = (int)vici_session_state(app->mon.sess);
	if (app->mon.state == VICI_SESSION_DOWN)
		link_state(app, VICI_SESSION_DOWN, 0, vici_session_error(app->mon.sess), &app->mon,
		           app);

	struct vici_session_config l = {0};
	l.uri = app->cfg.uri;
	l.on_state = lis_state;
	l.ctx = app;
	app->lis.role = "listener";
	app->lis.sess = vici_session_new(&l);
	app->lis.state = (int)vici_session_state(app->lis.sess);
	for (size_t i = 0; i < sizeof(listen_events) / sizeof(listen_events[0]); i++)
		app->listeners[i] =
		        vici_session_listen(app->lis.sess, listen_events[i], on_event, app);
	app->rf.next_sweep = 0;
}

void app_sessions_stop(struct app *app)
{
	vici_session_free(app->mon.sess);
	vici_session_free(app->lis.sess);
	app->mon.sess = app->lis.sess = NULL;
}

static size_t add_fd(struct vici_session *s, struct pollfd *fds, void **tags, size_t n, size_t max)
{
	int fd = s ? vici_session_fd(s) : -1;
	if (fd < 0 || n >= max)
		return n;
	fds[n].fd = fd;
	fds[n].events = vici_session_events(s);
	fds[n].revents = 0;
	tags[n] = s;
	return n + 1;
}

size_t app_sessions_pollfds(struct app *app, struct pollfd *fds, void **tags, size_t max)
{
	size_t n = 0;
	n = add_fd(app->mon.sess, fds, tags, n, max);
	n = add_fd(app->lis.sess, fds, tags, n, max);
	return n;
}

bool app_sessions_handle(struct app *app, void *tag, short revents)
{
	if (tag != app->mon.sess && tag != app->lis.sess)
		return false;
	vici_session_handle(tag, revents);
	return true;
}

void app_sessions_tick(struct app *app)
{
	int64_t now = app->now;
	vici_session_tick(app->mon.sess, now);
	vici_session_tick(app->lis.sess, now);
	if (app->mon.state != VICI_SESSION_UP)
		return;
	if (now >= app->rf.next_counters) {
		app->rf.last_round = now;
		refresh_sas(app, false);
		app->rf.next_counters = now + app->cfg.interval_ms;
	}
	if (now >= app->rf.next_stats) {
		send_simple(app, "stats", on_stats, &app->rf.rq_stats, NULL);
		app->rf.next_stats = now + app->cfg.interval_ms;
	}
	if (now >= app->rf.next_conns) {
		refresh_conns(app);
		refresh_pols(app);
	}
}

int64_t app_sessions_deadline(const struct app *app)
{
	int64_t d = -1;
	d = vici_deadline_min(d, vici_session_next_deadline(app->mon.sess));
	d = vici_deadline_min(d, vici_session_next_deadline(app->lis.sess));
	if (app->mon.state == VICI_SESSION_UP) {
		d = vici_deadline_min(d, app->rf.next_counters);
		d = vici_deadline_min(d, app->rf.next_stats);
		d = vici_deadline_min(d, app->rf.next_conns);
	}
	return d;
}

void app_refresh_all(struct app *app)
{
	if (app->mon.state != VICI_SESSION_UP) {
		vici_session_reconnect(app->mon.sess);
		vici_session_reconnect(app->lis.sess);
		return;
	}
	refresh_sas(app, true);
	refresh_conns(app);
	refresh_pols(app);
	send_simple(app, "stats", on_stats, &app->rf.rq_stats, NULL);
}

void app_refresh_sas(struct app *app)
{
	app->rf.next_counters = app->now;
	app->rf.next_sweep = app->now;
	if (app->rf.next_conns > app->now + 300)
		app->rf.next_conns = app->now + 300;
}
