/*
 * The panes' side of the "/" filter language (model/filter.h): each pane
 * names the fields of its rows in a table (pane_ops.fields), and what is
 * shared lives here: the getters' helpers, the problems view (the
 * "problem" field of the SA and connections panes, is:problem) and the
 * help on the language generated from the tables (:help filter, "?").
 *
 * A getter of a pane's table gets that pane's row item (struct sa_item
 * for the SA tree, see the pane) which carries the pane_ctx it was matched
 * in: fields such as "why" and "problem" read the verdicts and the time
 * from it.
 */
#ifndef SWANTOP_UI_FIELDS_H
#define SWANTOP_UI_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/filter.h"
#include "model/model.h"

struct pane;
struct pane_ctx;
struct diag;
struct diag_verdict;

/* A REKEYING or REKEYED SA this long past its rekey time is stuck (ms). */
#define FIELDS_REKEY_STUCK_MS 60000
/* A filter that reads "problem" is matched again this often (ms): the
 * answer moves with the time (a rekey that becomes stuck). */
#define FIELDS_PROBLEM_REMATCH_MS 5000

/* The term the problems view adds to a pane's filter. */
#define FIELDS_PROBLEM_TERM "is:problem"

/* Helpers for getters: one value (a model string, a C string, a list's
 * items, a number in decimal). Each returns what visit returned. */
bool fields_str(struct model_str s, filter_visit_fn visit, void *ctx);
bool fields_cstr(const char *s, filter_visit_fn visit, void *ctx);
bool fields_list(const struct model_list *l, filter_visit_fn visit, void *ctx);
bool fields_u64(uint64_t v, filter_visit_fn visit, void *ctx);

/* The SA tree's rows (the SA pane's items): an IKE SA (child NULL) or one
 * of its CHILD SAs, matched in c. */
struct sa_item {
	const struct model_ike *ike;
	const struct model_child *child;
	const struct pane_ctx *c;
};

/* What needs attention about an SA, as one word, or NULL: the code of a
 * current verdict on it ("half-open", "no-proposal", ...), else
 * "rekey-stuck" for a REKEYING/REKEYED SA FIELDS_REKEY_STUCK_MS past its
 * rekey time, else the state of an IKE SA not ESTABLISHED or a CHILD SA not
 * INSTALLED or ROUTED ("CONNECTING", "DELETING", ...). */
const char *fields_sa_problem(const struct model_ike *ike, const struct model_child *child,
                              const struct diag *d, int64_t now);

/* The problem word of a verdict (its code) or NULL for none. */
const char *fields_verdict_problem(const struct diag_verdict *v);

/* Compiles p->filter (with FIELDS_PROBLEM_TERM in front while p->problems
 * is on) against the pane's table into p->match. On error p->filter_err
 * gets the message and p->match stays what it was (the last filter that
 * compiled); else p->filter_err is "". Returns 0 or -EINVAL. */
int fields_compile(struct pane *p);

/* Whether the pane's table has a "problem" field (the problems view). */
bool fields_has_problems(const struct pane *p);

/* The filter language's help: the syntax, then each pane's fields (visible
 * ones first, as free text searches them), from the panes' tables; one
 * call of emit per line. */
void fields_help(void (*emit)(const char *line, void *arg), void *arg);

#endif
