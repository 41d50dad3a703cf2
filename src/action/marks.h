/*
 * Marks: the rows the operator picked for a bulk action, held as targets
 * (identities, never positions), so that a mark stays on its SA while rows
 * move, follows it across IKE and CHILD rekeys by the same rule as the
 * selection and the confirmation question (target_follow()), and goes away
 * with it. Connections and child configs are marked by name and go away
 * when they are unloaded. Pure: the caller says when to look at the model
 * again (marks_follow(), once per loop turn).
 */
#ifndef SWANTOP_ACTION_MARKS_H
#define SWANTOP_ACTION_MARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/action.h"

/* Most marks kept at once: a bulk action names its targets one by one, and
 * more than this is a job for swanctl in a loop. */
#define MARKS_MAX 1024

/* Kinds of marks (bits 1 << enum target_kind): SAs, and connections or
 * child configs. */
#define MARKS_SAS ((1u << TARGET_IKE_SA) | (1u << TARGET_CHILD_SA))
#define MARKS_CONNS ((1u << TARGET_CONN) | (1u << TARGET_CHILD_CONF))

struct marks {
	struct target *t; /* n marks, in the order they were made (owned) */
	size_t n, cap;
};

void marks_init(struct marks *mk);
void marks_free(struct marks *mk);
/* Marks t (a copy) or, if it is marked, unmarks it. Returns 1 when marked,
 * 0 when unmarked, -EINVAL for a target that cannot be marked (not an SA,
 * connection or child config), -ENOSPC at MARKS_MAX. */
int marks_toggle(struct marks *mk, const struct target *t);
/* Removes every mark of the kinds in mask; returns how many went. */
size_t marks_clear(struct marks *mk, unsigned mask);
/* The number of marks of the kinds in mask. */
size_t marks_count(const struct marks *mk, unsigned mask);
/* Is the SA (child_id 0: the IKE SA) marked? */
bool marks_has_sa(const struct marks *mk, uint32_t ike_id, uint32_t child_id);
/* Is the connection (child NULL) or its child config marked? Names are
 * raw bytes. */
bool marks_has_conn(const struct marks *mk, const void *conn, size_t conn_len, const void *child,
                    size_t child_len);
/* Follows every SA mark to what it is now (target_follow()) and drops the
 * marks whose SA or connection is gone (and duplicates: two marks that
 * followed onto the same SA). Returns how many were dropped. */
size_t marks_follow(struct marks *mk, const struct model *m);

#endif
