/*
 * Carrying out the operator's intents: a verb on a target becomes a plan
 * (action/action.h), a confirmation question when the verb is destructive,
 * and requests for the runner (action/runner.h), whose results go to the
 * event pane and the status line.
 *
 * A confirmation keeps the target, not the plan: while the question is
 * open the target is followed across rekeys (the question names the
 * successor), and it is planned again when the operator answers. If the
 * target disappears the question is withdrawn and nothing runs; a pending
 * action is never redirected to another SA.
 *
 * With rows marked (mark.c) a verb acts on all of them: one question names
 * them and their swanctl commands (action/bulk.h), its targets are followed
 * the same way and those that go are dropped from it (and said so), and
 * the requests run BULK_MAX_RUNNING at a time; each ends in the event pane
 * as usual, and the status line counts them ("3 of 3 terminated", or which
 * failed with charon's message).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/insight.h"
#include "util/sanitize.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

static void on_log(void *ctx, const void *msg, size_t len, int64_t received)
{
	struct app *app = ctx;
	model_ingest_control_log(app->model, msg, len, received);
}

/* A request of the bulk action ended: count it; the last one says how
 * all went. */
static void batch_finish(struct app *app, const struct run_result *r)
{
	struct bulk *b = app->batch;
	size_t i = (size_t)(r->tag & 0xffffffffu);
	char line[512];
	if (!bulk_result(b, i, r->ok, r->outcome)) {
		bulk_summary(b, line, sizeof(line));
		app_status(app, THEME_INFO, 60, "%s", line);
		return;
	}
	bulk_summary(b, line, sizeof(line));
	app_status(app, b->n_failed ? THEME_ERROR : THEME_STATUS_OK, b->n_failed ? 30 : 10, "%s",
	           line);
	bulk_free(b);
	free(b);
	app->batch = NULL;
}

static void on_finish(void *ctx, const struct run_result *r)
{
	struct app *app = ctx;
	double secs = (double)(r->finished - r->started) / 1000.0;
	bool batch = app->batch && r->tag && r->tag >> 32 == app->batch_serial;
	insight_action(app->insight, r->finished, r);
	if (r->ok) {
		model_event_addf(app->model, MODEL_EV_ACTION_OK, r->finished, "%s: %s (%.1f s)",
		                 r->label, r->outcome, secs);
		if (!batch)
			app_status(app, THEME_STATUS_OK, 5, "%s: %s (%.1f s)  [%s]", r->label,
			           r->outcome, secs, r->swanctl);
	} else {
		char why[512];
		sanitize_buf(why, sizeof(why), r->outcome, strlen(r->outcome), 0);
		model_event_addf(app->model, MODEL_EV_ACTION_FAIL, r->finished, "%s: failed: %s",
		                 r->label, why);
		if (!batch)
			app_status(app, THEME_ERROR, 15, "%s: failed: %s  [%s]", r->label, why,
			           r->swanctl);
	}
	if (batch)
		batch_finish(app, r);
	app_refresh_sas(app);
}

void app_act_start(struct app *app)
{
	struct runner_config c = {
	        .uri = app->cfg.uri,
	        .readonly = app->cfg.readonly,
	        .on_log = on_log,
	        .on_finish = on_finish,
	        .ctx = app,
	};
	app->runner = runner_new(&c);
}

void app_act_stop(struct app *app)
{
	runner_free(app->runner);
	app->runner = NULL;
	if (app->batch) {
		bulk_free(app->batch);
		free(app->batch);
		app->batch = NULL;
	}
	free(app->confirm.targets);
	app->confirm.targets = NULL;
	app->confirm.n_targets = 0;
	marks_free(&app->marks);
}

/* Starts what of the bulk action waits, as far as it may run at once and
 * the runner has room; a request the runner refuses for good counts as
 * failed. */
static void batch_pump(struct app *app)
{
	struct bulk *b = app->batch;
	while (app->batch == b && b && b->next < b->plan.n) {
		size_t running = b->next - b->n_done;
		if (running >= BULK_MAX_RUNNING ||
		    runner_running(app->runner, NULL, NULL, NULL) >= RUNNER_MAX_RUNNING)
			return;
		size_t i = b->next++;
		struct request *rq = &b->plan.req[i];
		rq->tag = app->batch_serial << 32 | i;
		char err[512], label[sizeof(rq->label)];
		/* a request that fails at once ends inside runner_start(), and
		 * the last one ends the batch (rq with it) */
		memcpy(label, rq->label, sizeof(label));
		if (runner_start(app->runner, b->verb, rq, NULL, app->now, err, sizeof(err)) < 0) {
			struct run_result r = {.verb = b->verb,
			                       .label = rq->label,
			                       .ike = "",
			                       .child = "",
			                       .swanctl = rq->swanctl,
			                       .outcome = err,
			                       .started = app->now,
			                       .finished = app->now,
			                       .tag = rq->tag};
			on_finish(app, &r);
			continue;
		}
		model_event_addf(app->model, MODEL_EV_NOTICE, app->now, "%s: started", label);
	}
}

/* Plans the bulk action of a bulk question and starts it. */
static void batch_start(struct app *app, const struct confirm *c, const char *gone)
{
	struct bulk *b = xcalloc(1, sizeof(*b));
	bulk_plan(b, app->model, c->verb, c->targets, c->n_targets, c->force);
	if (!b->plan.n) {
		app_status(app, THEME_WARNING, 8, "%s", b->plan.note);
		bulk_free(b);
		free(b);
		return;
	}
	char line[512];
	bulk_started(b, line, sizeof(line));
	if (gone)
		app_status(app, THEME_WARNING, 60, "%s (gone before it ran: %s)", line, gone);
	else
		app_status(app, THEME_INFO, 60, "%s", line);
	app->batch = b;
	app->batch_serial++;
	batch_pump(app);
	app->redraw_all = true;
}

/* Starts every request of a plan for target t; says why when there is
 * nothing to run. */
static void run_plan(struct app *app, const struct plan *p, const struct target *t)
{
	if (p->n == 0) {
		app_status(app, p->error ? THEME_WARNING : THEME_INFO, 5, "%s", p->note);
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		char err[512];
		int rc = runner_start(app->runner, p->verb, &p->req[i], t, app->now, err,
		                      sizeof(err));
		if (rc < 0) {
			app_status(app, THEME_WARNING, 5, "%s", err);
			break;
		}
		model_event_addf(app->model, MODEL_EV_NOTICE, app->now, "%s: started",
		                 p->req[i].label);
	}
	app->redraw_all = true;
}

/* The question for a plan: what it does and how swanctl would say it. */
static void question(struct app *app, const struct plan *p)
{
	struct confirm *c = &app->confirm;
	snprintf(c->label, sizeof(c->label), "%s", p->req[0].label);
	if (p->n == 1)
		snprintf(c->question, sizeof(c->question), "%s? (y/n)  [%s]", p->req[0].label,
		         p->req[0].swanctl);
	else
		snprintf(c->question, sizeof(c->question), "%s and %zu more? (y/n)  [%s; ...]",
		         p->req[0].label, p->n - 1, p->req[0].swanctl);
}

void app_act(struct app *app, const struct intent *in)
{
	if (in->message[0]) {
		app_status(app, THEME_WARNING, 3, "%s", in->message);
		return;
	}
	const struct verb_def *d = verb_get(in->verb);
	if (!d)
		return;
	struct plan p;
	verb_plan(app->model, in->verb, &in->target, in->force, &p);
	if (app->cfg.readonly) {
		app_status(app, THEME_WARNING, 5, "read-only mode: %s refused",
		           p.n ? p.req[0].label : d->name);
	} else if (d->destructive && p.n) {
		app->confirm.verb = in->verb;
		app->confirm.target = in->target;
		app->confirm.force = in->force;
		question(app, &p);
		app->input = INPUT_CONFIRM;
	} else {
		run_plan(app, &p, &in->target);
	}
	plan_free(&p);
	app->redraw_all = true;
}

static void confirm_drop_targets(struct confirm *c)
{
	free(c->targets);
	c->targets = NULL;
	c->n_targets = 0;
}

/* Follows the targets of a bulk question; those that are gone are dropped,
 * their names written to gone. Returns how many went; *moved tells whether
 * one was rekeyed. */
static size_t bulk_follow(struct app *app, struct confirm *c, char *gone, size_t size, bool *moved)
{
	size_t k = 0, n_gone = 0, len = 0;
	*moved = false;
	gone[0] = '\0';
	for (size_t i = 0; i < c->n_targets; i++) {
		struct target t = c->targets[i];
		bool alive = t.kind == TARGET_IKE_SA || t.kind == TARGET_CHILD_SA
		                     ? target_follow(app->model, &t) == 0
		                     : true;
		if (!alive) {
			char who[96];
			target_short(&c->targets[i], who, sizeof(who));
			int w = snprintf(gone + len, size - len, "%s%s", n_gone ? ", " : "", who);
			if (w > 0 && (size_t)w < size - len)
				len += (size_t)w;
			n_gone++;
			continue;
		}
		*moved = *moved || t.ike_id != c->targets[i].ike_id ||
		         t.child_id != c->targets[i].child_id;
		c->targets[k++] = t;
	}
	c->n_targets = k;
	return n_gone;
}

/* Asks about verb v on n targets (copied). */
static void bulk_ask(struct app *app, enum verb v, const struct target *ts, size_t n, bool force)
{
	struct bulk b;
	bulk_plan(&b, app->model, v, ts, n, force);
	if (!b.plan.n) {
		app_status(app, b.plan.error ? THEME_WARNING : THEME_INFO, 8, "%s", b.plan.note);
		bulk_free(&b);
		return;
	}
	struct confirm *c = &app->confirm;
	confirm_drop_targets(c);
	c->verb = v;
	c->force = force;
	c->targets = xmemdup(ts, n * sizeof(*ts));
	c->n_targets = n;
	memset(&c->target, 0, sizeof(c->target));
	snprintf(c->label, sizeof(c->label), "%s %zu marked", verb_get(v)->name, b.n_acting);
	bulk_question(&b, c->question, sizeof(c->question));
	app->input = INPUT_CONFIRM;
	bulk_free(&b);
	app->redraw_all = true;
}

bool app_act_marked(struct app *app, enum verb v, bool force)
{
	unsigned kind = app_marks_kind(app);
	if (!kind || !marks_count(&app->marks, kind) || !verb_get(v))
		return false;
	if (app->cfg.readonly) {
		app_status(app, THEME_WARNING, 5, "read-only mode: %s of the marked rows refused",
		           verb_get(v)->name);
		return true;
	}
	if (app->batch) {
		app_status(app, THEME_WARNING, 5,
		           "a bulk action is still running (%zu of %zu ended): try again when "
		           "it is done",
		           app->batch->n_done, app->batch->plan.n);
		return true;
	}
	app_marks_check(app);
	struct target *ts = xreallocarray(NULL, app->marks.n ? app->marks.n : 1, sizeof(*ts));
	size_t n = 0;
	for (size_t i = 0; i < app->marks.n; i++)
		if (kind & (1u << app->marks.t[i].kind))
			ts[n++] = app->marks.t[i];
	if (n)
		bulk_ask(app, v, ts, n, force);
	free(ts);
	return n > 0;
}

void app_confirm_accept(struct app *app)
{
	struct confirm *c = &app->confirm;
	app->input = INPUT_NONE;
	if (c->n_targets) {
		char gone[256];
		bool moved;
		size_t n_gone = bulk_follow(app, c, gone, sizeof(gone), &moved);
		if (!c->n_targets)
			app_status(app, THEME_WARNING, 8, "cancelled: every marked SA is gone");
		else if (app->batch)
			app_status(app, THEME_WARNING, 8,
			           "cancelled: a bulk action is still running");
		else
			batch_start(app, c, n_gone ? gone : NULL);
		confirm_drop_targets(c);
		return;
	}
	if (target_follow(app->model, &c->target) < 0) {
		app_status(app, THEME_WARNING, 8, "cancelled: the SA is gone");
		return;
	}
	struct plan p;
	verb_plan(app->model, c->verb, &c->target, c->force, &p);
	run_plan(app, &p, &c->target);
	plan_free(&p);
}

void app_confirm_cancel(struct app *app)
{
	app->input = INPUT_NONE;
	confirm_drop_targets(&app->confirm);
	app_status(app, THEME_INFO, 3, "%s: cancelled", app->confirm.label);
	app->redraw_all = true;
}

/* A bulk question: drop what went, ask again about what is left. */
static void bulk_check(struct app *app)
{
	struct confirm *c = &app->confirm;
	char gone[256];
	bool moved;
	size_t n_gone = bulk_follow(app, c, gone, sizeof(gone), &moved);
	if (!n_gone && !moved)
		return;
	if (!c->n_targets) {
		app->input = INPUT_NONE;
		confirm_drop_targets(c);
		app_status(app, THEME_WARNING, 8,
		           "cancelled: every SA the question named is gone (%s)", gone);
		app->redraw_all = true;
		return;
	}
	struct bulk b;
	bulk_plan(&b, app->model, c->verb, c->targets, c->n_targets, c->force);
	if (b.plan.n) {
		char q[sizeof(c->question)];
		bulk_question(&b, q, sizeof(q));
		if (n_gone)
			plan_fmt(c->question, sizeof(c->question), "(%s gone: dropped) %s", gone,
			         q);
		else
			plan_fmt(c->question, sizeof(c->question), "%s", q);
	}
	bulk_free(&b);
	app->redraw_all = true;
}

void app_confirm_check(struct app *app)
{
	app_marks_check(app);
	batch_pump(app);
	if (app->input != INPUT_CONFIRM)
		return;
	struct confirm *c = &app->confirm;
	if (c->n_targets) {
		bulk_check(app);
		return;
	}
	struct target t = c->target;
	if (target_follow(app->model, &t) < 0) {
		app->input = INPUT_NONE;
		app_status(app, THEME_WARNING, 8, "cancelled: the SA the question named is gone");
		app->redraw_all = true;
		return;
	}
	if (t.ike_id == c->target.ike_id && t.child_id == c->target.child_id)
		return;
	/* Rekeyed while the question was open: ask about the successor. */
	c->target = t;
	struct plan p;
	verb_plan(app->model, c->verb, &c->target, c->force, &p);
	if (p.n)
		question(app, &p);
	plan_free(&p);
	app->redraw_all = true;
}
