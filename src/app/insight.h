/*
 * The monitor's insight: the diagnosis engine (model/diag.h) fed with what
 * the monitor learns, and the history store (model/store.h) read for the
 * panes (ui/hist.h).
 *
 * The engine. The loop calls insight_turn() once per turn with the change
 * flags it took from the model: new log lines and SA events go to the
 * engine at once (diag_feed_model()); the tables are judged
 * (diag_update(), with the tables the model holds a complete listing of)
 * at the first listing of each, after the SA set, the connections or the
 * policies changed at most every two seconds (further apart on large
 * gateways: judgements take about half a percent of a core), and every
 * few seconds while an IKE SA is CONNECTING,
 * so that one that stays so longer than the engine's grace becomes a
 * verdict while nothing else changes. Counter-only refreshes cost nothing
 * here.
 * act.c hands over each action's outcome (insight_action()).
 *
 * The store. Opened read-only, so the monitor and a recorder share one
 * store: flap counts and rate series are read once a minute, a
 * connection's timeline while a detail view shows it (again every few
 * seconds), older events when the events pane scrolls past its ring. A
 * store that cannot be read is said once (insight_message()); the monitor
 * then works as without one and tries to open it again once a minute.
 */
#ifndef SWANTOP_APP_INSIGHT_H
#define SWANTOP_APP_INSIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/runner.h"
#include "model/diag.h"
#include "model/model.h"
#include "ui/hist.h"

struct insight;

/* The history store's default path for this user (store_default_path()
 * with the effective uid, $XDG_STATE_HOME and $HOME) in buf; 0, or
 * negative when there is none (no HOME). */
int insight_store_path(char *buf, size_t size);
/* The same path, if that file exists (a recorder keeps it); else NULL. */
const char *insight_default_db(char *buf, size_t size);

/* db: the history store's path, NULL for none (no history features).
 * Opens it at once (insight_message() says if that failed); now is
 * monotonic ms. */
struct insight *insight_new(const char *db, int64_t now);
void insight_free(struct insight *in);

/* The engine and the history, for the panes. */
const struct diag *insight_diag(const struct insight *in);
struct hist *insight_hist(struct insight *in);

/* A message for the status line, once (the store could not be opened or
 * read), with its theme role; NULL if there is none. */
const char *insight_message(struct insight *in, int *role);

/* One loop turn: changes are the model's change flags of the turn; now is
 * monotonic ms, wall the wall-clock ms. Returns true when what the panes
 * show of it changed (a verdict, history). */
bool insight_turn(struct insight *in, const struct model *m, unsigned changes, int64_t now,
                  int64_t wall);
/* The outcome of an operator's action. */
void insight_action(struct insight *in, int64_t now, const struct run_result *r);
/* The monotonic ms insight_turn() has work at (-1: none). */
int64_t insight_deadline(const struct insight *in);

#endif
