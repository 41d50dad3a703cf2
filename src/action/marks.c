/*
 * Marks (see marks.h): a small array of targets, searched linearly; the
 * operator marks rows by hand, so there are few.
 */
#include "action/marks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

void marks_init(struct marks *mk)
{
	memset(mk, 0, sizeof(*mk));
}

void marks_free(struct marks *mk)
{
	free(mk->t);
	marks_init(mk);
}

static long find(const struct marks *mk, const struct target *t)
{
	for (size_t i = 0; i < mk->n; i++)
		if (target_same(&mk->t[i], t))
			return (long)i;
	return -1;
}

static void drop(struct marks *mk, size_t i)
{
	memmove(&mk->t[i], &mk->t[i + 1], (mk->n - i - 1) * sizeof(*mk->t));
	mk->n--;
}

int marks_toggle(struct marks *mk, const struct target *t)
{
	if (t->kind != TARGET_IKE_SA && t->kind != TARGET_CHILD_SA && t->kind != TARGET_CONN &&
	    t->kind != TARGET_CHILD_CONF)
		return -EINVAL;
	long i = find(mk, t);
	if (i >= 0) {
		drop(mk, (size_t)i);
		return 0;
	}
	if (mk->n >= MARKS_MAX)
		return -ENOSPC;
	if (mk->n == mk->cap) {
		mk->cap = mk->cap ? mk->cap * 2 : 16;
		mk->t = xreallocarray(mk->t, mk->cap, sizeof(*mk->t));
	}
	mk->t[mk->n++] = *t;
	return 1;
}

size_t marks_clear(struct marks *mk, unsigned mask)
{
	size_t k = 0, gone = 0;
	for (size_t i = 0; i < mk->n; i++) {
		if (mask & (1u << mk->t[i].kind))
			gone++;
		else
			mk->t[k++] = mk->t[i];
	}
	mk->n = k;
	return gone;
}

size_t marks_count(const struct marks *mk, unsigned mask)
{
	size_t n = 0;
	for (size_t i = 0; i < mk->n; i++)
		if (mask & (1u << mk->t[i].kind))
			n++;
	return n;
}

bool marks_has_sa(const struct marks *mk, uint32_t ike_id, uint32_t child_id)
{
	for (size_t i = 0; i < mk->n; i++) {
		const struct target *t = &mk->t[i];
		if (child_id ? t->kind == TARGET_CHILD_SA && t->child_id == child_id
		             : t->kind == TARGET_IKE_SA && t->ike_id == ike_id)
			return true;
	}
	return false;
}

static bool bytes_eq(const struct target_name *n, const void *s, size_t len)
{
	return n->len == len && (!len || !memcmp(n->s, s, len));
}

bool marks_has_conn(const struct marks *mk, const void *conn, size_t conn_len, const void *child,
                    size_t child_len)
{
	for (size_t i = 0; i < mk->n; i++) {
		const struct target *t = &mk->t[i];
		if (t->kind != (child ? TARGET_CHILD_CONF : TARGET_CONN) ||
		    !bytes_eq(&t->ike, conn, conn_len))
			continue;
		if (!child || bytes_eq(&t->child, child, child_len))
			return true;
	}
	return false;
}

static bool conn_exists(const struct model *m, const struct target *t)
{
	const struct model_conn *c = model_conn_find(m, t->ike.s, t->ike.len);
	if (!c || t->kind == TARGET_CONN)
		return c != NULL;
	for (size_t i = 0; i < c->n_children; i++)
		if (bytes_eq(&t->child, c->children[i].name.s, c->children[i].name.len))
			return true;
	return false;
}

size_t marks_follow(struct marks *mk, const struct model *m)
{
	size_t k = 0, gone = 0;
	for (size_t i = 0; i < mk->n; i++) {
		struct target t = mk->t[i];
		bool alive = t.kind == TARGET_CONN || t.kind == TARGET_CHILD_CONF
		                     ? conn_exists(m, &t)
		                     : target_follow(m, &t) == 0;
		bool twice = false;
		for (size_t j = 0; alive && j < k; j++)
			twice = twice || target_same(&mk->t[j], &t);
		if (!alive || twice) {
			gone++;
			continue;
		}
		mk->t[k++] = t;
	}
	mk->n = k;
	return gone;
}
