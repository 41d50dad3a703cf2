/*
 * Operator actions: initiate, terminate, rekey, redirect, install, uninstall.
 *
 * Why a fresh control connection per action: charon serves each connection's
 * requests one at a time, and a blocking initiate against a dead peer holds
 * its connection for minutes. With one connection per action, nothing the
 * operator does ever waits behind another action, and the monitor and
 * listener connections are never touched. While an action runs its
 * control-log lines stream into the event pane and the status line shows
 * "initiating NAME… 12 s"; the result (success or charon's errmsg) is added
 * to the events and the status line when the reply comes.
 *
 * Actions finish inside their session's callback, so they are only marked
 * dead there; app_actions_reap() frees them (and their session) at the end
 * of the loop turn.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "ui/keys.h"
#include "model/model.h"
#include "util/sanitize.h"
#include "ui/theme.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

/* How long charon waits for the outcome of an initiate or terminate before it
 * answers. Not 0 ("until done"): with keyingtries=0 an unreachable peer is
 * retried forever, and a waiting initiate pins one of charon's worker
 * threads for as long, even after we hang up. After this charon answers
 * "not established after ..." and the IKE SA keeps trying by itself. */
#define ACTION_CHARON_TIMEOUT_MS 120000
/* Our own deadline only catches a reply that never comes. */
#define ACTION_TIMEOUT_MS (ACTION_CHARON_TIMEOUT_MS + 15000)
/* Actions running at the same time, at most. */
#define ACTION_MAX_RUNNING 8

const char *action_command(enum action_kind kind)
{
	static const char *const names[] = {
	        [ACTION_INITIATE] = "initiate", [ACTION_TERMINATE] = "terminate",
	        [ACTION_REKEY] = "rekey",       [ACTION_REDIRECT] = "redirect",
	        [ACTION_INSTALL] = "install",   [ACTION_UNINSTALL] = "uninstall",
	};
	return names[kind];
}

static void finish(struct app *app, struct action *a, bool ok, const char *why)
{
	a->done = true;
	a->dead = true;
	a->req = NULL;
	int64_t now = vici_now_ms();
	double secs = (double)(now - a->started) / 1000.0;
	if (ok) {
		/* rekey and redirect only queue jobs in charon: say so. */
		const char *what =
		        a->kind == ACTION_REKEY || a->kind == ACTION_REDIRECT ? "queued" : "done";
		model_event_addf(app->model, MODEL_EV_ACTION_OK, now, "%s: %s (%.1f s)", a->label,
		                 what, secs);
		app_status(app, THEME_STATUS_OK, 5, "%s: %s (%.1f s)", a->label, what, secs);
	} else {
		char safe[512];
		sanitize_buf(safe, sizeof(safe), why, strlen(why), 0);
		model_event_addf(app->model, MODEL_EV_ACTION_FAIL, now, "%s: failed: %s", a->label,
		                 safe);
		app_status(app, THEME_ERROR, 15, "%s: failed: %s", a->label, safe);
	}
	app_vici_refresh_sas(app);
	app->redraw_all = true;
}

static void on_reply(void *ctx, int err, const struct vici_msg *m)
{
	struct action *a = ctx;
	struct app *app = a->app;
	if (!m->final) {
		/* control-log while the action runs */
		if (err == 0)
			model_ingest_control_log(app->model, m->data, m->len, m->received);
		return;
	}
	if (err < 0) {
		finish(app, a, false, m->error ? m->error : "request failed");
		return;
	}
	const uint8_t *v;
	size_t vl;
	bool ok = vici_message_find(m->data, m->len, "success", &v, &vl) == 0 &&
	          vici_eq(v, vl, "yes");
	if (ok) {
		finish(app, a, true, NULL);
		return;
	}
	char why[512] = "charon said no (no errmsg)";
	if (vici_message_find(m->data, m->len, "errmsg", &v, &vl) == 0) {
		int k = snprintf(why, sizeof(why), "%.*s", (int)(vl > 400 ? 400 : vl),
		                 (const char *)v);
		if (a->kind == ACTION_INITIATE && strstr(why, "not established after") && k > 0 &&
		    (size_t)k < sizeof(why))
			snprintf(why + k, sizeof(why) - (size_t)k,
			         " (charon keeps trying in the background)");
	}
	finish(app, a, false, why);
}

static void on_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	struct action *a = ctx;
	/* A control connection that fails before the reply fails the action
	 * through the request's own callback; nothing else to do here. */
	(void)a, (void)st, (void)err, (void)msg;
}

int app_action_start(struct app *app, enum action_kind kind, const char *label, const uint8_t *msg,
                     size_t len)
{
	if (app->cfg.readonly) {
		app_status(app, THEME_WARNING, 5, "read-only mode: %s refused", label);
		return -EPERM;
	}
	size_t running;
	app_action_running(app, &running);
	if (running >= ACTION_MAX_RUNNING) {
		/* Each one pins a charon worker thread, and 5.9.8 can deadlock
		 * with many concurrent control-log streams. */
		app_status(app, THEME_WARNING, 5,
		           "%zu actions are running: %s refused, try again later", running, label);
		return -EBUSY;
	}
	struct action *a = xcalloc(1, sizeof(*a));
	a->app = app;
	a->kind = kind;
	a->label = xstrdup(label);
	a->started = vici_now_ms();
	struct vici_session_config c = {0};
	c.uri = app->cfg.uri;
	c.no_reconnect = true;
	c.on_state = on_state;
	c.ctx = a;
	a->sess = vici_session_new(&c);
	a->next = app->actions;
	app->actions = a;
	struct vici_call_opts o = {0};
	o.timeout_ms = ACTION_TIMEOUT_MS;
	int rc = vici_session_call(a->sess, action_command(kind), msg, len, &o, on_reply, a,
	                           &a->req);
	if (rc < 0) {
		const char *e = vici_session_error(a->sess);
		finish(app, a, false, e && *e ? e : strerror(-rc));
		return rc;
	}
	model_event_addf(app->model, MODEL_EV_NOTICE, a->started, "%s: started", label);
	app->redraw_all = true;
	return 0;
}

void app_actions_reap(struct app *app)
{
	struct action **pp = &app->actions;
	while (*pp) {
		struct action *a = *pp;
		if (!a->dead) {
			pp = &a->next;
			continue;
		}
		*pp = a->next;
		if (a->req)
			vici_request_cancel(a->req);
		vici_session_free(a->sess);
		free(a->label);
		free(a);
	}
}

void app_actions_free(struct app *app)
{
	for (struct action *a = app->actions; a; a = a->next)
		a->dead = true;
	app_actions_reap(app);
}

const struct action *app_action_running(const struct app *app, size_t *count)
{
	const struct action *oldest = NULL;
	size_t n = 0;
	for (const struct action *a = app->actions; a; a = a->next) {
		if (a->dead)
			continue;
		n++;
		oldest = a; /* the list is newest first */
	}
	if (count)
		*count = n;
	return oldest;
}

/* ---- building requests ---- */

static char *safe_name(struct model_str s)
{
	return sanitize_dup(s.s, s.len, 0);
}

static void start_built(struct app *app, enum action_kind kind, const char *label,
                        struct vici_builder *b)
{
	uint8_t *msg;
	size_t len;
	if (vici_builder_finish(b, &msg, &len) < 0) {
		app_status(app, THEME_ERROR, 5, "%s: name too long for VICI", label);
		return;
	}
	app_action_start(app, kind, label, msg, len);
	free(msg);
}

/* Asks "y" first; the body is kept until the answer. */
static void ask(struct app *app, enum action_kind kind, const char *label, struct vici_builder *b)
{
	if (app->cfg.readonly) {
		vici_builder_reset(b);
		app_status(app, THEME_WARNING, 5, "read-only mode: %s refused", label);
		return;
	}
	free(app->confirm_msg);
	app->confirm_msg = NULL;
	if (vici_builder_finish(b, &app->confirm_msg, &app->confirm_len) < 0) {
		app_status(app, THEME_ERROR, 5, "%s: name too long for VICI", label);
		return;
	}
	app->confirm_kind = kind;
	snprintf(app->confirm_label, sizeof(app->confirm_label), "%s", label);
	snprintf(app->confirm_question, sizeof(app->confirm_question), "%s? (y/n)", label);
	app->input = INPUT_CONFIRM;
	app->redraw_all = true;
}

void app_confirm_accept(struct app *app)
{
	app->input = INPUT_NONE;
	app_action_start(app, app->confirm_kind, app->confirm_label, app->confirm_msg,
	                 app->confirm_len);
	free(app->confirm_msg);
	app->confirm_msg = NULL;
}

void app_confirm_cancel(struct app *app)
{
	app->input = INPUT_NONE;
	app_status(app, THEME_INFO, 3, "%s: cancelled", app->confirm_label);
	free(app->confirm_msg);
	app->confirm_msg = NULL;
}

static void add_common(struct vici_builder *b, bool blocking)
{
	if (blocking) {
		/* >= 0: charon waits for the outcome and streams control-log. */
		vici_builder_add_fmt(b, "timeout", "%d", ACTION_CHARON_TIMEOUT_MS);
		vici_builder_add_str(b, "loglevel", "1");
	}
}

void app_initiate(struct app *app, struct model_str ike, struct model_str child)
{
	struct vici_builder b;
	char label[200];
	char *in = safe_name(ike), *cn = safe_name(child);
	vici_builder_init(&b);
	if (child.len) {
		vici_builder_addn(&b, "child", 5, child.s, child.len);
		snprintf(label, sizeof(label), "initiate %s", cn);
	} else {
		snprintf(label, sizeof(label), "initiate %s", in);
	}
	if (ike.len)
		vici_builder_addn(&b, "ike", 3, ike.s, ike.len);
	add_common(&b, true);
	start_built(app, ACTION_INITIATE, label, &b);
	free(in);
	free(cn);
}

/* Is a CHILD SA of this connection and child config installed (child NULL:
 * is an IKE SA of the connection established)? A key press must not stack
 * a duplicate SA on one that is up; the command line may (explicit). */
static bool conn_child_up(struct app *app, struct model_str conn, const struct model_str *child)
{
	for (size_t i = 0; i < model_ike_count(app->model); i++) {
		const struct model_ike *ike = model_ike_at(app->model, i);
		if (ike->name.len != conn.len || memcmp(ike->name.s, conn.s, conn.len))
			continue;
		if (!child) {
			if (ike->state == MODEL_IKE_ESTABLISHED)
				return true;
			continue;
		}
		for (size_t j = 0; j < ike->n_children; j++) {
			const struct model_child *c = &ike->children[j];
			if (c->state == MODEL_CHILD_INSTALLED && c->name.len == child->len &&
			    !memcmp(c->name.s, child->s, child->len))
				return true;
		}
	}
	return false;
}

/* Owned copy of a model string: starting an action adds events to the
 * model, after which the model's pointers must not be used any more. */
static struct model_str str_copy(struct model_str s)
{
	struct model_str c = {xmemdup(s.s, s.len ? s.len : 1), s.len};
	return c;
}

static void initiate_conn(struct app *app, const struct model_conn *conn,
                          const struct model_conn_child *child, bool force)
{
	/* Decide everything first, from the model as it is now. */
	struct model_str ike = str_copy(conn->name), none = {"", 0};
	size_t n = child ? 1 : conn->n_children, k = 0;
	struct model_str *todo = xcalloc(n ? n : 1, sizeof(*todo));
	char *label = safe_name(child ? child->name : conn->name);
	if (child) {
		if (force || !conn_child_up(app, conn->name, &child->name))
			todo[k++] = str_copy(child->name);
	} else {
		for (size_t i = 0; i < conn->n_children; i++)
			if (force || !conn_child_up(app, conn->name, &conn->children[i].name))
				todo[k++] = str_copy(conn->children[i].name);
	}
	bool ike_only = !child && conn->n_children == 0;
	if (ike_only && (force || !conn_child_up(app, conn->name, NULL)))
		app_initiate(app, ike, none);
	else if (!ike_only && k == 0)
		app_status(app, THEME_INFO, 5,
		           "%s is already up (t terminates, r rekeys; :initiate %s starts another)",
		           label, label);
	else if (ike_only)
		app_status(app, THEME_INFO, 5, "%s is already up", label);
	for (size_t i = 0; i < k; i++) {
		app_initiate(app, ike, todo[i]);
		free((void *)todo[i].s);
	}
	free(todo);
	free(label);
	free((void *)ike.s);
}

void app_act_conn(struct app *app, int action, const struct model_conn *conn,
                  const struct model_conn_child *child)
{
	if (action != KA_INITIATE) {
		app_status(app, THEME_WARNING, 4,
		           "terminate and rekey act on SAs: press 1 and select the SA");
		return;
	}
	initiate_conn(app, conn, child, false);
}

void app_act_sa(struct app *app, int action, const struct model_ike *ike,
                const struct model_child *child)
{
	struct vici_builder b;
	char label[200];
	char *in = safe_name(ike->name);
	char *cn = child ? safe_name(child->name) : NULL;
	switch (action) {
	case KA_INITIATE: {
		if (child && child->state == MODEL_CHILD_INSTALLED) {
			app_status(app, THEME_INFO, 5,
			           "%s is already up (t terminates, r rekeys; :initiate %s starts "
			           "another)",
			           cn, cn);
			break;
		}
		if (child) {
			app_initiate(app, ike->name, child->name);
			break;
		}
		const struct model_conn *c =
		        model_conn_find(app->model, ike->name.s, ike->name.len);
		if (c)
			app_act_conn(app, KA_INITIATE, c, NULL);
		else
			app_initiate(app, ike->name, (struct model_str){"", 0});
		break;
	}
	case KA_TERMINATE:
		vici_builder_init(&b);
		if (child) {
			vici_builder_add_fmt(&b, "child-id", "%u", child->uniqueid);
			snprintf(label, sizeof(label), "terminate CHILD SA %s c%u", cn,
			         child->uniqueid);
		} else {
			vici_builder_add_fmt(&b, "ike-id", "%u", ike->uniqueid);
			snprintf(label, sizeof(label), "terminate IKE SA %s #%u", in,
			         ike->uniqueid);
		}
		add_common(&b, true);
		ask(app, ACTION_TERMINATE, label, &b);
		break;
	case KA_REKEY:
		vici_builder_init(&b);
		if (child) {
			vici_builder_add_fmt(&b, "child-id", "%u", child->uniqueid);
			snprintf(label, sizeof(label), "rekey CHILD SA %s c%u", cn,
			         child->uniqueid);
		} else {
			vici_builder_add_fmt(&b, "ike-id", "%u", ike->uniqueid);
			snprintf(label, sizeof(label), "rekey IKE SA %s #%u", in, ike->uniqueid);
		}
		start_built(app, ACTION_REKEY, label, &b);
		break;
	}
	free(in);
	free(cn);
}

/* ---- the command line's actions ---- */

/* An SA selector from the command line: "#N", "#cN" or a name that is an
 * IKE SA name (else taken as a CHILD name). */
static void add_selector(struct app *app, struct vici_builder *b, const char *text, bool is_id,
                         bool is_child, uint32_t id, bool ike_only)
{
	if (is_id) {
		vici_builder_add_fmt(b, is_child ? "child-id" : "ike-id", "%u", id);
		return;
	}
	bool ike = ike_only;
	for (size_t i = 0; !ike && i < model_ike_count(app->model); i++)
		if (model_str_eq(model_ike_at(app->model, i)->name, text))
			ike = true;
	if (!ike && model_conn_find(app->model, text, strlen(text)))
		ike = true;
	vici_builder_add_str(b, ike ? "ike" : "child", text);
}

int app_cmd_action(struct app *app, enum action_kind kind, const char *arg, bool is_id,
                   bool is_child, uint32_t id, const char *arg2)
{
	struct vici_builder b;
	char label[256], *safe = sanitize_strdup(arg, 0), *safe2 = sanitize_strdup(arg2, 0);
	vici_builder_init(&b);
	switch (kind) {
	case ACTION_INITIATE: {
		struct model_str s = {arg, (uint32_t)strlen(arg)};
		const struct model_conn *c = model_conn_find(app->model, arg, strlen(arg));
		vici_builder_reset(&b);
		free(safe);
		free(safe2);
		if (c) {
			initiate_conn(app, c, NULL, true);
			return 0;
		}
		for (size_t i = 0; i < model_conn_count(app->model); i++) {
			const struct model_conn *cc = model_conn_at(app->model, i);
			for (size_t j = 0; j < cc->n_children; j++)
				if (model_str_eq(cc->children[j].name, arg)) {
					app_initiate(app, cc->name, s);
					return 0;
				}
		}
		/* Not (yet) known here: let charon decide, it says so clearly. */
		app_initiate(app, (struct model_str){"", 0}, s);
		return 0;
	}
	case ACTION_TERMINATE:
	case ACTION_REKEY:
		add_selector(app, &b, arg, is_id, is_child, id, false);
		snprintf(label, sizeof(label), "%s %s", action_command(kind), safe);
		if (kind == ACTION_TERMINATE) {
			add_common(&b, true);
			ask(app, kind, label, &b);
		} else {
			start_built(app, kind, label, &b);
		}
		break;
	case ACTION_REDIRECT:
		add_selector(app, &b, arg, is_id, false, id, true);
		vici_builder_add_str(&b, "gateway", arg2 ? arg2 : "");
		snprintf(label, sizeof(label), "redirect %s to %s", safe, safe2);
		ask(app, kind, label, &b);
		break;
	case ACTION_INSTALL:
	case ACTION_UNINSTALL:
		vici_builder_add_str(&b, "child", arg);
		if (arg2 && *arg2)
			vici_builder_add_str(&b, "ike", arg2);
		snprintf(label, sizeof(label), "%s %s", action_command(kind), safe);
		if (kind == ACTION_UNINSTALL)
			ask(app, kind, label, &b);
		else
			start_built(app, kind, label, &b);
		break;
	}
	free(safe);
	free(safe2);
	return 0;
}
