/*
 * initiate: start a connection's children, one child config, or an IKE SA
 * alone (a connection without children).
 *
 * A key press must not stack a duplicate SA on one that is up, so what is
 * up already is left alone and said so; an explicit command (force) starts
 * another. Each child gets a request of its own: charon's initiate takes
 * one child, and a connection with two children needs both.
 */
#include <stdio.h>
#include <string.h>

#include "action/action.h"
#include "vici/wire.h"

static bool name_is(struct model_str s, const struct target_name *n)
{
	return s.len == n->len && !memcmp(s.s, n->s, n->len);
}

/* Is a CHILD SA of connection conn and child config child installed (child
 * NULL: is an IKE SA of the connection established)? */
static bool up(const struct model *m, const struct target_name *conn,
               const struct target_name *child)
{
	for (size_t i = 0; i < model_ike_count(m); i++) {
		const struct model_ike *ike = model_ike_at(m, i);
		if (!name_is(ike->name, conn))
			continue;
		if (!child) {
			if (ike->state == MODEL_IKE_ESTABLISHED)
				return true;
			continue;
		}
		for (size_t j = 0; j < ike->n_children; j++) {
			const struct model_child *c = &ike->children[j];
			if (c->state == MODEL_CHILD_INSTALLED && name_is(c->name, child))
				return true;
		}
	}
	return false;
}

/* One initiate request: child (may be empty: the IKE SA alone) of
 * connection ike (may be empty: charon looks the child up). */
static void push(struct plan *p, const struct target_name *ike, const struct target_name *child)
{
	char a[TARGET_NAME_MAX * 4 + 1];
	char qa[TARGET_NAME_MAX * 4 + 3], qb[TARGET_NAME_MAX * 4 + 3];
	char label[256], sw[320];
	struct vici_builder bld;
	vici_builder_init(&bld);
	if (child->len) {
		vici_builder_addn(&bld, "child", 5, child->s, child->len);
		plan_fmt(label, sizeof(label), "initiate %s", plan_safe(a, sizeof(a), child));
	} else {
		plan_fmt(label, sizeof(label), "initiate %s", plan_safe(a, sizeof(a), ike));
	}
	if (ike->len)
		vici_builder_addn(&bld, "ike", 3, ike->s, ike->len);
	plan_blocking(&bld);
	if (child->len && ike->len)
		plan_fmt(sw, sizeof(sw), "swanctl --initiate --child %s --ike %s",
		         plan_quote(qa, sizeof(qa), child), plan_quote(qb, sizeof(qb), ike));
	else if (child->len)
		plan_fmt(sw, sizeof(sw), "swanctl --initiate --child %s",
		         plan_quote(qa, sizeof(qa), child));
	else
		plan_fmt(sw, sizeof(sw), "swanctl --initiate --ike %s",
		         plan_quote(qb, sizeof(qb), ike));
	plan_push(p, &bld, label, sw);
}

static void already_up(struct plan *p, const struct target_name *n, bool children)
{
	char a[TARGET_NAME_MAX * 4 + 1];
	plan_safe(a, sizeof(a), n);
	if (children)
		plan_note(p, false,
		          "%s is already up (t terminates, r rekeys; :initiate %s starts another)",
		          a, a);
	else
		plan_note(p, false, "%s is already up", a);
}

/* Every child config of connection c that is not up (all with force). */
static void conn(const struct model *m, const struct model_conn *c, bool force, struct plan *p)
{
	struct target_name ike, child;
	target_name_set(&ike, c->name.s, c->name.len);
	if (c->n_children == 0) {
		struct target_name none = {0};
		if (force || !up(m, &ike, NULL))
			push(p, &ike, &none);
		else
			already_up(p, &ike, false);
		return;
	}
	for (size_t i = 0; i < c->n_children && !p->error; i++) {
		target_name_set(&child, c->children[i].name.s, c->children[i].name.len);
		if (force || !up(m, &ike, &child))
			push(p, &ike, &child);
	}
	if (p->n == 0 && !p->error)
		already_up(p, &ike, true);
}

static void plan(const struct model *m, const struct target *t, bool force, struct plan *p)
{
	const struct model_conn *c = NULL;
	struct target_name none = {0};
	switch (t->kind) {
	case TARGET_CONN:
	case TARGET_IKE_SA:
	case TARGET_NAME:
		c = model_conn_find(m, t->ike.s, t->ike.len);
		if (c) {
			conn(m, c, force || t->kind == TARGET_NAME, p);
			return;
		}
		if (t->kind != TARGET_NAME) {
			push(p, &t->ike, &none);
			return;
		}
		/* A name that is no connection: the child config of that name,
		 * of whichever connection has it; unknown here, charon decides
		 * (and says so clearly). */
		for (size_t i = 0; i < model_conn_count(m); i++) {
			const struct model_conn *cc = model_conn_at(m, i);
			for (size_t j = 0; j < cc->n_children; j++)
				if (name_is(cc->children[j].name, &t->ike)) {
					struct target_name ike;
					target_name_set(&ike, cc->name.s, cc->name.len);
					push(p, &ike, &t->ike);
					return;
				}
		}
		push(p, &none, &t->ike);
		return;
	case TARGET_CHILD_SA: {
		const struct model_child *ch = model_child_find(m, t->child_id, NULL);
		if (!force && ch && ch->state == MODEL_CHILD_INSTALLED) {
			already_up(p, &t->child, true);
			return;
		}
		push(p, &t->ike, &t->child);
		return;
	}
	case TARGET_CHILD_CONF:
		if (!force && t->ike.len && up(m, &t->ike, &t->child)) {
			already_up(p, &t->child, true);
			return;
		}
		push(p, &t->ike, &t->child);
		return;
	default:
		plan_note(p, true, "initiate: nothing to initiate");
	}
}

const struct verb_def verb_initiate = {
        .verb = VERB_INITIATE,
        .name = "initiate",
        .doing = "initiating",
        .plan = plan,
};
