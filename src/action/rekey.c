/*
 * rekey: an IKE SA or one CHILD SA, by unique id or by name. charon only
 * queues the rekey and answers at once; the rekey events tell the rest.
 */
#include "action/action.h"

static void plan(const struct model *m, const struct target *t, bool force, struct plan *p)
{
	(void)force;
	plan_on_sa(m, t, "rekey", false, p);
}

const struct verb_def verb_rekey = {
        .verb = VERB_REKEY,
        .name = "rekey",
        .doing = "rekeying",
        .queued = true,
        .plan = plan,
};
