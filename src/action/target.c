/*
 * Targets: what a verb acts on, held by identity so that it survives
 * changes of the model, and followed across rekeys.
 *
 * An SA's unique id changes with every rekey. charon's ike-rekey and
 * child-rekey events name the successor, and the model keeps that link
 * after the old SA is gone. When no event was seen (the listener was
 * reconnecting, or the rekey happened between two sweeps), a CHILD SA is
 * found again by what stays the same: its name and reqid, under its IKE SA
 * or that IKE SA's successor. What cannot be found is gone: a target is
 * never moved to some other SA. The rule is the model's (model_sa_follow()),
 * shared with the SA pane's selection.
 */
#include <errno.h>
#include <string.h>

#include "action/action.h"

bool target_name_set(struct target_name *n, const void *s, size_t len)
{
	if (len > TARGET_NAME_MAX) {
		n->len = 0;
		n->s[0] = '\0';
		return false;
	}
	memcpy(n->s, s, len);
	n->s[len] = '\0';
	n->len = (uint16_t)len;
	return true;
}

void target_ike_sa(struct target *t, const struct model_ike *ike)
{
	memset(t, 0, sizeof(*t));
	t->kind = TARGET_IKE_SA;
	t->ike_id = ike->uniqueid;
	t->epoch = ike->epoch;
	target_name_set(&t->ike, ike->name.s, ike->name.len);
}

void target_child_sa(struct target *t, const struct model_ike *ike, const struct model_child *c)
{
	target_ike_sa(t, ike);
	t->kind = TARGET_CHILD_SA;
	t->child_id = c->uniqueid;
	t->reqid = c->reqid;
	target_name_set(&t->child, c->name.s, c->name.len);
}

void target_conn(struct target *t, const struct model_conn *c, const struct model_conn_child *ch)
{
	memset(t, 0, sizeof(*t));
	t->kind = ch ? TARGET_CHILD_CONF : TARGET_CONN;
	target_name_set(&t->ike, c->name.s, c->name.len);
	if (ch)
		target_name_set(&t->child, ch->name.s, ch->name.len);
}

static bool name_eq(const struct target_name *a, const struct target_name *b)
{
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

bool target_same(const struct target *a, const struct target *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TARGET_IKE_SA:
		return a->ike_id == b->ike_id;
	case TARGET_CHILD_SA:
		return a->child_id == b->child_id;
	default:
		return name_eq(&a->ike, &b->ike) && name_eq(&a->child, &b->child) &&
		       name_eq(&a->arg, &b->arg);
	}
}

int target_follow(const struct model *m, struct target *t)
{
	if (t->kind != TARGET_IKE_SA && t->kind != TARGET_CHILD_SA)
		return 0;
	struct model_sa_ref r = {
	        .ike_id = t->ike_id,
	        .child_id = t->kind == TARGET_CHILD_SA ? t->child_id : 0,
	        .reqid = t->reqid,
	        .child_name = {t->child.s, t->child.len},
	        .epoch = t->epoch,
	};
	if (!model_sa_follow(m, &r, NULL))
		return -ENOENT;
	t->ike_id = r.ike_id;
	if (t->kind == TARGET_CHILD_SA)
		t->child_id = r.child_id;
	return 0;
}
