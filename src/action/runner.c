/*
 * Control connections for the operator's requests (see runner.h).
 */
#include "action/runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/vici.h"
#include "vici/xmalloc.h"

/* Our own deadline only catches a reply that never comes: charon answers a
 * blocking request within ACTION_CHARON_TIMEOUT_MS. */
#define RUN_TIMEOUT_MS (ACTION_CHARON_TIMEOUT_MS + 15000)

struct run {
	struct runner *owner;
	enum verb verb;
	char *label, *swanctl;
	char *ike, *child; /* the names the result reports */
	struct vici_session *sess;
	struct vici_request *req;
	int64_t started;
	uint64_t tag;
	bool dead;
	struct run *next;
};

struct runner {
	struct runner_config cfg;
	char *uri;
	struct run *runs; /* newest first */
};

struct runner *runner_new(const struct runner_config *cfg)
{
	struct runner *r = xcalloc(1, sizeof(*r));
	r->cfg = *cfg;
	r->uri = cfg->uri ? xstrdup(cfg->uri) : NULL;
	r->cfg.uri = r->uri;
	return r;
}

void runner_free(struct runner *r)
{
	if (!r)
		return;
	for (struct run *a = r->runs; a; a = a->next)
		a->dead = true;
	runner_reap(r);
	free(r->uri);
	free(r);
}

static void finish(struct run *a, bool ok, const char *outcome)
{
	struct runner *r = a->owner;
	a->dead = true;
	a->req = NULL;
	struct run_result res = {
	        .verb = a->verb,
	        .label = a->label,
	        .ike = a->ike,
	        .child = a->child,
	        .swanctl = a->swanctl,
	        .ok = ok,
	        .outcome = outcome,
	        .started = a->started,
	        .finished = vici_now_ms(),
	        .tag = a->tag,
	};
	if (r->cfg.on_finish)
		r->cfg.on_finish(r->cfg.ctx, &res);
}

static void on_reply(void *ctx, int err, const struct vici_msg *m)
{
	struct run *a = ctx;
	struct runner *r = a->owner;
	if (!m->final) {
		if (err == 0 && r->cfg.on_log)
			r->cfg.on_log(r->cfg.ctx, m->data, m->len, m->received);
		return;
	}
	if (err < 0) {
		finish(a, false, m->error ? m->error : "request failed");
		return;
	}
	const uint8_t *v;
	size_t vl;
	if (vici_message_find(m->data, m->len, "success", &v, &vl) == 0 && vici_eq(v, vl, "yes")) {
		const struct verb_def *d = verb_get(a->verb);
		finish(a, true, d && d->queued ? "queued" : "done");
		return;
	}
	char why[512] = "charon said no (no errmsg)";
	if (vici_message_find(m->data, m->len, "errmsg", &v, &vl) == 0) {
		int k = snprintf(why, sizeof(why), "%.*s", (int)(vl > 400 ? 400 : vl),
		                 (const char *)v);
		if (a->verb == VERB_INITIATE && strstr(why, "not established after") && k > 0 &&
		    (size_t)k < sizeof(why))
			snprintf(why + k, sizeof(why) - (size_t)k,
			         " (charon keeps trying in the background)");
	}
	finish(a, false, why);
}

/* The name key of the request body, else the target's (SAs and connections
 * carry their names; a typed name is what the body resolved it to). */
static char *name_of(const struct request *rq, const char *key, const struct target *t,
                     const struct target_name *n)
{
	const uint8_t *v;
	size_t vl;
	if (vici_message_find(rq->msg, rq->len, key, &v, &vl) == 0)
		return xstrndup((const char *)v, vl);
	bool named = t && (t->kind == TARGET_IKE_SA || t->kind == TARGET_CHILD_SA ||
	                   t->kind == TARGET_CONN || t->kind == TARGET_CHILD_CONF);
	return xstrndup(named ? n->s : "", named ? n->len : 0);
}

int runner_start(struct runner *r, enum verb v, const struct request *rq, const struct target *t,
                 int64_t now, char *err, size_t errsize)
{
	const struct verb_def *d = verb_get(v);
	if (!d) {
		snprintf(err, errsize, "no such action");
		return -EINVAL;
	}
	if (r->cfg.readonly) {
		snprintf(err, errsize, "read-only mode: %s refused", rq->label);
		return -EPERM;
	}
	size_t running = runner_running(r, NULL, NULL, NULL);
	if (running >= RUNNER_MAX_RUNNING) {
		snprintf(err, errsize, "%zu actions are running: %s refused, try again later",
		         running, rq->label);
		return -EBUSY;
	}
	struct run *a = xcalloc(1, sizeof(*a));
	a->owner = r;
	a->verb = v;
	a->label = xstrdup(rq->label);
	a->swanctl = xstrdup(rq->swanctl);
	a->ike = name_of(rq, "ike", t, t ? &t->ike : NULL);
	a->child = name_of(rq, "child", t, t ? &t->child : NULL);
	a->started = now;
	a->tag = rq->tag;
	struct vici_session_config c = {0};
	c.uri = r->cfg.uri;
	c.no_reconnect = true;
	a->sess = vici_session_new(&c);
	a->next = r->runs;
	r->runs = a;
	struct vici_call_opts o = {0};
	o.timeout_ms = RUN_TIMEOUT_MS;
	int rc = vici_session_call(a->sess, d->name, rq->msg, rq->len, &o, on_reply, a, &a->req);
	if (rc < 0) {
		const char *e = vici_session_error(a->sess);
		finish(a, false, e && *e ? e : strerror(-rc));
	}
	return 0;
}

size_t runner_running(const struct runner *r, enum verb *verb, const char **label, int64_t *started)
{
	const struct run *oldest = NULL;
	size_t n = 0;
	for (const struct run *a = r->runs; a; a = a->next) {
		if (a->dead)
			continue;
		n++;
		oldest = a; /* the list is newest first */
	}
	if (oldest) {
		if (verb)
			*verb = oldest->verb;
		if (label)
			*label = oldest->label;
		if (started)
			*started = oldest->started;
	}
	return n;
}

size_t runner_pollfds(struct runner *r, struct pollfd *fds, void **tags, size_t max)
{
	size_t n = 0;
	for (struct run *a = r->runs; a && n < max; a = a->next) {
		int fd = a->dead ? -1 : vici_session_fd(a->sess);
		if (fd < 0)
			continue;
		fds[n] = (struct pollfd){fd, vici_session_events(a->sess), 0};
		tags[n++] = a->sess;
	}
	return n;
}

void runner_handle(struct runner *r, void *tag, short revents)
{
	for (struct run *a = r->runs; a; a = a->next)
		if (a->sess == tag && !a->dead) {
			vici_session_handle(a->sess, revents);
			return;
		}
}

void runner_tick(struct runner *r, int64_t now)
{
	for (struct run *a = r->runs; a; a = a->next)
		if (!a->dead)
			vici_session_tick(a->sess, now);
}

int64_t runner_deadline(const struct runner *r)
{
	int64_t d = -1;
	for (const struct run *a = r->runs; a; a = a->next) {
		if (!a->dead)
			d = vici_deadline_min(d, vici_session_next_deadline(a->sess));
	}
	return d;
}

void runner_reap(struct runner *r)
{
	struct run **pp = &r->runs;
	while (*pp) {
		struct run *a = *pp;
		if (!a->dead) {
			pp = &a->next;
			continue;
		}
		*pp = a->next;
		if (a->req)
			vici_request_cancel(a->req);
		vici_session_free(a->sess);
		free(a->label);
		free(a->swanctl);
		free(a->ike);
		free(a->child);
		free(a);
	}
}
