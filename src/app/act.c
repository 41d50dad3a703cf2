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
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/insight.h"
#include "util/sanitize.h"
#include "vici/vici.h"

static void on_log(void *ctx, const void *msg, size_t len, int64_t received)
{
	struct app *app = ctx;
	model_ingest_control_log(app->model, msg, len, received);
}

static void on_finish(void *ctx, const struct run_result *r)
{
	struct app *app = ctx;
	double secs = (double)(r->finished - r->started) / 1000.0;
	insight_action(app->insight, r->finished, r);
	if (r->ok) {
		model_event_addf(app->model, MODEL_EV_ACTION_OK, r->finished, "%s: %s (%.1f s)",
		                 r->label, r->outcome, secs);
		app_status(app, THEME_STATUS_OK, 5, "%s: %s (%.1f s)  [%s]", r->label, r->outcome,
		           secs, r->swanctl);
	} else {
		char why[512];
		sanitize_buf(why, sizeof(why), r->outcome, strlen(r->outcome), 0);
		model_event_addf(app->model, MODEL_EV_ACTION_FAIL, r->finished, "%s: failed: %s",
		                 r->label, why);
		app_status(app, THEME_ERROR, 15, "%s: failed: %s  [%s]", r->label, why, r->swanctl);
	}
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

void app_confirm_accept(struct app *app)
{
	struct confirm *c = &app->confirm;
	app->input = INPUT_NONE;
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
	app_status(app, THEME_INFO, 3, "%s: cancelled", app->confirm.label);
	app->redraw_all = true;
}

void app_confirm_check(struct app *app)
{
	if (app->input != INPUT_CONFIRM)
		return;
	struct confirm *c = &app->confirm;
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
