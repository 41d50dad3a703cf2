/*
 * terminate: an IKE SA (with its CHILD SAs) or one CHILD SA, by unique id,
 * or by name as typed on the command line. Asks first. charon is asked to
 * wait for the outcome so that its control-log shows what happens.
 */
#include <stdio.h>

#include "action/action.h"
#include "vici/wire.h"

static void plan(const struct model *m, const struct target *t, bool force, struct plan *p)
{
	(void)force;
	struct vici_builder b;
	char what[300], opts[300], label[256], sw[320];
	vici_builder_init(&b);
	if (plan_select_sa(m, t, false, &b, what, sizeof(what), opts, sizeof(opts)) < 0) {
		vici_builder_reset(&b);
		plan_note(p, true, "terminate acts on SAs: press 1 and select the SA");
		return;
	}
	plan_blocking(&b);
	plan_fmt(label, sizeof(label), "terminate %s", what);
	plan_fmt(sw, sizeof(sw), "swanctl --terminate %s", opts);
	plan_push(p, &b, label, sw);
}

const struct verb_def verb_terminate = {
        .verb = VERB_TERMINATE,
        .name = "terminate",
        .doing = "terminating",
        .destructive = true,
        .plan = plan,
};
