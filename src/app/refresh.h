/*
 * What the monitor asks charon, and when, as a pure decision, so that it is
 * unit-tested (tests/test_refresh.c) without sockets or a terminal.
 *
 * Events keep the SA tree current; polling is for counters and for what
 * events cannot tell, and it costs charon CPU time, which the operator
 * bounds with a budget (ms of charon time per second). What requests cost
 * is learned from their round trips on the monitor's connection, where one
 * request is in flight at a time, so that a round trip is charon's time for
 * that request. A request that finds charon idle costs it two to three
 * times what one right after another does (its caches are cold: a targeted
 * list-sas walks every IKE SA), so requests are sent in rounds, one after
 * another, and each kind's cost is learned twice: opening a round (cold)
 * and within one (warm).
 *
 * The periods follow from the costs and the budget (refresh_periods_get()):
 *
 *   selected  the selected SA (or the one an open detail view shows): every
 *             interval (default 1.5 s), whatever it costs; its refresh sets
 *             the rhythm of the rounds
 *   visible   every IKE SA with a row on screen, one targeted list-sas
 *             ike-id=N each: at most 10 s old, down to the interval when the
 *             budget allows
 *   sweep     list-sas for all SAs, which catches what events missed: what
 *             the budget leaves, so the period grows with the SA count; at
 *             least every interval
 *   stats     the header and restart detection: 10 s, down to the interval
 *   conns     list-conns and list-policies: what a small share of the budget
 *             allows, at least a minute apart (they change when someone
 *             loads or unloads a connection; after an action, at once)
 *
 * refresh_next() then picks the one request to send now, or when to look
 * again: a round starts when something is due, and while charon is warm
 * from the previous request, what would be due before the next round joins
 * it. A targeted refresh that would cost as much as a sweep becomes one.
 */
#ifndef SWANTOP_APP_REFRESH_H
#define SWANTOP_APP_REFRESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The default load budget: ms of charon CPU per second (0.5 % of a core). */
#define REFRESH_BUDGET_DEFAULT 5.0
/* Rows on screen are never older than this (ms), whatever the budget. */
#define REFRESH_VISIBLE_MAX_MS 10000
/* Nor the header's stats; conns and pols at least this far apart. */
#define REFRESH_STATS_MAX_MS 10000
#define REFRESH_CONNS_MIN_MS 60000
/* A request sent this soon after the previous answer finds charon warm. */
#define REFRESH_WARM_MS 50
/* The sweep always gets at least this share of the budget. */
#define REFRESH_SWEEP_SHARE 0.1

/* The requests of the monitor's connection. */
enum refresh_kind {
	REFRESH_NONE,
	REFRESH_SA,    /* list-sas noblock ike-id=N: one IKE SA */
	REFRESH_SWEEP, /* list-sas noblock: all of them */
	REFRESH_STATS,
	REFRESH_CONNS,
	REFRESH_POLS,
	REFRESH_VERSION,
	REFRESH_KIND_COUNT
};

/* What requests cost charon (ms), learned from round trips: [0] within a
 * round (warm), [1] opening one (cold); REFRESH_SWEEP per IKE SA listed. */
struct refresh_costs {
	double ms[2][REFRESH_KIND_COUNT];
	bool learned[2][REFRESH_KIND_COUNT];
};

/* Starting guesses (charon 5.9.8, 1000 IKE SAs), until round trips say. */
void refresh_costs_init(struct refresh_costs *c);
/* Learns from one round trip of rtt_ms; n: IKE SAs a sweep listed; cold:
 * the request opened a round (charon idle before it). */
void refresh_costs_learn(struct refresh_costs *c, enum refresh_kind k, double rtt_ms, size_t n,
                         bool cold);
/* What one request of kind k costs, with total IKE SAs known. */
double refresh_cost(const struct refresh_costs *c, enum refresh_kind k, size_t total, bool cold);

/* The periods (ms) the budget allows, and the load they add up to. */
struct refresh_periods {
	int64_t selected, visible, sweep, stats, conns, pols;
	double load; /* ms of charon time per second */
};

/* Chooses the periods for total IKE SAs, n_visible of them on screen (and a
 * selected one or not), the operator's interval (ms) and budget (ms of
 * charon time per second; the selected SA and the 10 s ceiling of the rows
 * on screen are kept even above it); sweep_max_ms > 0 caps the sweep
 * period. */
void refresh_periods_get(const struct refresh_costs *c, size_t total, size_t n_visible,
                         bool selected, int64_t interval_ms, double budget, int64_t sweep_max_ms,
                         struct refresh_periods *p);

/* The state refresh_next() decides on. Times are monotonic ms; *_at of an
 * IKE SA is when a list-sa last listed it (very old: never), last[k] when a
 * request of kind k was last sent (0: never), force[k] asks for one at
 * once. */
struct refresh_input {
	int64_t now;
	bool warm;    /* an answer came just now: a round is going on */
	size_t total; /* IKE SAs known */
	uint32_t selected;
	int64_t selected_at;
	const uint32_t *visible; /* IKE SAs with a row on screen, top to bottom */
	const int64_t *visible_at;
	size_t n_visible;
	int64_t last[REFRESH_KIND_COUNT];
	bool force[REFRESH_KIND_COUNT];
};

struct refresh_next {
	enum refresh_kind kind; /* REFRESH_NONE: nothing now */
	uint32_t ike_id;        /* REFRESH_SA */
	int64_t wake;           /* REFRESH_NONE: when something is due */
};

/* The one request to send now, or when to look again. */
void refresh_next(const struct refresh_input *in, const struct refresh_costs *c,
                  const struct refresh_periods *p, struct refresh_next *out);

/* charon's start, as its stats reply says it: uptime.since ("Dec 04
 * 13:58:04 2026", local time, derived from its monotonic uptime, so it
 * flips by a second from call to call) and uptime.running ("5 minutes",
 * rounded down to its unit). */
struct refresh_uptime {
	bool valid;
	int64_t since;                    /* seconds on a local-time scale */
	int64_t running_min, running_max; /* what "N units" can mean, in seconds */
};

/* Parses the two strings (not NUL-terminated; any bytes); valid is false if
 * either cannot be read. */
void refresh_uptime_parse(struct refresh_uptime *u, const char *since, size_t since_len,
                          const char *running, size_t running_len);

/* Did charon restart between two stats replies that were given on two
 * different connections (the monitor's connection was lost in between: a
 * charon that restarts always drops it)? Yes when the new daemon is
 * younger: it started more than a few seconds after the old one, or it has
 * been running for less time than the old one had already. Never from the
 * one-second flips of since. Unreadable uptimes say no. */
bool refresh_restarted(const struct refresh_uptime *before, const struct refresh_uptime *after);

#endif
