/*
 * The feed: swantop's two long-lived connections to charon and what it asks
 * on them, as a part that needs no terminal, so that the monitor, a
 * recorder and a batch mode run the same sessions and the same budgeted
 * polling.
 *
 * It owns the "monitor" session (list-sas always with noblock, list-conns,
 * list-policies, stats, version; one request at a time, so that each round
 * trip is what that request cost charon) and the "listener" session
 * (ike-updown, child-updown, ike-rekey, child-rekey, ike-update, log, and
 * alert where the daemon has it), the refresh policy and its load budget
 * (refresh.h), and restart detection. It feeds the model it is given: events
 * as they come, refreshes as sweeps, notices (reconnects, a restarted
 * charon, a refresh that failed) into the model's events ring. Its owner
 * drives it from its own poll() loop and tells it what is on screen, if
 * anything, through a callback.
 *
 * A recorder would use it like this (no terminal, no view):
 *
 *   struct model *m = model_new(NULL);
 *   struct feed_config c = {.uri = uri, .model = m, .interval_ms = 60000,
 *                           .budget = FEED_BUDGET_DEFAULT, .sweep_max_ms = 60000,
 *                           .on_event = record_event, .ctx = rec};
 *   struct feed *f = feed_new(&c);
 *   for (;;) {
 *           n = feed_pollfds(f, fds, tags, max);
 *           poll(fds, n, timeout until feed_deadline(f));
 *           for each ready fd: feed_handle(f, tags[i], fds[i].revents);
 *           feed_tick(f, vici_now_ms());
 *           write what model_take_changes() says changed
 *   }
 *   feed_free(f);
 *
 * Errors: functions that can fail return 0 or a negative errno.
 */
#ifndef SWANTOP_APP_FEED_H
#define SWANTOP_APP_FEED_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/refresh.h"
#include "model/model.h"

#define FEED_BUDGET_DEFAULT REFRESH_BUDGET_DEFAULT

struct feed;
struct vici_msg;

/* One of the feed's two connections, for a header. */
struct feed_link {
	const char *role; /* "monitor", "listener" */
	int state;        /* enum vici_session_state */
	bool answered;    /* charon answered on it since it came up */
	char error[256];  /* sanitised last error, "" if none */
	int64_t since;    /* monotonic ms of the last state change */
};

enum feed_link_id { FEED_MONITOR, FEED_LISTENER };

struct feed_config {
	const char *uri;     /* NULL: charon's default socket */
	struct model *model; /* fed by the feed; outlives it */
	int interval_ms;     /* the selected SA's counters (and the rows on screen
	                        when the budget allows): 100..3600000 */
	double budget;       /* ms of charon CPU per second the polling may use
	                        (FEED_BUDGET_DEFAULT); the selected SA and the 10 s
	                        ceiling of the rows on screen are kept above it */
	int sweep_max_ms;    /* > 0: all SAs listed at least this often */
	/* Callbacks, each optional; none is called from inside a feed_*()
	 * function other than feed_handle() and feed_tick(). */
	/* What is on screen: up to max IKE SA ids with a row, top to bottom,
	 * into ids (returns how many), in *selected the IKE SA of the selected
	 * row or of an open detail view (0: none), and in *detail the IKE SA
	 * whose every field is shown (0: none): its raw elements are asked for
	 * at once and kept (model_set_raw_ike()). */
	size_t (*window)(void *ctx, uint32_t *ids, size_t max, uint32_t *selected,
	                 uint32_t *detail);
	/* A link changed state, or something the header shows changed. */
	void (*on_change)(void *ctx);
	/* Something went wrong that is worth a line for the operator (already
	 * in the events ring; text sanitised). */
	void (*on_problem)(void *ctx, const char *text);
	/* charon restarted (the model's SA table was just cleared). */
	void (*on_restart)(void *ctx);
	/* An event arrived on the listener (already in the model). */
	void (*on_event)(void *ctx, const struct vici_msg *m);
	void *ctx;
};

/* Creates both sessions for c->uri and registers the listener's events;
 * nothing is sent before the owner's loop runs. Copies c. */
struct feed *feed_new(const struct feed_config *c);
/* Closes both sessions. NULL is fine. */
void feed_free(struct feed *f);

/* pollfds of both sessions; tags[i] identifies the session for
 * feed_handle(). Returns the number written (at most max). */
size_t feed_pollfds(struct feed *f, struct pollfd *fds, void **tags, size_t max);
/* Lets the session tagged tag do its I/O (false: not one of the feed's). */
bool feed_handle(struct feed *f, void *tag, short revents);
/* Timers at now (monotonic ms): session retries and deadlines, and the next
 * request if one is due. */
void feed_tick(struct feed *f, int64_t now);
/* The nearest time feed_tick() has something to do, or -1. */
int64_t feed_deadline(const struct feed *f);

/* Asks for everything again now (reconnecting first if charon is away). */
void feed_refresh_all(struct feed *f);
/* The operator changed the interval (ms) or the budget (:set): the periods
 * follow from the next request on. */
void feed_set_rates(struct feed *f, int interval_ms, double budget);
/* Lists all SAs again soon, and the policies and connections (after an
 * action changed them). */
void feed_refresh_sas(struct feed *f);

/* A connection's state, for the header. */
const struct feed_link *feed_link(const struct feed *f, enum feed_link_id id);
/* When the monitor connection tries again (monotonic ms), or -1. */
int64_t feed_retry_at(const struct feed *f);
/* The monitor connection is up. */
bool feed_connected(const struct feed *f);
/* Monotonic ms of the last list-sa data, 0 before any. */
int64_t feed_last_data(const struct feed *f);
/* Monotonic ms of the last answer of any kind on the monitor connection. */
int64_t feed_last_answer(const struct feed *f);
/* "alerts: not supported" once charon said so, else "". */
const char *feed_alert_state(const struct feed *f);
/* The periods the budget allows now (ms), and their load. */
const struct refresh_periods *feed_periods(const struct feed *f);
/* What requests cost charon, as learned so far. */
const struct refresh_costs *feed_costs(const struct feed *f);
/* Completed full sweeps. */
unsigned feed_sweeps(const struct feed *f);
/* Requests of kind k sent so far. */
unsigned long feed_sent(const struct feed *f, enum refresh_kind k);

#endif
