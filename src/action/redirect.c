/*
 * redirect: ask the peer of an IKE SA to go to another gateway (RFC 5685).
 * Asks first; charon only queues it.
 */
#include <stdio.h>

#include "action/action.h"
#include "vici/wire.h"

static void plan(const struct model *m, const struct target *t, bool force, struct plan *p)
{
	(void)force;
	struct vici_builder b;
	char what[300], opts[300], label[256], sw[320], gw[TARGET_NAME_MAX * 4 + 3];
	if (!t->arg.len) {
		plan_note(p, true, "redirect: which gateway? (redirect SA GATEWAY)");
		return;
	}
	vici_builder_init(&b);
	if (plan_select_sa(m, t, true, &b, what, sizeof(what), opts, sizeof(opts)) < 0) {
		vici_builder_reset(&b);
		plan_note(p, true, "redirect acts on IKE SAs");
		return;
	}
	vici_builder_addn(&b, "gateway", 7, t->arg.s, t->arg.len);
	plan_fmt(label, sizeof(label), "redirect %s to %s", what,
	         plan_safe(gw, sizeof(gw), &t->arg));
	plan_fmt(sw, sizeof(sw), "swanctl --redirect %s --gateway %s", opts,
	         plan_quote(gw, sizeof(gw), &t->arg));
	plan_push(p, &b, label, sw);
}

const struct verb_def verb_redirect = {
        .verb = VERB_REDIRECT,
        .name = "redirect",
        .doing = "redirecting",
        .destructive = true,
        .queued = true,
        .plan = plan,
};
