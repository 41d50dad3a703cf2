/*
 * The feed (see feed.h): the monitor and listener sessions, the budgeted
 * refresh policy and restart detection.
 *
 * Queries go on their own connection so that a slow list never delays an
 * event, and events never sit behind a query in charon's per-connection
 * queue. On the query connection one request is in flight at a time: its
 * round trip is then what it cost charon (plus the transfer), which is how
 * the costs the budget is spent on are learned (refresh_costs_learn()), and
 * a charon that answers slowly is simply asked less often. Requests are
 * sent from feed_tick(), never from inside a session callback: a reply
 * only marks the feed as ready for the next one.
 *
 * After a reconnect everything is loaded again (the session has already
 * registered the events again): version, stats, all SAs, connections and
 * policies, stats first, so that a restarted charon is recognised (a lost
 * connection that comes back to a younger daemon, refresh_restarted())
 * before its SAs are listed.
 */
#include "app/feed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sanitize.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

#define WINDOW_MAX 256
/* What is on screen is looked at this often (ms). */
#define WINDOW_LOOK_MS 250
/* After a failed request, the next one waits this long (ms). */
#define FAIL_HOLD_MS 1000

static const char *const listen_events[] = {
        "ike-updown", "child-updown", "ike-rekey", "child-rekey", "ike-update", "log", "alert",
};
#define N_EVENTS (sizeof(listen_events) / sizeof(listen_events[0]))

struct feed {
	struct feed_config cfg;
	struct model *m;
	struct vici_session *mon_s, *lis_s;
	struct feed_link mon, lis;
	struct vici_listener *listeners[N_EVENTS];
	char alert_state[48];
	bool lis_timeout_told; /* a registration timeout is in the events already */

	/* the one request in flight on the monitor connection */
	struct vici_request *rq;
	enum refresh_kind rq_kind;
	uint32_t rq_ike;
	int64_t rq_sent;
	size_t rq_listed;   /* list-sa events of a sweep */
	bool rq_cold;       /* it opened a round: charon was idle before it */
	int64_t replied;    /* when the last answer came */
	bool ready;         /* a reply came: decide again at the next tick */
	int64_t decided;    /* when the last decision was made */
	uint32_t raw_asked; /* the detail view's SA whose raw elements were asked for */
	int64_t hold;       /* no request before this (after a failure) */

	int64_t now;
	int64_t last[REFRESH_KIND_COUNT];
	unsigned long sent[REFRESH_KIND_COUNT];
	bool force[REFRESH_KIND_COUNT];
	int64_t wake;
	struct refresh_costs costs;
	struct refresh_periods periods;

	struct refresh_uptime uptime; /* charon's, as of the last stats reply */
	bool reconnected;             /* the connection came back since that reply */
	bool list_failing[3];         /* by enum model_table: the last refresh failed */
	int64_t last_data;            /* the last list-sa data */
	int64_t last_answer;          /* the last answer of any kind */
	unsigned sweeps;
};

static void changed(struct feed *f)
{
	if (f->cfg.on_change)
		f->cfg.on_change(f->cfg.ctx);
}

/* ---- links ------------------------------------------------------------------ */

static void link_state(struct feed *f, struct feed_link *l, enum vici_session_state st,
                       const char *msg)
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
	if (st == VICI_SESSION_DOWN && l == &f->mon && msg && *msg && strcmp(old, l->error))
		model_event_addf(f->m, MODEL_EV_NOTICE, l->since, "monitor connection: %s",
		                 l->error);
	changed(f);
}

static void mon_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	struct feed *f = ctx;
	(void)err;
	/* A request in flight fails through its own callback, which clears
	 * the slot and abandons its sweep. */
	link_state(f, &f->mon, st, msg);
}

static void lis_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	struct feed *f = ctx;
	(void)err;
	link_state(f, &f->lis, st, msg);
}

static void mon_up(void *ctx, bool reconnected)
{
	struct feed *f = ctx;
	f->now = vici_now_ms();
	if (reconnected) {
		model_event_addf(f->m, MODEL_EV_NOTICE, f->now,
		                 "reconnected to charon: reloading everything");
		f->reconnected = true;
	}
	f->force[REFRESH_VERSION] = f->force[REFRESH_STATS] = f->force[REFRESH_SWEEP] = true;
	f->force[REFRESH_CONNS] = f->force[REFRESH_POLS] = true;
	f->ready = true;
	f->hold = 0;
	changed(f);
}

/* ---- replies ---------------------------------------------------------------- */

/* A restart is a lost connection that comes back to a younger daemon
 * (refresh_restarted()); on a connection that stays up the daemon is the
 * same, whatever its stats say. A restarted charon starts its unique ids
 * from 1 again, so the SA table is dropped (a new epoch of the model)
 * instead of waiting for sweeps to age it out. */
static void check_restart(struct feed *f)
{
	const struct model_stats *st = model_stats_get(f->m);
	if (!st->valid)
		return;
	struct refresh_uptime now;
	refresh_uptime_parse(&now, st->since.s, st->since.len, st->running.s, st->running.len);
	if (!now.valid)
		return;
	if (f->reconnected && refresh_restarted(&f->uptime, &now)) {
		model_clear(f->m, MODEL_TABLE_SAS);
		model_event_addf(f->m, MODEL_EV_NOTICE, f->now, "charon restarted: SAs reloaded");
		f->force[REFRESH_SWEEP] = true;
		if (f->cfg.on_restart)
			f->cfg.on_restart(f->cfg.ctx);
	}
	f->reconnected = false;
	f->uptime = now;
}

static enum model_table table_of(enum refresh_kind k)
{
	return k == REFRESH_CONNS  ? MODEL_TABLE_CONNS
	       : k == REFRESH_POLS ? MODEL_TABLE_POLS
	                           : MODEL_TABLE_SAS;
}

/* The end of a listing: the sweep ends, or is abandoned and the failure
 * told once per streak (a lost connection is the header's to tell). */
static void list_done(struct feed *f, int err, const struct vici_msg *m, enum model_table t)
{
	if (err == 0) {
		model_sweep_end(f->m, t, m->received);
		f->list_failing[t] = false;
		return;
	}
	model_sweep_abort(f->m, t);
	if (err != -ECONNRESET && !f->list_failing[t] && m->error) {
		char safe[256];
		sanitize_buf(safe, sizeof(safe), m->error, strlen(m->error), 0);
		model_event_addf(f->m, MODEL_EV_NOTICE, vici_now_ms(), "%s", safe);
		if (f->cfg.on_problem)
			f->cfg.on_problem(f->cfg.ctx, safe);
	}
	f->list_failing[t] = true;
}

static void on_reply(void *ctx, int err, const struct vici_msg *m)
{
	struct feed *f = ctx;
	enum refresh_kind k = f->rq_kind;
	bool list =
	        k == REFRESH_SA || k == REFRESH_SWEEP || k == REFRESH_CONNS || k == REFRESH_POLS;
	if (!m->final) {
		if (err == 0 && list) {
			model_ingest_event(f->m, m->name, strlen(m->name), m->data, m->len,
			                   m->received);
			f->rq_listed++;
		}
		return;
	}
	f->rq = NULL;
	f->ready = true;
	if (err == 0) {
		refresh_costs_learn(&f->costs, k, (double)(m->received - f->rq_sent), f->rq_listed,
		                    f->rq_cold);
		f->last_answer = f->replied = m->received;
	} else
		f->hold = vici_now_ms() + FAIL_HOLD_MS;
	if (list)
		list_done(f, err, m, table_of(k));
	if (err == 0 && (k == REFRESH_SA || k == REFRESH_SWEEP)) {
		f->last_data = m->received;
		if (k == REFRESH_SWEEP)
			f->sweeps++;
	}
	if (err == 0 && k == REFRESH_STATS) {
		model_ingest_stats(f->m, m->data, m->len, m->received);
		check_restart(f);
	}
	if (err == 0 && k == REFRESH_VERSION)
		model_ingest_version(f->m, m->data, m->len, m->received);
	changed(f);
}

/* ---- requests ----------------------------------------------------------------- */

static void send_request(struct feed *f, enum refresh_kind k, uint32_t ike_id)
{
	static const char *const cmds[REFRESH_KIND_COUNT] = {
	        [REFRESH_SA] = "list-sas",        [REFRESH_SWEEP] = "list-sas",
	        [REFRESH_STATS] = "stats",        [REFRESH_CONNS] = "list-conns",
	        [REFRESH_POLS] = "list-policies", [REFRESH_VERSION] = "version",
	};
	struct vici_builder b;
	vici_builder_init(&b);
	if (k == REFRESH_SA || k == REFRESH_SWEEP)
		vici_builder_add_str(&b, "noblock", "yes");
	if (k == REFRESH_SA)
		vici_builder_add_fmt(&b, "ike-id", "%u", ike_id);
	if (k == REFRESH_POLS) {
		/* charon lists only the kinds asked for (presence flags) */
		vici_builder_add_str(&b, "trap", "yes");
		vici_builder_add_str(&b, "drop", "yes");
		vici_builder_add_str(&b, "pass", "yes");
	}
	f->force[k] = false;
	f->last[k] = f->now;
	f->sent[k]++;
	bool list =
	        k == REFRESH_SA || k == REFRESH_SWEEP || k == REFRESH_CONNS || k == REFRESH_POLS;
	/* Begin before the call: stream events are only dispatched later,
	 * from the loop, never from inside vici_session_call(). */
	if (list)
		model_sweep_begin(f->m, table_of(k), ike_id, f->now);
	f->rq_kind = k;
	f->rq_ike = ike_id;
	f->rq_listed = 0;
	f->rq_sent = vici_now_ms();
	f->rq_cold = !f->replied || f->rq_sent - f->replied >= REFRESH_WARM_MS;
	if (vici_session_call_builder(f->mon_s, cmds[k], &b, NULL, on_reply, f, &f->rq) < 0) {
		f->rq = NULL;
		f->hold = f->now + FAIL_HOLD_MS;
		if (list)
			model_sweep_abort(f->m, table_of(k));
	}
}

/* When an IKE SA's counters were listed, for the policy. */
static int64_t listed_at(const struct model *m, uint32_t id)
{
	const struct model_ike *ike = model_ike_find(m, id);
	/* Known from events only: due at once. */
	return ike && ike->listed_at != MODEL_TIME_NONE ? ike->listed_at : INT64_MIN / 2;
}

/* Decides on the next request and sends it, or sets the wake time. */
static void decide(struct feed *f)
{
	uint32_t ids[WINDOW_MAX];
	int64_t at[WINDOW_MAX];
	struct refresh_input in = {0};
	in.now = f->now;
	in.warm = f->replied && f->now - f->replied < REFRESH_WARM_MS;
	in.total = model_ike_count(f->m);
	uint32_t detail = 0;
	if (f->cfg.window)
		in.n_visible = f->cfg.window(f->cfg.ctx, ids, WINDOW_MAX, &in.selected, &detail);
	if (in.n_visible > WINDOW_MAX)
		in.n_visible = WINDOW_MAX;
	/* The SA a detail view shows every field of: its raw elements are
	 * kept, and fetched at once (asked once per SA). */
	model_set_raw_ike(f->m, detail);
	const struct model_ike *d = detail ? model_ike_find(f->m, detail) : NULL;
	if (detail != f->raw_asked && d && !d->raw.len) {
		f->raw_asked = detail;
		send_request(f, REFRESH_SA, detail);
		return;
	}
	if (!detail)
		f->raw_asked = 0;
	for (size_t i = 0; i < in.n_visible; i++)
		at[i] = listed_at(f->m, ids[i]);
	in.visible = ids;
	in.visible_at = at;
	if (in.selected)
		in.selected_at = listed_at(f->m, in.selected);
	memcpy(in.last, f->last, sizeof(in.last));
	memcpy(in.force, f->force, sizeof(in.force));
	refresh_periods_get(&f->costs, in.total, in.n_visible, in.selected != 0, f->cfg.interval_ms,
	                    f->cfg.budget, f->cfg.sweep_max_ms, &f->periods);
	struct refresh_next next;
	refresh_next(&in, &f->costs, &f->periods, &next);
	f->wake = next.wake;
	if (next.kind != REFRESH_NONE)
		send_request(f, next.kind, next.ike_id);
}

/* ---- events ------------------------------------------------------------------- */

/* Whether a log line says that the connections or the trap policies
 * changed: a connection loaded, replaced or unloaded ("added vici
 * connection: NAME" and the like) or a trap policy installed or uninstalled
 * ("vici install 'NAME'", "vici uninstall 'NAME'"). No event tells, and
 * both are otherwise listed only a minute or more apart. */
static bool config_changed(const struct vici_msg *m)
{
	static const char *const said[] = {"vici connection", "vici install '",
	                                   "vici uninstall '"};
	const uint8_t *v;
	size_t vl;
	if (vici_message_find(m->data, m->len, "msg", &v, &vl) < 0)
		return false;
	for (size_t k = 0; k < sizeof(said) / sizeof(said[0]); k++) {
		size_t n = strlen(said[k]);
		/* within the first words: "added ", "replaced ", "removed " */
		for (size_t i = 0; i + n <= vl && i < 16; i++)
			if (!memcmp(v + i, said[k], n))
				return true;
	}
	return false;
}

static void on_event(void *ctx, int err, const struct vici_msg *m)
{
	struct feed *f = ctx;
	if (err == -ENOENT) {
		/* EVENT_UNKNOWN: this daemon does not have it (alert on 5.9.x). */
		if (m->name && !strcmp(m->name, "alert"))
			snprintf(f->alert_state, sizeof(f->alert_state), "alerts: not supported");
		changed(f);
		return;
	}
	if (err < 0) {
		/* A registration charon never confirmed (the session retries it
		 * on a fresh connection): said once per streak. */
		if (err == -ETIMEDOUT && m->error && !f->lis_timeout_told) {
			char safe[256];
			sanitize_buf(safe, sizeof(safe), m->error, strlen(m->error), 0);
			model_event_addf(f->m, MODEL_EV_NOTICE, vici_now_ms(), "%s", safe);
			f->lis_timeout_told = true;
		}
		return;
	}
	f->lis_timeout_told = false;
	if (!strcmp(m->name, "alert")) {
		const uint8_t *v;
		size_t vl;
		if (vici_message_find(m->data, m->len, "type", &v, &vl) < 0)
			v = (const uint8_t *)"?", vl = 1;
		model_event_addf(f->m, MODEL_EV_NOTICE, m->received, "alert: %.*s", (int)vl,
		                 (const char *)v);
	} else {
		model_ingest_event(f->m, m->name, strlen(m->name), m->data, m->len, m->received);
		if (!strcmp(m->name, "log") && config_changed(m))
			f->force[REFRESH_CONNS] = f->force[REFRESH_POLS] = f->ready = true;
	}
	if (f->cfg.on_event)
		f->cfg.on_event(f->cfg.ctx, m);
}

/* ---- the part ----------------------------------------------------------------- */

void feed_set_rates(struct feed *f, int interval_ms, double budget)
{
	f->cfg.interval_ms = interval_ms < 100 ? 100 : interval_ms;
	f->cfg.budget = budget >= 0 ? budget : FEED_BUDGET_DEFAULT;
	f->wake = 0; /* decide again now */
}

struct feed *feed_new(const struct feed_config *c)
{
	struct feed *f = xcalloc(1, sizeof(*f));
	f->cfg = *c;
	f->m = c->model;
	if (f->cfg.interval_ms < 100)
		f->cfg.interval_ms = 100;
	if (!(f->cfg.budget >= 0))
		f->cfg.budget = FEED_BUDGET_DEFAULT;
	refresh_costs_init(&f->costs);
	f->wake = -1;

	struct vici_session_config mc = {0};
	mc.uri = c->uri;
	mc.on_state = mon_state;
	mc.on_up = mon_up;
	mc.ctx = f;
	mc.request_timeout_ms = 15000;
	f->mon.role = "monitor";
	f->mon_s = vici_session_new(&mc);
	f->mon.state = (int)vici_session_state(f->mon_s);
	if (f->mon.state == VICI_SESSION_DOWN)
		link_state(f, &f->mon, VICI_SESSION_DOWN, vici_session_error(f->mon_s));

	struct vici_session_config lc = {0};
	lc.uri = c->uri;
	lc.on_state = lis_state;
	lc.ctx = f;
	f->lis.role = "listener";
	f->lis_s = vici_session_new(&lc);
	f->lis.state = (int)vici_session_state(f->lis_s);
	for (size_t i = 0; i < N_EVENTS; i++)
		f->listeners[i] = vici_session_listen(f->lis_s, listen_events[i], on_event, f);
	return f;
}

void feed_free(struct feed *f)
{
	if (!f)
		return;
	vici_session_free(f->mon_s);
	vici_session_free(f->lis_s);
	free(f);
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

size_t feed_pollfds(struct feed *f, struct pollfd *fds, void **tags, size_t max)
{
	size_t n = add_fd(f->mon_s, fds, tags, 0, max);
	return add_fd(f->lis_s, fds, tags, n, max);
}

static void answered(struct feed *f)
{
	f->mon.answered = vici_session_answered(f->mon_s);
	f->lis.answered = vici_session_answered(f->lis_s);
}

bool feed_handle(struct feed *f, void *tag, short revents)
{
	if (tag != f->mon_s && tag != f->lis_s)
		return false;
	vici_session_handle(tag, revents);
	answered(f);
	return true;
}

void feed_tick(struct feed *f, int64_t now)
{
	f->now = now;
	vici_session_tick(f->mon_s, now);
	vici_session_tick(f->lis_s, now);
	answered(f);
	if (f->mon.state != VICI_SESSION_UP || f->rq || now < f->hold)
		return;
	/* Besides when something is due, look at what is on screen at most a
	 * few times a second when the owner's loop turns (a key, data): a row
	 * scrolled into view or newly selected is refreshed at once if its
	 * counters are old. */
	if (!f->ready && now < f->wake && now - f->decided < WINDOW_LOOK_MS)
		return;
	f->ready = false;
	f->decided = now;
	decide(f);
}

int64_t feed_deadline(const struct feed *f)
{
	int64_t d = -1;
	d = vici_deadline_min(d, vici_session_next_deadline(f->mon_s));
	d = vici_deadline_min(d, vici_session_next_deadline(f->lis_s));
	if (f->mon.state == VICI_SESSION_UP && !f->rq) {
		int64_t w = f->ready ? f->now : f->wake;
		if (w < f->hold)
			w = f->hold;
		if (w >= 0 && w < INT64_MAX)
			d = vici_deadline_min(d, w);
	}
	return d;
}

void feed_refresh_all(struct feed *f)
{
	if (f->mon.state != VICI_SESSION_UP) {
		vici_session_reconnect(f->mon_s);
		vici_session_reconnect(f->lis_s);
		return;
	}
	f->force[REFRESH_STATS] = f->force[REFRESH_SWEEP] = true;
	f->force[REFRESH_CONNS] = f->force[REFRESH_POLS] = true;
	f->ready = true;
	f->hold = 0;
}

void feed_refresh_sas(struct feed *f)
{
	f->force[REFRESH_SWEEP] = f->force[REFRESH_POLS] = f->force[REFRESH_CONNS] = true;
	f->ready = true;
}

const struct feed_link *feed_link(const struct feed *f, enum feed_link_id id)
{
	return id == FEED_MONITOR ? &f->mon : &f->lis;
}

int64_t feed_retry_at(const struct feed *f)
{
	return vici_session_retry_at(f->mon_s);
}

bool feed_connected(const struct feed *f)
{
	return f->mon.state == VICI_SESSION_UP;
}

int64_t feed_last_data(const struct feed *f)
{
	return f->last_data;
}

int64_t feed_last_answer(const struct feed *f)
{
	return f->last_answer;
}

const char *feed_alert_state(const struct feed *f)
{
	return f->alert_state;
}

const struct refresh_periods *feed_periods(const struct feed *f)
{
	return &f->periods;
}

const struct refresh_costs *feed_costs(const struct feed *f)
{
	return &f->costs;
}

unsigned feed_sweeps(const struct feed *f)
{
	return f->sweeps;
}

unsigned long feed_sent(const struct feed *f, enum refresh_kind k)
{
	return (unsigned)k < REFRESH_KIND_COUNT ? f->sent[k] : 0;
}
