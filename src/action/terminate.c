/*
 * terminate: an IKE SA (with its CHILD SAs) or one CHILD SA, by unique id,
 * or by name as typed on the command line. Asks first. charon is asked to
 * wait for the outcome so that its control-log shows what happens.
 */
#include "action/action.h"

static void plan(const struct model *m, const struct target *t, bool force, struct plan *p)
{
	(void)force;
	plan_on_sa(m, t, "terminate", true, p);
}

const struct verb_def verb_terminate = {
        .verb = VERB_TERMINATE,
        .name = "terminate",
        .doing = "terminating",
        .destructive = true,
        .plan = plan,
};
