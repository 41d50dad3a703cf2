/*
 * install and uninstall: the trap policy of a child config, so that
 * matching traffic starts the tunnel (install) or no longer does
 * (uninstall, which asks first).
 */
#include <stdio.h>

#include "action/action.h"
#include "vici/wire.h"

static void plan_policy(const struct target *t, bool install, struct plan *p)
{
	/* A typed name is the child; a child config from a pane has both. */
	const struct target_name *child = t->kind == TARGET_NAME ? &t->ike : &t->child;
	const struct target_name *ike = t->kind == TARGET_NAME ? &t->arg : &t->ike;
	const char *verb = install ? "install" : "uninstall";
	char a[TARGET_NAME_MAX * 4 + 1], qa[TARGET_NAME_MAX * 4 + 3], qb[TARGET_NAME_MAX * 4 + 3];
	char label[256], sw[320];
	if (!child->len) {
		plan_note(p, true, "%s acts on a child config (%s CHILD [IKE])", verb, verb);
		return;
	}
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_addn(&b, "child", 5, child->s, child->len);
	if (ike->len)
		vici_builder_addn(&b, "ike", 3, ike->s, ike->len);
	plan_fmt(label, sizeof(label), "%s %s", verb, plan_safe(a, sizeof(a), child));
	if (ike->len)
		plan_fmt(sw, sizeof(sw), "swanctl --%s --child %s --ike %s", verb,
		         plan_quote(qa, sizeof(qa), child), plan_quote(qb, sizeof(qb), ike));
	else
		plan_fmt(sw, sizeof(sw), "swanctl --%s --child %s", verb,
		         plan_quote(qa, sizeof(qa), child));
	plan_push(p, &b, label, sw);
}

static void plan_install(const struct model *m, const struct target *t, bool force, struct plan *p)
{
	(void)m, (void)force;
	plan_policy(t, true, p);
}

static void plan_uninstall(const struct model *m, const struct target *t, bool force,
                           struct plan *p)
{
	(void)m, (void)force;
	plan_policy(t, false, p);
}

const struct verb_def verb_install = {
        .verb = VERB_INSTALL,
        .name = "install",
        .doing = "installing",
        .plan = plan_install,
};

const struct verb_def verb_uninstall = {
        .verb = VERB_UNINSTALL,
        .name = "uninstall",
        .doing = "uninstalling",
        .destructive = true,
        .plan = plan_uninstall,
};
