/*
 * The recorder: `swantop record` keeps what charon does in the history
 * store (model/store.h) while nobody watches, for `swantop history`,
 * `swantop why` and the monitor's history views.
 *
 * It runs the monitor's feed (app/feed.h: the listener session, budgeted
 * counter polling, reconnects and restart detection) without a terminal
 * and the monitor's diagnosis engine (app/insight.h, without a store to
 * read), and turns what they learn into store records:
 *
 *   - every SA event of the model's events ring (ike-up/down, child-up/down,
 *     ike-rekey, child-rekey, ike-update); a child-down charon sends for a
 *     CHILD SA it had rekeyed already is no outage and is left out;
 *   - a diagnosis verdict when it appears or changes (another code, side or
 *     streak), with its evidence;
 *   - the link: a gap from when charon was lost (or the recorder stopped:
 *     store_alive()) to when it answered again, a reconnect, and a restart
 *     when charon came back with a new start time;
 *   - charon's alerts, as notices;
 *   - the counters of every CHILD SA after each full listing (at most every
 *     sample interval, further apart when the budget says so).
 *
 * Operators' actions (control-log, results) run on the monitor's own
 * connections and never reach a listener: they are not recorded, but what
 * they cause is (the SA events, and a verdict when an initiate fails).
 *
 * The part that decides what to record (struct recorder) is apart from the
 * loop, so that tests feed it a model and a diagnosis engine and read the
 * store back. Times: the model's are monotonic ms, the store's wall-clock
 * ms; the caller passes the difference (wall - monotonic) with each call.
 */
#ifndef SWANTOP_APP_RECORD_H
#define SWANTOP_APP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/diag.h"
#include "model/model.h"
#include "model/store.h"

/* Counters are sampled at most this often unless told otherwise (ms). */
#define RECORD_INTERVAL_DEFAULT_MS 60000

struct recorder;

/* A recorder writing into s (borrowed, read-write). alive: when a recorder
 * was last seen alive on this store (store_alive(); 0: never): the gap up
 * to the first connection begins there. */
struct recorder *recorder_new(struct store *s, int64_t alive);
void recorder_free(struct recorder *r);

/* The new entries of the model's events ring (since the last call) into the
 * store's queue. */
void recorder_events(struct recorder *r, const struct model *m, int64_t wall_offset);
/* The verdicts of d that appeared or changed since the last call. */
void recorder_verdicts(struct recorder *r, const struct diag *d, int64_t wall_offset);
/* One sample per CHILD SA of every IKE SA listed since the last call
 * (call it after a full listing). Returns the number of samples taken. */
size_t recorder_samples(struct recorder *r, const struct model *m, int64_t wall_offset);

/* The monitor connection's state at wall-clock `wall`: up (charon
 * answered) or lost (why: its error). A lost link begins a gap; the next
 * up ends it (a gap record and, within a run, a reconnect record). */
void recorder_link(struct recorder *r, bool up, const char *why, int64_t wall);
/* charon restarted (a new start time; since: charon's words for it). */
void recorder_restart(struct recorder *r, const char *since, int64_t wall);
/* A notice (e.g. charon's alert), as text. */
void recorder_notice(struct recorder *r, const char *text, int64_t wall);
/* Records queued through this recorder so far, by kind (for the tests and
 * the exit line). */
unsigned long recorder_count(const struct recorder *r, enum store_kind k);
unsigned long recorder_sampled(const struct recorder *r);

/* ---- the recorder's loop -------------------------------------------------- */

struct record_config {
	const char *uri;    /* NULL: charon's default socket */
	const char *db;     /* the store's path (required) */
	double budget;      /* ms of charon CPU per second (FEED_BUDGET_DEFAULT) */
	int interval_ms;    /* counter samples at most this often: 1000..3600000 */
	uint64_t max_bytes; /* the store's size cap; 0: the default */
};

/* Exit codes of record_run(). */
enum record_exit {
	RECORD_EXIT_OK = 0,    /* stopped by SIGTERM/SIGINT/SIGHUP, all written */
	RECORD_EXIT_STORE = 1, /* the store cannot be opened, locked or written */
};

/* Opens the store read-write (creating it), refuses if another recorder
 * writes it, and records until SIGTERM, SIGINT or SIGHUP; then writes
 * what is queued and closes the store. Messages (the store, the link to
 * charon) go to stderr, one line each. Returns an enum record_exit. */
int record_run(const struct record_config *c);

#endif
