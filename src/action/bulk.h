/*
 * Bulk actions: one verb on several targets (the marked rows). A bulk plan
 * is the plans of every target put end to end, each request knowing whose
 * it is, so that the confirmation question can name the targets and the
 * swanctl commands ("terminate 3 SAs: site1 #4, site2 #7, site3 #9?
 * [swanctl --terminate --ike-id 4; ...]") and the result line can count
 * what worked and say what failed with charon's message ("2 of 3
 * terminated; failed: site2 #7: ..."). Targets that have nothing to do
 * (initiate of what is up) are skipped and said so. Pure: the caller starts
 * the requests (action/runner.h) and reports each outcome here.
 */
#ifndef SWANTOP_ACTION_BULK_H
#define SWANTOP_ACTION_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/action.h"
#include "action/marks.h"

/* Requests of one bulk action running at once: leaves the runner room for
 * the operator's other actions (RUNNER_MAX_RUNNING). */
#define BULK_MAX_RUNNING 4

struct bulk {
	enum verb verb;
	struct plan plan;  /* every target's requests, in the targets' order (owned) */
	char (*who)[96];   /* plan.req[i]'s target, short ("site1 #4"), sanitised */
	size_t n_targets;  /* targets asked for */
	size_t n_acting;   /* of them, those with requests */
	unsigned kinds;    /* 1 << kind of each acting target */
	size_t n_skipped;  /* targets with nothing to do, or refused */
	char skipped[256]; /* their notes, "; "-joined (cut to fit) */
	/* progress, as the caller reports it */
	size_t next; /* the next request to start */
	size_t n_done, n_ok, n_failed;
	char failed[512]; /* "site2 #7: why; ..." (sanitised, cut to fit) */
};

/* A short name of a target for questions and results ("site1 #4",
 * "site1-lan #c9", "site1", "site1/site1-lan"), sanitised; returns buf. */
const char *target_short(const struct target *t, char *buf, size_t size);

/* Plans verb v on the n targets ts (copied; force as for verb_plan()) into
 * b, which must be released with bulk_free() whatever came of it. */
void bulk_plan(struct bulk *b, const struct model *m, enum verb v, const struct target *ts,
               size_t n, bool force);
void bulk_free(struct bulk *b);

/* The confirmation question: "terminate 3 SAs: site1 #4, site2 #7, site3
 * #9? (y/n)  [swanctl --terminate --ike-id 4; ...]", names and commands
 * shortened to fit size (always NUL-terminated). */
void bulk_question(const struct bulk *b, char *buf, size_t size);
/* What starting it says: "terminate 3 SAs: started (site1 #4, ...)". */
void bulk_started(const struct bulk *b, char *buf, size_t size);

/* The caller reports how request i ended (outcome: charon's errmsg when it
 * failed, raw bytes). Returns true once every request has ended. */
bool bulk_result(struct bulk *b, size_t i, bool ok, const char *outcome);
/* The result line: "3 of 3 terminated", "2 of 3 terminated; failed: site2
 * #7: why", with skipped targets and the swanctl commands. */
void bulk_summary(const struct bulk *b, char *buf, size_t size);

/* "terminated", "rekeyed", ... (for counts: "3 of 3 terminated"). */
const char *verb_past(enum verb v);

#endif
