/*
 * The runner: sends the requests of planned verbs to charon and reports how
 * they ended.
 *
 * Why a fresh control connection per request: charon serves each
 * connection's requests one at a time, and a blocking initiate against a
 * dead peer holds its connection for minutes. With one connection per
 * request nothing the operator does ever waits behind another action, and
 * the monitor's own connections are never touched. While a request runs its
 * control-log lines are passed to on_log; when it ends, on_finish says how.
 *
 * The runner never owns the loop: its host polls the fds it lists and
 * calls it back, as with a VICI session. Requests finish inside their
 * session's callback, so they are only marked there and freed by
 * runner_reap() at the end of the host's loop turn.
 */
#ifndef SWANTOP_ACTION_RUNNER_H
#define SWANTOP_ACTION_RUNNER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/action.h"

/* Requests running at the same time, at most: each one pins a charon worker
 * thread, and 5.9.8 can deadlock with many concurrent control-log streams. */
#define RUNNER_MAX_RUNNING 8

/* How a request ended. Strings are borrowed for the call. */
struct run_result {
	enum verb verb;
	const char *label;   /* the request's label */
	const char *ike;     /* the connection (IKE SA) name it was about, "" if not
	                      * known; raw bytes */
	const char *child;   /* the CHILD config or CHILD SA name, "" if none */
	const char *swanctl; /* its swanctl equivalent */
	bool ok;
	const char *outcome;       /* ok: "done", or "queued" for verbs charon only
	                            * queues; else why it failed (charon's errmsg,
	                            * raw bytes: sanitise before showing) */
	int64_t started, finished; /* monotonic ms */
	uint64_t tag;              /* the request's tag */
};

struct runner_config {
	const char *uri; /* NULL: the default socket (copied) */
	bool readonly;   /* refuse everything */
	/* A control-log message (body, borrowed) of a running request. */
	void (*on_log)(void *ctx, const void *msg, size_t len, int64_t received);
	void (*on_finish)(void *ctx, const struct run_result *r);
	void *ctx;
};

struct runner;

struct runner *runner_new(const struct runner_config *cfg);
/* Cancels what runs (no on_finish) and frees everything. */
void runner_free(struct runner *r);

/* Starts request rq (copied) of verb v on target t (may be NULL), whose
 * names the result reports: the "ike" and "child" the request names, else
 * those of an SA or connection target. Returns 0, or -EPERM (read-only),
 * -EBUSY (RUNNER_MAX_RUNNING run already) with a one-line reason in err.
 * A request that fails at once (no connection) is reported through
 * on_finish, from inside this call, and still returns 0. */
int runner_start(struct runner *r, enum verb v, const struct request *rq, const struct target *t,
                 int64_t now, char *err, size_t errsize);

/* What runs: the number of requests, and the oldest one's verb, label and
 * start time (any pointer may be NULL; *label is borrowed until the next
 * call into the runner). */
size_t runner_running(const struct runner *r, enum verb *verb, const char **label,
                      int64_t *started);

/* The host's side, as for a VICI session. pollfds fills at most max
 * entries and tags them; handle calls the session tagged tag back. */
size_t runner_pollfds(struct runner *r, struct pollfd *fds, void **tags, size_t max);
void runner_handle(struct runner *r, void *tag, short revents);
void runner_tick(struct runner *r, int64_t now);
/* The nearest deadline of any running request (monotonic ms), or -1. */
int64_t runner_deadline(const struct runner *r);
/* Frees what finished (end of the loop turn). */
void runner_reap(struct runner *r);

#endif
