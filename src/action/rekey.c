/*
 * rekey: an IKE SA or one CHILD SA, by unique id or by name. charon only
 * queues the rekey and answers at once; the rekey events tell the rest.
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
		plan_note(p, true, "rekey acts on SAs: press 1 and select the SA");
		return;
	}
	plan_fmt(label, sizeof(label), "rekey %s", what);
	plan_fmt(sw, sizeof(sw), "swanctl --rekey %s", opts);
	plan_push(p, &b, label, sw);
}

const struct verb_def verb_rekey = {
        .verb = VERB_REKEY,
        .name = "rekey",
        .doing = "rekeying",
        .queued = true,
        .plan = plan,
};
