/*
 * The SA refresh policy as a pure decision, so that it is unit-tested
 * (tests/test_refresh.c) without sockets or a terminal.
 *
 * Events keep the SA tree current; polling is for counters and for what
 * events cannot tell. Each interval the monitor either sweeps everything
 * (list-sas noblock) or refreshes only the IKE SAs an operator can see
 * (list-sas noblock ike-id=N, one after another): a sweep when it is due
 * (at least every few intervals), when there are few SAs anyway, or when
 * so many are on screen that one sweep is cheaper; targeted otherwise; and
 * nothing when no SA is on screen (the periodic sweep still runs).
 */
#ifndef SWANTOP_APP_REFRESH_H
#define SWANTOP_APP_REFRESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many targeted requests per round. */
#define REFRESH_TARGETS_MAX 32
/* With this many IKE SAs or fewer, always sweep. */
#define REFRESH_SMALL 8

enum refresh_kind {
	REFRESH_NONE,
	REFRESH_FULL,
	REFRESH_TARGETED,
};

struct refresh_input {
	size_t total;            /* IKE SAs known */
	bool sweep_due;          /* the periodic full sweep is due (or forced) */
	bool sas_shown;          /* the SA tree is on screen */
	const uint32_t *visible; /* IKE uniqueids of the rows on screen, top to
	                          * bottom (a CHILD row gives its IKE SA's) */
	size_t n_visible;
	uint32_t detail_id; /* IKE SA of an open detail view, or 0 */
};

/* Decides the next refresh; for REFRESH_TARGETED fills targets (distinct
 * ids, at most REFRESH_TARGETS_MAX) and *n. */
enum refresh_kind refresh_plan(const struct refresh_input *in, uint32_t *targets, size_t *n);

/* charon's start, as its stats reply says it: uptime.since ("Dec 04
 * 13:58:04 2026", local time, derived from its monotonic uptime, so it
 * flips by a second from call to call) and uptime.running ("5 minutes",
 * rounded down to its unit). */
struct refresh_uptime {
	bool valid;
	int64_t since;                   /* seconds on a local-time scale */
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
