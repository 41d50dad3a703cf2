/*
 * The verb table and what every verb's planning shares: requests with their
 * labels and swanctl equivalents, notes, and names made safe for the screen
 * and for a shell.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action/action.h"
#include "util/sanitize.h"
#include "vici/wire.h"
#include "vici/xmalloc.h"

static const struct verb_def *const verbs[VERB_COUNT] = {
        [VERB_INITIATE] = &verb_initiate, [VERB_TERMINATE] = &verb_terminate,
        [VERB_REKEY] = &verb_rekey,       [VERB_REDIRECT] = &verb_redirect,
        [VERB_INSTALL] = &verb_install,   [VERB_UNINSTALL] = &verb_uninstall,
};

const struct verb_def *verb_get(enum verb v)
{
	return v > VERB_NONE && v < VERB_COUNT ? verbs[v] : NULL;
}

void verb_plan(const struct model *m, enum verb v, const struct target *t, bool force,
               struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->verb = v;
	const struct verb_def *d = verb_get(v);
	if (!d) {
		plan_note(p, true, "no such action");
		return;
	}
	if (t->kind == TARGET_NONE) {
		plan_note(p, true, "%s: nothing selected", d->name);
		return;
	}
	d->plan(m, t, force, p);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->req[i].msg);
	free(p->req);
	p->req = NULL;
	p->n = 0;
}

int plan_push(struct plan *p, struct vici_builder *b, const char *label, const char *swanctl)
{
	uint8_t *msg;
	size_t len;
	if (vici_builder_finish(b, &msg, &len) < 0) {
		plan_free(p);
		plan_note(p, true, "%s: a name is too long for VICI", label);
		return -EINVAL;
	}
	p->req = xreallocarray(p->req, p->n + 1, sizeof(*p->req));
	struct request *r = &p->req[p->n++];
	memset(r, 0, sizeof(*r));
	plan_fmt(r->label, sizeof(r->label), "%s", label);
	plan_fmt(r->swanctl, sizeof(r->swanctl), "%s", swanctl);
	r->msg = msg;
	r->len = len;
	return 0;
}

void plan_blocking(struct vici_builder *b)
{
	/* >= 0: charon waits for the outcome and streams control-log. */
	vici_builder_add_fmt(b, "timeout", "%d", ACTION_CHARON_TIMEOUT_MS);
	vici_builder_add_str(b, "loglevel", "1");
}

void plan_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

const char *plan_safe(char *buf, size_t size, const struct target_name *n)
{
	sanitize_buf(buf, size, n->s, n->len, 0);
	return buf;
}

const char *plan_quote(char *buf, size_t size, const struct target_name *n)
{
	char safe[TARGET_NAME_MAX * 4 + 1];
	sanitize_buf(safe, sizeof(safe), n->s, n->len, 0);
	bool plain = safe[0] != '\0';
	for (const char *c = safe; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:@%+"
		            "/=",
		            *c) &&
		    !((unsigned char)*c & 0x80))
			plain = false;
	if (plain) {
		snprintf(buf, size, "%s", safe);
		return buf;
	}
	/* '...' with every ' written as '\'' */
	size_t k = 0;
	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[k++] = '\'';
	for (const char *c = safe; *c && k + 5 < size; c++) {
		if (*c == '\'') {
			memcpy(buf + k, "'\\''", 4);
			k += 4;
		} else {
			buf[k++] = *c;
		}
	}
	buf[k++] = '\'';
	buf[k] = '\0';
	return buf;
}

void plan_note(struct plan *p, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->note, sizeof(p->note), fmt, ap);
	va_end(ap);
	p->error = error;
}

bool plan_is_ike_name(const struct model *m, const struct target_name *n)
{
	for (size_t i = 0; i < model_ike_count(m); i++) {
		const struct model_ike *ike = model_ike_at(m, i);
		if (ike->name.len == n->len && !memcmp(ike->name.s, n->s, n->len))
			return true;
	}
	return model_conn_find(m, n->s, n->len) != NULL;
}

int plan_select_sa(const struct model *m, const struct target *t, bool ike_only,
                   struct vici_builder *b, char *what, size_t whatsize, char *sw, size_t swsize)
{
	char a[TARGET_NAME_MAX * 4 + 1], q[TARGET_NAME_MAX * 4 + 3];
	switch (t->kind) {
	case TARGET_IKE_SA:
		vici_builder_add_fmt(b, "ike-id", "%u", t->ike_id);
		if (t->ike.len)
			plan_fmt(what, whatsize, "IKE SA %s #%u", plan_safe(a, sizeof(a), &t->ike),
			         t->ike_id);
		else
			plan_fmt(what, whatsize, "#%u", t->ike_id);
		plan_fmt(sw, swsize, "--ike-id %u", t->ike_id);
		return 0;
	case TARGET_CHILD_SA:
		if (ike_only) {
			struct target ike = *t;
			ike.kind = TARGET_IKE_SA;
			return plan_select_sa(m, &ike, true, b, what, whatsize, sw, swsize);
		}
		vici_builder_add_fmt(b, "child-id", "%u", t->child_id);
		if (t->child.len)
			plan_fmt(what, whatsize, "CHILD SA %s c%u",
			         plan_safe(a, sizeof(a), &t->child), t->child_id);
		else
			plan_fmt(what, whatsize, "#c%u", t->child_id);
		plan_fmt(sw, swsize, "--child-id %u", t->child_id);
		return 0;
	case TARGET_CONN:
	case TARGET_CHILD_CONF:
	case TARGET_NAME: {
		bool ike = t->kind == TARGET_CONN || ike_only ||
		           (t->kind == TARGET_NAME && plan_is_ike_name(m, &t->ike));
		const struct target_name *n = ike || !t->child.len ? &t->ike : &t->child;
		vici_builder_addn(b, ike ? "ike" : "child", ike ? 3 : 5, n->s, n->len);
		plan_fmt(what, whatsize, "%s", plan_safe(a, sizeof(a), n));
		plan_fmt(sw, swsize, "--%s %s", ike ? "ike" : "child", plan_quote(q, sizeof(q), n));
		return 0;
	}
	default:
		return -EINVAL;
	}
}

void plan_on_sa(const struct model *m, const struct target *t, const char *verb, bool blocking,
                struct plan *p)
{
	struct vici_builder b;
	char what[300], opts[300], label[256], sw[320];
	vici_builder_init(&b);
	if (plan_select_sa(m, t, false, &b, what, sizeof(what), opts, sizeof(opts)) < 0) {
		vici_builder_reset(&b);
		plan_note(p, true, "%s acts on SAs: press 1 and select the SA", verb);
		return;
	}
	if (blocking)
		plan_blocking(&b);
	plan_fmt(label, sizeof(label), "%s %s", verb, what);
	plan_fmt(sw, sizeof(sw), "swanctl --%s %s", verb, opts);
	plan_push(p, &b, label, sw);
}
