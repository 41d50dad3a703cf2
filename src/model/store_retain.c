/*
 * Retention of the history store, in bounded steps.
 *
 * Samples live in three tiers: full resolution (table samples) for raw_ms,
 * then sums per series over 5-minute buckets (samples_mid) for mid_ms, then
 * over 1-hour buckets (samples_coarse) for coarse_ms. Every tier is ordered
 * by time, so the recorder only ever appends, and retention only ever
 * takes a prefix: the oldest rows of a tier are added into their coarser
 * bucket (an upsert that sums) and deleted in the same transaction. A sample
 * is thus in exactly one tier at any moment, totals never change and
 * nothing counts twice, however a slice cuts a bucket. Timeline records go
 * after events_ms.
 *
 * The size cap works through one more horizon, cap_horizon: when the pages
 * in use exceed max_bytes, the horizon moves forward from the oldest data
 * held, and everything older goes from every table, oldest first. Freed
 * pages are given back to the file system (auto_vacuum = INCREMENTAL) once
 * there are enough of them to be worth moving pages for.
 *
 * Every call of store_maintain() does at most about `budget` rows of work in
 * one transaction, so a recorder never stalls on a backlog: it calls again
 * soon while the answer is "more to do".
 */
#include "model/store_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

/* Free pages kept for reuse before any are given back, and the most given
 * back per call. */
#define STORE_FREE_KEEP 1024
#define STORE_FREE_STEP 2048

static int64_t floor_to(int64_t t, int64_t step)
{
	return t >= 0 ? t / step * step : -((-t + step - 1) / step) * step;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Runs sql (a string literal: its statement is kept for the next call by
 * its address) with nbind int64 parameters; *changes (if not NULL) gets the rows
 * changed, *one (if not NULL) the first column of the first row. */
static int run(struct store *s, const char *what, long *changes, int64_t *one, const char *sql,
               int nbind, ...)
{
	sqlite3_stmt *st = NULL;
	size_t slot = 0;
	while (slot < ARRAY_SIZE(s->cache) && s->cache[slot].sql && s->cache[slot].sql != sql)
		slot++;
	if (slot < ARRAY_SIZE(s->cache) && s->cache[slot].sql == sql) {
		st = s->cache[slot].st;
		sqlite3_reset(st);
	} else {
		int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
		if (rc != SQLITE_OK)
			return store_fail(s, rc, what);
		if (slot < ARRAY_SIZE(s->cache))
			s->cache[slot].sql = sql, s->cache[slot].st = st;
	}
	bool cached = slot < ARRAY_SIZE(s->cache);
	int rc;
	va_list ap;
	va_start(ap, nbind);
	for (int i = 1; i <= nbind; i++)
		sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
	va_end(ap);
	bool null = true;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (one && null) {
			null = sqlite3_column_type(st, 0) == SQLITE_NULL;
			*one = sqlite3_column_int64(st, 0);
		}
	}
	if (one && null)
		*one = INT64_MIN;
	if (cached)
		sqlite3_reset(st);
	else
		sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, what);
	if (changes)
		*changes = sqlite3_changes(s->db);
	return 0;
}

static int age_events(struct store *s, int64_t now, long *left, bool *more)
{
	int64_t h = max64(now - s->ret.events_ms, s->cap_horizon);
	long n = 0;
	int e = run(s, "deleting old events", &n, NULL,
	            "DELETE FROM events WHERE id IN"
	            " (SELECT id FROM events WHERE t < ?1 ORDER BY t LIMIT ?2)",
	            2, h, (int64_t)*left);
	*left -= n;
	*more = *more || *left <= 0;
	return e;
}

#define SUMS                                                                                       \
	" ON CONFLICT(t, series) DO UPDATE SET bytes_in = bytes_in + excluded.bytes_in,"           \
	" bytes_out = bytes_out + excluded.bytes_out,"                                             \
	" packets_in = packets_in + excluded.packets_in,"                                          \
	" packets_out = packets_out + excluded.packets_out"
#define INTO(to) "INSERT INTO " to "(t, series, bytes_in, bytes_out, packets_in, packets_out)"
#define SUMMED(from)                                                                               \
	" SELECT (t / ?2) * ?2 AS b, series, sum(bytes_in), sum(bytes_out), sum(packets_in),"      \
	" sum(packets_out) FROM " from " WHERE t < ?1 GROUP BY b, series"

/* The statements of one tier: its oldest time, the end of a slice of about
 * ?1 rows, moving the rows before ?1 into the next tier's buckets of ?2 ms,
 * deleting them. */
static const struct tier {
	const char *oldest, *slice, *move, *del;
} tiers[3] = {
        {"SELECT min(t) FROM samples", "SELECT t FROM samples ORDER BY t LIMIT 1 OFFSET ?1",
         INTO("samples_mid") SUMMED("samples") SUMS, "DELETE FROM samples WHERE t < ?1"},
        {"SELECT min(t) FROM samples_mid", "SELECT t FROM samples_mid ORDER BY t LIMIT 1 OFFSET ?1",
         INTO("samples_coarse") SUMMED("samples_mid") SUMS, "DELETE FROM samples_mid WHERE t < ?1"},
        {"SELECT min(t) FROM samples_coarse",
         "SELECT t FROM samples_coarse ORDER BY t LIMIT 1 OFFSET ?1", NULL,
         "DELETE FROM samples_coarse WHERE t < ?1"},
};

/* Moves (or, below the cap horizon, deletes) the rows of tier i older than
 * horizon, about *left rows per call. */
static int age_tier(struct store *s, int i, int64_t horizon, int64_t bucket, long *left, bool *more)
{
	const struct tier *tr = &tiers[i];
	horizon = max64(horizon, s->cap_horizon);
	while (*left > 0) {
		int64_t oldest, b;
		int e = run(s, "reading samples", NULL, &oldest, tr->oldest, 0);
		if (e || oldest == INT64_MIN || oldest >= horizon)
			return e;
		if ((e = run(s, "reading samples", NULL, &b, tr->slice, 1, (int64_t)*left)))
			return e;
		/* a slice ends at a time, so it may take a few rows more */
		if (b == INT64_MIN || b > horizon)
			b = horizon;
		if (b <= oldest)
			b = oldest + 1;
		long moved = 0, deleted = 0;
		if (tr->move && b > s->cap_horizon)
			e = run(s, "downsampling samples", &moved, NULL, tr->move, 2, b, bucket);
		if (!e)
			e = run(s, "deleting samples", &deleted, NULL, tr->del, 1, b);
		if (e)
			return e;
		*left -= deleted > 0 ? deleted : 1;
	}
	*more = true;
	return 0;
}

/* Forgets series whose last sample (last_t is kept to the hour) is older
 * than anything any tier keeps. */
static int forget_series(struct store *s, int64_t now)
{
	int64_t h = max64(now - s->ret.coarse_ms, s->cap_horizon) - 2 * 3600 * 1000;
	long n = 0;
	int e = run(s, "forgetting series", &n, NULL, "DELETE FROM series WHERE last_t < ?1", 1, h);
	if (n)
		store_series_forget(s);
	return e;
}

/* The oldest time any table holds, INT64_MIN if the store is empty. */
static int oldest_data(struct store *s, int64_t *t)
{
	*t = INT64_MIN;
	for (int i = -1; i < 3; i++) {
		int64_t v;
		int e = run(s, "finding the oldest data", NULL, &v,
		            i < 0 ? "SELECT min(t) FROM events" : tiers[i].oldest, 0);
		if (e)
			return e;
		if (v != INT64_MIN && (*t == INT64_MIN || v < *t))
			*t = v;
	}
	return 0;
}

/* Over the size cap with nothing else left to delete: move the cap horizon
 * forward by a step (a 32nd of the span held, at least an hour). */
static int enforce_cap(struct store *s, int64_t now, bool *more)
{
	int64_t used = store_used_bytes(s);
	if (used < 0)
		return store_fail(s, sqlite3_errcode(s->db), "reading the size");
	if ((uint64_t)used <= s->ret.max_bytes)
		return 0;
	int64_t oldest;
	int e = oldest_data(s, &oldest);
	if (e || oldest == INT64_MIN)
		return e;
	int64_t from = max64(oldest, s->cap_horizon);
	int64_t step = max64(3600 * 1000, (now - from) / 32);
	s->cap_horizon = from + step < now ? from + step : now;
	*more = true;
	return 0;
}

static int give_back(struct store *s, bool *more)
{
	int64_t free_pages = 0, page_size = 4096;
	int e = run(s, "reading the free list", NULL, &free_pages, "PRAGMA freelist_count", 0);
	if (!e)
		e = run(s, "reading the page size", NULL, &page_size, "PRAGMA page_size", 0);
	/* a small cap keeps fewer free pages: at most a 16th of it */
	int64_t keep = (int64_t)(s->ret.max_bytes / 16) / (page_size > 0 ? page_size : 4096);
	keep = keep < STORE_FREE_KEEP ? keep : STORE_FREE_KEEP;
	if (e || free_pages <= keep)
		return e;
	int64_t n = free_pages - keep / 2;
	if (n > STORE_FREE_STEP) {
		n = STORE_FREE_STEP;
		*more = true;
	}
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%lld)", (long long)n);
	return store_exec(s, sql, "giving back free pages");
}

int store_maintain(struct store *s, int64_t now, unsigned budget)
{
	if (!s->rw)
		return -EROFS;
	int e = store_exec(s, "BEGIN IMMEDIATE", "starting retention");
	if (e)
		return e;
	long left = budget ? (long)budget : 1;
	bool more = false;
	const int64_t mid = STORE_MID_BUCKET_MS, coarse = STORE_COARSE_BUCKET_MS;
	e = run(s, "noting the time", NULL, NULL,
	        "INSERT INTO meta(key, value) VALUES('alive', ?1)"
	        " ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
	        1, now);
	if (!e)
		e = age_events(s, now, &left, &more);
	if (!e)
		e = age_tier(s, 0, floor_to(now - s->ret.raw_ms, mid), mid, &left, &more);
	if (!e)
		e = age_tier(s, 1, floor_to(now - s->ret.mid_ms, coarse), coarse, &left, &more);
	if (!e)
		e = age_tier(s, 2, now - s->ret.coarse_ms, 0, &left, &more);
	if (!e && !more)
		e = forget_series(s, now);
	if (!e && !more)
		e = enforce_cap(s, now, &more);
	if (!e)
		e = give_back(s, &more);
	if (!e)
		e = store_exec(s, "COMMIT", "committing retention");
	if (e) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		store_series_forget(s);
		return e;
	}
	return more ? 1 : 0;
}

int64_t store_alive(struct store *s)
{
	int64_t t = 0;
	int e = run(s, "reading the time", NULL, &t, "SELECT value FROM meta WHERE key = 'alive'",
	            0);
	return e ? e : t == INT64_MIN ? 0 : t;
}
