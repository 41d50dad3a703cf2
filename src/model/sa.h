/*
 * The SA table's operations for the files above it (sa.c): the SA event
 * ingesters build on the storage and apply functions, the model's lifetime
 * and sweeps on the table-wide ones. Internal to src/model.
 */
#ifndef SWANTOP_MODEL_SA_H
#define SWANTOP_MODEL_SA_H

#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct model;
struct sweep;

/* ---- one SA ------------------------------------------------------------- */

/* Updates (or creates) the IKE SA described by the decoded f (whose strings
 * are made the model's own in place, see sa_own_ike()); its CHILD SAs are
 * not touched. *prev_at (if not NULL) gets
 * the SA's previous update time. Adds change flags to *fl. */
struct model_ike *ike_apply(struct model *m, struct model_ike *f, int64_t now, unsigned *fl,
                            int64_t *prev_at);
/* Removes an IKE SA (with its CHILD SAs) and leaves a tombstone for it. */
void ike_remove(struct model *m, struct model_ike *ike, int64_t now);
/* Recomputes the IKE SA's sums over its CHILD SAs. */
void ike_totals(struct model_ike *ike);

/* Updates (or adds) the CHILD SA t of ike (t's strings made the model's own
 * in place) and takes a
 * rate sample. pred_uid names a known predecessor (0: look for a sibling of
 * the same name); prev_ike_at is the IKE SA's previous update time. Adds
 * change flags to *fl. */
struct model_child *child_apply(struct model *m, struct model_ike *ike, struct model_child *t,
                                uint32_t pred_uid, int64_t prev_ike_at, int64_t now, unsigned *fl);
/* The CHILD SA uid of ike (its index in *idx if not NULL), or NULL. */
struct model_child *child_in(struct model_ike *ike, uint32_t uid, size_t *idx);
/* Adds an empty CHILD SA uid at the end of ike's children. */
struct model_child *child_append(struct model *m, struct model_ike *ike, uint32_t uid);
void child_remove_at(struct model *m, struct model_ike *ike, size_t i);
/* Puts ike's CHILD SAs back in order (name, then uniqueid). */
void children_sort(struct model_ike *ike);

/* Records that an SA was removed (removed) or replaced by succ. */
void tomb_add(struct model *m, bool child, uint32_t uid, uint32_t succ, bool removed, int64_t now);

/* ---- the table ---------------------------------------------------------- */

/* Ends the SA refresh s (already closed): removes what it missed. Returns
 * change flags. */
int sa_sweep_end(struct model *m, const struct sweep *s);
/* Removes every SA. Returns change flags. */
int sa_clear(struct model *m);
/* Frees every SA and the table itself (model_free). */
void sa_free_all(struct model *m);
/* Folds or unfolds one IKE SA in the views. */
void sa_set_fold(struct model *m, uint32_t ike_id, bool folded);

#endif
