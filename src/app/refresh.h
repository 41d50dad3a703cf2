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

#endif
