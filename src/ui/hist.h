/*
 * History as the panes show it: what the application read from the history
 * store (model/store.h), copied, and what the panes would like to read.
 *
 * The panes never query the store: a query reads a file, and panes only
 * draw and return flags. The application (app/insight.c) owns one struct
 * hist, fills it from the store (flap counts and rate series about once a
 * minute, a connection's timeline and the events pane's scroll-back when
 * asked) and hands it to the panes: at init for publishing their wishes
 * (hist_want_*), in the draw context for reading. The same arrangement as
 * the SA pane's window in its view, which the refresh policy reads.
 *
 * Strings are copies of the store's raw bytes: sanitise them (rows do)
 * before they reach the terminal. Times are wall-clock ms.
 */
#ifndef SWANTOP_UI_HIST_H
#define SWANTOP_UI_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "model/store.h"

/* Buckets of a rate series: one a minute over the last hour. */
#define HIST_RATE_BUCKETS 60
#define HIST_RATE_BUCKET_MS 60000

/* One timeline record, copied from the store. */
struct hist_rec {
	struct store_event ev; /* its strings point into blob */
	char *blob;
};

/* Records, in the order they were added. */
struct hist_list {
	struct hist_rec *v;
	size_t n, cap;
};

/* Down events of one connection in the last 24 hours. */
struct hist_flap {
	char *conn;
	unsigned ike_down, child_down;
};

/* The traffic of one CHILD (connection and CHILD name, every reqid) in
 * bytes per second, per bucket; has[i] false where nothing was recorded. */
struct hist_rate {
	char *conn, *child;
	float in[HIST_RATE_BUCKETS], out[HIST_RATE_BUCKETS];
	bool has[HIST_RATE_BUCKETS];
};

struct hist {
	bool enabled;    /* a store is open: the history columns and views exist */
	char where[300]; /* the store's path, or why there is none (safe text) */
	uint64_t gen;    /* increases with every change below (redraws) */

	struct hist_flap *flaps; /* by connection name */
	size_t n_flaps;
	struct hist_rate *rates; /* by connection, then CHILD name */
	size_t n_rates;
	int64_t rates_until; /* the end of the last bucket */

	/* The timeline of one connection (the detail view's), newest first. */
	struct {
		char *conn; /* whose records are loaded, NULL: none */
		struct hist_list recs;
		bool complete;   /* every record there is */
		char *want_conn; /* what the view asks for (NULL: nothing) */
		size_t want_n;   /* at least this many records */
	} tl;

	/* The events pane's scroll-back: records older than its ring, newest
	 * first. */
	struct {
		struct hist_list recs;
		bool complete;  /* nothing older in the store */
		int64_t anchor; /* wall ms: records before this (the ring's oldest) */
		size_t want_n;  /* records wanted in all (0: none) */
	} back;
};

void hist_init(struct hist *h);
void hist_free(struct hist *h);
/* Forgets every record, count and series (the store went away). */
void hist_reset(struct hist *h);

/* ---- filled by the application ------------------------------------------- */

void hist_list_add(struct hist_list *l, const struct store_event *ev);
void hist_list_clear(struct hist_list *l);

/* Replaces the flap counts / rate series: clear, add each, then sort. */
void hist_flaps_clear(struct hist *h);
void hist_flaps_add(struct hist *h, struct model_str conn, unsigned ike_down, unsigned child_down);
void hist_rates_clear(struct hist *h);
/* b: HIST_RATE_BUCKETS buckets of HIST_RATE_BUCKET_MS (sums, as the store
 * gives them); several reqids of one CHILD add up (in hist_sort()). */
void hist_rates_add(struct hist *h, struct model_str conn, struct model_str child,
                    const struct store_bucket *b);
/* Sorts what was added, for the lookups. */
void hist_sort(struct hist *h);

/* ---- read by the panes ------------------------------------------------------ */

/* NULL when the connection has no down events in the window (or no store). */
const struct hist_flap *hist_flaps_find(const struct hist *h, struct model_str conn);
/* NULL when nothing was recorded for that CHILD in the last hour. */
const struct hist_rate *hist_rates_find(const struct hist *h, struct model_str conn,
                                        struct model_str child);
/* The bytes per second of a series (in + out), for a sparkline; has[i]
 * false where there was nothing. */
void hist_rate_total(const struct hist_rate *r, float *out);

/* A connection's timeline is wanted, at least n records (the detail view
 * asks again as the operator scrolls); NULL conn: no longer. */
void hist_want_timeline(struct hist *h, const char *conn, size_t n);
/* The events pane wants n records older than anchor (wall ms) in all; 0:
 * forget the scroll-back. */
void hist_want_back(struct hist *h, int64_t anchor, size_t n);

#endif
